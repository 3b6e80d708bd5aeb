#pragma once
// Labels: `"loop"_label` is a type, so the assembler resolves jumps while
// the compiler evaluates the program, and an error can name the label.

#include <cstddef>
#include <string_view>
#include <utility>

namespace bpfxx {

namespace detail {
template <std::size_t N>
struct fixed_string {
    char data[N]{};
    constexpr fixed_string(const char (&s)[N]) noexcept {
        for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, N - 1}; }
    static constexpr std::size_t size = N - 1;
};
} // namespace detail

/// A position in a program. Place it among the instructions given to
/// `assemble`; jumps, local calls and `ld_func` take it as their target.
template <detail::fixed_string Name>
struct label {
    static_assert(Name.size > 0, "bpfxx: a label needs a name");
    static constexpr std::string_view name = Name.view();
};

namespace detail {
template <class T> inline constexpr bool is_label = false;
template <fixed_string S> inline constexpr bool is_label<label<S>> = true;

/// A label's name as characters, which compilers print readably in errors.
template <char... Cs>
struct label_named {};

template <class L, class = std::make_index_sequence<L::name.size()>>
struct spell;
template <class L, std::size_t... I>
struct spell<L, std::index_sequence<I...>> {
    using type = label_named<L::name[I]...>;
};
template <class L>
using spelled = typename spell<L>::type;
} // namespace detail

/// Any `label<"...">`.
template <class T>
concept label_type = detail::is_label<T>;

inline namespace literals {
/// `"name"_label`: a label named by a string literal.
template <detail::fixed_string S>
[[nodiscard]] constexpr label<S> operator""_label() noexcept {
    return {};
}
} // namespace literals

} // namespace bpfxx
