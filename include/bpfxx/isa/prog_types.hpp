#pragma once
// Program types (`enum bpf_prog_type`) and attach types (`enum bpf_attach_type`)
// of Linux 6.18, the SDK's own copy, by their kernel names without the
// `BPF_PROG_TYPE_` / `BPF_` prefix. Values taken from the BTF of a 6.18
// kernel; tests/unit/sys_layout_test.cpp checks them against <linux/bpf.h>
// where that header has them.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bpfxx {

/// What a program is for: it decides the context the program gets, the
/// helpers it may call and where it can be attached.
enum class prog_type : std::uint32_t {
    unspec = 0,
    socket_filter = 1,
    kprobe = 2,
    sched_cls = 3,
    sched_act = 4,
    tracepoint = 5,
    xdp = 6,
    perf_event = 7,
    cgroup_skb = 8,
    cgroup_sock = 9,
    lwt_in = 10,
    lwt_out = 11,
    lwt_xmit = 12,
    sock_ops = 13,
    sk_skb = 14,
    cgroup_device = 15,
    sk_msg = 16,
    raw_tracepoint = 17,
    cgroup_sock_addr = 18,
    lwt_seg6local = 19,
    lirc_mode2 = 20,
    sk_reuseport = 21,
    flow_dissector = 22,
    cgroup_sysctl = 23,
    raw_tracepoint_writable = 24,
    cgroup_sockopt = 25,
    tracing = 26,
    struct_ops = 27,
    ext = 28,
    lsm = 29,
    sk_lookup = 30,
    syscall = 31,
    netfilter = 32,
};

/// Where a program of a given type is attached; some program types must name
/// it already at load time (`load_options::expected_attach_type`).
enum class attach_type : std::uint32_t {
    cgroup_inet_ingress = 0,
    cgroup_inet_egress = 1,
    cgroup_inet_sock_create = 2,
    cgroup_sock_ops = 3,
    sk_skb_stream_parser = 4,
    sk_skb_stream_verdict = 5,
    cgroup_device = 6,
    sk_msg_verdict = 7,
    cgroup_inet4_bind = 8,
    cgroup_inet6_bind = 9,
    cgroup_inet4_connect = 10,
    cgroup_inet6_connect = 11,
    cgroup_inet4_post_bind = 12,
    cgroup_inet6_post_bind = 13,
    cgroup_udp4_sendmsg = 14,
    cgroup_udp6_sendmsg = 15,
    lirc_mode2 = 16,
    flow_dissector = 17,
    cgroup_sysctl = 18,
    cgroup_udp4_recvmsg = 19,
    cgroup_udp6_recvmsg = 20,
    cgroup_getsockopt = 21,
    cgroup_setsockopt = 22,
    trace_raw_tp = 23,
    trace_fentry = 24,
    trace_fexit = 25,
    modify_return = 26,
    lsm_mac = 27,
    trace_iter = 28,
    cgroup_inet4_getpeername = 29,
    cgroup_inet6_getpeername = 30,
    cgroup_inet4_getsockname = 31,
    cgroup_inet6_getsockname = 32,
    xdp_devmap = 33,
    cgroup_inet_sock_release = 34,
    xdp_cpumap = 35,
    sk_lookup = 36,
    xdp = 37,
    sk_skb_verdict = 38,
    sk_reuseport_select = 39,
    sk_reuseport_select_or_migrate = 40,
    perf_event = 41,
    trace_kprobe_multi = 42,
    lsm_cgroup = 43,
    struct_ops = 44,
    netfilter = 45,
    tcx_ingress = 46,
    tcx_egress = 47,
    trace_uprobe_multi = 48,
    cgroup_unix_connect = 49,
    cgroup_unix_sendmsg = 50,
    cgroup_unix_recvmsg = 51,
    cgroup_unix_getpeername = 52,
    cgroup_unix_getsockname = 53,
    netkit_primary = 54,
    netkit_peer = 55,
    trace_kprobe_session = 56,
    trace_uprobe_session = 57,
};

/// Flags of BPF_PROG_LOAD (`load_options::prog_flags`), with the kernel's values.
namespace prog_flags {
inline constexpr std::uint32_t strict_alignment = 1u << 0;
inline constexpr std::uint32_t any_alignment = 1u << 1;
inline constexpr std::uint32_t test_rnd_hi32 = 1u << 2;
inline constexpr std::uint32_t test_state_freq = 1u << 3;
inline constexpr std::uint32_t sleepable = 1u << 4;
inline constexpr std::uint32_t xdp_has_frags = 1u << 5;
} // namespace prog_flags

namespace detail {
// Indexed by value; the enums above are dense from 0.
inline constexpr std::string_view prog_type_names[] = {
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp", "perf_event",
    "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb", "cgroup_device",
    "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport",
    "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
    "ext", "lsm", "sk_lookup", "syscall", "netfilter",
};
inline constexpr std::string_view attach_type_names[] = {
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict", "cgroup_inet4_bind",
    "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector",
    "cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt",
    "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return", "lsm_mac", "trace_iter",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp",
    "sk_skb_verdict", "sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
    "trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
    "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg", "cgroup_unix_recvmsg",
    "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
    "trace_kprobe_session", "trace_uprobe_session",
};
static_assert(std::size(prog_type_names) == static_cast<std::size_t>(prog_type::netfilter) + 1);
static_assert(std::size(attach_type_names) == static_cast<std::size_t>(attach_type::trace_uprobe_session) + 1);
} // namespace detail

/// The type's kernel name without its prefix ("socket_filter"); empty for a
/// value this SDK does not know (a newer kernel's, or none at all).
[[nodiscard]] constexpr std::string_view to_string(prog_type t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < std::size(detail::prog_type_names) ? detail::prog_type_names[i] : std::string_view{};
}

/// The attach type's kernel name without `BPF_` ("cgroup_inet_ingress"); empty
/// for a value this SDK does not know.
[[nodiscard]] constexpr std::string_view to_string(attach_type t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < std::size(detail::attach_type_names) ? detail::attach_type_names[i] : std::string_view{};
}

} // namespace bpfxx
