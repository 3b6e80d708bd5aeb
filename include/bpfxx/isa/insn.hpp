#pragma once
// One eBPF instruction: the 8-byte layout of the kernel's `struct bpf_insn`.

#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx {

/// An eBPF instruction slot. Same size, field order and bit layout as the
/// kernel's `struct bpf_insn` (on the little-endian targets BPF runs on), so a
/// `std::span<const insn>` can be handed to `bpf(BPF_PROG_LOAD)` as it is.
struct insn {
    std::uint8_t code = 0;     ///< opcode: class | size/op | mode/source
    std::uint8_t dst_reg : 4 = 0;
    std::uint8_t src_reg : 4 = 0;
    std::int16_t off = 0;      ///< signed offset (memory, jumps)
    std::int32_t imm = 0;      ///< signed immediate

    friend constexpr bool operator==(const insn&, const insn&) = default;

    /// The instruction as the kernel reads it: 8 bytes, little endian.
    [[nodiscard]] constexpr std::array<std::byte, 8> bytes() const noexcept {
        const auto o = static_cast<std::uint16_t>(off);
        const auto i = static_cast<std::uint32_t>(imm);
        return {std::byte{code},
                std::byte(static_cast<std::uint8_t>(dst_reg | (src_reg << 4))),
                std::byte(o & 0xffu),
                std::byte(o >> 8),
                std::byte(i & 0xffu),
                std::byte((i >> 8) & 0xffu),
                std::byte((i >> 16) & 0xffu),
                std::byte(i >> 24)};
    }

    /// The inverse of `bytes()`.
    [[nodiscard]] static constexpr insn from_bytes(const std::array<std::byte, 8>& b) noexcept {
        const auto u8 = [&](std::size_t k) { return std::to_integer<std::uint32_t>(b[k]); };
        insn r;
        r.code = static_cast<std::uint8_t>(u8(0));
        r.dst_reg = static_cast<std::uint8_t>(u8(1) & 0x0fu);
        r.src_reg = static_cast<std::uint8_t>(u8(1) >> 4);
        r.off = static_cast<std::int16_t>(static_cast<std::uint16_t>(u8(2) | (u8(3) << 8)));
        r.imm = static_cast<std::int32_t>(u8(4) | (u8(5) << 8) | (u8(6) << 16) | (u8(7) << 24));
        return r;
    }
};

static_assert(sizeof(insn) == 8, "bpfxx::insn must be exactly one 8-byte instruction slot");
static_assert(alignof(insn) <= 8);

/// Builds an instruction from its raw fields (for generated code and tests).
[[nodiscard]] constexpr insn make_insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src,
                                       std::int16_t off, std::int32_t imm) noexcept {
    insn r;
    r.code = code;
    r.dst_reg = static_cast<std::uint8_t>(dst & 0x0fu);
    r.src_reg = static_cast<std::uint8_t>(src & 0x0fu);
    r.off = off;
    r.imm = imm;
    return r;
}

} // namespace bpfxx
