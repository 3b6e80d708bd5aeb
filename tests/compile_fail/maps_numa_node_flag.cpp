// expect: choose the NUMA node at run time with create_options::numa_node
// A map descriptor that the kernel would refuse (numa node flag) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::numa_node}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
