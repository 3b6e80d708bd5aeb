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
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

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

/// One field of a tracepoint's record, as its tracefs `format` file describes it.
struct tracepoint_field {
    std::string name;      ///< "pid", "filename" (without the C type)
    std::string type;      ///< "pid_t", "__data_loc char[]"
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
    bool is_signed = false;
};

/// The fields of tracepoint "category/name" (common_* fields included), so
/// that a program can be built for the record layout of the running kernel:
/// layouts change between versions (sched_process_fork's parent_comm became
/// a __data_loc string in 6.x).
[[nodiscard]] inline std::vector<tracepoint_field> tracepoint_format(std::string_view tracepoint) {
    const std::string tp(tracepoint);
    (void)tracepoint_id(tp); // validates the name, mounts tracefs, says "no such tracepoint"
    std::ifstream in(sys::tracefs() + "/events/" + tp + "/format");
    std::vector<tracepoint_field> fields;
    for (std::string line; std::getline(in, line);) {
        // "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;"
        const auto f = line.find("field:");
        const auto o = line.find("offset:");
        const auto z = line.find("size:");
        const auto g = line.find("signed:");
        if (f == std::string::npos || o == std::string::npos || z == std::string::npos) continue;
        std::string decl = line.substr(f + 6, line.find(';', f) - f - 6);
        auto& field = fields.emplace_back();
        if (const auto bracket = decl.find('['); bracket != std::string::npos && decl.rfind(' ', bracket) != std::string::npos &&
                                                  decl.find("__data_loc") == std::string::npos)
            decl = decl.substr(0, bracket); // "char comm[16]": the name without its array size
        const auto space = decl.find_last_of(' ');
        field.name = space == std::string::npos ? decl : decl.substr(space + 1);
        field.type = space == std::string::npos ? std::string{} : decl.substr(0, space);
        field.offset = static_cast<std::uint32_t>(std::stoul(line.substr(o + 7)));
        field.size = static_cast<std::uint32_t>(std::stoul(line.substr(z + 5)));
        field.is_signed = g != std::string::npos && line.compare(g + 7, 1, "1") == 0;
    }
    if (fields.empty()) throw error(EINVAL, "tracepoint_format", tp, "the format file lists no fields");
    return fields;
}

/// The field `name` of tracepoint "category/name"; throws ENOENT if it has none.
[[nodiscard]] inline tracepoint_field tracepoint_field_of(std::string_view tracepoint, std::string_view name) {
    for (auto& f : tracepoint_format(tracepoint))
        if (f.name == name) return f;
    throw error(ENOENT, "tracepoint_field_of", std::string(tracepoint), "no field '" + std::string(name) + "'");
}

/// Attaches tracepoint program `p` to the tracepoint "category/name".
[[nodiscard]] inline link attach_tracepoint(const prog& p, std::string_view tracepoint,
                                            const perf_link_options& o = {}) {
    std::string what = "tracepoint " + std::string(tracepoint);
    detail::links::require_type(p, "attach_tracepoint", what, {prog_type::tracepoint});
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
    detail::links::require_type(p, "attach_raw_tracepoint", what,
                                {prog_type::raw_tracepoint, prog_type::raw_tracepoint_writable});
    sys::raw_tracepoint_open_attr a{};
    a.name = sys::ptr(tp.c_str());
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    auto fd = sys::call_fd(sys::cmd::raw_tracepoint_open, a, "BPF_RAW_TRACEPOINT_OPEN", what);
    return link(std::move(fd), std::move(what));
}

} // namespace bpfxx
