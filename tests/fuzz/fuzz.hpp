#pragma once
// What the libFuzzer harnesses share: instructions from input bytes, and a
// failed property as a crash that libFuzzer reports with the input.

#include <bpfxx/isa/insn.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace bpfxx_fuzz {

/// The instructions of `bytes`, 8 bytes each (a partial last one is dropped).
inline std::vector<bpfxx::insn> insns_of(std::span<const std::uint8_t> bytes) {
    std::vector<bpfxx::insn> out;
    out.reserve(bytes.size() / 8);
    for (std::size_t at = 0; at + 8 <= bytes.size(); at += 8) {
        std::array<std::byte, 8> b{};
        for (std::size_t k = 0; k < 8; ++k) b[k] = std::byte{bytes[at + k]};
        out.push_back(bpfxx::insn::from_bytes(b));
    }
    return out;
}

/// A property does not hold: libFuzzer saves the input and stops.
[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "bpfxx fuzz property failed: %s\n", what);
    std::abort();
}

inline void require(bool property, const char* what) {
    if (!property) fail(what);
}

} // namespace bpfxx_fuzz
