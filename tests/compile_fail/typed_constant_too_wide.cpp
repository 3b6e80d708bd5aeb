// expect: constant_does_not_fit_in_destination
// 300 is not a value of std::uint8_t.
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    c::u8 x{ctx, 200};
#else
    c::u8 x{ctx, 300};
#endif
    return x;
});

int main() { return prog.size() > 0 ? 0 : 1; }
