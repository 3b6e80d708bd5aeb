// expect: array_map keys must be a 32-bit integer type
// A map descriptor that the kernel would refuse (array key not u32) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::array_map<std::int32_t, std::uint64_t, 16>;
#else
using m = bpfxx::array_map<std::uint64_t, std::uint64_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
