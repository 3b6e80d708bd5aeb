#pragma once
// Test frames for the typed programs' tests, unit and kernel tier alike:
// Ethernet + IPv4 (with `ihl` words of header) + the first bytes of a UDP or
// TCP header with the given destination port; cut at N bytes.
#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx_test {

template <std::size_t N = 64>
constexpr std::array<std::uint8_t, N> ipv4_l4_frame(std::array<std::uint8_t, 4> src, std::uint16_t dport,
                                                    std::uint8_t ihl = 5, std::uint8_t proto = 17) {
    std::array<std::uint8_t, N> f{};
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = static_cast<std::uint8_t>(0x40 | ihl);
    f[17] = static_cast<std::uint8_t>(N - 14);
    f[22] = 64;
    f[23] = proto;
    for (std::size_t i = 0; i < 4; ++i) f[26 + i] = src[i];
    f[30] = 10, f[33] = 1;
    const std::size_t l4 = 14 + 4u * ihl;
    if (l4 + 4 <= N) {
        f[l4 + 2] = static_cast<std::uint8_t>(dport >> 8);
        f[l4 + 3] = static_cast<std::uint8_t>(dport);
    }
    return f;
}

} // namespace bpfxx_test
