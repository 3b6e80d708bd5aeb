#pragma once
// The `bpf()` system call: the one place bpfxx enters the kernel for BPF.

#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx::sys {

/// `bpf(cmd, attr, sizeof attr)`: the raw result (-1 and errno on failure).
/// EINTR and EAGAIN from BPF_PROG_LOAD are retried, as the kernel may return
/// them when a signal or memory pressure interrupts verification.
template <class Attr>
[[nodiscard]] inline long call(cmd c, Attr& attr) noexcept {
    for (int tries = 0;; ++tries) {
        const long r = ::syscall(__NR_bpf, static_cast<int>(c), &attr, sizeof(Attr));
        if (r >= 0 || !(errno == EINTR || (c == cmd::prog_load && errno == EAGAIN)) || tries >= 5) return r;
    }
}

/// `bpf()` for commands that return a new file descriptor; throws on failure.
template <class Attr>
[[nodiscard]] inline unique_fd call_fd(cmd c, Attr& attr, const char* op, std::string object = {}) {
    const long r = call(c, attr);
    if (r < 0) detail::throw_errno(op, std::move(object));
    return unique_fd(static_cast<int>(r));
}

/// `bpf()` for commands that return 0; throws on failure.
template <class Attr>
inline void call_ok(cmd c, Attr& attr, const char* op, std::string object = {}) {
    if (call(c, attr) < 0) detail::throw_errno(op, std::move(object));
}

/// A user-space pointer as the kernel's `__aligned_u64`.
template <class T>
[[nodiscard]] inline std::uint64_t ptr(T* p) noexcept {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

/// Copies `name` into a fixed 16-byte kernel name field (truncating, NUL-terminated).
inline void copy_name(char (&dst)[16], std::string_view name) noexcept {
    const std::size_t n = name.size() < 15 ? name.size() : 15;
    for (std::size_t i = 0; i < n; ++i) dst[i] = name[i];
    dst[n] = '\0';
}

} // namespace bpfxx::sys
