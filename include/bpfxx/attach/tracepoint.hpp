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
#include <bpfxx/sys/file.hpp>
#include <bpfxx/sys/number.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <linux/perf_event.h>

#include <cerrno>
#include <cstdint>
#include <optional>
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
    const auto id = sys::detail::parse_u32(*line);
    if (!id) throw error(EINVAL, "tracepoint_id", tp, path + " holds no event id: '" + *line + "'");
    return *id;
}

/// One field of a tracepoint's record, as its tracefs `format` file describes it.
struct tracepoint_field {
    std::string name;      ///< "pid", "filename" (without the C type)
    std::string type;      ///< "pid_t", "__data_loc char[]"
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
    bool is_signed = false;
};

namespace detail::tracefs {

/// The number after `key` ("offset:") in a format line, up to its ';'.
[[nodiscard]] inline std::uint32_t field_number(std::string_view line, std::string_view key, const std::string& what) {
    const auto at = line.find(key);
    const auto n = at == std::string_view::npos ? std::nullopt : sys::detail::leading_u32(line.substr(at + key.size()));
    if (!n || line.substr(at + key.size() + n->length, 1) != ";")
        throw error(EINVAL, "tracepoint_format", what,
                    "a field's " + std::string(key.substr(0, key.size() - 1)) +
                        " is not a number from 0 to 4294967295: '" + std::string(line) + "'");
    return n->value;
}

} // namespace detail::tracefs

/// The fields of a tracepoint's `format` file, given as text (`what` names
/// the tracepoint in errors): lines "\tfield:unsigned short common_type;\t
/// offset:0;\tsize:2;\tsigned:0;". Throws `bpfxx::error` (EINVAL) for a field
/// whose offset or size is not a 32-bit number, or a text with no fields.
[[nodiscard]] inline std::vector<tracepoint_field> parse_tracepoint_format(std::string_view text,
                                                                           const std::string& what) {
    std::vector<tracepoint_field> fields;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        const auto f = line.find("field:");
        const auto semicolon = line.find(';', f);
        if (f == std::string_view::npos || semicolon == std::string_view::npos ||
            line.find("offset:") == std::string_view::npos || line.find("size:") == std::string_view::npos)
            continue;
        std::string_view decl = line.substr(f + 6, semicolon - f - 6);
        tracepoint_field field;
        if (const auto bracket = decl.find('['); bracket != std::string_view::npos &&
                                                  decl.rfind(' ', bracket) != std::string_view::npos &&
                                                  decl.find("__data_loc") == std::string_view::npos)
            decl = decl.substr(0, bracket); // "char comm[16]": the name without its array size
        const auto space = decl.find_last_of(' ');
        field.name = space == std::string_view::npos ? decl : decl.substr(space + 1);
        field.type = space == std::string_view::npos ? std::string_view{} : decl.substr(0, space);
        field.offset = detail::tracefs::field_number(line, "offset:", what);
        field.size = detail::tracefs::field_number(line, "size:", what);
        const auto g = line.find("signed:");
        field.is_signed = g != std::string_view::npos && line.substr(g + 7, 1) == "1";
        fields.push_back(std::move(field));
    }
    if (fields.empty()) throw error(EINVAL, "tracepoint_format", what, "the format file lists no fields");
    return fields;
}

/// The fields of tracepoint "category/name" (common_* fields included), so
/// that a program can be built for the record layout of the running kernel:
/// layouts change between versions (sched_process_fork's parent_comm became
/// a __data_loc string in 6.x).
[[nodiscard]] inline std::vector<tracepoint_field> tracepoint_format(std::string_view tracepoint) {
    const std::string tp(tracepoint);
    (void)tracepoint_id(tp); // validates the name, mounts tracefs, says "no such tracepoint"
    const std::string path = sys::tracefs() + "/events/" + tp + "/format";
    const auto text = sys::try_read_file(path);
    if (!text) throw error(errno == 0 ? EIO : errno, "tracepoint_format", tp, "cannot read " + path);
    return parse_tracepoint_format(*text, tp);
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
