#pragma once
// `attach_tc(prog, interface, direction)`: a sched_cls program on ingress or
// egress, on any kernel. Linux 6.6+ gets a tcx link (attach/tcx.hpp); older
// kernels, or `attach_path::legacy`, get the classic way over netlink: a
// clsact qdisc (made if the interface has none) and a direct-action cls_bpf
// filter. Destroying the link deletes the filter it added, and the qdisc
// too if bpfxx made it and no filter is left on it — nothing else.
//
//     auto in = bpfxx::attach_tc(counter, "eth0", bpfxx::tc_direction::ingress);
//     auto eg = bpfxx::attach_tc(counter, "eth0", bpfxx::tc_direction::egress,
//                                {.path = bpfxx::attach_path::legacy, .priority = 5});

#include <bpfxx/attach/interface.hpp>
#include <bpfxx/attach/link.hpp>
#include <bpfxx/attach/tcx.hpp>
#include <bpfxx/attach/xdp.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/mutex.hpp>
#include <bpfxx/sys/netlink.hpp>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx {

struct tc_options {
    attach_path path = attach_path::automatic;
    /// Classic filters: the filter's priority (lower runs first); 0 picks
    /// the first free one from 1 up.
    std::uint16_t priority = 0;
};

namespace detail::tc {

[[nodiscard]] inline std::uint32_t parent_of(tc_direction d) noexcept {
    return TC_H_MAKE(TC_H_CLSACT, d == tc_direction::ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
}

[[nodiscard]] inline tcmsg message(unsigned ifindex, std::uint32_t parent, std::uint32_t handle,
                                   std::uint32_t info) noexcept {
    tcmsg t{};
    t.tcm_family = AF_UNSPEC;
    t.tcm_ifindex = static_cast<int>(ifindex);
    t.tcm_parent = parent;
    t.tcm_handle = handle;
    t.tcm_info = info;
    return t;
}

/// Interfaces on which this process made the clsact qdisc (so may remove it).
struct made_qdiscs {
    sys::mutex lock;
    std::vector<unsigned> ifindexes;
    [[nodiscard]] bool has(unsigned i) const noexcept {
        for (const auto x : ifindexes)
            if (x == i) return true;
        return false;
    }
};
[[nodiscard]] inline made_qdiscs& made() {
    static made_qdiscs m;
    return m;
}

/// Makes the clsact qdisc unless the interface has one.
inline void ensure_clsact(unsigned ifindex, const std::string& what) {
    sys::netlink::request req(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
    req.put(message(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
    req.attr(TCA_KIND, "clsact");
    const auto r = sys::netlink::transact(req);
    if (r.error == EEXIST) return;
    if (r.error != 0) throw error(r.error, "RTM_NEWQDISC(clsact)", what, r.message);
    auto& m = made();
    const sys::lock g(m.lock);
    if (!m.has(ifindex)) m.ifindexes.push_back(ifindex);
}

/// How many filters hang on the clsact qdisc of `ifindex` (both directions).
[[nodiscard]] inline std::size_t filters_left(unsigned ifindex) {
    std::size_t n = 0;
    for (const auto dir : {tc_direction::ingress, tc_direction::egress}) {
        auto req = sys::netlink::request::dump(RTM_GETTFILTER);
        req.put(message(ifindex, parent_of(dir), 0, 0));
        const auto r = sys::netlink::transact(req);
        if (r.error != 0) return 1; // cannot tell: keep the qdisc
        n += r.messages;
    }
    return n;
}

/// Deletes the clsact qdisc of `ifindex` if this process made it and no
/// filter is left on it.
inline void drop_qdisc_if_unused(unsigned ifindex) noexcept {
    try {
        auto& m = made();
        const sys::lock g(m.lock);
        if (!m.has(ifindex) || filters_left(ifindex) != 0) return;
        sys::netlink::request q(RTM_DELQDISC, 0);
        q.put(message(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
        (void)sys::netlink::transact(q);
        for (auto& x : m.ifindexes)
            if (x == ifindex) x = m.ifindexes.back(); // (the order does not matter)
        m.ifindexes.pop_back();
    } catch (...) {
        // called from destructors: the interface may be gone already
    }
}

/// Deletes the filter, then the qdisc if it was ours and is now empty.
inline void remove(unsigned ifindex, std::uint32_t parent, std::uint32_t handle, std::uint32_t info) noexcept {
    try {
        sys::netlink::request del(RTM_DELTFILTER, 0);
        del.put(message(ifindex, parent, handle, info));
        del.attr(TCA_KIND, "bpf");
        (void)sys::netlink::transact(del);
    } catch (...) {
    }
    drop_qdisc_if_unused(ifindex);
}

[[nodiscard]] inline link attach_classic(const prog& p, unsigned ifindex, tc_direction dir, const tc_options& o) {
    const bool in = dir == tc_direction::ingress;
    std::string what = std::string("tc ") + (in ? "ingress" : "egress") + " on " + links::interface_name(ifindex) +
                       " (ifindex " + std::to_string(ifindex);
    ensure_clsact(ifindex, what + ')');
    const std::uint32_t parent = parent_of(dir);
    constexpr std::uint32_t handle = 1; // one filter per priority: its handle is always 1
    const std::uint16_t first = o.priority ? o.priority : 1, last = o.priority ? o.priority : 0x7fff;
    for (std::uint32_t prio = first; prio <= last; ++prio) {
        const std::uint32_t info = TC_H_MAKE(prio << 16, htons(ETH_P_ALL));
        sys::netlink::request req(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
        req.put(message(ifindex, parent, handle, info));
        req.attr(TCA_KIND, "bpf");
        const auto opts = req.begin_nested(TCA_OPTIONS);
        req.attr(TCA_BPF_FD, static_cast<std::uint32_t>(p.fd()));
        req.attr(TCA_BPF_NAME, p.name().empty() ? "bpfxx" : p.name().c_str());
        req.attr(TCA_BPF_FLAGS, std::uint32_t{TCA_BPF_FLAG_ACT_DIRECT});
        req.end_nested(opts);
        const auto r = sys::netlink::transact(req);
        if (r.error == EEXIST && !o.priority) continue;
        if (r.error != 0) {
            drop_qdisc_if_unused(ifindex);
            throw error(r.error, "RTM_NEWTFILTER(bpf)", what + ')', r.message);
        }
        what += ", cls_bpf priority " + std::to_string(prio) + ')';
        return link([ifindex, parent, info] { remove(ifindex, parent, handle, info); }, std::move(what));
    }
    throw error(EEXIST, "RTM_NEWTFILTER(bpf)", what + ')', "every filter priority is taken");
}

} // namespace detail::tc

/// Attaches sched_cls program `p` to ingress or egress of `ifindex`.
[[nodiscard]] inline link attach_tc(const prog& p, unsigned ifindex, tc_direction dir, const tc_options& o = {}) {
    detail::links::require_type(p, "attach_tc", detail::links::interface_name(ifindex),
                                {prog_type::sched_cls, prog_type::sched_act});
    return detail::links::link_or_legacy(
        o.path, probe::feature::link_tcx, // Linux 6.6+
        [&] { return attach_tcx(p, ifindex, dir); }, [&] { return detail::tc::attach_classic(p, ifindex, dir, o); });
}

/// Attaches sched_cls program `p` to ingress or egress of the interface `ifname`.
[[nodiscard]] inline link attach_tc(const prog& p, std::string_view ifname, tc_direction dir,
                                    const tc_options& o = {}) {
    return attach_tc(p, detail::links::interface_index(ifname), dir, o);
}

} // namespace bpfxx
