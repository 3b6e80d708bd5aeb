// expect: map value \(or ring buffer record\) that may be null
// A map lookup may find nothing: its value is usable only through the null check.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace c = bpfxx::c;
using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 4>;

constexpr auto prog = c::compile([](c::xdp_md, c::map<counters> counters) {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    c::if_(counters.lookup(0), [](auto n) { c::atomic_add(*n, 1); });
#else
    auto n = counters.lookup(0);
    c::atomic_add(*n, 1);
#endif
    return bpfxx::xdp::pass;
});

int main() { return prog.size() > 0 ? 0 : 1; }
