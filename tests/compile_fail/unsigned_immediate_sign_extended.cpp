// expect: immediate_above_2_31_would_be_sign_extended_use_the_32_bit_form_or_ld_imm64
// A 64-bit mov sign-extends its immediate: 0xffffffffu would set r1 to 2^64 - 1.
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = mov32(r1, 0xffffffffu); // the 32-bit form: r1 = 0xffffffff
constexpr auto j = mov(r1, 0x7fffffffu);
#else
constexpr auto i = mov(r1, 0xffffffffu);
constexpr auto j = mov(r1, 0x7fffffffu);
#endif
int main() { return i.imm == -1 && j.imm == 0x7fffffff ? 0 : 1; }
