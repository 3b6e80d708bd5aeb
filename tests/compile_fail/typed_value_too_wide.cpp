// expect: wider than its destination
// A 64-bit value does not fit a 32-bit field: narrow it explicitly.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace c = bpfxx::c;

struct event {
    std::uint32_t pid;
    std::uint32_t tgid;
};
using events = bpfxx::ringbuf<4096>;

constexpr auto prog = c::compile([](c::pt_regs ctx, c::map<events> events) {
    auto e = events.reserve<event>().or_return(0);
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    e[&event::pid] = c::cast<std::uint32_t>(ctx.get_current_pid_tgid());
#else
    e[&event::pid] = ctx.get_current_pid_tgid();
#endif
    e.submit();
});

int main() { return prog.size() > 0 ? 0 : 1; }
