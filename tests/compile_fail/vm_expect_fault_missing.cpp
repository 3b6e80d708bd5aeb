// expect: the_run_did_not_fault_as_expected
// expect: bad_access
// expect: got_r0<5>
// vm::expect_fault<run, kind>() on a run that exits normally names the fault
// it expected and the r0 the run returned instead.
#include <bpfxx/asm.hpp>
#include <bpfxx/vm.hpp>

#include <cstdint>

using namespace bpfxx::ops;

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto prog = bpfxx::assemble(mov(r0, 5), ldx<std::uint8_t>(r2, r1, 0), exit()); // the buffer is empty
#else
constexpr auto prog = bpfxx::assemble(mov(r0, 5), exit());
#endif

static_assert(bpfxx::vm::expect_fault<bpfxx::vm::run_on_memory(prog, {}), bpfxx::vm::fault_kind::bad_access>());

int main() {}
