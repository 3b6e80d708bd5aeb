#pragma once
// Dynamic probes through the kernel's perf PMUs: kprobes and kretprobes on
// a kernel function, uprobes and uretprobes on a function of a binary or
// shared library (placed by its ELF symbol, or at a file offset), for every
// process or one. A kernel without the PMU (kprobes not compiled in) gets a
// clear EOPNOTSUPP; probe::attach_supported says so beforehand.
//
//     auto l = bpfxx::attach_uprobe(p, "libc.so.6", "malloc");          // every process
//     auto r = bpfxx::attach_uprobe(p, "/proc/self/exe", "handle", {.retprobe = true, .pid = ::getpid()});
//     auto k = bpfxx::attach_kprobe(p, "do_sys_openat2");

#include <bpfxx/attach/link.hpp>
#include <bpfxx/attach/perf_event.hpp>
#include <bpfxx/elf/symbols.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <linux/perf_event.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx {

struct probe_options {
    bool retprobe = false; ///< on return instead of entry
    int pid = -1;          ///< uprobes: only in this process (-1: every process)
    std::uint64_t cookie = 0;
    attach_path path = attach_path::automatic;
};

namespace detail::probes {

[[nodiscard]] inline std::uint32_t pmu(const char* name, const std::string& what) {
    const auto type = sys::pmu_type(name);
    if (!type)
        throw error(EOPNOTSUPP, "perf_event_open", what,
                    std::string("this kernel has no ") + name + " PMU (/sys/bus/event_source/devices/" + name +
                        "): it was built without CONFIG_" + (name[0] == 'k' ? "KPROBE" : "UPROBE") + "_EVENTS");
    return *type;
}

[[nodiscard]] inline std::uint64_t retprobe_config(const char* name, bool retprobe) {
    if (!retprobe) return 0;
    return std::uint64_t{1} << sys::pmu_format_bit(name, "retprobe").value_or(0);
}

[[nodiscard]] inline std::string real_path(const std::string& path) {
    char buf[PATH_MAX] = {};
    return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

} // namespace detail::probes

/// A kprobe (or kretprobe) on kernel function `symbol` (+ `offset` bytes).
[[nodiscard]] inline link attach_kprobe(const prog& p, std::string_view symbol, const probe_options& o = {},
                                        std::uint64_t offset = 0) {
    const std::string sym(symbol);
    std::string what = std::string(o.retprobe ? "kretprobe " : "kprobe ") + sym;
    if (offset) what += "+" + std::to_string(offset);
    detail::links::require_type(p, "attach_kprobe", what, {prog_type::kprobe});
    perf_event_attr attr{};
    attr.type = detail::probes::pmu("kprobe", what);
    attr.config = detail::probes::retprobe_config("kprobe", o.retprobe);
    attr.config1 = sys::ptr(sym.c_str()); // kprobe_func
    attr.config2 = offset;                // probe_offset
    auto fd = sys::perf_event_open(attr, -1, 0, what);
    return attach_perf_event(p, std::move(fd), std::move(what), {.cookie = o.cookie, .path = o.path});
}

/// A uprobe (or uretprobe) at file offset `offset` of `binary`.
[[nodiscard]] inline link attach_uprobe_at(const prog& p, const std::string& binary, std::uint64_t offset,
                                           const probe_options& o = {}, std::string what = {}) {
    const std::string path = detail::probes::real_path(binary);
    if (what.empty()) what = path + "+0x" + [&] {
        char hex[20];
        std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(offset));
        return std::string(hex);
    }();
    what = std::string(o.retprobe ? "uretprobe " : "uprobe ") + what;
    if (o.pid >= 0) what += " in pid " + std::to_string(o.pid);
    detail::links::require_type(p, "attach_uprobe", what, {prog_type::kprobe}); // uprobes run kprobe programs
    perf_event_attr attr{};
    attr.type = detail::probes::pmu("uprobe", what);
    attr.config = detail::probes::retprobe_config("uprobe", o.retprobe);
    attr.config1 = sys::ptr(path.c_str()); // uprobe_path
    attr.config2 = offset;                 // probe_offset
    auto fd = sys::perf_event_open(attr, o.pid, o.pid >= 0 ? -1 : 0, what);
    return attach_perf_event(p, std::move(fd), std::move(what), {.cookie = o.cookie, .path = o.path});
}

/// A uprobe (or uretprobe) on function `function` of `binary` (a path, or a
/// library's file name such as "libc.so.6"), placed by its ELF symbol.
[[nodiscard]] inline link attach_uprobe(const prog& p, const std::string& binary, std::string_view function,
                                        const probe_options& o = {}) {
    const std::string path = detail::probes::real_path(elf::find_library(binary));
    const auto offset = elf::function_offset(path, function);
    return attach_uprobe_at(p, path, offset, o, path + ":" + std::string(function));
}

} // namespace bpfxx
