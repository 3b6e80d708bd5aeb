#pragma once
// The interpreter's state: the maps and environment a machine keeps across
// runs (clock, random numbers, CPU, trace lines, tail-call targets), and the
// registers, memory and position of one run. A plain aggregate in `detail`:
// the rooms of the interpreter work on it — memory (vm/memory.hpp), the
// contexts (vm/contexts.hpp), the executors (vm/execute.hpp, vm/fast.hpp) and
// the helper models (vm/helpers.hpp); `vm::machine` (vm/machine.hpp) is its
// public face.

#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/text/insn_text.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/context/traits.hpp>
#include <bpfxx/vm/contexts.hpp>
#include <bpfxx/vm/decode.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/map_model.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

namespace bpfxx::vm {

namespace detail {

/// A program as the machine runs it: its slots, and how its map indices
/// (the fd_array indices `ld_map<M>` emits) map to the machine's maps.
struct code_ref {
    const insn* code = nullptr;
    std::uint32_t size = 0;
    std::array<std::uint8_t, 64> remap{};
    bool remapped = false;
};

/// What a local call saves of its caller.
struct frame_state {
    const code_ref* code = nullptr;
    std::uint32_t return_pc = 0;
    std::array<std::uint64_t, 4> saved{}; ///< r6–r9 of the caller
    std::uint16_t saved_init = 0;
};

inline constexpr std::uint32_t max_loops = 8u << 20; // BPF_MAX_LOOPS: the may_goto budget

template <class Maps, limits L>
struct machine_state;

template <class... Ms, limits L>
struct machine_state<type_list<Ms...>, L> {
    static_assert(sizeof...(Ms) <= 64, "bpfxx::vm: a program uses at most 64 maps (MAX_USED_MAPS)");
    static_assert(L.frame_bytes >= most_headroom + tailroom + 64,
                  "bpfxx::vm: limits::frame_bytes is too small to hold a packet");

    using maps = type_list<Ms...>;
    static constexpr limits config = L;
    static constexpr std::size_t map_count = sizeof...(Ms);

    // ---- kept across runs -----------------------------------------------

    std::tuple<model_of<Ms, L.ringbuf_records>...> map_models{};
    std::array<code_ref, L.programs> programs{}; ///< tail-call targets, by id - 1
    std::uint32_t programs_used = 0;
    std::array<fixed_text<128>, L.trace_lines> trace{};
    std::size_t trace_used = 0;
    std::uint64_t clock = 0;
    std::uint64_t clock_step = 0;
    std::uint64_t prandom = 0x9e3779b97f4a7c15u;
    std::uint32_t cpu = 0;
    std::uint32_t pid = 0, tgid = 0, uid = 0, gid = 0; ///< the current task (machine::set_task)
    std::array<char, 16> comm{};                      ///< its name, NUL-padded (TASK_COMM_LEN)
    std::uint64_t runs = 0;
    std::array<decoded_program, L.programs + 1> decoded{}; ///< the entry program and tail call targets

    // ---- one run -----------------------------------------------------------

    std::uint8_t context = 0; ///< the run's context: its index in `context_models`
    context_caps caps{};      ///< what the run's context allows
    std::array<std::uint8_t, L.frame_bytes> pkt{};
    std::uint32_t meta = 0, data = 0, end = 0, mac = 0, net = 0;
    std::uint32_t pkt_dirty = 0; ///< pkt bytes [0, pkt_dirty) may be non-zero
    std::array<std::uint8_t, context_bytes> ctx{};
    std::array<std::uint8_t, std::size_t{stack_size} * max_frames> stack{};
    std::array<std::uint64_t, std::size_t{stack_size} * max_frames / 64> stack_init{}; ///< bit per byte written
    std::array<frame_state, max_frames> frames{};
    std::array<std::uint64_t, 11> regs{};
    std::uint16_t init = 0; ///< bit r: register r holds a value
    std::uint32_t depth = 0;
    std::uint32_t pc = 0;
    std::uint64_t steps = 0;
    std::uint32_t tail_calls = 0;
    std::uint32_t helper_calls = 0; ///< this run's, for run_result
    std::uint32_t map_calls = 0;
    std::uint32_t loops = 0;
    const code_ref* code = nullptr;
    const code_ref* tail_target = nullptr;
    std::optional<redirect_target> redirect{};
    fault error{};

    /// Starts a run on context C: no context bytes, no packet, no redirect.
    template <class C>
    constexpr void reset() noexcept {
        context = static_cast<std::uint8_t>(index_of<C, context_models>);
        caps = C::caps;
        ctx = {};
        // only what earlier runs touched: a run costs its packet, not the buffer
        // a local bound: byte stores could alias the member and force a reload per byte
        for (std::uint32_t k = 0, n = pkt_dirty; k < n; ++k) pkt[k] = 0;
        pkt_dirty = 0;
        // (setup copies the input packet in and sets end; the run notes it)
        meta = data = end = mac = net = 0;
        redirect.reset();
    }

    /// Every byte a run writes lies below the largest `end` it had.
    constexpr void note_dirty() noexcept {
        if (end > pkt_dirty) pkt_dirty = end;
    }

    // ---- faults and registers ------------------------------------------------

    constexpr void raise(fault_kind k, std::uint64_t addr = 0, std::uint32_t size = 0) noexcept {
        if (error) return;
        error.kind = k;
        error.pc = pc;
        error.address = addr;
        error.size = size;
    }
    constexpr void raise_helper(fault_kind k, std::int32_t id) noexcept {
        raise(k);
        error.helper_id = id;
    }

    [[nodiscard]] constexpr std::uint64_t get(unsigned r) noexcept {
        if (L.strict && !(init & (1u << r))) raise(fault_kind::uninitialized_register, 0, r);
        return regs[r];
    }
    constexpr void set(unsigned r, std::uint64_t v) noexcept {
        regs[r] = v;
        init |= static_cast<std::uint16_t>(1u << r);
    }
    /// r0: what a helper returns.
    constexpr void ret(std::uint64_t v) noexcept { set(0, v); }
    /// A call leaves r1..r5 without a value.
    constexpr void clobber_args() noexcept { init &= static_cast<std::uint16_t>(~0x3eu); }

    // ---- maps -------------------------------------------------------------------

    /// Calls f(model) with the model of the machine's map `i`.
    template <class F>
    constexpr void with_map(std::size_t i, F&& f) noexcept {
        visit_map(i, f, std::index_sequence_for<Ms...>{});
    }

    /// Whether a ring buffer record is reserved and neither submitted nor discarded.
    [[nodiscard]] constexpr bool pending_record() noexcept {
        bool pending = false;
        for (std::size_t m = 0; m < map_count; ++m)
            with_map(m, [&](auto& model) {
                if constexpr (requires { model.has_pending(); }) pending = pending || model.has_pending();
            });
        return pending;
    }

private:
    template <class F, std::size_t... Is>
    constexpr void visit_map(std::size_t i, F& f, std::index_sequence<Is...>) noexcept {
        ((i == Is ? (f(std::get<Is>(map_models)), 0) : 0), ...);
    }
};

} // namespace detail
} // namespace bpfxx::vm
