#pragma once
// The Internet checksum arithmetic of the kernel's csum helpers
// (csum_add, csum_fold, csum_replace2/4, csum_partial), as the x86-64
// kernel computes it, so that programs using bpf_csum_diff and the
// l3/l4_csum_replace helpers get the kernel's exact values.

#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::csum {

/// One's-complement add of two 32-bit partial sums.
[[nodiscard]] constexpr std::uint32_t add(std::uint32_t a, std::uint32_t b) noexcept {
    const std::uint32_t r = a + b;
    return r + (r < b ? 1u : 0u);
}
[[nodiscard]] constexpr std::uint32_t sub(std::uint32_t a, std::uint32_t b) noexcept { return add(a, ~b); }

/// Folds a 32-bit partial sum to the 16-bit checksum (complemented).
[[nodiscard]] constexpr std::uint16_t fold(std::uint32_t s) noexcept {
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return static_cast<std::uint16_t>(~s);
}

[[nodiscard]] constexpr std::uint16_t add16(std::uint16_t a, std::uint16_t b) noexcept {
    const auto r = static_cast<std::uint16_t>(a + b);
    return static_cast<std::uint16_t>(r + (r < b ? 1 : 0));
}

/// csum_replace4: the checksum `sum` after a 32-bit word changes from `from` to `to`.
[[nodiscard]] constexpr std::uint16_t replace4(std::uint16_t sum, std::uint32_t from, std::uint32_t to) noexcept {
    return fold(add(sub(~std::uint32_t{sum}, from), to));
}
/// csum_replace2: the same for a 16-bit word.
[[nodiscard]] constexpr std::uint16_t replace2(std::uint16_t sum, std::uint16_t from, std::uint16_t to) noexcept {
    const auto s = add16(add16(static_cast<std::uint16_t>(~sum), static_cast<std::uint16_t>(~from)), to);
    return static_cast<std::uint16_t>(~s);
}
/// csum_replace_by_diff: the same for a precomputed 32-bit difference.
[[nodiscard]] constexpr std::uint16_t replace_by_diff(std::uint16_t sum, std::uint32_t diff) noexcept {
    return fold(add(diff, ~std::uint32_t{sum}));
}

/// csum_partial of x86-64 (Linux 6.8 and later): 64-bit accumulation of
/// little-endian words with end-around carry, a short tail zero-padded,
/// folded to 32 bits. Summing 32-bit words gives the same value: it is
/// congruent modulo 2^32 - 1, and zero only for all-zero input.
[[nodiscard]] constexpr std::uint32_t partial(const std::uint8_t* p, std::size_t n, std::uint32_t seed) noexcept {
    std::uint64_t acc = seed;
    for (std::size_t i = 0; i < n; i += 4) {
        std::uint64_t w = 0;
        for (std::size_t k = 0; k < 4 && i + k < n; ++k) w |= std::uint64_t{p[i + k]} << (8 * k);
        acc += w;
    }
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    return static_cast<std::uint32_t>(acc);
}

/// csum_from32to16: a 32-bit partial sum folded to 16 bits, not complemented
/// (what bpf_csum_diff returns since Linux 6.13).
[[nodiscard]] constexpr std::uint16_t from32to16(std::uint32_t s) noexcept {
    s += (s >> 16) | (s << 16);
    return static_cast<std::uint16_t>(s >> 16);
}

} // namespace bpfxx::vm::csum
