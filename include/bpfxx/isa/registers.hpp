#pragma once
// Registers as distinct types: the register an instruction names is part of
// its type, so writing the read-only frame pointer is a compile error.

#include <cstdint>
#include <type_traits>

namespace bpfxx {

/// Register `rN`. `r0` holds return values, `r1`..`r5` arguments (clobbered by
/// calls), `r6`..`r9` are callee-saved, `r10` is the read-only frame pointer.
template <unsigned N>
struct reg {
    static_assert(N <= 10, "bpfxx: eBPF has registers r0..r10 only");
    static constexpr std::uint8_t index = static_cast<std::uint8_t>(N);
    friend constexpr bool operator==(reg, reg) noexcept { return true; }
};

namespace detail {
template <class T> inline constexpr bool is_reg = false;
template <unsigned N> inline constexpr bool is_reg<reg<N>> = true;
} // namespace detail

/// Any of `r0`..`r10`.
template <class T>
concept any_reg = detail::is_reg<std::remove_cvref_t<T>>;

/// A register an instruction may write: anything but `r10`.
template <class T>
concept writable_reg = any_reg<T> && T::index != 10;

namespace regs {
inline constexpr reg<0> r0{};
inline constexpr reg<1> r1{};
inline constexpr reg<2> r2{};
inline constexpr reg<3> r3{};
inline constexpr reg<4> r4{};
inline constexpr reg<5> r5{};
inline constexpr reg<6> r6{};
inline constexpr reg<7> r7{};
inline constexpr reg<8> r8{};
inline constexpr reg<9> r9{};
inline constexpr reg<10> r10{};
inline constexpr reg<10> fp{}; ///< the frame pointer, another name for r10
} // namespace regs

} // namespace bpfxx
