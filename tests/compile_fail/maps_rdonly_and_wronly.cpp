// expect: rdonly and map_flags::wronly exclude each other
// A map descriptor that the kernel would refuse (rdonly and wronly) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::rdonly}>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::rdonly | bpfxx::map_flags::wronly}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
