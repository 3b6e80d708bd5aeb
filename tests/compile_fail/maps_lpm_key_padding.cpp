// expect: an lpm_trie key must have no padding bytes
// A map descriptor that the kernel would refuse (lpm key padding) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct v4 { std::uint32_t prefixlen; std::uint8_t addr[4]; };
struct bad { std::uint32_t prefixlen; std::uint8_t a; std::uint16_t b; std::uint8_t c; std::uint32_t d; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lpm_trie<v4, std::uint32_t, 16>;
#else
using m = bpfxx::lpm_trie<bad, std::uint32_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
