#pragma once
// Structured control flow: `if_(cond, [&] { ... }).else_([&] { ... })`,
// returns (a branch body that returns a value makes the program return
// it: `if_(x == 0, [] { return xdp::pass; })`), `select(c, a, b)`, bounded
// loops `loop(ctx, n, [&](c::val<std::uint32_t> i) { ... })`, and
// `maybe<P>`: a pointer that may be null or out of bounds, usable only
// through a check (`if_(m, [&](P p) {...})`, `m.or_return(k)`).
//
// A plain C++ loop around typed code unrolls it: `for (unsigned b : {32,
// 16, 8}) c::if_(...)` emits three branches.

#include <bpfxx/c/ir.hpp>
#include <bpfxx/c/value.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace bpfxx::c {

namespace detail {

/// The operand a program returns for `x` (a constant, or a value: 32-bit
/// signed values are widened, the kernel reads r0 as a whole).
template <class X>
[[nodiscard]] constexpr operand return_operand(const X& x) {
    if constexpr (integer<X>) {
        return imm_op(static_cast<std::int64_t>(x));
    } else if constexpr (std::is_same_v<X, cond>) {
        static_assert(always_false<X>, "bpfxx: return a value, not a condition: c::select(c, 1, 0)");
        return {};
    } else {
        using T = typename X::value_type;
        static_assert(!is_big_endian<T>, "bpfxx: a program returns a host-order value");
        using W = std::conditional_t<signed_of<T>, std::int64_t, std::uint64_t>;
        return convert<W>(x.value()).operand();
    }
}

/// Runs a branch body with `args`; when it returns a value, the program returns it.
template <class F, class... A>
constexpr void run_body(builder& b, F&& f, A&&... args) {
    using R = std::invoke_result_t<F&&, A&&...>;
    if constexpr (std::is_void_v<R>) {
        std::forward<F>(f)(std::forward<A>(args)...);
    } else {
        const auto result = std::forward<F>(f)(std::forward<A>(args)...);
        b.ret(return_operand(result));
    }
}

/// What becomes usable once a maybe<P> is checked (ring buffer records count as open).
template <class P>
constexpr void on_checked(const P& p) {
    if constexpr (requires { p.on_checked(); }) p.on_checked();
}

} // namespace detail

template <class P> class maybe;

/// What `if_` returns: `.else_(f)` adds the other branch.
class branch {
public:
    /// The branch for when the condition does not hold.
    template <class F>
    constexpr void else_(F&& f) && {
        if (b_ == nullptr) { // a constant condition
            if (!taken_) std::forward<F>(f)();
            return;
        }
        b_->begin_else(state_);
        detail::run_body(*b_, std::forward<F>(f));
        b_->end_else(state_);
    }

    /// (internal)
    constexpr branch(detail::builder* b, detail::builder::branch_state s, bool taken) noexcept
        : b_(b), state_(std::move(s)), taken_(taken) {}

private:
    detail::builder* b_;
    detail::builder::branch_state state_;
    bool taken_;
};

namespace detail {
template <class F, class... A>
[[nodiscard]] constexpr branch branch_on(const cond& c, F&& f, A&&... args) {
    if (c.is_constant()) {
        if (c.constant()) std::forward<F>(f)(std::forward<A>(args)...);
        return branch(nullptr, {}, c.constant());
    }
    builder& b = *access::program(c);
    auto s = b.begin_if(c.node());
    (on_checked(args), ...);
    run_body(b, std::forward<F>(f), std::forward<A>(args)...);
    b.end_then(s);
    return branch(&b, std::move(s), false);
}
} // namespace detail

/// `if (c) { f(); }` — c a condition or a value (true when not zero). A body
/// that returns a value makes the program return it.
template <class C, class F>
    requires std::is_same_v<C, cond> || detail::expression<C>
constexpr branch if_(const C& c, F&& f) {
    return detail::branch_on(detail::truth(c), std::forward<F>(f));
}

/// `if (p) { f(p); }` — the only way into a pointer that may be null or out
/// of bounds (besides `or_return`).
template <class P, class F>
constexpr branch if_(const maybe<P>& m, F&& f) {
    return detail::branch_on(m.ok_, std::forward<F>(f), m.p_);
}

/// A pointer that may not be used yet: a map value that may be null, a packet
/// header that may lie past the end, a ring buffer record that may not have
/// been reserved. Check it with `if_(m, f)` or `m.or_return(k)`.
template <class P>
class [[nodiscard]] maybe {
public:
    constexpr maybe(P p, cond ok) : p_(std::move(p)), ok_(ok) {}

    /// The pointer, after `if (!ok) return k;`.
    template <class K>
    [[nodiscard]] constexpr P or_return(const K& k) const {
        if (!ok_.is_constant() || !ok_.constant()) {
            (void)detail::branch_on(!ok_, [&] { return k; });
        }
        detail::on_checked(p_);
        return p_;
    }

    /// The value pointed to, or `fallback` when there is none.
    template <class X>
    [[nodiscard]] constexpr auto value_or(const X& fallback) const {
        using T = typename decltype(*p_)::value_type;
        var<T> out(ok_, fallback);
        (void)detail::branch_on(ok_, [&] { out = *p_; });
        return out.value();
    }

    /// The condition under which the pointer is usable.
    [[nodiscard]] constexpr cond ok() const noexcept { return ok_; }

    // Dereferencing before the check does not compile:
    template <class X = void>
    void operator*() const {
        unchecked<X>();
    }
    template <class X = void>
    void operator->() const {
        unchecked<X>();
    }
    template <class M>
    void operator[](const M&) const {
        unchecked<M>();
    }

private:
    template <class P2, class F> friend constexpr branch if_(const maybe<P2>&, F&&);
    P p_;
    cond ok_;

    template <class X>
    static constexpr void unchecked() {
        if constexpr (P::is_packet)
            static_assert(detail::always_false<X>, "bpfxx: reading a packet without a bounds check: check the "
                                                   "header first (.or_return(k) or if_(header, ...))");
        else
            static_assert(detail::always_false<X>, "bpfxx: dereferencing a map value (or ring buffer record) that "
                                                   "may be null: check it first (.or_return(k) or if_(v, ...))");
    }
};

namespace detail {
template <class A, class B> struct select_types {
    using first = operand_type<A, B>;
    using second = operand_type<B, A>;
};
template <integer A, integer B> struct select_types<A, B> {
    using first = promoted<std::common_type_t<A, B>>;
    using second = first;
};
} // namespace detail

/// `c ? a : b` as a value (both are computed before; one is kept).
template <class A, class B>
[[nodiscard]] constexpr auto select(const cond& c, const A& a, const B& b) {
    using TA = typename detail::select_types<A, B>::first;
    using TB = typename detail::select_types<A, B>::second;
    using T = detail::common<TA, TB>;
    if (c.is_constant())
        return c.constant() ? detail::convert<T>(detail::to_val<TA>(a)) : detail::convert<T>(detail::to_val<TB>(b));
    var<T> out(c, detail::convert<T>(detail::to_val<TB>(b)));
    (void)detail::branch_on(c, [&] { out = detail::convert<T>(detail::to_val<TA>(a)); });
    return out.value();
}

/// The most trips `loop` takes (the verifier walks each one).
inline constexpr std::uint32_t max_loop_trips = 1u << 16;

/// `for (i = 0; i < trips; ++i) body(i);` as a real loop (bounded: the
/// verifier checks every trip). `part` is anything of the program (its context).
template <detail::program_part P, class F>
constexpr void loop(const P& part, std::uint32_t trips, F&& body) {
    detail::builder& b = *detail::access::program(part);
    if (trips == 0 || trips > max_loop_trips) diagnostic::loop_trip_count_out_of_range();
    const bool was_live = b.live;
    const auto i = b.begin_loop(static_cast<std::int32_t>(trips));
    detail::run_body(b, std::forward<F>(body), val<std::uint32_t>(&b, b.copy(detail::reg_op(i))));
    b.end_loop(i, was_live);
}

} // namespace bpfxx::c
