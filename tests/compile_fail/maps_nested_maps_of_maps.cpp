// expect: maps of maps do not nest
// A map descriptor that the kernel would refuse (nested maps of maps) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_of_maps<std::uint32_t, bpfxx::array_map<std::uint32_t, int, 4>, 4>;
#else
using m = bpfxx::hash_of_maps<std::uint32_t, bpfxx::array_of_maps<bpfxx::array_map<std::uint32_t, int, 4>, 4>, 4>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
