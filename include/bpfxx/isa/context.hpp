#pragma once
// The context structures programs read through r1, and the return codes of
// the packet program types. The SDK's own copies (Linux 6.18 layouts), so
// that the interpreter and unit tests need no kernel headers; a unit test
// checks them against <linux/bpf.h> where it is present.

#include <cstddef>
#include <cstdint>

namespace bpfxx {

/// `struct __sk_buff`: the context of socket filters, tc (sched_cls/act),
/// cgroup skb and other skb programs. Pointer fields are 64-bit slots.
struct sk_buff {
    std::uint32_t len;
    std::uint32_t pkt_type;
    std::uint32_t mark;
    std::uint32_t queue_mapping;
    std::uint32_t protocol; ///< network byte order, as the kernel stores skb->protocol
    std::uint32_t vlan_present;
    std::uint32_t vlan_tci;
    std::uint32_t vlan_proto;
    std::uint32_t priority;
    std::uint32_t ingress_ifindex;
    std::uint32_t ifindex;
    std::uint32_t tc_index;
    std::uint32_t cb[5];
    std::uint32_t hash;
    std::uint32_t tc_classid;
    std::uint32_t data;
    std::uint32_t data_end;
    std::uint32_t napi_id;
    std::uint32_t family;
    std::uint32_t remote_ip4;
    std::uint32_t local_ip4;
    std::uint32_t remote_ip6[4];
    std::uint32_t local_ip6[4];
    std::uint32_t remote_port;
    std::uint32_t local_port;
    std::uint32_t data_meta;
    std::uint64_t flow_keys;
    std::uint64_t tstamp;
    std::uint32_t wire_len;
    std::uint32_t gso_segs;
    std::uint64_t sk;
    std::uint32_t gso_size;
    std::uint8_t tstamp_type;
    std::uint8_t reserved_[3];
    std::uint64_t hwtstamp;
};
static_assert(sizeof(sk_buff) == 192, "bpfxx::sk_buff must have the layout of struct __sk_buff");

/// `struct xdp_md`: the context of XDP programs.
struct xdp_md {
    std::uint32_t data;
    std::uint32_t data_end;
    std::uint32_t data_meta;
    std::uint32_t ingress_ifindex;
    std::uint32_t rx_queue_index;
    std::uint32_t egress_ifindex;
};
static_assert(sizeof(xdp_md) == 24, "bpfxx::xdp_md must have the layout of struct xdp_md");

/// `struct pt_regs` as kprobe and uprobe programs see it: the registers of
/// the probed function (x86-64, or arm64's `user_pt_regs`).
struct pt_regs {
#if defined(__aarch64__)
    std::uint64_t regs[31];
    std::uint64_t sp, pc, pstate;
#else // x86-64
    std::uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
#endif
};
#if defined(__aarch64__)
static_assert(sizeof(pt_regs) == 272, "bpfxx::pt_regs must have the layout of struct user_pt_regs");
#else
static_assert(sizeof(pt_regs) == 168, "bpfxx::pt_regs must have the layout of struct pt_regs");
#endif

/// `struct bpf_raw_tracepoint_args`: raw tracepoint programs read up to
/// MAX_BPF_FUNC_ARGS arguments of the traced function, 8 bytes each.
inline constexpr std::size_t raw_tracepoint_max_args = 12;

/// Return codes of XDP programs (`enum xdp_action`).
namespace xdp {
inline constexpr std::uint32_t aborted = 0;
inline constexpr std::uint32_t drop = 1;
inline constexpr std::uint32_t pass = 2;
inline constexpr std::uint32_t tx = 3;
inline constexpr std::uint32_t redirect = 4;
} // namespace xdp

/// Return codes of tc programs (`TC_ACT_*`). `unspec` is -1 as a 32-bit value.
namespace tc_act {
inline constexpr std::int32_t unspec = -1;
inline constexpr std::int32_t ok = 0;
inline constexpr std::int32_t reclassify = 1;
inline constexpr std::int32_t shot = 2;
inline constexpr std::int32_t pipe = 3;
inline constexpr std::int32_t stolen = 4;
inline constexpr std::int32_t queued = 5;
inline constexpr std::int32_t repeat = 6;
inline constexpr std::int32_t redirect = 7;
inline constexpr std::int32_t trap = 8;
} // namespace tc_act

} // namespace bpfxx
