#pragma once
// Calling helpers with typed arguments, checked against their signatures
// (isa/helper_signature.hpp, named in c/signatures.hpp): a map where a map goes, memory of the right kind where
// memory goes, the context where the context goes. A mistake is a
// static_assert whose note names the helper, the argument's position, the
// kind it takes and the C++ type given.

#include <bpfxx/asm/items.hpp>
#include <bpfxx/c/memory.hpp>
#include <bpfxx/c/signatures.hpp>
#include <bpfxx/c/value.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace bpfxx::c {

template <map_descriptor M> class map;
template <class T> class record;

namespace detail {

/// Base of the context types (context.hpp).
struct context_tag {};
/// Base of the map handles (maps.hpp).
struct map_tag {};

template <class X> inline constexpr bool is_context = std::is_base_of_v<context_tag, X>;
template <class X> inline constexpr bool is_map = std::is_base_of_v<map_tag, X>;

template <class X> struct pointer_traits_ {
    static constexpr bool pointer = false;
};
template <class T, region R> struct pointer_traits_<ptr<T, R>> {
    static constexpr bool pointer = true;
    static constexpr region where = R;
    using element = T;
};
template <class T, region R>
    requires(!scalar<T>)
struct pointer_traits_<ref<T, R>> {
    static constexpr bool pointer = true;
    static constexpr region where = R;
    using element = T;
};
template <class T> struct pointer_traits_<local<T>> {
    static constexpr bool pointer = true;
    static constexpr region where = region::stack;
    using element = T;
};
template <class T> struct pointer_traits_<record<T>> {
    static constexpr bool pointer = true;
    static constexpr region where = region::ringbuf;
    using element = T;
};
template <class X> using pointer_traits = pointer_traits_<std::remove_cvref_t<X>>;

/// Memory the program may point at: a pointer, a local, an array or struct field.
template <class X>
concept memory = pointer_traits<X>::pointer && !is_context<X>;

template <class X>
concept scalar_argument = integer<X> || expression<X>;

template <class X>
[[nodiscard]] constexpr bool readable_region() {
    constexpr auto r = pointer_traits<X>::where;
    return r == region::stack || r == region::map_value || r == region::packet || r == region::ringbuf;
}
template <class X>
[[nodiscard]] constexpr bool writable_region() {
    constexpr auto r = pointer_traits<X>::where;
    return r == region::stack || r == region::map_value || r == region::ringbuf;
}

/// Whether an argument of C++ type X is of the kind K.
template <arg K, class X>
[[nodiscard]] constexpr bool accepts() {
    if constexpr (is_context<X>) return K == arg::context || K == arg::anything;
    else if constexpr (is_map<X>) return K == arg::map;
    else if constexpr (memory<X>) {
        switch (K) {
        case arg::map_key:
        case arg::map_value:
        case arg::mem: return readable_region<X>();
        case arg::map_value_out:
        case arg::out_mem: return writable_region<X>();
        case arg::record: return pointer_traits<X>::where == region::ringbuf;
        case arg::anything: return true;
        default: return false;
        }
    } else if constexpr (scalar_argument<X>) {
        return K == arg::scalar || K == arg::size || K == arg::anything;
    } else {
        return false;
    }
}

template <helper H, std::size_t Position, arg Takes, class Given>
constexpr void check_argument() {
    static_assert(accepts<Takes, Given>(),
                  "bpfxx: a helper argument of the wrong kind (the note names the helper, the argument's "
                  "position, the kind the helper takes and the C++ type given)");
}

/// The address of memory (a pointer, a local, a field).
template <memory X>
[[nodiscard]] constexpr address address_of(const X& x) {
    return x.where_();
}

/// The operand of one argument.
template <class X>
[[nodiscard]] constexpr operand argument(builder& b, const X& x) {
    if constexpr (is_context<X>) return reg_op(builder::context());
    else if constexpr (is_map<X>) return map_op(x.index());
    else if constexpr (memory<X>) return address_of(x).as_operand();
    else if constexpr (integer<X>) return imm_op(static_cast<std::int64_t>(x));
    else {
        using T = typename X::value_type;
        using W = std::conditional_t<signed_of<T>, std::int64_t, std::uint64_t>;
        (void)b;
        return convert<W>(x.value()).operand();
    }
}

template <class X>
[[nodiscard]] constexpr builder* program_of(const X& x) {
    if constexpr (integer<X>) return nullptr;
    else if constexpr (memory<X>) return address_of(x).b;
    else if constexpr (expression<X>) return access::program(x.value());
    else return access::program(x);
}

/// Calls helper H with `args`, checked against its signature; r0 as a u64.
template <helper H, class... A>
[[nodiscard]] constexpr val<std::uint64_t> call(builder& b, const A&... args) {
    constexpr signature s = signature_of(H);
    static_assert(s.known(), "bpfxx: the SDK knows no signature for this helper (its row in bpfxx/isa/helpers.hpp)");
    static_assert(sizeof...(A) == s.arity(), "bpfxx: a helper called with the wrong number of arguments");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (check_argument<H, I, s.args[I], A>(), ...);
    }(std::index_sequence_for<A...>{});
    ((void)either(&b, program_of(args)), ...);
    return val<std::uint64_t>(&b, b.call(static_cast<std::int32_t>(H), {argument(b, args)...}));
}

} // namespace detail
} // namespace bpfxx::c
