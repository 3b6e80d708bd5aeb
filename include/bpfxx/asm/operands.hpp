#pragma once
// The operand rules every builder shares: register-or-immediate sources,
// jump targets, memory widths, and the read-only frame pointer.

#include <bpfxx/asm/items.hpp>
#include <bpfxx/asm/label.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/isa/registers.hpp>

#include <concepts>
#include <cstdint>

namespace bpfxx {

/// A source operand: a register or an integer immediate.
template <class T>
concept operand = any_reg<T> || std::integral<T>;

/// A jump target: a label, or a raw offset in instructions.
template <class T>
concept jump_target = label_type<T> || std::integral<T>;

/// A memory access width, named by its C++ type (`std::uint32_t`, ...).
/// Signed types of 1, 2 and 4 bytes make `ldx` sign-extend (BPF_MEMSX).
template <class T>
concept mem_width = std::integral<T> && !std::same_as<T, bool> &&
                    (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);

namespace detail {

template <class R>
constexpr void check_writable() noexcept {
    static_assert(R::index != 10, "bpfxx: r10 is the read-only frame pointer; no instruction may write it");
}

template <mem_width T>
inline constexpr std::uint8_t size_code = sizeof(T) == 1   ? code::b
                                          : sizeof(T) == 2 ? code::h
                                          : sizeof(T) == 4 ? code::w
                                                           : code::dw;

/// `class | op | source` with the operand in `src_reg` or `imm` (sign-extended
/// by the 64-bit classes, taken as 32 bits by ALU and JMP32).
template <std::uint8_t ClsOp, any_reg D, operand S>
[[nodiscard]] constexpr insn with_operand(D, S src, std::int16_t off = 0) {
    if constexpr (any_reg<S>)
        return make_insn(static_cast<std::uint8_t>(ClsOp | code::x), D::index, S::index, off, 0);
    else
        return make_insn(static_cast<std::uint8_t>(ClsOp | code::k), D::index, 0, off,
                         imm32<code::class_of(ClsOp) == code::alu64 || code::class_of(ClsOp) == code::jmp>(src));
}

/// Puts a jump target in `off` (or `imm` for F == imm), or defers it to
/// `assemble` when it is a label.
template <label_field F, jump_target T>
[[nodiscard]] constexpr auto with_target(insn i, T target) {
    if constexpr (label_type<T>) {
        return label_ref<F, T>{i};
    } else if constexpr (F == label_field::off) {
        i.off = off16(target);
        return i;
    } else {
        i.imm = imm32<sign_extended>(target); // a signed offset
        return i;
    }
}

} // namespace detail
} // namespace bpfxx
