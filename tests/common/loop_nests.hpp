#pragma once
// Programs that make a data-flow analysis iterate: nests of while loops in
// which facts are lost one loop level at a time. Shared by the checker's tests
// (tests/unit/check_test.cpp) and its benchmark (bench/check.cpp); they are the
// worst inputs found for static_check's time. constexpr: they fill a caller's
// span, at compile time or at run time.

#include <bpfxx/asm.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfxx_test {

/// Slots of loop_nest(depth).
[[nodiscard]] constexpr std::size_t loop_nest_size(std::size_t depth) { return 2 * depth + 4; }

/// A nest of `depth` while loops (the test at each head, an unconditional jump
/// back at the bottom), a call (clobbering r1-r5) in the innermost body. The
/// loss of "r1 written" reaches a level's exit only after crossing the back
/// edge of the level inside it: a sweep-until-stable analysis needs a sweep
/// per level. With `read_r1` the outermost exit (slot 2 * depth + 2) reads r1,
/// a problem only an analysis that carried the loss across every level finds.
constexpr void loop_nest(std::span<bpfxx::insn> out, std::size_t depth, bool read_r1) {
    using namespace bpfxx::ops;
    std::size_t n = 0;
    out[n++] = mov(r0, 1);
    for (std::size_t i = 0; i < depth; ++i) // head i, at slot 1 + i: leaves for the slot after its back edge
        out[n++] = jeq(r0, 0, static_cast<int>(2 * (depth - i)));
    out[n++] = call(bpfxx::helper::get_prandom_u32);
    for (std::size_t i = depth; i-- > 0;) { // back edge of level i, at slot 2 * depth + 1 - i
        out[n] = ja(static_cast<int>(i) - static_cast<int>(n));
        ++n;
    }
    out[n++] = read_r1 ? mov(r0, r1) : mov(r0, 0);
    out[n++] = exit();
}
template <std::size_t Depth>
[[nodiscard]] constexpr std::array<bpfxx::insn, loop_nest_size(Depth)> loop_nest(bool read_r1) {
    std::array<bpfxx::insn, loop_nest_size(Depth)> p{};
    loop_nest(p, Depth, read_r1);
    return p;
}

/// Slots of byte_waves(levels, chain).
[[nodiscard]] constexpr std::size_t byte_waves_size(std::size_t levels, std::size_t chain) {
    return 1 + levels + levels + levels + 1 + chain + levels + 2 + levels * levels;
}

/// Stack bytes lost one per loop level, each crossing the levels outside it
/// one back edge at a time, then a straight chain of `chain` slots in the
/// outermost loop that each loss would cross if it arrived on its own. The main
/// path writes bytes fp-1 .. fp-levels and enters a nest of `levels` while
/// loops; path i (one per level, after the nest) writes every byte but fp-1-i
/// and jumps to level i's back edge (all jumps are 16-bit: keep levels^2 +
/// chain below 32,768). With `read`, the outermost exit reads the byte of
/// level `read - 1`: a problem only if that loss crossed every level.
constexpr void byte_waves(std::span<bpfxx::insn> out, std::size_t levels, std::size_t chain, std::size_t read = 0) {
    using namespace bpfxx::ops;
    const auto byte = [](std::size_t i) { return static_cast<std::int16_t>(-1 - static_cast<int>(i)); };
    const auto jump_from = [&](std::size_t from, std::size_t to) {
        return static_cast<std::int16_t>(static_cast<long>(to) - static_cast<long>(from) - 1);
    };
    std::size_t n = 0;
    out[n++] = mov(r0, 1);
    const std::size_t to_paths = n; // jeq r0, 100 + i -> path i
    n += levels;
    for (std::size_t i = 0; i < levels; ++i) out[n++] = st<std::uint8_t>(r10, byte(i), 0);
    const std::size_t heads = n; // head i: jeq r0, 0 -> after back edge i
    n += levels;
    out[n++] = call(bpfxx::helper::get_prandom_u32);
    // back edges from the innermost out; the chain sits before the outermost one
    std::size_t back_edge_of_0 = 0;
    for (std::size_t i = levels; i-- > 0;) {
        if (i == 0) {
            for (std::size_t c = 0; c < chain; ++c) out[n++] = add(r0, 0);
            back_edge_of_0 = n;
        }
        out[n] = ja(jump_from(n, heads + i));
        out[heads + i] = jeq(r0, 0, jump_from(heads + i, n + 1));
        ++n;
    }
    out[n++] = read ? ldx<std::uint8_t>(r0, r10, byte(read - 1)) : mov(r0, 0);
    out[n++] = exit();
    for (std::size_t i = 0; i < levels; ++i) {
        out[to_paths + i] = jeq(r0, static_cast<int>(100 + i), jump_from(to_paths + i, n));
        for (std::size_t b = 0; b < levels; ++b)
            if (b != i) out[n++] = st<std::uint8_t>(r10, byte(b), 0);
        // level i's back edge: the slot after head i's exit target minus one
        const std::size_t back_edge = i == 0 ? back_edge_of_0 : back_edge_of_0 - chain - i;
        out[n] = ja(jump_from(n, back_edge));
        ++n;
    }
}

} // namespace bpfxx_test
