// expect: the_run_faulted
// expect: bad_access
// expect: at_pc<2>
// expect: got_r0<0>
// vm::expect<run, want>() on a run that faulted names the fault and its pc,
// even when the faulting run's r0 happens to equal what was expected.
#include <bpfxx/asm.hpp>
#include <bpfxx/vm.hpp>

#include <array>
#include <cstdint>

using namespace bpfxx::ops;

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr std::int16_t offset = 0;
#else
constexpr std::int16_t offset = 4096; // past the 4-byte buffer
#endif

// pc 0: r0 = 0, pc 1: r2 = 0 (keeps pc 2 a load), pc 2: the load
constexpr auto prog = bpfxx::assemble(mov(r0, 0), mov(r2, 0), ldx<std::uint8_t>(r2, r1, offset), exit());

static_assert(bpfxx::vm::expect<bpfxx::vm::run_on_memory(prog, std::array<std::uint8_t, 4>{}), 0>());

int main() {}
