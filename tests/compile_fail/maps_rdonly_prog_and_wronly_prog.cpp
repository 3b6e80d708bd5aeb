// expect: rdonly_prog and map_flags::wronly_prog exclude each other
// A map descriptor that the kernel would refuse (rdonly prog and wronly prog) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::wronly_prog}>;
#else
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::rdonly_prog | bpfxx::map_flags::wronly_prog}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
