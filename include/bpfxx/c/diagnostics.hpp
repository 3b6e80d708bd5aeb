#pragma once
// Mistakes the typed layer finds while it runs a program lambda. Each is a
// function that is not constexpr: reaching one during constant evaluation
// stops the compiler, which names the function (g++: "call to non-'constexpr'
// function 'void bpfxx::c::diagnostic::variable_read_before_set()'"), with
// the line of the program that made the mistake in the notes below it.
// Mistakes visible in the types are static_asserts instead (value.hpp,
// memory.hpp, helpers.hpp).

#include <exception>

namespace bpfxx::c {

/// Thrown by the diagnostics below, should one be reached at run time
/// (programs are compiled during constant evaluation, so it never is).
class program_error : public std::exception {
public:
    explicit program_error(const char* what) noexcept : what_(what) {}
    [[nodiscard]] const char* what() const noexcept override { return what_; }

private:
    const char* what_;
};

namespace diagnostic {
/// A `c::var` is read on a path where nothing was assigned to it.
[[noreturn]] inline void variable_read_before_set() { throw program_error("a variable is read before it is set"); }
/// A constant does not fit the type it is given to (`c::u8 x{ctx, 300}`).
[[noreturn]] inline void constant_does_not_fit_in_destination() {
    throw program_error("a constant does not fit in its destination");
}
/// A variable was made from a constant alone: it needs its program (`c::u32 x{ctx, 0}`).
[[noreturn]] inline void variable_needs_its_program_write_var_ctx_value() {
    throw program_error("a variable made from a constant needs its program: c::u32 x{ctx, 0}");
}
/// A value computed inside a branch (if_/else_/loop) is used after it closed.
[[noreturn]] inline void value_used_outside_the_branch_that_computed_it() {
    throw program_error("a value is used outside the branch that computed it");
}
/// Values of two different programs meet in one operation.
[[noreturn]] inline void values_of_different_programs_mixed() {
    throw program_error("values of two programs are mixed");
}
/// A packet cursor moved inside a branch is used after the branch closed:
/// the headers it passed are not there on the other path.
[[noreturn]] inline void packet_cursor_moved_in_a_branch_that_closed() {
    throw program_error("a packet cursor moved inside a branch is used after it");
}
/// More than 512 bytes of stack.
[[noreturn]] inline void stack_frame_exceeds_512_bytes() { throw program_error("the stack frame exceeds 512 bytes"); }
/// `.else_(...)` not directly after its `if_(...)`.
[[noreturn]] inline void else_must_follow_its_if() { throw program_error("else_ must follow its if_"); }
/// A ring buffer record is still reserved where the program returns (or
/// where two paths join with different records open): the kernel requires
/// submit or discard on every path.
[[noreturn]] inline void ring_buffer_record_neither_submitted_nor_discarded() {
    throw program_error("a ring buffer record is neither submitted nor discarded");
}
/// A jump longer than 32767 instructions.
[[noreturn]] inline void program_too_long_for_a_16_bit_jump() {
    throw program_error("a jump does not fit in 16 bits");
}
/// Register allocation could not find a register even after spilling.
[[noreturn]] inline void too_many_values_live_across_helper_calls() {
    throw program_error("too many values live across helper calls");
}
/// A field of the context this program type may not read.
[[noreturn]] inline void context_field_not_readable_by_this_program_type() {
    throw program_error("this program type may not read this context field");
}
/// A field of the context this program type may not write.
[[noreturn]] inline void context_field_not_writable_by_this_program_type() {
    throw program_error("this program type may not write this context field");
}
/// A constant loop of no trips, or of more than the layer unrolls or the verifier explores.
[[noreturn]] inline void loop_trip_count_out_of_range() { throw program_error("loop trip count out of range"); }
/// Assembly in a typed program jumps out of itself, exits, or writes r6-r10.
[[noreturn]] inline void assembly_must_fall_through_and_keep_r6_to_r10() {
    throw program_error("assembly in a typed program must fall through and keep r6-r10");
}
/// An index into an array that is a constant outside it.
[[noreturn]] inline void array_index_out_of_bounds() { throw program_error("array index out of bounds"); }
} // namespace diagnostic

} // namespace bpfxx::c
