#pragma once
// `attach_perf_event(prog, perf_fd)`: a program on a perf event — a
// tracepoint, a kprobe or uprobe, or a software/hardware event such as CPU
// clock sampling. The link owns the perf event. Linux 5.15+ gives a kernel
// BPF link (BPF_LINK_CREATE, attach type perf_event); older kernels get the
// ioctl path (PERF_EVENT_IOC_SET_BPF), undone when the link goes.
//
//     auto l = bpfxx::attach_cpu_clock(sampler, 0, 1000);     // CPU 0, 1000 Hz

#include <bpfxx/attach/link.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/perf_event.hpp>

#include <linux/perf_event.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx {

struct perf_link_options {
    std::uint64_t cookie = 0; ///< what bpf_get_attach_cookie() returns in the program
    attach_path path = attach_path::automatic; ///< legacy: PERF_EVENT_IOC_SET_BPF
};

/// Attaches `p` to the perf event `perf_fd` (the link takes it over).
[[nodiscard]] inline link attach_perf_event(const prog& p, unique_fd perf_fd, std::string what,
                                            const perf_link_options& o = {}) {
    detail::links::require_type(p, "attach_perf_event", what,
                                {prog_type::perf_event, prog_type::kprobe, prog_type::tracepoint});
    return detail::links::link_or_legacy(
        o.path, probe::feature::link_perf_event, // Linux 5.15+
        [&] {
            auto fd = detail::links::create(p, static_cast<std::uint32_t>(perf_fd.get()), attach_type::perf_event, 0,
                                            what, [&](sys::link_create_attr& a) { a.extra.perf_event.bpf_cookie = o.cookie; });
            return link(std::move(fd), what, std::move(perf_fd));
        },
        [&] {
            if (::ioctl(perf_fd.get(), PERF_EVENT_IOC_SET_BPF, p.fd()) != 0)
                detail::throw_errno("PERF_EVENT_IOC_SET_BPF", what);
            if (::ioctl(perf_fd.get(), PERF_EVENT_IOC_ENABLE, 0) != 0)
                detail::throw_errno("PERF_EVENT_IOC_ENABLE", what);
            const int fd = perf_fd.get();
            // closing the perf event (after the undo) frees the program's attachment
            return link([fd] { (void)::ioctl(fd, PERF_EVENT_IOC_DISABLE, 0); }, what, std::move(perf_fd));
        });
}

/// A perf_event program sampling CPU `cpu` `frequency` times a second
/// (PERF_COUNT_SW_CPU_CLOCK, in every task on that CPU).
[[nodiscard]] inline link attach_cpu_clock(const prog& p, int cpu, std::uint64_t frequency,
                                           const perf_link_options& o = {}) {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.freq = 1;
    attr.sample_freq = frequency;
    std::string what = "cpu-clock on cpu " + std::to_string(cpu) + " at " + std::to_string(frequency) + " Hz";
    auto fd = sys::perf_event_open(attr, -1, cpu, what);
    return attach_perf_event(p, std::move(fd), std::move(what), o);
}

} // namespace bpfxx
