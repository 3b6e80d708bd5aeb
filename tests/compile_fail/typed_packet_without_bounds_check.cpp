// expect: reading a packet without a bounds check
// A header is readable only after the comparison with data_end the verifier needs.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::xdp_md ctx) {
    auto pkt = ctx.packet();
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    auto eth = pkt.next<c::ethhdr>().or_return(bpfxx::xdp::pass);
#else
    auto eth = pkt.next<c::ethhdr>();
#endif
    c::if_(eth->h_proto == c::hton16(c::eth_p_ipv6), [] { return bpfxx::xdp::drop; });
    return bpfxx::xdp::pass;
});

int main() { return prog.size() > 0 ? 0 : 1; }
