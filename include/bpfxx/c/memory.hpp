#pragma once
// Typed memory: `c::ptr<T, R>` points to a T in region R (the context, the
// packet, the stack, a map value, a ring buffer record, kernel or user
// memory); `p[&T::member]` is a `c::ref` to that member, read by converting
// it to a value and written by assigning to it. Offsets come from the member
// pointers while the program is built: no offsetof by hand.
//
// Kernel and user memory are read through bpf_probe_read_kernel/user into
// the stack; they cannot be written. Context fields follow the kernel's
// access rules of the program type (context.hpp).

#include <bpfxx/c/control.hpp>
#include <bpfxx/c/ir.hpp>
#include <bpfxx/c/value.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/isa/prog_types.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::c {

/// Where a pointer points: what the verifier calls its type.
enum class region : std::uint8_t {
    context,   ///< the program's context (r1)
    packet,    ///< packet data between data and data_end (checked bounds)
    stack,     ///< the program's stack frame
    map_value, ///< a map value (checked for null)
    ringbuf,   ///< a reserved ring buffer record (checked for null)
    kernel,    ///< kernel memory: read with bpf_probe_read_kernel
    user,      ///< user memory: read with bpf_probe_read_user
};

/// Byte offset of member `m` in T, during constant evaluation: T is made
/// from bytes numbered 0, 1, 2 … (their low and high halves in two passes)
/// and the member's first byte says where it is. T must be trivially
/// copyable without pointers (what BPF programs share anyway).
template <class T, class M>
[[nodiscard]] constexpr std::int32_t offset_of(M T::*m) {
    std::array<unsigned char, sizeof(T)> lo{}, hi{};
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        lo[i] = static_cast<unsigned char>(i & 0xffu);
        hi[i] = static_cast<unsigned char>(i >> 8);
    }
    const auto first = [&](const std::array<unsigned char, sizeof(T)>& bytes) {
        const T t = std::bit_cast<T>(bytes);
        return std::bit_cast<std::array<unsigned char, sizeof(M)>>(t.*m)[0];
    };
    return static_cast<std::int32_t>(first(lo) | (first(hi) << 8));
}

template <class T, region R> class ptr;
template <class T, region R> class ref;

/// Members by name (`ip->saddr`), for the types that have a view: the ready
/// header types and contexts specialise it (and set has_view).
template <class T, region R> struct view;
template <class T> inline constexpr bool has_view = false;

namespace detail {

template <class T> inline constexpr bool is_array = std::is_array_v<T>;
template <class T>
inline constexpr bool is_record = std::is_class_v<T> && std::is_trivially_copyable_v<T>;

/// An address: a register plus a constant, or r10 plus a constant.
struct address {
    builder* b = nullptr;
    operand base{};
    std::int32_t off = 0;

    /// The address as one operand (a new register when base + off needs an add).
    [[nodiscard]] constexpr operand as_operand() const {
        if (base.kind == src::stack) return stack_op(static_cast<std::int32_t>(base.v) + off);
        if (off == 0) return base;
        return reg_op(b->alu(code::add, true, base, imm_op(off)));
    }
    [[nodiscard]] constexpr address plus(std::int32_t d) const noexcept { return {b, base, off + d}; }
};

/// Reads `bytes` of kernel or user memory at `from` into a fresh stack slot.
[[nodiscard]] constexpr std::int32_t probe_read(region r, const address& from, std::uint32_t bytes) {
    auto& b = *from.b;
    const auto slot = b.stack_slot(bytes, 8);
    const auto id = r == region::kernel ? helper::probe_read_kernel : helper::probe_read_user;
    (void)b.call(static_cast<std::int32_t>(id), {stack_op(slot), imm_op(bytes), from.as_operand()});
    return slot;
}

template <class T, region R>
[[nodiscard]] constexpr val<T> load(const address& a);

template <class T, region R>
constexpr void store(const address& a, const val<T>& v);

} // namespace detail

/// A T in region R: a scalar field (read it, assign it), an array (index it,
/// hand it to a helper as memory) or a struct (`r[&S::m]`).
template <class T, region R>
class ref {
public:
    using value_type = std::conditional_t<detail::scalar<T>, T, void>;
    static constexpr region where = R;

    constexpr ref(detail::address a) noexcept : a_(a) {}

    /// The value (scalars): a load, or a probe read for kernel and user memory.
    [[nodiscard]] constexpr auto value() const
        requires detail::scalar<T>
    {
        return detail::load<T, R>(a_);
    }

    /// Stores a value (scalars): no wider than T.
    template <class X>
        requires detail::scalar<T> && (detail::integer<X> || detail::expression<X> || std::is_same_v<X, T>)
    constexpr const ref& operator=(const X& x) const {
        detail::store<T, R>(a_, detail::stored_as<T>(x));
        return *this;
    }
    constexpr const ref& operator=(const ref& other) const
        requires detail::scalar<T>
    {
        detail::store<T, R>(a_, other.value());
        return *this;
    }
    template <class X> constexpr const ref& operator+=(const X& x) const { return *this = cast<T>(*this + x); }
    template <class X> constexpr const ref& operator-=(const X& x) const { return *this = cast<T>(*this - x); }
    template <class X> constexpr const ref& operator|=(const X& x) const { return *this = cast<T>(*this | x); }
    template <class X> constexpr const ref& operator&=(const X& x) const { return *this = cast<T>(*this & x); }
    template <class X> constexpr const ref& operator^=(const X& x) const { return *this = cast<T>(*this ^ x); }

    /// A member (structs).
    template <class M, class S = T>
        requires detail::is_record<S>
    [[nodiscard]] constexpr ref<M, R> operator[](M S::*m) const {
        return ref<M, R>(a_.plus(offset_of(m)));
    }
    /// An element at a constant index (arrays).
    [[nodiscard]] constexpr auto operator[](std::size_t i) const
        requires detail::is_array<T>
    {
        using E = std::remove_extent_t<T>;
        if (i >= std::extent_v<T>) diagnostic::array_index_out_of_bounds();
        return ref<E, R>(a_.plus(static_cast<std::int32_t>(i * sizeof(E))));
    }
    /// Its address.
    [[nodiscard]] constexpr ptr<T, R> address() const { return ptr<T, R>(a_); }

    /// (internal)
    [[nodiscard]] constexpr const detail::address& where_() const noexcept { return a_; }

private:
    friend struct detail::access;
    detail::address a_;
    // for program_part: the builder
    detail::builder* b_ = a_.b;
};

/// A pointer to a T in region R that may be used (checked where it had to be).
template <class T, region R>
class ptr {
public:
    using element_type = T;
    static constexpr region where = R;
    static constexpr bool is_packet = R == region::packet;

    constexpr ptr(detail::address a) noexcept : a_(a), b_(a.b) {}

    [[nodiscard]] constexpr ref<T, R> operator*() const { return ref<T, R>(a_); }
    /// A member: `p[&S::m]`.
    template <class M, class S = T>
        requires detail::is_record<S>
    [[nodiscard]] constexpr ref<M, R> operator[](M S::*m) const {
        return ref<M, R>(a_.plus(offset_of(m)));
    }
    /// Members by name, for the types that have a view (headers, contexts): `ip->saddr`.
    [[nodiscard]] constexpr auto operator->() const
        requires has_view<T>
    {
        struct arrow {
            view<T, R> v;
            constexpr view<T, R>* operator->() noexcept { return &v; }
        };
        return arrow{view<T, R>(a_)};
    }
    /// The pointer `k` elements on (a constant).
    [[nodiscard]] constexpr ptr operator+(std::int32_t k) const {
        return ptr(a_.plus(k * static_cast<std::int32_t>(sizeof(T))));
    }

    /// (internal)
    [[nodiscard]] constexpr const detail::address& where_() const noexcept { return a_; }

    template <class V, region R2> friend class ref;

private:
    friend struct detail::access;
    detail::address a_;
    detail::builder* b_;
};

/// A T on the stack of the program: `c::local<event> e{ctx};` then
/// `e[&event::pid] = pid;`, and `e` wherever a helper or map wants memory.
template <class T>
class local : public ref<T, region::stack> {
public:
    template <detail::program_part P>
    constexpr explicit local(const P& p)
        : ref<T, region::stack>(detail::address{detail::access::program(p),
                                                detail::stack_op(detail::access::program(p)->stack_slot(
                                                    sizeof(T), alignof(T) < 8 ? alignof(T) : 8)),
                                                0}) {}
    using ref<T, region::stack>::operator=;
};

/// `c::zeroed`: a local, key or value of all zero bytes.
struct zeroed_t {};
inline constexpr zeroed_t zeroed{};

namespace detail {

/// The kernel's rules for context field (off, size) of the program type compiled.
constexpr void check_context(const builder& b, std::int32_t off, std::uint32_t size, bool write) {
    if (b.context_access(off, size, write)) return;
    if (write) diagnostic::context_field_not_writable_by_this_program_type();
    diagnostic::context_field_not_readable_by_this_program_type();
}

template <class T, region R>
[[nodiscard]] constexpr val<T> load(const address& a) {
    auto& b = *a.b;
    if constexpr (R == region::context) check_context(b, a.off, sizeof(T), false);
    operand base = a.base;
    std::int32_t off = a.off;
    if constexpr (R == region::kernel || R == region::user) {
        base = stack_op(probe_read(R, a, sizeof(T)));
        off = 0;
    }
    const vreg r = b.load(sizeof(T), false, base, off);
    if constexpr (signed_of<T> && sizeof(T) < 4) return val<T>(&b, b.unary(op_kind::sext, bits_of<T>, true, reg_op(r)));
    else return val<T>(&b, r);
}

template <class T, region R>
constexpr void store(const address& a, const val<T>& v) {
    static_assert(R != region::kernel && R != region::user,
                  "bpfxx: kernel and user memory are read-only here (bpf_probe_read_*); copy what you need");
    auto& b = *either(a.b, access::program(v));
    if constexpr (R == region::context) check_context(b, a.off, sizeof(T), true);
    b.store(sizeof(T), a.base, a.off, v.operand());
}

/// Writes zeros over `bytes` at a stack address (8 bytes per store where aligned).
constexpr void zero_stack(builder& b, std::int32_t slot, std::uint32_t bytes) {
    std::uint32_t at = 0;
    while (at < bytes) {
        const std::uint32_t left = bytes - at;
        const std::uint32_t n = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
        b.store(n, stack_op(slot), static_cast<std::int32_t>(at), imm_op(0));
        at += n;
    }
}

} // namespace detail

/// `lock *p += x` (4- or 8-byte scalars in maps, records or the stack).
template <class T, region R, class X>
constexpr void atomic_add(const ref<T, R>& r, const X& x) {
    static_assert(detail::integer<T> && (sizeof(T) == 4 || sizeof(T) == 8),
                  "bpfxx: atomic operations need a 32- or 64-bit integer");
    static_assert(R == region::map_value || R == region::ringbuf || R == region::stack,
                  "bpfxx: atomic operations work on map values, records and the stack");
    const val<T> v = detail::stored_as<T>(x);
    const auto& a = r.where_();
    auto& b = *detail::either(a.b, detail::access::program(v));
    b.atomic(atomic_op::add, sizeof(T), a.base, a.off, v.operand());
}

} // namespace bpfxx::c
