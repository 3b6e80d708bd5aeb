#pragma once
// The two-slot `ld_imm64` and its pseudo sources: plain 64-bit constants, map
// references (by fd, by fd_array index, or symbolically by map type), kernel
// variables by BTF id, and subprogram addresses.

#include <bpfxx/asm/operands.hpp>

namespace bpfxx {
namespace detail {
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_imm64_raw(D, std::uint8_t src, std::int32_t lo, std::int32_t hi) {
    check_writable<D>();
    return {make_insn(code::ld | code::dw | code::imm, D::index, src, 0, lo), make_insn(0, 0, 0, 0, hi)};
}
} // namespace detail

namespace ops {

/// dst = imm (64 bits): `r1 = 1234 ll`.
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_imm64(D d, std::uint64_t imm) {
    return detail::ld_imm64_raw(d, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(imm)),
                                static_cast<std::int32_t>(static_cast<std::uint32_t>(imm >> 32)));
}

/// dst = the map whose fd is `fd` (BPF_PSEUDO_MAP_FD).
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_map_fd(D d, std::int32_t fd) {
    return detail::ld_imm64_raw(d, pseudo::map_fd, fd, 0);
}

/// dst = address of byte `off` of the value of the array map with fd `fd`.
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_map_value_fd(D d, std::int32_t fd, std::int32_t off) {
    return detail::ld_imm64_raw(d, pseudo::map_value, fd, off);
}

/// dst = the map at index `idx` of the load's fd_array (BPF_PSEUDO_MAP_IDX).
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_map_idx(D d, std::int32_t idx) {
    return detail::ld_imm64_raw(d, pseudo::map_idx, idx, 0);
}

/// dst = address of byte `off` of the value of the array map at fd_array[idx].
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_map_idx_value(D d, std::int32_t idx, std::int32_t off) {
    return detail::ld_imm64_raw(d, pseudo::map_idx_value, idx, off);
}

/// dst = address of the kernel variable with BTF id `id` (BPF_PSEUDO_BTF_ID).
template <any_reg D>
[[nodiscard]] constexpr wide_insn ld_btf_id(D d, std::int32_t id, std::int32_t btf_fd = 0) {
    return detail::ld_imm64_raw(d, pseudo::btf_id, id, btf_fd);
}

/// dst = address of a subprogram (BPF_PSEUDO_FUNC), e.g. a `bpf_loop` callback.
template <any_reg D, jump_target T>
[[nodiscard]] constexpr auto ld_func(D d, T target) {
    if constexpr (label_type<T>)
        return func_ref<T>{detail::ld_imm64_raw(d, pseudo::func, 0, 0)};
    else
        return detail::ld_imm64_raw(d, pseudo::func, detail::imm32<detail::sign_extended>(target), 0);
}

/// dst = map M: symbolic; `assemble` records M in the program's map list and
/// the loader supplies the map's fd through fd_array.
template <map_descriptor M, any_reg D>
[[nodiscard]] constexpr map_ref<M> ld_map(D d) {
    return {detail::ld_imm64_raw(d, pseudo::map_idx, 0, 0)};
}

/// dst = address of byte `off` of the value of the array map M (symbolic).
template <map_descriptor M, any_reg D>
[[nodiscard]] constexpr map_ref<M> ld_map_value(D d, std::int32_t off) {
    return {detail::ld_imm64_raw(d, pseudo::map_idx_value, 0, off)};
}

} // namespace ops
} // namespace bpfxx
