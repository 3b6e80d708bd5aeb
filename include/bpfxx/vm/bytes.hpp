#pragma once
// Bytes of the interpreter's memory as numbers, and numbers as bytes: the
// little-endian loads and stores of the BPF target, the big-endian loads of
// network headers, byte swaps and sign extension. Loops, not memcpy: they
// run in constant evaluation too.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

/// `v`'s low `bits` bits, sign-extended to 64.
[[nodiscard]] constexpr std::uint64_t sext(std::uint64_t v, unsigned bits) noexcept {
    const std::uint64_t m = std::uint64_t{1} << (bits - 1);
    v &= (bits == 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << bits) - 1);
    return (v ^ m) - m;
}

/// The low `bits` (16, 32 or 64) bits of `v`, their bytes reversed when
/// `swap` (BPF_END: to big endian, or BPF_ALU64's bswap), else only
/// truncated (to little endian: this machine's order).
[[nodiscard]] constexpr std::uint64_t byte_order(std::uint64_t v, std::uint64_t bits, bool swap) noexcept {
    switch (bits) {
    case 16: return swap ? __builtin_bswap16(static_cast<std::uint16_t>(v)) : v & 0xffffu;
    case 32: return swap ? __builtin_bswap32(static_cast<std::uint32_t>(v)) : v & 0xffffffffu;
    default: return swap ? __builtin_bswap64(v) : v;
    }
}

[[nodiscard]] constexpr std::uint64_t load_le(const std::uint8_t* p, unsigned n) noexcept {
    std::uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}
constexpr void store_le(std::uint8_t* p, unsigned n, std::uint64_t v) noexcept {
    for (unsigned i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
[[nodiscard]] constexpr std::uint64_t load_be(const std::uint8_t* p, unsigned n) noexcept {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}
[[nodiscard]] constexpr std::uint32_t load_u32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(load_le(p, 4));
}

[[nodiscard]] constexpr bool equal_bytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}
constexpr void copy_bytes(std::uint8_t* to, const std::uint8_t* from, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
}

/// The object representation of `v`.
template <class T>
[[nodiscard]] constexpr std::array<std::uint8_t, sizeof(T)> to_bytes(const T& v) noexcept {
    return std::bit_cast<std::array<std::uint8_t, sizeof(T)>>(v);
}
/// The T whose object representation starts at `p`.
template <class T>
[[nodiscard]] constexpr T from_bytes(const std::uint8_t* p) noexcept {
    std::array<std::uint8_t, sizeof(T)> b{};
    for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = p[i];
    return std::bit_cast<T>(b);
}

} // namespace bpfxx::vm::detail
