// expect: helper argument of the wrong kind
// The same mistake through the typed wrapper, which takes the size from the memory.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    c::local<char[16]> comm{ctx};
    ctx.get_current_comm(comm);
#else
    ctx.get_current_comm(ctx.arg<0>());
#endif
});

int main() { return prog.size() > 0 ? 0 : 1; }
