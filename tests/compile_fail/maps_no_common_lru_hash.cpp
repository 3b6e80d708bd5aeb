// expect: no_common_lru is only valid for lru_hash_map and lru_percpu_hash
// A map descriptor that the kernel would refuse (no common lru hash) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::lru_percpu_hash<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_common_lru}>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_common_lru}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
