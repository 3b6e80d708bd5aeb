// expect: lpm_trie requires map_flags::no_prealloc in its map_options
// A map descriptor that the kernel would refuse (lpm without no prealloc) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct v4 { std::uint32_t prefixlen; std::uint8_t addr[4]; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lpm_trie<v4, std::uint32_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_prealloc, .name = "routes"}>;
#else
using m = bpfxx::lpm_trie<v4, std::uint32_t, 16, bpfxx::map_options{.name = "routes"}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
