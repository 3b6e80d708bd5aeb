// expect: no_prealloc is only valid for hash_map, percpu_hash, hash_of_maps and lpm_trie
// A map descriptor that the kernel would refuse (no prealloc array) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_prealloc}>;
#else
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::no_prealloc}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
