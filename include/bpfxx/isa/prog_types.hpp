#pragma once
// Program types (`enum bpf_prog_type`) and attach types (`enum bpf_attach_type`)
// of Linux 6.18, the SDK's own copy, by their kernel names without the
// `BPF_PROG_TYPE_` / `BPF_` prefix; `to_string` gives those names
// (isa/names.hpp). Values taken from the BTF of a 6.18
// kernel; tests/unit/sys_layout_test.cpp checks them against <linux/bpf.h>
// where that header has them.

#include <bpfxx/isa/names.hpp>

#include <cstdint>

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

/// The kernel names of the program types, without `BPF_PROG_TYPE_` (`to_string(prog_type)`).
template <>
struct enum_names<prog_type> {
    static constexpr enum_name<prog_type> table[] = {
        {prog_type::unspec, "unspec"},
        {prog_type::socket_filter, "socket_filter"},
        {prog_type::kprobe, "kprobe"},
        {prog_type::sched_cls, "sched_cls"},
        {prog_type::sched_act, "sched_act"},
        {prog_type::tracepoint, "tracepoint"},
        {prog_type::xdp, "xdp"},
        {prog_type::perf_event, "perf_event"},
        {prog_type::cgroup_skb, "cgroup_skb"},
        {prog_type::cgroup_sock, "cgroup_sock"},
        {prog_type::lwt_in, "lwt_in"},
        {prog_type::lwt_out, "lwt_out"},
        {prog_type::lwt_xmit, "lwt_xmit"},
        {prog_type::sock_ops, "sock_ops"},
        {prog_type::sk_skb, "sk_skb"},
        {prog_type::cgroup_device, "cgroup_device"},
        {prog_type::sk_msg, "sk_msg"},
        {prog_type::raw_tracepoint, "raw_tracepoint"},
        {prog_type::cgroup_sock_addr, "cgroup_sock_addr"},
        {prog_type::lwt_seg6local, "lwt_seg6local"},
        {prog_type::lirc_mode2, "lirc_mode2"},
        {prog_type::sk_reuseport, "sk_reuseport"},
        {prog_type::flow_dissector, "flow_dissector"},
        {prog_type::cgroup_sysctl, "cgroup_sysctl"},
        {prog_type::raw_tracepoint_writable, "raw_tracepoint_writable"},
        {prog_type::cgroup_sockopt, "cgroup_sockopt"},
        {prog_type::tracing, "tracing"},
        {prog_type::struct_ops, "struct_ops"},
        {prog_type::ext, "ext"},
        {prog_type::lsm, "lsm"},
        {prog_type::sk_lookup, "sk_lookup"},
        {prog_type::syscall, "syscall"},
        {prog_type::netfilter, "netfilter"},
    };
};

/// The kernel names of the attach types, without `BPF_` (`to_string(attach_type)`).
template <>
struct enum_names<attach_type> {
    static constexpr enum_name<attach_type> table[] = {
        {attach_type::cgroup_inet_ingress, "cgroup_inet_ingress"},
        {attach_type::cgroup_inet_egress, "cgroup_inet_egress"},
        {attach_type::cgroup_inet_sock_create, "cgroup_inet_sock_create"},
        {attach_type::cgroup_sock_ops, "cgroup_sock_ops"},
        {attach_type::sk_skb_stream_parser, "sk_skb_stream_parser"},
        {attach_type::sk_skb_stream_verdict, "sk_skb_stream_verdict"},
        {attach_type::cgroup_device, "cgroup_device"},
        {attach_type::sk_msg_verdict, "sk_msg_verdict"},
        {attach_type::cgroup_inet4_bind, "cgroup_inet4_bind"},
        {attach_type::cgroup_inet6_bind, "cgroup_inet6_bind"},
        {attach_type::cgroup_inet4_connect, "cgroup_inet4_connect"},
        {attach_type::cgroup_inet6_connect, "cgroup_inet6_connect"},
        {attach_type::cgroup_inet4_post_bind, "cgroup_inet4_post_bind"},
        {attach_type::cgroup_inet6_post_bind, "cgroup_inet6_post_bind"},
        {attach_type::cgroup_udp4_sendmsg, "cgroup_udp4_sendmsg"},
        {attach_type::cgroup_udp6_sendmsg, "cgroup_udp6_sendmsg"},
        {attach_type::lirc_mode2, "lirc_mode2"},
        {attach_type::flow_dissector, "flow_dissector"},
        {attach_type::cgroup_sysctl, "cgroup_sysctl"},
        {attach_type::cgroup_udp4_recvmsg, "cgroup_udp4_recvmsg"},
        {attach_type::cgroup_udp6_recvmsg, "cgroup_udp6_recvmsg"},
        {attach_type::cgroup_getsockopt, "cgroup_getsockopt"},
        {attach_type::cgroup_setsockopt, "cgroup_setsockopt"},
        {attach_type::trace_raw_tp, "trace_raw_tp"},
        {attach_type::trace_fentry, "trace_fentry"},
        {attach_type::trace_fexit, "trace_fexit"},
        {attach_type::modify_return, "modify_return"},
        {attach_type::lsm_mac, "lsm_mac"},
        {attach_type::trace_iter, "trace_iter"},
        {attach_type::cgroup_inet4_getpeername, "cgroup_inet4_getpeername"},
        {attach_type::cgroup_inet6_getpeername, "cgroup_inet6_getpeername"},
        {attach_type::cgroup_inet4_getsockname, "cgroup_inet4_getsockname"},
        {attach_type::cgroup_inet6_getsockname, "cgroup_inet6_getsockname"},
        {attach_type::xdp_devmap, "xdp_devmap"},
        {attach_type::cgroup_inet_sock_release, "cgroup_inet_sock_release"},
        {attach_type::xdp_cpumap, "xdp_cpumap"},
        {attach_type::sk_lookup, "sk_lookup"},
        {attach_type::xdp, "xdp"},
        {attach_type::sk_skb_verdict, "sk_skb_verdict"},
        {attach_type::sk_reuseport_select, "sk_reuseport_select"},
        {attach_type::sk_reuseport_select_or_migrate, "sk_reuseport_select_or_migrate"},
        {attach_type::perf_event, "perf_event"},
        {attach_type::trace_kprobe_multi, "trace_kprobe_multi"},
        {attach_type::lsm_cgroup, "lsm_cgroup"},
        {attach_type::struct_ops, "struct_ops"},
        {attach_type::netfilter, "netfilter"},
        {attach_type::tcx_ingress, "tcx_ingress"},
        {attach_type::tcx_egress, "tcx_egress"},
        {attach_type::trace_uprobe_multi, "trace_uprobe_multi"},
        {attach_type::cgroup_unix_connect, "cgroup_unix_connect"},
        {attach_type::cgroup_unix_sendmsg, "cgroup_unix_sendmsg"},
        {attach_type::cgroup_unix_recvmsg, "cgroup_unix_recvmsg"},
        {attach_type::cgroup_unix_getpeername, "cgroup_unix_getpeername"},
        {attach_type::cgroup_unix_getsockname, "cgroup_unix_getsockname"},
        {attach_type::netkit_primary, "netkit_primary"},
        {attach_type::netkit_peer, "netkit_peer"},
        {attach_type::trace_kprobe_session, "trace_kprobe_session"},
        {attach_type::trace_uprobe_session, "trace_uprobe_session"},
    };
};

} // namespace bpfxx
