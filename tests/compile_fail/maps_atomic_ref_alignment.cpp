// expect: atomic_ref\(i\) needs a value type that std::atomic_ref accepts at 8-byte alignment
// Array elements are 8-byte aligned in the mapping: no atomic_ref for
// values that need more.
#include <bpfxx/maps.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
struct pair64 {
    std::uint32_t a, b;
};
#else
struct alignas(16) pair64 {
    std::uint64_t a, b;
};
#endif
using m = bpfxx::array_map<std::uint32_t, pair64, 16, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;

int main() {
    auto values = m::create();
    return values.atomic_ref(0).load().a == 0 ? 0 : 1;
}
