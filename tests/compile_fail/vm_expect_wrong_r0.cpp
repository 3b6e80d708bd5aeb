// expect: the_run_returned_another_r0
// expect: expected_r0<7>
// expect: got_r0<42>
// vm::expect<run, want>() fails at compile time naming what the run returned.
#include <bpfxx/asm.hpp>
#include <bpfxx/vm.hpp>

#include <cstdint>

using namespace bpfxx::ops;

constexpr auto prog = bpfxx::assemble(mov(r0, 42), exit());

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr std::uint64_t want = 42;
#else
constexpr std::uint64_t want = 7;
#endif

static_assert(bpfxx::vm::expect<bpfxx::vm::run_on_memory(prog, {}), want>());

int main() {}
