#pragma once
// `detail::owner<T>` and `detail::owner<T[]>`: a move-only pointer that
// deletes what it holds — the part of std::unique_ptr bpfxx's run-time
// state needs (the BTF reader's lazily built index, a file read into
// memory). <memory> and unique_ptr's instantiations cost every translation
// unit that reaches them far more than these few lines (see buffer.hpp).

#include <cstddef>
#include <type_traits>
#include <utility>

namespace bpfxx::detail {

template <class T>
class owner {
    using element = std::remove_extent_t<T>;
    static constexpr bool array = std::is_array_v<T>;

public:
    owner() noexcept = default;
    /// Owns `p`, made by `new` (by `new[]` for owner<T[]>).
    explicit owner(element* p) noexcept : p_(p) {}
    owner(owner&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    owner& operator=(owner&& o) noexcept {
        if (this != &o) reset(std::exchange(o.p_, nullptr));
        return *this;
    }
    owner(const owner&) = delete;
    owner& operator=(const owner&) = delete;
    ~owner() { destroy(p_); }

    [[nodiscard]] element* get() const noexcept { return p_; }
    [[nodiscard]] explicit operator bool() const noexcept { return p_ != nullptr; }
    [[nodiscard]] element& operator*() const noexcept requires(!array) { return *p_; }
    [[nodiscard]] element* operator->() const noexcept requires(!array) { return p_; }
    [[nodiscard]] element& operator[](std::size_t i) const noexcept requires array { return p_[i]; }
    /// Gives up ownership: the caller deletes the result.
    [[nodiscard]] element* release() noexcept { return std::exchange(p_, nullptr); }
    void reset(element* p = nullptr) noexcept { destroy(std::exchange(p_, p)); }

private:
    static void destroy(element* p) noexcept {
        if constexpr (array) delete[] p;
        else delete p;
    }

    element* p_ = nullptr;
};

} // namespace bpfxx::detail
