#pragma once
// `probe::attach_supported(kind)`: whether this machine can attach programs
// of a kind, and if not, why — the kernel is too old, the feature is not
// compiled in, a file system is missing, or this process lacks a capability.
// Program-type support is probed for real (sys/probe.hpp); the rest is read
// from the kernel version, sysfs, tracefs and the process's capabilities.
//
//     if (auto s = bpfxx::probe::attach_supported(bpfxx::attach_kind::kprobe); !s)
//         std::printf("no kprobes: %s\n", s.reason.c_str());

#include <bpfxx/attach/cgroup.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/sys/probe.hpp>

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

namespace bpfxx {

/// The kinds of attach point bpfxx offers.
enum class attach_kind : std::uint8_t {
    socket,         ///< attach_socket
    xdp,            ///< attach_xdp
    tcx,            ///< attach_tcx
    tracepoint,     ///< attach_tracepoint
    raw_tracepoint, ///< attach_raw_tracepoint
    kprobe,         ///< attach_kprobe
    uprobe,         ///< attach_uprobe
    perf_event,     ///< attach_perf_event, attach_cpu_clock
    cgroup,         ///< attach_cgroup
    fentry,         ///< fentry/fexit (not yet offered)
    lsm,            ///< BPF LSM (not yet offered)
};

[[nodiscard]] constexpr std::string_view to_string(attach_kind k) noexcept {
    constexpr std::string_view names[] = {"socket", "xdp", "tcx", "tracepoint", "raw_tracepoint", "kprobe",
                                          "uprobe", "perf_event", "cgroup", "fentry", "lsm"};
    const auto i = static_cast<std::size_t>(k);
    return i < std::size(names) ? names[i] : std::string_view{};
}

namespace detail::attach_probe {

/// (major << 16) | (minor << 8) of the running kernel.
[[nodiscard]] inline std::uint32_t kernel() noexcept {
    utsname u{};
    unsigned a = 0, b = 0;
    if (::uname(&u) != 0 || std::sscanf(u.release, "%u.%u", &a, &b) != 2) return 0;
    return (a << 16) | (b << 8);
}
[[nodiscard]] constexpr std::uint32_t version(unsigned major, unsigned minor) noexcept {
    return (major << 16) | (minor << 8);
}

/// Whether the process has capability `cap` in its effective set.
[[nodiscard]] inline bool has_capability(unsigned cap) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1u;
    return ::geteuid() == 0;
}
inline constexpr unsigned cap_net_admin = 12, cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

[[nodiscard]] inline probe::support no(std::string why) { return {false, 0, std::move(why), true}; }

[[nodiscard]] inline probe::support needs(prog_type t) {
    auto s = probe::prog_type_supported(t);
    if (!s) s.reason = std::string(to_string(t)) + " programs do not load here: " + s.reason;
    return s;
}

[[nodiscard]] inline probe::support needs_cap(unsigned cap, const char* name) {
    if (has_capability(cap) || has_capability(cap_sys_admin)) return {true, 0, {}, false};
    return no(std::string("this process lacks ") + name);
}

[[nodiscard]] inline probe::support pmu(const char* name, const char* config) {
    if (sys::pmu_type(name)) return {true, 0, {}, false};
    return no(std::string("this kernel has no ") + name + " PMU (/sys/bus/event_source/devices/" + name +
              "): it was built without " + config);
}

[[nodiscard]] inline probe::support tracefs_events() {
    try {
        struct stat st{};
        const auto dir = sys::tracefs() + "/events";
        if (::stat(dir.c_str(), &st) == 0) return {true, 0, {}, false};
        return no("tracefs has no events directory (" + dir + ")");
    } catch (const error& e) {
        return no(std::string("tracefs is not available: ") + e.what());
    }
}

template <class... S>
[[nodiscard]] probe::support all(S... checks) {
    probe::support r{true, 0, {}, false};
    ((r.supported ? (r = checks(), 0) : 0), ...);
    return r;
}

} // namespace detail::attach_probe

namespace probe {

/// Whether programs can be attached as `k` here; `reason` says why not.
[[nodiscard]] inline support attach_supported(attach_kind k) {
    namespace d = detail::attach_probe;
    const auto net = [] { return d::needs_cap(d::cap_net_admin, "CAP_NET_ADMIN"); };
    const auto perf = [] { return d::needs_cap(d::cap_perfmon, "CAP_PERFMON"); };
    const auto type = [](prog_type t) { return [t] { return d::needs(t); }; };
    switch (k) {
    case attach_kind::socket: return d::all(type(prog_type::socket_filter));
    case attach_kind::xdp: return d::all(net, type(prog_type::xdp));
    case attach_kind::tcx:
        return d::all(net, type(prog_type::sched_cls), [] {
            return d::kernel() >= d::version(6, 6) ? support{true, 0, {}, true}
                                                   : d::no("tcx links need Linux 6.6 or later");
        });
    case attach_kind::tracepoint: return d::all(perf, type(prog_type::tracepoint), d::tracefs_events);
    case attach_kind::raw_tracepoint: return d::all(perf, type(prog_type::raw_tracepoint));
    case attach_kind::kprobe:
        return d::all(perf, type(prog_type::kprobe), [] { return d::pmu("kprobe", "CONFIG_KPROBE_EVENTS"); });
    case attach_kind::uprobe:
        return d::all(perf, type(prog_type::kprobe), [] { return d::pmu("uprobe", "CONFIG_UPROBE_EVENTS"); });
    case attach_kind::perf_event: return d::all(perf, type(prog_type::perf_event));
    case attach_kind::cgroup:
        return d::all(type(prog_type::cgroup_skb), [] {
            try {
                (void)cgroup2_root();
                return support{true, 0, {}, false};
            } catch (const error&) {
                return d::no("no cgroup v2 file system is mounted");
            }
        });
    case attach_kind::fentry:
    case attach_kind::lsm:
        return d::no("not yet offered by bpfxx: attaching by a kernel function's BTF id needs bpfxx's BTF layer");
    }
    return d::no("unknown attach kind");
}

} // namespace probe
} // namespace bpfxx
