// The amalgamated header on its own: this file is compiled with
// -I single_include only, so <bpfxx/bpfxx.hpp> is single_include/bpfxx/bpfxx.hpp.
// The program is the README's.
#include <bpfxx/bpfxx.hpp>

using namespace bpfxx::ops;

struct counters {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4, value_size = 8, max_entries = 256;
};

constexpr auto prog = bpfxx::assemble(
    mov(r6, r1),
    ld_abs<std::uint8_t>(14 + 9),
    stx<std::uint32_t>(r10, -4, r0),
    mov(r2, r10),
    add(r2, -4),
    ld_map<counters>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),
    mov(r1, 1),
    atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label,
    mov(r0, 0),
    exit());

static_assert(prog.size() == 13);
static_assert(prog[8] == jeq(r0, 0, 2));

int main() {
    // The same facts at run time, plus the kernel's byte layout.
    const auto bytes = prog.bytes();
    if (prog.size() != 13 || bytes.size() != 13 * 8) return 1;
    if (!(prog[8] == jeq(r0, 0, 2))) return 2;
    if (!(prog[12] == exit())) return 3;
    if (prog.label_at(11) != "out") return 4;
    return 0;
}
