// expect: a hashed key must have no padding bytes
// A map descriptor that the kernel would refuse (hash key padding) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct padded { std::uint8_t proto; std::uint32_t addr; };
struct explicit_pad { std::uint8_t proto; std::uint8_t pad[3]; std::uint32_t addr; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<explicit_pad, std::uint64_t, 16>;
#else
using m = bpfxx::hash_map<padded, std::uint64_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
