#pragma once
// `detail::buffer<T>`: a growable array for bpfxx's own working storage — the
// typed layer's IR, the BTF writer's tables, the interpreter's decoded
// program. Usable during constant evaluation (transient allocation) and at
// run time.
//
// Why not std::vector: every element type a header puts in a std::vector
// makes each translation unit that includes the header instantiate
// libstdc++'s vector machinery for it (allocator traits, relocation,
// _M_realloc_insert …) even when nothing is called — about 30 ms of g++ per
// type, measured. This type is a fraction of that (bench/compile_time.py
// --umbrellas). std::vector stays at the public API, where users expect it.
//
// Storage is `new T[capacity]` (so T is default-constructible and slots past
// size() hold default-made or moved-from values): a constant-evaluation
// allocation that needs neither <memory> nor std::allocator, which cost more
// to include than the vector machinery this avoids.

#include <cstddef>
#include <initializer_list>
#include <span>
#include <utility>

namespace bpfxx::detail {

template <class T>
class buffer {
public:
    using value_type = T;
    using size_type = std::size_t;
    using iterator = T*;
    using const_iterator = const T*;

    constexpr buffer() noexcept = default;
    /// n copies of v.
    constexpr buffer(std::size_t n, const T& v) { resize(n, v); }
    constexpr buffer(std::initializer_list<T> values) { append(values.begin(), values.end()); }
    constexpr buffer(const buffer& o) { append(o.begin(), o.end()); }
    constexpr buffer(buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
    constexpr buffer& operator=(const buffer& o) {
        if (this != &o) {
            clear();
            append(o.begin(), o.end());
        }
        return *this;
    }
    constexpr buffer& operator=(buffer&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            cap_ = std::exchange(o.cap_, 0);
        }
        return *this;
    }
    constexpr ~buffer() { release(); }

    [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] constexpr T* data() noexcept { return data_; }
    [[nodiscard]] constexpr const T* data() const noexcept { return data_; }
    [[nodiscard]] constexpr T* begin() noexcept { return data_; }
    [[nodiscard]] constexpr T* end() noexcept { return data_ + size_; }
    [[nodiscard]] constexpr const T* begin() const noexcept { return data_; }
    [[nodiscard]] constexpr const T* end() const noexcept { return data_ + size_; }
    [[nodiscard]] constexpr T& operator[](std::size_t i) noexcept { return data_[i]; }
    [[nodiscard]] constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    [[nodiscard]] constexpr T& front() noexcept { return data_[0]; }
    [[nodiscard]] constexpr const T& front() const noexcept { return data_[0]; }
    [[nodiscard]] constexpr T& back() noexcept { return data_[size_ - 1]; }
    [[nodiscard]] constexpr const T& back() const noexcept { return data_[size_ - 1]; }

    constexpr void reserve(std::size_t n) {
        if (n > cap_) reallocate(n);
    }
    constexpr void push_back(const T& v) { emplace_back(v); }
    constexpr void push_back(T&& v) { emplace_back(std::move(v)); }
    template <class... A>
    constexpr T& emplace_back(A&&... a) {
        // made first: an argument may refer into this buffer
        T v{std::forward<A>(a)...};
        if (size_ == cap_) reallocate(cap_ == 0 ? 8 : cap_ * 2);
        data_[size_] = std::move(v);
        return data_[size_++];
    }
    constexpr void pop_back() noexcept { --size_; }
    constexpr void clear() noexcept { size_ = 0; }
    /// Grows to n elements with copies of v, or shrinks to n.
    constexpr void resize(std::size_t n, const T& v = T{}) {
        reserve(n);
        while (size_ < n) data_[size_++] = v;
        size_ = n;
    }
    /// Inserts v before `at`, moving the elements from there one slot on.
    constexpr T* insert(const T* at, T v) {
        const auto i = static_cast<std::size_t>(at - data_);
        emplace_back(std::move(v));
        T last = std::move(data_[size_ - 1]);
        for (auto j = size_ - 1; j > i; --j) data_[j] = std::move(data_[j - 1]);
        data_[i] = std::move(last);
        return data_ + i;
    }
    /// Appends a copy of [first, last) (which must not lie in this buffer).
    constexpr void append(const T* first, const T* last) {
        reserve(size_ + static_cast<std::size_t>(last - first));
        for (; first != last; ++first) data_[size_++] = *first;
    }
    /// Replaces the contents with a copy of [first, last).
    constexpr void assign(const T* first, const T* last) {
        clear();
        append(first, last);
    }
    /// Removes [first, last), keeping the order of the rest.
    constexpr T* erase(const T* first, const T* last) {
        const auto at = static_cast<std::size_t>(first - data_);
        const auto n = static_cast<std::size_t>(last - first);
        for (auto i = at; i + n < size_; ++i) data_[i] = std::move(data_[i + n]);
        size_ -= n;
        return data_ + at;
    }
    constexpr T* erase(const T* at) { return erase(at, at + 1); }
    constexpr void swap(buffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(cap_, o.cap_);
    }

    friend constexpr bool operator==(const buffer& a, const buffer& b) {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (!(a.data_[i] == b.data_[i])) return false;
        return true;
    }

private:
    constexpr void reallocate(std::size_t cap) {
        T* fresh = new T[cap];
        for (std::size_t i = 0; i < size_; ++i) fresh[i] = std::move(data_[i]);
        delete[] data_;
        data_ = fresh;
        cap_ = cap;
    }
    constexpr void release() noexcept {
        delete[] data_;
        data_ = nullptr;
        size_ = cap_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
};

/// Its elements as a span (spelled out: std::span's range constructor checks
/// a dozen concepts per element type).
template <class T>
[[nodiscard]] constexpr std::span<const T> as_span(const buffer<T>& b) noexcept {
    return {b.data(), b.size()};
}

} // namespace bpfxx::detail
