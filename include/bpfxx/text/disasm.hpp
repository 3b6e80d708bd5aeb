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
// Decoding is strict: an instruction whose reserved fields are not zero (as
// RFC 9669 and the kernel's verifier require), or that names a register above
// r10, prints `<unknown>` even where LLVM would print something.

#include <bpfxx/asm/items.hpp>
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

/// Whether `i` is the first slot of a two-slot `ld_imm64` (BPF_LD | BPF_IMM | BPF_DW).
[[nodiscard]] constexpr bool is_ld_imm64(const insn& i) noexcept {
    return i.code == (code::ld | code::dw | code::imm);
}

namespace detail::text {

inline constexpr std::uint8_t no_reg = 0xff;

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

[[nodiscard]] constexpr bool alu(insn_text& t, const insn& i) noexcept {
    const bool is64 = code::class_of(i.code) == code::alu64;
    const char p = is64 ? 'r' : 'w';
    const bool x = code::source_of(i.code) == code::x;
    const std::uint8_t op = code::op_of(i.code);
    const unsigned d = i.dst_reg, s = i.src_reg;

    switch (op) {
    case code::neg:
        if (x || s != 0 || i.off != 0 || i.imm != 0) return false;
        put_reg(t, p, d);
        t.append(" = -");
        put_reg(t, p, d);
        return true;

    case code::end: {
        if (s != 0 || i.off != 0 || (i.imm != 16 && i.imm != 32 && i.imm != 64)) return false;
        if (is64 && x) return false;
        put_reg(t, 'r', d);
        t.append(" = ");
        t.append(is64 ? "bswap" : x ? "be" : "le");
        t.append_int(i.imm);
        t.append(' ');
        put_reg(t, 'r', d);
        return true;
    }

    case code::mov:
        if (!x) {
            if (s != 0 || i.off != 0) return false;
            put_reg(t, p, d);
            t.append(" = ");
            t.append_int(i.imm);
            return true;
        }
        if (is64 && i.off == 1) { // arena pointer cast (Linux 6.9)
            const auto imm = static_cast<std::uint32_t>(i.imm);
            put_reg(t, 'r', d);
            t.append(" = addr_space_cast(");
            put_reg(t, 'r', s);
            t.append(", ");
            t.append_uint(imm >> 16);
            t.append(", ");
            t.append_uint(imm & 0xffffu);
            t.append(')');
            return true;
        }
        if (i.imm != 0) return false;
        put_reg(t, p, d);
        t.append(" = ");
        if (i.off == 8 || i.off == 16 || (is64 && i.off == 32)) {
            t.append("(s");
            t.append_int(i.off);
            t.append(')');
        } else if (i.off != 0) {
            return false;
        }
        put_reg(t, p, s);
        return true;

    case code::add:
    case code::sub:
    case code::mul:
    case code::div:
    case code::or_:
    case code::and_:
    case code::lsh:
    case code::rsh:
    case code::mod:
    case code::xor_:
    case code::arsh: {
        const bool may_be_signed = op == code::div || op == code::mod;
        if (i.off != 0 && !(may_be_signed && i.off == 1)) return false;
        if (x ? i.imm != 0 : s != 0) return false;
        put_reg(t, p, d);
        t.append(' ');
        if (i.off == 1) t.append('s');
        t.append(alu_op(op));
        t.append(' ');
        if (x)
            put_reg(t, p, s);
        else
            t.append_int(i.imm);
        return true;
    }

    default: return false;
    }
}

[[nodiscard]] constexpr bool jmp(insn_text& t, const insn& i) noexcept {
    const bool is32 = code::class_of(i.code) == code::jmp32;
    const char p = is32 ? 'w' : 'r';
    const bool x = code::source_of(i.code) == code::x;
    const std::uint8_t op = code::op_of(i.code);
    const unsigned d = i.dst_reg, s = i.src_reg;

    switch (op) {
    case code::ja:
        if (is32) { // gotol: 32-bit offset in imm
            if (x || d != 0 || s != 0 || i.off != 0) return false;
            t.append("gotol ");
            t.append_signed(i.imm);
        } else if (x) { // indirect jump (LLVM 21 `gotox`)
            if (s != 0 || i.off != 0 || i.imm != 0) return false;
            t.append("gotox ");
            put_reg(t, 'r', d);
        } else {
            if (d != 0 || s != 0 || i.imm != 0) return false;
            t.append("goto ");
            t.append_signed(i.off);
        }
        return true;

    case code::call:
        if (is32) return false;
        if (x) { // callx: register in dst (current LLVM; LLVM 14 read imm)
            if (s != 0 || i.off != 0 || i.imm != 0) return false;
            t.append("callx ");
            put_reg(t, 'r', d);
            return true;
        }
        if (d != 0 || s > pseudo::kfunc_call) return false;
        if (s != pseudo::kfunc_call && i.off != 0) return false;
        t.append("call ");
        t.append_int(i.imm);
        return true;

    case code::exit:
        if (is32 || x || d != 0 || s != 0 || i.off != 0 || i.imm != 0) return false;
        t.append("exit");
        return true;

    case code::jcond:
        if (is32 || x || d != 0 || s != pseudo::may_goto || i.imm != 0) return false;
        t.append("may_goto ");
        t.append_signed(i.off);
        return true;

    case code::jeq:
    case code::jgt:
    case code::jge:
    case code::jset:
    case code::jne:
    case code::jsgt:
    case code::jsge:
    case code::jlt:
    case code::jle:
    case code::jslt:
    case code::jsle:
        if (x ? i.imm != 0 : s != 0) return false;
        t.append("if ");
        put_reg(t, p, d);
        t.append(' ');
        t.append(jmp_op(op));
        t.append(' ');
        if (x)
            put_reg(t, p, s);
        else
            t.append_int(i.imm);
        t.append(" goto ");
        t.append_signed(i.off);
        return true;

    default: return false;
    }
}

[[nodiscard]] constexpr bool load_store(insn_text& t, const insn& i) noexcept {
    const std::uint8_t cls = code::class_of(i.code);
    const std::uint8_t mode = code::mode_of(i.code);
    const std::uint8_t size = code::size_of(i.code);
    const unsigned d = i.dst_reg, s = i.src_reg;

    switch (cls) {
    case code::ld:
        if ((mode != code::abs && mode != code::ind) || size == code::dw) return false;
        if (d != 0 || i.off != 0 || (mode == code::abs && s != 0)) return false;
        t.append("r0 = ");
        put_type(t, i.code, true);
        t.append("skb[");
        if (mode == code::abs) {
            t.append_int(i.imm);
        } else {
            put_reg(t, 'r', s);
            if (i.imm > 0) {
                t.append(" + ");
                t.append_int(i.imm);
            } else if (i.imm < 0) {
                t.append(" - ");
                t.append_int(-static_cast<std::int64_t>(i.imm));
            }
        }
        t.append(']');
        return true;

    case code::ldx:
        if ((mode != code::mem && mode != code::memsx) || i.imm != 0) return false;
        if (mode == code::memsx && size == code::dw) return false;
        put_reg(t, 'r', d);
        t.append(" = ");
        put_type(t, i.code, true, mode == code::memsx);
        put_addr(t, s, i.off);
        return true;

    case code::st:
        if (mode != code::mem || s != 0) return false;
        put_type(t, i.code, true);
        put_addr(t, d, i.off);
        t.append(" = ");
        t.append_int(i.imm);
        return true;

    default: break; // stx
    }

    if (mode == code::mem) {
        if (i.imm != 0) return false;
        put_type(t, i.code, true);
        put_addr(t, d, i.off);
        t.append(" = ");
        put_reg(t, 'r', s);
        return true;
    }
    if (mode != code::atomic) return false;

    const char p = size == code::dw ? 'r' : 'w';
    if (i.imm == atomic_op::load_acquire) {
        put_reg(t, p, d);
        t.append(" = load_acquire(");
        put_type(t, i.code, false);
        put_addr(t, s, i.off);
        t.append(')');
        return true;
    }
    if (i.imm == atomic_op::store_release) {
        t.append("store_release(");
        put_type(t, i.code, false);
        put_addr(t, d, i.off);
        t.append(", ");
        put_reg(t, p, s);
        t.append(')');
        return true;
    }
    if (size != code::w && size != code::dw) return false;

    switch (i.imm) {
    case atomic_op::add:
    case atomic_op::or_:
    case atomic_op::and_:
    case atomic_op::xor_:
        t.append("lock ");
        put_type(t, i.code, true);
        put_addr(t, d, i.off);
        t.append(' ');
        t.append(alu_op(static_cast<std::uint8_t>(i.imm)));
        t.append(' ');
        put_reg(t, p, s);
        return true;
    case atomic_op::add | atomic_op::fetch:
    case atomic_op::or_ | atomic_op::fetch:
    case atomic_op::and_ | atomic_op::fetch:
    case atomic_op::xor_ | atomic_op::fetch: {
        const auto op = i.imm & ~atomic_op::fetch;
        put_reg(t, p, s);
        t.append(" = atomic_fetch_");
        t.append(op == atomic_op::add ? "add" : op == atomic_op::or_ ? "or" : op == atomic_op::and_ ? "and" : "xor");
        t.append('(');
        put_type(t, i.code, false);
        put_addr(t, d, i.off);
        t.append(", ");
        put_reg(t, p, s);
        t.append(')');
        return true;
    }
    case atomic_op::xchg:
        put_reg(t, p, s);
        t.append(size == code::dw ? " = xchg_64(" : " = xchg32_32(");
        put_addr(t, d, i.off, false);
        t.append(", ");
        put_reg(t, p, s);
        t.append(')');
        return true;
    case atomic_op::cmpxchg:
        put_reg(t, p, 0);
        t.append(size == code::dw ? " = cmpxchg_64(" : " = cmpxchg32_32(");
        put_addr(t, d, i.off, false);
        t.append(", ");
        put_reg(t, p, 0);
        t.append(", ");
        put_reg(t, p, s);
        t.append(')');
        return true;
    default: return false;
    }
}

/// One slot; false (and `t` unspecified) when it does not decode.
[[nodiscard]] constexpr bool one(insn_text& t, const insn& i) noexcept {
    if (i.dst_reg > 10 || i.src_reg > 10) return false;
    switch (code::class_of(i.code)) {
    case code::alu:
    case code::alu64: return alu(t, i);
    case code::jmp:
    case code::jmp32: return jmp(t, i);
    default: return load_store(t, i);
    }
}

/// Whether lo/hi form a well-formed ld_imm64.
[[nodiscard]] constexpr bool wide_ok(const insn& lo, const insn& hi) noexcept {
    return is_ld_imm64(lo) && lo.off == 0 && lo.dst_reg <= 10 && lo.src_reg <= pseudo::map_idx_value &&
           hi.code == 0 && hi.dst_reg == 0 && hi.src_reg == 0 && hi.off == 0;
}

[[nodiscard]] constexpr bool two(insn_text& t, const insn& lo, const insn& hi) noexcept {
    if (!wide_ok(lo, hi)) return false;
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
    if (lo.code == (code::jmp | code::call)) {
        switch (lo.src_reg) {
        case 0:
            if (const auto name = helper_name(lo.imm); !name.empty()) t.append(" ; ").append(name);
            break;
        case pseudo::call: t.append(" ; pc").append_signed(lo.imm); break;
        case pseudo::kfunc_call:
            t.append(" ; kfunc#").append_int(lo.imm);
            if (lo.off != 0) t.append(" (btf fd_array[").append_int(lo.off).append("])");
            break;
        default: break;
        }
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
    const auto next = pos + 1;
    if (is_ld_imm64(lo)) {
        if (detail::text::wide_ok(lo, hi) && lo.src_reg == pseudo::func) return next + lo.imm;
        return std::nullopt;
    }
    insn_text scratch;
    if (!detail::text::one(scratch, lo)) return std::nullopt;
    const auto cls = code::class_of(lo.code);
    if (cls != code::jmp && cls != code::jmp32) return std::nullopt;
    switch (code::op_of(lo.code)) {
    case code::ja:
        if (cls == code::jmp32) return next + lo.imm;
        if (code::source_of(lo.code) == code::x) return std::nullopt; // gotox
        return next + lo.off;
    case code::call:
        if (code::source_of(lo.code) == code::k && lo.src_reg == pseudo::call) return next + lo.imm;
        return std::nullopt;
    case code::exit: return std::nullopt;
    default: return next + lo.off; // conditional jumps, may_goto
    }
}

[[nodiscard]] constexpr std::optional<std::int64_t> branch_target(const insn& i, std::int64_t pos) noexcept {
    return branch_target(i, insn{}, pos);
}

} // namespace bpfxx
