// expect: immediate_does_not_fit_in_32_bits
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = mov32(r1, 0xffffffffll);
#else
constexpr auto i = mov32(r1, 0x100000000ll);
#endif
int main() { return i.imm == -1 ? 0 : 1; }
