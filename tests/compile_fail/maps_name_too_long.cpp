// expect: a map name has at most 15 characters
// A map descriptor that the kernel would refuse (name too long) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.name = "fifteen_chars_x"}>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.name = "sixteen_chars_xy"}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
