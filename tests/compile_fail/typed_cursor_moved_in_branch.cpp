// expect: packet_cursor_moved_in_a_branch_that_closed
// The VLAN header was passed on one path only: after the branch the cursor's position is not known.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::xdp_md ctx) {
    auto pkt = ctx.packet();
    auto eth = pkt.next<c::ethhdr>().or_return(bpfxx::xdp::pass);
    c::if_(eth->h_proto == c::hton16(c::eth_p_8021q), [&] {
        auto vlan = pkt.next<c::vlan_hdr>().or_return(bpfxx::xdp::pass);
#ifdef BPFXX_COMPILE_FAIL_CONTROL
        auto ip = pkt.next<c::iphdr>().or_return(bpfxx::xdp::pass);
        c::if_(ip->protocol == c::ipproto_udp, [] { return bpfxx::xdp::drop; });
#endif
        c::if_(vlan->h_vlan_TCI == c::hton16(7), [] { return bpfxx::xdp::drop; });
    });
#ifndef BPFXX_COMPILE_FAIL_CONTROL
    auto ip = pkt.next<c::iphdr>().or_return(bpfxx::xdp::pass);
    c::if_(ip->protocol == c::ipproto_udp, [] { return bpfxx::xdp::drop; });
#endif
    return bpfxx::xdp::pass;
});

int main() { return prog.size() > 0 ? 0 : 1; }
