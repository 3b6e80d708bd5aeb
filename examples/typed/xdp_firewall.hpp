#pragma once
// xdp_firewall as a typed program: drops IPv4 packets from blocked source
// addresses (a hash map user space fills) and counts passes and drops per
// source (per-CPU values). Twin: examples/c/xdp_firewall.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::xdp_firewall {
namespace c = bpfxx::c;
using bpfxx::xdp::pass;

struct verdicts {
    std::uint64_t passed;
    std::uint64_t dropped;
};
using blocked = bpfxx::hash_map<std::uint32_t, std::uint8_t, 1024>;    // source address (network order)
using per_source = bpfxx::percpu_hash<std::uint32_t, verdicts, 1024>; // source address -> verdicts

constexpr auto program = c::compile([](c::xdp_md ctx, c::map<blocked> blocked, c::map<per_source> per_source) {
    auto pkt = ctx.packet();
    auto [eth, ip] = pkt.next<c::ethhdr, c::iphdr>().or_return(pass);
    c::if_(eth->h_proto != c::hton16(c::eth_p_ip), [] { return pass; });
    c::val src = ip->saddr;
    auto drop = blocked.contains(src);
    c::if_(per_source.lookup_or_init(src, c::zeroed), [&](auto v) {
        c::if_(drop, [&] { v[&verdicts::dropped] += 1; }).else_([&] { v[&verdicts::passed] += 1; });
    });
    return c::select(drop, bpfxx::xdp::drop, pass);
});

} // namespace examples::xdp_firewall
