// expect: span\(\) needs a value size that is a multiple of 8
// The kernel places array elements 8 bytes apart, so a span over an
// mmapable array of 4-byte values would misread them: a compile error.
#include <bpfxx/maps.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::array_map<std::uint32_t, std::uint64_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
#else
using m = bpfxx::array_map<std::uint32_t, std::uint32_t, 16, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
#endif

int main() {
    auto values = m::create().span();
    return values.empty() ? 0 : 1;
}
