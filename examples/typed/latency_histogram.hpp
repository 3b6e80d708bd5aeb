#pragma once
// latency_histogram as typed programs: the time each call of a function
// takes, counted in log2 buckets (uprobe + uretprobe).
// Twin: examples/c/latency_histogram.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::latency_histogram {
namespace c = bpfxx::c;

using started = bpfxx::hash_map<std::uint64_t, std::uint64_t, 1024>; // pid_tgid -> entry time
using histogram = bpfxx::array_map<std::uint32_t, std::uint64_t, 64>; // [k]: calls of 2^k to 2^(k+1) - 1 ns

constexpr auto on_entry = c::compile([](c::pt_regs ctx, c::map<started> started) {
    c::val id = ctx.get_current_pid_tgid();
    started.update(id, ctx.ktime_get_ns());
});

constexpr auto on_return = c::compile([](c::pt_regs ctx, c::map<started> started, c::map<histogram> histogram) {
    c::val id = ctx.get_current_pid_tgid();
    auto start = started.lookup(id).or_return(0);
    c::u64 delta = ctx.ktime_get_ns() - *start;
    started.erase(id);
    c::u32 slot{ctx, 0};
    for (unsigned bit = 32; bit > 0; bit /= 2) // unrolled: the C++ loop runs while the program is built
        c::if_(delta >> bit, [&] { delta >>= bit; slot += bit; });
    c::if_(histogram.lookup(slot), [](auto count) { c::atomic_add(*count, 1); });
});

} // namespace examples::latency_histogram
