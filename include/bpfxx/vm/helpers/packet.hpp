#pragma once
// Helper models: the packet of skb programs (skb_load_bytes,
// skb_load_bytes_relative, skb_store_bytes) and of XDP programs (adjust
// head, meta and tail, get_buff_len, load and store bytes), with the
// kernel's bounds and return values.

#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/vm/context/traits.hpp>
#include <bpfxx/vm/context/xdp.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

struct packet_helpers {
    static constexpr helper_use helpers[] = {
        {helper::skb_load_bytes, context_needs::skb},
        {helper::skb_load_bytes_relative, context_needs::skb},
        {helper::skb_store_bytes, context_needs::skb_writes},
        {helper::xdp_adjust_head, context_needs::xdp},
        {helper::xdp_adjust_meta, context_needs::xdp},
        {helper::xdp_adjust_tail, context_needs::xdp},
        {helper::xdp_get_buff_len, context_needs::xdp},
        {helper::xdp_load_bytes, context_needs::xdp},
        {helper::xdp_store_bytes, context_needs::xdp},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        switch (h) {
        case helper::skb_load_bytes:
        case helper::skb_load_bytes_relative:
        case helper::skb_store_bytes: return skb_bytes(s, h);
        default: return xdp_buffer(s, h);
        }
    }

    /// skb_load_bytes, skb_load_bytes_relative, skb_store_bytes
    template <class S>
    static constexpr bool skb_bytes(S& s, helper h) noexcept {
        const auto id = static_cast<std::int32_t>(h);
        if (!context_arg(s, id)) return false;
        const auto off = s.get(2) & 0xffffffffu;
        const auto buf = s.get(3);
        const auto len = s.get(4) & 0xffffffffu;
        if (s.error) return false;
        if (len == 0) {
            s.raise_helper(fault_kind::bad_helper_argument, id); // ARG_CONST_SIZE: the verifier wants len > 0
            return false;
        }
        const std::uint64_t skb_len = s.end - s.data;
        if (h == helper::skb_store_bytes) {
            const auto flags = s.get(5);
            if (s.error) return false;
            const auto* from = buffer_arg(s, buf, len, access::read);
            if (from == nullptr) return false;
            if (flags & ~std::uint64_t{3}) return s.ret(static_cast<std::uint64_t>(err::einval)), true;
            if (off > 0xffff || off + len > skb_len) return s.ret(static_cast<std::uint64_t>(err::efault)), true;
            copy_bytes(&s.pkt[s.data + off], from, static_cast<std::size_t>(len));
            return s.ret(0), true;
        }
        auto* to = buffer_arg(s, buf, len, access::write);
        if (to == nullptr) return false;
        std::uint64_t from = 0;
        bool ok = false;
        if (h == helper::skb_load_bytes) {
            from = s.data + off;
            ok = off <= 0x7fffffff && off + len <= skb_len;
        } else {
            const auto start = s.get(5);
            if (s.error) return false;
            from = (start == 0 ? s.mac : s.net) + off;
            ok = off <= 0xffff && start <= 1 && from + len <= s.end;
        }
        if (!ok) {
            for (std::size_t k = 0; k < len; ++k) to[k] = 0;
            return s.ret(static_cast<std::uint64_t>(err::efault)), true;
        }
        copy_bytes(to, &s.pkt[from], static_cast<std::size_t>(len));
        return s.ret(0), true;
    }

    /// xdp_adjust_head/meta/tail, xdp_get_buff_len, xdp_load_bytes, xdp_store_bytes
    template <class S>
    static constexpr bool xdp_buffer(S& s, helper h) noexcept {
        const auto id = static_cast<std::int32_t>(h);
        if (!context_arg(s, id)) return false;
        const auto arg2 = h == helper::xdp_get_buff_len ? 0 : s.get(2);
        const std::int64_t delta = static_cast<std::int32_t>(static_cast<std::uint32_t>(arg2));
        if (s.error) return false;
        const auto einval = static_cast<std::uint64_t>(err::einval);
        switch (h) {
        case helper::xdp_adjust_head: {
            const std::int64_t metalen = s.data - s.meta;
            const std::int64_t data = std::int64_t{s.data} + delta;
            if (data < xdp_frame_size + metalen || data > std::int64_t{s.end} - eth_hlen)
                return s.ret(einval), true;
            // the metadata moves with data (a memmove: it may be up to 252 bytes and overlap)
            const auto at = [&](std::int64_t k) -> std::uint8_t& { return s.pkt[static_cast<std::size_t>(k)]; };
            const std::int64_t from = s.meta, to = from + delta;
            if (to < from)
                for (std::int64_t k = 0; k < metalen; ++k) at(to + k) = at(from + k);
            else
                for (std::int64_t k = metalen; k-- > 0;) at(to + k) = at(from + k);
            s.meta = static_cast<std::uint32_t>(std::int64_t{s.meta} + delta);
            s.data = static_cast<std::uint32_t>(data);
            return s.ret(0), true;
        }
        case helper::xdp_adjust_meta: {
            const std::int64_t meta = std::int64_t{s.meta} + delta;
            if (meta < xdp_frame_size || meta > s.data) return s.ret(einval), true;
            const auto metalen = s.data - meta;
            // xdp_metalen_invalid: a multiple of 4 that fits skb_shared_info's u8 meta_len
            if (metalen % 4 != 0 || metalen > 255) return s.ret(static_cast<std::uint64_t>(-13)), true; // -EACCES
            s.meta = static_cast<std::uint32_t>(meta);
            return s.ret(0), true;
        }
        case helper::xdp_adjust_tail: {
            const std::int64_t end = std::int64_t{s.end} + delta;
            if (end > std::int64_t{S::config.frame_bytes} - tailroom || end < std::int64_t{s.data} + eth_hlen)
                return s.ret(einval), true;
            s.note_dirty();
            for (auto k = std::int64_t{s.end}; k < end; ++k) s.pkt[static_cast<std::size_t>(k)] = 0;
            s.end = static_cast<std::uint32_t>(end);
            return s.ret(0), true;
        }
        case helper::xdp_get_buff_len: return s.ret(s.end - s.data), true;
        default: break; // load_bytes, store_bytes
        }
        const auto off = s.get(2) & 0xffffffffu, buf = s.get(3), len = s.get(4) & 0xffffffffu;
        if (s.error) return false;
        if (len == 0) {
            s.raise_helper(fault_kind::bad_helper_argument, id);
            return false;
        }
        const bool load = h == helper::xdp_load_bytes;
        auto* mem = buffer_arg(s, buf, len, load ? access::write : access::read);
        if (mem == nullptr) return false;
        if (off > 0xffff || len > 0xffff) return s.ret(static_cast<std::uint64_t>(err::efault)), true;
        if (off + len > s.end - s.data) return s.ret(einval), true;
        if (load) copy_bytes(mem, &s.pkt[s.data + off], static_cast<std::size_t>(len));
        else copy_bytes(&s.pkt[s.data + off], mem, static_cast<std::size_t>(len));
        return s.ret(0), true;
    }
};

} // namespace bpfxx::vm::detail
