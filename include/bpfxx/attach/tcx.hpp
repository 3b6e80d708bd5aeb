#pragma once
// `attach_tcx(prog, interface, direction)`: a sched_cls program on an
// interface's ingress or egress through a tcx link (Linux 6.6+): no qdisc,
// several programs in a defined order, detached when the link goes.
//
//     auto in  = bpfxx::attach_tcx(counter, "veth0", bpfxx::tc_direction::ingress);
//     auto out = bpfxx::attach_tcx(counter, "veth0", bpfxx::tc_direction::egress);

#include <bpfxx/attach/interface.hpp>
#include <bpfxx/attach/link.hpp>
#include <bpfxx/attach/xdp.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/error.hpp>

#include <net/if.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx {

enum class tc_direction : std::uint8_t { ingress, egress };

/// Where in the interface's list of tcx programs the new one goes.
struct tcx_options {
    /// BPF_F_BEFORE / BPF_F_AFTER `relative` (a program), or at the very
    /// front/back when `relative` is null. Default: appended (after all).
    enum class place : std::uint8_t { last, first, before, after } position = place::last;
    const prog* relative = nullptr;
    /// Attach only if the interface's tcx list still has this revision (0: any).
    std::uint64_t expected_revision = 0;
};

/// Attaches sched_cls program `p` to ingress or egress of `ifindex`.
[[nodiscard]] inline link attach_tcx(const prog& p, unsigned ifindex, tc_direction dir, const tcx_options& o = {}) {
    const bool in = dir == tc_direction::ingress;
    std::string what = std::string("tcx ") + (in ? "ingress" : "egress") + " on " +
                       detail::links::interface_name(ifindex) + " (ifindex " + std::to_string(ifindex) + ')';
    detail::links::require_type(p, "attach_tcx", what, {prog_type::sched_cls, prog_type::sched_act});
    constexpr std::uint32_t before = 1u << 3, after = 1u << 4; // BPF_F_BEFORE, BPF_F_AFTER
    std::uint32_t flags = 0;
    switch (o.position) {
    case tcx_options::place::first:
    case tcx_options::place::before: flags = before; break;
    case tcx_options::place::after: flags = after; break;
    case tcx_options::place::last: flags = o.relative ? after : 0; break;
    }
    if ((o.position == tcx_options::place::before || o.position == tcx_options::place::after) && !o.relative)
        throw error(EINVAL, "attach_tcx", what, "place::before and place::after need a relative program");
    auto fd = detail::links::create(p, ifindex, in ? attach_type::tcx_ingress : attach_type::tcx_egress, flags, what,
                                    [&](sys::link_create_attr& a) {
                                        if (o.relative) a.extra.tcx.relative_fd = static_cast<std::uint32_t>(o.relative->fd());
                                        a.extra.tcx.expected_revision = o.expected_revision;
                                    });
    return link(std::move(fd), std::move(what));
}

/// Attaches sched_cls program `p` to ingress or egress of the interface `ifname`.
[[nodiscard]] inline link attach_tcx(const prog& p, std::string_view ifname, tc_direction dir,
                                     const tcx_options& o = {}) {
    return attach_tcx(p, detail::links::interface_index(ifname), dir, o);
}

} // namespace bpfxx
