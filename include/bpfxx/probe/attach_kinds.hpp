#pragma once
// `probe::attach_supported(kind)`: whether this machine can attach programs
// of a kind, and if not, why — the program type does not load, the feature
// is not compiled in, a file system is missing, or this process lacks a
// capability. Program types and link kinds are probed for real; the rest is
// read from sysfs, tracefs, mountinfo and the process's capabilities. Each
// answer is cached like the other probes, and can be seeded.
//
//     if (auto s = bpfxx::probe::attach_supported(bpfxx::attach_kind::kprobe); !s)
//         std::printf("no kprobes: %s\n", s.reason.c_str());

#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/probe/features.hpp>
#include <bpfxx/probe/program_types.hpp>
#include <bpfxx/sys/cgroup.hpp>
#include <bpfxx/sys/file.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/sys/probe_cache.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bpfxx {

/// The kinds of attach point bpfxx offers.
enum class attach_kind : std::uint8_t {
    socket,         ///< attach_socket
    xdp,            ///< attach_xdp
    tcx,            ///< attach_tcx
    tc,             ///< attach_tc's classic path: a clsact qdisc and a cls_bpf filter
    tracepoint,     ///< attach_tracepoint
    raw_tracepoint, ///< attach_raw_tracepoint
    kprobe,         ///< attach_kprobe
    uprobe,         ///< attach_uprobe
    perf_event,     ///< attach_perf_event, attach_cpu_clock
    cgroup,         ///< attach_cgroup
    fentry,         ///< fentry/fexit (not yet offered)
    lsm,            ///< BPF LSM (not yet offered)
};
inline constexpr std::size_t attach_kind_count = static_cast<std::size_t>(attach_kind::lsm) + 1;

[[nodiscard]] constexpr std::string_view to_string(attach_kind k) noexcept {
    constexpr std::string_view names[] = {"socket", "xdp",    "tcx",    "tc",         "tracepoint", "raw_tracepoint",
                                          "kprobe", "uprobe", "perf_event", "cgroup", "fentry",     "lsm"};
    static_assert(std::size(names) == attach_kind_count);
    const auto i = static_cast<std::size_t>(k);
    return i < attach_kind_count ? names[i] : std::string_view{};
}

namespace detail::attach_probe {

/// Whether the process has capability `cap` in its effective set.
[[nodiscard]] inline bool has_capability(unsigned cap) {
    const auto status = sys::try_read_file("/proc/self/status");
    if (!status) return ::geteuid() == 0;
    const auto at = status->find("\nCapEff:");
    if (at == std::string::npos) return ::geteuid() == 0;
    const unsigned long long eff = std::strtoull(status->c_str() + at + 8, nullptr, 16);
    return cap < 64 && ((eff >> cap) & 1u) != 0;
}
inline constexpr unsigned cap_net_admin = 12, cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

[[nodiscard]] inline probe::support no(std::string_view why) { return probe::support::refused(0, why, true); }

[[nodiscard]] inline probe::support needs(prog_type t) {
    auto s = probe::prog_type_supported(t);
    if (!s) s.reason = std::string(to_string(t)) + " programs do not load here: " + s.reason;
    return s;
}

[[nodiscard]] inline probe::support needs(probe::feature f) {
    auto s = probe::feature_supported(f);
    if (!s) s.reason = std::string(to_string(f)) + ": " + s.reason;
    return s;
}

[[nodiscard]] inline probe::support needs_cap(unsigned cap, const char* name) {
    if (has_capability(cap) || has_capability(cap_sys_admin)) return probe::support::yes();
    return no(std::string("this process lacks ") + name);
}

[[nodiscard]] inline probe::support pmu(const char* name, const char* config) {
    if (sys::pmu_type(name)) return probe::support::yes();
    return no(std::string("this kernel has no ") + name + " PMU (/sys/bus/event_source/devices/" + name +
              "): it was built without " + config);
}

[[nodiscard]] inline probe::support tracefs_events() {
    try {
        struct stat st{};
        const auto dir = sys::tracefs() + "/events";
        if (::stat(dir.c_str(), &st) == 0) return probe::support::yes();
        return no("tracefs has no events directory (" + dir + ")");
    } catch (const error& e) {
        return no(std::string("tracefs is not available: ") + e.what());
    }
}

[[nodiscard]] inline probe::support cgroup2() {
    try {
        (void)cgroup2_root();
        return probe::support::yes();
    } catch (const error&) {
        return no("no cgroup v2 file system is mounted");
    }
}

/// The first answer of `checks` that is no, else yes (approximate if any was).
template <class... S>
[[nodiscard]] probe::support all(S... checks) {
    probe::support r = probe::support::yes();
    bool approximate = false;
    const auto one = [&](auto check) {
        if (!r.supported) return;
        r = check();
        approximate = approximate || r.approximate;
    };
    (one(checks), ...);
    if (r.supported) r.approximate = approximate;
    return r;
}

[[nodiscard]] inline probe::support probe_attach_kind(attach_kind k) {
    const auto net = [] { return needs_cap(cap_net_admin, "CAP_NET_ADMIN"); };
    const auto perf = [] { return needs_cap(cap_perfmon, "CAP_PERFMON"); };
    const auto type = [](prog_type t) { return [t] { return needs(t); }; };
    const auto feature = [](probe::feature f) { return [f] { return needs(f); }; };
    switch (k) {
    case attach_kind::socket: return all(type(prog_type::socket_filter));
    case attach_kind::xdp: return all(net, type(prog_type::xdp));
    case attach_kind::tcx: return all(net, type(prog_type::sched_cls), feature(probe::feature::link_tcx));
    case attach_kind::tc: // whether cls_bpf is built is only seen when a filter is made
        return all(net, type(prog_type::sched_cls), [] { return probe::support::yes(true); });
    case attach_kind::tracepoint: return all(perf, type(prog_type::tracepoint), tracefs_events);
    case attach_kind::raw_tracepoint: return all(perf, type(prog_type::raw_tracepoint));
    case attach_kind::kprobe:
        return all(perf, type(prog_type::kprobe), [] { return pmu("kprobe", "CONFIG_KPROBE_EVENTS"); });
    case attach_kind::uprobe:
        return all(perf, type(prog_type::kprobe), [] { return pmu("uprobe", "CONFIG_UPROBE_EVENTS"); });
    case attach_kind::perf_event: return all(perf, type(prog_type::perf_event));
    case attach_kind::cgroup: return all(type(prog_type::cgroup_skb), cgroup2);
    case attach_kind::fentry:
    case attach_kind::lsm:
        return no("not yet offered by bpfxx: attaching by a kernel function's BTF id needs bpfxx's BTF layer");
    }
    return no("unknown attach kind");
}

} // namespace detail::attach_probe

namespace probe {

/// Whether programs can be attached as `k` here; `reason` says why not.
[[nodiscard]] inline support attach_supported(attach_kind k) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::attach_kind, static_cast<std::uint32_t>(k)},
                      [&] { return detail::attach_probe::probe_attach_kind(k); });
}

/// Answers every later question about attach kind `k` with `s`.
inline void seed(attach_kind k, const support& s) {
    namespace dp = detail::probing;
    dp::cache::instance().store({dp::kind::attach_kind, static_cast<std::uint32_t>(k)}, s, true);
}

} // namespace probe
} // namespace bpfxx
