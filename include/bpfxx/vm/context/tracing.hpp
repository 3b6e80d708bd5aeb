#pragma once
// What the tracing contexts (pt_regs, raw tracepoint, tracepoint) share: r1
// points to a structure the program may only read, in bounds and aligned;
// there is no packet and nothing to hand back after the run.

#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/context/traits.hpp>

#include <cstdint>

namespace bpfxx::vm::detail {

/// The reads the tracing program types' rules share (kprobe, tracepoint and
/// raw tracepoint `is_valid_access`): n bytes (1, 2, 4 or 8) at an offset
/// that is a multiple of n, inside [from, to).
[[nodiscard]] constexpr bool aligned_read_within(std::uint32_t off, unsigned n, std::uint32_t from,
                                                 std::uint32_t to) noexcept {
    return (n == 1 || n == 2 || n == 4 || n == 8) && off % n == 0 && off >= from && off < to && to - off >= n;
}

/// The model functions of a tracing context other than setup and load.
struct tracing_context_base {
    static constexpr context_caps caps{.tracing = true};
    static constexpr std::uint32_t headroom = 0;

    /// r1 at the entry: the context.
    template <class S>
    static constexpr void enter(S& s) noexcept {
        s.set(1, make_address(region::context, 0));
    }

    /// The verifier refuses every write of a tracing context.
    template <class S>
    [[nodiscard]] static constexpr bool store(S&, std::uint32_t, unsigned, std::uint64_t, bool) noexcept {
        return false;
    }

    template <class S>
    static constexpr void finish(S&) noexcept {}

    /// No packet: `machine::packet()` is empty (a tracepoint's record, where it keeps it there).
    template <class S>
    [[nodiscard]] static constexpr std::uint32_t packet_begin(const S& s) noexcept {
        return s.mac;
    }
};

} // namespace bpfxx::vm::detail
