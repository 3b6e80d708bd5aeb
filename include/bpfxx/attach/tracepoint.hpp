#pragma once
// Tracepoints, in two flavours:
// - `attach_tracepoint(prog, "sched/sched_process_exec")`: a tracepoint
//   program on a perf tracepoint event; the program's context is the
//   event's record as tracefs' `format` file describes it.
// - `attach_raw_tracepoint(prog, "sched_process_exec")`: a raw_tracepoint
//   program gets the tracepoint's arguments (u64 each), with no record built.

#include <bpfxx/attach/link.hpp>
#include <bpfxx/attach/perf_event.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <linux/perf_event.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx {

/// The id of tracepoint "category/name" in tracefs (mounting it if needed).
[[nodiscard]] inline std::uint32_t tracepoint_id(std::string_view tracepoint) {
    const std::string tp(tracepoint);
    if (tp.find('/') == std::string::npos || tp.find("..") != std::string::npos)
        throw error(EINVAL, "tracepoint_id", tp, "a tracepoint is named \"category/name\"");
    const std::string path = sys::tracefs() + "/events/" + tp + "/id";
    const auto line = sys::read_line(path);
    if (!line) {
        const int err = errno == 0 ? ENOENT : errno;
        throw error(err, "tracepoint_id", tp, "cannot read " + path + " (no such tracepoint in this kernel?)");
    }
    return static_cast<std::uint32_t>(std::stoul(*line));
}

/// Attaches tracepoint program `p` to the tracepoint "category/name".
[[nodiscard]] inline link attach_tracepoint(const prog& p, std::string_view tracepoint,
                                            const perf_link_options& o = {}) {
    std::string what = "tracepoint " + std::string(tracepoint);
    if (p && p.type() != prog_type::tracepoint && p.type() != prog_type::unspec)
        throw error(EINVAL, "attach_tracepoint", what,
                    "the program is a " + std::string(to_string(p.type())) + " program, not tracepoint");
    perf_event_attr attr{};
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = tracepoint_id(tracepoint);
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    // one event (cpu 0, every task) carries the program for all CPUs
    auto fd = sys::perf_event_open(attr, -1, 0, what);
    return attach_perf_event(p, std::move(fd), std::move(what), o);
}

/// Attaches raw_tracepoint program `p` to the tracepoint `name` (no category:
/// "sched_switch", "sys_enter").
[[nodiscard]] inline link attach_raw_tracepoint(const prog& p, std::string_view name) {
    const std::string tp(name);
    std::string what = "raw tracepoint " + tp;
    if (!p) throw error(EBADF, "BPF_RAW_TRACEPOINT_OPEN", what, "the program handle is empty");
    sys::raw_tracepoint_open_attr a{};
    a.name = sys::ptr(tp.c_str());
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    auto fd = sys::call_fd(sys::cmd::raw_tracepoint_open, a, "BPF_RAW_TRACEPOINT_OPEN", what);
    return link(std::move(fd), std::move(what));
}

} // namespace bpfxx
