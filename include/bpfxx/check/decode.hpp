#pragma once
// One instruction as the checks see it: what the classifier says of it
// (bpfxx/isa/classify.hpp: validity, registers, control flow, memory), the
// problem the checks report for it, and its target as an absolute slot.
//
// The checks take the classifier's verdict, with one policy of their own:
// the indirect `gotox` and `callx`, whose targets no static check can know,
// are refused as bad opcodes.

#include <bpfxx/check/report.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>

#include <cstdint>

namespace bpfxx::detail::checking {

inline constexpr reg_set frame_pointer = reg_bit(10);
inline constexpr reg_set call_arguments = call_argument_regs; ///< r1..r5, clobbered by calls

using flow = insn_flow;
using access = mem_use;

/// One instruction, decoded: the classifier's `insn_info` and what the
/// checks add. 32 bytes: the workspace keeps one per slot.
struct decoded : insn_info {
    std::int64_t target_slot = 0; ///< absolute slot, for instructions with a target
    std::int32_t detail = 0;      ///< of the problem
    std::int16_t off = 0;         ///< of the memory access
    check_problem problem = check_problem::none;
    std::uint8_t reg = check_report::no_register; ///< of the problem
};

/// The check problem of an encoding the classifier refuses.
[[nodiscard]] constexpr check_problem problem_of(insn_error e) noexcept {
    switch (e) {
    case insn_error::none: return check_problem::none;
    case insn_error::bad_register: return check_problem::bad_register;
    case insn_error::reserved_field: return check_problem::reserved_field;
    case insn_error::incomplete_ld_imm64: return check_problem::incomplete_ld_imm64;
    default: return check_problem::bad_opcode;
    }
}

/// The instruction at slot `pc`; `next` is the slot after it, if `has_next`.
/// Fills in the problem of the encoding, if any; then `target_slot` is the
/// absolute slot for instructions that have a target.
[[nodiscard]] constexpr decoded decode(const insn& i, const insn& next, bool has_next, std::int64_t pc) noexcept {
    decoded d;
    static_cast<insn_info&>(d) = has_next ? classify(i, next) : classify(i);
    d.off = i.off;
    d.problem = is_indirect(d.form) ? check_problem::bad_opcode : problem_of(d.error);
    switch (d.problem) {
    case check_problem::none: break;
    case check_problem::bad_opcode: d.detail = i.code; return d;
    case check_problem::bad_register: d.reg = d.error_detail; return d;
    case check_problem::reserved_field: d.detail = d.error_detail; return d;
    default: return d;
    }
    if (d.target != insn_target::none) d.target_slot = target_of(d, i, pc);
    if (d.form == insn_form::call_helper && (i.imm <= 0 || i.imm >= helper_count)) {
        d.problem = check_problem::unknown_helper;
        d.detail = i.imm;
    }
    return d;
}

} // namespace bpfxx::detail::checking
