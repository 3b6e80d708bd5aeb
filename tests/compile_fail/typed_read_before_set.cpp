// expect: variable_read_before_set
// x is set on one path only; reading it after the paths join does not compile.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
    c::u64 x{ctx};
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    c::if_(ctx.arg<0>() > 10, [&] { x = 1; }).else_([&] { x = 2; });
#else
    c::if_(ctx.arg<0>() > 10, [&] { x = 1; });
#endif
    return x;
});

int main() { return prog.size() > 0 ? 0 : 1; }
