// expect: LRU hash maps always preallocate
// A map descriptor that the kernel would refuse (lru no prealloc) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lru_hash_map<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::lru_hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_prealloc}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
