// expect: not a context the machine knows \(see vm/contexts.hpp\)
// machine::run<C> runs programs on the contexts listed in vm/contexts.hpp only.
#include <bpfxx/asm.hpp>
#include <bpfxx/vm.hpp>

#include <array>
#include <cstdint>
#include <span>

using namespace bpfxx::ops;

struct my_context : bpfxx::vm::contexts::memory {};

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using context = bpfxx::vm::contexts::memory;
#else
using context = my_context;
#endif

constexpr auto prog = bpfxx::assemble(mov(r0, 1), exit());

int main() {
    bpfxx::vm::machine_for<decltype(prog)> m;
    const std::array<std::uint8_t, 4> mem{};
    return static_cast<int>(m.run<context>(prog, std::span<const std::uint8_t>(mem)).r0) - 1;
}
