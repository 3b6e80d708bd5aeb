#pragma once
// The contexts of socket filters and tc (sched_cls, sched_act) programs: an
// Ethernet frame in an skb, `__sk_buff` in r1, set up as BPF_PROG_TEST_RUN
// does, with the verifier's rules for which fields each may read and write
// (sk_filter_is_valid_access, tc_cls_act_is_valid_access and
// bpf_skb_is_valid_access of Linux 6.18).

#include <bpfxx/isa/context.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/context/traits.hpp>
#include <bpfxx/vm/input.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfxx::vm {
namespace detail {

inline constexpr std::uint32_t skb_headroom = 64; // NET_SKB_PAD

/// Socket filters (`Tc` false: skb->data at the network header, the link
/// header zeroed in what the run hands back) and tc programs (skb->data at
/// the link header, direct packet access, a few writable fields).
template <bool Tc>
struct skb_context {
    static constexpr context_caps caps{
        .direct_packet = Tc, .legacy_packet_loads = true, .skb = true, .skb_writes = Tc};
    static constexpr std::size_t size = sizeof(sk_buff);
    static constexpr std::uint32_t headroom = skb_headroom;

    /// The frame in the packet buffer and `__sk_buff` as BPF_PROG_TEST_RUN
    /// sets them up; false for what it refuses.
    template <class S>
    static constexpr bool setup(S& s, std::span<const std::uint8_t> frame, const skb_options& o = {}) noexcept {
        s.template reset<skb_context>();
        const auto room = S::config.frame_bytes - skb_headroom - tailroom;
        if (frame.size() < eth_hlen || frame.size() > room) return false;
        if (o.gso_segs > 0xffff) return false; // more than GSO_MAX_SEGS: the kernel refuses the context
        // and it refuses IPv4 and IPv6 frames too short for the network header they announce
        const auto type = static_cast<unsigned>(frame[12]) << 8 | frame[13];
        if ((type == 0x0800 && frame.size() < eth_hlen + 20) || (type == 0x86dd && frame.size() < eth_hlen + 40))
            return false;
        for (std::size_t i = 0; i < frame.size(); ++i) s.pkt[skb_headroom + i] = frame[i];
        s.mac = skb_headroom;
        s.net = s.mac + eth_hlen;
        s.end = s.mac + static_cast<std::uint32_t>(frame.size());
        s.data = s.meta = Tc ? s.mac : s.net;
        // eth_type_trans on the loopback device (address and broadcast 00:00:00:00:00:00)
        const std::uint8_t* eth = &s.pkt[s.mac];
        std::uint32_t pkt_type = 0;
        bool zero_dst = true;
        for (int i = 0; i < 6; ++i) zero_dst = zero_dst && eth[i] == 0;
        if (!zero_dst) pkt_type = (eth[0] & 1u) ? 2u /* PACKET_MULTICAST */ : 3u /* PACKET_OTHERHOST */;
        const auto proto = static_cast<std::uint16_t>(load_be(eth + 12, 2));
        std::uint16_t protocol = proto;
        if (proto < 0x600) {
            const bool raw_802_3 = frame.size() >= 16 && eth[14] == 0xff && eth[15] == 0xff;
            protocol = raw_802_3 ? 0x0001 : 0x0004;
        }
        const auto put = [&s](std::size_t off, std::uint64_t v, unsigned n = 4) { store_le(&s.ctx[off], n, v); };
        put(offsetof(sk_buff, len), s.end - s.data);
        put(offsetof(sk_buff, pkt_type), pkt_type);
        put(offsetof(sk_buff, mark), o.mark);
        put(offsetof(sk_buff, queue_mapping), o.queue_mapping);
        put(offsetof(sk_buff, protocol), byte_order(protocol, 16, true));
        put(offsetof(sk_buff, priority), o.priority);
        put(offsetof(sk_buff, ingress_ifindex), o.ingress_ifindex);
        put(offsetof(sk_buff, ifindex), o.ifindex);
        for (std::size_t i = 0; i < 5; ++i) put(offsetof(sk_buff, cb) + 4 * i, o.cb[i]);
        put(offsetof(sk_buff, hash), o.hash);
        put(offsetof(sk_buff, tstamp), o.tstamp, 8);
        // qdisc_skb_cb->pkt_len: skb->len when the context is set up, so without the
        // link header for socket filters
        put(offsetof(sk_buff, wire_len), s.end - s.data);
        put(offsetof(sk_buff, gso_segs), o.gso_segs);
        put(offsetof(sk_buff, gso_size), o.gso_size & 0xffffu); // skb_shared_info::gso_size is 16 bits
        return true;
    }

    /// r1 at the entry: the context.
    template <class S>
    static constexpr void enter(S& s) noexcept {
        s.set(1, make_address(region::context, 0));
    }

    /// Which `__sk_buff` accesses the verifier accepts.
    [[nodiscard]] static constexpr bool access_ok(std::uint32_t off, unsigned n, bool write) noexcept {
        if (off >= sizeof(sk_buff) || off % n != 0) return false;
        if (off >= offsetof(sk_buff, cb) && off < offsetof(sk_buff, hash)) return off + n <= offsetof(sk_buff, hash);
        const auto field8 = off & ~7u;
        if (field8 == offsetof(sk_buff, flow_keys) || field8 == offsetof(sk_buff, sk)) return false;
        if (field8 == offsetof(sk_buff, tstamp)) return Tc && off == field8 && n == 8;
        if (field8 == offsetof(sk_buff, hwtstamp)) return Tc && !write && off == field8 && n == 8;
        const auto field = off & ~3u;
        if (n > 4) return false;
        if (field >= offsetof(sk_buff, family) && field <= offsetof(sk_buff, local_port)) return false;
        // tc may read tstamp_type, a byte (BPF_SKB_TSTAMP_UNSPEC: the model never sets it)
        if (field == offsetof(sk_buff, tstamp_type)) return Tc && !write && off == field && n == 1;
        if (field == offsetof(sk_buff, data) || field == offsetof(sk_buff, data_end) ||
            field == offsetof(sk_buff, data_meta))
            return Tc && !write && n == 4;
        if (field == offsetof(sk_buff, tc_classid) || field == offsetof(sk_buff, wire_len)) {
            if (!Tc) return false;
        }
        if (!write) return true;
        if (!Tc || n != 4) return false;
        return field == offsetof(sk_buff, mark) || field == offsetof(sk_buff, tc_index) ||
               field == offsetof(sk_buff, priority) || field == offsetof(sk_buff, tc_classid) ||
               field == offsetof(sk_buff, queue_mapping);
    }

    /// Bytes of the kernel field behind a 32-bit __sk_buff field that narrow
    /// reads may use (bpf_convert_ctx_access's target_size); 0 for the others.
    [[nodiscard]] static constexpr unsigned field_bytes(std::uint32_t field) noexcept {
        switch (field) {
        case offsetof(sk_buff, pkt_type):
        case offsetof(sk_buff, vlan_present): return 1;
        case offsetof(sk_buff, queue_mapping):
        case offsetof(sk_buff, protocol):
        case offsetof(sk_buff, vlan_tci):
        case offsetof(sk_buff, vlan_proto):
        case offsetof(sk_buff, tc_index):
        case offsetof(sk_buff, tc_classid):
        case offsetof(sk_buff, gso_segs):
        case offsetof(sk_buff, gso_size): return 2;
        case offsetof(sk_buff, len):
        case offsetof(sk_buff, mark):
        case offsetof(sk_buff, priority):
        case offsetof(sk_buff, ingress_ifindex):
        case offsetof(sk_buff, ifindex):
        case offsetof(sk_buff, hash):
        case offsetof(sk_buff, napi_id):
        case offsetof(sk_buff, wire_len): return 4;
        default: return 0;
        }
    }

    /// A read of `n` bytes at `off` of `__sk_buff`; false when the verifier refuses it.
    template <class S>
    [[nodiscard]] static constexpr bool load(const S& s, std::uint32_t off, unsigned n, std::uint64_t& out) noexcept {
        if (!access_ok(off, n, false)) return false;
        switch (off) {
        case offsetof(sk_buff, data): out = make_address(region::packet, s.data); return true;
        case offsetof(sk_buff, data_end): out = make_address(region::packet, s.end); return true;
        case offsetof(sk_buff, data_meta): out = make_address(region::packet, s.meta); return true;
        default: break;
        }
        // The verifier turns a narrow read of a field into a read of the
        // kernel's own field and shifts and masks the result only when the read
        // is narrower than that field: a byte of pkt_type (one byte in the
        // kernel) at any offset gives pkt_type, two bytes of tc_index at +2
        // give tc_index.
        const auto field = off & ~3u;
        const auto target = field_bytes(field);
        if (n < 4 && target != 0 && n >= target) {
            out = load_le(&s.ctx[field], target);
            return true;
        }
        out = load_le(&s.ctx[off], n);
        return true;
    }

    /// A write of `n` bytes at `off` of `__sk_buff` (`immediate`: a BPF_ST's
    /// sign-extended imm); false when the verifier refuses it.
    template <class S>
    [[nodiscard]] static constexpr bool store(S& s, std::uint32_t off, unsigned n, std::uint64_t v,
                                              bool immediate) noexcept {
        if (!access_ok(off, n, true)) return false;
        // queue_mapping keeps its value when given NO_QUEUE_MAPPING (0xffff) or more: the
        // verifier compares a register's 64 bits unsigned, a BPF_ST's imm as a signed
        // 32-bit number (a negative imm is stored, cut to 16 bits)
        if (off == offsetof(sk_buff, queue_mapping) &&
            (immediate ? static_cast<std::int64_t>(v) >= 0xffff : v >= 0xffff))
            return true;
        // queue_mapping, tc_index and tc_classid are 16-bit fields in the kernel: the store keeps the low half
        if (field_bytes(off & ~3u) == 2) v &= 0xffffu;
        store_le(&s.ctx[off], n, v);
        return true;
    }

    /// BPF_PROG_TEST_RUN hands a socket filter's packet back with the link
    /// header it never saw zeroed (bpf_prog_test_run_skb: !is_l2).
    template <class S>
    static constexpr void finish(S& s) noexcept {
        if constexpr (!Tc)
            for (std::uint32_t k = s.mac; k < s.net; ++k) s.pkt[k] = 0;
    }

    /// Where the packet handed back starts: the link header.
    template <class S>
    [[nodiscard]] static constexpr std::uint32_t packet_begin(const S& s) noexcept {
        return s.mac;
    }

    /// `__sk_buff` as the program left it (mark, priority, cb … as ctx_out would show them).
    template <class S>
    [[nodiscard]] static constexpr sk_buff view(const S& s) noexcept {
        return from_bytes<sk_buff>(s.ctx.data());
    }
};

} // namespace detail

namespace contexts {
/// BPF_PROG_TYPE_SOCKET_FILTER: `__sk_buff`, skb->data at the network header.
using socket_filter = detail::skb_context<false>;
/// BPF_PROG_TYPE_SCHED_CLS/SCHED_ACT: `__sk_buff` with direct packet access from the link header.
using tc = detail::skb_context<true>;
} // namespace contexts

} // namespace bpfxx::vm
