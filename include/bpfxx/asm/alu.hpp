#pragma once
// Arithmetic and logic: 64-bit forms have plain names, 32-bit forms a `32`
// suffix; every form takes a register or an immediate as its source.

#include <bpfxx/asm/operands.hpp>

namespace bpfxx {
namespace detail {
template <std::uint8_t Cls, std::uint8_t Op, std::int16_t Off = 0, any_reg D, operand S>
[[nodiscard]] constexpr insn alu(D d, S s) {
    check_writable<D>();
    return with_operand<Cls | Op>(d, s, Off);
}
template <std::uint8_t Cls, std::uint8_t Op, any_reg D>
[[nodiscard]] constexpr insn alu_unary(D, std::int32_t imm = 0, std::uint8_t src = 0) {
    check_writable<D>();
    return make_insn(Cls | Op, D::index, src, 0, imm);
}
template <std::uint8_t Cls, class T, any_reg D, any_reg S>
[[nodiscard]] constexpr insn alu_movsx(D, S) {
    check_writable<D>();
    static_assert(std::signed_integral<T> && sizeof(T) < (Cls == code::alu64 ? 8 : 4),
                  "bpfxx: movsx sign-extends a signed 8-, 16- (or, for 64-bit movsx, 32-) bit value");
    return make_insn(Cls | code::mov | code::x, D::index, S::index, sizeof(T) * 8, 0);
}
} // namespace detail

namespace ops {
// clang-format off
template <any_reg D, operand S> [[nodiscard]] constexpr insn add(D d, S s)  { return detail::alu<code::alu64, code::add>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn sub(D d, S s)  { return detail::alu<code::alu64, code::sub>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mul(D d, S s)  { return detail::alu<code::alu64, code::mul>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn div(D d, S s)  { return detail::alu<code::alu64, code::div>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn sdiv(D d, S s) { return detail::alu<code::alu64, code::div, 1>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn or_(D d, S s)  { return detail::alu<code::alu64, code::or_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn and_(D d, S s) { return detail::alu<code::alu64, code::and_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn lsh(D d, S s)  { return detail::alu<code::alu64, code::lsh>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn rsh(D d, S s)  { return detail::alu<code::alu64, code::rsh>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mod(D d, S s)  { return detail::alu<code::alu64, code::mod>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn smod(D d, S s) { return detail::alu<code::alu64, code::mod, 1>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn xor_(D d, S s) { return detail::alu<code::alu64, code::xor_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mov(D d, S s)  { return detail::alu<code::alu64, code::mov>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn arsh(D d, S s) { return detail::alu<code::alu64, code::arsh>(d, s); }

template <any_reg D, operand S> [[nodiscard]] constexpr insn add32(D d, S s)  { return detail::alu<code::alu, code::add>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn sub32(D d, S s)  { return detail::alu<code::alu, code::sub>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mul32(D d, S s)  { return detail::alu<code::alu, code::mul>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn div32(D d, S s)  { return detail::alu<code::alu, code::div>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn sdiv32(D d, S s) { return detail::alu<code::alu, code::div, 1>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn or32(D d, S s)   { return detail::alu<code::alu, code::or_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn and32(D d, S s)  { return detail::alu<code::alu, code::and_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn lsh32(D d, S s)  { return detail::alu<code::alu, code::lsh>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn rsh32(D d, S s)  { return detail::alu<code::alu, code::rsh>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mod32(D d, S s)  { return detail::alu<code::alu, code::mod>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn smod32(D d, S s) { return detail::alu<code::alu, code::mod, 1>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn xor32(D d, S s)  { return detail::alu<code::alu, code::xor_>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn mov32(D d, S s)  { return detail::alu<code::alu, code::mov>(d, s); }
template <any_reg D, operand S> [[nodiscard]] constexpr insn arsh32(D d, S s) { return detail::alu<code::alu, code::arsh>(d, s); }

/// dst = -dst
template <any_reg D> [[nodiscard]] constexpr insn neg(D d)   { return detail::alu_unary<code::alu64, code::neg>(d); }
template <any_reg D> [[nodiscard]] constexpr insn neg32(D d) { return detail::alu_unary<code::alu, code::neg>(d); }

/// dst = (T)src, sign-extended: `movsx<std::int8_t>(r1, r2)` is `r1 = (s8)r2`.
template <std::signed_integral T, any_reg D, any_reg S> [[nodiscard]] constexpr insn movsx(D d, S s)   { return detail::alu_movsx<code::alu64, T>(d, s); }
template <std::signed_integral T, any_reg D, any_reg S> [[nodiscard]] constexpr insn movsx32(D d, S s) { return detail::alu_movsx<code::alu, T>(d, s); }

/// Byte order: convert the low 16/32/64 bits of dst to little or big endian
/// (and zero the rest); `bswap` swaps unconditionally (BPF_ALU64 | BPF_END).
template <any_reg D> [[nodiscard]] constexpr insn le16(D d)    { return detail::alu_unary<code::alu, code::end | code::to_le>(d, 16); }
template <any_reg D> [[nodiscard]] constexpr insn le32(D d)    { return detail::alu_unary<code::alu, code::end | code::to_le>(d, 32); }
template <any_reg D> [[nodiscard]] constexpr insn le64(D d)    { return detail::alu_unary<code::alu, code::end | code::to_le>(d, 64); }
template <any_reg D> [[nodiscard]] constexpr insn be16(D d)    { return detail::alu_unary<code::alu, code::end | code::to_be>(d, 16); }
template <any_reg D> [[nodiscard]] constexpr insn be32(D d)    { return detail::alu_unary<code::alu, code::end | code::to_be>(d, 32); }
template <any_reg D> [[nodiscard]] constexpr insn be64(D d)    { return detail::alu_unary<code::alu, code::end | code::to_be>(d, 64); }
template <any_reg D> [[nodiscard]] constexpr insn bswap16(D d) { return detail::alu_unary<code::alu64, code::end>(d, 16); }
template <any_reg D> [[nodiscard]] constexpr insn bswap32(D d) { return detail::alu_unary<code::alu64, code::end>(d, 32); }
template <any_reg D> [[nodiscard]] constexpr insn bswap64(D d) { return detail::alu_unary<code::alu64, code::end>(d, 64); }
// clang-format on
} // namespace ops
} // namespace bpfxx
