// expect: helper argument of the wrong kind
// bpf_get_current_comm writes into memory: a scalar is not a place to write.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
    c::local<char[16]> comm{ctx};
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    ctx.call<bpfxx::helper::get_current_comm>(comm, 16);
#else
    ctx.call<bpfxx::helper::get_current_comm>(ctx.arg<0>(), 16);
#endif
});

int main() { return prog.size() > 0 ? 0 : 1; }
