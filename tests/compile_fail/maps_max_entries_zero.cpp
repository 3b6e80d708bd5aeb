// expect: max_entries must be at least 1
// A map descriptor that the kernel would refuse (max entries zero) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 1>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 0>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
