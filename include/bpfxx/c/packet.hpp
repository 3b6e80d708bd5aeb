#pragma once
// Packet headers and the cursor that reads them. `ctx.packet()` is a cursor
// at the start of the packet; `next<H>()` is the next header, usable only
// after the bounds check the verifier needs (`data + off + sizeof(H) >
// data_end`), which `or_return(k)` or `if_` emits:
//
//     auto pkt = ctx.packet();
//     auto [eth, ip] = pkt.next<c::ethhdr, c::iphdr>().or_return(xdp::pass); // one check for both
//     c::if_(eth->h_proto != c::hton16(0x0800), [] { return xdp::pass; });
//     auto udp = pkt.next<c::udphdr>().or_return(xdp::pass);                  // after ip->ihl * 4 bytes
//
// The ready types have the layouts of <linux/if_ether.h>, <linux/ip.h> …,
// fields in network order (c::be16, c::be32); a header type of your own is
// any trivially copyable struct (its length is its size).

#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/c/control.hpp>
#include <bpfxx/c/memory.hpp>
#include <bpfxx/c/value.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace bpfxx::c {

/// Ethernet (struct ethhdr).
struct ethhdr {
    std::uint8_t h_dest[6];
    std::uint8_t h_source[6];
    be16 h_proto;
};
/// 802.1Q tag after the Ethernet addresses (struct vlan_hdr, as it follows an ethhdr whose h_proto is 0x8100).
struct vlan_hdr {
    be16 h_vlan_TCI;
    be16 h_vlan_encapsulated_proto;
};
/// IPv4 (struct iphdr): its length is ihl * 4.
struct iphdr {
    std::uint8_t ihl_version; ///< ihl in the low 4 bits, version in the high 4 (little-endian bitfields)
    std::uint8_t tos;
    be16 tot_len;
    be16 id;
    be16 frag_off;
    std::uint8_t ttl;
    std::uint8_t protocol;
    be16 check;
    be32 saddr;
    be32 daddr;
};
/// IPv6 (struct ipv6hdr), without extension headers.
struct ipv6hdr {
    be32 version_class_flow;
    be16 payload_len;
    std::uint8_t nexthdr;
    std::uint8_t hop_limit;
    std::uint8_t saddr[16];
    std::uint8_t daddr[16];
};
/// TCP (struct tcphdr): its length is doff * 4.
struct tcphdr {
    be16 source;
    be16 dest;
    be32 seq;
    be32 ack_seq;
    std::uint8_t doff_res; ///< doff in the high 4 bits
    std::uint8_t flags;    ///< FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80
    be16 window;
    be16 check;
    be16 urg_ptr;
};
/// UDP (struct udphdr).
struct udphdr {
    be16 source;
    be16 dest;
    be16 len;
    be16 check;
};
static_assert(sizeof(ethhdr) == 14 && sizeof(vlan_hdr) == 4 && sizeof(iphdr) == 20 && sizeof(ipv6hdr) == 40 &&
              sizeof(tcphdr) == 20 && sizeof(udphdr) == 8);

/// EtherTypes and IP protocol numbers the examples use.
inline constexpr std::uint16_t eth_p_ip = 0x0800, eth_p_ipv6 = 0x86dd, eth_p_8021q = 0x8100;
inline constexpr std::uint8_t ipproto_icmp = 1, ipproto_tcp = 6, ipproto_udp = 17;

// ---- member views (`ip->saddr`) --------------------------------------------------

namespace detail {
/// Base of a view: where the struct is, and its members by member pointer.
template <class T, region R>
struct view_base {
    address at;
    template <class M>
    [[nodiscard]] constexpr ref<M, R> operator()(M T::*m) const {
        return ref<M, R>(at.plus(offset_of(m)));
    }
};
/// `bits` bits at `shift` of a byte, times 2^scale (`ip->ihl`, `tcp->doff`): read-only.
template <region R, unsigned Shift, unsigned Bits, unsigned Scale = 0>
struct bits_field {
    using value_type = std::uint32_t;
    address at;
    [[nodiscard]] constexpr val<std::uint32_t> value() const {
        const val<std::uint32_t> byte = ref<std::uint8_t, R>(at).value();
        const val<std::uint32_t> low = Shift == 0 ? byte : byte >> Shift;
        const val<std::uint32_t> field = Shift + Bits == 8 ? low : low & ((1u << Bits) - 1);
        return Scale == 0 ? field : field << Scale;
    }
};
} // namespace detail

template <region R> struct view<ethhdr, R> : detail::view_base<ethhdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<ethhdr, R>{a} {}
    ref<std::uint8_t[6], R> h_dest = (*this)(&ethhdr::h_dest);
    ref<std::uint8_t[6], R> h_source = (*this)(&ethhdr::h_source);
    ref<be16, R> h_proto = (*this)(&ethhdr::h_proto);
};
template <region R> struct view<vlan_hdr, R> : detail::view_base<vlan_hdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<vlan_hdr, R>{a} {}
    ref<be16, R> h_vlan_TCI = (*this)(&vlan_hdr::h_vlan_TCI);
    ref<be16, R> h_vlan_encapsulated_proto = (*this)(&vlan_hdr::h_vlan_encapsulated_proto);
};
template <region R> struct view<iphdr, R> : detail::view_base<iphdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<iphdr, R>{a} {}
    detail::bits_field<R, 0, 4> ihl{this->at};
    detail::bits_field<R, 4, 4> version{this->at};
    ref<std::uint8_t, R> tos = (*this)(&iphdr::tos);
    ref<be16, R> tot_len = (*this)(&iphdr::tot_len);
    ref<be16, R> id = (*this)(&iphdr::id);
    ref<be16, R> frag_off = (*this)(&iphdr::frag_off);
    ref<std::uint8_t, R> ttl = (*this)(&iphdr::ttl);
    ref<std::uint8_t, R> protocol = (*this)(&iphdr::protocol);
    ref<be16, R> check = (*this)(&iphdr::check);
    ref<be32, R> saddr = (*this)(&iphdr::saddr);
    ref<be32, R> daddr = (*this)(&iphdr::daddr);
};
template <region R> struct view<ipv6hdr, R> : detail::view_base<ipv6hdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<ipv6hdr, R>{a} {}
    ref<be16, R> payload_len = (*this)(&ipv6hdr::payload_len);
    ref<std::uint8_t, R> nexthdr = (*this)(&ipv6hdr::nexthdr);
    ref<std::uint8_t, R> hop_limit = (*this)(&ipv6hdr::hop_limit);
    ref<std::uint8_t[16], R> saddr = (*this)(&ipv6hdr::saddr);
    ref<std::uint8_t[16], R> daddr = (*this)(&ipv6hdr::daddr);
};
template <region R> struct view<tcphdr, R> : detail::view_base<tcphdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<tcphdr, R>{a} {}
    ref<be16, R> source = (*this)(&tcphdr::source);
    ref<be16, R> dest = (*this)(&tcphdr::dest);
    ref<be32, R> seq = (*this)(&tcphdr::seq);
    ref<be32, R> ack_seq = (*this)(&tcphdr::ack_seq);
    detail::bits_field<R, 4, 4> doff{this->at.plus(12)};
    ref<std::uint8_t, R> flags = (*this)(&tcphdr::flags);
    ref<be16, R> window = (*this)(&tcphdr::window);
};
template <region R> struct view<udphdr, R> : detail::view_base<udphdr, R> {
    constexpr explicit view(detail::address a) : detail::view_base<udphdr, R>{a} {}
    ref<be16, R> source = (*this)(&udphdr::source);
    ref<be16, R> dest = (*this)(&udphdr::dest);
    ref<be16, R> len = (*this)(&udphdr::len);
    ref<be16, R> check = (*this)(&udphdr::check);
};
template <> inline constexpr bool has_view<ethhdr> = true;
template <> inline constexpr bool has_view<vlan_hdr> = true;
template <> inline constexpr bool has_view<iphdr> = true;
template <> inline constexpr bool has_view<ipv6hdr> = true;
template <> inline constexpr bool has_view<tcphdr> = true;
template <> inline constexpr bool has_view<udphdr> = true;

// ---- the cursor --------------------------------------------------------------------

/// How long a header is in the packet: its size, or what its fields say.
template <class H>
struct header_length {
    /// The length of the header at `at` (checked): a constant, or a register.
    [[nodiscard]] static constexpr val<std::uint32_t> of(const detail::address&) {
        return val<std::uint32_t>::from_constant(sizeof(H));
    }
};
template <> struct header_length<iphdr> {
    [[nodiscard]] static constexpr val<std::uint32_t> of(const detail::address& at) {
        return detail::bits_field<region::packet, 0, 4, 2>{at}.value(); // ihl * 4
    }
};
template <> struct header_length<tcphdr> {
    [[nodiscard]] static constexpr val<std::uint32_t> of(const detail::address& at) {
        return detail::bits_field<region::packet, 4, 4, 2>{at.plus(12)}.value(); // doff * 4
    }
};

class packet;

/// A header the cursor handed out (usable once checked; checking it moves the
/// cursor past it).
template <class H>
class header : public ptr<H, region::packet> {
public:
    constexpr header(detail::address a, packet* cursor, bool last) : ptr<H, region::packet>(a), cursor_(cursor), last_(last) {}
    constexpr void on_checked() const;

private:
    packet* cursor_;
    bool last_; ///< the last of the headers of one check: the cursor moves past it
};

namespace detail {
template <std::size_t I, class H> struct header_slot {
    header<H> h;
};
template <class Seq, class... H> struct header_slots;
template <std::size_t... I, class... H>
struct header_slots<std::index_sequence<I...>, H...> : header_slot<I, H>... {};
} // namespace detail

/// Several headers checked at once: `auto [eth, ip] = pkt.next<c::ethhdr, c::iphdr>().or_return(k);`.
template <class... H>
class headers {
public:
    static constexpr bool is_packet = true;
    constexpr explicit headers(header<H>... h) : slots_{{h}...} {}
    constexpr void on_checked() const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (get_header<I>().on_checked(), ...);
        }(std::index_sequence_for<H...>{});
    }
    template <std::size_t I>
    [[nodiscard]] constexpr ptr<bpfxx::detail::nth_t<I, H...>, region::packet> get() const {
        return get_header<I>();
    }

private:
    detail::header_slots<std::index_sequence_for<H...>, H...> slots_;
    template <std::size_t I>
    [[nodiscard]] constexpr const header<bpfxx::detail::nth_t<I, H...>>& get_header() const {
        return static_cast<const detail::header_slot<I, bpfxx::detail::nth_t<I, H...>>&>(slots_).h;
    }
};

/// A read position in the packet: a register (data, or where a header of
/// variable length ended) plus a constant, and data_end.
class packet {
public:
    constexpr packet(detail::builder* b, detail::operand base, detail::operand end)
        : b_(b), base_(base), end_(end), scope_(b->current_scope()) {}
    packet(const packet&) = delete; // headers refer to their cursor
    packet& operator=(const packet&) = delete;
    constexpr packet(packet&&) = default;

    /// The next header(s): one bounds check for all of them.
    template <class... H>
    [[nodiscard]] constexpr auto next() {
        static_assert(sizeof...(H) > 0 && (std::is_trivially_copyable_v<H> && ...),
                      "bpfxx: headers are trivially copyable structs");
        if (!b_->in_open_scope(scope_)) diagnostic::packet_cursor_moved_in_a_branch_that_closed();
        constexpr std::int32_t total = (0 + ... + static_cast<std::int32_t>(sizeof(H)));
        const auto ok = in_bounds(total);
        if constexpr (sizeof...(H) == 1) {
            return maybe<header<H...>>(header<H...>(detail::address{b_, base_, off_}, this, true), ok);
        } else {
            constexpr std::int32_t sizes[] = {static_cast<std::int32_t>(sizeof(H))...};
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                const auto at = [&](std::size_t k) {
                    std::int32_t o = off_;
                    for (std::size_t i = 0; i < k; ++i) o += sizes[i];
                    return o;
                };
                return maybe<headers<H...>>(
                    headers<H...>(header<H>(detail::address{b_, base_, at(I)}, this, I + 1 == sizeof...(H))...), ok);
            }(std::index_sequence_for<H...>{});
        }
    }

    /// Skips `n` bytes (a constant) without reading them.
    constexpr void skip(std::int32_t n) {
        off_ += n;
        scope_ = b_->current_scope();
    }

    /// (internal) a checked header ends here: at `at` + its length.
    constexpr void moved_past(const detail::address& at, const val<std::uint32_t>& length) {
        scope_ = b_->current_scope();
        if (length.is_constant()) {
            base_ = at.base;
            off_ = at.off + static_cast<std::int32_t>(length.constant());
            return;
        }
        // base + length (the length first: it dies here, so the add can be done in its register)
        base_ = detail::reg_op(b_->alu(code::add, true, length.operand(), at.base));
        off_ = at.off;
    }

private:
    friend struct detail::access;
    detail::builder* b_;
    detail::operand base_;
    detail::operand end_;
    std::int32_t off_ = 0;
    std::int32_t scope_; ///< the branch the cursor last moved in

    /// The condition `base + off + n <= end`.
    [[nodiscard]] constexpr cond in_bounds(std::int32_t n) const {
        const auto last = detail::reg_op(b_->alu(code::add, true, base_, detail::imm_op(off_ + n)));
        return cond(b_, b_->compare(code::jle, true, last, end_));
    }
};

template <class H>
constexpr void header<H>::on_checked() const {
    if (last_) cursor_->moved_past(this->where_(), header_length<H>::of(this->where_()));
    else (void)cursor_;
}

} // namespace bpfxx::c

template <class... H>
struct std::tuple_size<bpfxx::c::headers<H...>> : std::integral_constant<std::size_t, sizeof...(H)> {};
template <std::size_t I, class... H>
struct std::tuple_element<I, bpfxx::c::headers<H...>> {
    using type = bpfxx::c::ptr<bpfxx::detail::nth_t<I, H...>, bpfxx::c::region::packet>;
};
