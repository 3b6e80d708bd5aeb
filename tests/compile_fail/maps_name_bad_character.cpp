// expect: map_name_may_only_contain_letters_digits_underscores_and_dots
// A map descriptor that the kernel would refuse (name bad character) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.name = "my.map_1"}>;
#else
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.name = "my-map"}>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
