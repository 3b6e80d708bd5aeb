#pragma once
// What kind of BPF object an fd refers to, asked before anything reads the
// kernel's description of it: BPF_OBJ_GET_INFO_BY_FD fills in whatever
// structure the object has, so a program's info read as a map's gives
// "key_size 833221721". Opening a pin or an id of the wrong kind is refused
// here, with the kind the object really is.

#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx::sys {

enum class object_kind : std::uint8_t {
    unknown, ///< /proc cannot tell (not mounted): the kernel is left to judge
    map,
    prog,
    link,
    btf,
    other, ///< a file that is no BPF object, or another kind of one
};

/// "a map", "a BPF program" …, for messages.
[[nodiscard]] constexpr std::string_view describe(object_kind k) noexcept {
    switch (k) {
    case object_kind::map: return "a map";
    case object_kind::prog: return "a BPF program";
    case object_kind::link: return "a BPF link";
    case object_kind::btf: return "a BTF object";
    case object_kind::other: return "no map, program or link";
    default: return "an object of unknown kind";
    }
}

/// The kind of object `fd` refers to, from its /proc/self/fd link (the
/// kernel names the anonymous inodes of BPF objects "anon_inode:bpf-map",
/// "anon_inode:bpf-prog", "anon_inode:btf", and a link "anon_inode:bpf_link"
/// when created but "anon_inode:bpf-link" when reopened from a pin or an id).
[[nodiscard]] inline object_kind kind_of(int fd) {
    char buf[64] = {};
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const auto n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return object_kind::unknown;
    const std::string_view target(buf, static_cast<std::size_t>(n));
    if (target == "anon_inode:bpf-map") return object_kind::map;
    if (target == "anon_inode:bpf-prog") return object_kind::prog;
    if (target == "anon_inode:bpf_link" || target == "anon_inode:bpf-link") return object_kind::link;
    if (target == "anon_inode:btf") return object_kind::btf;
    return object_kind::other;
}

/// Throws `bpfxx::error` unless `fd` refers to a `want`: EBADF for no fd,
/// EINVAL naming what it is instead ("… is not a map but a BPF program").
inline void require_kind(int fd, object_kind want, const char* op, const std::string& what) {
    if (fd < 0) throw error(EBADF, op, what, "the handle is empty");
    const auto k = kind_of(fd);
    if (k != object_kind::unknown && k != want)
        throw error(EINVAL, op, what,
                    "the object is not " + std::string(describe(want)) + " but " + std::string(describe(k)));
}

template <class Info>
inline constexpr object_kind kind_of_info = object_kind::unknown;
template <>
inline constexpr object_kind kind_of_info<map_info> = object_kind::map;
template <>
inline constexpr object_kind kind_of_info<prog_info> = object_kind::prog;
template <>
inline constexpr object_kind kind_of_info<link_info> = object_kind::link;

/// The kernel's description of the map, program or link `fd`
/// (`sys::map_info`, `prog_info`, `link_info`), once `fd` is known to be one.
template <class Info>
[[nodiscard]] Info info_of(int fd, const char* op, const std::string& what) {
    require_kind(fd, kind_of_info<Info>, op, what);
    Info info{};
    info_attr attr{};
    attr.bpf_fd = static_cast<std::uint32_t>(fd);
    attr.info_len = sizeof(Info);
    attr.info = ptr(&info);
    call_ok(cmd::obj_get_info_by_fd, attr, op, what);
    return info;
}

} // namespace bpfxx::sys
