// expect: bpfxx: r10 is the read-only frame pointer; no instruction may write it
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = ldx<std::uint64_t>(r9, r10, -8);
#else
constexpr auto i = ldx<std::uint64_t>(fp, r10, -8);
#endif
int main() { return i.src_reg == 10 ? 0 : 1; }
