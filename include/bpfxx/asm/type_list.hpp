#pragma once
// A list of types, and the few operations on it the assembler needs, none of
// them recursive (programs can have thousands of items).

#include <cstddef>
#include <type_traits>
#include <utility>

namespace bpfxx {

template <class... Ts>
struct type_list {
    static constexpr std::size_t size = sizeof...(Ts);
};

namespace detail {

template <std::size_t I, class T>
struct indexed {
    using type = T;
};

template <class Seq, class... Ts>
struct indexer;
template <std::size_t... Is, class... Ts>
struct indexer<std::index_sequence<Is...>, Ts...> : indexed<Is, Ts>... {};

template <std::size_t I, class T>
indexed<I, T> select(const indexed<I, T>&); // overload resolution picks base I

/// The I-th type of Ts (no recursion: one class with a base per type).
template <std::size_t I, class... Ts>
using nth_t = typename decltype(select<I>(indexer<std::index_sequence_for<Ts...>, Ts...>{}))::type;

template <class T, class List>
inline constexpr std::size_t index_in = 0;
template <class T, class... Ts>
inline constexpr std::size_t index_in<T, type_list<Ts...>> = [] {
    constexpr bool same[] = {std::is_same_v<T, Ts>..., false};
    std::size_t i = 0;
    while (i < sizeof...(Ts) && !same[i]) ++i;
    return i;
}();

} // namespace detail

/// Position of T in a type_list, or the list's size when absent.
template <class T, class List>
inline constexpr std::size_t index_of = detail::index_in<T, List>;

/// Whether T is in a type_list.
template <class T, class List>
inline constexpr bool contains = index_of<T, List> < List::size;

} // namespace bpfxx
