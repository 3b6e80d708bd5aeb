// expect: a cpumap value is 4 bytes
// A map descriptor that the kernel would refuse (cpumap value size) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::cpumap<4, bpfxx::cpumap_value>;
#else
using m = bpfxx::cpumap<4, std::uint64_t[2]>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
