#pragma once
// BTF files: those of the running kernel — /sys/kernel/btf/vmlinux and, for
// each loaded module, /sys/kernel/btf/<module> (split BTF on vmlinux) — raw
// BTF files and ELF objects. Linux only (POSIX open/read/mmap).
//
// The file is mapped when the kernel allows it (Linux 6.16+ maps vmlinux's
// BTF straight from kernel memory: no copy, nothing added to this process's
// resident set); otherwise it is read into a buffer.

#include <bpfxx/btf/elf.hpp>
#include <bpfxx/btf/types.hpp>
#include <bpfxx/detail/owner.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace bpfxx::btf {

/// Where the running kernel publishes its BTF.
inline constexpr std::string_view sysfs_dir = "/sys/kernel/btf";

namespace detail {

/// The whole file at `path`, mapped read-only, or read when it cannot be mapped.
[[nodiscard]] inline blob_storage read_file(const std::string& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) bpfxx::detail::throw_errno("open", path);
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) bpfxx::detail::throw_errno("fstat", path);
    auto size = static_cast<std::size_t>(st.st_size);
    if (size != 0) {
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
        if (p != MAP_FAILED)
            return {static_cast<const std::byte*>(p), size, [](const std::byte* q, std::size_t n) noexcept {
                        ::munmap(const_cast<std::byte*>(q), n);
                    }};
    }
    // sysfs reports a size but may refuse mmap; other files may report none (procfs-like).
    std::size_t cap = size != 0 ? size : 1u << 20, have = 0;
    bpfxx::detail::owner<std::byte[]> buf(new std::byte[cap]);
    for (;;) {
        if (have == cap) {
            bpfxx::detail::owner<std::byte[]> bigger(new std::byte[cap * 2]);
            std::memcpy(bigger.get(), buf.get(), have);
            buf = std::move(bigger);
            cap *= 2;
        }
        const auto n = ::read(fd.get(), buf.get() + have, cap - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            bpfxx::detail::throw_errno("read", path);
        }
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    return {buf.release(), have, [](const std::byte* q, std::size_t) noexcept { delete[] q; }};
}

} // namespace detail

/// Parses the BTF file at `path` (a `.btf` file, a sysfs file); split on
/// `base` when given.
[[nodiscard]] inline types open_file(const std::string& path, const types* base = nullptr) {
    return types::adopt(detail::read_file(path), base, path);
}

/// The `.BTF` section of the ELF file at `path` (a clang BPF object, a module).
[[nodiscard]] inline types open_elf(const std::string& path, const types* base = nullptr) {
    const auto file = detail::read_file(path);
    return from_elf(file.bytes(), path, base);
}

/// The running kernel's BTF (/sys/kernel/btf/vmlinux), parsed anew.
[[nodiscard]] inline types vmlinux() { return open_file(std::string(sysfs_dir) + "/vmlinux"); }

/// A loaded module's split BTF on `vmlinux` (/sys/kernel/btf/<module>).
[[nodiscard]] inline types module(std::string_view name, const types& vmlinux) {
    return open_file(std::string(sysfs_dir) + "/" + std::string(name), &vmlinux);
}

/// The running kernel's BTF, parsed once per process and shared (thread-safe).
[[nodiscard]] inline const types& kernel() {
    static const types k = vmlinux();
    return k;
}

} // namespace bpfxx::btf
