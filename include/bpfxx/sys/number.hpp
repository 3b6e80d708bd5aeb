#pragma once
// Decimal numbers in the kernel's text files (sysfs, tracefs, procfs), read
// strictly: digits only, and nothing that does not fit in 32 bits, so that a
// malformed or unexpected file is an error the caller names instead of a
// number cut to its low bits (or a std::invalid_argument from std::stoul).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfxx::sys::detail {

/// A number read from the start of a text, and how many characters it took.
struct leading_number {
    std::uint32_t value = 0;
    std::size_t length = 0;
};

/// The decimal number at the start of `text`: one or more digits whose value
/// fits in 32 bits; nullopt for no digit or a larger value.
[[nodiscard]] constexpr std::optional<leading_number> leading_u32(std::string_view text) noexcept {
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        v = v * 10 + static_cast<std::uint64_t>(text[i] - '0');
        if (v > 0xffffffffu) return std::nullopt;
    }
    if (i == 0) return std::nullopt;
    return leading_number{static_cast<std::uint32_t>(v), i};
}

/// `text` as a decimal number that fits in 32 bits, with nothing after it
/// but a line end; nullopt otherwise.
[[nodiscard]] constexpr std::optional<std::uint32_t> parse_u32(std::string_view text) noexcept {
    const auto n = leading_u32(text);
    if (!n) return std::nullopt;
    const auto rest = text.substr(n->length);
    if (!rest.empty() && rest != "\n") return std::nullopt;
    return n->value;
}

} // namespace bpfxx::sys::detail
