// expect: erasable_map
// Array elements always exist (the kernel refuses to delete them): map<M>
// of an array has no erase().
#include <bpfxx/maps.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16>;
#else
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16>;
#endif

int main() {
    auto counters = m::create();
    return counters.erase(1) ? 0 : 1;
}
