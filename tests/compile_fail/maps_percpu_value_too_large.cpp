// expect: a per-CPU value is at most 32 KiB
// A map descriptor that the kernel would refuse (percpu value too large) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct big { std::uint8_t bytes[32769]; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::percpu_array<std::uint32_t, std::uint8_t[32768], 16>;
#else
using m = bpfxx::percpu_array<std::uint32_t, big, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
