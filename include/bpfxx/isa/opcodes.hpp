#pragma once
// The SDK's own copy of the eBPF opcode fields (RFC 9669 and Linux 6.18), so
// the portable layers compile on any OS and against any kernel headers.

#include <cstdint>

namespace bpfxx::code {

// Instruction classes (low 3 bits).
inline constexpr std::uint8_t ld = 0x00;
inline constexpr std::uint8_t ldx = 0x01;
inline constexpr std::uint8_t st = 0x02;
inline constexpr std::uint8_t stx = 0x03;
inline constexpr std::uint8_t alu = 0x04;
inline constexpr std::uint8_t jmp = 0x05;
inline constexpr std::uint8_t jmp32 = 0x06;
inline constexpr std::uint8_t alu64 = 0x07;

// Load/store sizes.
inline constexpr std::uint8_t w = 0x00;
inline constexpr std::uint8_t h = 0x08;
inline constexpr std::uint8_t b = 0x10;
inline constexpr std::uint8_t dw = 0x18;

// Load/store modes.
inline constexpr std::uint8_t imm = 0x00;
inline constexpr std::uint8_t abs = 0x20;
inline constexpr std::uint8_t ind = 0x40;
inline constexpr std::uint8_t mem = 0x60;
inline constexpr std::uint8_t memsx = 0x80;
inline constexpr std::uint8_t atomic = 0xc0;

// Operand source for ALU and JMP.
inline constexpr std::uint8_t k = 0x00;
inline constexpr std::uint8_t x = 0x08;

// ALU operations.
inline constexpr std::uint8_t add = 0x00;
inline constexpr std::uint8_t sub = 0x10;
inline constexpr std::uint8_t mul = 0x20;
inline constexpr std::uint8_t div = 0x30;
inline constexpr std::uint8_t or_ = 0x40;
inline constexpr std::uint8_t and_ = 0x50;
inline constexpr std::uint8_t lsh = 0x60;
inline constexpr std::uint8_t rsh = 0x70;
inline constexpr std::uint8_t neg = 0x80;
inline constexpr std::uint8_t mod = 0x90;
inline constexpr std::uint8_t xor_ = 0xa0;
inline constexpr std::uint8_t mov = 0xb0;
inline constexpr std::uint8_t arsh = 0xc0;
inline constexpr std::uint8_t end = 0xd0;

// Byte-order direction of `end` (in the source bit).
inline constexpr std::uint8_t to_le = 0x00;
inline constexpr std::uint8_t to_be = 0x08;

// JMP operations.
inline constexpr std::uint8_t ja = 0x00;
inline constexpr std::uint8_t jeq = 0x10;
inline constexpr std::uint8_t jgt = 0x20;
inline constexpr std::uint8_t jge = 0x30;
inline constexpr std::uint8_t jset = 0x40;
inline constexpr std::uint8_t jne = 0x50;
inline constexpr std::uint8_t jsgt = 0x60;
inline constexpr std::uint8_t jsge = 0x70;
inline constexpr std::uint8_t call = 0x80;
inline constexpr std::uint8_t exit = 0x90;
inline constexpr std::uint8_t jlt = 0xa0;
inline constexpr std::uint8_t jle = 0xb0;
inline constexpr std::uint8_t jslt = 0xc0;
inline constexpr std::uint8_t jsle = 0xd0;
inline constexpr std::uint8_t jcond = 0xe0; ///< `may_goto` (src_reg == 0)

// Field accessors.
[[nodiscard]] constexpr std::uint8_t class_of(std::uint8_t c) noexcept { return c & 0x07u; }
[[nodiscard]] constexpr std::uint8_t size_of(std::uint8_t c) noexcept { return c & 0x18u; }
[[nodiscard]] constexpr std::uint8_t mode_of(std::uint8_t c) noexcept { return c & 0xe0u; }
[[nodiscard]] constexpr std::uint8_t op_of(std::uint8_t c) noexcept { return c & 0xf0u; }
[[nodiscard]] constexpr std::uint8_t source_of(std::uint8_t c) noexcept { return c & 0x08u; }

/// Bytes moved by a load/store of size field `s`.
[[nodiscard]] constexpr unsigned bytes_of_size(std::uint8_t s) noexcept {
    switch (size_of(s)) {
    case b: return 1;
    case h: return 2;
    case w: return 4;
    default: return 8;
    }
}

} // namespace bpfxx::code

namespace bpfxx::atomic_op {
// Values of `imm` for class STX, mode ATOMIC.
inline constexpr std::int32_t add = 0x00;
inline constexpr std::int32_t or_ = 0x40;
inline constexpr std::int32_t and_ = 0x50;
inline constexpr std::int32_t xor_ = 0xa0;
inline constexpr std::int32_t fetch = 0x01;
inline constexpr std::int32_t xchg = 0xe0 | fetch;
inline constexpr std::int32_t cmpxchg = 0xf0 | fetch;
inline constexpr std::int32_t load_acquire = 0x100;  ///< Linux 6.15+
inline constexpr std::int32_t store_release = 0x110; ///< Linux 6.15+
} // namespace bpfxx::atomic_op

namespace bpfxx::pseudo {
// `src_reg` of `ld_imm64`: what the 64-bit immediate means.
inline constexpr std::uint8_t map_fd = 1;        ///< imm: map fd
inline constexpr std::uint8_t map_value = 2;     ///< imm: map fd, next imm: offset into value
inline constexpr std::uint8_t btf_id = 3;        ///< imm: BTF id of a kernel variable
inline constexpr std::uint8_t func = 4;          ///< imm: pc-relative offset of a subprogram
inline constexpr std::uint8_t map_idx = 5;       ///< imm: index into fd_array
inline constexpr std::uint8_t map_idx_value = 6; ///< imm: index into fd_array, next imm: offset
// `src_reg` of `call`.
inline constexpr std::uint8_t call = 1;       ///< imm: pc-relative offset of a subprogram
inline constexpr std::uint8_t kfunc_call = 2; ///< imm: BTF id of a kernel function
// `src_reg` of `jcond`.
inline constexpr std::uint8_t may_goto = 0;
} // namespace bpfxx::pseudo

namespace bpfxx {
/// Limits of the instruction set that the assembler and checks rely on.
inline constexpr int max_registers = 11;
inline constexpr int stack_size = 512;
} // namespace bpfxx
