#pragma once
// The data-flow check's work list: the slots whose incoming states changed
// since they were last analysed, taken lowest slot first, so that a slot is
// analysed after the changes of the slots before it are in (as in a sweep,
// losses arriving by several forward paths are met first and passed on once).
//
// A bit per slot, and above each level of 64-bit words a level with a bit per
// word that is not zero, up to a single word: adding a slot and taking the
// lowest touch one word per level (three for 262,144 slots), whatever the
// program's size and however the slots are spread.

#include <bit>
#include <cstddef>
#include <cstdint>

namespace bpfxx::detail::checking {

/// The words a work list over `slots` slots needs.
[[nodiscard]] constexpr std::size_t work_list_words(std::size_t slots) noexcept {
    std::size_t words = 0;
    do {
        slots = (slots + 63) / 64;
        words += slots;
    } while (slots > 1);
    return words;
}

class work_list {
public:
    /// An empty list over `slots` slots in `words` (work_list_words(slots) of them).
    constexpr work_list(std::uint64_t* words, std::size_t slots) noexcept {
        std::size_t n = slots;
        do {
            n = (n + 63) / 64;
            level_[levels_++] = words;
            for (std::size_t w = 0; w < n; ++w) words[w] = 0;
            words += n;
        } while (n > 1);
    }

    constexpr void push(std::size_t slot) noexcept {
        for (std::size_t k = 0; k < levels_; ++k, slot /= 64) {
            std::uint64_t& word = level_[k][slot / 64];
            const bool had_any = word != 0;
            word |= std::uint64_t{1} << (slot % 64);
            if (had_any) return; // the levels above know this word holds slots
        }
    }

    [[nodiscard]] constexpr bool empty() const noexcept { return level_[levels_ - 1][0] == 0; }

    /// Takes the lowest slot on the list (which must not be empty).
    constexpr std::size_t pop() noexcept {
        std::size_t slot = 0;
        for (std::size_t k = levels_; k-- > 0;)
            slot = slot * 64 + static_cast<std::size_t>(std::countr_zero(level_[k][slot]));
        const std::size_t lowest = slot;
        for (std::size_t k = 0; k < levels_; ++k, slot /= 64) {
            std::uint64_t& word = level_[k][slot / 64];
            word &= ~(std::uint64_t{1} << (slot % 64));
            if (word != 0) return lowest; // the levels above still see this word
        }
        return lowest;
    }

private:
    std::uint64_t* level_[11]{}; // 64^11 > 2^64: enough levels for any size
    std::size_t levels_ = 0;
};

} // namespace bpfxx::detail::checking
