#pragma once
// BTF for C++ types, during constant evaluation: `btf::add_type<T>(writer)`
// adds T and everything it refers to, once, and gives T's id;
// `btf::blob_of<Ts...>` is the finished blob as a constant.
//
//   integers, bool, char …   INT named as clang names the C type ("unsigned int", "_Bool" …)
//   float, double …          FLOAT
//   enums                    ENUM (ENUM64 for values beyond 32 bits) with their enumerators,
//                            found by name between -128 and 255, or as `btf::enumerators<E>` says
//   T*, T[N], std::array     PTR, ARRAY
//   const / volatile T       CONST, VOLATILE
//   structs and unions       STRUCT / UNION with member names from BOOST_HANA_DEFINE_STRUCT,
//                            BOOST_HANA_ADAPT_STRUCT, or `btf::description<T>` (btf/fields.hpp)
//   btf::spin_lock, timer,   the kernel's struct bpf_spin_lock, struct bpf_timer, and
//   kptr<"name">             PTR → TYPE_TAG "kptr" → STRUCT name (btf/special_fields.hpp)
//
// A struct's name is its C++ name without namespaces (template arguments
// spelled into it: `pair<int, long>` → "pair_int_long"); `btf::type_name<T>`
// overrides it. Member offsets follow the members in order (C's rules);
// that they agree with the C++ compiler's is checked against sizeof and
// alignof at compile time.
//
// Boost.Hana gives member names to a C++20 compiler, which has no
// reflection; it is used here only, so that the rest of bpfxx stays light.

#include <bpfxx/btf/fields.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/special_fields.hpp>
#include <bpfxx/btf/writer.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bpfxx::btf {

namespace detail {

/// The compiler's spelling of T (or of a constant, for enum values).
template <class T>
[[nodiscard]] constexpr std::string_view pretty_type() noexcept {
    return __PRETTY_FUNCTION__;
}
template <auto V>
[[nodiscard]] constexpr std::string_view pretty_value() noexcept {
    return __PRETTY_FUNCTION__;
}

/// What follows "T = " (or "V = ") in a __PRETTY_FUNCTION__ of GCC or clang.
[[nodiscard]] constexpr std::string_view spelled_argument(std::string_view pretty, std::string_view marker) noexcept {
    const auto at = pretty.find(marker);
    if (at == std::string_view::npos) return {};
    auto s = pretty.substr(at + marker.size());
    const auto semi = s.find(';'); // GCC: "[with T = x; std::string_view = …]"
    if (semi != std::string_view::npos) return s.substr(0, semi);
    return s.substr(0, s.size() - 1); // clang: "[T = x]"
}

/// The last component of a qualified name, outside template arguments.
[[nodiscard]] constexpr std::string_view unqualified(std::string_view s) noexcept {
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '<' || c == '(') ++depth;
        else if (c == '>' || c == ')') --depth;
        else if (depth == 0 && c == ':' && i + 1 < s.size() && s[i + 1] == ':') start = i + 2;
    }
    return s.substr(start);
}

/// A C++ name as a BTF identifier: other characters become '_', runs of
/// them one, none at either end.
struct identifier {
    std::array<char, 128> chars{};
    std::size_t size = 0;
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data(), size}; }
};
[[nodiscard]] constexpr identifier sanitize(std::string_view s) noexcept {
    identifier out;
    bool gap = false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) {
            gap = out.size != 0;
            continue;
        }
        if (out.size + 2 >= out.chars.size()) break;
        if (gap) out.chars[out.size++] = '_';
        gap = false;
        out.chars[out.size++] = c;
    }
    if (out.size != 0 && out.chars[0] >= '0' && out.chars[0] <= '9') return {}; // not an identifier: anonymous
    return out;
}

/// T's name for BTF: its C++ name without namespaces; empty for unnamed types.
template <class T>
inline constexpr identifier default_name = [] {
    const auto spelled = unqualified(spelled_argument(pretty_type<T>(), "T = "));
    // GCC "<unnamed struct>", clang "(unnamed struct at …)", lambdas: anonymous
    if (spelled.empty() || spelled[0] == '<' || spelled[0] == '(') return identifier{};
    return sanitize(spelled);
}();

} // namespace detail

/// The name T gets in BTF; specialise to choose another.
template <class T>
inline constexpr std::string_view type_name = detail::default_name<T>.view();

// ---------------------------------------------------------------------------
// Enumerators.

namespace detail {

/// Whether `static_cast<E>(V)` names an enumerator, and which.
template <class E, std::int64_t V>
[[nodiscard]] constexpr std::string_view enumerator_name() noexcept {
    const auto s = spelled_argument(pretty_value<static_cast<E>(V)>(), "V = ");
    if (s.empty() || s[0] == '(' || (s[0] >= '0' && s[0] <= '9') || s[0] == '-') return {};
    return unqualified(s);
}

template <class E>
inline constexpr std::int64_t scan_low = std::is_signed_v<std::underlying_type_t<E>> ? -128 : 0;
template <class E>
inline constexpr std::int64_t scan_high = [] {
    using U = std::underlying_type_t<E>;
    return static_cast<std::int64_t>(std::numeric_limits<U>::max()) < 255
               ? static_cast<std::int64_t>(std::numeric_limits<U>::max())
               : std::int64_t{255};
}();

template <class E, std::int64_t Low, std::size_t... I>
[[nodiscard]] constexpr auto scan_enumerators(std::index_sequence<I...>) {
    constexpr std::array<std::string_view, sizeof...(I)> names{enumerator_name<E, Low + static_cast<std::int64_t>(I)>()...};
    constexpr std::size_t n = [&] {
        std::size_t k = 0;
        for (const auto& s : names) k += s.empty() ? 0 : 1;
        return k;
    }();
    std::array<enum_value, n> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (!names[i].empty()) out[k++] = {names[i], Low + static_cast<std::int64_t>(i)};
    return out;
}

} // namespace detail

/// The enumerators of E. By default those whose values lie in [-128, 255]
/// (within E's underlying type), found from the compiler's spelling of each
/// value; specialise with a `std::array<btf::enum_value, N>` for others.
template <class E>
inline constexpr auto enumerators = detail::scan_enumerators<E, detail::scan_low<E>>(
    std::make_index_sequence<static_cast<std::size_t>(detail::scan_high<E> - detail::scan_low<E> + 1)>());

// ---------------------------------------------------------------------------
// The mapping.

namespace detail {

#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;
#endif

template <class T> inline constexpr bool is_std_array = false;
template <class T, std::size_t N> inline constexpr bool is_std_array<std::array<T, N>> = true;

template <class T>
concept hana_struct = boost::hana::Struct<T>::value;

template <class T>
concept described = !std::is_same_v<std::remove_cvref_t<decltype(description<T>)>, not_described>;

template <class T>
inline constexpr bool always_false = false;

/// The C name clang gives an integer type, and its encoding.
template <class T>
[[nodiscard]] consteval std::string_view int_name() {
    if constexpr (std::is_same_v<T, bool>) return "_Bool";
    else if constexpr (std::is_same_v<T, char>) return "char";
    else if constexpr (std::is_same_v<T, signed char>) return "signed char";
    else if constexpr (std::is_same_v<T, unsigned char> || std::is_same_v<T, char8_t>) return "unsigned char";
    else if constexpr (std::is_same_v<T, short>) return "short";
    else if constexpr (std::is_same_v<T, unsigned short> || std::is_same_v<T, char16_t>) return "unsigned short";
    else if constexpr (std::is_same_v<T, int>) return "int";
    else if constexpr (std::is_same_v<T, unsigned int> || std::is_same_v<T, char32_t>) return "unsigned int";
    else if constexpr (std::is_same_v<T, wchar_t>) return std::is_signed_v<wchar_t> ? "int" : "unsigned int";
    else if constexpr (std::is_same_v<T, long>) return "long";
    else if constexpr (std::is_same_v<T, unsigned long>) return "unsigned long";
    else if constexpr (std::is_same_v<T, long long>) return "long long";
    else if constexpr (std::is_same_v<T, unsigned long long>) return "unsigned long long";
#if defined(__SIZEOF_INT128__)
    else if constexpr (std::is_same_v<T, int128>) return "__int128";
    else if constexpr (std::is_same_v<T, uint128>) return "unsigned __int128";
#endif
    else static_assert(always_false<T>, "bpfxx::btf: no BTF name for this integer type");
}

template <class T>
[[nodiscard]] consteval int_encoding int_encoding_of() {
    if constexpr (std::is_same_v<T, bool>) return int_encoding::is_bool;
#if defined(__SIZEOF_INT128__)
    else if constexpr (std::is_same_v<T, int128>) return int_encoding::is_signed;
    else if constexpr (std::is_same_v<T, uint128>) return int_encoding::none;
#endif
    else if constexpr (std::is_same_v<T, char>) return std::is_signed_v<char> ? int_encoding::is_signed : int_encoding::none;
    else return std::is_signed_v<T> ? int_encoding::is_signed : int_encoding::none;
}

template <class T>
[[nodiscard]] consteval std::string_view float_name() {
    if constexpr (std::is_same_v<T, float>) return "float";
    else if constexpr (std::is_same_v<T, double>) return "double";
    else return "long double";
}

/// The field list of a Hana struct: its members in order, by name.
template <class T>
[[nodiscard]] constexpr auto hana_fields() {
    return boost::hana::unpack(boost::hana::accessors<T>(), [](auto... member) {
        return fields(field<std::remove_cvref_t<decltype(boost::hana::second(member)(std::declval<T&>()))>>(
            boost::hana::to<const char*>(boost::hana::first(member)))...);
    });
}

template <class T>
[[nodiscard]] constexpr auto fields_of() {
    if constexpr (described<T>) return description<T>;
    else return hana_fields<T>();
}

/// Whether the layout the fields give is T's: checked where T is added.
template <class T>
inline constexpr group_layout layout_of = [] {
    constexpr auto f = fields_of<T>();
    return measure(std::span<const field_item>(f.items.data(), f.items.size()), 0, f.k == kind::union_, nullptr);
}();

template <class T>
[[nodiscard]] constexpr std::uint32_t add_aggregate(writer& w) {
    constexpr auto f = fields_of<T>();
    static_assert(layout_of<T>.size == sizeof(T),
                  "bpfxx::btf: the members described for this type (T in the compiler's notes) do not add up to "
                  "sizeof(T): a member missing from the description, a bitfield, alignas or [[no_unique_address]]?");
    static_assert(layout_of<T>.align == alignof(T),
                  "bpfxx::btf: the members described for this type (T in the compiler's notes) give another "
                  "alignment than alignof(T): alignas on a member or on the type?");
    const bool is_union = f.k == kind::union_;
    const auto id = w.reserve(is_union ? kind::union_ : kind::struct_, type_name<T>);
    w.remember(pretty_type<T>(), id); // before the members: they may point back at T
    emit_group(w, std::span<const field_item>(f.items.data(), f.items.size()), 0, is_union, type_name<T>, id);
    return id;
}

template <class E>
[[nodiscard]] constexpr std::uint32_t add_enum_type(writer& w) {
    constexpr auto& values = enumerators<E>;
    return w.add_enum(type_name<E>, sizeof(E), std::span<const enum_value>(values.data(), values.size()),
                      std::is_signed_v<std::underlying_type_t<E>>);
}

template <class K>
[[nodiscard]] constexpr std::uint32_t add_kptr(writer& w) {
    const auto target = w.add_struct(K::struct_name, 0, std::span<const member_spec>{});
    return w.add_ptr(w.add_type_tag(kptr_tag(K::kind), target));
}

template <class R, class... A>
[[nodiscard]] constexpr std::uint32_t add_function_proto(writer& w, R (*)(A...));

template <class T>
[[nodiscard]] constexpr std::uint32_t add_uncached(writer& w) {
    if constexpr (std::is_void_v<T>) {
        return 0;
    } else if constexpr (std::is_const_v<T>) {
        return w.add_const(add_type<std::remove_const_t<T>>(w));
    } else if constexpr (std::is_volatile_v<T>) {
        return w.add_volatile(add_type<std::remove_volatile_t<T>>(w));
    } else if constexpr (std::is_integral_v<T>) {
        return w.add_int(int_name<T>(), sizeof(T), int_encoding_of<T>());
    } else if constexpr (std::is_floating_point_v<T>) {
        return w.add_float(float_name<T>(), sizeof(T));
    } else if constexpr (std::is_enum_v<T>) {
        return add_enum_type<T>(w);
    } else if constexpr (std::is_pointer_v<T>) {
        using P = std::remove_pointer_t<T>;
        if constexpr (std::is_function_v<P>) return w.add_ptr(add_type<P>(w));
        else if constexpr (std::is_class_v<std::remove_cv_t<P>> && !hana_struct<std::remove_cv_t<P>> &&
                           !described<std::remove_cv_t<P>>)
            return w.add_ptr(w.add_fwd(type_name<std::remove_cv_t<P>>, std::is_union_v<std::remove_cv_t<P>>));
        else return w.add_ptr(add_type<P>(w));
    } else if constexpr (std::is_bounded_array_v<T>) {
        return w.add_array(add_type<std::remove_extent_t<T>>(w), static_cast<std::uint32_t>(std::extent_v<T>));
    } else if constexpr (is_std_array<T>) {
        return w.add_array(add_type<typename T::value_type>(w), static_cast<std::uint32_t>(std::tuple_size_v<T>));
    } else if constexpr (std::is_function_v<T>) {
        return add_function_proto(w, static_cast<T*>(nullptr));
    } else if constexpr (std::is_same_v<T, spin_lock>) {
        const auto u32 = w.add_int("unsigned int", 4);
        return w.add_struct("bpf_spin_lock", 4, {{"val", u32, 0}});
    } else if constexpr (std::is_same_v<T, timer>) {
        const auto opaque = w.add_array(w.add_int("unsigned long long", 8), 2);
        return w.add_struct("bpf_timer", 16, {{"__opaque", opaque, 0}});
    } else if constexpr (is_kptr<T>) {
        return add_kptr<T>(w);
    } else if constexpr (described<T> || hana_struct<T>) {
        return add_aggregate<T>(w);
    } else {
        static_assert(always_false<T>,
                      "bpfxx::btf: no BTF for this type (T in the compiler's notes): define it with "
                      "BOOST_HANA_DEFINE_STRUCT, adapt it with BOOST_HANA_ADAPT_STRUCT, or specialise "
                      "bpfxx::btf::description<T> with btf::fields(...)");
        return 0;
    }
}

template <class R, class... A>
[[nodiscard]] constexpr std::uint32_t add_function_proto(writer& w, R (*)(A...)) {
    const auto ret = add_type<R>(w);
    const std::array<param_spec, sizeof...(A)> params{param_spec{{}, add_type<A>(w)}...};
    return w.add_func_proto(ret, std::span<const param_spec>(params.data(), params.size()));
}

} // namespace detail

/// Adds T (and what it refers to) to `w`, once; gives T's type id (0 for void).
template <class T>
constexpr std::uint32_t add_type(writer& w) {
    if constexpr (std::is_void_v<T>) {
        return 0;
    } else {
        if (const auto id = w.cached(detail::pretty_type<T>()); id != 0) return id;
        const auto id = detail::add_uncached<T>(w);
        if (w.cached(detail::pretty_type<T>()) == 0) w.remember(detail::pretty_type<T>(), id);
        return id;
    }
}

/// The BTF blob of Ts (and what they refer to) as a constant: `bytes`, and
/// each type's id (`ids`, in the order of Ts; 0 for void).
template <class... Ts>
struct blob_of {
private:
    struct summary {
        std::size_t size = 0;
        std::array<std::uint32_t, sizeof...(Ts)> ids{};
    };
    // Two evaluations: the first sizes the result, the second fills it
    // (a writer's vectors cannot leave constant evaluation).
    static constexpr summary built = [] {
        writer w;
        summary s{0, {add_type<Ts>(w)...}};
        w.validate();
        s.size = w.byte_size();
        return s;
    }();

public:
    static constexpr std::array<std::uint32_t, sizeof...(Ts)> ids = built.ids;
    static constexpr std::array<std::byte, built.size> bytes = [] {
        writer w;
        (add_type<Ts>(w), ...);
        std::array<std::byte, built.size> out{};
        w.write(out);
        return out;
    }();
    [[nodiscard]] static constexpr std::span<const std::byte> span() noexcept { return bytes; }
};

} // namespace bpfxx::btf
