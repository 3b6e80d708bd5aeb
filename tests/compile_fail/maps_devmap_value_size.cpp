// expect: a devmap value is 4 bytes
// A map descriptor that the kernel would refuse (devmap value size) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::devmap_hash<4, bpfxx::devmap_value>;
#else
using m = bpfxx::devmap_hash<4, std::uint16_t>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
