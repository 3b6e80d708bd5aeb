#pragma once
// Stage 4: what holds on every path. A forward "must" analysis over the
// instructions of each subprogram: registers written before they are read,
// stack accesses through r10 + a known constant inside the frame, aligned,
// and reading only bytes written before.
//
// One sweep in slot order meets each instruction's outgoing state into its
// successors' incoming states; every edge but a backward jump leads to a slot
// the sweep has yet to visit, so without loops the states are final after
// it. A backward jump whose target's state changed puts that slot on a work
// list (check/work_list.hpp), and the slots on it are analysed again, lowest
// first, each putting on the list the successors whose states changed, until
// the list is empty. A state only ever loses facts, and a slot goes on the
// list only when its state lost one (or a backward jump is the first to reach
// it), so after the sweep each slot is analysed at most 1 + 532 times (10
// registers written, 10 stack pointers, 512 stack bytes): the time is linear
// in the program's size whatever its loops, and in practice each slot of a
// loop is analysed once or twice more. (Repeating whole sweeps as long as a backward jump changed
// something took a sweep per loop level a loss had to cross: quadratic in the
// depth of a loop nest.) The problems are taken from a last sweep over the
// final states.

#include <bpfxx/check/cfg.hpp>
#include <bpfxx/check/decode.hpp>
#include <bpfxx/check/frame_state.hpp>
#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/work_list.hpp>
#include <bpfxx/check/workspace.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <bit>
#include <cstdint>
#include <span>

namespace bpfxx::detail::checking {

/// The problem of a memory access at `pc`, if it goes through a register
/// known to hold r10 + constant; records stores in the frame.
[[nodiscard]] constexpr check_report access_stack(frame_state& s, const decoded& d, std::size_t pc,
                                                  const check_options& opts) noexcept {
    if (d.mem == access::none || !s.points_into_stack(d.base)) return {};
    const std::int64_t lo = std::int64_t{s.stack_offset(d.base)} + d.off;
    const std::int64_t hi = lo + d.size;
    if (lo < -stack_size || hi > 0) return problem_at(check_problem::stack_out_of_bounds, pc, d.base, saturate(lo));
    if (lo % d.size != 0) return problem_at(check_problem::misaligned_stack, pc, d.base, static_cast<std::int32_t>(lo));
    const auto from = static_cast<std::int32_t>(lo);
    const auto to = static_cast<std::int32_t>(hi);
    check_report problem;
    if (d.mem != access::store && !opts.allow_uninitialized_stack) {
        if (const std::int32_t unset = s.stack.first_unset(from, to); unset != to)
            problem = problem_at(check_problem::uninitialized_stack, pc, d.base, unset);
    }
    if (d.mem != access::load) s.stack.set(from, to);
    return problem;
}

/// A call may write through any stack pointer it is given (a helper's output
/// buffer, a subprogram's out-parameter): from the pointer to the top of the
/// frame, the bytes count as written afterwards. Without argument types that
/// is the assumption that reports no false problem.
constexpr void call_may_write_stack(frame_state& s) noexcept {
    for (reg_set args = s.on_stack & call_arguments; args != 0; args &= static_cast<reg_set>(args - 1)) {
        const std::int32_t off = s.offset[static_cast<unsigned>(std::countr_zero(args))];
        if (off < 0) s.stack.set(off < -stack_size ? -stack_size : off, 0);
    }
}

/// Where a 64-bit `mov`, `add` or `sub` leaves a stack pointer: true and the
/// new offset from r10 when dst will hold r10 + constant.
[[nodiscard]] constexpr bool moves_stack_pointer(const frame_state& s, const insn& i, std::int64_t& offset) noexcept {
    if (code::class_of(i.code) != code::alu64) return false;
    const bool x = code::source_of(i.code) == code::x;
    switch (code::op_of(i.code)) {
    case code::mov:
        if (!x || i.off != 0 || !s.points_into_stack(i.src_reg)) return false;
        offset = s.stack_offset(i.src_reg);
        return true;
    case code::add:
    case code::sub:
        if (x || !s.points_into_stack(i.dst_reg)) return false;
        offset =
            std::int64_t{s.stack_offset(i.dst_reg)} + (code::op_of(i.code) == code::add ? i.imm : -std::int64_t{i.imm});
        return true;
    default: return false;
    }
}

/// Applies the instruction at `pc` to `s` (the state at its start, which
/// becomes the state after it) and returns its first problem.
[[nodiscard]] constexpr check_report step(frame_state& s, const insn& i, const decoded& d, std::size_t pc,
                                          const check_options& opts) noexcept {
    check_report problem;
    if (const reg_set unset = d.reads & static_cast<reg_set>(~(s.written | frame_pointer)); unset != 0) {
        const auto reg = static_cast<std::uint8_t>(std::countr_zero(unset));
        // a helper call reads only the arguments of its signature: name the helper
        problem = d.form == insn_form::call_helper
                      ? problem_at(check_problem::helper_argument_unset, pc, reg, i.imm)
                      : problem_at(check_problem::uninitialized_register, pc, reg);
    }
    if (d.mem != access::none) {
        if (const check_report r = access_stack(s, d, pc, opts); problem.ok()) problem = r;
    }
    if (d.flow == flow::call || d.flow == flow::call_local) call_may_write_stack(s);

    const reg_set changed = d.clobbers | d.writes;
    if (changed == 0) return problem;
    std::int64_t new_offset = 0;
    const bool stack_pointer = moves_stack_pointer(s, i, new_offset);
    for (reg_set lost = s.on_stack & changed; lost != 0; lost &= static_cast<reg_set>(lost - 1))
        s.forget_pointer(static_cast<unsigned>(std::countr_zero(lost)));
    s.written = static_cast<reg_set>((s.written & ~d.clobbers) | d.writes);
    if (stack_pointer) s.point_into_stack(i.dst_reg, new_offset);
    return problem;
}

/// Analyses slot `pc` from its incoming state and meets the result into its
/// successors' incoming states; `changed(slot)` for each whose state changed.
/// The problem of the instruction in that state.
template <class Changed>
[[nodiscard]] constexpr check_report propagate(const insn* slots, workspace_view ws, std::size_t pc,
                                               const check_options& opts, Changed&& changed) noexcept {
    frame_state s = ws.in[pc];
    const decoded& d = ws.insns[pc];
    const check_report problem = step(s, slots[pc], d, pc, opts);
    if (d.flow != flow::jump && d.flow != flow::exit && ws.in[pc + d.slots].meet(s)) changed(pc + d.slots);
    if ((d.flow == flow::jump || d.flow == flow::branch) && ws.in[static_cast<std::size_t>(d.target_slot)].meet(s))
        changed(static_cast<std::size_t>(d.target_slot));
    return problem;
}

/// Stage 4, on a program that passed stages 1-3 (the flags and decoded
/// instructions of the workspace are theirs).
[[nodiscard]] constexpr check_report check_data_flow(std::span<const insn> prog, workspace_view ws,
                                                     const check_options& opts) noexcept {
    const std::size_t size = prog.size();
    const insn* slots = prog.data();
    for (std::size_t pc = 0; pc < size; ++pc) ws.in[pc] = frame_state{};
    for (std::size_t pc = 0; pc < size; ++pc)
        if ((ws.flags[pc] & subprogram_start) && (ws.flags[pc] & reachable)) ws.in[pc] = entry_state(pc == 0);

    first_problem found;
    std::size_t analysed = 0;
    work_list again(ws.pending, size);
    for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots) {
        if (!ws.in[pc].reached) continue;
        ++analysed;
        found.offer(propagate(slots, ws, pc, opts, [&](std::size_t next) {
            if (next <= pc) again.push(next); // the sweep has passed it
        }));
    }
    if (!again.empty()) {
        for (; !again.empty(); ++analysed)
            (void)propagate(slots, ws, again.pop(), opts, [&](std::size_t next) { again.push(next); });
        found = {};
        for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots) {
            if (!ws.in[pc].reached) continue;
            ++analysed;
            frame_state s = ws.in[pc];
            found.offer(step(s, slots[pc], ws.insns[pc], pc, opts));
        }
    }
    *ws.analyses = analysed;
    return found.report;
}

} // namespace bpfxx::detail::checking
