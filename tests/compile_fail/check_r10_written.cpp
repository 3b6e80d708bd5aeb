// expect: check_failed<bpfxx::check_problem::r10_written, 1, 10, 0>
// expect: bpfxx: static_check rejects this program
// A raw instruction that writes r10 gets past the assembler, but not past
// bpfxx::checked: the error names the problem, the slot (1) and the register.
#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>

using namespace bpfxx::ops;

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto prog = bpfxx::assemble(mov(r1, 1), mov(r9, 1), mov(r0, 0), exit());
#else
constexpr auto prog = bpfxx::assemble(mov(r1, 1), bpfxx::make_insn(bpfxx::code::alu64 | bpfxx::code::mov, 10, 0, 0, 1),
                                      mov(r0, 0), exit());
#endif

static_assert(bpfxx::checked<prog>);

int main() {}
