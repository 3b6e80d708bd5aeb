// expect: comparing a big-endian value with a host one
// h_proto is in network order: compare it with c::hton16(0x0800), not 0x0800.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::xdp_md ctx) {
    auto pkt = ctx.packet();
    auto eth = pkt.next<c::ethhdr>().or_return(bpfxx::xdp::pass);
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    c::if_(eth->h_proto == c::hton16(0x0800), [] { return bpfxx::xdp::drop; });
#else
    c::if_(eth->h_proto == 0x0800, [] { return bpfxx::xdp::drop; });
#endif
    return bpfxx::xdp::pass;
});

int main() { return prog.size() > 0 ? 0 : 1; }
