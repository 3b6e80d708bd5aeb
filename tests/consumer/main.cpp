// A consumer of bpfxx: built against an installed bpfxx (find_package,
// pkg-config, the single header) and against bpfxx added as a subdirectory.
#include <bpfxx/bpfxx.hpp>

#include <cstdint>

using namespace bpfxx::ops;

namespace {
constexpr auto prog = bpfxx::assemble(
    mov(r0, 0),
    jeq(r1, 0, "out"_label),
    mov(r0, 1),
    "out"_label,
    exit());

static_assert(prog.size() == 4);
static_assert(prog[1] == jeq(r1, 0, 1));
} // namespace

int main() { return prog[3] == exit() && prog.bytes().size() == 32 ? 0 : 1; }
