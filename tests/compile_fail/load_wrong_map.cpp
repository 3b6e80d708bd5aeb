// expect: an argument is a map the program does not reference.*a map of the wrong type
// Giving `load` a map of another type than the program references is a
// compile error that names the problem.
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
// The same shape, but another map: types, not layouts, identify maps.
struct other_counters {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 256;
};

template <class M>
struct handle {
    using descriptor = M;
    int fd() const noexcept { return -1; }
};

constexpr auto prog = bpfxx::assemble(ld_map<counters>(r1), mov(r0, 0), exit());

[[maybe_unused]] bpfxx::prog load_it() {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    const handle<counters> m;
#else
    const handle<other_counters> m;
#endif
    return bpfxx::load<bpfxx::prog_type::socket_filter>(prog, m);
}

int main() {}
