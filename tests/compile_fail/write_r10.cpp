// expect: r10 is the read-only frame pointer
// Writing the frame pointer is a compile error that names the problem.
#include <bpfxx/asm.hpp>

using namespace bpfxx::ops;

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto prog = bpfxx::assemble(mov(r9, 1), mov(r0, 0), exit());
#else
constexpr auto prog = bpfxx::assemble(mov(r10, 1), mov(r0, 0), exit());
#endif

static_assert(prog.size() == 3);

int main() {}
