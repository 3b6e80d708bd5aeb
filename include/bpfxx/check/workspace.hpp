#pragma once
// The memory `static_check` works in: per instruction slot, its decoded form
// (32 bytes), a data-flow state (112 bytes) and a few flags and indices.
// Nothing is allocated: the workspace is an object of fixed capacity, made by
// `static_check` itself or supplied by the caller for large programs.

#include <bpfxx/check/decode.hpp>
#include <bpfxx/check/frame_state.hpp>
#include <bpfxx/check/work_list.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx {
namespace detail::checking {

/// What the control-flow checks learn about each slot.
enum slot_flag : std::uint8_t {
    second_slot = 1,      ///< the upper half of an ld_imm64
    subprogram_start = 2, ///< slot 0, and every target of a local call or ld_func
    reachable = 4,
};

/// The workspace as the checks use it, independent of its capacity. Plain
/// pointers: a checked subscript is a function call, and calls count against
/// the compilers' constant-evaluation limits.
struct workspace_view {
    std::size_t capacity = 0;
    std::uint8_t* flags = nullptr;       ///< slot_flag bits per slot
    decoded* insns = nullptr;            ///< per slot: the instruction it starts (second slots: unused)
    std::uint32_t* subprogram = nullptr; ///< per slot: the index of its subprogram
    std::uint32_t* work = nullptr;       ///< a work list (reachability, call graph)
    std::uint32_t* progress = nullptr;   ///< per subprogram: call-graph search progress
    frame_state* in = nullptr;           ///< per slot: the data-flow state at its start
    std::uint64_t* pending = nullptr;    ///< the data-flow work list (work_list_words(capacity) words)
    std::size_t* analyses = nullptr;     ///< where data flow counts the instructions it analysed
};

} // namespace detail::checking

/// Room to check programs of up to `Capacity` slots. Large: about 160 bytes
/// per slot, so give big ones static storage:
///
///     static bpfxx::check_workspace<65536> ws;
///     auto report = bpfxx::static_check(insns, ws);
template <std::size_t Capacity>
class check_workspace {
public:
    static constexpr std::size_t capacity = Capacity;

    /// For the checks: the storage as spans.
    [[nodiscard]] constexpr detail::checking::workspace_view view() noexcept {
        return {Capacity,     flags_.data(),    insns_.data(), subprogram_.data(), work_.data(),
                progress_.data(), in_.data(), pending_.data(), &analyses_};
    }

    /// How many instructions the last check's data-flow stage analysed (0 if
    /// an earlier stage found a problem): at most (2 + 533) per slot, one for
    /// the first sweep, at most 533 on the work list of a program with loops,
    /// one for the sweep that reports the problems (check/dataflow.hpp).
    [[nodiscard]] constexpr std::size_t analyses() const noexcept { return analyses_; }

private:
    std::array<std::uint8_t, Capacity> flags_{};
    std::array<detail::checking::decoded, Capacity> insns_{};
    std::array<std::uint32_t, Capacity> subprogram_{};
    std::array<std::uint32_t, Capacity> work_{};
    std::array<std::uint32_t, Capacity> progress_{};
    std::array<detail::checking::frame_state, Capacity> in_{};
    std::array<std::uint64_t, detail::checking::work_list_words(Capacity)> pending_{};
    std::size_t analyses_ = 0;
};

} // namespace bpfxx
