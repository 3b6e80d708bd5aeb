#pragma once
// How a run of the interpreter ends when the program does something the
// kernel would not let it do: a fault names the instruction and the reason.
// A fault is a value, never undefined behaviour in the host.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/text/insn_text.hpp>

#include <cstdint>
#include <string_view>

namespace bpfxx::vm {

enum class fault_kind : std::uint8_t {
    none,
    bad_opcode,          ///< not an instruction of RFC 9669 (or a reserved field is set)
    bad_register,        ///< register number above r10
    jump_out_of_program, ///< a jump, call or fall-through leaves the program
    budget_exhausted,    ///< more instructions executed than the budget allows
    call_depth,          ///< more than 8 nested local calls
    bad_access,          ///< load or store outside every region the program may use
    uninitialized_stack, ///< read of stack bytes the program never wrote
    read_only,           ///< store to memory the program may only read
    bad_context_access,  ///< a context field the program type may not read or write this way
    unknown_helper,      ///< a helper id Linux does not have
    unmodelled_helper,   ///< a real helper the interpreter has no model of
    helper_not_allowed,  ///< a helper the program type may not call
    bad_helper_argument, ///< an argument the verifier would have refused
    bad_map_reference,   ///< ld_imm64 of a map the machine does not hold, or by raw fd
    unreleased_record,   ///< exit with a ring buffer record neither submitted nor discarded
    unsupported,         ///< valid BPF the interpreter does not run (kfuncs, BTF ids, arena address casts)
    uninitialized_register, ///< read of a register never written (or clobbered by a call)
    insn_not_allowed,    ///< an instruction this program type may not use (ld_abs outside skb programs)
    bad_input,           ///< the packet given to the run is one BPF_PROG_TEST_RUN would refuse
};

/// What the fault kind means, in words.
[[nodiscard]] constexpr std::string_view describe(fault_kind k) noexcept {
    switch (k) {
    case fault_kind::none: return "no fault";
    case fault_kind::bad_opcode: return "invalid instruction";
    case fault_kind::bad_register: return "invalid register";
    case fault_kind::jump_out_of_program: return "control leaves the program";
    case fault_kind::budget_exhausted: return "instruction budget exhausted";
    case fault_kind::call_depth: return "too many nested calls";
    case fault_kind::bad_access: return "access outside the memory the program may use";
    case fault_kind::uninitialized_stack: return "read of uninitialised stack";
    case fault_kind::read_only: return "write to read-only memory";
    case fault_kind::bad_context_access: return "invalid context access";
    case fault_kind::unknown_helper: return "unknown helper";
    case fault_kind::unmodelled_helper: return "helper has no model in bpfxx::vm";
    case fault_kind::helper_not_allowed: return "helper not available to this program type";
    case fault_kind::bad_helper_argument: return "invalid helper argument";
    case fault_kind::bad_map_reference: return "invalid map reference";
    case fault_kind::unreleased_record: return "ring buffer record not submitted or discarded";
    case fault_kind::unsupported: return "instruction not supported by bpfxx::vm";
    case fault_kind::uninitialized_register: return "read of uninitialised register";
    case fault_kind::insn_not_allowed: return "instruction not available to this program type";
    case fault_kind::bad_input: return "packet too short or too long for this program type";
    }
    return "?";
}

/// A fault: where, what, and the address or helper involved.
struct fault {
    fault_kind kind = fault_kind::none;
    std::uint32_t pc = 0;       ///< slot of the faulting instruction
    std::uint64_t address = 0;  ///< bad_access, read_only, uninitialized_stack, bad_context_access
    std::uint32_t size = 0;     ///< bytes of that access; the register of register faults
    std::int32_t helper_id = 0; ///< helper faults

    [[nodiscard]] constexpr explicit operator bool() const noexcept { return kind != fault_kind::none; }
    friend constexpr bool operator==(const fault&, const fault&) = default;
};

/// "pc 7: read of uninitialised stack (4 bytes at 0x10000001fc)"
using fault_text = fixed_text<160>;

[[nodiscard]] constexpr fault_text to_string(const fault& f) noexcept {
    fault_text t;
    if (!f) return fault_text{"no fault"};
    t.append("pc ").append_uint(f.pc).append(": ").append(describe(f.kind));
    switch (f.kind) {
    case fault_kind::bad_access:
    case fault_kind::uninitialized_stack:
    case fault_kind::read_only:
    case fault_kind::bad_context_access:
        t.append(" (").append_uint(f.size).append(" bytes at 0x").append_hex(f.address, 1).append(')');
        break;
    case fault_kind::unknown_helper:
    case fault_kind::unmodelled_helper:
    case fault_kind::helper_not_allowed:
    case fault_kind::bad_helper_argument: {
        const auto name = helper_name(f.helper_id);
        t.append(" (");
        if (!name.empty()) t.append(name).append(", ");
        t.append("id ").append_int(f.helper_id).append(')');
        break;
    }
    case fault_kind::uninitialized_register:
    case fault_kind::bad_register: t.append(" (r").append_uint(f.size).append(')'); break;
    default: break;
    }
    return t;
}

} // namespace bpfxx::vm
