#pragma once
// The hash of a name and the open-addressing table from names to type ids
// that makes `types::find` O(1). Names are hashed eight bytes at a time,
// straight from the NUL-terminated strings of the blob (no copy, no strlen).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace bpfxx::btf::detail {

inline constexpr std::uint64_t ones = 0x0101010101010101ull;
inline constexpr std::uint64_t highs = 0x8080808080808080ull;

[[nodiscard]] inline std::uint64_t mix(std::uint64_t h, std::uint64_t word) noexcept {
    return (std::rotl(h, 5) ^ word) * 0x9e3779b97f4a7c15ull;
}
[[nodiscard]] inline std::uint32_t fold(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h ^ (h >> 29) ^ (h >> 47));
}

/// The hash of the NUL-terminated string at `p`, which ends before `end`
/// (the caller guarantees a NUL in [p, end)). Reads whole words while
/// eight bytes remain before `end`; the word holding the NUL is masked to
/// the bytes before it.
[[nodiscard]] inline std::uint32_t hash_cstr(const char* p, const char* end) noexcept {
    std::uint64_t h = 0x243f6a8885a308d3ull;
    for (;;) {
        std::uint64_t w = 0;
        const auto left = end - p;
        std::memcpy(&w, p, left >= 8 ? 8 : static_cast<std::size_t>(left));
        if constexpr (std::endian::native == std::endian::little) {
            if (const std::uint64_t z = (w - ones) & ~w & highs; z != 0) {
                const unsigned keep = static_cast<unsigned>(std::countr_zero(z)) >> 3; // bytes before the NUL
                w = keep == 0 ? 0 : w & (~0ull >> (64 - 8 * keep));
                return fold(mix(h, w));
            }
        } else {
            for (unsigned i = 0; i < 8; ++i)
                if (p[i] == '\0') {
                    w = 0;
                    std::memcpy(&w, p, i);
                    return fold(mix(h, w));
                }
        }
        h = mix(h, w);
        p += 8;
    }
}

/// The same hash for a name given with its length (what a lookup holds).
[[nodiscard]] inline std::uint32_t hash_name(std::string_view s) noexcept {
    std::uint64_t h = 0x243f6a8885a308d3ull;
    std::size_t i = 0;
    for (; s.size() - i >= 8; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = mix(h, w);
    }
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    return fold(mix(h, w));
}

/// Name hash → type ids, with linear probing. An entry holds the full hash,
/// so a probe compares strings only when the hashes agree.
class name_table {
public:
    struct entry {
        std::uint32_t hash = 0;
        std::uint32_t id = 0; ///< 0: empty (id 0, void, has no name)
    };

    name_table() = default;

    /// Adds an id under its name's hash; the table doubles when 3/4 full.
    void insert(std::uint32_t hash, std::uint32_t id) {
        if ((count_ + 1) * 4 > entries_.size() * 3) grow();
        place(entries_, mask_, {hash, id});
        ++count_;
    }

    /// Calls `f(id)` for every id whose name has this hash until `f` returns true;
    /// returns whether one did.
    template <class F>
    bool probe(std::uint32_t hash, F&& f) const {
        if (entries_.empty()) return false;
        for (std::uint32_t i = hash & mask_; entries_[i].id != 0; i = (i + 1) & mask_)
            if (entries_[i].hash == hash && f(entries_[i].id)) return true;
        return false;
    }

    [[nodiscard]] std::size_t bytes() const noexcept { return entries_.size() * sizeof(entry); }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }

private:
    static void place(std::vector<entry>& entries, std::uint32_t mask, entry e) noexcept {
        std::uint32_t i = e.hash & mask;
        while (entries[i].id != 0) i = (i + 1) & mask;
        entries[i] = e;
    }
    void grow() {
        std::vector<entry> bigger(entries_.empty() ? 64 : entries_.size() * 2);
        const auto mask = static_cast<std::uint32_t>(bigger.size() - 1);
        for (const entry& e : entries_)
            if (e.id != 0) place(bigger, mask, e); // (equal hashes keep their order: a probe finds the lowest id first)
        entries_ = std::move(bigger);
        mask_ = mask;
    }

    std::vector<entry> entries_;
    std::uint32_t mask_ = 0;
    std::size_t count_ = 0;
};

} // namespace bpfxx::btf::detail
