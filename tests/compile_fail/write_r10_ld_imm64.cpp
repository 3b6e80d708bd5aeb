// expect: bpfxx: r10 is the read-only frame pointer; no instruction may write it
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = ld_imm64(r1, 1);
#else
constexpr auto i = ld_imm64(r10, 1);
#endif
int main() { return i.lo.imm == 1 ? 0 : 1; }
