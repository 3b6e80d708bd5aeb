// expect: not a character type
// A char16_t is an integral type, but not a jump offset (libstdc++'s std::cmp_less refused it
// with an assertion about its own requirements).
#include <bpfxx/asm.hpp>
#include <cstdint>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto j = ja(std::int16_t{3});
#else
constexpr auto j = ja(char16_t{3});
#endif
int main() { return j.off == 3 ? 0 : 1; }
