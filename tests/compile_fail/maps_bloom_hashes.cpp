// expect: a bloom filter uses 1 to 15 hash functions
// A map descriptor that the kernel would refuse (bloom hashes) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::bloom_filter<std::uint64_t, 100, 15>;
#else
using m = bpfxx::bloom_filter<std::uint64_t, 100, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
