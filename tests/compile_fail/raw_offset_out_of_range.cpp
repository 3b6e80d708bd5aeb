// expect: offset_does_not_fit_in_16_bits_use_gotol_for_long_jumps
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = jeq(r1, 0, 32767);
#else
constexpr auto i = jeq(r1, 0, 32768);
#endif
int main() { return i.off == 32767 ? 0 : 1; }
