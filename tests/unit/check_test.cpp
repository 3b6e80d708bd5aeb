// static_check: for every problem a program that passes and one that fails
// for exactly that reason, checked at compile time (both workspace paths) and
// again at run time from a copy the compiler cannot fold.
#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>

#include "../common/loop_nests.hpp"
#include "../common/sock_example.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace doctest {
template <>
struct StringMaker<bpfxx::check_report> {
    static String convert(const bpfxx::check_report& r) {
        return String("{") + String(to_string(r.problem).data(), static_cast<unsigned>(to_string(r.problem).size())) +
               ", pc " + toString(r.pc) + ", reg " + toString(static_cast<int>(r.reg)) + ", detail " +
               toString(r.detail) + "}";
    }
};
} // namespace doctest

using namespace bpfxx::ops;
using bpfxx::check_options;
using bpfxx::check_problem;
using bpfxx::check_report;
using bpfxx::insn;
using bpfxx::insn_field;
using bpfxx::make_insn;
namespace code = bpfxx::code;

namespace {

constexpr std::uint8_t no_reg = check_report::no_register;

constexpr insn raw(std::uint8_t c, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    return make_insn(c, dst, src, off, imm);
}

constexpr check_report problem(check_problem p, std::uint32_t pc, std::uint8_t reg = no_reg, std::int32_t detail = 0) {
    return {p, pc, reg, detail};
}
constexpr check_report passes{};

constexpr check_options loops{.allow_back_edges = true};

/// A program as the run-time test sees it: copied into fixed storage with the
/// report the compile-time test established.
struct sample {
    std::string_view name;
    std::array<insn, 48> insns{};
    std::size_t size = 0;
    check_options options{};
    check_report expected{};
};

// Not constexpr: reaching it while a sample is evaluated stops the compiler
// at that sample's line.
[[noreturn]] inline void static_check_did_not_give_the_expected_report() { throw 0; }

/// Checks `prog` through the static-extent and the dynamic-extent entry (a
/// compile error where either differs from `expected`), and records it for
/// the run-time test.
template <class Program>
constexpr sample expect(std::string_view name, const Program& prog, check_report expected, check_options opts = {}) {
    sample s{name, {}, prog.size(), opts, expected};
    for (std::size_t i = 0; i < prog.size(); ++i) s.insns[i] = prog[i];
    const std::span<const insn> dynamic{s.insns.data(), s.size};
    if (bpfxx::static_check(prog, opts) != expected || bpfxx::static_check(dynamic, opts) != expected)
        static_check_did_not_give_the_expected_report();
    return s;
}

// A prologue that writes every register but r10, so that single instructions
// can be checked on their own.
constexpr auto all_set = bpfxx::assemble(mov(r0, 0), mov(r1, 0), mov(r2, 0), mov(r3, 0), mov(r4, 0), mov(r5, 0),
                                         mov(r6, 0), mov(r7, 0), mov(r8, 0), mov(r9, 0));

// ---------------------------------------------------------------------------
// Instructions on their own

constexpr auto s_minimal = expect("minimal", bpfxx::assemble(mov(r0, 0), exit()), passes);

constexpr auto s_bad_opcode = expect("bad_opcode", bpfxx::assemble(mov(r0, 0), raw(0xf7, 0, 0, 0, 0), exit()),
                                     problem(check_problem::bad_opcode, 1, no_reg, 0xf7));
constexpr auto s_bad_atomic =
    expect("bad atomic op", bpfxx::assemble(all_set, raw(code::stx | code::dw | code::atomic, 10, 1, -8, 0x02), exit()),
           problem(check_problem::bad_opcode, 10, no_reg, code::stx | code::dw | code::atomic));

constexpr auto s_reserved_src =
    expect("reserved src", bpfxx::assemble(raw(code::alu64 | code::mov, 0, 1, 0, 0), exit()),
           problem(check_problem::reserved_field, 0, no_reg, int(insn_field::src_reg)));
constexpr auto s_reserved_exit_imm =
    expect("reserved exit imm", bpfxx::assemble(mov(r0, 0), raw(code::jmp | code::exit, 0, 0, 0, 1)),
           problem(check_problem::reserved_field, 1, no_reg, int(insn_field::imm)));
constexpr auto s_reserved_next_code =
    expect("reserved next code",
           bpfxx::assemble(raw(code::ld | code::dw | code::imm, 0, 0, 0, 1), raw(0x07, 0, 0, 0, 0), exit()),
           problem(check_problem::reserved_field, 0, no_reg, int(insn_field::next_code)));
constexpr auto s_reserved_map_hi =
    expect("map fd with upper half",
           bpfxx::assemble(raw(code::ld | code::dw | code::imm, 1, 1, 0, 3), raw(0, 0, 0, 0, 1), mov(r0, 0), exit()),
           problem(check_problem::reserved_field, 0, no_reg, int(insn_field::next_imm)));
constexpr auto s_map_value_hi =
    expect("map value offset", bpfxx::assemble(ld_map_value_fd(r1, 3, 16), mov(r0, 0), exit()), passes);

constexpr auto s_bad_register =
    expect("bad register", bpfxx::assemble(raw(code::alu64 | code::mov, 11, 0, 0, 0), mov(r0, 0), exit()),
           problem(check_problem::bad_register, 0, 11));
constexpr auto s_bad_src_register =
    expect("bad src register", bpfxx::assemble(raw(code::alu64 | code::add | code::x, 0, 12, 0, 0), exit()),
           problem(check_problem::bad_register, 0, 12));

constexpr auto s_incomplete =
    expect("incomplete ld_imm64", bpfxx::assemble(mov(r0, 0), exit(), raw(code::ld | code::dw | code::imm, 0, 0, 0, 1)),
           problem(check_problem::incomplete_ld_imm64, 2));

constexpr auto s_r9_written = expect("r9 written", bpfxx::assemble(mov(r9, 1), mov(r0, r9), exit()), passes);
constexpr auto s_r10_written =
    expect("r10 written", bpfxx::assemble(mov(r1, 1), raw(code::alu64 | code::mov, 10, 0, 0, 1), mov(r0, 0), exit()),
           problem(check_problem::r10_written, 1, 10));
constexpr auto s_r10_ldx =
    expect("r10 loaded", bpfxx::assemble(raw(code::ldx | code::dw | code::mem, 10, 1, 0, 0), mov(r0, 0), exit()),
           problem(check_problem::r10_written, 0, 10));
constexpr auto s_r10_ld_imm64 =
    expect("r10 ld_imm64",
           bpfxx::assemble(raw(code::ld | code::dw | code::imm, 10, 0, 0, 1), raw(0, 0, 0, 0, 0), mov(r0, 0), exit()),
           problem(check_problem::r10_written, 0, 10));
constexpr auto s_r10_fetch = expect(
    "r10 fetched",
    bpfxx::assemble(raw(code::stx | code::dw | code::atomic, 1, 10, 0, bpfxx::atomic_op::add | bpfxx::atomic_op::fetch),
                    mov(r0, 0), exit()),
    problem(check_problem::r10_written, 0, 10));
constexpr auto s_r10_neg =
    expect("r10 negated", bpfxx::assemble(mov(r0, 0), raw(code::alu | code::neg, 10, 0, 0, 0), exit()),
           problem(check_problem::r10_written, 1, 10));

constexpr auto s_known_helper = expect("known helper", bpfxx::assemble(call(helper::ktime_get_ns), exit()), passes);
constexpr auto s_unknown_helper = expect("unknown helper", bpfxx::assemble(call(999), exit()),
                                         problem(check_problem::unknown_helper, 0, no_reg, 999));
constexpr auto s_helper_zero =
    expect("helper 0", bpfxx::assemble(call(0), exit()), problem(check_problem::unknown_helper, 0));
constexpr auto s_unknown_allowed =
    expect("unknown helper allowed", bpfxx::assemble(call(999), exit()), passes, {.allow_unknown_helpers = true});
constexpr auto s_kfunc = expect("kfunc", bpfxx::assemble(call_kfunc(12345, 1), exit()), passes);

// ---------------------------------------------------------------------------
// Control flow

constexpr auto s_jump_in = expect("jump in range", bpfxx::assemble(mov(r0, 0), ja(0), exit()), passes);
constexpr auto s_jump_out = expect("jump out", bpfxx::assemble(mov(r0, 0), jeq(r1, 0, 2), exit()),
                                   problem(check_problem::jump_out_of_program, 1, no_reg, 4));
constexpr auto s_jump_before = expect("jump before start", bpfxx::assemble(mov(r0, 0), ja(-3), exit()),
                                      problem(check_problem::jump_out_of_program, 1, no_reg, -1), loops);
constexpr auto s_gotol_out = expect("gotol out", bpfxx::assemble(mov(r0, 0), gotol(100000), exit()),
                                    problem(check_problem::jump_out_of_program, 1, no_reg, 100002));
constexpr auto s_call_out = expect("local call out", bpfxx::assemble(call_local(5), exit()),
                                   problem(check_problem::jump_out_of_program, 0, no_reg, 6));
constexpr auto s_ld_func_out = expect("ld_func out", bpfxx::assemble(ld_func(r2, -4), mov(r0, 0), exit()),
                                      problem(check_problem::jump_out_of_program, 0, no_reg, -3));

constexpr auto s_jump_over_wide =
    expect("jump over ld_imm64", bpfxx::assemble(mov(r0, 0), jeq(r1, 0, 2), ld_imm64(r0, 7), exit()), passes);
constexpr auto s_jump_into_wide =
    expect("jump into ld_imm64", bpfxx::assemble(mov(r0, 0), jeq(r1, 0, 1), ld_imm64(r0, 7), exit()),
           problem(check_problem::jump_into_ld_imm64, 1, no_reg, 3));

// main: 0..2, f: 3..4
constexpr auto s_subprogram =
    expect("subprogram", bpfxx::assemble(mov(r1, 1), call("f"_label), exit(), "f"_label, mov(r0, r1), exit()), passes);
constexpr auto s_jump_out_of_subprogram =
    expect("jump into a subprogram",
           bpfxx::assemble(jeq(r1, 0, "f"_label), call("f"_label), exit(), "f"_label, mov(r0, 0), exit()),
           problem(check_problem::jump_out_of_subprogram, 0, no_reg, 3));

constexpr auto s_falls_off_end =
    expect("falls off the end", bpfxx::assemble(mov(r0, 0)), problem(check_problem::falls_off_end, 0, no_reg, 1));
constexpr auto s_branch_last = expect("branch last", bpfxx::assemble(mov(r0, 0), jeq(r1, 0, -2)),
                                      problem(check_problem::falls_off_end, 1, no_reg, 2), loops);
constexpr auto s_falls_into_subprogram =
    expect("falls into a subprogram", bpfxx::assemble(call("f"_label), mov(r0, 0), "f"_label, mov(r0, 1), exit()),
           problem(check_problem::falls_off_end, 1, no_reg, 2));
constexpr auto s_ends_in_ja = expect(
    "ends in ja", bpfxx::assemble(ja("body"_label), "out"_label, exit(), "body"_label, mov(r0, 0), ja("out"_label)),
    passes, loops);

constexpr auto s_unreachable = expect("unreachable", bpfxx::assemble(mov(r0, 0), exit(), mov(r0, 1), exit()),
                                      problem(check_problem::unreachable, 2));
constexpr auto s_unreachable_allowed =
    expect("unreachable allowed", bpfxx::assemble(mov(r0, 0), exit(), mov(r0, r5), exit()), passes,
           {.allow_unreachable = true});
constexpr auto s_unreachable_subprogram =
    expect("subprogram called from dead code",
           bpfxx::assemble(mov(r0, 0), exit(), "f"_label, mov(r0, 1), exit(), call("f"_label), exit()),
           problem(check_problem::unreachable, 2));
constexpr auto s_callback = expect("ld_func callback",
                                   bpfxx::assemble(mov(r1, 4), ld_func(r2, "cb"_label), mov(r3, 0), mov(r4, 0),
                                                   call(helper::loop), exit(), "cb"_label, mov(r0, 0), exit()),
                                   passes);

constexpr auto s_loop =
    bpfxx::assemble(mov(r2, 10), "loop"_label, sub(r2, 1), jne(r2, 0, "loop"_label), mov(r0, 0), exit());
constexpr auto s_back_edge = expect("back edge", s_loop, problem(check_problem::back_edge, 2, no_reg, 1));
constexpr auto s_back_edge_allowed = expect("back edge allowed", s_loop, passes, loops);
constexpr auto s_self_loop =
    expect("self loop", bpfxx::assemble(mov(r0, 0), ja(-1), exit()), problem(check_problem::back_edge, 1, no_reg, 1));
constexpr auto s_may_goto_loop = expect(
    "may_goto loop", bpfxx::assemble(mov(r0, 0), "l"_label, may_goto("out"_label), ja("l"_label), "out"_label, exit()),
    problem(check_problem::back_edge, 2, no_reg, 1));

constexpr auto s_no_recursion =
    expect("call chain",
           bpfxx::assemble(call("f"_label), exit(), "f"_label, call("g"_label), exit(), "g"_label, mov(r0, 0), exit()),
           passes);
constexpr auto s_recursion = expect("recursion",
                                    bpfxx::assemble(call("f"_label), exit(), "f"_label, mov(r0, 0),
                                                    jeq(r1, 0, "out"_label), call("f"_label), "out"_label, exit()),
                                    problem(check_problem::recursive_call, 4, no_reg, 2));
constexpr auto s_mutual_recursion = expect(
    "mutual recursion",
    bpfxx::assemble(call("f"_label), exit(), "f"_label, call("g"_label), exit(), "g"_label, call("f"_label), exit()),
    problem(check_problem::recursive_call, 4, no_reg, 2));

// ---------------------------------------------------------------------------
// Data flow: registers

constexpr auto s_uninit = expect("uninitialized register", bpfxx::assemble(mov(r0, r2), exit()),
                                 problem(check_problem::uninitialized_register, 0, 2));
constexpr auto s_uninit_r0_at_exit = expect("exit without r0", bpfxx::assemble(mov(r1, 0), exit()),
                                            problem(check_problem::uninitialized_register, 1, 0));
constexpr auto s_after_call =
    expect("argument after call", bpfxx::assemble(call(helper::ktime_get_ns), mov(r0, r1), exit()),
           problem(check_problem::uninitialized_register, 1, 1));
constexpr auto s_callee_saved = expect(
    "callee-saved after call", bpfxx::assemble(mov(r6, r1), call(helper::ktime_get_ns), add(r0, r6), exit()), passes);
constexpr auto s_ld_abs_needs_r6 = expect("ld_abs without r6", bpfxx::assemble(ld_abs<std::uint8_t>(23), exit()),
                                          problem(check_problem::uninitialized_register, 0, 6));
constexpr auto s_ld_abs_clobbers =
    expect("ld_abs clobbers r1", bpfxx::assemble(mov(r6, r1), ld_abs<std::uint8_t>(23), mov(r0, r1), exit()),
           problem(check_problem::uninitialized_register, 2, 1));
constexpr auto s_ld_ind =
    expect("ld_ind", bpfxx::assemble(mov(r6, r1), mov(r7, 14), ld_ind<std::uint16_t>(r7, 2), exit()), passes);
constexpr auto s_one_path = expect(
    "written on one path", bpfxx::assemble(jeq(r1, 0, "skip"_label), mov(r3, 1), "skip"_label, mov(r0, r3), exit()),
    problem(check_problem::uninitialized_register, 2, 3));
constexpr auto s_both_paths = expect("written on both paths",
                                     bpfxx::assemble(jeq(r1, 0, "a"_label), mov(r3, 1), ja("join"_label), "a"_label,
                                                     mov(r3, 2), "join"_label, mov(r0, r3), exit()),
                                     passes);
constexpr auto s_callee_args =
    expect("callee reads r5", bpfxx::assemble(call("f"_label), exit(), "f"_label, mov(r0, r5), exit()), passes);
constexpr auto s_callee_r6 =
    expect("callee reads r6", bpfxx::assemble(mov(r6, 1), call("f"_label), exit(), "f"_label, mov(r0, r6), exit()),
           problem(check_problem::uninitialized_register, 3, 6));
constexpr auto s_after_local_call =
    expect("r2 after local call",
           bpfxx::assemble(mov(r2, 1), call("f"_label), mov(r0, r2), exit(), "f"_label, mov(r0, 0), exit()),
           problem(check_problem::uninitialized_register, 2, 2));
constexpr auto s_cmpxchg_reads_r0 = expect(
    "cmpxchg reads r0",
    bpfxx::assemble(st<std::uint64_t>(r10, -8, 0), mov(r2, 1), atomic_cmpxchg<std::uint64_t>(r10, -8, r2), exit()),
    problem(check_problem::uninitialized_register, 2, 0));
constexpr auto s_fetch_writes_src = expect(
    "fetch writes src",
    bpfxx::assemble(st<std::uint64_t>(r10, -8, 0), mov(r0, 1), atomic_fetch_add<std::uint64_t>(r10, -8, r0), exit()),
    passes);
// A read that only the path around a loop leaves unset: found in the second sweep.
constexpr auto s_loop_clobber =
    expect("clobbered around a loop",
           bpfxx::assemble("l"_label, mov(r2, r1), call(helper::ktime_get_ns), jlt(r0, 10, "l"_label), exit()),
           problem(check_problem::uninitialized_register, 0, 1), loops);
constexpr auto s_loop_ok = expect(
    "loop keeps r6",
    bpfxx::assemble(mov(r6, r1), "l"_label, mov(r2, r6), call(helper::ktime_get_ns), jlt(r0, 10, "l"_label), exit()),
    passes, loops);

// A helper call reads exactly r1..rN of its signature (isa/helpers.hpp).
using bpfxx::helper;
constexpr std::int32_t id(helper h) { return static_cast<std::int32_t>(h); }
// The mistake of issue 15: the key pointer in r2, a helper call (which
// leaves r1..r5 unset), then map_update_elem reading the clobbered r2.
constexpr auto clobbered_key(bool set_again) {
    return bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), st<std::uint64_t>(r10, -16, 1), mov(r2, r10), add(r2, -4),
                           call(helper::ktime_get_ns), set_again ? mov(r2, r10) : mov(r0, 0),
                           set_again ? add(r2, -4) : mov(r0, 0), ld_map<bpfxx_test::counters>(r1), mov(r3, r10),
                           add(r3, -16), mov(r4, 0), call(helper::map_update_elem), mov(r0, 0), exit());
}
constexpr auto s_key_clobbered =
    expect("key pointer clobbered by a call", clobbered_key(false),
           problem(check_problem::helper_argument_unset, 12, 2, id(helper::map_update_elem)));
constexpr auto s_key_set_again = expect("key pointer set after the call", clobbered_key(true), passes);
constexpr auto s_argument_on_one_path =
    expect("helper argument set on one path",
           bpfxx::assemble(mov(r1, r10), add(r1, -16), jeq(r1, 0, "skip"_label), mov(r2, 16), "skip"_label,
                           call(helper::get_current_comm), mov(r0, 0), exit()),
           problem(check_problem::helper_argument_unset, 4, 2, id(helper::get_current_comm)));
// the lowest unset argument is named: r1 (r2 and r3 are unset too)
constexpr auto s_all_arguments_clobbered =
    expect("every argument clobbered",
           bpfxx::assemble(mov(r1, 1), mov(r2, 2), mov(r3, 3), call(helper::ktime_get_ns), call(helper::redirect_map),
                           exit()),
           problem(check_problem::helper_argument_unset, 4, 1, id(helper::redirect_map)));
// only N registers: map_lookup_elem reads r1 and r2, not r3..r5
constexpr auto s_arguments_beyond_arity = expect(
    "registers beyond the arguments unset",
    bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), mov(r2, r10), add(r2, -4), ld_map<bpfxx_test::counters>(r1),
                    call(helper::map_lookup_elem), mov(r0, 0), exit()),
    passes);
// a helper whose signature the SDK does not know reads no register, as before
static_assert(!bpfxx::signature_of(helper::spin_lock).known());
constexpr auto s_unknown_signature =
    expect("unknown signature", bpfxx::assemble(call(helper::ktime_get_ns), call(helper::spin_lock), exit()), passes);

// ---------------------------------------------------------------------------
// Data flow: the stack

constexpr auto s_stack_edges =
    expect("stack edges",
           bpfxx::assemble(st<std::uint64_t>(r10, -512, 1), st<std::uint8_t>(r10, -1, 2), mov(r0, 0), exit()), passes);
constexpr auto s_below_frame =
    expect("below the frame", bpfxx::assemble(st<std::uint64_t>(r10, -520, 1), mov(r0, 0), exit()),
           problem(check_problem::stack_out_of_bounds, 0, 10, -520));
constexpr auto s_above_frame =
    expect("above the frame", bpfxx::assemble(st<std::uint32_t>(r10, -2, 1), mov(r0, 0), exit()),
           problem(check_problem::stack_out_of_bounds, 0, 10, -2));
constexpr auto s_through_copy = expect(
    "through a copy of r10",
    bpfxx::assemble(mov(r2, r10), add(r2, -600), sub(r2, -96), stx<std::uint64_t>(r2, 0, r1), mov(r0, 0), exit()),
    passes);
constexpr auto s_copy_out_of_bounds =
    expect("copy out of bounds",
           bpfxx::assemble(mov(r2, r10), add(r2, -600), stx<std::uint64_t>(r2, 0, r1), mov(r0, 0), exit()),
           problem(check_problem::stack_out_of_bounds, 2, 2, -600));
constexpr auto s_copy_of_copy = expect(
    "copy of a copy", bpfxx::assemble(mov(r2, r10), add(r2, -8), mov(r3, r2), ldx<std::uint64_t>(r0, r3, 4), exit()),
    problem(check_problem::stack_out_of_bounds, 3, 3, -4));
constexpr auto s_unknown_pointer =
    expect("other pointers unchecked", bpfxx::assemble(ldx<std::uint64_t>(r0, r1, -4096), exit()), passes);
constexpr auto s_pointer_differs = expect("pointer differs between paths",
                                          bpfxx::assemble(mov(r2, r10), jeq(r1, 0, "j"_label), add(r2, -8000),
                                                          "j"_label, st<std::uint8_t>(r2, 0, 1), mov(r0, 0), exit()),
                                          passes);
constexpr auto s_pointer_overwritten =
    expect("pointer overwritten",
           bpfxx::assemble(mov(r2, r10), mov32(r2, r10), st<std::uint8_t>(r2, 1, 1), mov(r0, 0), exit()), passes);

constexpr auto s_aligned =
    expect("aligned",
           bpfxx::assemble(st<std::uint32_t>(r10, -12, 0), st<std::uint16_t>(r10, -2, 0), mov(r0, 0), exit()), passes);
constexpr auto s_misaligned = expect("misaligned", bpfxx::assemble(st<std::uint32_t>(r10, -6, 0), mov(r0, 0), exit()),
                                     problem(check_problem::misaligned_stack, 0, 10, -6));

constexpr auto s_stack_written = expect(
    "stack written", bpfxx::assemble(st<std::uint64_t>(r10, -8, 7), ldx<std::uint64_t>(r0, r10, -8), exit()), passes);
constexpr auto s_stack_unwritten = expect("stack not written", bpfxx::assemble(ldx<std::uint64_t>(r0, r10, -8), exit()),
                                          problem(check_problem::uninitialized_stack, 0, 10, -8));
constexpr auto s_stack_partly = expect(
    "stack partly written", bpfxx::assemble(st<std::uint32_t>(r10, -8, 7), ldx<std::uint64_t>(r0, r10, -8), exit()),
    problem(check_problem::uninitialized_stack, 1, 10, -4));
constexpr auto s_stack_one_path =
    expect("stack written on one path",
           bpfxx::assemble(jeq(r1, 0, "j"_label), st<std::uint64_t>(r10, -16, 7), "j"_label, mov(r2, r10), add(r2, -16),
                           ldx<std::uint32_t>(r0, r2, 4), exit()),
           problem(check_problem::uninitialized_stack, 4, 2, -12));
constexpr auto s_stack_allowed = expect("stack read allowed", bpfxx::assemble(ldx<std::uint64_t>(r0, r10, -8), exit()),
                                        passes, {.allow_uninitialized_stack = true});
constexpr auto s_atomic_reads_stack = expect(
    "atomic reads the stack", bpfxx::assemble(mov(r1, 1), atomic_add<std::uint64_t>(r10, -8, r1), mov(r0, 0), exit()),
    problem(check_problem::uninitialized_stack, 1, 10, -8));
constexpr auto s_helper_fills_stack =
    expect("helper fills a buffer",
           bpfxx::assemble(mov(r3, r1), mov(r1, r10), add(r1, -16), mov(r2, 16), call(helper::probe_read_kernel),
                           ldx<std::uint64_t>(r0, r10, -16), exit()),
           passes);
constexpr auto s_helper_fills_above_only =
    expect("helper fills above its pointer only",
           bpfxx::assemble(mov(r3, r1), mov(r1, r10), add(r1, -16), mov(r2, 16), call(helper::probe_read_kernel),
                           ldx<std::uint64_t>(r0, r10, -24), exit()),
           problem(check_problem::uninitialized_stack, 5, 10, -24));
constexpr auto s_frames_apart = expect("each subprogram has its frame",
                                       bpfxx::assemble(st<std::uint64_t>(r10, -8, 1), call("f"_label), exit(),
                                                       "f"_label, ldx<std::uint64_t>(r0, r10, -8), exit()),
                                       problem(check_problem::uninitialized_stack, 3, 10, -8));
constexpr auto s_load_acquire =
    expect("load_acquire",
           bpfxx::assemble(st<std::uint32_t>(r10, -4, 1), load_acquire<std::uint32_t>(r0, r10, -4), exit()), passes);
constexpr auto s_load_acquire_unwritten =
    expect("load_acquire unwritten", bpfxx::assemble(load_acquire<std::uint32_t>(r0, r10, -4), exit()),
           problem(check_problem::uninitialized_stack, 0, 10, -4));
constexpr auto s_store_release = expect(
    "store_release",
    bpfxx::assemble(mov(r1, 1), store_release<std::uint64_t>(r10, -8, r1), ldx<std::uint64_t>(r0, r10, -8), exit()),
    passes);

// ---------------------------------------------------------------------------
// Whole programs

constexpr auto s_sock_example = expect("sock_example", bpfxx_test::sock_example, passes);

// The problems of earlier stages win over later ones, whatever their slots.
constexpr auto s_stage_order =
    expect("stage order", bpfxx::assemble(mov(r0, r2), exit(), raw(0xf7, 0, 0, 0, 0), exit()),
           problem(check_problem::bad_opcode, 2, no_reg, 0xf7));

constexpr const sample* all_samples[] = {
    &s_minimal,
    &s_bad_opcode,
    &s_bad_atomic,
    &s_reserved_src,
    &s_reserved_exit_imm,
    &s_reserved_next_code,
    &s_reserved_map_hi,
    &s_map_value_hi,
    &s_bad_register,
    &s_bad_src_register,
    &s_incomplete,
    &s_r9_written,
    &s_r10_written,
    &s_r10_ldx,
    &s_r10_ld_imm64,
    &s_r10_fetch,
    &s_r10_neg,
    &s_known_helper,
    &s_unknown_helper,
    &s_helper_zero,
    &s_unknown_allowed,
    &s_kfunc,
    &s_jump_in,
    &s_jump_out,
    &s_jump_before,
    &s_gotol_out,
    &s_call_out,
    &s_ld_func_out,
    &s_jump_over_wide,
    &s_jump_into_wide,
    &s_subprogram,
    &s_jump_out_of_subprogram,
    &s_falls_off_end,
    &s_branch_last,
    &s_falls_into_subprogram,
    &s_ends_in_ja,
    &s_unreachable,
    &s_unreachable_allowed,
    &s_unreachable_subprogram,
    &s_callback,
    &s_back_edge,
    &s_back_edge_allowed,
    &s_self_loop,
    &s_may_goto_loop,
    &s_no_recursion,
    &s_recursion,
    &s_mutual_recursion,
    &s_uninit,
    &s_uninit_r0_at_exit,
    &s_after_call,
    &s_callee_saved,
    &s_ld_abs_needs_r6,
    &s_ld_abs_clobbers,
    &s_ld_ind,
    &s_one_path,
    &s_both_paths,
    &s_callee_args,
    &s_callee_r6,
    &s_after_local_call,
    &s_cmpxchg_reads_r0,
    &s_fetch_writes_src,
    &s_loop_clobber,
    &s_loop_ok,
    &s_key_clobbered,
    &s_key_set_again,
    &s_argument_on_one_path,
    &s_all_arguments_clobbered,
    &s_arguments_beyond_arity,
    &s_unknown_signature,
    &s_stack_edges,
    &s_below_frame,
    &s_above_frame,
    &s_through_copy,
    &s_copy_out_of_bounds,
    &s_copy_of_copy,
    &s_unknown_pointer,
    &s_pointer_differs,
    &s_pointer_overwritten,
    &s_aligned,
    &s_misaligned,
    &s_stack_written,
    &s_stack_unwritten,
    &s_stack_partly,
    &s_stack_one_path,
    &s_stack_allowed,
    &s_atomic_reads_stack,
    &s_helper_fills_stack,
    &s_helper_fills_above_only,
    &s_frames_apart,
    &s_load_acquire,
    &s_load_acquire_unwritten,
    &s_store_release,
    &s_sock_example,
    &s_stage_order,
};

// ---------------------------------------------------------------------------
// Every encoding the checker accepts, and encodings it rejects. Each
// instruction runs after `all_set` (slot 10) and before `exit`.

constexpr std::uint8_t alu_ops[] = {code::add, code::sub, code::mul, code::div,  code::or_, code::and_,
                                    code::lsh, code::rsh, code::mod, code::xor_, code::mov, code::arsh};
constexpr std::uint8_t jump_ops[] = {code::jeq,  code::jgt, code::jge, code::jset, code::jne, code::jsgt,
                                     code::jsge, code::jlt, code::jle, code::jslt, code::jsle};
constexpr std::uint8_t sizes[] = {code::b, code::h, code::w, code::dw};
constexpr std::int32_t rmw_ops[] = {bpfxx::atomic_op::add,  bpfxx::atomic_op::or_,  bpfxx::atomic_op::and_,
                                    bpfxx::atomic_op::xor_, bpfxx::atomic_op::xchg, bpfxx::atomic_op::cmpxchg};

/// Up to two slots of one instruction.
struct encoding {
    insn lo;
    insn hi{};
    bool wide = false;
};

template <std::size_t N>
struct encodings {
    std::array<encoding, N> list{};
    std::size_t size = 0;
    constexpr void add(insn i) { list[size++] = {i, {}, false}; }
    constexpr void add_wide(insn lo, insn hi) { list[size++] = {lo, hi, true}; }
};

constexpr auto valid_encodings = [] {
    encodings<256> e;
    for (std::uint8_t cls : {code::alu, code::alu64}) {
        for (std::uint8_t op : alu_ops) {
            e.add(raw(cls | op | code::k, 1, 0, 0, 3));
            e.add(raw(cls | op | code::x, 1, 2, 0, 0));
        }
        e.add(raw(cls | code::neg, 1, 0, 0, 0));
        for (std::uint8_t op : {code::div, code::mod}) { // sdiv, smod
            e.add(raw(cls | op | code::k, 1, 0, 1, 3));
            e.add(raw(cls | op | code::x, 1, 2, 1, 0));
        }
        e.add(raw(cls | code::mov | code::x, 1, 2, 8, 0)); // movsx
        e.add(raw(cls | code::mov | code::x, 1, 2, 16, 0));
        for (std::int32_t width : {16, 32, 64}) {
            e.add(raw(cls | code::end | code::to_le, 1, 0, 0, width)); // le / bswap
            if (cls == code::alu) e.add(raw(cls | code::end | code::to_be, 1, 0, 0, width));
        }
        for (std::uint8_t op : jump_ops) {
            const std::uint8_t jcls = cls == code::alu ? code::jmp32 : code::jmp;
            e.add(raw(jcls | op | code::k, 1, 0, 0, 3));
            e.add(raw(jcls | op | code::x, 1, 2, 0, 0));
        }
    }
    e.add(raw(code::alu64 | code::mov | code::x, 1, 2, 32, 0)); // movsx s32
    e.add(raw(code::alu64 | code::mov | code::x, 1, 2, 1, 1));  // addr_space_cast
    e.add(raw(code::alu64 | code::mov | code::x, 1, 2, 1, 1 << 16));
    for (std::uint8_t size : sizes) {
        e.add(raw(code::ldx | size | code::mem, 3, 1, 4, 0));
        if (size != code::dw) e.add(raw(code::ldx | size | code::memsx, 3, 1, 4, 0));
        e.add(raw(code::st | size | code::mem, 1, 0, 4, 7));
        e.add(raw(code::stx | size | code::mem, 1, 2, 4, 0));
        e.add(raw(code::stx | size | code::atomic, 3, 1, 4, bpfxx::atomic_op::load_acquire));
        e.add(raw(code::stx | size | code::atomic, 1, 2, 4, bpfxx::atomic_op::store_release));
        if (size == code::w || size == code::dw) {
            for (std::int32_t op : rmw_ops) e.add(raw(code::stx | size | code::atomic, 1, 2, 4, op));
            for (std::int32_t op : rmw_ops)
                if (op != bpfxx::atomic_op::xchg && op != bpfxx::atomic_op::cmpxchg)
                    e.add(raw(code::stx | size | code::atomic, 1, 2, 4, op | bpfxx::atomic_op::fetch));
        } else {
            e.add(raw(code::ld | size | code::abs, 0, 0, 0, 14));
            e.add(raw(code::ld | size | code::ind, 0, 2, 0, 14));
        }
    }
    e.add(raw(code::ld | code::w | code::abs, 0, 0, 0, 14));
    e.add(raw(code::ld | code::w | code::ind, 0, 2, 0, 14));
    for (std::uint8_t src : {0, 1, 2, 3, 5, 6}) // 4 (ld_func) needs a subprogram: see "ld_func callback"
        e.add_wide(raw(code::ld | code::dw | code::imm, 1, src, 0, 3), raw(0, 0, 0, 0, src == 1 || src == 5 ? 0 : 9));
    e.add(ja(0));
    e.add(gotol(0));
    e.add(may_goto(0));
    e.add(call(helper::map_lookup_elem));
    e.add(call_kfunc(77, 2));
    return e;
}();

constexpr auto invalid_encodings = [] {
    encodings<64> e;
    for (std::uint8_t cls : {code::alu, code::alu64}) {
        e.add(raw(cls | 0xe0, 1, 0, 0, 0));
        e.add(raw(cls | 0xf0, 1, 0, 0, 0));
        e.add(raw(cls | code::neg | code::x, 1, 2, 0, 0));
        e.add(raw(cls | code::end, 1, 0, 0, 8));
        e.add(raw(cls | code::div | code::k, 1, 0, 2, 3));
        e.add(raw(cls | code::mov | code::x, 1, 2, 4, 0));
    }
    e.add(raw(code::alu64 | code::end | code::x, 1, 0, 0, 16)); // bswap has no "to_be"
    e.add(raw(code::alu | code::mov | code::x, 1, 2, 32, 0));   // movsx s32 is 64-bit only
    e.add(raw(code::alu64 | code::mov | code::x, 1, 2, 1, 2));  // addr_space_cast to address space 0/2
    e.add(raw(code::ld | code::w | code::imm, 1, 0, 0, 0));
    e.add(raw(code::ld | code::w | code::mem, 1, 2, 0, 0));
    e.add(raw(code::ld | code::dw | code::abs, 0, 0, 0, 14));
    e.add(raw(code::ld | code::dw | code::ind, 0, 2, 0, 14));
    e.add_wide(raw(code::ld | code::dw | code::imm, 1, 7, 0, 0), raw(0, 0, 0, 0, 0));
    e.add(raw(code::ldx | code::dw | code::memsx, 1, 2, 0, 0));
    e.add(raw(code::ldx | code::w | code::abs, 1, 2, 0, 0));
    e.add(raw(code::ldx | code::w | code::atomic, 1, 2, 0, 0));
    e.add(raw(code::st | code::w | code::memsx, 1, 0, 0, 0));
    e.add(raw(code::st | code::w | code::atomic, 1, 0, 0, 0));
    e.add(raw(code::stx | code::w | code::memsx, 1, 2, 0, 0));
    e.add(raw(code::stx | code::w | code::atomic, 1, 2, 0, 0x02));
    e.add(raw(code::stx | code::b | code::atomic, 1, 2, 0, bpfxx::atomic_op::add));
    e.add(raw(code::stx | code::h | code::atomic, 1, 2, 0, bpfxx::atomic_op::xchg));
    e.add(raw(code::stx | code::dw | code::atomic, 1, 2, 0, bpfxx::atomic_op::xchg & ~bpfxx::atomic_op::fetch));
    e.add(raw(code::jmp | code::ja | code::x, 1, 0, 0, 0)); // gotox
    e.add(raw(code::jmp32 | code::ja | code::x, 1, 0, 0, 0));
    e.add(raw(code::jmp | code::call | code::x, 1, 0, 0, 0)); // callx
    e.add(raw(code::jmp32 | code::call, 0, 0, 0, 1));
    e.add(raw(code::jmp | code::call, 0, 3, 0, 1));
    e.add(raw(code::jmp32 | code::exit, 0, 0, 0, 0));
    e.add(raw(code::jmp | code::exit | code::x, 0, 0, 0, 0));
    e.add(raw(code::jmp | code::jcond, 0, 1, 0, 0));
    e.add(raw(code::jmp32 | code::jcond, 0, 0, 0, 0));
    e.add(raw(code::jmp | 0xf0, 1, 0, 0, 0));
    e.add(raw(code::jmp32 | 0xf0, 1, 0, 0, 0));
    return e;
}();

/// `all_set`, then the instruction, then `exit`.
constexpr check_report check_alone(const encoding& e) {
    std::array<insn, 13> p{};
    for (std::size_t i = 0; i < all_set.size(); ++i) p[i] = all_set[i];
    std::size_t n = all_set.size();
    p[n++] = e.lo;
    if (e.wide) p[n++] = e.hi;
    p[n++] = make_insn(code::jmp | code::exit, 0, 0, 0, 0);
    bpfxx::check_workspace<13> ws;
    return bpfxx::static_check(std::span<const insn>(p.data(), n), ws);
}

// One constant evaluation per encoding, each with the compilers' full budget.
template <std::size_t I>
constexpr bool valid_alone = check_alone(valid_encodings.list[I]).ok();
template <std::size_t I>
constexpr bool invalid_alone = check_alone(invalid_encodings.list[I]) ==
                               problem(check_problem::bad_opcode, 10, no_reg, invalid_encodings.list[I].lo.code);

template <std::size_t... I>
constexpr bool all_valid(std::index_sequence<I...>) {
    return (valid_alone<I> && ...);
}
template <std::size_t... I>
constexpr bool all_invalid(std::index_sequence<I...>) {
    return (invalid_alone<I> && ...);
}

static_assert(valid_encodings.size == 178);
static_assert(invalid_encodings.size == 41);
static_assert(all_valid(std::make_index_sequence<valid_encodings.size>{}));
static_assert(all_invalid(std::make_index_sequence<invalid_encodings.size>{}));

// ---------------------------------------------------------------------------
// How a user writes it

static_assert(bpfxx::static_check(bpfxx_test::sock_example));
static_assert(bpfxx::checked<bpfxx_test::sock_example>);
static_assert(bpfxx::assert_checked<bpfxx_test::sock_example>());
static_assert(bpfxx::checked<s_loop, check_options{.allow_back_edges = true}>);
static_assert(!bpfxx::static_check(s_loop));
static_assert(bpfxx::static_check(s_loop).message() ==
              "backward jump (a loop); check_options::allow_back_edges permits it");
static_assert(check_report{}.ok() && check_report{}.message() == "no problem found");
static_assert(bpfxx::static_check(std::span<const insn>{}) == problem(check_problem::empty_program, 0));

constexpr std::array<insn, 3> as_array{mov(r0, 1), add(r0, r2), exit()};
static_assert(bpfxx::static_check(as_array) == problem(check_problem::uninitialized_register, 1, 2));

constexpr auto too_large_in_small_workspace = [] {
    bpfxx::check_workspace<4> ws;
    constexpr auto p = bpfxx::assemble(mov(r0, 0), mov(r0, 1), mov(r0, 2), mov(r0, 3), exit());
    return bpfxx::static_check(p, ws);
}();
static_assert(too_large_in_small_workspace == problem(check_problem::too_large, 4, no_reg, 4));

// ---------------------------------------------------------------------------
// A program of 1000 instructions, in a static_assert with the compilers'
// default limits: stack traffic, branches, stack pointers, helper calls.

constexpr std::array<insn, 1000> big_program(bool with_loops) {
    std::array<insn, 1000> p{};
    std::size_t n = 0;
    p[n++] = with_loops ? mov(r0, 0) : mov(r6, r1);
    for (int k = 0; k < 99; ++k) {
        const int slot = -8 * (k % 60 + 3); // -24 .. -496
        p[n++] = mov(r1, k);
        p[n++] = stx<std::uint64_t>(r10, slot, r1);
        p[n++] = ldx<std::uint64_t>(r2, r10, slot);
        p[n++] = add(r2, r1);
        p[n++] = jeq(r2, 5, 2);
        p[n++] = mov(r3, r2);
        p[n++] = mul(r3, 3);
        p[n++] = mov(r2, r10);
        p[n++] = add(r2, -16);
        // Without loops a helper call; with them, a jump back to the block's start.
        p[n++] = with_loops ? jlt(r0, 10, -10) : call(helper::ktime_get_ns);
    }
    for (; n < 998; ++n) p[n] = mov(r0, static_cast<int>(n));
    p[n++] = mov(r0, 0);
    p[n++] = exit();
    return p;
}
constexpr auto big = big_program(false);
constexpr auto big_with_loops = big_program(true);

static_assert(bpfxx::static_check(big));
static_assert(bpfxx::checked<big>);
static_assert(bpfxx::static_check(big_with_loops) == problem(check_problem::back_edge, 10, no_reg, 1));
static_assert(bpfxx::static_check(big_with_loops, loops));

// ---------------------------------------------------------------------------
// The data-flow check is linear in the program's size, loops or not, on the
// worst inputs found (tests/common/loop_nests.hpp). Sweeping until nothing
// changed needed a sweep per loop level: for loop_nest<300>, 300 sweeps of 604
// slots, far beyond the compilers' constant-evaluation limits. The read at the
// outermost exit is found only if the loss crossed every level.
using bpfxx_test::loop_nest;
static_assert(bpfxx::static_check(loop_nest<3>(false), loops));
static_assert(bpfxx::static_check(loop_nest<3>(true), loops) == problem(check_problem::uninitialized_register, 8, 1));
static_assert(bpfxx::static_check(loop_nest<3>(false)) == problem(check_problem::back_edge, 5, no_reg, 3));
static_assert(bpfxx::static_check(loop_nest<300>(false), loops));
static_assert(bpfxx::static_check(loop_nest<300>(true), loops) ==
              problem(check_problem::uninitialized_register, 602, 1));
// stack bytes lost one per level, a chain each loss would cross on its own
constexpr std::size_t wave_levels = 12, wave_chain = 100;
template <std::size_t Read>
constexpr auto byte_waves() {
    std::array<insn, bpfxx_test::byte_waves_size(wave_levels, wave_chain)> p{};
    bpfxx_test::byte_waves(p, wave_levels, wave_chain, Read);
    return p;
}
constexpr std::uint32_t wave_read_slot = 2 + 4 * wave_levels + wave_chain;
static_assert(bpfxx::static_check(byte_waves<0>(), loops));
static_assert(bpfxx::static_check(byte_waves<wave_levels>(), loops) ==
              problem(check_problem::uninitialized_stack, wave_read_slot, 10, -static_cast<int>(wave_levels)));
static_assert(bpfxx::static_check(byte_waves<1>(), loops) ==
              problem(check_problem::uninitialized_stack, wave_read_slot, 10, -1));
static_assert([] {
    const auto nest = loop_nest<100>(false);
    bpfxx::check_workspace<nest.size()> ws;
    const bool ok = bpfxx::static_check(nest, ws, loops).ok();
    const bool small = ws.analyses() <= 3 * nest.size();
    const bool reset = !bpfxx::static_check(std::span<const insn>{}, ws) && ws.analyses() == 0;
    return ok && small && reset;
}());

} // namespace

TEST_CASE("static_check: run time gives the compile-time reports") {
    std::size_t fails = 0;
    for (const sample* s : all_samples) {
        CAPTURE(s->name);
        std::array<insn, 48> copy = s->insns; // a run-time object: no constant folding of the check itself
        const std::span<const insn> prog{copy.data(), s->size};
        CHECK(bpfxx::static_check(prog, s->options) == s->expected);
        static bpfxx::check_workspace<48> ws;
        CHECK(bpfxx::static_check(prog, ws, s->options) == s->expected);
        fails += !s->expected.ok();
    }
    CHECK(fails > std::size(all_samples) / 2);
}

TEST_CASE("static_check: every problem has a name and a message") {
    for (int p = 0; p <= static_cast<int>(check_problem::helper_argument_unset); ++p) {
        const auto problem = static_cast<check_problem>(p);
        CAPTURE(p);
        CHECK_FALSE(to_string(problem).empty());
        CHECK_FALSE(bpfxx::message(problem).empty());
        CHECK(check_report{problem, 0, no_reg, 0}.message() == bpfxx::message(problem));
        CHECK(check_report{problem, 0, no_reg, 0}.ok() == (problem == check_problem::none));
    }
    CHECK(to_string(static_cast<check_problem>(200)).empty());
    CHECK(to_string(check_problem::r10_written) == "r10_written");
}

TEST_CASE("static_check: every problem has a failing sample") {
    for (int p = 1; p <= static_cast<int>(check_problem::helper_argument_unset); ++p) {
        const auto problem = static_cast<check_problem>(p);
        CAPTURE(to_string(problem));
        if (problem == check_problem::too_large || problem == check_problem::empty_program) continue; // below
        bool found = false;
        for (const sample* s : all_samples) found = found || s->expected.problem == problem;
        CHECK(found);
    }
}

TEST_CASE("static_check: encodings at run time") {
    for (std::size_t i = 0; i < valid_encodings.size; ++i) {
        encoding e = valid_encodings.list[i];
        CAPTURE(i);
        CHECK(check_alone(e).ok());
    }
    for (std::size_t i = 0; i < invalid_encodings.size; ++i) {
        encoding e = invalid_encodings.list[i];
        CAPTURE(i);
        CHECK(check_alone(e) == problem(check_problem::bad_opcode, 10, no_reg, e.lo.code));
    }
}

TEST_CASE("static_check: 1000 instructions at run time") {
    auto copy = big;
    CHECK(bpfxx::static_check(copy).ok());
    static bpfxx::check_workspace<1000> ws;
    CHECK(bpfxx::static_check(std::span<const insn>(copy), ws).ok());
    auto loops_copy = big_with_loops;
    CHECK(bpfxx::static_check(std::span<const insn>(loops_copy), ws, loops).ok());
    // Without r0 set before the first block, the first loop's test reads it unset.
    loops_copy[0] = mov(r6, r1);
    CHECK(bpfxx::static_check(std::span<const insn>(loops_copy), ws, loops) ==
          problem(check_problem::uninitialized_register, 10, 0));
    // Too large for the dynamic-extent overload's own workspace.
    CHECK(bpfxx::static_check(std::span<const insn>(copy)) == problem(check_problem::too_large, 512, no_reg, 512));
}

TEST_CASE("static_check: deep loop nests at run time") {
    // 8,000 levels: a quadratic check would take 8,000 sweeps of 16,004 slots
    static auto nest = loop_nest<8000>(true);
    static bpfxx::check_workspace<nest.size()> ws;
    CHECK(bpfxx::static_check(std::span<const insn>(nest), ws, loops) ==
          problem(check_problem::uninitialized_register, static_cast<std::uint32_t>(nest.size() - 2), 1));
    // one sweep, each slot about once on the work list, the sweep for problems
    CHECK(ws.analyses() <= 3 * nest.size());
    nest[nest.size() - 2] = mov(r0, 0);
    CHECK(bpfxx::static_check(std::span<const insn>(nest), ws, loops).ok());
    CHECK(ws.analyses() >= 2 * nest.size());
    CHECK(ws.analyses() <= 3 * nest.size());
    // 100 levels, a chain of 10,000 slots, each level losing its own byte
    constexpr std::size_t levels = 100, chain = 10000;
    static std::array<insn, bpfxx_test::byte_waves_size(levels, chain)> waves{};
    static bpfxx::check_workspace<waves.size()> waves_ws;
    bpfxx_test::byte_waves(waves, levels, chain, levels);
    CHECK(bpfxx::static_check(std::span<const insn>(waves), waves_ws, loops) ==
          problem(check_problem::uninitialized_stack, 2 + 4 * levels + chain, 10, -static_cast<int>(levels)));
    CHECK(waves_ws.analyses() <= 4 * waves.size());
    // without loops: one sweep
    CHECK(bpfxx::static_check(std::span<const insn>(big), ws).ok());
    CHECK(ws.analyses() == big.size());
}

TEST_CASE("static_check: sizes beyond the workspace") {
    static std::array<insn, bpfxx::static_check_max_size + 1> huge{};
    for (auto& i : huge) i = mov(r0, 0);
    huge.back() = exit();
    CHECK(bpfxx::static_check(std::span<const insn>(huge)) ==
          problem(check_problem::too_large, bpfxx::static_check_max_size, no_reg,
                  static_cast<std::int32_t>(bpfxx::static_check_max_size)));
    static bpfxx::check_workspace<bpfxx::static_check_max_size + 1> ws;
    CHECK(bpfxx::static_check(std::span<const insn>(huge), ws).ok());
    CHECK(bpfxx::static_check(std::span<const insn>(huge), ws).ok()); // a workspace can be reused
    CHECK(bpfxx::static_check(std::span<const insn>{}) == problem(check_problem::empty_program, 0));
}
