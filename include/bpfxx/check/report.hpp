#pragma once
// What `static_check` answers: the first problem it finds, the slot it is
// at, and a fixed text that explains it. A report converts to `true` when the
// program passed, so `static_assert(bpfxx::static_check(prog))` reads right.

#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/names.hpp>

#include <cstdint>
#include <string_view>

namespace bpfxx {

/// The problems `static_check` finds. The enumerators up to `too_large` keep
/// their values; new ones are only ever appended.
enum class check_problem : std::uint8_t {
    none,
    bad_opcode,             ///< no BPF instruction has this opcode (or operation-selecting field)
    reserved_field,         ///< a field the instruction does not use is not zero
    jump_out_of_program,    ///< a jump, local call or ld_func target lies outside the program
    jump_into_ld_imm64,     ///< ... or on the second slot of an ld_imm64
    falls_off_end,          ///< the program or a subprogram does not end in exit or an unconditional jump
    unreachable,            ///< no path from the entry reaches this instruction
    back_edge,              ///< a jump to itself or backwards (a loop)
    r10_written,            ///< the instruction writes the read-only frame pointer
    uninitialized_register, ///< a register is read before it is written on some path
    stack_out_of_bounds,    ///< a stack access leaves the 512 bytes below r10
    uninitialized_stack,    ///< stack bytes are read before they are written on some path
    unknown_helper,         ///< a helper call names an id this SDK does not know
    too_large,              ///< the program has more slots than the checker's workspace
    empty_program,          ///< the program has no instructions
    bad_register,           ///< a register field names a register above r10
    incomplete_ld_imm64,    ///< an ld_imm64 in the last slot: its second slot is missing
    jump_out_of_subprogram, ///< a jump leaves the subprogram it is in
    recursive_call,         ///< local calls form a cycle
    misaligned_stack,       ///< a stack access is not aligned to its size
    helper_argument_unset,  ///< a helper call's argument register (r1..rN of its signature) is unset on some path
};

/// The enumerators' names ("r10_written": `to_string(check_problem)`).
template <>
struct enum_names<check_problem> {
    static constexpr enum_name<check_problem> table[] = {
        {check_problem::none, "none"},
        {check_problem::bad_opcode, "bad_opcode"},
        {check_problem::reserved_field, "reserved_field"},
        {check_problem::jump_out_of_program, "jump_out_of_program"},
        {check_problem::jump_into_ld_imm64, "jump_into_ld_imm64"},
        {check_problem::falls_off_end, "falls_off_end"},
        {check_problem::unreachable, "unreachable"},
        {check_problem::back_edge, "back_edge"},
        {check_problem::r10_written, "r10_written"},
        {check_problem::uninitialized_register, "uninitialized_register"},
        {check_problem::stack_out_of_bounds, "stack_out_of_bounds"},
        {check_problem::uninitialized_stack, "uninitialized_stack"},
        {check_problem::unknown_helper, "unknown_helper"},
        {check_problem::too_large, "too_large"},
        {check_problem::empty_program, "empty_program"},
        {check_problem::bad_register, "bad_register"},
        {check_problem::incomplete_ld_imm64, "incomplete_ld_imm64"},
        {check_problem::jump_out_of_subprogram, "jump_out_of_subprogram"},
        {check_problem::recursive_call, "recursive_call"},
        {check_problem::misaligned_stack, "misaligned_stack"},
        {check_problem::helper_argument_unset, "helper_argument_unset"},
    };
};

/// A sentence that explains the problem; the same text for every report of it.
[[nodiscard]] constexpr std::string_view message(check_problem p) noexcept {
    switch (p) {
    case check_problem::none: return "no problem found";
    case check_problem::bad_opcode: return "not a BPF instruction: invalid opcode or operation";
    case check_problem::reserved_field: return "a field this instruction does not use is not zero";
    case check_problem::jump_out_of_program: return "jump, call or ld_func target outside the program";
    case check_problem::jump_into_ld_imm64: return "jump, call or ld_func target is the second slot of an ld_imm64";
    case check_problem::falls_off_end:
        return "the last instruction of the program or of a subprogram is not exit or an unconditional jump";
    case check_problem::unreachable: return "instruction not reachable from the entry";
    case check_problem::back_edge: return "backward jump (a loop); check_options::allow_back_edges permits it";
    case check_problem::r10_written: return "instruction writes r10, the read-only frame pointer";
    case check_problem::uninitialized_register: return "register read before it is written on some path";
    case check_problem::stack_out_of_bounds: return "stack access outside the 512 bytes below r10";
    case check_problem::uninitialized_stack: return "stack bytes read before they are written on some path";
    case check_problem::unknown_helper: return "call of a helper id this SDK does not know";
    case check_problem::too_large: return "program larger than the checker's workspace";
    case check_problem::empty_program: return "program has no instructions";
    case check_problem::bad_register: return "register number above r10";
    case check_problem::incomplete_ld_imm64: return "ld_imm64 in the last slot has no second slot";
    case check_problem::jump_out_of_subprogram: return "jump leaves its subprogram";
    case check_problem::recursive_call: return "local calls form a cycle (recursion)";
    case check_problem::misaligned_stack: return "stack access not aligned to its size";
    case check_problem::helper_argument_unset:
        return "helper argument register not set on some path (a call leaves r1..r5 unset: set arguments after "
               "the last call)";
    }
    return "unknown problem";
}

/// The outcome of `static_check`: `ok()` or the first problem and where it is.
///
/// `detail` depends on the problem: the opcode byte (`bad_opcode`), an
/// `insn_field` (`reserved_field`), the target slot (jump problems,
/// `back_edge`; for `recursive_call` the callee's first slot), the slot
/// control would fall into (`falls_off_end`: the program's size, or the next
/// subprogram's first slot), the helper id (`unknown_helper`,
/// `helper_argument_unset`: `helper_name(detail)`), the byte
/// offset from r10 of the access (`stack_out_of_bounds`, `misaligned_stack`)
/// or of the first unwritten byte (`uninitialized_stack`), the workspace's
/// capacity (`too_large`); otherwise 0. `reg` is the register concerned (the
/// base register of a stack access, the register above r10, the unset
/// argument register), or
/// `no_register`. `pc` is the slot of the instruction (the first slot of an
/// ld_imm64, also for problems of its second slot; the capacity for
/// `too_large`).
struct check_report {
    static constexpr std::uint8_t no_register = 0xff;

    check_problem problem = check_problem::none;
    std::uint32_t pc = 0; ///< slot index of the instruction
    std::uint8_t reg = no_register;
    std::int32_t detail = 0;

    [[nodiscard]] constexpr bool ok() const noexcept { return problem == check_problem::none; }
    /// True when the program passed.
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] constexpr std::string_view message() const noexcept { return bpfxx::message(problem); }

    friend constexpr bool operator==(const check_report&, const check_report&) = default;
};

} // namespace bpfxx
