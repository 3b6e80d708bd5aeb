#pragma once
// Typed values: `c::val<T>` (the result of an expression: a constant, or a
// register the program computes), `c::var<T>` (a variable: `c::u32 x{ctx,
// 0}; x += 1;`), `c::cond` (a comparison, kept as such until a branch
// consumes it as a compare-and-jump), their operators and conversions.
//
// A value narrower than its destination converts silently; one wider (or
// a big-endian value where a host one is wanted) does not compile: narrow
// it with `c::cast<T>(v)`, convert byte order with `c::ntoh16(v)`.
//
// One concept: val, var and cond with their operators — an operator lives with
// the types it takes.

#include <bpfxx/c/ir.hpp>
#include <bpfxx/c/scalar.hpp>

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace bpfxx::c {

template <detail::scalar T> class val;
template <detail::scalar T> class var;
class cond;

namespace detail {

template <class T> inline constexpr bool always_false = false;

/// Reaches the builder inside the typed objects (their state is private).
struct access {
    template <class X>
        requires requires(const X& x) {
            { x.b_ } -> std::convertible_to<builder*>;
        }
    [[nodiscard]] static constexpr builder* program(const X& x) noexcept {
        return x.b_;
    }
};

/// Anything that belongs to a program: a context, a map, a value with a register …
template <class X>
concept program_part = requires(const X& x) { access::program(x); };

[[nodiscard]] constexpr builder* either(builder* a, builder* b) {
    if (a != nullptr && b != nullptr && a != b) diagnostic::values_of_different_programs_mixed();
    return a != nullptr ? a : b;
}

template <class X> struct value_type_of_ {};
template <class X>
    requires requires { typename X::value_type; }
struct value_type_of_<X> {
    using type = typename X::value_type;
};
template <class X> using value_type_of = typename value_type_of_<X>::type;

/// What reads as a scalar: a val, a var, a field or other memory reference.
template <class X>
concept expression = requires(const X& x) {
    typename X::value_type;
    requires scalar<typename X::value_type>;
    { x.value() } -> std::same_as<val<typename X::value_type>>;
};

/// A value of type T from an expression or a constant.
template <class T, class X>
[[nodiscard]] constexpr val<T> to_val(const X& x);

/// The register form of `v` converted to T (the conversion C does, and the
/// one instruction it may take: zero- or sign-extension).
template <class T, class U>
[[nodiscard]] constexpr val<T> convert(const val<U>& v);

} // namespace detail

/// The result of an expression: a constant, or a register of the program.
/// Immutable: to change a value, use a `c::var`.
template <detail::scalar T>
class val {
public:
    using value_type = T;

    /// A constant (checked to fit T while the program is built).
    template <detail::integer I>
        requires(!detail::is_big_endian<T>)
    constexpr val(I k) : k_(static_cast<std::int64_t>(k)) {
        if (!detail::fits<T>(k)) diagnostic::constant_does_not_fit_in_destination();
    }
    /// A big-endian constant (`c::hton16(0x0800)`).
    constexpr val(T k)
        requires detail::is_big_endian<T>
        : k_(static_cast<std::int64_t>(k)) {}

    /// A narrower value of another type: widened as C would.
    template <detail::scalar U>
        requires(!std::same_as<U, T>)
    constexpr val(const val<U>& v) : val(detail::convert<T>(v)) {
        static_assert(!detail::is_big_endian<U> && !detail::is_big_endian<T>,
                      "bpfxx: a value of one byte order where another is wanted: convert it with c::ntoh16/ntoh32 "
                      "(or c::hton16/hton32)");
        static_assert(detail::bits_of<U> <= detail::bits_of<T>,
                      "bpfxx: the value is wider than its destination: narrow it with c::cast<T>(v)");
    }
    template <detail::expression X>
        requires(!std::same_as<X, val>)
    constexpr val(const X& x) : val(x.value()) {}

    constexpr val(const val&) = default;
    val& operator=(const val&) = delete; // a val never changes: assign to a c::var

    [[nodiscard]] constexpr val value() const { return *this; }
    [[nodiscard]] constexpr bool is_constant() const noexcept { return r_ == detail::no_reg; }
    /// The constant (is_constant()): T's value, sign- or zero-extended.
    [[nodiscard]] constexpr std::int64_t constant() const noexcept { return k_; }
    [[nodiscard]] constexpr detail::operand operand() const noexcept {
        return is_constant() ? detail::imm_op(k_) : detail::reg_op(r_);
    }

    /// (internal) The value in register r of program b.
    constexpr val(detail::builder* b, detail::vreg r) noexcept : b_(b), r_(r) {}
    /// (internal) The constant k (already T's value).
    [[nodiscard]] static constexpr val from_constant(std::int64_t k) noexcept {
        val v(nullptr, detail::no_reg);
        v.k_ = k;
        return v;
    }

private:
    friend struct detail::access;
    detail::builder* b_ = nullptr;
    detail::vreg r_ = detail::no_reg;
    std::int64_t k_ = 0;
};

template <detail::expression X> val(const X&) -> val<typename X::value_type>;

namespace detail {

template <class T, class U>
[[nodiscard]] constexpr val<T> convert(const val<U>& v) {
    if constexpr (std::is_same_v<T, U>) {
        return v;
    } else {
        if (v.is_constant()) return val<T>::from_constant(canonical<T>(static_cast<std::uint64_t>(v.constant())));
        builder& b = *access::program(v);
        const vreg r = v.operand().reg();
        // how the register holds U, and how T must be held
        constexpr bool u_exact = !(bits_of<U> == 32 && signed_of<U>); // i32: low 32 bits only
        if constexpr (bits_of<T> == 64) {
            if constexpr (u_exact) return val<T>(&b, r);
            else return val<T>(&b, b.memo(op_kind::sext, 32, true, r));
        } else if constexpr (bits_of<T> == 32 && signed_of<T>) {
            return val<T>(&b, r);
        } else if constexpr (!signed_of<T>) { // u32, u16, u8: zero-extended
            if constexpr (!signed_of<U> && bits_of<U> <= bits_of<T>) return val<T>(&b, r);
            else if constexpr (bits_of<T> == 32) return val<T>(&b, b.copy(reg_op(r), false)); // mov32
            else return val<T>(&b, b.alu(code::and_, false, reg_op(r), imm_op((1 << bits_of<T>) - 1)));
        } else { // i16, i8: sign-extended from their width
            if constexpr (bits_of<U> < bits_of<T>) return val<T>(&b, r);
            else return val<T>(&b, b.memo(op_kind::sext, static_cast<std::uint8_t>(bits_of<T>), true, r));
        }
    }
}

template <class T, class X>
[[nodiscard]] constexpr val<T> to_val(const X& x) {
    if constexpr (integer<X>) {
        return val<T>(x);
    } else if constexpr (std::is_same_v<X, T>) { // a big-endian constant
        return val<T>(x);
    } else {
        return val<T>(x.value());
    }
}

/// `x` as the sizeof(T) bytes a store of T writes: an integer of the same
/// size is taken as it is (a store writes only its low bytes), a narrower
/// one widened, a wider one refused (as by to_val).
template <class T, class X>
[[nodiscard]] constexpr val<T> stored_as(const X& x) {
    if constexpr (expression<X>) {
        using U = typename X::value_type;
        if constexpr (integer<U> && integer<T> && sizeof(U) == sizeof(T) && !std::is_same_v<U, T>) {
            const val<U> v = x.value();
            return v.is_constant() ? val<T>::from_constant(canonical<T>(static_cast<std::uint64_t>(v.constant())))
                                   : val<T>(access::program(v), v.operand().reg());
        } else {
            return to_val<T>(x);
        }
    } else {
        return to_val<T>(x);
    }
}

/// The type a binary operation sees for X (an integer constant takes the other side's).
template <class X, class Other> struct operand_type_ {
    using type = value_type_of<Other>;
};
template <class X, class Other>
    requires expression<X>
struct operand_type_<X, Other> {
    using type = value_type_of<X>;
};
template <class X, class Other> using operand_type = typename operand_type_<X, Other>::type;

template <class A, class B>
concept operands = (expression<A> && (expression<B> || integer<B> || is_big_endian<B>)) ||
                   ((integer<A> || is_big_endian<A>) && expression<B>);

[[nodiscard]] constexpr std::uint64_t fold(std::uint8_t op, std::uint64_t a, std::uint64_t b, unsigned bits,
                                           bool is_signed) noexcept {
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    const unsigned shift = static_cast<unsigned>(b & (bits - 1));
    const auto sa = static_cast<std::int64_t>(a), sb = static_cast<std::int64_t>(b);
    switch (op) {
    case code::add: return a + b;
    case code::sub: return a - b;
    case code::mul: return a * b;
    case code::div:
        if ((b & mask) == 0) return 0;
        if (is_signed) return sb == -1 ? 0 - a : static_cast<std::uint64_t>(sa / sb);
        return (a & mask) / (b & mask);
    case code::mod:
        if ((b & mask) == 0) return a;
        if (is_signed) return sb == -1 ? 0 : static_cast<std::uint64_t>(sa % sb);
        return (a & mask) % (b & mask);
    case code::or_: return a | b;
    case code::and_: return a & b;
    case code::xor_: return a ^ b;
    case code::lsh: return a << shift;
    case code::rsh: return (a & mask) >> shift;
    case code::arsh: return static_cast<std::uint64_t>(sa >> shift);
    default: return 0;
    }
}

/// `a op b` in type R.
template <class R>
[[nodiscard]] constexpr val<R> arith(std::uint8_t op, const val<R>& a, const val<R>& b) {
    if (op == code::rsh && signed_of<R>) op = code::arsh;
    if (a.is_constant() && b.is_constant())
        return val<R>::from_constant(canonical<R>(fold(op, static_cast<std::uint64_t>(a.constant()),
                                                       static_cast<std::uint64_t>(b.constant()), bits_of<R>,
                                                       signed_of<R>)));
    builder& bd = *either(access::program(a), access::program(b));
    operand x = a.operand(), y = b.operand();
    if (x.is_imm()) {
        if (commutative(op)) std::swap(x, y);
        else x = reg_op(bd.copy(x, wide<R>));
    }
    if (y.is_imm() && wide<R> && !fits_s32(y.v)) y = reg_op(bd.copy(y));
    const vreg d = bd.alu(op, wide<R>, x, y);
    if (signed_of<R> && (op == code::div || op == code::mod)) bd.ops.back().sign = true;
    return val<R>(&bd, d);
}

template <std::uint8_t Op, class A, class B>
[[nodiscard]] constexpr auto binary(const A& a, const B& b) {
    using TA = operand_type<A, B>;
    using TB = operand_type<B, A>;
    static_assert(!is_big_endian<TA> && !is_big_endian<TB>,
                  "bpfxx: arithmetic on a big-endian value: convert it with c::ntoh16/ntoh32 first");
    using R = common<TA, TB>;
    // one statement each: the operands' loads come in the order they are written, with any compiler
    const auto x = convert<R>(to_val<TA>(a));
    const auto y = convert<R>(to_val<TB>(b));
    return arith<R>(Op, x, y);
}

template <std::uint8_t Op, class A, class B>
[[nodiscard]] constexpr auto shift(const A& a, const B& b) {
    using TA = promoted<operand_type<A, B>>;
    static_assert(!is_big_endian<TA>, "bpfxx: shifting a big-endian value: convert it with c::ntoh16/ntoh32 first");
    if constexpr (integer<B>) {
        if (b < 0 || static_cast<unsigned long long>(b) >= bits_of<TA>) diagnostic::constant_does_not_fit_in_destination();
        return arith<TA>(Op, convert<TA>(to_val<operand_type<A, B>>(a)), val<TA>::from_constant(static_cast<std::int64_t>(b)));
    } else {
        const auto x = convert<TA>(to_val<operand_type<A, B>>(a));
        const auto y = convert<TA>(b.value());
        return arith<TA>(Op, x, y);
    }
}

/// Bitwise operations also work on big-endian values of one kind (masks in network order).
template <std::uint8_t Op, class A, class B>
[[nodiscard]] constexpr auto bitwise(const A& a, const B& b) {
    using TA = operand_type<A, B>;
    using TB = operand_type<B, A>;
    if constexpr ((integer<A> && is_big_endian<TB>) || (integer<B> && is_big_endian<TA>)) {
        static_assert(always_false<A>, "bpfxx: a bitwise operation between a big-endian value and a host constant: "
                                       "c::hton16/hton32 the constant");
        return val<TA>::from_constant(0);
    } else if constexpr (is_big_endian<TA> || is_big_endian<TB>) {
        static_assert(std::is_same_v<TA, TB>, "bpfxx: a bitwise operation on values of different byte order");
        using W = std::conditional_t<sizeof(TA) == 8, std::uint64_t, std::uint32_t>;
        const auto x = to_val<TA>(a), y = to_val<TB>(b);
        const auto r = arith<W>(Op, x.is_constant() ? val<W>::from_constant(x.constant()) : val<W>(access::program(x), x.operand().reg()),
                                y.is_constant() ? val<W>::from_constant(y.constant()) : val<W>(access::program(y), y.operand().reg()));
        return r.is_constant() ? val<TA>::from_constant(r.constant()) : val<TA>(access::program(r), r.operand().reg());
    } else {
        return binary<Op>(a, b);
    }
}

} // namespace detail

// ---- conditions ----------------------------------------------------------------

/// A condition: a constant, or a comparison (or && / || of comparisons) that
/// becomes a conditional jump where a branch consumes it.
class cond {
public:
    constexpr cond(bool k) noexcept : k_(k) {}
    constexpr cond(detail::builder* b, std::int32_t node) noexcept : b_(b), node_(node) {}

    [[nodiscard]] constexpr bool is_constant() const noexcept { return node_ < 0; }
    [[nodiscard]] constexpr bool constant() const noexcept { return k_; }
    /// (internal) The condition's node in its program.
    [[nodiscard]] constexpr std::int32_t node() const noexcept { return node_; }

    [[nodiscard]] friend constexpr cond operator!(const cond& c) {
        if (c.is_constant()) return cond(!c.k_);
        return cond(c.b_, c.b_->negate(c.node_));
    }
    [[nodiscard]] friend constexpr cond operator&&(const cond& a, const cond& b) {
        if (a.is_constant()) return a.k_ ? b : a;
        if (b.is_constant()) return b.k_ ? a : b;
        auto* p = detail::either(a.b_, b.b_);
        return cond(p, p->combine(detail::cond_kind::all, a.node_, b.node_));
    }
    [[nodiscard]] friend constexpr cond operator||(const cond& a, const cond& b) {
        if (a.is_constant()) return a.k_ ? a : b;
        if (b.is_constant()) return b.k_ ? b : a;
        auto* p = detail::either(a.b_, b.b_);
        return cond(p, p->combine(detail::cond_kind::any, a.node_, b.node_));
    }

private:
    friend struct detail::access;
    detail::builder* b_ = nullptr;
    std::int32_t node_ = -1;
    bool k_ = false;
};

namespace detail {

[[nodiscard]] constexpr bool holds(std::uint8_t jop, std::int64_t a, std::int64_t b, bool wide) noexcept {
    const auto ua = wide ? static_cast<std::uint64_t>(a) : static_cast<std::uint32_t>(a);
    const auto ub = wide ? static_cast<std::uint64_t>(b) : static_cast<std::uint32_t>(b);
    const auto sa = wide ? a : static_cast<std::int32_t>(a);
    const auto sb = wide ? b : static_cast<std::int32_t>(b);
    switch (jop) {
    case code::jeq: return ua == ub;
    case code::jne: return ua != ub;
    case code::jgt: return ua > ub;
    case code::jge: return ua >= ub;
    case code::jlt: return ua < ub;
    case code::jle: return ua <= ub;
    case code::jsgt: return sa > sb;
    case code::jsge: return sa >= sb;
    case code::jslt: return sa < sb;
    case code::jsle: return sa <= sb;
    case code::jset: return (ua & ub) != 0;
    default: return false;
    }
}

template <class R>
[[nodiscard]] constexpr cond compare_values(std::uint8_t jop, const val<R>& a, const val<R>& b) {
    constexpr bool w = wide<R>;
    if (signed_of<R>) {
        switch (jop) {
        case code::jgt: jop = code::jsgt; break;
        case code::jge: jop = code::jsge; break;
        case code::jlt: jop = code::jslt; break;
        case code::jle: jop = code::jsle; break;
        default: break;
        }
    }
    if (a.is_constant() && b.is_constant()) return cond(holds(jop, a.constant(), b.constant(), w));
    builder& bd = *either(access::program(a), access::program(b));
    return cond(&bd, bd.compare(jop, w, a.operand(), b.operand()));
}

template <std::uint8_t Jop, class A, class B>
[[nodiscard]] constexpr cond compare(const A& a, const B& b) {
    using TA = operand_type<A, B>;
    using TB = operand_type<B, A>;
    if constexpr ((integer<A> && is_big_endian<TB>) || (integer<B> && is_big_endian<TA>)) {
        static_assert(always_false<A>, "bpfxx: comparing a big-endian value with a host one: c::hton16/hton32 the "
                                       "constant, or c::ntoh16/ntoh32 the value");
        return cond(false);
    } else if constexpr (is_big_endian<TA> || is_big_endian<TB>) {
        static_assert(std::is_same_v<TA, TB>,
                      "bpfxx: comparing a big-endian value with a host one: c::hton16/hton32 the constant, or "
                      "c::ntoh16/ntoh32 the value");
        static_assert(Jop == code::jeq || Jop == code::jne || Jop == code::jset,
                      "bpfxx: ordering big-endian values: convert them with c::ntoh16/ntoh32 first");
        using W = std::conditional_t<sizeof(TA) == 8, std::uint64_t, std::uint32_t>;
        const auto x = to_val<TA>(a), y = to_val<TB>(b);
        const auto as_w = [](const auto& v) {
            return v.is_constant() ? val<W>::from_constant(v.constant()) : val<W>(access::program(v), v.operand().reg());
        };
        return compare_values<W>(Jop, as_w(x), as_w(y));
    } else {
        static_assert(integer<A> || integer<B> || signed_of<TA> == signed_of<TB>,
                      "bpfxx: comparing a signed with an unsigned value: convert one with c::cast<T>(v)");
        using R = common<TA, TB>;
        const auto x = convert<R>(to_val<TA>(a));
        const auto y = convert<R>(to_val<TB>(b));
        return compare_values<R>(Jop, x, y);
    }
}

/// The condition `x != 0` for an expression (a value used where a condition is wanted).
template <class X>
[[nodiscard]] constexpr cond truth(const X& x) {
    if constexpr (std::is_same_v<X, cond>) return x;
    else if constexpr (std::is_same_v<X, bool>) return cond(x);
    else return compare<code::jne>(x, 0);
}

} // namespace detail

// ---- operators -------------------------------------------------------------------

template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator+(const A& a, const B& b) { return detail::binary<code::add>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator-(const A& a, const B& b) { return detail::binary<code::sub>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator*(const A& a, const B& b) { return detail::binary<code::mul>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator/(const A& a, const B& b) { return detail::binary<code::div>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator%(const A& a, const B& b) { return detail::binary<code::mod>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator&(const A& a, const B& b) { return detail::bitwise<code::and_>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator|(const A& a, const B& b) { return detail::bitwise<code::or_>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator^(const A& a, const B& b) { return detail::bitwise<code::xor_>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator<<(const A& a, const B& b) { return detail::shift<code::lsh>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator>>(const A& a, const B& b) { return detail::shift<code::rsh>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator==(const A& a, const B& b) { return detail::compare<code::jeq>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator!=(const A& a, const B& b) { return detail::compare<code::jne>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator<(const A& a, const B& b) { return detail::compare<code::jlt>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator<=(const A& a, const B& b) { return detail::compare<code::jle>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator>(const A& a, const B& b) { return detail::compare<code::jgt>(a, b); }
template <class A, class B>
    requires detail::operands<A, B>
[[nodiscard]] constexpr auto operator>=(const A& a, const B& b) { return detail::compare<code::jge>(a, b); }

template <detail::expression X>
[[nodiscard]] constexpr auto operator-(const X& x) {
    using R = detail::promoted<typename X::value_type>;
    static_assert(!detail::is_big_endian<R>, "bpfxx: negating a big-endian value");
    const auto v = detail::convert<R>(x.value());
    if (v.is_constant()) return val<R>::from_constant(detail::canonical<R>(0 - static_cast<std::uint64_t>(v.constant())));
    auto& b = *detail::access::program(v);
    return val<R>(&b, b.unary(detail::op_kind::neg, 0, detail::wide<R>, v.operand()));
}
template <detail::expression X>
[[nodiscard]] constexpr auto operator~(const X& x) {
    using R = detail::promoted<typename X::value_type>;
    static_assert(!detail::is_big_endian<R>, "bpfxx: complementing a big-endian value");
    return detail::arith<R>(code::xor_, detail::convert<R>(x.value()), val<R>::from_constant(detail::canonical<R>(~0ull)));
}
template <detail::expression X>
[[nodiscard]] constexpr cond operator!(const X& x) {
    return detail::compare<code::jeq>(x, 0);
}

// ---- conversions ---------------------------------------------------------------

/// Any integer value as T (truncating, or extending as C does).
template <detail::integer T, class X>
    requires detail::expression<X> || detail::integer<X>
[[nodiscard]] constexpr val<T> cast(const X& x) {
    if constexpr (detail::integer<X>) {
        return val<T>::from_constant(detail::canonical<T>(static_cast<std::uint64_t>(x)));
    } else {
        static_assert(!detail::is_big_endian<typename X::value_type>,
                      "bpfxx: c::cast does not change byte order: use c::ntoh16/ntoh32");
        return detail::convert<T>(x.value());
    }
}

namespace detail {
template <class H, class B, class X>
[[nodiscard]] constexpr val<H> swap_bytes(const X& x) {
    const val<B> v = x.value();
    if (v.is_constant())
        return val<H>::from_constant(static_cast<std::int64_t>(
            canonical<H>(static_cast<std::uint64_t>(ntoh64(static_cast<be64>(static_cast<std::uint64_t>(v.constant())))) >>
                         (64 - bits_of<H>))));
    auto& b = *access::program(v);
    return val<H>(&b, b.memo(op_kind::bswap, static_cast<std::uint8_t>(bits_of<H>), true, v.operand().reg()));
}
} // namespace detail

/// A big-endian value in host order: one `be16` instruction, once per value.
template <class X>
    requires detail::expression<X> && std::is_same_v<typename X::value_type, be16>
[[nodiscard]] constexpr val<std::uint16_t> ntoh16(const X& x) {
    return detail::swap_bytes<std::uint16_t, be16>(x);
}
template <class X>
    requires detail::expression<X> && std::is_same_v<typename X::value_type, be32>
[[nodiscard]] constexpr val<std::uint32_t> ntoh32(const X& x) {
    return detail::swap_bytes<std::uint32_t, be32>(x);
}
template <class X>
    requires detail::expression<X> && std::is_same_v<typename X::value_type, be64>
[[nodiscard]] constexpr val<std::uint64_t> ntoh64(const X& x) {
    return detail::swap_bytes<std::uint64_t, be64>(x);
}
/// A host value in network order.
template <class X>
    requires detail::expression<X> && (sizeof(typename X::value_type) <= 2)
[[nodiscard]] constexpr val<be16> hton16(const X& x) {
    const val<std::uint16_t> h = x.value();
    const auto s = detail::swap_bytes<std::uint16_t, std::uint16_t>(h);
    return s.is_constant() ? val<be16>::from_constant(s.constant()) : val<be16>(detail::access::program(s), s.operand().reg());
}
template <class X>
    requires detail::expression<X> && (sizeof(typename X::value_type) <= 4)
[[nodiscard]] constexpr val<be32> hton32(const X& x) {
    const val<std::uint32_t> h = x.value();
    const auto s = detail::swap_bytes<std::uint32_t, std::uint32_t>(h);
    return s.is_constant() ? val<be32>::from_constant(s.constant()) : val<be32>(detail::access::program(s), s.operand().reg());
}

// ---- variables ---------------------------------------------------------------------

/// A variable of the program: `c::u32 n{ctx, 0}; n += 1;`. Assignments in
/// branches join as in C; reading one on a path where it was never set
/// does not compile (diagnostic::variable_read_before_set).
template <detail::scalar T>
class var {
public:
    using value_type = T;

    /// Not set yet: `c::u32 x{ctx};`.
    template <detail::program_part P>
        requires(!detail::expression<P>)
    constexpr explicit var(const P& p) : b_(detail::access::program(p)), r_(b_->new_reg(true)) {}
    /// Set to a constant or a value: `c::u32 x{ctx, 0};`.
    template <detail::program_part P, class X>
        requires detail::integer<X> || detail::expression<X> || std::is_same_v<X, T>
    constexpr var(const P& p, const X& initial) : var(p) {
        *this = initial;
    }
    /// Set to a value of the program: `c::u64 t = ctx.ktime_get_ns();`.
    template <detail::expression X>
    constexpr var(const X& initial) : var(detail::to_val<T>(initial), 0) {}
    template <detail::integer I>
    var(I) {
        static_assert(detail::always_false<I>, "bpfxx: a variable made from a constant needs its program: "
                                               "write c::u32 x{ctx, 0}");
    }
    /// A new variable holding other's current value.
    constexpr var(const var& other) : var(other.value()) {}

    /// Assigns a value (not a rebinding: the program's variable changes).
    constexpr var& operator=(const var& other) {
        if (this != &other) *this = other.value();
        return *this;
    }
    template <class X>
        requires detail::integer<X> || detail::expression<X> || std::is_same_v<X, T>
    constexpr var& operator=(const X& x) {
        const val<T> v = detail::to_val<T>(x);
        (void)detail::either(b_, detail::access::program(v));
        b_->assign(r_, v.operand(), true);
        return *this;
    }

    /// The current value (read here: later assignments do not change it).
    [[nodiscard]] constexpr val<T> value() const {
        if (b_->live && !b_->set[static_cast<std::size_t>(r_)]) diagnostic::variable_read_before_set();
        return val<T>(b_, b_->copy(detail::reg_op(r_)));
    }

    template <class X> constexpr var& operator+=(const X& x) { return *this = cast<T>(*this + x); }
    template <class X> constexpr var& operator-=(const X& x) { return *this = cast<T>(*this - x); }
    template <class X> constexpr var& operator*=(const X& x) { return *this = cast<T>(*this * x); }
    template <class X> constexpr var& operator/=(const X& x) { return *this = cast<T>(*this / x); }
    template <class X> constexpr var& operator%=(const X& x) { return *this = cast<T>(*this % x); }
    template <class X> constexpr var& operator&=(const X& x) { return *this = cast<T>(*this & x); }
    template <class X> constexpr var& operator|=(const X& x) { return *this = cast<T>(*this | x); }
    template <class X> constexpr var& operator^=(const X& x) { return *this = cast<T>(*this ^ x); }
    template <class X> constexpr var& operator<<=(const X& x) { return *this = cast<T>(*this << x); }
    template <class X> constexpr var& operator>>=(const X& x) { return *this = cast<T>(*this >> x); }

private:
    friend struct detail::access;
    detail::builder* b_ = nullptr;
    detail::vreg r_ = detail::no_reg;

    constexpr var(const val<T>& v, int) : b_(detail::access::program(v)) {
        if (b_ == nullptr) diagnostic::variable_needs_its_program_write_var_ctx_value();
        r_ = b_->new_reg(true);
        *this = v;
    }
};

using u8 = var<std::uint8_t>;
using u16 = var<std::uint16_t>;
using u32 = var<std::uint32_t>;
using u64 = var<std::uint64_t>;
using i8 = var<std::int8_t>;
using i16 = var<std::int16_t>;
using i32 = var<std::int32_t>;
using i64 = var<std::int64_t>;

} // namespace bpfxx::c
