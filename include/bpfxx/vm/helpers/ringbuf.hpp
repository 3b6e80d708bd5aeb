#pragma once
// Helper models: the ring buffer (output, reserve, submit, discard, query).
// A reserved record must be submitted or discarded before the program exits.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

namespace bpfxx::vm::detail {

struct ringbuf_helpers {
    static constexpr helper_use helpers[] = {
        {helper::ringbuf_output}, {helper::ringbuf_reserve}, {helper::ringbuf_submit},
        {helper::ringbuf_discard}, {helper::ringbuf_query},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        const auto id = static_cast<std::int32_t>(h);
        if (h == helper::ringbuf_submit || h == helper::ringbuf_discard) {
            const auto data = s.get(1);
            if (s.error) return false;
            const auto reg = region_of(data);
            bool done = false;
            if (reg >= region::ringbuf && reg < region::ringbuf + S::map_count) {
                s.with_map(reg - region::ringbuf, [&](auto& m) {
                    using model = std::remove_reference_t<decltype(m)>;
                    if constexpr (ring_model<model>) {
                        if (auto* r = m.reserved_at(offset_of(data))) {
                            r->status = h == helper::ringbuf_submit ? ringbuf_record::state::submitted
                                                                    : ringbuf_record::state::discarded;
                            done = true;
                        }
                    }
                });
            }
            if (!done) s.raise_helper(fault_kind::bad_helper_argument, id);
            return done;
        }
        const auto index = map_arg(s, 1, id);
        if (index < 0) return false;
        s.with_map(static_cast<std::size_t>(index), [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (!ring_model<model>) {
                s.raise_helper(fault_kind::bad_helper_argument, id);
            } else if (h == helper::ringbuf_output) {
                const auto data = s.get(2), size = s.get(3), flags = s.get(4);
                if (s.error) return;
                const auto* src = buffer_arg(s, data, size, access::read);
                if (src == nullptr) return;
                if (flags & ~std::uint64_t{3}) return s.ret(static_cast<std::uint64_t>(err::einval));
                const auto off = m.reserve(size);
                if (!off) return s.ret(static_cast<std::uint64_t>(err::eagain));
                copy_bytes(m.data() + *off, src, static_cast<std::size_t>(size));
                m.reserved_at(*off)->status = ringbuf_record::state::submitted;
                s.ret(0);
            } else if (h == helper::ringbuf_reserve) {
                const auto size = s.get(2), flags = s.get(3);
                if (s.error) return;
                const auto off = flags == 0 ? m.reserve(size) : std::nullopt;
                s.ret(off ? make_address(region::ringbuf + static_cast<std::uint32_t>(index), *off) : 0);
            } else { // query
                const auto flags = s.get(2);
                if (s.error) return;
                switch (flags) {
                case 0: return s.ret(m.available());   // BPF_RB_AVAIL_DATA
                case 1: return s.ret(model::capacity); // BPF_RB_RING_SIZE
                case 2: return s.ret(0);               // BPF_RB_CONS_POS
                case 3: return s.ret(m.available());   // BPF_RB_PROD_POS
                default: return s.ret(0);
                }
            }
        });
        return !s.error;
}
};

} // namespace bpfxx::vm::detail
