// expect: a map key must be trivially copyable
// A map descriptor that the kernel would refuse (key not trivially copyable) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct key { key() = default; key(const key&) {} std::uint32_t v; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::hash_map<key, std::uint64_t, 16>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
