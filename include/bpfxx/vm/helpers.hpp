#pragma once
// The helper models of bpfxx::vm::machine: what each helper the
// interpreter knows does to the registers, the memory and the maps, with
// the kernel's return values (Linux 6.18, net/core/filter.c and
// kernel/bpf/helpers.c) for every error case. A helper without a model
// ends the run with a fault that names it.

#include <bpfxx/vm/machine.hpp>

namespace bpfxx::vm {

namespace detail {
// Helpers the interpreter models, by kind of context that may call them.
[[nodiscard]] constexpr bool skb_only(helper h) noexcept {
    return h == helper::skb_load_bytes || h == helper::skb_load_bytes_relative;
}
[[nodiscard]] constexpr bool tc_only(helper h) noexcept {
    return h == helper::skb_store_bytes || h == helper::l3_csum_replace || h == helper::l4_csum_replace;
}
[[nodiscard]] constexpr bool xdp_only(helper h) noexcept {
    return h == helper::xdp_adjust_head || h == helper::xdp_adjust_meta || h == helper::xdp_adjust_tail ||
           h == helper::redirect_map || h == helper::xdp_get_buff_len || h == helper::xdp_load_bytes ||
           h == helper::xdp_store_bytes;
}

template <class Model>
concept keyed_model = requires { Model::kind; };
template <class Model>
concept ring_model = requires { Model::header_size; };

template <std::size_t Cap>
constexpr void append_number(fixed_text<Cap>& t, std::uint64_t v, bool negative, unsigned base, bool upper,
                             unsigned width, bool zero_pad, bool left) noexcept {
    char digits[24]{};
    unsigned n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v != 0);
    const unsigned len = n + (negative ? 1u : 0u);
    // padding past the line's capacity would be cut off: a width of 2^32 - 1 must not loop 2^32 times
    if (width > Cap) width = Cap;
    if (!left && !zero_pad)
        for (unsigned k = len; k < width; ++k) t.append(' ');
    if (negative) t.append('-');
    if (!left && zero_pad)
        for (unsigned k = len; k < width; ++k) t.append('0');
    while (n > 0) t.append(digits[--n]);
    if (left)
        for (unsigned k = len; k < width; ++k) t.append(' ');
}
} // namespace detail

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::call_helper(std::int32_t id) noexcept {
    if (id <= 0 || id >= helper_count) {
        raise_helper(fault_kind::unknown_helper, id);
        return false;
    }
    init_ &= static_cast<std::uint16_t>(~1u); // void helpers leave r0 unset
    const auto h = static_cast<helper>(id);
    const bool skb = kind_ == context_kind::socket_filter || kind_ == context_kind::tc;
    if ((detail::skb_only(h) && !skb) || (detail::tc_only(h) && kind_ != context_kind::tc) ||
        (detail::xdp_only(h) && kind_ != context_kind::xdp) ||
        ((h == helper::redirect || h == helper::csum_diff) && kind_ != context_kind::tc &&
         kind_ != context_kind::xdp)) {
        raise_helper(fault_kind::helper_not_allowed, id);
        return false;
    }
    bool ok = true;
    switch (h) {
    case helper::map_lookup_elem:
    case helper::map_update_elem:
    case helper::map_delete_elem:
    case helper::map_push_elem:
    case helper::map_pop_elem:
    case helper::map_peek_elem:
    case helper::map_lookup_percpu_elem: ok = map_helper(id); break;
    case helper::ringbuf_output:
    case helper::ringbuf_reserve:
    case helper::ringbuf_submit:
    case helper::ringbuf_discard:
    case helper::ringbuf_query: ok = ringbuf_helper(id); break;
    case helper::ktime_get_ns:
    case helper::ktime_get_boot_ns:
    case helper::ktime_get_coarse_ns:
    case helper::ktime_get_tai_ns:
        ret(clock_);
        clock_ += clock_step_;
        break;
    case helper::get_prandom_u32: ret(next_random() & 0xffffffffu); break;
    case helper::get_smp_processor_id: ret(cpu_); break;
    case helper::get_numa_node_id: ret(0); break;
    case helper::trace_printk: ok = trace_printk(); break;
    case helper::tail_call: ok = tail_call(); break;
    case helper::skb_load_bytes:
    case helper::skb_load_bytes_relative:
    case helper::skb_store_bytes:
    case helper::redirect: ok = skb_helper(id); break;
    case helper::l3_csum_replace:
    case helper::l4_csum_replace:
    case helper::csum_diff: ok = csum_helper(id); break;
    case helper::xdp_adjust_head:
    case helper::xdp_adjust_meta:
    case helper::xdp_adjust_tail:
    case helper::redirect_map:
    case helper::xdp_get_buff_len:
    case helper::xdp_load_bytes:
    case helper::xdp_store_bytes: ok = xdp_helper(id); break;
    default: raise_helper(fault_kind::unmodelled_helper, id); return false;
    }
    if (fault_) {
        if (fault_.kind == fault_kind::bad_helper_argument || fault_.kind == fault_kind::unmodelled_helper)
            fault_.helper_id = id;
        return false;
    }
    return ok;
}

template <class... Ms, limits L>
constexpr std::int64_t machine<type_list<Ms...>, L>::map_arg(unsigned r, std::int32_t id) noexcept {
    const auto v = get(r);
    if (fault_) return -1;
    const auto reg = region_of(v);
    if (reg < region::map_object || reg >= region::map_object + map_count || offset_of(v) != 0) {
        raise_helper(fault_kind::bad_helper_argument, id);
        return -1;
    }
    return reg - region::map_object;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::map_helper(std::int32_t id) noexcept {
    const auto index = map_arg(1, id);
    if (index < 0) return false;
    const auto h = static_cast<helper>(id);
    with_map(static_cast<std::size_t>(index), [&](auto& m) {
        using model = std::remove_reference_t<decltype(m)>;
        if constexpr (!detail::keyed_model<model>) {
            raise_helper(fault_kind::bad_helper_argument, id); // ring buffers take no element operations
        } else {
            using K = detail::model_kind;
            constexpr auto kind = model::kind;
            constexpr bool keyed = kind == K::array || kind == K::sparse_array || kind == K::hash || kind == K::lpm;
            constexpr bool fifo = kind == K::queue || kind == K::stack;
            constexpr bool prog_array = model::descriptor::type == map_type::prog_array;
            const auto value_addr = [&](std::uint32_t slot) {
                return map_value_address(static_cast<std::uint32_t>(index), slot, model::value_size);
            };
            if (h == helper::map_lookup_elem || h == helper::map_lookup_percpu_elem) {
                if (!keyed || prog_array) return raise_helper(fault_kind::bad_helper_argument, id);
                if (h == helper::map_lookup_percpu_elem && !is_percpu(model::descriptor::type))
                    return raise_helper(fault_kind::bad_helper_argument, id);
                const auto* key = buffer_arg(get(2), model::key_size, access::read);
                if (key == nullptr) return;
                if (h == helper::map_lookup_percpu_elem) {
                    const auto cpu = get(3);
                    if (fault_) return;
                    if (cpu != 0) return ret(0); // one CPU in the model
                }
                const auto slot = m.find(key);
                return ret(slot ? value_addr(*slot) : 0);
            }
            if (h == helper::map_update_elem) {
                if (!(kind == K::array || kind == K::hash || kind == K::lpm) ||
                    model::descriptor::type == map_type::devmap_hash)
                    return raise_helper(fault_kind::bad_helper_argument, id);
                const auto key_addr = get(2), value = get(3), flags = get(4);
                if (fault_) return;
                const auto* k = buffer_arg(key_addr, model::key_size, access::read);
                if (k == nullptr) return;
                const auto* v = buffer_arg(value, model::value_size, access::read);
                if (v == nullptr) return;
                return ret(static_cast<std::uint64_t>(m.update_bytes(k, v, flags)));
            }
            if (h == helper::map_delete_elem) {
                if (!(kind == K::array || kind == K::hash || kind == K::lpm) ||
                    model::descriptor::type == map_type::devmap_hash)
                    return raise_helper(fault_kind::bad_helper_argument, id);
                const auto* k = buffer_arg(get(2), model::key_size, access::read);
                if (k == nullptr) return;
                return ret(static_cast<std::uint64_t>(m.erase_bytes(k)));
            }
            if (h == helper::map_push_elem) {
                if (!fifo && kind != K::bloom) return raise_helper(fault_kind::bad_helper_argument, id);
                const auto value = get(2), flags = get(3);
                if (fault_) return;
                const auto* v = buffer_arg(value, model::value_size, access::read);
                if (v == nullptr) return;
                return ret(static_cast<std::uint64_t>(m.push_bytes(v, flags)));
            }
            // pop, peek
            if (!fifo && !(kind == K::bloom && h == helper::map_peek_elem))
                return raise_helper(fault_kind::bad_helper_argument, id);
            auto* out = buffer_arg(get(2), model::value_size, kind == K::bloom ? access::read : access::write);
            if (out == nullptr) return;
            return ret(static_cast<std::uint64_t>(m.pop_bytes(out, h == helper::map_pop_elem)));
        }
    });
    return !fault_;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::ringbuf_helper(std::int32_t id) noexcept {
    const auto h = static_cast<helper>(id);
    if (h == helper::ringbuf_submit || h == helper::ringbuf_discard) {
        const auto data = get(1);
        if (fault_) return false;
        const auto reg = region_of(data);
        bool done = false;
        if (reg >= region::ringbuf && reg < region::ringbuf + map_count) {
            with_map(reg - region::ringbuf, [&](auto& m) {
                using model = std::remove_reference_t<decltype(m)>;
                if constexpr (detail::ring_model<model>) {
                    if (auto* r = m.reserved_at(offset_of(data))) {
                        r->status = h == helper::ringbuf_submit ? ringbuf_record::state::submitted
                                                                : ringbuf_record::state::discarded;
                        done = true;
                    }
                }
            });
        }
        if (!done) raise_helper(fault_kind::bad_helper_argument, id);
        return done;
    }
    const auto index = map_arg(1, id);
    if (index < 0) return false;
    with_map(static_cast<std::size_t>(index), [&](auto& m) {
        using model = std::remove_reference_t<decltype(m)>;
        if constexpr (!detail::ring_model<model>) {
            raise_helper(fault_kind::bad_helper_argument, id);
        } else if (h == helper::ringbuf_output) {
            const auto data = get(2), size = get(3), flags = get(4);
            if (fault_) return;
            const auto* src = buffer_arg(data, size, access::read);
            if (src == nullptr) return;
            if (flags & ~std::uint64_t{3}) return ret(static_cast<std::uint64_t>(err::einval));
            const auto off = m.reserve(size);
            if (!off) return ret(static_cast<std::uint64_t>(err::eagain));
            detail::copy_bytes(m.data() + *off, src, static_cast<std::size_t>(size));
            m.reserved_at(*off)->status = ringbuf_record::state::submitted;
            ret(0);
        } else if (h == helper::ringbuf_reserve) {
            const auto size = get(2), flags = get(3);
            if (fault_) return;
            const auto off = flags == 0 ? m.reserve(size) : std::nullopt;
            ret(off ? make_address(region::ringbuf + static_cast<std::uint32_t>(index), *off) : 0);
        } else { // query
            const auto flags = get(2);
            if (fault_) return;
            switch (flags) {
            case 0: return ret(m.available());   // BPF_RB_AVAIL_DATA
            case 1: return ret(model::capacity); // BPF_RB_RING_SIZE
            case 2: return ret(0);               // BPF_RB_CONS_POS
            case 3: return ret(m.available());   // BPF_RB_PROD_POS
            default: return ret(0);
            }
        }
    });
    return !fault_;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::trace_printk() noexcept {
    const auto fmt = get(1), size = get(2);
    if (fault_) return false;
    const auto* p = buffer_arg(fmt, size, access::read);
    if (p == nullptr) return false;
    if (size == 0 || p[size - 1] != 0) {
        ret(static_cast<std::uint64_t>(err::einval));
        return true;
    }
    fixed_text<128> line;
    unsigned arg = 0;
    for (std::size_t i = 0; p[i] != 0; ++i) {
        if (p[i] != '%') {
            line.append(static_cast<char>(p[i]));
            continue;
        }
        ++i;
        if (p[i] == '%') {
            line.append('%');
            continue;
        }
        bool left = false, zero = false;
        for (; p[i] == '-' || p[i] == '0'; ++i) (p[i] == '-' ? left : zero) = true;
        unsigned width = 0;
        for (; p[i] >= '0' && p[i] <= '9'; ++i) // saturated: more than the line holds is the same
            width = width > 0xffffu ? width : width * 10 + static_cast<unsigned>(p[i] - '0');
        unsigned longs = 0;
        for (; p[i] == 'l'; ++i) ++longs;
        const char conv = static_cast<char>(p[i]);
        if (longs > 2 || arg == 3 || !(conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x' || conv == 'X' ||
                                       conv == 'c' || conv == 's')) {
            ret(static_cast<std::uint64_t>(err::einval));
            return true;
        }
        auto v = get(3 + arg++);
        if (fault_) return false;
        if (longs == 0 && conv != 's') v &= 0xffffffffu;
        if (conv == 'c') {
            line.append(static_cast<char>(v));
        } else if (conv == 's') {
            for (std::uint64_t a = v;; ++a) {
                const auto* c = resolve(a, 1, access::read);
                if (c == nullptr) return false;
                if (*c == 0) break;
                line.append(static_cast<char>(*c));
            }
        } else if (conv == 'd' || conv == 'i') {
            const auto s = static_cast<std::int64_t>(longs == 0 ? detail::sext(v, 32) : v);
            const bool neg = s < 0;
            const auto mag = neg ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
            detail::append_number(line, mag, neg, 10, false, width, zero, left);
        } else {
            detail::append_number(line, v, false, conv == 'u' ? 10 : 16, conv == 'X', width, zero, left);
        }
    }
    if (trace_used_ < L.trace_lines) trace_[trace_used_++] = line;
    ret(line.size());
    return true;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::tail_call() noexcept {
    const auto ctx = get(1);
    const auto index = map_arg(2, static_cast<std::int32_t>(helper::tail_call));
    const auto slot = get(3);
    if (fault_ || index < 0) return false;
    (void)ctx;
    std::uint32_t target = 0;
    with_map(static_cast<std::size_t>(index), [&](auto& m) {
        using model = std::remove_reference_t<decltype(m)>;
        if constexpr (detail::keyed_model<model>) {
            if constexpr (model::descriptor::type == map_type::prog_array) {
                const auto key = detail::to_bytes(static_cast<std::uint32_t>(slot));
                if (const auto s = m.find(key.data())) target = detail::load_u32(m.value_bytes(*s));
                return;
            }
        }
        raise_helper(fault_kind::bad_helper_argument, static_cast<std::int32_t>(helper::tail_call));
    });
    if (fault_) return false;
    // a failed tail call falls through to the next instruction
    if (target == 0 || target > programs_used_ || tail_calls_ >= max_tail_calls) return true;
    ++tail_calls_;
    tail_target_ = &programs_[target - 1];
    return true;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::skb_helper(std::int32_t id) noexcept {
    const auto h = static_cast<helper>(id);
    if (h == helper::redirect) {
        const auto ifindex = get(1), flags = get(2);
        if (fault_) return false;
        if (kind_ == context_kind::xdp) {
            if (flags != 0) return ret(xdp::aborted), true;
            redirect_ = redirect_target{ifindex & 0xffffffffu, flags, -1};
            return ret(xdp::redirect), true;
        }
        if (flags & ~std::uint64_t{1}) return ret(static_cast<std::uint32_t>(tc_act::shot)), true;
        redirect_ = redirect_target{ifindex & 0xffffffffu, flags, -1};
        return ret(static_cast<std::uint32_t>(tc_act::redirect)), true;
    }
    const auto ctx = get(1);
    if (fault_) return false;
    if (ctx != make_address(region::context, 0)) {
        raise_helper(fault_kind::bad_helper_argument, id);
        return false;
    }
    const auto off = get(2) & 0xffffffffu;
    const auto buf = get(3);
    const auto len = get(4) & 0xffffffffu;
    if (fault_) return false;
    if (len == 0) {
        raise_helper(fault_kind::bad_helper_argument, id); // ARG_CONST_SIZE: the verifier wants len > 0
        return false;
    }
    const std::uint64_t skb_len = end_ - data_;
    if (h == helper::skb_store_bytes) {
        const auto flags = get(5);
        if (fault_) return false;
        const auto* from = buffer_arg(buf, len, access::read);
        if (from == nullptr) return false;
        if (flags & ~std::uint64_t{3}) return ret(static_cast<std::uint64_t>(err::einval)), true;
        if (off > 0xffff || off + len > skb_len) return ret(static_cast<std::uint64_t>(err::efault)), true;
        detail::copy_bytes(&pkt_[data_ + off], from, static_cast<std::size_t>(len));
        return ret(0), true;
    }
    auto* to = buffer_arg(buf, len, access::write);
    if (to == nullptr) return false;
    std::uint64_t from = 0;
    bool ok = false;
    if (h == helper::skb_load_bytes) {
        from = data_ + off;
        ok = off <= 0x7fffffff && off + len <= skb_len;
    } else {
        const auto start = get(5);
        if (fault_) return false;
        from = (start == 0 ? mac_ : net_) + off;
        ok = off <= 0xffff && start <= 1 && from + len <= end_;
    }
    if (!ok) {
        for (std::size_t k = 0; k < len; ++k) to[k] = 0;
        return ret(static_cast<std::uint64_t>(err::efault)), true;
    }
    detail::copy_bytes(to, &pkt_[from], static_cast<std::size_t>(len));
    return ret(0), true;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::csum_helper(std::int32_t id) noexcept {
    const auto h = static_cast<helper>(id);
    if (h == helper::csum_diff) {
        const auto from = get(1), from_size = get(2) & 0xffffffffu, to = get(3), to_size = get(4) & 0xffffffffu;
        const auto seed = static_cast<std::uint32_t>(get(5));
        if (fault_) return false;
        const std::uint8_t* a = from_size ? buffer_arg(from, from_size, access::read) : nullptr;
        if (from_size && a == nullptr) return false;
        const std::uint8_t* b = to_size ? buffer_arg(to, to_size, access::read) : nullptr;
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
        return ret(csum::from32to16(sum)), true;
    }
    const auto ctx = get(1), off = get(2) & 0xffffffffu, from = get(3), to = get(4), flags = get(5);
    if (fault_) return false;
    if (ctx != make_address(region::context, 0)) {
        raise_helper(fault_kind::bad_helper_argument, id);
        return false;
    }
    const bool l4 = h == helper::l4_csum_replace;
    const std::uint64_t allowed = l4 ? 0xffu : 0x0fu; // size, PSEUDO_HDR, MARK_MANGLED_0, MARK_ENFORCE, IPV6
    if (flags & ~allowed) return ret(static_cast<std::uint64_t>(err::einval)), true;
    if (off > 0xffff || (off & 1) || off + 2 > std::uint64_t{end_ - data_}) // odd: -EFAULT for l3 and l4
        return ret(static_cast<std::uint64_t>(err::efault)), true;
    auto* p = &pkt_[data_ + off];
    auto sum = static_cast<std::uint16_t>(detail::load_le(p, 2));
    const bool mangled0 = l4 && (flags & 0x20), enforce = l4 && (flags & 0x40);
    if (mangled0 && !enforce && sum == 0) return ret(0), true;
    switch (flags & 0xf) {
    case 0:
        if (from != 0) return ret(static_cast<std::uint64_t>(err::einval)), true;
        sum = csum::replace_by_diff(sum, static_cast<std::uint32_t>(to));
        break;
    case 2:
        sum = l4 ? csum::replace4(sum, static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to))
                 : csum::replace2(sum, static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to));
        break;
    case 4: sum = csum::replace4(sum, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)); break;
    default: return ret(static_cast<std::uint64_t>(err::einval)), true;
    }
    if (mangled0 && sum == 0) sum = 0xffff; // CSUM_MANGLED_0
    detail::store_le(p, 2, sum);
    return ret(0), true;
}

template <class... Ms, limits L>
constexpr bool machine<type_list<Ms...>, L>::xdp_helper(std::int32_t id) noexcept {
    const auto h = static_cast<helper>(id);
    if (h == helper::redirect_map) {
        const auto index = map_arg(1, id);
        const auto key = get(2), flags = get(3);
        if (fault_ || index < 0) return false;
        with_map(static_cast<std::size_t>(index), [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (detail::keyed_model<model>) {
                constexpr auto t = model::descriptor::type;
                if constexpr (t == map_type::devmap || t == map_type::devmap_hash || t == map_type::cpumap ||
                              t == map_type::xskmap) {
                    const std::uint64_t extra = t == map_type::devmap || t == map_type::devmap_hash ? 0x18u : 0u;
                    if (flags & ~(std::uint64_t{3} | extra)) return ret(xdp::aborted);
                    const auto k = detail::to_bytes(static_cast<std::uint32_t>(key));
                    if (!m.find(k.data()) && !(flags & 0x8u)) return ret(flags & 3u);
                    redirect_ = redirect_target{key, flags, static_cast<std::int32_t>(index)};
                    return ret(xdp::redirect);
                }
            }
            raise_helper(fault_kind::bad_helper_argument, id);
        });
        return !fault_;
    }
    const auto ctx = get(1);
    if (fault_) return false;
    if (ctx != make_address(region::context, 0)) {
        raise_helper(fault_kind::bad_helper_argument, id);
        return false;
    }
    const std::int64_t delta = static_cast<std::int32_t>(static_cast<std::uint32_t>(h == helper::xdp_get_buff_len ? 0 : get(2)));
    if (fault_) return false;
    const auto einval = static_cast<std::uint64_t>(err::einval);
    switch (h) {
    case helper::xdp_adjust_head: {
        const std::int64_t metalen = data_ - meta_;
        const std::int64_t data = std::int64_t{data_} + delta;
        if (data < detail::xdp_frame_size + metalen || data > std::int64_t{end_} - detail::eth_hlen)
            return ret(einval), true;
        // the metadata moves with data (a memmove: it may be up to 252 bytes and overlap)
        const auto at = [&](std::int64_t k) -> std::uint8_t& { return pkt_[static_cast<std::size_t>(k)]; };
        const std::int64_t from = meta_, to = from + delta;
        if (to < from)
            for (std::int64_t k = 0; k < metalen; ++k) at(to + k) = at(from + k);
        else
            for (std::int64_t k = metalen; k-- > 0;) at(to + k) = at(from + k);
        meta_ = static_cast<std::uint32_t>(std::int64_t{meta_} + delta);
        data_ = static_cast<std::uint32_t>(data);
        return ret(0), true;
    }
    case helper::xdp_adjust_meta: {
        const std::int64_t meta = std::int64_t{meta_} + delta;
        if (meta < detail::xdp_frame_size || meta > data_) return ret(einval), true;
        const auto metalen = data_ - meta;
        // xdp_metalen_invalid: a multiple of 4 that fits skb_shared_info's u8 meta_len
        if (metalen % 4 != 0 || metalen > 255) return ret(static_cast<std::uint64_t>(-13)), true; // -EACCES
        meta_ = static_cast<std::uint32_t>(meta);
        return ret(0), true;
    }
    case helper::xdp_adjust_tail: {
        const std::int64_t end = std::int64_t{end_} + delta;
        if (end > std::int64_t{L.frame_bytes} - detail::tailroom || end < std::int64_t{data_} + detail::eth_hlen)
            return ret(einval), true;
        note_dirty();
        for (auto k = std::int64_t{end_}; k < end; ++k) pkt_[static_cast<std::size_t>(k)] = 0;
        end_ = static_cast<std::uint32_t>(end);
        return ret(0), true;
    }
    case helper::xdp_get_buff_len: return ret(end_ - data_), true;
    default: break; // load_bytes, store_bytes
    }
    const auto off = get(2) & 0xffffffffu, buf = get(3), len = get(4) & 0xffffffffu;
    if (fault_) return false;
    if (len == 0) {
        raise_helper(fault_kind::bad_helper_argument, id);
        return false;
    }
    const bool load = h == helper::xdp_load_bytes;
    auto* mem = buffer_arg(buf, len, load ? access::write : access::read);
    if (mem == nullptr) return false;
    if (off > 0xffff || len > 0xffff) return ret(static_cast<std::uint64_t>(err::efault)), true;
    if (off + len > end_ - data_) return ret(einval), true;
    if (load) detail::copy_bytes(mem, &pkt_[data_ + off], static_cast<std::size_t>(len));
    else detail::copy_bytes(&pkt_[data_ + off], mem, static_cast<std::size_t>(len));
    return ret(0), true;
}

} // namespace bpfxx::vm
