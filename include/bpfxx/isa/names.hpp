#pragma once
// Names of enumerations, one way for all of them: an enumeration E gets its
// names from one table, `enum_names<E>::table`, whose rows pair each value
// with its name (and may carry more: the helper table does). `to_string(e)`
// and `from_string<E>(name)` read it; the first use checks at compile time
// that row k holds the value k, so a name cannot drift from its value.
//
//     static_assert(bpfxx::to_string(bpfxx::map_type::hash) == "hash");
//     static_assert(bpfxx::from_string<bpfxx::prog_type>("xdp") == bpfxx::prog_type::xdp);
//
// To name another enumeration (dense from 0): specialize `enum_names` with
// `static constexpr enum_name<E> table[] = {{E::a, "a"}, ...};`.

#include <cstddef>
#include <optional>
#include <string_view> // also std::size (cheaper than <iterator>)

namespace bpfxx {

/// A value of enumeration E and its name.
template <class E>
struct enum_name {
    E value;
    std::string_view name;
};

/// The names of enumeration E (specialized for each named enumeration).
template <class E>
struct enum_names;

/// An enumeration with a table of names.
template <class E>
concept named_enum = requires { enum_names<E>::table; };

namespace detail {
/// Whether row k of `table` holds the value k, for every k.
template <class Table>
[[nodiscard]] consteval bool rows_in_order(const Table& table) noexcept {
    for (std::size_t k = 0; k < std::size(table); ++k)
        if (static_cast<std::size_t>(table[k].value) != k) return false;
    return true;
}
} // namespace detail

/// The name of `e` (the kernel's, without its prefix), or an empty view for
/// a value that has none (a newer kernel's, or none at all).
template <named_enum E>
[[nodiscard]] constexpr std::string_view to_string(E e) noexcept {
    constexpr const auto& table = enum_names<E>::table;
    static_assert(detail::rows_in_order(table),
                  "bpfxx: a table of enumeration names must list value 0, 1, 2 ... in order, one row each");
    const auto k = static_cast<std::size_t>(e);
    return k < std::size(table) ? table[k].name : std::string_view{};
}

/// The value of E named `name`, if there is one.
template <named_enum E>
[[nodiscard]] constexpr std::optional<E> from_string(std::string_view name) noexcept {
    for (const auto& row : enum_names<E>::table)
        if (row.name == name) return row.value;
    return std::nullopt;
}

/// How many values of E have names (one past the largest).
template <named_enum E>
inline constexpr std::size_t named_count = std::size(enum_names<E>::table);

} // namespace bpfxx
