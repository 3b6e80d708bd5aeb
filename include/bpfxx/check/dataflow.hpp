#pragma once
// Stage 4: what holds on every path. A forward "must" analysis over the
// instructions of each subprogram: registers written before they are read,
// stack accesses through r10 + a known constant inside the frame, aligned,
// and reading only bytes written before.
//
// The instructions are swept in slot order, each meeting its outgoing state
// into its successors' incoming states. Without backward jumps one sweep
// reaches the fixed point; with loops, sweeps repeat until no state at or
// before a jump's own slot changes (bit-set and constant lattices are
// shallow, so that takes a few sweeps). Problems are taken from the last
// sweep only, whose states are final.

#include <bpfxx/check/cfg.hpp>
#include <bpfxx/check/decode.hpp>
#include <bpfxx/check/frame_state.hpp>
#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
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
    if (const reg_set unset = d.reads & static_cast<reg_set>(~(s.written | frame_pointer)); unset != 0)
        problem =
            problem_at(check_problem::uninitialized_register, pc, static_cast<std::uint8_t>(std::countr_zero(unset)));
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

/// Stage 4, on a program that passed stages 1-3 (the flags and decoded
/// instructions of the workspace are theirs).
[[nodiscard]] constexpr check_report check_data_flow(std::span<const insn> prog, workspace_view ws,
                                                     const check_options& opts) noexcept {
    const std::size_t size = prog.size();
    const insn* slots = prog.data();
    for (std::size_t pc = 0; pc < size; ++pc) ws.in[pc] = frame_state{};
    for (std::size_t pc = 0; pc < size; ++pc)
        if ((ws.flags[pc] & subprogram_start) && (ws.flags[pc] & reachable)) ws.in[pc] = entry_state(pc == 0);
    for (;;) {
        first_problem found;
        bool again = false;
        for (std::size_t pc = 0; pc < size; pc += ws.insns[pc].slots) {
            if (!ws.in[pc].reached) continue;
            frame_state s = ws.in[pc];
            const decoded& d = ws.insns[pc];
            found.offer(step(s, slots[pc], d, pc, opts));
            if (d.flow != flow::jump && d.flow != flow::exit) ws.in[pc + d.slots].meet(s);
            if (d.flow == flow::jump || d.flow == flow::branch) {
                const auto target = static_cast<std::size_t>(d.target_slot);
                if (ws.in[target].meet(s) && target <= pc) again = true;
            }
        }
        if (!again) return found.report;
    }
}

} // namespace bpfxx::detail::checking
