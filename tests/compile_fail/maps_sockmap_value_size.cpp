// expect: a sockmap value is 4 bytes
// A map descriptor that the kernel would refuse (sockmap value size) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::sockmap<4, std::uint64_t>;
#else
using m = bpfxx::sockmap<4, std::uint16_t>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
