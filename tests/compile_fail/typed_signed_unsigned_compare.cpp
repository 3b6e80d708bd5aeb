// expect: comparing a signed with an unsigned value
// C converts the signed side silently; the typed layer asks which comparison is meant.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
    c::val a = ctx.arg<0, std::int64_t>();
    c::val b = ctx.arg<1, std::uint64_t>();
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    return c::select(a < c::cast<std::int64_t>(b), 1, 0);
#else
    return c::select(a < b, 1, 0);
#endif
});

int main() { return prog.size() > 0 ? 0 : 1; }
