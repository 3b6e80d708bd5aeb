#pragma once
// Ordering values without <algorithm>: `detail::min`, `detail::max`,
// `detail::sort(first, last, less)` — heapsort over a contiguous range, for
// bpfxx's few run-time sorts (the BTF reader's lookups, the debug-info
// builder's subprogram starts), O(n log n) in the worst case with no extra
// memory, not stable — `detail::unique` and `detail::lower_bound` (the probe
// cache's sorted table). <algorithm> costs every
// translation unit that includes it ~0.2 s of g++ (C++20 adds the ranges
// algorithms), and std::sort instantiates introsort, insertion sort and their
// helpers for every element type and comparison.

#include <cstddef>
#include <utility>

namespace bpfxx::detail {

template <class T>
[[nodiscard]] constexpr const T& min(const T& a, const T& b) noexcept {
    return b < a ? b : a;
}
template <class T>
[[nodiscard]] constexpr const T& max(const T& a, const T& b) noexcept {
    return a < b ? b : a;
}

namespace sorting {
/// Moves element `i` of the heap [base, base + n) down to its place.
template <class T, class Less>
constexpr void sift_down(T* base, std::size_t i, std::size_t n, Less& less) {
    for (;;) {
        std::size_t top = i;
        const std::size_t l = 2 * i + 1, r = l + 1;
        if (l < n && less(base[top], base[l])) top = l;
        if (r < n && less(base[top], base[r])) top = r;
        if (top == i) return;
        std::swap(base[i], base[top]);
        i = top;
    }
}
} // namespace sorting

/// Sorts [first, last) into the order `less` defines: afterwards no element is less than one before it.
template <class T, class Less>
constexpr void sort(T* first, T* last, Less less) {
    const auto n = static_cast<std::size_t>(last - first);
    for (std::size_t i = n / 2; i-- > 0;) sorting::sift_down(first, i, n, less);
    for (std::size_t end = n; end > 1; --end) {
        std::swap(first[0], first[end - 1]);
        sorting::sift_down(first, 0, end - 1, less);
    }
}
template <class T>
constexpr void sort(T* first, T* last) {
    sort(first, last, [](const T& a, const T& b) { return a < b; });
}

/// Drops adjacent equal elements of the sorted [first, last); returns the new end.
template <class T>
constexpr T* unique(T* first, T* last) {
    if (first == last) return last;
    T* out = first;
    for (T* p = first + 1; p != last; ++p)
        if (!(*p == *out)) *++out = std::move(*p);
    return out + 1;
}

/// The first element of the sorted [first, last) that is not less than `key`
/// by `less(element, key)` (binary search); `last` if there is none.
template <class T, class K, class Less>
constexpr T* lower_bound(T* first, T* last, const K& key, Less less) {
    auto n = static_cast<std::size_t>(last - first);
    while (n > 0) {
        const std::size_t half = n / 2;
        if (less(first[half], key)) {
            first += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return first;
}

} // namespace bpfxx::detail
