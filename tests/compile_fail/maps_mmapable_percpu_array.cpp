// expect: mmapable is only valid for array_map
// A map descriptor that the kernel would refuse (mmapable percpu array) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::percpu_array<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::percpu_array<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
