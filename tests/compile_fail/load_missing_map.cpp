// expect: the program references a map type \(Map in the compiler.s notes\) that no argument supplies
// A map the program references but `load` is not given is a compile error
// that names the problem (and, in the compiler's notes, the map type).
#include <bpfxx/asm.hpp>
#include <bpfxx/load.hpp>

#include <cstdint>

using namespace bpfxx::ops;

struct counters {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 256;
};
struct totals {
    static constexpr auto type = bpfxx::map_type::hash;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 16;
};

// The smallest map handle: a descriptor and an fd.
template <class M>
struct handle {
    using descriptor = M;
    int fd() const noexcept { return -1; }
};

constexpr auto prog = bpfxx::assemble(
    ld_map<counters>(r1), ld_map<totals>(r2), mov(r0, 0), exit());

[[maybe_unused]] bpfxx::prog load_it() {
    const handle<counters> c;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    const handle<totals> t;
    return bpfxx::load<bpfxx::prog_type::socket_filter>(prog, t, c);
#else
    return bpfxx::load<bpfxx::prog_type::socket_filter>(prog, c);
#endif
}

int main() {}
