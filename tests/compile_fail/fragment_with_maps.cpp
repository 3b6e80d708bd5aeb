// expect: bpfxx: a program used as a fragment of another may not reference maps
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
struct m {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4, value_size = 8, max_entries = 1;
};
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto part = bpfxx::assemble(mov(r1, 0));
#else
constexpr auto part = bpfxx::assemble(ld_map<m>(r1));
#endif
constexpr auto p = bpfxx::assemble(part, exit());
int main() { return p.size() > 1 ? 0 : 1; }
