#pragma once
// The disassembler: one instruction to text, in the syntax `llvm-objdump -d`
// prints for BPF. Constexpr, allocation-free, and total: any 8 (or 16) bytes
// give a text, `<unknown>` for what does not decode.
//
// Syntax. For every instruction LLVM 14 knows, the text is exactly what
// `llvm-objdump -d` of LLVM 14 prints for the same bytes (without the
// `<.text+0x..>` target comment it adds to jumps), e.g.
//     r0 = *(u32 *)(r1 + 4)        *(u16 *)(r10 - 8) = r1
//     if w1 s< w2 goto -1          r1 = 1234 ll
//     lock *(u64 *)(r0 + 0) += r1  r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)
//     w0 = -w0                     r0 = be16 r0
//     r0 = *(u8 *)skb[23]          call 1
// 32-bit atomics are written as LLVM prints them with the alu32 feature
// (`lock *(u32 *)(r1 + 0) += w2`, `w2 = xchg32_32(r1 + 0, w2)`); without it
// LLVM cannot print most of them at all. For instructions newer than LLVM 14
// (or that LLVM 14 mis-decodes), the text is that of current LLVM
// (llvm/lib/Target/BPF/BPFInstrInfo.td, LLVM 17-21):
//     r0 %= r1   r0 s/= r1   w0 s%= 4          mod, sdiv, smod (LLVM 14 has no `%=`)
//     if r1 & r2 goto +3                       jset (LLVM 14 does not decode it)
//     r0 = (s8)r1   w0 = (s16)w1   r0 = (s32)r1  movsx
//     r0 = bswap16 r0                          bswap (ALU64 | END)
//     r0 = *(s8 *)(r1 + 0)                     sign-extending loads (MEMSX)
//     *(u32 *)(r1 + 0) = 4                     store immediate (ST | MEM)
//     gotol +N   may_goto +N   callx r1   gotox r1
//     r0 = load_acquire((u64 *)(r1 + 0))   w0 = load_acquire((u8 *)(r1 + 0))
//     store_release((u64 *)(r1 + 0), r2)   store_release((u32 *)(r1 + 0), w2)
//     r1 = addr_space_cast(r2, 1, 0)
// Legacy `r0 = *(u32 *)skb[r1 + 4]` prints its immediate (LLVM drops it).
//
// Decoding is strict: what the classifier (bpfxx/isa/classify.hpp) finds
// invalid — reserved fields not zero (as RFC 9669 and the kernel's verifier
// require), a register above r10, an operation no instruction has — prints
// `<unknown>` even where LLVM would print something.

#include <bpfxx/asm/items.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/text/insn_text.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfxx {

/// What `listing` (and `to_string` with options) add to the plain text.
struct disasm_options {
    /// Annotate calls and pseudo loads: `call 1 ; map_lookup_elem`,
    /// `call 3 ; pc+3`, `call 7 ; kfunc#7`, `ld_pseudo\tr1, 1, 3 ; map_fd 3`.
    bool helper_names = false;
    /// Listings: print `name:` before each labelled slot and `<name>` after
    /// jumps, local calls and `ld_func` loads whose target has a label.
    bool label_names = false;
    /// Listings: prefix each line with its slot number (`%5u: `).
    bool addresses = true;
    /// Listings: show the instruction's bytes (16 for `ld_imm64`).
    bool raw_bytes = false;
};

/// What `to_string` prints for bytes that do not decode.
inline constexpr std::string_view unknown_insn_text = "<unknown>";

namespace detail::text {

constexpr void put_reg(insn_text& t, char prefix, unsigned r) noexcept {
    t.append(prefix);
    t.append_uint(r);
}

/// `(r1 + 4)` / `(r1 - 8)`, or without parentheses for xchg/cmpxchg.
constexpr void put_addr(insn_text& t, unsigned base, std::int16_t off, bool parens = true) noexcept {
    if (parens) t.append('(');
    put_reg(t, 'r', base);
    if (off >= 0) {
        t.append(" + ");
        t.append_int(off);
    } else {
        t.append(" - ");
        t.append_int(-static_cast<std::int32_t>(off));
    }
    if (parens) t.append(')');
}

[[nodiscard]] constexpr std::string_view size_name(std::uint8_t code_byte, bool sign = false) noexcept {
    switch (code::size_of(code_byte)) {
    case code::b: return sign ? "s8" : "u8";
    case code::h: return sign ? "s16" : "u16";
    case code::w: return sign ? "s32" : "u32";
    default: return "u64";
    }
}

/// `*(u32 *)` / `(u32 *)`
constexpr void put_type(insn_text& t, std::uint8_t code_byte, bool deref, bool sign = false) noexcept {
    if (deref) t.append('*');
    t.append('(');
    t.append(size_name(code_byte, sign));
    t.append(" *)");
}

[[nodiscard]] constexpr std::string_view alu_op(std::uint8_t op) noexcept {
    switch (op) {
    case code::add: return "+=";
    case code::sub: return "-=";
    case code::mul: return "*=";
    case code::div: return "/=";
    case code::or_: return "|=";
    case code::and_: return "&=";
    case code::lsh: return "<<=";
    case code::rsh: return ">>=";
    case code::mod: return "%=";
    case code::xor_: return "^=";
    case code::arsh: return "s>>=";
    default: return {};
    }
}

[[nodiscard]] constexpr std::string_view jmp_op(std::uint8_t op) noexcept {
    switch (op) {
    case code::jeq: return "==";
    case code::jgt: return ">";
    case code::jge: return ">=";
    case code::jset: return "&";
    case code::jne: return "!=";
    case code::jsgt: return "s>";
    case code::jsge: return "s>=";
    case code::jlt: return "<";
    case code::jle: return "<=";
    case code::jslt: return "s<";
    case code::jsle: return "s<=";
    default: return {};
    }
}

/// The second operand of an ALU operation or conditional jump: the source
/// register or the immediate.
constexpr void put_source(insn_text& t, const insn& i, char p) noexcept {
    if (code::source_of(i.code) == code::x)
        put_reg(t, p, i.src_reg);
    else
        t.append_int(i.imm);
}

/// `dst op= src|imm`, with `s` for signed division and modulo.
constexpr void put_alu(insn_text& t, const insn& i, char p) noexcept {
    put_reg(t, p, i.dst_reg);
    t.append(' ');
    if (i.off == 1) t.append('s');
    t.append(alu_op(code::op_of(i.code)));
    t.append(' ');
    put_source(t, i, p);
}

/// `if dst op src|imm goto off`
constexpr void put_jump_if(insn_text& t, const insn& i, char p) noexcept {
    t.append("if ");
    put_reg(t, p, i.dst_reg);
    t.append(' ');
    t.append(jmp_op(code::op_of(i.code)));
    t.append(' ');
    put_source(t, i, p);
    t.append(" goto ");
    t.append_signed(i.off);
}

/// `r0 = *(u8 *)skb[imm]`, `r0 = *(u32 *)skb[r1 + imm]`
constexpr void put_packet_load(insn_text& t, const insn& i, bool indirect) noexcept {
    t.append("r0 = ");
    put_type(t, i.code, true);
    t.append("skb[");
    if (!indirect) {
        t.append_int(i.imm);
    } else {
        put_reg(t, 'r', i.src_reg);
        if (i.imm > 0) {
            t.append(" + ");
            t.append_int(i.imm);
        } else if (i.imm < 0) {
            t.append(" - ");
            t.append_int(-static_cast<std::int64_t>(i.imm));
        }
    }
    t.append(']');
}

/// The atomic read-modify-writes (lock, atomic_fetch_*, xchg, cmpxchg).
constexpr void put_atomic(insn_text& t, const insn& i, insn_form form) noexcept {
    const char p = code::size_of(i.code) == code::dw ? 'r' : 'w';
    const bool dw = code::size_of(i.code) == code::dw;
    if (form == insn_form::atomic) {
        t.append("lock ");
        put_type(t, i.code, true);
        put_addr(t, i.dst_reg, i.off);
        t.append(' ');
        t.append(alu_op(static_cast<std::uint8_t>(i.imm)));
        t.append(' ');
        put_reg(t, p, i.src_reg);
        return;
    }
    if (form == insn_form::cmpxchg) {
        put_reg(t, p, 0);
        t.append(dw ? " = cmpxchg_64(" : " = cmpxchg32_32(");
        put_addr(t, i.dst_reg, i.off, false);
        t.append(", ");
        put_reg(t, p, 0);
        t.append(", ");
        put_reg(t, p, i.src_reg);
        t.append(')');
        return;
    }
    put_reg(t, p, i.src_reg);
    if (i.imm == atomic_op::xchg) {
        t.append(dw ? " = xchg_64(" : " = xchg32_32(");
        put_addr(t, i.dst_reg, i.off, false);
    } else {
        const auto op = i.imm & ~atomic_op::fetch;
        t.append(" = atomic_fetch_");
        t.append(op == atomic_op::add ? "add" : op == atomic_op::or_ ? "or" : op == atomic_op::and_ ? "and" : "xor");
        t.append('(');
        put_type(t, i.code, false);
        put_addr(t, i.dst_reg, i.off);
    }
    t.append(", ");
    put_reg(t, p, i.src_reg);
    t.append(')');
}

/// One valid instruction of one slot, by its form.
constexpr void put_one(insn_text& t, const insn& i, insn_form form) noexcept {
    using F = insn_form;
    const bool alu64 = code::class_of(i.code) == code::alu64;
    const char p = alu64 || code::class_of(i.code) == code::jmp ? 'r' : 'w'; // ALU and JMP32: w registers
    const char sp = code::size_of(i.code) == code::dw ? 'r' : 'w';           // acquire/release operands
    const unsigned d = i.dst_reg, s = i.src_reg;
    switch (form) {
    case F::alu: return put_alu(t, i, p);
    case F::neg:
        put_reg(t, p, d);
        t.append(" = -");
        return put_reg(t, p, d);
    case F::mov:
    case F::movsx:
        put_reg(t, p, d);
        t.append(" = ");
        if (code::source_of(i.code) == code::k) {
            t.append_int(i.imm);
            return;
        }
        if (form == F::movsx) t.append("(s").append_int(i.off).append(')');
        return put_reg(t, p, s);
    case F::addr_space_cast: { // arena pointer cast (Linux 6.9)
        const auto imm = static_cast<std::uint32_t>(i.imm);
        put_reg(t, 'r', d);
        t.append(" = addr_space_cast(");
        put_reg(t, 'r', s);
        t.append(", ").append_uint(imm >> 16).append(", ").append_uint(imm & 0xffffu).append(')');
        return;
    }
    case F::byte_swap:
        put_reg(t, 'r', d);
        t.append(" = ");
        t.append(alu64 ? "bswap" : code::source_of(i.code) == code::to_be ? "be" : "le");
        t.append_int(i.imm);
        t.append(' ');
        return put_reg(t, 'r', d);
    case F::ld_abs:
    case F::ld_ind: return put_packet_load(t, i, form == F::ld_ind);
    case F::load:
    case F::load_sx:
        put_reg(t, 'r', d);
        t.append(" = ");
        put_type(t, i.code, true, form == F::load_sx);
        return put_addr(t, s, i.off);
    case F::store_imm:
    case F::store:
        put_type(t, i.code, true);
        put_addr(t, d, i.off);
        t.append(" = ");
        if (form == F::store) return put_reg(t, 'r', s);
        t.append_int(i.imm);
        return;
    case F::atomic:
    case F::atomic_fetch:
    case F::cmpxchg: return put_atomic(t, i, form);
    case F::load_acquire:
        put_reg(t, sp, d);
        t.append(" = load_acquire(");
        put_type(t, i.code, false);
        put_addr(t, s, i.off);
        t.append(')');
        return;
    case F::store_release:
        t.append("store_release(");
        put_type(t, i.code, false);
        put_addr(t, d, i.off);
        t.append(", ");
        put_reg(t, sp, s);
        t.append(')');
        return;
    case F::ja: t.append("goto ").append_signed(i.off); return;
    case F::gotol: t.append("gotol ").append_signed(i.imm); return;
    case F::gotox: t.append("gotox "); return put_reg(t, 'r', d); // LLVM 21
    case F::jump_if: return put_jump_if(t, i, p);
    case F::may_goto: t.append("may_goto ").append_signed(i.off); return;
    case F::call_helper:
    case F::call_local:
    case F::call_kfunc: t.append("call ").append_int(i.imm); return;
    case F::callx: t.append("callx "); return put_reg(t, 'r', d); // register in dst (current LLVM; LLVM 14 read imm)
    case F::exit: t.append("exit"); return;
    default: return; // ld_imm64 and ld_func: two slots
    }
}

/// One slot; false (and `t` unspecified) when it does not decode.
[[nodiscard]] constexpr bool one(insn_text& t, const insn& i) noexcept {
    const insn_info c = classify(i);
    if (!c.valid()) return false;
    put_one(t, i, c.form);
    return true;
}

[[nodiscard]] constexpr bool two(insn_text& t, const insn& lo, const insn& hi) noexcept {
    if (!classify(lo, hi).valid()) return false;
    if (lo.src_reg == 0) {
        const auto v = static_cast<std::uint64_t>(static_cast<std::uint32_t>(lo.imm)) |
                       (static_cast<std::uint64_t>(static_cast<std::uint32_t>(hi.imm)) << 32);
        put_reg(t, 'r', lo.dst_reg);
        t.append(" = ");
        if (v >> 63)
            t.append('-').append_uint(~v + 1u);
        else
            t.append_uint(v);
        t.append(" ll");
    } else {
        t.append("ld_pseudo\t");
        put_reg(t, 'r', lo.dst_reg);
        t.append(", ");
        t.append_uint(lo.src_reg);
        t.append(", ");
        t.append_uint(static_cast<std::uint32_t>(lo.imm)); // LLVM prints it zero-extended
    }
    return true;
}

/// The `helper_names` annotation (` ; ...`) of a decodable instruction, or
/// nothing. `hi` is used only for ld_imm64.
constexpr void annotate(insn_text& t, const insn& lo, const insn& hi) noexcept {
    if (is_helper_call(lo)) {
        if (const auto name = helper_name(lo.imm); !name.empty()) t.append(" ; ").append(name);
        return;
    }
    if (is_local_call(lo)) {
        t.append(" ; pc").append_signed(lo.imm);
        return;
    }
    if (is_kfunc_call(lo)) {
        t.append(" ; kfunc#").append_int(lo.imm);
        if (lo.off != 0) t.append(" (btf fd_array[").append_int(lo.off).append("])");
        return;
    }
    if (!is_ld_imm64(lo)) return;
    switch (lo.src_reg) {
    case pseudo::map_fd: t.append(" ; map_fd ").append_int(lo.imm); break;
    case pseudo::map_value: t.append(" ; map_value fd ").append_int(lo.imm).append(" off ").append_int(hi.imm); break;
    case pseudo::btf_id:
        t.append(" ; btf_id ").append_int(lo.imm);
        if (hi.imm != 0) t.append(" btf_fd ").append_int(hi.imm);
        break;
    case pseudo::func: t.append(" ; func pc").append_signed(lo.imm); break;
    case pseudo::map_idx: t.append(" ; map_idx ").append_int(lo.imm); break;
    case pseudo::map_idx_value:
        t.append(" ; map_idx_value ").append_int(lo.imm).append(" off ").append_int(hi.imm);
        break;
    default: break;
    }
}

} // namespace detail::text

/// The text of one instruction slot, as `llvm-objdump -d` prints it. The first
/// slot of an `ld_imm64` alone is `<unknown>`: use the two-slot overload.
[[nodiscard]] constexpr insn_text to_string(const insn& i) noexcept {
    insn_text t;
    if (!detail::text::one(t, i)) {
        t.clear();
        t.append(unknown_insn_text);
    }
    return t;
}

/// The text of the instruction starting at `lo`; `hi` is the next slot and is
/// read only when `lo` is an `ld_imm64` (`r1 = 1234 ll`, `ld_pseudo\tr1, 1, 3`).
[[nodiscard]] constexpr insn_text to_string(const insn& lo, const insn& hi) noexcept {
    if (!is_ld_imm64(lo)) return to_string(lo);
    insn_text t;
    if (!detail::text::two(t, lo, hi)) {
        t.clear();
        t.append(unknown_insn_text);
    }
    return t;
}

/// The text of a two-slot instruction built by `ld_imm64`, `ld_map_fd` ...
[[nodiscard]] constexpr insn_text to_string(const wide_insn& w) noexcept { return to_string(w.lo, w.hi); }

/// As `to_string(i)`, with the annotations `opts.helper_names` asks for.
[[nodiscard]] constexpr insn_text to_string(const insn& i, const disasm_options& opts) noexcept {
    auto t = to_string(i);
    if (opts.helper_names && t != unknown_insn_text) detail::text::annotate(t, i, insn{});
    return t;
}

/// As `to_string(lo, hi)`, with the annotations `opts.helper_names` asks for.
[[nodiscard]] constexpr insn_text to_string(const insn& lo, const insn& hi, const disasm_options& opts) noexcept {
    auto t = to_string(lo, hi);
    if (opts.helper_names && t != unknown_insn_text) detail::text::annotate(t, lo, hi);
    return t;
}

[[nodiscard]] constexpr insn_text to_string(const wide_insn& w, const disasm_options& opts) noexcept {
    return to_string(w.lo, w.hi, opts);
}

/// The slot a decodable jump (`goto`, `gotol`, `may_goto`, conditional
/// jumps), local call or `ld_func` at slot `pos` refers to; `hi` is read only
/// for `ld_imm64`. Empty for every other instruction (exit, helper calls,
/// indirect jumps ...). The result may lie outside the program.
[[nodiscard]] constexpr std::optional<std::int64_t> branch_target(const insn& lo, const insn& hi,
                                                                  std::int64_t pos) noexcept {
    const insn_info c = classify(lo, hi);
    if (!c.valid() || c.target == insn_target::none) return std::nullopt;
    return target_of(c, lo, pos);
}

[[nodiscard]] constexpr std::optional<std::int64_t> branch_target(const insn& i, std::int64_t pos) noexcept {
    return branch_target(i, insn{}, pos);
}

} // namespace bpfxx
