// expect: the inner map of array_of_maps must be a map descriptor
// A map descriptor that the kernel would refuse (inner not descriptor) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::array_of_maps<bpfxx::array_map<std::uint32_t, int, 4>, 4>;
#else
using m = bpfxx::array_of_maps<int, 4>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
