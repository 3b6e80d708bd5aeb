// expect: check_failed<bpfxx::check_problem::back_edge, 2, -1, 1>
// expect: bpfxx: static_check rejects this program
// A loop fails the default checks, naming the jump (slot 2) and its target
// (slot 1); check_options::allow_back_edges lets it pass.
#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>

using namespace bpfxx::ops;

constexpr auto countdown =
    bpfxx::assemble(mov(r2, 10), "loop"_label, sub(r2, 1), jne(r2, 0, "loop"_label), mov(r0, 0), exit());

#ifdef BPFXX_COMPILE_FAIL_CONTROL
static_assert(bpfxx::checked<countdown, bpfxx::check_options{.allow_back_edges = true}>);
#else
static_assert(bpfxx::checked<countdown>);
#endif

int main() {}
