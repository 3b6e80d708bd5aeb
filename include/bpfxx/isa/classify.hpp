#pragma once
// The instruction classifier: for any instruction slot (and the slot after
// it, for `ld_imm64`), which instruction it is, whether its encoding is
// valid and if not why, which registers it reads, writes and clobbers, how
// many slots it takes, where control goes next, which memory it touches and
// which fields it uses. The checks, the disassembler and both decoders of
// the interpreter ask it, so that they agree on every encoding
// (tests/unit/classify_test.cpp sweeps the opcode bytes to hold them to it).
//
//     constexpr auto c = bpfxx::classify(bpfxx::make_insn(0x61, 0, 1, 4, 0));
//     static_assert(c.form == bpfxx::insn_form::load && c.reads == bpfxx::reg_bit(1));
//
// Strict, as RFC 9669 and the kernel's verifier: a field the instruction does
// not use must be zero. Valid: everything in RFC 9669 (sign-extending loads,
// movsx, sdiv/smod, bswap, gotol, ld_abs/ld_ind, ld_imm64 with pseudo sources
// 0..6), may_goto, addr_space_cast (Linux 6.9), load-acquire/store-release
// (6.15), and LLVM's indirect `gotox` and `callx` (`is_indirect`: no static
// check can know their targets, and the interpreter does not run them).
//
// `validate(i)` is the first half of `classify(i)`: whether the encoding is
// valid, its form and the fields it uses — what the interpreter's general path
// asks at every step, and cheaper in constant evaluation than the whole answer.
//
// Table-driven: `detail::classifying::opcode_table` gives each of the 256
// opcode bytes its form, the fields it uses and the rule by which one field
// picks the operation (the width of `end`, the atomic operation, the pseudo
// source of `ld_imm64` ...); `detail::classifying::form_table` gives each form
// what it does with registers, memory and control flow.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx {

/// A set of registers r0..r10, one bit each.
using reg_set = std::uint16_t;

[[nodiscard]] constexpr reg_set reg_bit(unsigned r) noexcept { return static_cast<reg_set>(1u << r); }
/// r1..r5: the arguments of a call, which it leaves unset.
inline constexpr reg_set call_argument_regs = 0b111110;

/// What an instruction does. Each form has one shape: the registers it reads
/// and writes, its memory access and its control flow (`form_table`).
enum class insn_form : std::uint8_t {
    invalid,         ///< no instruction
    alu,             ///< dst op= src|imm (add … arsh, div/mod; off 1: sdiv/smod)
    neg,             ///< dst = -dst
    mov,             ///< dst = src|imm
    movsx,           ///< dst = (sN)src, N = off
    addr_space_cast, ///< dst = addr_space_cast(src, imm >> 16, imm & 0xffff)
    byte_swap,       ///< dst = le/be/bswap(dst), imm bits
    ld_imm64,        ///< dst = 64-bit imm (two slots; src: pseudo source, not func)
    ld_func,         ///< dst = address of the subprogram at imm (ld_imm64, pseudo func)
    ld_abs,          ///< r0 = skb[imm] (r6: the skb); a call underneath
    ld_ind,          ///< r0 = skb[src + imm]
    load,            ///< dst = *(size *)(src + off)
    load_sx,         ///< dst = *(ssize *)(src + off), sign-extended
    store_imm,       ///< *(size *)(dst + off) = imm
    store,           ///< *(size *)(dst + off) = src
    atomic,          ///< lock *(size *)(dst + off) op= src (add, or, and, xor)
    atomic_fetch,    ///< src = atomic_fetch_op(dst + off, src), and xchg
    cmpxchg,         ///< r0 = cmpxchg(dst + off, r0, src)
    load_acquire,    ///< dst = load_acquire(src + off)
    store_release,   ///< store_release(dst + off, src)
    ja,              ///< goto off
    gotol,           ///< goto imm
    gotox,           ///< goto dst (indirect)
    jump_if,         ///< if dst op src|imm goto off
    may_goto,        ///< goto off once the loop budget is spent
    call_helper,     ///< call helper imm
    call_local,      ///< call the subprogram at imm
    call_kfunc,      ///< call kernel function imm (BTF id; off: fd_array index of its BTF)
    callx,           ///< call dst (indirect)
    exit,
};

/// Whether the form jumps or calls through a register: no static check can
/// follow it.
[[nodiscard]] constexpr bool is_indirect(insn_form f) noexcept {
    return f == insn_form::gotox || f == insn_form::callx;
}

/// Where control goes after an instruction.
enum class insn_flow : std::uint8_t {
    next,       ///< the next instruction (two slots on for ld_imm64)
    jump,       ///< `ja`, `gotol`, `gotox`: the target only
    branch,     ///< conditional jump, `may_goto`: the target or the next instruction
    call,       ///< helper, kfunc or indirect call: the next instruction
    call_local, ///< local call: the next instruction; the target starts a subprogram
    exit,
};

/// How an instruction uses the memory at `base + off`.
enum class mem_use : std::uint8_t { none, load, store, update };

/// Where an instruction's target is, relative to the slot after it.
enum class insn_target : std::uint8_t {
    none,
    off,        ///< jumps, `may_goto`: the 16-bit offset
    imm,        ///< `gotol`: the 32-bit immediate
    subprogram, ///< local calls, `ld_func`: the immediate; the target starts a subprogram
};

/// Why an encoding is not a valid instruction.
enum class insn_error : std::uint8_t {
    none,
    bad_opcode,          ///< the opcode, or a field that selects the operation, names no instruction
    bad_register,        ///< a register field the instruction uses names a register above r10
    reserved_field,      ///< a field the instruction does not use is not zero
    incomplete_ld_imm64, ///< an ld_imm64 without its second slot
};

/// The fields of an instruction (for `insn_error::reserved_field`);
/// `next_*` are fields of an ld_imm64's second slot.
enum class insn_field : std::int32_t {
    dst_reg,
    src_reg,
    off,
    imm,
    next_code,
    next_dst_reg,
    next_src_reg,
    next_off,
    next_imm,
};

/// The fields an instruction uses (`insn_info::fields`); any other must be zero.
namespace insn_uses {
inline constexpr std::uint8_t dst = 1;
inline constexpr std::uint8_t src = 2;      ///< src_reg names a register
inline constexpr std::uint8_t selector = 4; ///< src_reg picks the operation (pseudo source, call kind)
inline constexpr std::uint8_t off = 8;
inline constexpr std::uint8_t imm = 16;
} // namespace insn_uses

/// Whether an encoding is an instruction, which one, and the fields it
/// uses: the first half of what `classify` says, all that running it needs.
struct insn_verdict {
    insn_form form = insn_form::invalid; ///< also of an invalid encoding, when its opcode names a form
    insn_error error = insn_error::bad_opcode;
    /// `bad_register`: the register; `reserved_field`: the `insn_field`.
    std::uint8_t error_detail = 0;
    std::uint8_t fields = 0; ///< `insn_uses` bits

    [[nodiscard]] constexpr bool valid() const noexcept { return error == insn_error::none; }
};

/// What the classifier knows of one instruction. For an invalid one, only
/// the `insn_verdict` means anything.
struct insn_info : insn_verdict {
    std::uint8_t slots = 1;
    insn_flow flow = insn_flow::next;
    mem_use mem = mem_use::none;
    std::uint8_t base = 0; ///< the register holding the address of the memory access
    std::uint8_t size = 0; ///< bytes of the memory access
    insn_target target = insn_target::none;
    reg_set reads = 0;    ///< read before it writes anything (a helper call: the arguments of its signature)
    reg_set writes = 0;   ///< hold a value afterwards
    reg_set clobbers = 0; ///< hold no value afterwards (before `writes` apply)
};

namespace detail::classifying {

/// How one field of an opcode picks its operation (and may change its form).
enum class operand_rule : std::uint8_t {
    none,
    signed_off, ///< div, mod: off 0 unsigned, 1 signed
    mov_x,      ///< mov X: off 0 mov, 8/16/32 movsx, 1 addr_space_cast
    width,      ///< end: imm 16, 32 or 64
    atomic,     ///< stx atomic: imm the operation
    pseudo,     ///< ld_imm64: src the pseudo source
    call_kind,  ///< call: src helper, local or kfunc
    may_goto,   ///< jcond: src 0 only
};

struct opcode_row {
    insn_form form = insn_form::invalid;
    std::uint8_t fields = 0;
    operand_rule rule = operand_rule::none;
};

// What a form does with registers (`form_row::regs`); the source register
// is read whenever the instruction uses it (`insn_uses::src`).
inline constexpr std::uint8_t reads_dst = 1;
inline constexpr std::uint8_t writes_dst = 2;
inline constexpr std::uint8_t writes_src = 4;
inline constexpr std::uint8_t reads_r0 = 8;
inline constexpr std::uint8_t writes_r0 = 16;
inline constexpr std::uint8_t reads_r6 = 32;
inline constexpr std::uint8_t clobbers_args = 64;

enum class address_reg : std::uint8_t { none, dst, src };

struct form_row {
    insn_form form;
    std::uint8_t regs;
    insn_flow flow;
    mem_use mem;
    address_reg base;
    insn_target target;
    std::uint8_t slots;
};

using F = insn_form;
using W = insn_flow;
using M = mem_use;
using A = address_reg;
using T = insn_target;

inline constexpr std::uint8_t call_regs = writes_r0 | clobbers_args;

/// Each form's shape, in the order of `insn_form`.
inline constexpr form_row form_table[] = {
    // form              registers                         flow           memory     address  target         slots
    {F::invalid,         0,                                W::next,       M::none,   A::none, T::none,       1},
    {F::alu,             reads_dst | writes_dst,           W::next,       M::none,   A::none, T::none,       1},
    {F::neg,             reads_dst | writes_dst,           W::next,       M::none,   A::none, T::none,       1},
    {F::mov,             writes_dst,                       W::next,       M::none,   A::none, T::none,       1},
    {F::movsx,           writes_dst,                       W::next,       M::none,   A::none, T::none,       1},
    {F::addr_space_cast, writes_dst,                       W::next,       M::none,   A::none, T::none,       1},
    {F::byte_swap,       reads_dst | writes_dst,           W::next,       M::none,   A::none, T::none,       1},
    {F::ld_imm64,        writes_dst,                       W::next,       M::none,   A::none, T::none,       2},
    {F::ld_func,         writes_dst,                       W::next,       M::none,   A::none, T::subprogram, 2},
    {F::ld_abs,          reads_r6 | call_regs,             W::next,       M::none,   A::none, T::none,       1},
    {F::ld_ind,          reads_r6 | call_regs,             W::next,       M::none,   A::none, T::none,       1},
    {F::load,            writes_dst,                       W::next,       M::load,   A::src,  T::none,       1},
    {F::load_sx,         writes_dst,                       W::next,       M::load,   A::src,  T::none,       1},
    {F::store_imm,       reads_dst,                        W::next,       M::store,  A::dst,  T::none,       1},
    {F::store,           reads_dst,                        W::next,       M::store,  A::dst,  T::none,       1},
    {F::atomic,          reads_dst,                        W::next,       M::update, A::dst,  T::none,       1},
    {F::atomic_fetch,    reads_dst | writes_src,           W::next,       M::update, A::dst,  T::none,       1},
    {F::cmpxchg,         reads_dst | reads_r0 | writes_r0, W::next,       M::update, A::dst,  T::none,       1},
    {F::load_acquire,    writes_dst,                       W::next,       M::load,   A::src,  T::none,       1},
    {F::store_release,   reads_dst,                        W::next,       M::store,  A::dst,  T::none,       1},
    {F::ja,              0,                                W::jump,       M::none,   A::none, T::off,        1},
    {F::gotol,           0,                                W::jump,       M::none,   A::none, T::imm,        1},
    {F::gotox,           reads_dst,                        W::jump,       M::none,   A::none, T::none,       1},
    {F::jump_if,         reads_dst,                        W::branch,     M::none,   A::none, T::off,        1},
    {F::may_goto,        0,                                W::branch,     M::none,   A::none, T::off,        1},
    {F::call_helper,     call_regs,                        W::call,       M::none,   A::none, T::none,       1},
    {F::call_local,      call_regs,                        W::call_local, M::none,   A::none, T::subprogram, 1},
    {F::call_kfunc,      call_regs,                        W::call,       M::none,   A::none, T::none,       1},
    {F::callx,           reads_dst | call_regs,            W::call,       M::none,   A::none, T::none,       1},
    {F::exit,            reads_r0,                         W::exit,       M::none,   A::none, T::none,       1},
};

[[nodiscard]] consteval bool form_table_in_order() {
    for (std::size_t f = 0; f < std::size(form_table); ++f)
        if (static_cast<std::size_t>(form_table[f].form) != f) return false;
    return static_cast<std::size_t>(F::exit) + 1 == std::size(form_table);
}
static_assert(form_table_in_order(), "bpfxx: form_table must list every insn_form, in order");

// ---- the opcode table ---------------------------------------------------------

[[nodiscard]] constexpr opcode_row alu_row(std::uint8_t c) noexcept {
    namespace u = insn_uses;
    const bool x = code::source_of(c) == code::x;
    const bool is64 = code::class_of(c) == code::alu64;
    const std::uint8_t operand = u::dst | (x ? u::src : u::imm);
    switch (code::op_of(c)) {
    case code::add:
    case code::sub:
    case code::mul:
    case code::or_:
    case code::and_:
    case code::lsh:
    case code::rsh:
    case code::xor_:
    case code::arsh: return {F::alu, operand, operand_rule::none};
    case code::div:
    case code::mod: return {F::alu, static_cast<std::uint8_t>(operand | u::off), operand_rule::signed_off};
    case code::neg: return x ? opcode_row{} : opcode_row{F::neg, u::dst, operand_rule::none};
    case code::mov: return {F::mov, operand, x ? operand_rule::mov_x : operand_rule::none};
    case code::end: // the source bit picks the byte order; ALU64 has bswap only
        return is64 && x ? opcode_row{} : opcode_row{F::byte_swap, u::dst | u::imm, operand_rule::width};
    default: return {};
    }
}

[[nodiscard]] constexpr opcode_row jump_row(std::uint8_t c) noexcept {
    namespace u = insn_uses;
    const bool x = code::source_of(c) == code::x;
    const bool is32 = code::class_of(c) == code::jmp32;
    switch (code::op_of(c)) {
    case code::ja:
        if (is32) return x ? opcode_row{} : opcode_row{F::gotol, u::imm, operand_rule::none};
        return x ? opcode_row{F::gotox, u::dst, operand_rule::none} : opcode_row{F::ja, u::off, operand_rule::none};
    case code::call:
        if (is32) return {};
        return x ? opcode_row{F::callx, u::dst, operand_rule::none}
                 : opcode_row{F::call_helper, u::selector | u::imm, operand_rule::call_kind};
    case code::exit: return is32 || x ? opcode_row{} : opcode_row{F::exit, 0, operand_rule::none};
    case code::jcond: return is32 || x ? opcode_row{} : opcode_row{F::may_goto, u::off, operand_rule::may_goto};
    case 0xf0: return {};
    default: // the conditional jumps
        return {F::jump_if, static_cast<std::uint8_t>(u::dst | u::off | (x ? u::src : u::imm)), operand_rule::none};
    }
}

[[nodiscard]] constexpr opcode_row memory_row(std::uint8_t c) noexcept {
    namespace u = insn_uses;
    const std::uint8_t mode = code::mode_of(c);
    const bool dw = code::size_of(c) == code::dw;
    switch (code::class_of(c)) {
    case code::ld:
        if (mode == code::imm && dw) return {F::ld_imm64, u::dst | u::selector | u::imm, operand_rule::pseudo};
        if (mode == code::abs && !dw) return {F::ld_abs, u::imm, operand_rule::none};
        if (mode == code::ind && !dw) return {F::ld_ind, u::src | u::imm, operand_rule::none};
        return {};
    case code::ldx:
        if (mode == code::mem) return {F::load, u::dst | u::src | u::off, operand_rule::none};
        if (mode == code::memsx && !dw) return {F::load_sx, u::dst | u::src | u::off, operand_rule::none};
        return {};
    case code::st:
        if (mode == code::mem) return {F::store_imm, u::dst | u::off | u::imm, operand_rule::none};
        return {};
    default: // stx
        if (mode == code::mem) return {F::store, u::dst | u::src | u::off, operand_rule::none};
        if (mode == code::atomic) return {F::atomic, u::dst | u::src | u::off | u::imm, operand_rule::atomic};
        return {};
    }
}

[[nodiscard]] constexpr opcode_row opcode_row_of(std::uint8_t c) noexcept {
    switch (code::class_of(c)) {
    case code::alu:
    case code::alu64: return alu_row(c);
    case code::jmp:
    case code::jmp32: return jump_row(c);
    default: return memory_row(c);
    }
}

/// Every opcode byte's row (a plain array: its subscript is no function
/// call, which counts in constant evaluation).
struct opcode_rows {
    opcode_row rows[256];
};
inline constexpr opcode_rows opcode_table = [] {
    opcode_rows t{};
    for (unsigned c = 0; c < 256; ++c) t.rows[c] = opcode_row_of(static_cast<std::uint8_t>(c));
    return t;
}();

// ---- the rules -----------------------------------------------------------------

/// The form `rule` makes of instruction `i` (and the fields it adds to
/// `fields`), or `invalid` when the selecting field names no operation.
[[nodiscard]] constexpr insn_form apply_rule(operand_rule rule, insn_form form, const insn& i,
                                             std::uint8_t& fields) noexcept {
    namespace u = insn_uses;
    switch (rule) {
    case operand_rule::none: return form;
    case operand_rule::signed_off: return i.off == 0 || i.off == 1 ? form : F::invalid;
    case operand_rule::mov_x: {
        const bool is64 = code::class_of(i.code) == code::alu64;
        if (i.off == 0) return form;
        fields = static_cast<std::uint8_t>(fields | u::off);
        if (i.off == 8 || i.off == 16 || (is64 && i.off == 32)) return F::movsx;
        if (is64 && i.off == 1 && (i.imm == 1 || i.imm == 1 << 16)) {
            fields = static_cast<std::uint8_t>(fields | u::imm);
            return F::addr_space_cast;
        }
        return F::invalid;
    }
    case operand_rule::width: return i.imm == 16 || i.imm == 32 || i.imm == 64 ? form : F::invalid;
    case operand_rule::atomic: {
        if (i.imm == atomic_op::load_acquire) return F::load_acquire;
        if (i.imm == atomic_op::store_release) return F::store_release;
        const auto size = code::size_of(i.code);
        if (size != code::w && size != code::dw) return F::invalid; // the read-modify-writes: 32 and 64 bits
        switch (i.imm) {
        case atomic_op::add:
        case atomic_op::or_:
        case atomic_op::and_:
        case atomic_op::xor_: return F::atomic;
        case atomic_op::add | atomic_op::fetch:
        case atomic_op::or_ | atomic_op::fetch:
        case atomic_op::and_ | atomic_op::fetch:
        case atomic_op::xor_ | atomic_op::fetch:
        case atomic_op::xchg: return F::atomic_fetch;
        case atomic_op::cmpxchg: return F::cmpxchg;
        default: return F::invalid;
        }
    }
    case operand_rule::pseudo:
        if (i.src_reg > pseudo::map_idx_value) return F::invalid;
        return i.src_reg == pseudo::func ? F::ld_func : form;
    case operand_rule::call_kind:
        switch (i.src_reg) {
        case 0: return F::call_helper;
        case pseudo::call: return F::call_local;
        case pseudo::kfunc_call: fields = static_cast<std::uint8_t>(fields | u::off); return F::call_kfunc;
        default: return F::invalid;
        }
    case operand_rule::may_goto: return i.src_reg == pseudo::may_goto ? form : F::invalid;
    }
    return F::invalid;
}

[[nodiscard]] constexpr std::uint8_t field_index(insn_field f) noexcept { return static_cast<std::uint8_t>(f); }
[[nodiscard]] constexpr insn_verdict reserved(insn_verdict r, insn_field f) noexcept {
    r.error = insn_error::reserved_field;
    r.error_detail = field_index(f);
    return r;
}

} // namespace detail::classifying

/// The registers the valid instruction `i` of form `form` writes (what
/// `classify(i).writes` says, for those who have only validated it).
[[nodiscard]] constexpr reg_set writes_of(const insn& i, insn_form form) noexcept {
    using namespace detail::classifying;
    const std::uint8_t g = form_table[static_cast<std::size_t>(form)].regs;
    return static_cast<reg_set>(((g & writes_dst) ? reg_bit(i.dst_reg) : 0) |
                                ((g & writes_src) ? reg_bit(i.src_reg) : 0) | ((g & writes_r0) ? reg_bit(0) : 0));
}

/// Whether slot `i` on its own is a valid encoding, of which form. An
/// `ld_imm64` needs its second slot: alone it is `incomplete_ld_imm64`.
[[nodiscard]] constexpr insn_verdict validate(const insn& i) noexcept {
    using namespace detail::classifying;
    namespace u = insn_uses;
    const opcode_row& row = opcode_table.rows[i.code];
    std::uint8_t used = row.fields;
    const insn_form form = row.rule == operand_rule::none ? row.form : apply_rule(row.rule, row.form, i, used);
    if (form == F::invalid) return {form, insn_error::bad_opcode, 0, used};
    // registers in range where used, then every unused field zero (aggregates
    // built in place: cheaper in constant evaluation than a helper's copies)
    using E = insn_error;
    const unsigned d = i.dst_reg, s = i.src_reg;
    if ((used & u::dst) && d > 10) return {form, E::bad_register, static_cast<std::uint8_t>(d), used};
    if ((used & u::src) && s > 10) return {form, E::bad_register, static_cast<std::uint8_t>(s), used};
    if (!(used & u::dst) && d != 0) return {form, E::reserved_field, field_index(insn_field::dst_reg), used};
    if (!(used & (u::src | u::selector)) && s != 0)
        return {form, E::reserved_field, field_index(insn_field::src_reg), used};
    if (!(used & u::off) && i.off != 0) return {form, E::reserved_field, field_index(insn_field::off), used};
    if (!(used & u::imm) && i.imm != 0) return {form, E::reserved_field, field_index(insn_field::imm), used};
    const bool two_slots = form_table[static_cast<std::size_t>(form)].slots == 2;
    return {form, two_slots ? insn_error::incomplete_ld_imm64 : insn_error::none, 0, used};
}

/// Whether the instruction starting at `lo` is a valid encoding, with `hi`
/// the slot after it (read only when `lo` is an `ld_imm64`: its second slot
/// carries the upper 32 bits of the immediate in `imm` and nothing else).
[[nodiscard]] constexpr insn_verdict validate(const insn& lo, const insn& hi) noexcept {
    using detail::classifying::reserved;
    insn_verdict r = validate(lo);
    if (r.error != insn_error::incomplete_ld_imm64) return r;
    if (hi.code != 0) return reserved(r, insn_field::next_code);
    if (hi.dst_reg != 0) return reserved(r, insn_field::next_dst_reg);
    if (hi.src_reg != 0) return reserved(r, insn_field::next_src_reg);
    if (hi.off != 0) return reserved(r, insn_field::next_off);
    // a map by fd or by index has no offset into a value: the kernel refuses an upper half
    if ((lo.src_reg == pseudo::map_fd || lo.src_reg == pseudo::map_idx) && hi.imm != 0)
        return reserved(r, insn_field::next_imm);
    r.error = insn_error::none;
    return r;
}

namespace detail::classifying {

/// `classify` of the instruction `i` that `v` judged.
[[nodiscard]] constexpr insn_info describe(const insn& i, const insn_verdict& v) noexcept {
    namespace u = insn_uses;
    insn_info r;
    static_cast<insn_verdict&>(r) = v;
    if (!v.valid()) return r;
    const form_row& shape = form_table[static_cast<std::size_t>(v.form)];
    r.slots = shape.slots;
    r.flow = shape.flow;
    r.target = shape.target;
    r.mem = shape.mem;
    if (shape.base != address_reg::none) {
        r.base = shape.base == address_reg::dst ? i.dst_reg : i.src_reg;
        r.size = static_cast<std::uint8_t>(code::bytes_of_size(i.code));
    }
    const std::uint8_t g = shape.regs;
    r.reads = static_cast<reg_set>(((g & reads_dst) ? reg_bit(i.dst_reg) : 0) |
                                   ((v.fields & u::src) ? reg_bit(i.src_reg) : 0) | ((g & reads_r0) ? reg_bit(0) : 0) |
                                   ((g & reads_r6) ? reg_bit(6) : 0));
    // a helper call reads its arguments: r1..rN of its signature (none when unknown)
    if (v.form == F::call_helper) r.reads = helper_argument_regs(i.imm);
    r.writes = writes_of(i, v.form);
    r.clobbers = (g & clobbers_args) ? call_argument_regs : reg_set{0};
    return r;
}

} // namespace detail::classifying

/// The instruction in slot `i` on its own. An `ld_imm64` needs its second
/// slot: alone it is `incomplete_ld_imm64` (use the two-slot overload).
[[nodiscard]] constexpr insn_info classify(const insn& i) noexcept {
    return detail::classifying::describe(i, validate(i));
}

/// The instruction starting at `lo`, with `hi` the slot after it (read only
/// when `lo` is an `ld_imm64`).
[[nodiscard]] constexpr insn_info classify(const insn& lo, const insn& hi) noexcept {
    return detail::classifying::describe(lo, validate(lo, hi));
}

/// The absolute slot the valid instruction `i` of form `form` at `pc`
/// refers to, when the form has a target; it may lie outside the program.
[[nodiscard]] constexpr std::int64_t target_of(const insn& i, insn_form form, std::int64_t pc) noexcept {
    const auto where = detail::classifying::form_table[static_cast<std::size_t>(form)].target;
    return pc + 1 + (where == insn_target::off ? std::int64_t{i.off} : std::int64_t{i.imm});
}
[[nodiscard]] constexpr std::int64_t target_of(const insn_info& info, const insn& i, std::int64_t pc) noexcept {
    return target_of(i, info.form, pc);
}

// ---- predicates on the opcode and selector fields ---------------------------------
// They name what an instruction claims to be; `classify` says whether it is valid.

/// Whether `i` is the first slot of a two-slot `ld_imm64` (BPF_LD | BPF_IMM | BPF_DW).
[[nodiscard]] constexpr bool is_ld_imm64(const insn& i) noexcept {
    return i.code == (code::ld | code::dw | code::imm);
}
/// A call of a helper function by id.
[[nodiscard]] constexpr bool is_helper_call(const insn& i) noexcept {
    return i.code == (code::jmp | code::call) && i.src_reg == 0;
}
/// A call of a subprogram of the same program (BPF_PSEUDO_CALL).
[[nodiscard]] constexpr bool is_local_call(const insn& i) noexcept {
    return i.code == (code::jmp | code::call) && i.src_reg == pseudo::call;
}
/// A call of a kernel function by BTF id (BPF_PSEUDO_KFUNC_CALL).
[[nodiscard]] constexpr bool is_kfunc_call(const insn& i) noexcept {
    return i.code == (code::jmp | code::call) && i.src_reg == pseudo::kfunc_call;
}

} // namespace bpfxx
