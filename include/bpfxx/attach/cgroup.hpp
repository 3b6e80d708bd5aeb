#pragma once
// `attach_cgroup(prog, cgroup, where)`: a program on a cgroup v2 directory,
// for every process in it and its descendants — packets in and out
// (cgroup_skb), socket creation (cgroup_sock), bind/connect/sendmsg
// (cgroup_sock_addr), sysctl access, device access, socket options.
// The default path is a kernel link (Linux 5.7+); the legacy path is
// BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI, detached again by the link.
//
//     auto l = bpfxx::attach_cgroup(counter, "/sys/fs/cgroup/app", bpfxx::attach_type::cgroup_inet_egress);

#include <bpfxx/attach/link.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/cgroup.hpp>
#include <bpfxx/sys/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx {

namespace detail::cgroups {

/// The program type that runs at cgroup hook `a` (unspec: not a cgroup hook).
[[nodiscard]] constexpr prog_type program_type_for(attach_type a) noexcept {
    switch (a) {
    case attach_type::cgroup_inet_ingress:
    case attach_type::cgroup_inet_egress: return prog_type::cgroup_skb;
    case attach_type::cgroup_inet_sock_create:
    case attach_type::cgroup_inet_sock_release:
    case attach_type::cgroup_inet4_post_bind:
    case attach_type::cgroup_inet6_post_bind: return prog_type::cgroup_sock;
    case attach_type::cgroup_sock_ops: return prog_type::sock_ops;
    case attach_type::cgroup_device: return prog_type::cgroup_device;
    case attach_type::cgroup_sysctl: return prog_type::cgroup_sysctl;
    case attach_type::cgroup_getsockopt:
    case attach_type::cgroup_setsockopt: return prog_type::cgroup_sockopt;
    case attach_type::cgroup_inet4_bind:
    case attach_type::cgroup_inet6_bind:
    case attach_type::cgroup_inet4_connect:
    case attach_type::cgroup_inet6_connect:
    case attach_type::cgroup_udp4_sendmsg:
    case attach_type::cgroup_udp6_sendmsg:
    case attach_type::cgroup_udp4_recvmsg:
    case attach_type::cgroup_udp6_recvmsg:
    case attach_type::cgroup_inet4_getpeername:
    case attach_type::cgroup_inet6_getpeername:
    case attach_type::cgroup_inet4_getsockname:
    case attach_type::cgroup_inet6_getsockname:
    case attach_type::cgroup_unix_connect:
    case attach_type::cgroup_unix_sendmsg:
    case attach_type::cgroup_unix_recvmsg:
    case attach_type::cgroup_unix_getpeername:
    case attach_type::cgroup_unix_getsockname: return prog_type::cgroup_sock_addr;
    default: return prog_type::unspec;
    }
}

inline constexpr std::uint32_t allow_multi = 1u << 1; // BPF_F_ALLOW_MULTI

/// BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI; the link detaches it again.
[[nodiscard]] inline link attach_legacy(const prog& p, int cgroup_fd, attach_type where, std::string what) {
    unique_fd cg(::fcntl(cgroup_fd, F_DUPFD_CLOEXEC, 0));
    unique_fd mine(::fcntl(p.fd(), F_DUPFD_CLOEXEC, 0));
    if (!cg || !mine) detail::throw_errno("fcntl(F_DUPFD_CLOEXEC)", what);
    sys::prog_attach_attr a{};
    a.target_fd = static_cast<std::uint32_t>(cg.get());
    a.attach_bpf_fd = static_cast<std::uint32_t>(mine.get());
    a.attach_type = static_cast<std::uint32_t>(where);
    a.attach_flags = detail::cgroups::allow_multi;
    sys::call_ok(sys::cmd::prog_attach, a, "BPF_PROG_ATTACH", what);
    const int cgfd = cg.release(), progfd = mine.release();
    return link(
        [cgfd, progfd, where] {
            sys::prog_attach_attr d{};
            d.target_fd = static_cast<std::uint32_t>(cgfd);
            d.attach_bpf_fd = static_cast<std::uint32_t>(progfd);
            d.attach_type = static_cast<std::uint32_t>(where);
            (void)sys::call(sys::cmd::prog_detach, d);
            ::close(progfd);
            ::close(cgfd);
        },
        std::move(what));
}

} // namespace detail::cgroups

/// Attaches `p` at `where` of the cgroup open as `cgroup_fd` (the link keeps
/// its own reference); `what` names the cgroup for messages.
[[nodiscard]] inline link attach_cgroup(const prog& p, int cgroup_fd, attach_type where, std::string what,
                                        attach_path path = attach_path::automatic) {
    what = std::string(to_string(where)) + " on cgroup " + what;
    const prog_type runs_here = detail::cgroups::program_type_for(where);
    if (runs_here == prog_type::unspec)
        throw error(EINVAL, "attach_cgroup", what, std::string(to_string(where)) + " is not a cgroup hook");
    detail::links::require_type(p, "attach_cgroup", what, {runs_here});
    return detail::links::link_or_legacy(
        path, probe::feature::link_cgroup, // Linux 5.7+
        [&] { return link(detail::links::create(p, static_cast<std::uint32_t>(cgroup_fd), where, 0, what), what); },
        [&] { return detail::cgroups::attach_legacy(p, cgroup_fd, where, what); });
}


/// Attaches `p` at `where` of the cgroup v2 directory `cgroup` (a path).
[[nodiscard]] inline link attach_cgroup(const prog& p, const std::string& cgroup, attach_type where,
                                        attach_path path = attach_path::automatic) {
    unique_fd fd(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) detail::throw_errno("open", cgroup);
    return attach_cgroup(p, fd.get(), where, cgroup, path);
}

} // namespace bpfxx
