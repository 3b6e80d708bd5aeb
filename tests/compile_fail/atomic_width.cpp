// expect: bpfxx: atomic read-modify-write operations exist for 32- and 64-bit words only
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = atomic_add<std::uint32_t>(r1, 0, r2);
#else
constexpr auto i = atomic_add<std::uint16_t>(r1, 0, r2);
#endif
int main() { return i.dst_reg == 1 ? 0 : 1; }
