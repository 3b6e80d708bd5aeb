#pragma once
// The checks of a program's shape: each instruction on its own, then where
// control can go. Each stage reports the problem at the lowest slot it finds,
// and assumes the stages before it passed.
//
// Subprograms: slot 0 and every target of a local call or `ld_func` start
// one; a subprogram runs to the next start. As in the kernel, jumps stay
// inside their subprogram, and each subprogram ends in `exit` or an
// unconditional jump, so no path runs off its end.

#include <bpfxx/check/decode.hpp>
#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/workspace.hpp>
#include <bpfxx/isa/insn.hpp>

#include <cstdint>
#include <limits>
#include <span>

namespace bpfxx::detail::checking {

/// Keeps the problem at the lowest slot of those offered.
struct first_problem {
    check_report report;
    constexpr void offer(const check_report& r) noexcept {
        if (r.problem != check_problem::none && (report.ok() || r.pc < report.pc)) report = r;
    }
};

[[nodiscard]] constexpr std::int32_t saturate(std::int64_t v) noexcept {
    constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
    constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
    return static_cast<std::int32_t>(v < lo ? lo : v > hi ? hi : v);
}

[[nodiscard]] constexpr check_report problem_at(check_problem p, std::size_t pc,
                                                std::uint8_t reg = check_report::no_register,
                                                std::int32_t detail = 0) noexcept {
    return {p, static_cast<std::uint32_t>(pc), reg, detail};
}

/// The instruction at `pc` of `prog`, with the slot after it when there is one.
[[nodiscard]] constexpr decoded decode_at(std::span<const insn> prog, std::size_t pc) noexcept {
    const bool has_next = pc + 1 < prog.size();
    const insn* slots = prog.data(); // unchecked: the caller keeps pc in range
    return decode(slots[pc], slots[has_next ? pc + 1 : pc], has_next, static_cast<std::int64_t>(pc));
}

/// Stage 1, each instruction on its own: encoding, register numbers, helper
/// ids, writes to r10. Keeps every instruction decoded in `ws.insns` and
/// marks the second slots of ld_imm64.
[[nodiscard]] constexpr check_report check_instructions(std::span<const insn> prog, workspace_view ws,
                                                        const check_options& opts) noexcept {
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        const decoded& d = ws.insns[pc] = decode_at(prog, pc);
        if (d.problem != check_problem::none &&
            !(d.problem == check_problem::unknown_helper && opts.allow_unknown_helpers))
            return problem_at(d.problem, pc, d.reg, d.detail);
        if (d.writes & frame_pointer) return problem_at(check_problem::r10_written, pc, 10);
        if (d.slots == 2) ws.flags[++pc] = second_slot;
    }
    return {};
}

/// Stage 2: every jump, local call and ld_func names an instruction of the
/// program. Marks where subprograms start.
[[nodiscard]] constexpr check_report check_targets(std::size_t size, workspace_view ws) noexcept {
    ws.flags[0] |= subprogram_start;
    for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots) {
        const decoded& d = ws.insns[pc];
        if (d.target == insn_target::none) continue;
        const std::int32_t detail = saturate(d.target_slot);
        if (d.target_slot < 0 || d.target_slot >= static_cast<std::int64_t>(size))
            return problem_at(check_problem::jump_out_of_program, pc, check_report::no_register, detail);
        const auto t = static_cast<std::size_t>(d.target_slot);
        if (ws.flags[t] & second_slot)
            return problem_at(check_problem::jump_into_ld_imm64, pc, check_report::no_register, detail);
        if (d.target == insn_target::subprogram) ws.flags[t] |= subprogram_start;
    }
    return {};
}

/// Numbers the subprograms (ws.subprogram[pc] for every slot), then checks
/// that jumps stay within their subprogram and go forward (unless loops are
/// allowed), and that no subprogram's last instruction falls through.
constexpr void check_jumps(std::size_t size, workspace_view ws, const check_options& opts,
                           first_problem& found) noexcept {
    std::uint32_t index = 0;
    for (std::size_t pc = 0; pc < size; ++pc) {
        if (pc != 0 && (ws.flags[pc] & subprogram_start)) ++index;
        ws.subprogram[pc] = index;
    }
    for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots) {
        const decoded& d = ws.insns[pc];
        const bool jumps = d.flow == flow::jump || d.flow == flow::branch;
        const auto t = static_cast<std::size_t>(d.target_slot);
        if (jumps && ws.subprogram[t] != ws.subprogram[pc])
            return found.offer(problem_at(check_problem::jump_out_of_subprogram, pc, check_report::no_register,
                                          saturate(d.target_slot)));
        if (jumps && t <= pc && !opts.allow_back_edges)
            return found.offer(
                problem_at(check_problem::back_edge, pc, check_report::no_register, saturate(d.target_slot)));
        const std::size_t after = pc + d.slots;
        if ((after == size || (ws.flags[after] & subprogram_start)) && d.flow != flow::jump && d.flow != flow::exit)
            return found.offer(problem_at(check_problem::falls_off_end, pc, check_report::no_register,
                                          static_cast<std::int32_t>(after)));
    }
}

/// Local calls form no cycle: a depth-first search of the call graph, in
/// which a call to a subprogram still on the search path closes a cycle.
/// `progress[s]` is 0 before subprogram s is entered, 1 + the slot to resume
/// its scan at while it is on the path, and `done` after.
constexpr void check_recursion(std::size_t size, workspace_view ws, first_problem& found) noexcept {
    constexpr std::uint32_t done = std::numeric_limits<std::uint32_t>::max();
    const std::uint32_t count = ws.subprogram[size - 1] + 1;
    if (count == 1) return; // calls need a second subprogram
    for (std::uint32_t s = 0; s < count; ++s) ws.progress[s] = 0;

    std::size_t depth = 0;
    for (std::size_t root = 0; root < size; ++root) {
        if (!(ws.flags[root] & subprogram_start) || ws.progress[ws.subprogram[root]] != 0) continue;
        ws.work[depth++] = ws.subprogram[root];
        ws.progress[ws.subprogram[root]] = static_cast<std::uint32_t>(root) + 1;
        while (depth > 0) {
            const std::uint32_t s = ws.work[depth - 1];
            std::size_t pc = ws.progress[s] - 1;
            bool entered = false;
            for (; !entered && pc < size && ws.subprogram[pc] == s; pc += ws.insns[pc].slots) {
                if (ws.insns[pc].flow != flow::call_local) continue;
                const auto target = static_cast<std::size_t>(ws.insns[pc].target_slot);
                const std::uint32_t callee = ws.subprogram[target];
                if (ws.progress[callee] == 0) {
                    ws.progress[s] = static_cast<std::uint32_t>(pc + ws.insns[pc].slots) + 1; // resume after the call
                    ws.progress[callee] = static_cast<std::uint32_t>(target) + 1;
                    ws.work[depth++] = callee;
                    entered = true;
                } else if (ws.progress[callee] != done) {
                    found.offer(problem_at(check_problem::recursive_call, pc, check_report::no_register,
                                           static_cast<std::int32_t>(target)));
                }
            }
            if (!entered) {
                ws.progress[s] = done;
                --depth;
            }
        }
    }
}

/// Marks every slot a path from slot 0 reaches, following jumps, local calls
/// and ld_func targets; reports the first instruction none reaches.
constexpr void check_reachability(std::size_t size, workspace_view ws, const check_options& opts,
                                  first_problem& found) noexcept {
    std::size_t depth = 0;
    const auto visit = [&](std::size_t pc) {
        if (pc >= size || (ws.flags[pc] & reachable)) return;
        ws.flags[pc] |= reachable;
        ws.work[depth++] = static_cast<std::uint32_t>(pc);
    };
    visit(0);
    while (depth > 0) {
        const std::size_t pc = ws.work[--depth];
        const decoded& d = ws.insns[pc];
        if (d.flow != flow::jump && d.flow != flow::exit) visit(pc + d.slots);
        if (d.target != insn_target::none) visit(static_cast<std::size_t>(d.target_slot));
    }
    if (opts.allow_unreachable) return;
    for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots)
        if (!(ws.flags[pc] & reachable)) return found.offer(problem_at(check_problem::unreachable, pc));
}

/// Stage 3: subprogram boundaries, back edges, recursion, reachability.
[[nodiscard]] constexpr check_report check_control_flow(std::size_t size, workspace_view ws,
                                                        const check_options& opts) noexcept {
    first_problem found;
    check_jumps(size, ws, opts, found);
    check_recursion(size, ws, found);
    check_reachability(size, ws, opts, found);
    return found.report;
}

} // namespace bpfxx::detail::checking
