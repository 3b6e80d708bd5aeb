#pragma once
// samples/bpf/sock_example.c's program, shared by the tests and benchmarks
// (examples/sock_example.cpp keeps its own copy so that it reads on its own).
// Portable: map descriptors and the assembler only.

#include <bpfxx/asm.hpp>
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

namespace bpfxx_test {

using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256>;

inline constexpr auto sock_example = [] {
    using namespace bpfxx::ops;
    return bpfxx::assemble(mov(r6, r1), ld_abs<std::uint8_t>(14 + 9), stx<std::uint32_t>(r10, -4, r0),
                           mov(r2, r10), add(r2, -4), ld_map<counters>(r1), call(helper::map_lookup_elem),
                           jeq(r0, 0, "out"_label), mov(r1, 1), atomic_add<std::uint64_t>(r0, 0, r1), "out"_label,
                           mov(r0, 0), exit());
}();

} // namespace bpfxx_test
