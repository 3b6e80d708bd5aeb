#pragma once
// uprobe_count as typed programs: calls of a function (uprobe) and the time
// spent inside it (uretprobe), the entry time kept per thread.
// Twin: examples/c/uprobe_count.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::uprobe_count {
namespace c = bpfxx::c;

using calls = bpfxx::array_map<std::uint32_t, std::uint64_t, 2>;     // [0] calls, [1] ns inside
using started = bpfxx::hash_map<std::uint64_t, std::uint64_t, 1024>; // pid_tgid -> entry time

constexpr auto on_entry = c::compile([](c::pt_regs ctx, c::map<calls> calls, c::map<started> started) {
    c::val id = ctx.get_current_pid_tgid();
    started.update(id, ctx.ktime_get_ns());
    c::if_(calls.lookup(0), [](auto n) { c::atomic_add(*n, 1); });
});

constexpr auto on_return = c::compile([](c::pt_regs ctx, c::map<calls> calls, c::map<started> started) {
    auto start = started.lookup(ctx.get_current_pid_tgid()).or_return(0);
    c::val inside = ctx.ktime_get_ns() - *start;
    c::if_(calls.lookup(1), [&](auto ns) { c::atomic_add(*ns, inside); });
});

} // namespace examples::uprobe_count
