#pragma once
// `static_check(prog)`: constexpr checks of a BPF program, the same code at
// compile time and at run time, with no allocation.
//
//     constexpr auto prog = bpfxx::assemble(mov(r0, 0), exit());
//     static_assert(bpfxx::static_check(prog));  // true when it passes
//     static_assert(bpfxx::checked<prog>);       // on failure, the error names problem and slot
//     auto r = bpfxx::static_check(insns);        // run time: r.problem, r.pc, r.message()
//
// What a passing program is known to have:
//  - Valid instructions: every opcode one of RFC 9669 (with load-acquire and
//    store-release, may_goto, gotol, addr_space_cast), registers r0..r10,
//    every unused field zero, complete ld_imm64 pairs, known helper ids.
//  - Sound control flow: every jump, local call and ld_func target an
//    instruction of the program (not the second half of an ld_imm64); jumps
//    stay inside their subprogram; every subprogram ends in `exit` or an
//    unconditional jump, so no path runs off an end; no recursion; every
//    instruction reachable from slot 0 (subprograms through the calls and
//    ld_func loads that name them); no backward jumps (optional).
//  - On every path: r10 never written; no register read before it is
//    written (at the entry r1 and r10 are set, in a subprogram r1..r5 and
//    r10; a call sets r0 and unsets r1..r5, and a helper call reads r1..rN of
//    its signature (isa/helpers.hpp; none when the SDK does not know it), an
//    unset one reported as `helper_argument_unset` with the helper's id;
//    ld_abs/ld_ind read r6, set r0 and unset r1..r5; exit reads r0); every load, store and atomic through a
//    register known to hold r10 + constant (copied with `mov`, moved with
//    `add`/`sub` of immediates, 64-bit) lies in the 512 bytes below r10 and is
//    aligned to its size, and loads only read bytes stored before.
//
// What it does not know (it is no substitute for the kernel's verifier):
//  - Pointer types and bounds: accesses through any other pointer (context,
//    packet, map values, pointers that differ between paths, pointers
//    reloaded from the stack) are not checked, nor is the packet bounds-checked
//    or a map value checked for null.
//  - Helper and kfunc arguments beyond their number: their types, sizes,
//    whether the helper exists for the program type; kfuncs' arguments at
//    all. A call that is given a stack pointer
//    is assumed to write from it to the top of the frame.
//  - Values: no ranges, no division by zero, no termination of loops, no
//    instruction-count or stack-depth limits across calls, no return values.
//  - Anything about maps, BTF, kfunc ids, program types or attach types.
//  - Correlated branches: the data-flow facts hold on every path through the
//    control-flow graph, feasible or not. A register written under a
//    condition and read only under the same condition is reported, though
//    the kernel, which follows values along paths, may accept the program.
//
// Which problem is reported: the checks run in stages — each instruction on
// its own, jump targets, control flow, data flow — and the report names the
// problem at the lowest slot in the first stage that finds any. Each stage
// needs the ones before it to pass (data flow only makes sense on sound
// control flow).
//
// Size and memory: the analysis is linear in the program's size, loops or
// not (with loops allowed, data flow analyses a slot again only when a fact
// it knew was lost on a path around a loop: at most 533 times, in practice
// once or twice; check/dataflow.hpp): a program of
// 1000 instructions takes about 200,000 of Clang's 1,048,576 constexpr steps
// and 2,000,000 of GCC's 33,554,432 operations, so programs of a few thousand
// instructions check in a `static_assert` with the default limits. It works
// in a `check_workspace` of about 160 bytes per slot: for a span of static
// extent N (or a `program<N>`, or a `std::array<insn, N>`) one of capacity N
// is made on the stack; for a span of dynamic extent one of 64 or 512 slots
// (at most about 80 KiB of stack), and larger programs report `too_large`
// unless the caller passes a workspace of its own (with static storage).

#include <bpfxx/asm/program.hpp>
#include <bpfxx/check/cfg.hpp>
#include <bpfxx/check/dataflow.hpp>
#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/workspace.hpp>
#include <bpfxx/isa/insn.hpp>

#include <array>
#include <cstddef>
#include <span>

namespace bpfxx {

/// The largest program `static_check` takes from a span of dynamic extent
/// without a workspace from the caller.
inline constexpr std::size_t static_check_max_size = 512;

namespace detail::checking {

[[nodiscard]] constexpr check_report run(std::span<const insn> prog, workspace_view ws,
                                         const check_options& opts) noexcept {
    *ws.analyses = 0;
    if (prog.empty()) return problem_at(check_problem::empty_program, 0);
    if (prog.size() > ws.capacity)
        return problem_at(check_problem::too_large, ws.capacity, check_report::no_register,
                          saturate(static_cast<std::int64_t>(ws.capacity)));
    for (std::size_t pc = 0; pc < prog.size(); ++pc) ws.flags[pc] = 0;
    if (auto r = check_instructions(prog, ws, opts); !r.ok()) return r;
    if (auto r = check_targets(prog.size(), ws); !r.ok()) return r;
    if (auto r = check_control_flow(prog.size(), ws, opts); !r.ok()) return r;
    return check_data_flow(prog, ws, opts);
}

template <std::size_t Capacity>
[[nodiscard]] constexpr check_report run_in_own_workspace(std::span<const insn> prog,
                                                          const check_options& opts) noexcept {
    check_workspace<Capacity> ws;
    return run(prog, ws.view(), opts);
}

} // namespace detail::checking

/// Checks `prog` in the caller's workspace: any size up to `Capacity`.
template <std::size_t Capacity>
[[nodiscard]] constexpr check_report static_check(std::span<const insn> prog, check_workspace<Capacity>& workspace,
                                                  check_options opts = {}) noexcept {
    return detail::checking::run(prog, workspace.view(), opts);
}

/// Checks a program of any size up to `static_check_max_size`.
[[nodiscard]] constexpr check_report static_check(std::span<const insn> prog, check_options opts = {}) noexcept {
    using detail::checking::run_in_own_workspace;
    // Two sizes, so that small programs do not pay for the large workspace.
    if (prog.size() <= 64) return run_in_own_workspace<64>(prog, opts);
    return run_in_own_workspace<static_check_max_size>(prog, opts);
}

/// Checks a program of N slots, in a workspace of exactly that size.
template <std::size_t N>
    requires(N != std::dynamic_extent)
[[nodiscard]] constexpr check_report static_check(std::span<const insn, N> prog, check_options opts = {}) noexcept {
    return detail::checking::run_in_own_workspace<N>(prog, opts);
}

template <std::size_t N>
[[nodiscard]] constexpr check_report static_check(const std::array<insn, N>& prog, check_options opts = {}) noexcept {
    return static_check(std::span<const insn, N>(prog), opts);
}

/// Checks an assembled program.
template <std::size_t N, class Maps, std::size_t NLabels>
[[nodiscard]] constexpr check_report static_check(const program<N, Maps, NLabels>& prog,
                                                  check_options opts = {}) noexcept {
    return static_check(prog.span(), opts);
}

} // namespace bpfxx
