#pragma once
// tc_counter as a typed program: counts packets and bytes, and IPv4 UDP
// datagrams to port 7000 (after IP options). Twin: examples/c/tc_counter.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::tc_counter {
namespace c = bpfxx::c;
using bpfxx::tc_act::unspec; // what comes next decides

struct traffic {
    std::uint64_t packets;
    std::uint64_t bytes;
    std::uint64_t udp_7000;
};
using counters = bpfxx::array_map<std::uint32_t, traffic, 1>;

constexpr auto program = c::compile([](c::tc_skb skb, c::map<counters> counters) {
    auto t = counters.lookup(0).or_return(unspec);
    c::atomic_add(t[&traffic::packets], 1);
    c::atomic_add(t[&traffic::bytes], skb->len);
    auto pkt = skb.packet();
    auto [eth, ip] = pkt.next<c::ethhdr, c::iphdr>().or_return(unspec);
    c::if_(eth->h_proto != c::hton16(c::eth_p_ip) || ip->protocol != c::ipproto_udp, [] { return unspec; });
    auto udp = pkt.next<c::udphdr>().or_return(unspec); // at ip + ip->ihl * 4
    c::if_(udp->dest == c::hton16(7000), [&] { c::atomic_add(t[&traffic::udp_7000], 1); });
    return unspec;
});

} // namespace examples::tc_counter
