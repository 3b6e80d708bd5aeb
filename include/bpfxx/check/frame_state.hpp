#pragma once
// What the data-flow check knows at the start of an instruction, on every
// path that reaches it: which registers are written, which hold r10 plus a
// known offset, and which bytes of the stack frame are written. Meeting two
// states keeps what both know, so the facts hold on all paths.

#include <bpfxx/check/decode.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <bit>
#include <cstdint>

namespace bpfxx::detail::checking {

/// The 512 bytes below r10, one bit each: bit `b` is the byte at r10 + b - 512.
class stack_bytes {
public:
    /// Marks bytes [lo, hi) (offsets from r10, -512 <= lo <= hi <= 0).
    constexpr void set(std::int32_t lo, std::int32_t hi) noexcept {
        const range bits = to_bits(lo, hi);
        for (std::uint32_t w = bits.first / 64; w * 64 < bits.last; ++w) words_[w] |= bits.mask_in(w);
    }

    /// The offset of the first byte of [lo, hi) not marked, or `hi` when all are.
    [[nodiscard]] constexpr std::int32_t first_unset(std::int32_t lo, std::int32_t hi) const noexcept {
        const range bits = to_bits(lo, hi);
        for (std::uint32_t w = bits.first / 64; w * 64 < bits.last; ++w) {
            if (const std::uint64_t missing = bits.mask_in(w) & ~words_[w]; missing != 0)
                return static_cast<std::int32_t>(w * 64) + std::countr_zero(missing) - stack_size;
        }
        return hi;
    }

    /// Keeps the bytes marked in both; true when that changed this set.
    constexpr bool intersect(const stack_bytes& other) noexcept {
        bool changed = false;
        for (std::size_t w = 0; w < stack_size / 64; ++w) {
            const std::uint64_t both = words_[w] & other.words_[w];
            changed = changed || both != words_[w];
            words_[w] = both;
        }
        return changed;
    }

    friend constexpr bool operator==(const stack_bytes&, const stack_bytes&) = default;

private:
    // Bits [first, last) of the set, and the part of them in one word.
    struct range {
        std::uint32_t first;
        std::uint32_t last;
        [[nodiscard]] constexpr std::uint64_t mask_in(std::uint32_t w) const noexcept {
            const std::uint32_t from = first > w * 64 ? first - w * 64 : 0;
            const std::uint32_t to = last < w * 64 + 64 ? last - w * 64 : 64;
            const std::uint64_t below_to = to == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << to) - 1;
            return below_to & ~((std::uint64_t{1} << from) - 1);
        }
    };
    [[nodiscard]] static constexpr range to_bits(std::int32_t lo, std::int32_t hi) noexcept {
        return {static_cast<std::uint32_t>(lo + stack_size), static_cast<std::uint32_t>(hi + stack_size)};
    }

    std::uint64_t words_[stack_size / 64]{}; // not std::array: its subscript is a call
};

/// The facts at the start of one instruction. A state that no path has
/// reached yet (`reached == false`) is the identity of `meet`.
struct frame_state {
    bool reached = false;
    reg_set written = 0;  ///< registers written on every path (r10 always)
    reg_set on_stack = 0; ///< r0..r9 holding r10 + offset[r] on every path
    std::int32_t offset[10]{};
    stack_bytes stack; ///< frame bytes written on every path

    [[nodiscard]] constexpr bool points_into_stack(unsigned r) const noexcept {
        return r == 10 || (on_stack & reg_bit(r)) != 0;
    }
    [[nodiscard]] constexpr std::int32_t stack_offset(unsigned r) const noexcept { return r == 10 ? 0 : offset[r]; }

    constexpr void forget_pointer(unsigned r) noexcept {
        if (r >= 10) return;
        on_stack = static_cast<reg_set>(on_stack & ~reg_bit(r));
        offset[r] = 0; // one representation per fact, so that states compare equal
    }

    /// Register r now holds r10 + off; offsets that arithmetic drives far
    /// out of any frame are not followed (they would overflow).
    constexpr void point_into_stack(unsigned r, std::int64_t off) noexcept {
        constexpr std::int64_t far = std::int64_t{1} << 30;
        if (r >= 10 || off < -far || off > far) return forget_pointer(r);
        on_stack = static_cast<reg_set>(on_stack | reg_bit(r));
        offset[r] = static_cast<std::int32_t>(off);
    }

    /// This state becomes what it and `other` both know; true when it changed.
    constexpr bool meet(const frame_state& other) noexcept {
        if (!other.reached) return false;
        if (!reached) {
            *this = other;
            return true;
        }
        const reg_set both_written = written & other.written;
        reg_set both_on_stack = on_stack & other.on_stack;
        for (reg_set m = both_on_stack; m != 0; m &= static_cast<reg_set>(m - 1)) {
            const auto r = static_cast<unsigned>(std::countr_zero(m));
            if (offset[r] != other.offset[r]) both_on_stack = static_cast<reg_set>(both_on_stack & ~reg_bit(r));
        }
        for (reg_set lost = on_stack & ~both_on_stack; lost != 0; lost &= static_cast<reg_set>(lost - 1))
            offset[static_cast<unsigned>(std::countr_zero(lost))] = 0;
        const bool changed = both_written != written || both_on_stack != on_stack;
        written = both_written;
        on_stack = both_on_stack;
        return stack.intersect(other.stack) || changed;
    }

    friend constexpr bool operator==(const frame_state&, const frame_state&) = default;
};

/// The state at the entry of the program (r1 = context) or of a subprogram
/// (r1..r5 = arguments).
[[nodiscard]] constexpr frame_state entry_state(bool main_program) noexcept {
    frame_state s;
    s.reached = true;
    s.written = static_cast<reg_set>(frame_pointer | (main_program ? reg_bit(1) : call_arguments));
    return s;
}

} // namespace bpfxx::detail::checking
