#pragma once
// The scalar types of typed programs and their rules: integers of every
// width and signedness, and big-endian integers (`be16`, `be32`, `be64`,
// what network headers hold) that only compare with their own kind until
// converted with ntoh16/ntoh32/ntoh64.
//
// Arithmetic follows C without its surprises: types narrower than 32 bits
// widen to 32 (unsigned stays unsigned), the wider operand wins, equal widths
// of mixed signedness give unsigned. Comparing signed with unsigned, or a
// value with a constant that does not fit its type, does not compile.
//
// In registers, unsigned values are zero-extended to 64 bits, 8- and 16-bit
// signed values sign-extended, and 32-bit values are computed with 32-bit
// instructions (`w` registers), which zero-extend: only the low 32 bits of an
// `int32_t` mean something until it is widened.

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace bpfxx::c {

/// A 16-bit value in network byte order, as a little-endian load of its two
/// bytes sees it (what `__be16` holds): `hton16(0x0800)` is `be16{0x0008}`.
enum class be16 : std::uint16_t {};
/// A 32-bit value in network byte order.
enum class be32 : std::uint32_t {};
/// A 64-bit value in network byte order.
enum class be64 : std::uint64_t {};

namespace detail {

template <class T> inline constexpr bool is_big_endian = false;
template <> inline constexpr bool is_big_endian<be16> = true;
template <> inline constexpr bool is_big_endian<be32> = true;
template <> inline constexpr bool is_big_endian<be64> = true;

template <class T>
concept integer = std::integral<T> && !std::same_as<T, bool>;

/// What a `c::val<T>` may hold.
template <class T>
concept scalar = integer<T> || is_big_endian<T>;

template <class T> inline constexpr unsigned bits_of = sizeof(T) * 8;
template <class T> inline constexpr bool signed_of = std::is_signed_v<T>; // false for enums

template <class T> struct promote_ {
    using type = T;
};
template <integer T>
    requires(sizeof(T) < 4)
struct promote_<T> {
    using type = std::conditional_t<std::is_signed_v<T>, std::int32_t, std::uint32_t>;
};
/// The type arithmetic on T is done in (at least 32 bits).
template <class T> using promoted = typename promote_<T>::type;

template <class A, class B> struct common_ {
    using PA = promoted<A>;
    using PB = promoted<B>;
    using type = std::conditional_t<(sizeof(PA) > sizeof(PB)), PA,
                 std::conditional_t<(sizeof(PB) > sizeof(PA)), PB,
                 std::conditional_t<std::is_unsigned_v<PA>, PA, PB>>>;
};
/// The type of `a op b` for integers of types A and B.
template <class A, class B> using common = typename common_<A, B>::type;

/// Whether a T value is computed with 64-bit instructions.
template <class T> inline constexpr bool wide = sizeof(T) == 8;

/// The exact value a T holds for the bit pattern `v`: truncated to T, then
/// sign- or zero-extended (big-endian types: their raw pattern).
template <class T>
[[nodiscard]] constexpr std::int64_t canonical(std::uint64_t v) noexcept {
    if constexpr (bits_of<T> < 64) {
        const std::uint64_t mask = (std::uint64_t{1} << bits_of<T>) - 1;
        v &= mask;
        if constexpr (signed_of<T>)
            if (v >> (bits_of<T> - 1)) v |= ~mask;
    }
    return static_cast<std::int64_t>(v);
}

/// Whether the integer k is a value of T.
template <class T, class I>
[[nodiscard]] constexpr bool fits(I k) noexcept {
    if constexpr (is_big_endian<T>)
        return false;
    else
        return std::in_range<T>(k);
}

} // namespace detail

// ---- byte order of constants (folded while the program is built) ----------
// (hton16, not htons: glibc defines htons and friends as macros when optimizing.)

[[nodiscard]] constexpr be16 hton16(std::uint16_t v) noexcept {
    return static_cast<be16>(static_cast<std::uint16_t>((v >> 8) | (v << 8)));
}
[[nodiscard]] constexpr be32 hton32(std::uint32_t v) noexcept {
    return static_cast<be32>((v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24));
}
[[nodiscard]] constexpr be64 hton64(std::uint64_t v) noexcept {
    const auto hi = static_cast<std::uint64_t>(hton32(static_cast<std::uint32_t>(v)));
    const auto lo = static_cast<std::uint64_t>(hton32(static_cast<std::uint32_t>(v >> 32)));
    return static_cast<be64>(hi << 32 | lo);
}
[[nodiscard]] constexpr std::uint16_t ntoh16(be16 v) noexcept {
    return static_cast<std::uint16_t>(hton16(static_cast<std::uint16_t>(v)));
}
[[nodiscard]] constexpr std::uint32_t ntoh32(be32 v) noexcept {
    return static_cast<std::uint32_t>(hton32(static_cast<std::uint32_t>(v)));
}
[[nodiscard]] constexpr std::uint64_t ntoh64(be64 v) noexcept {
    return static_cast<std::uint64_t>(hton64(static_cast<std::uint64_t>(v)));
}

} // namespace bpfxx::c
