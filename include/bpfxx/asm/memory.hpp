#pragma once
// Loads, stores and atomics. The width is a template argument naming a C++
// integer type: `ldx<std::uint32_t>(r0, r1, 4)` is `r0 = *(u32 *)(r1 + 4)`.

#include <bpfxx/asm/operands.hpp>

namespace bpfxx {
namespace detail {
template <class T>
constexpr void check_atomic_width() noexcept {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8,
                  "bpfxx: atomic read-modify-write operations exist for 32- and 64-bit words only");
}
template <mem_width T, std::int32_t Op, any_reg D, any_reg S, std::integral O>
[[nodiscard]] constexpr insn atomic(D, O off, S) {
    return make_insn(code::stx | size_code<T> | code::atomic, D::index, S::index, off16(off), Op);
}
template <mem_width T, std::int32_t Op, any_reg D, any_reg S, std::integral O>
[[nodiscard]] constexpr insn atomic_rmw(D d, O off, S s) {
    check_atomic_width<T>();
    if constexpr ((Op & atomic_op::fetch) != 0) {
        if constexpr (Op == atomic_op::cmpxchg)
            check_writable<reg<0>>();
        else
            check_writable<S>(); // the fetch forms return the old value in src
    }
    return atomic<T, Op>(d, off, s);
}
} // namespace detail

namespace ops {

/// dst = *(T *)(src + off); a signed T of 1, 2 or 4 bytes sign-extends (BPF_MEMSX).
template <mem_width T, any_reg D, any_reg S, std::integral O>
[[nodiscard]] constexpr insn ldx(D, S, O off) {
    detail::check_writable<D>();
    constexpr auto mode = std::is_signed_v<T> && sizeof(T) < 8 ? code::memsx : code::mem;
    return make_insn(code::ldx | detail::size_code<T> | mode, D::index, S::index, detail::off16(off), 0);
}

/// *(T *)(dst + off) = src
template <mem_width T, any_reg D, std::integral O, any_reg S>
[[nodiscard]] constexpr insn stx(D, O off, S) {
    return make_insn(code::stx | detail::size_code<T> | code::mem, D::index, S::index, detail::off16(off), 0);
}

/// *(T *)(dst + off) = imm (for 8 bytes, imm sign-extended)
template <mem_width T, any_reg D, std::integral O, std::integral I>
[[nodiscard]] constexpr insn st(D, O off, I imm) {
    return make_insn(code::st | detail::size_code<T> | code::mem, D::index, 0, detail::off16(off),
                     sizeof(T) == 8 ? detail::imm32<detail::sign_extended>(imm) : detail::imm32(imm));
}

/// Legacy packet access (socket filters): r0 = ntoh(*(T *)(skb->data + imm)).
template <mem_width T, std::integral I>
[[nodiscard]] constexpr insn ld_abs(I imm) {
    static_assert(sizeof(T) <= 4, "bpfxx: ld_abs loads 1, 2 or 4 bytes");
    return make_insn(code::ld | detail::size_code<T> | code::abs, 0, 0, 0, detail::imm32<detail::sign_extended>(imm));
}

/// Legacy packet access (socket filters): r0 = ntoh(*(T *)(skb->data + src + imm)).
template <mem_width T, any_reg S, std::integral I>
[[nodiscard]] constexpr insn ld_ind(S, I imm) {
    static_assert(sizeof(T) <= 4, "bpfxx: ld_ind loads 1, 2 or 4 bytes");
    return make_insn(code::ld | detail::size_code<T> | code::ind, 0, S::index, 0, detail::imm32<detail::sign_extended>(imm));
}

// clang-format off
/// lock *(T *)(dst + off) op= src
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_add(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::add>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_or(D d, O o, S s)  { return detail::atomic_rmw<T, atomic_op::or_>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_and(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::and_>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_xor(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::xor_>(d, o, s); }
/// src = atomic_fetch_op((T *)(dst + off), src)
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_fetch_add(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::add | atomic_op::fetch>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_fetch_or(D d, O o, S s)  { return detail::atomic_rmw<T, atomic_op::or_ | atomic_op::fetch>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_fetch_and(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::and_ | atomic_op::fetch>(d, o, s); }
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_fetch_xor(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::xor_ | atomic_op::fetch>(d, o, s); }
/// src = xchg((T *)(dst + off), src)
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_xchg(D d, O o, S s)    { return detail::atomic_rmw<T, atomic_op::xchg>(d, o, s); }
/// r0 = cmpxchg((T *)(dst + off), r0, src)
template <mem_width T, any_reg D, std::integral O, any_reg S> [[nodiscard]] constexpr insn atomic_cmpxchg(D d, O o, S s) { return detail::atomic_rmw<T, atomic_op::cmpxchg>(d, o, s); }
// clang-format on

/// dst = load_acquire((T *)(src + off)) (Linux 6.15+)
template <mem_width T, any_reg D, any_reg S, std::integral O>
[[nodiscard]] constexpr insn load_acquire(D d, S s, O off) {
    detail::check_writable<D>();
    return detail::atomic<T, atomic_op::load_acquire>(d, off, s);
}

/// store_release((T *)(dst + off), src) (Linux 6.15+)
template <mem_width T, any_reg D, std::integral O, any_reg S>
[[nodiscard]] constexpr insn store_release(D d, O off, S s) {
    return detail::atomic<T, atomic_op::store_release>(d, off, s);
}

} // namespace ops
} // namespace bpfxx
