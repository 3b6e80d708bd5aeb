#pragma once
// Load-time and link features of the running kernel (`probe::feature`),
// each probed once with the smallest real call that shows it and cached:
//
//     if (!bpfxx::probe::feature_supported(bpfxx::probe::feature::link_xdp))
//         ... // attach_xdp takes the netlink path
//
// - bpf_syscall: a one-entry array map is created.
// - test_run: a socket filter runs once on a 64-byte frame.
// - fd_array: a program refers to a map through fd_array (see load/map_refs.hpp).
// - log_true_size: a load with a log reports the log's whole size.
// - btf_load: a one-type BTF is loaded.
// - link_cgroup, link_perf_event: BPF_LINK_CREATE of a program of the right
//   type with target fd -1: EBADF means the kernel went looking for the
//   target, so it knows the link kind; EINVAL means it does not.
// - link_tcx: the same with ifindex 0xffffffff, where the kernel answers ENODEV.
// - link_xdp: a real XDP link on the loopback device of a network namespace
//   made for the question (the kernel answers EINVAL for a missing device
//   and for an unknown link kind alike); when this process may not make a
//   namespace, the answer is approximate.

#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/attempt.hpp>
#include <bpfxx/load/map_refs.hpp>
#include <bpfxx/probe/map_types.hpp>
#include <bpfxx/probe/program_types.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/probe_cache.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <pthread.h>
#include <sched.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx {
namespace detail::probing {

/// `r0 = 0; exit` loaded as type `t` with `expected` as its attach type.
[[nodiscard]] inline loading::attempt_result load_trivial(prog_type t, attach_type expected = attach_type{}) {
    static constexpr insn prog[] = {make_insn(code::alu64 | code::mov | code::k, 0, 0, 0, 0),
                                    make_insn(code::jmp | code::exit, 0, 0, 0, 0)};
    sys::prog_load_attr attr{};
    attr.prog_type = static_cast<std::uint32_t>(t);
    attr.insn_cnt = 2;
    attr.insns = sys::ptr(prog);
    attr.license = sys::ptr("GPL");
    attr.expected_attach_type = static_cast<std::uint32_t>(expected);
    return loading::attempt(attr, 1, 4096);
}

[[nodiscard]] inline probe::support probe_bpf_syscall() {
    sys::map_create_attr a{};
    a.map_type = static_cast<std::uint32_t>(map_type::array);
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    const unique_fd fd(static_cast<int>(sys::call(sys::cmd::map_create, a)));
    if (fd) return probe::support::yes();
    return probe::support::refused(errno, "BPF_MAP_CREATE of a one-entry array answered " + answer_text(errno));
}

[[nodiscard]] inline probe::support probe_test_run() {
    const auto p = load_trivial(prog_type::socket_filter);
    if (!p.fd) return probe::support::refused(p.errnum, "no socket filter to run: " + refusal_text(p));
    std::array<unsigned char, 64> frame{};
    sys::test_run_attr a{};
    a.prog_fd = static_cast<std::uint32_t>(p.fd.get());
    a.data_in = sys::ptr(frame.data());
    a.data_size_in = static_cast<std::uint32_t>(frame.size());
    a.repeat = 1;
    if (sys::call(sys::cmd::prog_test_run, a) == 0) return probe::support::yes();
    return probe::support::refused(errno, "BPF_PROG_TEST_RUN of a socket filter answered " + answer_text(errno));
}

[[nodiscard]] inline probe::support probe_log_true_size() {
    const auto p = load_trivial(prog_type::socket_filter);
    if (!p.fd) return probe::support::refused(p.errnum, "no program to load: " + refusal_text(p));
    if (p.log_true_size != 0) return probe::support::yes();
    return probe::support::refused(EINVAL, "a load with a log left log_true_size at 0 (Linux 6.4+ sets it)");
}

[[nodiscard]] inline probe::support probe_btf_load() {
    int err = 0;
    if (int_btf(err)) return probe::support::yes();
    return probe::support::refused(err, "BPF_BTF_LOAD of a one-type BTF answered " + answer_text(err));
}

/// BPF_LINK_CREATE of a trivial program of type `t` to `target` as
/// `attach`; the kind is known when the kernel answers `known`.
[[nodiscard]] inline probe::support probe_link(prog_type t, attach_type expected, attach_type attach,
                                               std::uint32_t target, int known) {
    const auto p = load_trivial(t, expected);
    if (!p.fd)
        return probe::support::refused(p.errnum, "no " + std::string(to_string(t)) + " program to link: " +
                                                     refusal_text(p));
    sys::link_create_attr a{};
    a.prog_fd = static_cast<std::uint32_t>(p.fd.get());
    a.target_fd = target;
    a.attach_type = static_cast<std::uint32_t>(attach);
    const unique_fd link(static_cast<int>(sys::call(sys::cmd::link_create, a)));
    const int errnum = link ? 0 : errno;
    if (link || errnum == known) return probe::support::yes();
    return probe::support::refused(errnum, "BPF_LINK_CREATE (" + std::string(to_string(attach)) + ") answered " +
                                               answer_text(errnum));
}

/// In a thread of its own, so that no caller's thread ever changes namespace.
inline void* link_xdp_in_new_netns(void* out) {
    auto& answer = *static_cast<probe::support*>(out);
    if (::unshare(CLONE_NEWNET) != 0)
        answer = probe::support::refused(
            errno, "cannot tell: making a network namespace to try an XDP link in answered " + answer_text(errno), true);
    else
        answer = probe_link(prog_type::xdp, attach_type{}, attach_type::xdp, 1 /* lo */, 0);
    return nullptr;
}

[[nodiscard]] inline probe::support probe_link_xdp() {
    probe::support answer;
    pthread_t thread{};
    if (const int err = ::pthread_create(&thread, nullptr, link_xdp_in_new_netns, &answer); err != 0)
        return probe::support::refused(err, "cannot tell: no thread to try an XDP link in: " + answer_text(err), true);
    ::pthread_join(thread, nullptr);
    return answer;
}

[[nodiscard]] inline probe::support probe_feature(probe::feature f) {
    using probe::feature;
    constexpr std::uint32_t no_fd = 0xffffffffu;
    switch (f) {
    case feature::bpf_syscall: return probe_bpf_syscall();
    case feature::test_run: return probe_test_run();
    case feature::fd_array: return loading::probe_fd_array();
    case feature::log_true_size: return probe_log_true_size();
    case feature::btf_load: return probe_btf_load();
    case feature::link_cgroup:
        return probe_link(prog_type::cgroup_skb, attach_type::cgroup_inet_ingress, attach_type::cgroup_inet_ingress,
                          no_fd, EBADF);
    case feature::link_xdp: return probe_link_xdp();
    case feature::link_perf_event:
        return probe_link(prog_type::tracepoint, attach_type{}, attach_type::perf_event, no_fd, EBADF);
    case feature::link_tcx:
        return probe_link(prog_type::sched_cls, attach_type{}, attach_type::tcx_ingress, no_fd, ENODEV);
    }
    return probe::support::refused(EINVAL, "a feature this version of bpfxx does not know");
}

} // namespace detail::probing

namespace probe {

/// Whether this kernel has feature `f`, for this process.
[[nodiscard]] inline support feature_supported(feature f) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::feature, static_cast<std::uint32_t>(f)}, [&] { return dp::probe_feature(f); });
}

} // namespace probe
} // namespace bpfxx
