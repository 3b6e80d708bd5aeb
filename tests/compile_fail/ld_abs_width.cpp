// expect: bpfxx: ld_abs loads 1, 2 or 4 bytes
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = ld_abs<std::uint32_t>(12);
#else
constexpr auto i = ld_abs<std::uint64_t>(12);
#endif
int main() { return i.imm == 12 ? 0 : 1; }
