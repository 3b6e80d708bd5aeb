#pragma once
// What `assemble` takes besides plain instructions: two-slot loads, and
// instructions whose offset or immediate names a label or a map.

#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/asm/label.hpp>

#include <concepts>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <utility>

namespace bpfxx {

/// `ld_imm64` and its pseudo forms: an instruction that takes two slots.
struct wide_insn {
    insn lo;
    insn hi;
    friend constexpr bool operator==(const wide_insn&, const wide_insn&) = default;
};

/// What a map type must provide to be referenced by a program (`ld_map<M>`).
/// The typed maps of `bpfxx/maps.hpp` satisfy it.
template <class M>
concept map_descriptor = requires {
    { M::type } -> std::convertible_to<map_type>;
    { M::key_size } -> std::convertible_to<std::uint32_t>;
    { M::value_size } -> std::convertible_to<std::uint32_t>;
    { M::max_entries } -> std::convertible_to<std::uint32_t>;
};

/// Which field of an instruction a label reference fills in.
enum class label_field : std::uint8_t {
    off, ///< 16-bit jump offset (conditional jumps, `ja`, `may_goto`)
    imm, ///< 32-bit offset (`gotol`, local `call`)
};

/// An instruction whose `off` or `imm` is the distance to label L, filled in by
/// `assemble`.
template <label_field F, label_type L>
struct label_ref {
    insn ins;
};

/// `ld_func(reg, label)`: a two-slot load of a subprogram's address.
template <label_type L>
struct func_ref {
    wide_insn ins;
};

/// `ld_map<M>` / `ld_map_value<M>`: a two-slot load whose `imm` becomes M's
/// index in the program's map list (pseudo source `map_idx`/`map_idx_value`).
template <map_descriptor M>
struct map_ref {
    wide_insn ins;
};

/// Thrown by a builder called at run time with an operand that does not fit
/// its field. During constant evaluation the same mistake is a compile error.
class assembly_error : public std::exception {
public:
    explicit assembly_error(const char* what) noexcept : what_(what) {}
    [[nodiscard]] const char* what() const noexcept override { return what_; }

private:
    const char* what_;
};

namespace detail {
// Not constexpr on purpose: reaching one during constant evaluation stops the
// compiler with the function's name as the diagnostic.
[[noreturn]] inline void immediate_does_not_fit_in_32_bits() {
    throw assembly_error("bpfxx: immediate does not fit in 32 bits");
}
[[noreturn]] inline void immediate_above_2_31_would_be_sign_extended_use_the_32_bit_form_or_ld_imm64() {
    throw assembly_error("bpfxx: this instruction sign-extends its 32-bit immediate, so a value above 2^31 - 1 "
                         "would turn negative (0xffffffff is -1); use the 32-bit form or ld_imm64");
}
[[noreturn]] inline void offset_does_not_fit_in_16_bits_use_gotol_for_long_jumps() {
    throw assembly_error("bpfxx: offset does not fit in 16 bits (use gotol for long jumps)");
}

/// Characters and bool are integral types, but not numbers an instruction takes.
template <class I>
inline constexpr bool number = !std::is_same_v<std::remove_cv_t<I>, bool> && !std::is_same_v<std::remove_cv_t<I>, char> &&
                               !std::is_same_v<std::remove_cv_t<I>, wchar_t> && !std::is_same_v<std::remove_cv_t<I>, char8_t> &&
                               !std::is_same_v<std::remove_cv_t<I>, char16_t> && !std::is_same_v<std::remove_cv_t<I>, char32_t>;
template <class I>
consteval void check_number() noexcept { // consteval: no cost to the constant evaluations that call it
    static_assert(number<I>, "bpfxx: an immediate, offset or jump target is a number: not a character type (char, "
                             "wchar_t, char8_t, char16_t, char32_t) or bool");
}

/// For imm32: the instruction sign-extends the immediate to 64 bits.
inline constexpr bool sign_extended = true;

// The checks below are compiled only for the types that need them: constant
// evaluation counts every statement and call (clang allows 1,048,576 steps),
// and programs are made of int immediates.

/// An immediate. Where the instruction takes it as 32 bits (32-bit ALU and
/// jumps, 32-bit stores), any value of a 32-bit signed or unsigned integer;
/// where it is `sign_extended` to 64 bits (64-bit ALU, jumps and stores,
/// offsets, helper ids), -2^31 to 2^31 - 1: an unsigned value above that
/// would mean a negative number, so it is refused.
template <bool SignExtended = false, std::integral I>
[[nodiscard]] constexpr std::int32_t imm32(I v) {
    if constexpr (!number<I> || sizeof(I) > 4 || (SignExtended && sizeof(I) == 4 && std::is_unsigned_v<I>)) {
        check_number<I>();
        if constexpr (number<I>) {
            if (std::cmp_less(v, INT32_MIN) || std::cmp_greater(v, UINT32_MAX)) immediate_does_not_fit_in_32_bits();
            if (SignExtended && std::cmp_greater(v, INT32_MAX))
                immediate_above_2_31_would_be_sign_extended_use_the_32_bit_form_or_ld_imm64();
        }
    }
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
}

/// A 16-bit signed offset.
template <std::integral I>
[[nodiscard]] constexpr std::int16_t off16(I v) {
    if constexpr (!number<I> || sizeof(I) >= 2) {
        check_number<I>();
        if constexpr (number<I>) {
            if (std::cmp_less(v, INT16_MIN) || std::cmp_greater(v, INT16_MAX))
                offset_does_not_fit_in_16_bits_use_gotol_for_long_jumps();
        }
    }
    return static_cast<std::int16_t>(v);
}
} // namespace detail

} // namespace bpfxx
