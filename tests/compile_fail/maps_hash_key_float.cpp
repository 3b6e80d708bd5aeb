// expect: a hashed key must not be floating-point
// A map descriptor that the kernel would refuse (hash key float) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lru_hash_map<std::uint64_t, double, 16>;
#else
using m = bpfxx::lru_hash_map<double, std::uint64_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
