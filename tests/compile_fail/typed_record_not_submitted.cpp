// expect: ring_buffer_record_neither_submitted_nor_discarded
// A reserved record must be submitted or discarded on every path (the kernel refuses the program otherwise).
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace c = bpfxx::c;

using events = bpfxx::ringbuf<4096>;

constexpr auto prog = c::compile([](c::pt_regs ctx, c::map<events> events) {
    auto e = events.reserve<std::uint64_t>().or_return(0);
    *e = ctx.ktime_get_ns();
    c::if_(ctx.arg<0>() == 0, [&] { e.discard(); return 0; });
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    e.submit();
#endif
    return 0;
});

int main() { return prog.size() > 0 ? 0 : 1; }
