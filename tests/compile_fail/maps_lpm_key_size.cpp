// expect: an lpm_trie key is a 32-bit prefixlen followed by 1 to 256 bytes of data
// A map descriptor that the kernel would refuse (lpm key size) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct v4 { std::uint32_t prefixlen; std::uint8_t addr[4]; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lpm_trie<v4, std::uint32_t, 16>;
#else
using m = bpfxx::lpm_trie<std::uint32_t, std::uint32_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
