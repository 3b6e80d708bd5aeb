// expect: a flag in map_options is not valid for this map type
// A map descriptor that the kernel would refuse (flag not for type) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::perf_event_array<0, bpfxx::map_options{.flags = bpfxx::map_flags::preserve_elems}>;
#else
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::preserve_elems}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
