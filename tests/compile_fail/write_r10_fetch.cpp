// expect: bpfxx: r10 is the read-only frame pointer; no instruction may write it
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
// A fetching atomic returns the old value in its source register.
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto i = atomic_add<std::uint64_t>(r1, 0, r10);
#else
constexpr auto i = atomic_fetch_add<std::uint64_t>(r1, 0, r10);
#endif
int main() { return i.dst_reg == 1 ? 0 : 1; }
