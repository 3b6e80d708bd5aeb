#pragma once
// Helper models: bpf_csum_diff and the l3/l4 checksum replacements, with the
// kernel's arithmetic (vm/checksum.hpp).

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/vm/checksum.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

struct checksum_helpers {
    static constexpr helper_use helpers[] = {
        {helper::l3_csum_replace, context_needs::skb_writes},
        {helper::l4_csum_replace, context_needs::skb_writes},
        {helper::csum_diff, context_needs::skb_writes_or_xdp},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        const auto id = static_cast<std::int32_t>(h);
        if (h == helper::csum_diff) {
            const auto from = s.get(1), from_size = s.get(2) & 0xffffffffu;
            const auto to = s.get(3), to_size = s.get(4) & 0xffffffffu;
            const auto seed = static_cast<std::uint32_t>(s.get(5));
            if (s.error) return false;
            const std::uint8_t* a = from_size ? buffer_arg(s, from, from_size, access::read) : nullptr;
            if (from_size && a == nullptr) return false;
            const std::uint8_t* b = to_size ? buffer_arg(s, to, to_size, access::read) : nullptr;
            if (to_size && b == nullptr) return false;
            // Linux 6.13 and later: any sizes, the result folded to 16 bits
            std::uint32_t sum = seed;
            if (from_size && to_size)
                sum = csum::sub(csum::partial(b, static_cast<std::size_t>(to_size), sum),
                                csum::partial(a, static_cast<std::size_t>(from_size), 0));
            else if (to_size)
                sum = csum::partial(b, static_cast<std::size_t>(to_size), sum);
            else if (from_size)
                sum = ~csum::partial(a, static_cast<std::size_t>(from_size), ~sum);
            return s.ret(csum::from32to16(sum)), true;
        }
        const auto ctx = s.get(1), off = s.get(2) & 0xffffffffu, from = s.get(3), to = s.get(4), flags = s.get(5);
        if (s.error) return false;
        if (ctx != make_address(region::context, 0)) {
            s.raise_helper(fault_kind::bad_helper_argument, id);
            return false;
        }
        const bool l4 = h == helper::l4_csum_replace;
        const std::uint64_t allowed = l4 ? 0xffu : 0x0fu; // size, PSEUDO_HDR, MARK_MANGLED_0, MARK_ENFORCE, IPV6
        if (flags & ~allowed) return s.ret(static_cast<std::uint64_t>(err::einval)), true;
        if (off > 0xffff || (off & 1) || off + 2 > std::uint64_t{s.end - s.data}) // odd: -EFAULT for l3 and l4
            return s.ret(static_cast<std::uint64_t>(err::efault)), true;
        auto* p = &s.pkt[s.data + off];
        auto sum = static_cast<std::uint16_t>(load_le(p, 2));
        const bool mangled0 = l4 && (flags & 0x20), enforce = l4 && (flags & 0x40);
        if (mangled0 && !enforce && sum == 0) return s.ret(0), true;
        switch (flags & 0xf) {
        case 0:
            if (from != 0) return s.ret(static_cast<std::uint64_t>(err::einval)), true;
            sum = csum::replace_by_diff(sum, static_cast<std::uint32_t>(to));
            break;
        case 2:
            sum = l4 ? csum::replace4(sum, static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to))
                     : csum::replace2(sum, static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to));
            break;
        case 4: sum = csum::replace4(sum, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)); break;
        default: return s.ret(static_cast<std::uint64_t>(err::einval)), true;
        }
        if (mangled0 && sum == 0) sum = 0xffff; // CSUM_MANGLED_0
        store_le(p, 2, sum);
        return s.ret(0), true;
}
};

} // namespace bpfxx::vm::detail
