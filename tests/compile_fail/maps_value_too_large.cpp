// expect: map keys and values are at most 4 MiB
// A map value one byte over 4 MiB does not compile; the control's value is
// exactly 4 MiB, the largest a descriptor accepts.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
struct big { std::uint8_t bytes[4u << 20]; };
#else
struct big { std::uint8_t bytes[(4u << 20) + 1]; };
#endif
using m = bpfxx::queue<big, 16>;

static_assert(bpfxx::map_descriptor<m>);

int main() {}
