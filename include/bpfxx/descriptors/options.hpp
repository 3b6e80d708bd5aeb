#pragma once
// What a map descriptor fixes at compile time besides its types and size:
// its creation flags and its name (`map_options`, the descriptor's trailing
// template argument). Portable: no OS headers.

#include <bpfxx/isa/map_flags.hpp>

#include <cstddef>
#include <string_view>

namespace bpfxx {

namespace detail {
// Not constexpr on purpose: reaching it while the compiler evaluates a map
// name stops compilation with this function's name as the diagnostic.
inline void map_name_may_only_contain_letters_digits_underscores_and_dots() {}

[[nodiscard]] constexpr bool valid_map_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}
} // namespace detail

/// A map's name as the kernel keeps it: at most 15 characters of
/// [A-Za-z0-9_.]. A structural type, so it can be part of a descriptor's
/// `map_options`; a string literal converts to it, checked at compile time.
struct map_name {
    char chars[16] = {};

    constexpr map_name() noexcept = default;
    template <std::size_t N>
    consteval map_name(const char (&s)[N]) { // NOLINT: implicit by design ("counters")
        static_assert(N <= 16, "bpfxx: a map name has at most 15 characters (the kernel's BPF_OBJ_NAME_LEN is 16)");
        for (std::size_t i = 0; i + 1 < N; ++i) {
            if (!detail::valid_map_name_char(s[i]))
                detail::map_name_may_only_contain_letters_digits_underscores_and_dots();
            chars[i] = s[i];
        }
    }

    [[nodiscard]] constexpr std::string_view view() const noexcept {
        std::size_t n = 0;
        while (n < 16 && chars[n] != '\0') ++n;
        return {chars, n};
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return chars[0] == '\0'; }
};

/// What a descriptor fixes at compile time, as its trailing template
/// argument: `array_map<u32, u64, 256, map_options{.flags = map_flags::mmapable, .name = "counters"}>`.
/// Two descriptors that differ only in options are different map types, so a
/// program can reference both.
struct map_options {
    map_flags flags = map_flags::none;
    map_name name = {};
};

} // namespace bpfxx
