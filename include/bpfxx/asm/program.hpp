#pragma once
// A finished program: a fixed number of instruction slots, the map types it
// references (in the order of their fd_array indices), and its labels.

#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/isa/insn.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace bpfxx {

/// A label of an assembled program: its name and the slot it marks.
struct symbol {
    std::string_view name;
    std::uint32_t pos = 0;
    friend constexpr bool operator==(const symbol&, const symbol&) = default;
};

/// What `assemble` returns: a constant you can index, compare, iterate and
/// hand to the loader. `Maps` lists the map types `ld_map<M>` references; the
/// instruction for M holds `index_of<M, Maps>` as its fd_array index.
template <std::size_t N, class Maps = type_list<>, std::size_t NLabels = 0>
struct program {
    std::array<insn, N> insns{};
    std::array<symbol, NLabels> labels{};

    using maps = Maps;
    using value_type = insn;
    using const_iterator = typename std::array<insn, N>::const_iterator;

    [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
    [[nodiscard]] constexpr const insn& operator[](std::size_t i) const noexcept { return insns[i]; }
    [[nodiscard]] constexpr const insn* data() const noexcept { return insns.data(); }
    [[nodiscard]] constexpr const_iterator begin() const noexcept { return insns.begin(); }
    [[nodiscard]] constexpr const_iterator end() const noexcept { return insns.end(); }
    [[nodiscard]] constexpr std::span<const insn, N> span() const noexcept { return insns; }
    [[nodiscard]] constexpr operator std::span<const insn>() const noexcept { return insns; }

    /// The program as the kernel reads it: 8 little-endian bytes per slot.
    [[nodiscard]] constexpr std::array<std::byte, N * 8> bytes() const noexcept {
        std::array<std::byte, N * 8> out{};
        for (std::size_t i = 0; i < N; ++i) {
            const auto b = insns[i].bytes();
            for (std::size_t k = 0; k < 8; ++k) out[i * 8 + k] = b[k];
        }
        return out;
    }

    /// The label that marks slot `pos`, if any.
    [[nodiscard]] constexpr std::string_view label_at(std::size_t pos) const noexcept {
        for (const auto& s : labels)
            if (s.pos == pos) return s.name;
        return {};
    }

    friend constexpr bool operator==(const program&, const program&) = default;
};

namespace detail {
template <class T> inline constexpr bool is_program = false;
template <std::size_t N, class M, std::size_t L> inline constexpr bool is_program<program<N, M, L>> = true;
} // namespace detail

/// Any `program<...>`.
template <class T>
concept program_type = detail::is_program<T>;

} // namespace bpfxx
