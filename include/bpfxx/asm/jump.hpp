#pragma once
// Control flow: conditional jumps (64-bit compares, and 32-bit ones with a
// `32` suffix), `ja`, `gotol`, `may_goto`, calls and `exit`. Every target is a
// label or a raw offset counted in instructions from the next one.

#include <bpfxx/asm/operands.hpp>
#include <bpfxx/isa/helpers.hpp>

namespace bpfxx {
namespace detail {
template <std::uint8_t Cls, std::uint8_t Op, any_reg D, operand S, jump_target T>
[[nodiscard]] constexpr auto cond_jump(D d, S s, T target) {
    if constexpr (label_type<T>) {
        return label_ref<label_field::off, T>{with_operand<Cls | Op>(d, s)};
    } else {
        return with_operand<Cls | Op>(d, s, off16(target));
    }
}
} // namespace detail

namespace ops {
// clang-format off
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jeq(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jeq>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jne(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jne>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jgt(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jgt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jge(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jge>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jlt(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jlt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jle(D d, S s, T t)  { return detail::cond_jump<code::jmp, code::jle>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsgt(D d, S s, T t) { return detail::cond_jump<code::jmp, code::jsgt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsge(D d, S s, T t) { return detail::cond_jump<code::jmp, code::jsge>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jslt(D d, S s, T t) { return detail::cond_jump<code::jmp, code::jslt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsle(D d, S s, T t) { return detail::cond_jump<code::jmp, code::jsle>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jset(D d, S s, T t) { return detail::cond_jump<code::jmp, code::jset>(d, s, t); }

template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jeq32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jeq>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jne32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jne>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jgt32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jgt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jge32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jge>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jlt32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jlt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jle32(D d, S s, T t)  { return detail::cond_jump<code::jmp32, code::jle>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsgt32(D d, S s, T t) { return detail::cond_jump<code::jmp32, code::jsgt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsge32(D d, S s, T t) { return detail::cond_jump<code::jmp32, code::jsge>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jslt32(D d, S s, T t) { return detail::cond_jump<code::jmp32, code::jslt>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jsle32(D d, S s, T t) { return detail::cond_jump<code::jmp32, code::jsle>(d, s, t); }
template <any_reg D, operand S, jump_target T> [[nodiscard]] constexpr auto jset32(D d, S s, T t) { return detail::cond_jump<code::jmp32, code::jset>(d, s, t); }
// clang-format on

/// Unconditional jump with a 16-bit offset: `goto +off`.
template <jump_target T>
[[nodiscard]] constexpr auto ja(T target) {
    return detail::with_target<label_field::off>(make_insn(code::jmp | code::ja, 0, 0, 0, 0), target);
}

/// Unconditional jump with a 32-bit offset (BPF_JMP32 | BPF_JA): `gotol +off`.
template <jump_target T>
[[nodiscard]] constexpr auto gotol(T target) {
    return detail::with_target<label_field::imm>(make_insn(code::jmp32 | code::ja, 0, 0, 0, 0), target);
}

/// `may_goto`: jumps when the kernel's loop budget is used up, falls through otherwise.
template <jump_target T>
[[nodiscard]] constexpr auto may_goto(T target) {
    return detail::with_target<label_field::off>(
        make_insn(code::jmp | code::jcond, 0, pseudo::may_goto, 0, 0), target);
}

/// Call a helper function: `call(helper::map_lookup_elem)`.
[[nodiscard]] constexpr insn call(helper h) noexcept {
    return make_insn(code::jmp | code::call, 0, 0, 0, static_cast<std::int32_t>(h));
}

/// Call a helper by raw id, or a local subprogram by label (BPF_PSEUDO_CALL).
template <jump_target T>
[[nodiscard]] constexpr auto call(T target) {
    if constexpr (label_type<T>)
        return label_ref<label_field::imm, T>{make_insn(code::jmp | code::call, 0, pseudo::call, 0, 0)};
    else
        return make_insn(code::jmp | code::call, 0, 0, 0, detail::imm32<detail::sign_extended>(target));
}

/// Call a local subprogram by raw offset (instructions from the next one).
template <std::integral I>
[[nodiscard]] constexpr insn call_local(I offset) {
    return make_insn(code::jmp | code::call, 0, pseudo::call, 0, detail::imm32<detail::sign_extended>(offset));
}

/// Call a kernel function by BTF id; `btf_fd_index` selects a module's BTF
/// in fd_array (0: vmlinux).
[[nodiscard]] constexpr insn call_kfunc(std::int32_t btf_id, std::int16_t btf_fd_index = 0) noexcept {
    return make_insn(code::jmp | code::call, 0, pseudo::kfunc_call, btf_fd_index, btf_id);
}

/// Return r0 to the caller (or end the program).
[[nodiscard]] constexpr insn exit() noexcept { return make_insn(code::jmp | code::exit, 0, 0, 0, 0); }

} // namespace ops
} // namespace bpfxx
