// expect: a bloom filter value must have no padding bytes
// A map descriptor that the kernel would refuse (bloom value padding) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct padded { std::uint8_t a; std::uint64_t b; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::bloom_filter<std::uint64_t, 100>;
#else
using m = bpfxx::bloom_filter<padded, 100>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
