// expect: a map value must be trivially copyable
// A map descriptor that the kernel would refuse (value not trivially copyable) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct value { ~value() {} std::uint64_t v; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::array_map<std::uint32_t, value, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
