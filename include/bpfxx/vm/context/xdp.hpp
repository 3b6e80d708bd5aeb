#pragma once
// The context of XDP programs: an Ethernet frame with 256 bytes of headroom
// in a 4 KiB buffer, `xdp_md` in r1, set up as BPF_PROG_TEST_RUN does.

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

inline constexpr std::uint32_t xdp_headroom = 256;  // XDP_PACKET_HEADROOM
inline constexpr std::uint32_t xdp_frame_size = 40; // sizeof(struct xdp_frame), kept free at the head

struct xdp_context {
    static constexpr context_caps caps{.direct_packet = true, .xdp = true};
    static constexpr std::size_t size = sizeof(xdp_md); // ingress_ifindex and rx_queue_index live there
    static constexpr std::uint32_t headroom = xdp_headroom;

    /// The frame after the headroom; false for a frame BPF_PROG_TEST_RUN refuses.
    template <class S>
    static constexpr bool setup(S& s, std::span<const std::uint8_t> frame, const xdp_options& o = {}) noexcept {
        if (frame.size() < eth_hlen || frame.size() > S::config.frame_bytes - xdp_headroom - tailroom) return false;
        s.template reset<xdp_context>();
        for (std::size_t i = 0; i < frame.size(); ++i) s.pkt[xdp_headroom + i] = frame[i];
        s.meta = s.data = xdp_headroom;
        s.end = xdp_headroom + static_cast<std::uint32_t>(frame.size());
        store_le(&s.ctx[offsetof(xdp_md, ingress_ifindex)], 4, o.ingress_ifindex);
        store_le(&s.ctx[offsetof(xdp_md, rx_queue_index)], 4, o.rx_queue_index);
        return true;
    }

    /// r1 at the entry: the context.
    template <class S>
    static constexpr void enter(S& s) noexcept {
        s.set(1, make_address(region::context, 0));
    }

    /// The xdp_md field at `off`, when it is one an XDP program may read
    /// (4 bytes; egress_ifindex is not: XDP programs run on ingress).
    template <class S>
    [[nodiscard]] static constexpr bool load(const S& s, std::uint32_t off, unsigned n, std::uint64_t& out) noexcept {
        if (n != 4) return false;
        switch (off) {
        case offsetof(xdp_md, data): out = make_address(region::packet, s.data); return true;
        case offsetof(xdp_md, data_end): out = make_address(region::packet, s.end); return true;
        case offsetof(xdp_md, data_meta): out = make_address(region::packet, s.meta); return true;
        case offsetof(xdp_md, ingress_ifindex):
        case offsetof(xdp_md, rx_queue_index): out = load_le(&s.ctx[off], 4); return true;
        default: return false;
        }
    }

    /// XDP programs may not write their context.
    template <class S>
    [[nodiscard]] static constexpr bool store(S&, std::uint32_t, unsigned, std::uint64_t, bool) noexcept {
        return false;
    }

    template <class S>
    static constexpr void finish(S&) noexcept {}

    /// Where the packet handed back starts: data (metadata() is before it).
    template <class S>
    [[nodiscard]] static constexpr std::uint32_t packet_begin(const S& s) noexcept {
        return s.data;
    }

    /// `xdp_md` of the run (offsets relative to the frame start).
    template <class S>
    [[nodiscard]] static constexpr xdp_md view(const S& s) noexcept {
        return xdp_md{s.data - xdp_headroom, s.end - xdp_headroom, s.meta - xdp_headroom,
                      load_u32(&s.ctx[offsetof(xdp_md, ingress_ifindex)]),
                      load_u32(&s.ctx[offsetof(xdp_md, rx_queue_index)]), 0};
    }
};

} // namespace detail

namespace contexts {
/// BPF_PROG_TYPE_XDP: `xdp_md`, direct packet access, adjust_head/meta/tail.
using xdp = detail::xdp_context;
} // namespace contexts

} // namespace bpfxx::vm
