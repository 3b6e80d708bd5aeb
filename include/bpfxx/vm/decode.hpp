#pragma once
// The decoded form the interpreter runs: one `op` per instruction slot with
// what the instruction's execution needs and nothing it must check again.
// Decoding takes the classifier's verdict (bpfxx/isa/classify.hpp: reserved
// fields zero, registers in range, what each instruction reads) and proves the
// jump targets inside the program, so the fast path only checks what changes
// from run to run (registers that hold a value, packet bounds, the budget).
// An instruction the fast path does not run, or that is not well formed, is
// decoded as `general`: the machine runs it the general way, which knows how
// to name what is wrong with it.
//
// Decoding also fuses the sequences compilers and people write for packet
// parsing into one op (the op of the sequence's first slot; the slots after
// it keep their own ops, for jumps into the middle):
//   mov rd, rs; alu rd, K|rt            rd = rs op K|rt
//   ldx{h,w} rd, [rs + off]; be rd      rd = a big-endian load
//   add rd, K; jcc rd, K|rt             a loop's step and test
//   mov rd, rs; add rd, K; jcc rd, rt   a bounds check (data + N > data_end)
// One dispatch instead of two or three is most of what an interpreter can
// save: each costs an indirect jump and a round trip of the register file
// through memory.

#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace bpfxx::vm::detail {

struct op {
    /// The instruction's opcode byte, a fused kind (`fused`), or `general`.
    std::uint16_t code = 0;
    std::uint8_t dst = 0;
    /// X forms and loads: the source register; fused ops: rs.
    std::uint8_t src = 0;
    /// Fused X jumps and alu3 X: the second source register.
    std::uint8_t src2 = 0;
    std::uint8_t spare = 0;
    /// Bit r: the op reads register r before writing it.
    std::uint16_t need = 0;
    /// Jumps: the slot a taken jump goes to.
    std::uint32_t target = 0;
    /// The immediate as the operation uses it (sign-extended, cut to 32 bits
    /// for 32-bit operations); loads: the sign-extended offset.
    std::uint64_t imm = 0;
    /// Fused K jumps: the immediate compared with.
    std::uint64_t imm2 = 0;
};

/// Opcode 0 is never executable: in a program it is the second slot of a
/// 64-bit immediate load.
inline constexpr std::uint16_t general = 0;

/// The kinds of fused ops (above the opcode bytes).
namespace fused {
/// mov rd, rs; op rd, K|rt (64-bit)
[[nodiscard]] constexpr std::uint16_t alu3(std::uint8_t alu_op, bool x) noexcept {
    return static_cast<std::uint16_t>(0x100 | alu_op >> 4 | (x ? 0x10 : 0));
}
/// ldx rd, [rs + off]; be rd (2 or 4 bytes)
[[nodiscard]] constexpr std::uint16_t load_swap(unsigned bytes) noexcept {
    return static_cast<std::uint16_t>(bytes == 2 ? 0x120 : 0x121);
}
/// add rd, K; jcc rd, K|rt (64-bit)
[[nodiscard]] constexpr std::uint16_t add_jump(std::uint8_t jump_op, bool x) noexcept {
    return static_cast<std::uint16_t>(0x140 | jump_op >> 4 | (x ? 0x10 : 0));
}
/// mov rd, rs; add rd, K; jcc rd, K|rt (64-bit)
[[nodiscard]] constexpr std::uint16_t bounds(std::uint8_t jump_op, bool x) noexcept {
    return static_cast<std::uint16_t>(0x160 | jump_op >> 4 | (x ? 0x10 : 0));
}
} // namespace fused

namespace decoding {

[[nodiscard]] constexpr std::uint64_t sext32(std::int32_t v) noexcept {
    return static_cast<std::uint64_t>(std::int64_t{v});
}
[[nodiscard]] constexpr std::uint16_t bit(unsigned r) noexcept { return static_cast<std::uint16_t>(1u << r); }

[[nodiscard]] constexpr bool fast_alu_op(std::uint8_t op) noexcept {
    switch (op) {
    case code::add:
    case code::sub:
    case code::mul:
    case code::or_:
    case code::and_:
    case code::xor_:
    case code::lsh:
    case code::rsh:
    case code::arsh: return true;
    default: return false; // div, mod
    }
}

/// `d` with the second operand of `i`: its source register, or its
/// immediate as an operation of that width uses it.
[[nodiscard]] constexpr op with_source(op d, const insn& i, bool wide) noexcept {
    if (code::source_of(i.code) == code::x)
        d.src = i.src_reg;
    else
        d.imm = wide ? sext32(i.imm) : static_cast<std::uint32_t>(i.imm);
    return d;
}

/// The fast op of a valid instruction of form `form` at slot `pc` that
/// writes no r10, or `general`.
[[nodiscard]] constexpr op fast_op(const insn& i, insn_form form, std::uint32_t pc, std::uint32_t size) noexcept {
    using F = insn_form;
    op d;
    d.code = i.code;
    d.dst = i.dst_reg;
    switch (form) {
    case F::alu:
        if (!fast_alu_op(code::op_of(i.code))) return {}; // div, mod
        return with_source(d, i, code::class_of(i.code) == code::alu64);
    case F::mov: return with_source(d, i, code::class_of(i.code) == code::alu64);
    case F::neg: return d;
    case F::byte_swap: d.imm = static_cast<std::uint64_t>(i.imm); return d;
    case F::ja:
    case F::jump_if: {
        const std::int64_t t = std::int64_t{pc} + 1 + i.off;
        if (t < 0 || t >= std::int64_t{size}) return {};
        // in the last slot, not taken leaves the program: the general path faults at the jump itself
        if (form == F::jump_if && pc + 1 >= size) return {};
        d.target = static_cast<std::uint32_t>(t);
        return form == F::ja ? d : with_source(d, i, code::class_of(i.code) == code::jmp);
    }
    case F::load: // dst, src the address register, imm the offset
        d.src = i.src_reg;
        d.imm = static_cast<std::uint64_t>(std::int64_t{i.off});
        return d;
    case F::store:
    case F::store_imm: // dst the address register (r10 too), imm the offset, imm2 the immediate stored
        d.src = i.src_reg;
        d.imm = static_cast<std::uint64_t>(std::int64_t{i.off});
        d.imm2 = sext32(i.imm);
        return d;
    default: return {};
    }
}

// ---- fusion ------------------------------------------------------------------

[[nodiscard]] constexpr bool is_x(const op& o) noexcept { return code::source_of(static_cast<std::uint8_t>(o.code)) == code::x; }
[[nodiscard]] constexpr bool is_class(const op& o, std::uint8_t cls) noexcept {
    return o.code != general && o.code < 0x100 && code::class_of(static_cast<std::uint8_t>(o.code)) == cls;
}
[[nodiscard]] constexpr std::uint8_t op_of(const op& o) noexcept { return code::op_of(static_cast<std::uint8_t>(o.code)); }

/// A 64-bit `mov rd, rs` of two different registers.
[[nodiscard]] constexpr bool is_mov_reg(const op& o) noexcept {
    return is_class(o, code::alu64) && op_of(o) == code::mov && is_x(o) && o.src != o.dst;
}
/// A 64-bit ALU op on rd the fused forms take (not `mov`, `neg`, `end`), whose X source is not rd.
[[nodiscard]] constexpr bool is_alu_on(const op& o, std::uint8_t rd) noexcept {
    return is_class(o, code::alu64) && o.dst == rd && op_of(o) != code::mov && op_of(o) != code::neg &&
           op_of(o) != code::end && !(is_x(o) && o.src == rd);
}
/// A 64-bit `add rd, K`.
[[nodiscard]] constexpr bool is_add_k(const op& o) noexcept {
    return is_class(o, code::alu64) && op_of(o) == code::add && !is_x(o);
}
/// A 64-bit unsigned or equality test of rd the fused forms take.
[[nodiscard]] constexpr bool is_jump_on(const op& o, std::uint8_t rd) noexcept {
    if (!is_class(o, code::jmp) || o.dst != rd || (is_x(o) && o.src == rd)) return false;
    switch (op_of(o)) {
    case code::jeq:
    case code::jne:
    case code::jgt:
    case code::jge:
    case code::jlt:
    case code::jle: return true;
    default: return false;
    }
}

/// `first` followed by the test `j` of the register it writes.
[[nodiscard]] constexpr op with_jump(op first, const op& j, std::uint16_t kind) noexcept {
    first.code = kind;
    first.target = j.target;
    if (is_x(j)) {
        first.src2 = j.src;
        first.need = static_cast<std::uint16_t>(first.need | bit(j.src));
    } else {
        first.imm2 = j.imm;
    }
    return first;
}

/// The fused op starting at slot pc, or ops[pc] when none applies; `ops`
/// holds every slot's own op.
[[nodiscard]] constexpr op fuse(std::span<const op> ops, std::size_t pc, std::span<const insn> prog) noexcept {
    const op& a = ops[pc];
    if (pc + 1 >= prog.size()) return a;
    const op& b = ops[pc + 1];
    if (is_mov_reg(a) && is_alu_on(b, a.dst)) {
        // rd = rs op (K | rt): reads rs, and rt unless rt is rd (excluded above)
        op f = b;
        f.src = a.src;
        f.need = bit(a.src);
        if (is_x(b)) {
            f.src2 = b.src;
            f.need = static_cast<std::uint16_t>(f.need | bit(b.src));
        }
        if (op_of(b) == code::add && !is_x(b) && pc + 2 < prog.size() && is_jump_on(ops[pc + 2], a.dst))
            return with_jump(f, ops[pc + 2], fused::bounds(op_of(ops[pc + 2]), is_x(ops[pc + 2])));
        f.code = fused::alu3(op_of(b), is_x(b));
        return f;
    }
    if (is_class(a, code::ldx) && is_class(b, code::alu) && op_of(b) == code::end && b.dst == a.dst &&
        code::source_of(static_cast<std::uint8_t>(b.code)) == code::to_be) {
        const auto bytes = code::bytes_of_size(code::size_of(static_cast<std::uint8_t>(a.code)));
        if ((bytes == 2 || bytes == 4) && b.imm == bytes * 8) {
            op f = a;
            f.code = fused::load_swap(bytes);
            return f;
        }
    }
    if (is_add_k(a) && is_jump_on(b, a.dst)) return with_jump(a, b, fused::add_jump(op_of(b), is_x(b)));
    return a;
}

} // namespace decoding

/// The op of slot `pc` of a program of `size` slots, on its own.
[[nodiscard]] constexpr op decode(const insn& i, std::uint32_t pc, std::uint32_t size) noexcept {
    const insn_info c = classify(i);
    if (!c.valid() || (c.writes & reg_bit(10))) return {};
    op d = decoding::fast_op(i, c.form, pc, size);
    if (d.code != general) d.need = c.reads;
    return d;
}

/// Decodes `prog` into `out`, which holds one op more than the program: the
/// slot after the last, `general`, which ends a run that falls off the end.
constexpr void decode(std::span<const insn> prog, std::span<op> out) noexcept {
    const auto size = static_cast<std::uint32_t>(prog.size());
    for (std::uint32_t pc = 0; pc < size; ++pc) out[pc] = decode(prog[pc], pc, size);
    out[size] = {};
    // in slot order, in place: fusing at pc reads the ops after it, not yet fused
    for (std::uint32_t pc = 0; pc < size; ++pc) out[pc] = decoding::fuse(out, pc, prog);
}

/// A program's decoded form, with the instructions it was decoded from: the
/// machine caches these per program and checks, once per run, that the
/// program has not changed since. Run time only: constant evaluation runs
/// programs from their instructions.
struct decoded_program {
    const insn* code = nullptr;
    std::uint32_t size = 0;
    std::uint64_t last_run = 0; ///< the last run that used it (and checked it)
    bpfxx::detail::buffer<insn> copy;
    bpfxx::detail::buffer<op> ops;

    /// Whether it holds the decoded form of the `n` instructions at `c`.
    [[nodiscard]] bool holds(const insn* c, std::uint32_t n) const noexcept {
        return code == c && size == n && !ops.empty();
    }
    /// Whether the instructions at `c` are still the ones it was decoded from.
    [[nodiscard]] bool matches(const insn* c) const noexcept {
        return size == 0 || std::memcmp(copy.data(), c, std::size_t{size} * sizeof(insn)) == 0;
    }
    /// Decodes the `n` instructions at `c`; false when there is no memory for it.
    bool assign(const insn* c, std::uint32_t n) noexcept {
        code = nullptr;
        size = 0;
#if defined(__cpp_exceptions)
        try {
#endif
            copy.assign(c, c + n);
            ops.resize(std::size_t{n} + 1);
            decode({copy.data(), copy.size()}, {ops.data(), ops.size()});
#if defined(__cpp_exceptions)
        } catch (...) {
            copy.clear();
            ops.clear();
            return false;
        }
#endif
        code = c;
        size = n;
        return true;
    }
};

} // namespace bpfxx::vm::detail
