// expect: map keys and values are at most 4 MiB
// A map descriptor that the kernel would refuse (value too large) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct big { std::uint8_t bytes[(4u << 20) + 1]; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::queue<std::uint64_t, 16>;
#else
using m = bpfxx::queue<big, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
