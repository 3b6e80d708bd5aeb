#pragma once
// Pinning BPF objects on bpffs. The bpffs at /sys/fs/bpf is mounted on
// demand, since machines do not always mount it at boot.

#include <bpfxx/sys/bpf.hpp>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <string>

namespace bpfxx {

/// The default bpffs mount point.
inline constexpr const char* bpffs_root = "/sys/fs/bpf";

namespace detail {
inline constexpr long bpffs_magic = 0xcafe4a11;

[[nodiscard]] inline bool is_bpffs(const char* path) noexcept {
    struct statfs st{};
    return ::statfs(path, &st) == 0 && static_cast<long>(st.f_type) == bpffs_magic;
}
} // namespace detail

/// Makes sure a bpffs is mounted at `dir` (default /sys/fs/bpf), mounting one
/// when it is not. Throws `bpfxx::error` when that is not possible.
inline void ensure_bpffs(const std::string& dir = bpffs_root) {
    if (detail::is_bpffs(dir.c_str())) return;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) detail::throw_errno("mkdir", dir);
    if (::mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") != 0) detail::throw_errno("mount bpffs", dir);
}

/// The directory part of `path` ("" for a bare name).
[[nodiscard]] inline std::string parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string{} : path.substr(0, slash == 0 ? 1 : slash);
}

namespace detail {
/// Throws the error of a failed pin operation on `path`; when `dir` (the
/// path, or the directory it goes in) is on no bpffs, says that this is why.
[[noreturn]] inline void throw_pin_error(int err, const char* op, const std::string& path, const std::string& dir) {
    struct statfs st{};
    const bool elsewhere = ::statfs(dir.empty() ? "." : dir.c_str(), &st) == 0 && static_cast<long>(st.f_type) != bpffs_magic;
    throw error(err, op, path,
                elsewhere ? "BPF objects are pinned in a BPF filesystem (bpffs), and " + (dir.empty() ? "." : dir) +
                                " is on another (mount one: mount -t bpf bpf " + std::string(bpffs_root) + ")"
                          : std::string{});
}
} // namespace detail

namespace sys {
/// BPF_OBJ_PIN: pins `fd` at `path`; mounts /sys/fs/bpf first when `path` is under it.
inline void pin(int fd, const std::string& path) {
    if (fd < 0) throw error(EBADF, "BPF_OBJ_PIN", path, "the handle is empty");
    if (path.starts_with(bpffs_root)) ensure_bpffs();
    obj_attr attr{};
    attr.pathname = ptr(path.c_str());
    attr.bpf_fd = static_cast<std::uint32_t>(fd);
    if (call(cmd::obj_pin, attr) < 0) bpfxx::detail::throw_pin_error(errno, "BPF_OBJ_PIN", path, parent_dir(path));
}

/// BPF_OBJ_GET: opens the object pinned at `path`.
[[nodiscard]] inline unique_fd get_pinned(const std::string& path, std::uint32_t file_flags = 0) {
    obj_attr attr{};
    attr.pathname = ptr(path.c_str());
    attr.file_flags = file_flags;
    const long fd = call(cmd::obj_get, attr);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) bpfxx::detail::throw_errno("BPF_OBJ_GET", path);
        bpfxx::detail::throw_pin_error(err, "BPF_OBJ_GET", path, path);
    }
    return unique_fd(static_cast<int>(fd));
}
} // namespace sys

} // namespace bpfxx
