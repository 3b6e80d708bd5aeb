#pragma once
// `attach_xdp(prog, interface, options)`: an XDP program on a network
// interface, by name or index. The default path is a kernel BPF link
// (Linux 5.9+): it detaches when the link goes, even if this process dies.
// Where links are unavailable, or asked for, the netlink path sets the
// interface's XDP program (IFLA_XDP) and the link removes it again, only
// if it is still the program this link attached.
//
//     auto l = bpfxx::attach_xdp(fw, "veth0");                              // link, any mode
//     auto g = bpfxx::attach_xdp(fw, "lo", {.mode = bpfxx::xdp_mode::generic});

#include <bpfxx/attach/interface.hpp>
#include <bpfxx/attach/link.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/netlink.hpp>

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx {

/// Where an XDP program runs (XDP_FLAGS_*_MODE).
enum class xdp_mode : std::uint32_t {
    any = 0,     ///< the driver's native mode if it has one, else generic
    generic = 2, ///< in the network stack, after the skb is built (any interface)
    driver = 4,  ///< in the driver, before the skb (drivers with native XDP)
    offload = 8, ///< on the NIC (programs loaded for that device)
};

struct xdp_options {
    xdp_mode mode = xdp_mode::any;
    attach_path path = attach_path::automatic; ///< legacy: the netlink path (IFLA_XDP)
    /// netlink path: replace a program already on the interface (otherwise
    /// attaching fails with EBUSY, as links always do).
    bool replace = false;
};

namespace detail::xdp {

[[nodiscard]] inline std::string mode_name(xdp_mode m) {
    switch (m) {
    case xdp_mode::generic: return "generic";
    case xdp_mode::driver: return "driver";
    case xdp_mode::offload: return "offload";
    default: return "any mode";
    }
}

/// IFLA_XDP on `ifindex`: program `fd` (-1: none); with `expected_fd` >= 0,
/// only if that program is the one there (XDP_FLAGS_REPLACE).
[[nodiscard]] inline sys::netlink::reply set_xdp(unsigned ifindex, int fd, std::uint32_t flags, int expected_fd) {
    sys::netlink::request req(RTM_SETLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = static_cast<int>(ifindex);
    req.put(ifi);
    const auto nest = req.begin_nested(IFLA_XDP);
    req.attr(IFLA_XDP_FD, std::int32_t{fd});
    if (expected_fd >= 0) {
        flags |= XDP_FLAGS_REPLACE;
        req.attr(IFLA_XDP_EXPECTED_FD, std::int32_t{expected_fd});
    }
    if (flags != 0) req.attr(IFLA_XDP_FLAGS, flags);
    req.end_nested(nest);
    return sys::netlink::transact(req);
}

[[nodiscard]] inline link attach_netlink(const prog& p, unsigned ifindex, const xdp_options& o, std::string what) {
    std::uint32_t flags = static_cast<std::uint32_t>(o.mode);
    if (!o.replace) flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
    const auto r = set_xdp(ifindex, p.fd(), flags, -1);
    if (r.error != 0) throw error(r.error, "RTM_SETLINK(IFLA_XDP)", what, r.message);
    // The link keeps its own reference to the program so that the expected
    // fd stays valid (and means this program) until it detaches.
    unique_fd mine(::fcntl(p.fd(), F_DUPFD_CLOEXEC, 0));
    if (!mine) {
        const int err = errno;
        (void)set_xdp(ifindex, -1, static_cast<std::uint32_t>(o.mode), p.fd());
        throw error(err, "fcntl(F_DUPFD_CLOEXEC)", what);
    }
    const int expected = mine.get();
    const auto mode = static_cast<std::uint32_t>(o.mode);
    return link([ifindex, mode, expected] { (void)set_xdp(ifindex, -1, mode, expected); }, std::move(what),
                std::move(mine));
}

} // namespace detail::xdp

/// Attaches XDP program `p` to the interface with index `ifindex`.
[[nodiscard]] inline link attach_xdp(const prog& p, unsigned ifindex, const xdp_options& o = {}) {
    std::string what = "xdp on " + detail::links::interface_name(ifindex) + " (ifindex " + std::to_string(ifindex);
    if (o.mode != xdp_mode::any) what += ", " + detail::xdp::mode_name(o.mode);
    what += ')';
    detail::links::require_type(p, "attach_xdp", what, {prog_type::xdp});
    return detail::links::link_or_legacy(
        o.path, probe::feature::link_xdp, // Linux 5.9+
        [&] {
            return link(detail::links::create(p, ifindex, attach_type::xdp, static_cast<std::uint32_t>(o.mode), what),
                        what);
        },
        [&] { return detail::xdp::attach_netlink(p, ifindex, o, what); });
}

/// Attaches XDP program `p` to the interface named `ifname`.
[[nodiscard]] inline link attach_xdp(const prog& p, std::string_view ifname, const xdp_options& o = {}) {
    return attach_xdp(p, detail::links::interface_index(ifname), o);
}

} // namespace bpfxx
