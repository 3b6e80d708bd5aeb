#pragma once
// One instruction as the checks see it: whether its encoding is valid, which
// registers it reads and writes, where control goes next, and which memory
// it touches. Strict: every field an instruction does not use must be zero,
// as RFC 9669 and the kernel's verifier require.
//
// Valid: everything in RFC 9669 (including sign-extending loads, movsx,
// sdiv/smod, bswap, gotol, ld_abs/ld_ind and ld_imm64 with pseudo sources
// 0..6), and may_goto, addr_space_cast (Linux 6.9) and load-acquire/
// store-release (6.15). Not valid here: the indirect `gotox` and `callx`,
// whose targets no static check can know.

#include <bpfxx/check/report.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstdint>

namespace bpfxx::detail::checking {

/// A set of registers r0..r10, one bit each.
using reg_set = std::uint16_t;

[[nodiscard]] constexpr reg_set reg_bit(unsigned r) noexcept { return static_cast<reg_set>(1u << r); }
inline constexpr reg_set frame_pointer = 1u << 10;
inline constexpr reg_set call_arguments = 0b111110; ///< r1..r5, clobbered by calls

/// Where control goes after an instruction.
enum class flow : std::uint8_t {
    next,       ///< the next instruction (two slots on for ld_imm64)
    jump,       ///< `ja` / `gotol`: the target only
    branch,     ///< conditional jump, `may_goto`: the target or the next instruction
    call,       ///< helper or kfunc call: the next instruction
    call_local, ///< local call: the next instruction; the target starts a subprogram
    exit,
};

/// How an instruction uses the memory at `base + off`.
enum class access : std::uint8_t { none, load, store, update };

/// The fields an instruction uses; any other must be zero.
enum field_use : std::uint8_t {
    uses_dst = 1,
    uses_src = 2,    ///< src_reg names a register
    selects_src = 4, ///< src_reg is a selector (pseudo source, call kind)
    uses_off = 8,
    uses_imm = 16,
};

/// One instruction, decoded. Members ordered by size: the workspace keeps one
/// per slot.
struct decoded {
    std::int64_t target = 0; ///< absolute slot, for instructions with `has_target`
    std::int32_t detail = 0; ///< of the problem
    reg_set reads = 0;
    reg_set writes = 0;   ///< initialised afterwards
    reg_set clobbers = 0; ///< uninitialised afterwards (before `writes` apply)
    std::int16_t off = 0; ///< of the memory access

    check_problem problem = check_problem::none;
    std::uint8_t reg = check_report::no_register; ///< of the problem
    flow next = flow::next;
    std::uint8_t slots = 1;
    bool has_target = false;           ///< jumps, local calls, ld_func
    bool target_is_subprogram = false; ///< local calls and ld_func
    bool target_in_imm = false;        ///< gotol, local calls and ld_func: a 32-bit offset
    access mem = access::none;
    std::uint8_t base = 0; ///< register holding the address of the memory access
    std::uint8_t size = 0; ///< bytes of the memory access
    std::uint8_t fields = 0;
};

[[nodiscard]] constexpr decoded bad_opcode(const insn& i) noexcept {
    decoded d;
    d.problem = check_problem::bad_opcode;
    d.detail = i.code;
    return d;
}

constexpr void set_problem(decoded& d, check_problem p, std::uint8_t reg, std::int32_t detail) noexcept {
    if (d.problem != check_problem::none) return;
    d.problem = p;
    d.reg = reg;
    d.detail = detail;
}

constexpr void reserved(decoded& d, insn_field f) noexcept {
    set_problem(d, check_problem::reserved_field, check_report::no_register, static_cast<std::int32_t>(f));
}

[[nodiscard]] constexpr decoded alu(const insn& i) noexcept {
    const bool is64 = code::class_of(i.code) == code::alu64;
    const bool x = code::source_of(i.code) == code::x;
    const std::uint8_t op = code::op_of(i.code);
    decoded d;
    d.writes = reg_bit(i.dst_reg);
    d.reads = reg_bit(i.dst_reg);
    d.fields = uses_dst | (x ? uses_src : uses_imm);
    if (x) d.reads |= reg_bit(i.src_reg);

    switch (op) {
    case code::neg:
        if (x) return bad_opcode(i);
        d.fields = uses_dst;
        break;
    case code::end:
        if (is64 && x) return bad_opcode(i);
        if (i.imm != 16 && i.imm != 32 && i.imm != 64) return bad_opcode(i); // imm selects the width
        d.fields = uses_dst | uses_imm;
        d.reads = reg_bit(i.dst_reg);
        break;
    case code::mov:
        d.reads = x ? reg_bit(i.src_reg) : 0;
        if (x && i.off != 0) {
            const bool movsx = i.off == 8 || i.off == 16 || (is64 && i.off == 32);
            const bool addr_space_cast = is64 && i.off == 1 && (i.imm == 1 || i.imm == 1 << 16);
            if (!movsx && !addr_space_cast) return bad_opcode(i); // off selects the operation
            d.fields |= uses_off;
            if (addr_space_cast) d.fields |= uses_imm;
        }
        break;
    case code::div:
    case code::mod:
        if (i.off != 0 && i.off != 1) return bad_opcode(i); // off 1: signed
        d.fields |= uses_off;
        break;
    case code::add:
    case code::sub:
    case code::mul:
    case code::or_:
    case code::and_:
    case code::lsh:
    case code::rsh:
    case code::xor_:
    case code::arsh: break;
    default: return bad_opcode(i);
    }
    return d;
}

[[nodiscard]] constexpr decoded load(const insn& i) noexcept {
    const std::uint8_t mode = code::mode_of(i.code);
    const std::uint8_t size = code::size_of(i.code);
    decoded d;
    switch (mode) {
    case code::imm:
        if (size != code::dw || i.src_reg > pseudo::map_idx_value) return bad_opcode(i);
        d.fields = uses_dst | selects_src | uses_imm;
        d.writes = reg_bit(i.dst_reg);
        d.slots = 2;
        if (i.src_reg == pseudo::func) d.has_target = d.target_is_subprogram = d.target_in_imm = true;
        return d;
    case code::abs:
    case code::ind:
        if (size == code::dw) return bad_opcode(i);
        // The legacy packet loads read the skb from r6 and are calls underneath.
        d.fields = uses_imm | (mode == code::ind ? uses_src : 0);
        d.reads = reg_bit(6) | (mode == code::ind ? reg_bit(i.src_reg) : 0);
        d.clobbers = call_arguments;
        d.writes = reg_bit(0);
        return d;
    default: return bad_opcode(i);
    }
}

[[nodiscard]] constexpr decoded memory(const insn& i) noexcept {
    const std::uint8_t cls = code::class_of(i.code);
    const std::uint8_t mode = code::mode_of(i.code);
    const std::uint8_t size = code::size_of(i.code);
    decoded d;
    d.off = i.off;
    d.size = static_cast<std::uint8_t>(code::bytes_of_size(size));

    if (cls == code::ldx) {
        if (mode != code::mem && !(mode == code::memsx && size != code::dw)) return bad_opcode(i);
        d.fields = uses_dst | uses_src | uses_off;
        d.reads = reg_bit(i.src_reg);
        d.writes = reg_bit(i.dst_reg);
        d.mem = access::load;
        d.base = i.src_reg;
        return d;
    }
    if (cls == code::st) {
        if (mode != code::mem) return bad_opcode(i);
        d.fields = uses_dst | uses_off | uses_imm;
        d.reads = reg_bit(i.dst_reg);
        d.mem = access::store;
        d.base = i.dst_reg;
        return d;
    }
    // stx
    d.fields = uses_dst | uses_src | uses_off;
    d.reads = reg_bit(i.dst_reg) | reg_bit(i.src_reg);
    d.base = i.dst_reg;
    if (mode == code::mem) {
        d.mem = access::store;
        return d;
    }
    if (mode != code::atomic) return bad_opcode(i);
    d.fields |= uses_imm; // imm selects the atomic operation
    switch (i.imm) {
    case atomic_op::load_acquire:
        d.reads = reg_bit(i.src_reg);
        d.writes = reg_bit(i.dst_reg);
        d.mem = access::load;
        d.base = i.src_reg;
        return d;
    case atomic_op::store_release: d.mem = access::store; return d;
    default: break;
    }
    if (size != code::w && size != code::dw) return bad_opcode(i);
    d.mem = access::update;
    switch (i.imm) {
    case atomic_op::add:
    case atomic_op::or_:
    case atomic_op::and_:
    case atomic_op::xor_: return d;
    case atomic_op::add | atomic_op::fetch:
    case atomic_op::or_ | atomic_op::fetch:
    case atomic_op::and_ | atomic_op::fetch:
    case atomic_op::xor_ | atomic_op::fetch:
    case atomic_op::xchg: d.writes = reg_bit(i.src_reg); return d;
    case atomic_op::cmpxchg:
        d.reads |= reg_bit(0);
        d.writes = reg_bit(0);
        return d;
    default: return bad_opcode(i);
    }
}

[[nodiscard]] constexpr decoded jump(const insn& i) noexcept {
    const bool is32 = code::class_of(i.code) == code::jmp32;
    const bool x = code::source_of(i.code) == code::x;
    const std::uint8_t op = code::op_of(i.code);
    decoded d;
    switch (op) {
    case code::ja:
        if (x) return bad_opcode(i); // gotox: an indirect jump
        d.next = flow::jump;
        d.has_target = true;
        d.target_in_imm = is32; // gotol
        d.fields = is32 ? uses_imm : uses_off;
        return d;
    case code::call:
        if (is32 || x || i.src_reg > pseudo::kfunc_call) return bad_opcode(i); // x: callx
        d.next = i.src_reg == pseudo::call ? flow::call_local : flow::call;
        d.has_target = d.target_is_subprogram = d.target_in_imm = i.src_reg == pseudo::call;
        d.fields = selects_src | uses_imm | (i.src_reg == pseudo::kfunc_call ? uses_off : 0);
        d.clobbers = call_arguments;
        d.writes = reg_bit(0);
        return d;
    case code::exit:
        if (is32 || x) return bad_opcode(i);
        d.next = flow::exit;
        d.reads = reg_bit(0);
        return d;
    case code::jcond:
        if (is32 || x || i.src_reg != pseudo::may_goto) return bad_opcode(i);
        d.next = flow::branch;
        d.has_target = true;
        d.fields = uses_off;
        return d;
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
        d.next = flow::branch;
        d.has_target = true;
        d.fields = uses_dst | uses_off | (x ? uses_src : uses_imm);
        d.reads = reg_bit(i.dst_reg) | (x ? reg_bit(i.src_reg) : 0);
        return d;
    default: return bad_opcode(i);
    }
}

/// Registers above r10 in used fields, then non-zero unused fields.
constexpr void check_fields(decoded& d, const insn& i) noexcept {
    if ((d.fields & uses_dst) && i.dst_reg > 10) set_problem(d, check_problem::bad_register, i.dst_reg, 0);
    if ((d.fields & uses_src) && i.src_reg > 10) set_problem(d, check_problem::bad_register, i.src_reg, 0);
    if (!(d.fields & uses_dst) && i.dst_reg != 0) reserved(d, insn_field::dst_reg);
    if (!(d.fields & (uses_src | selects_src)) && i.src_reg != 0) reserved(d, insn_field::src_reg);
    if (!(d.fields & uses_off) && i.off != 0) reserved(d, insn_field::off);
    if (!(d.fields & uses_imm) && i.imm != 0) reserved(d, insn_field::imm);
}

/// The second slot of an ld_imm64 carries the upper 32 bits in imm and nothing else.
constexpr void check_second_slot(decoded& d, const insn& lo, const insn& hi) noexcept {
    if (hi.code != 0) reserved(d, insn_field::next_code);
    if (hi.dst_reg != 0) reserved(d, insn_field::next_dst_reg);
    if (hi.src_reg != 0) reserved(d, insn_field::next_src_reg);
    if (hi.off != 0) reserved(d, insn_field::next_off);
    // A map by fd or by index has no offset: the kernel rejects a non-zero upper half.
    if ((lo.src_reg == pseudo::map_fd || lo.src_reg == pseudo::map_idx) && hi.imm != 0)
        reserved(d, insn_field::next_imm);
}

/// The instruction at slot `pc`; `next` is the slot after it, if `has_next`.
/// Fills in the problem of the encoding, if any; then `target` is the
/// absolute slot for instructions that have one.
[[nodiscard]] constexpr decoded decode(const insn& i, const insn& next, bool has_next, std::int64_t pc) noexcept {
    decoded d;
    switch (code::class_of(i.code)) {
    case code::alu:
    case code::alu64: d = alu(i); break;
    case code::ld: d = load(i); break;
    case code::ldx:
    case code::st:
    case code::stx: d = memory(i); break;
    default: d = jump(i); break;
    }
    if (d.problem != check_problem::none) return d;
    check_fields(d, i);
    if (d.slots == 2) {
        if (!has_next)
            set_problem(d, check_problem::incomplete_ld_imm64, check_report::no_register, 0);
        else
            check_second_slot(d, i, next);
    }
    if (d.problem != check_problem::none) return d;

    if (d.has_target) d.target = pc + 1 + (d.target_in_imm ? i.imm : i.off);
    if (d.next == flow::call && i.src_reg == 0 && (i.imm <= 0 || i.imm >= helper_count))
        set_problem(d, check_problem::unknown_helper, check_report::no_register, i.imm);
    return d;
}

} // namespace bpfxx::detail::checking
