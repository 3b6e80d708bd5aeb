#pragma once
// Maps in typed programs: a program lambda takes `c::map<M>` parameters (M a
// map descriptor, e.g. `bpfxx::hash_map<K, V, N>`), and they become the
// program's map list, in order. `lookup` gives a value that must be checked
// before use; keys and values are typed (a wider key does not compile).
//
//     [](c::xdp_md ctx, c::map<blocked> blocked) {
//         ...
//         c::if_(blocked.contains(src), [] { return xdp::drop; });

#include <bpfxx/asm/items.hpp>
#include <bpfxx/c/call.hpp>
#include <bpfxx/c/control.hpp>
#include <bpfxx/c/memory.hpp>
#include <bpfxx/isa/map_types.hpp>

#include <array>
#include <cstdint>
#include <type_traits>

namespace bpfxx::c {

/// Flags of `update`.
inline constexpr std::uint64_t any = 0;     ///< BPF_ANY: create or replace
inline constexpr std::uint64_t noexist = 1; ///< BPF_NOEXIST: create only
inline constexpr std::uint64_t exist = 2;   ///< BPF_EXIST: replace only

namespace detail {

template <std::uint32_t Size>
using bytes_type = std::conditional_t<
    Size == 1, std::uint8_t,
    std::conditional_t<Size == 2, std::uint16_t,
                       std::conditional_t<Size == 4, std::uint32_t,
                                          std::conditional_t<Size == 8, std::uint64_t, std::array<std::uint8_t, Size>>>>>;

template <class M> struct key_of_ {
    using type = bytes_type<M::key_size>;
};
template <class M>
    requires requires { typename M::key_type; }
struct key_of_<M> {
    using type = typename M::key_type;
};
template <class M> struct value_of_ {
    using type = bytes_type<M::value_size>;
};
template <class M>
    requires requires { typename M::value_type; }
struct value_of_<M> {
    using type = typename M::value_type;
};

/// The value of a big-endian expression as the same-size host integer (map
/// keys and values are bytes: an address in network order is a fine key).
template <class T, class X>
[[nodiscard]] constexpr val<T> as_bytes_of(const X& x) {
    if constexpr (expression<X> && !integer<X>) {
        using U = typename X::value_type;
        if constexpr (is_big_endian<U> && integer<T> && sizeof(U) == sizeof(T)) {
            const auto v = x.value();
            return v.is_constant() ? val<T>::from_constant(canonical<T>(static_cast<std::uint64_t>(v.constant())))
                                   : val<T>(access::program(v), v.operand().reg());
        } else {
            return stored_as<T>(x);
        }
    } else {
        return stored_as<T>(x);
    }
}

/// Readable memory holding a T for a helper: memory given as is, a value or
/// constant written to a stack slot (once per value), zeros.
template <class T, class X>
[[nodiscard]] constexpr operand memory_holding(builder& b, const X& x) {
    if constexpr (std::is_same_v<X, zeroed_t>) {
        const auto slot = b.stack_slot(sizeof(T), 8);
        zero_stack(b, slot, sizeof(T));
        return stack_op(slot);
    } else if constexpr (memory<X>) {
        static_assert(readable_region<X>(),
                      "bpfxx: a helper argument of the wrong kind: a map key or value must be readable memory "
                      "(stack, map value, packet or record)");
        static_assert(sizeof(typename pointer_traits<X>::element) == sizeof(T),
                      "bpfxx: memory of another size than the map's key or value");
        return address_of(x).as_operand();
    } else {
        static_assert(scalar<T>, "bpfxx: a struct key or value goes through a c::local<T> (or c::zeroed)");
        const val<T> v = as_bytes_of<T>(x);
        (void)either(&b, access::program(v));
        return stack_op(b.spill_value(v.operand(), sizeof(T)));
    }
}

} // namespace detail

/// A ring buffer record reserved by `map<ringbuf>::reserve<T>()`: write it
/// like a pointer, then `submit()` or `discard()` it (on every path: the
/// kernel requires it, and so does the layer).
template <class T>
class record : public ptr<T, region::ringbuf> {
public:
    constexpr explicit record(detail::address a) : ptr<T, region::ringbuf>(a) {}

    constexpr void submit(std::uint64_t flags = 0) const { release(helper::ringbuf_submit, flags); }
    constexpr void discard(std::uint64_t flags = 0) const { release(helper::ringbuf_discard, flags); }

    /// (internal) the reservation is checked: it is open on this path
    constexpr void on_checked() const { ++this->where_().b->open_records; }

private:
    constexpr void release(helper id, std::uint64_t flags) const {
        auto& b = *this->where_().b;
        (void)b.call(static_cast<std::int32_t>(id), {this->where_().as_operand(), detail::imm_op(static_cast<std::int64_t>(flags))});
        --b.open_records;
    }
};

/// A map of descriptor M as a typed program sees it.
template <map_descriptor M>
class map : public detail::map_tag {
public:
    using descriptor = M;
    using key_type = typename detail::key_of_<M>::type;
    using value_type = typename detail::value_of_<M>::type;

    /// (internal) map number `index` of the program's list
    constexpr map(detail::builder* b, std::int32_t index) noexcept : b_(b), index_(index) {}
    [[nodiscard]] constexpr std::int32_t index() const noexcept { return index_; }

    /// The value for `key` (this CPU's, for per-CPU maps), if there is one.
    template <class K>
    [[nodiscard]] constexpr maybe<ptr<value_type, region::map_value>> lookup(const K& key) const {
        static_assert(M::type != map_type::ringbuf && M::type != map_type::perf_event_array,
                      "bpfxx: this map type has no lookup");
        const auto k = detail::memory_holding<key_type>(*b_, key);
        const auto r = detail::call<helper::map_lookup_elem>(*b_, *this, raw(k));
        const auto at = r.operand();
        return {ptr<value_type, region::map_value>(detail::address{b_, at, 0}),
                cond(b_, b_->compare(code::jne, true, at, detail::imm_op(0)))};
    }
    /// The value for `key`, inserting `init` first (BPF_NOEXIST: another CPU
    /// may have been faster) when there is none; null only when that fails.
    template <class K, class V>
    [[nodiscard]] constexpr maybe<ptr<value_type, region::map_value>> lookup_or_init(const K& key, const V& init) const {
        auto& b = *b_;
        const auto k = detail::memory_holding<key_type>(b, key);
        const auto v = detail::memory_holding<value_type>(b, init);
        const detail::vreg p = b.new_reg(true);
        b.assign(p, detail::call<helper::map_lookup_elem>(b, *this, raw(k)).operand());
        (void)detail::branch_on(cond(&b, b.compare(code::jeq, true, detail::reg_op(p), detail::imm_op(0))), [&] {
            (void)detail::call<helper::map_update_elem>(b, *this, raw(k), raw(v), noexist);
            b.assign(p, detail::call<helper::map_lookup_elem>(b, *this, raw(k)).operand());
        });
        const auto at = detail::reg_op(b.copy(detail::reg_op(p)));
        return {ptr<value_type, region::map_value>(detail::address{&b, at, 0}),
                cond(&b, b.compare(code::jne, true, at, detail::imm_op(0)))};
    }
    /// Whether the map has `key`.
    template <class K>
    [[nodiscard]] constexpr cond contains(const K& key) const {
        return lookup(key).ok();
    }
    /// Sets `key` to `value` (a value, memory, or c::zeroed); 0 or a negative errno.
    template <class K, class V>
    constexpr val<std::int64_t> update(const K& key, const V& value, std::uint64_t flags = any) const {
        const auto k = detail::memory_holding<key_type>(*b_, key);
        const auto v = detail::memory_holding<value_type>(*b_, value);
        return cast<std::int64_t>(detail::call<helper::map_update_elem>(*b_, *this, raw(k), raw(v), flags));
    }
    /// Removes `key`; 0 or a negative errno.
    template <class K>
    constexpr val<std::int64_t> erase(const K& key) const {
        const auto k = detail::memory_holding<key_type>(*b_, key);
        return cast<std::int64_t>(detail::call<helper::map_delete_elem>(*b_, *this, raw(k)));
    }

    /// A record of T in the ring buffer, if there is room (ringbuf maps).
    template <class T>
    [[nodiscard]] constexpr maybe<record<T>> reserve() const {
        static_assert(M::type == map_type::ringbuf, "bpfxx: reserve<T>() needs a ringbuf map");
        const auto r = detail::call<helper::ringbuf_reserve>(*b_, *this, sizeof(T), 0);
        const auto at = r.operand();
        return {record<T>(detail::address{b_, at, 0}), cond(b_, b_->compare(code::jne, true, at, detail::imm_op(0)))};
    }
    /// Copies `data` (memory) into the ring buffer (ringbuf), or to this
    /// CPU's perf ring (perf_event_array, which needs the context).
    template <class D>
    constexpr val<std::int64_t> output(const D& data) const {
        static_assert(M::type == map_type::ringbuf, "bpfxx: output(data) needs a ringbuf map (perf: output(ctx, data))");
        return cast<std::int64_t>(detail::call<helper::ringbuf_output>(*b_, *this, data, size_of(data), 0));
    }
    template <class Ctx, class D>
        requires detail::is_context<Ctx>
    constexpr val<std::int64_t> output(const Ctx& ctx, const D& data) const {
        static_assert(M::type == map_type::perf_event_array, "bpfxx: output(ctx, data) needs a perf_event_array map");
        return cast<std::int64_t>(
            detail::call<helper::perf_event_output>(*b_, ctx, *this, 0xffffffffull /* BPF_F_CURRENT_CPU */, data,
                                                    size_of(data)));
    }

private:
    friend struct detail::access;
    detail::builder* b_;
    std::int32_t index_;

    /// A key or value, checked by memory_holding, as a pointer argument.
    [[nodiscard]] constexpr ptr<std::uint8_t, region::stack> raw(const detail::operand& at) const {
        return ptr<std::uint8_t, region::stack>(detail::address{b_, at, 0});
    }
    template <class D>
    [[nodiscard]] static constexpr std::uint32_t size_of(const D&) {
        return sizeof(typename detail::pointer_traits<D>::element);
    }
};

} // namespace bpfxx::c
