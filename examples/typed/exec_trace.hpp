#pragma once
// exec_trace as typed programs: every exec with its parent and file name,
// through a ring buffer; the parent comes from sched_process_fork, which
// keeps child -> parent. The tracepoint records are laid out as the running
// kernel's tracefs format says (the example checks it at start).
// Twin: examples/c/exec_trace.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::exec_trace {
namespace c = bpfxx::c;

struct fork_record { // sched/sched_process_fork
    std::uint64_t common;
    std::uint32_t parent_comm;
    std::int32_t parent_pid;
    std::uint32_t child_comm;
    std::int32_t child_pid;
};
struct exec_record { // sched/sched_process_exec
    std::uint64_t common;
    std::uint32_t filename; // __data_loc: length << 16 | offset
    std::int32_t pid;
    std::int32_t old_pid;
};
struct exec_event {
    std::uint32_t pid;
    std::uint32_t ppid;
    char comm[16];
    char filename[64];
};
using events = bpfxx::ringbuf<1u << 18>;
using parents = bpfxx::lru_hash_map<std::uint32_t, std::uint32_t, 16384>;

constexpr auto on_fork = c::compile([](c::tracepoint<fork_record> ctx, c::map<parents> parents) {
    parents.update(ctx[&fork_record::child_pid], ctx[&fork_record::parent_pid]);
});

constexpr auto on_exec = c::compile([](c::tracepoint<exec_record> ctx, c::map<events> events, c::map<parents> parents) {
    auto e = events.reserve<exec_event>().or_return(0);
    c::val pid = ctx[&exec_record::pid];
    e[&exec_event::pid] = pid;
    e[&exec_event::ppid] = parents.lookup(pid).value_or(0);
    ctx.get_current_comm(e[&exec_event::comm]);
    ctx.probe_read_kernel_str(e[&exec_event::filename], ctx.data_loc(&exec_record::filename));
    e.submit();
});

} // namespace examples::exec_trace
