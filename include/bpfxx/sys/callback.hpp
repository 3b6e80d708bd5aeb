#pragma once
// `callback<R(Args...)>`: a move-only callable, type-erased as a function
// pointer and its state on the heap — one indirect call, like a C callback.
// The handles keep user functions with it (a ring's record handler, a perf
// buffer's sample handler, the undo step of an attachment without a kernel
// link) instead of std::function: no copies are ever needed, and <functional>
// is the costliest header they would otherwise include.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace bpfxx {

template <class Signature>
class callback;

template <class R, class... Args>
class callback<R(Args...)> {
public:
    callback() noexcept = default;
    callback(std::nullptr_t) noexcept {}

    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, callback> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
    callback(F&& f) // NOLINT: converts from any callable, as std::function does
        : state_(new std::decay_t<F>(std::forward<F>(f))),
          destroy_([](void* p) noexcept { delete static_cast<std::decay_t<F>*>(p); }),
          call_([](void* p, Args... args) -> R {
              return static_cast<R>((*static_cast<std::decay_t<F>*>(p))(std::forward<Args>(args)...));
          }) {}

    callback(callback&& o) noexcept
        : state_(std::exchange(o.state_, nullptr)), destroy_(std::exchange(o.destroy_, nullptr)),
          call_(std::exchange(o.call_, nullptr)) {}
    callback& operator=(callback&& o) noexcept {
        if (this != &o) {
            reset();
            state_ = std::exchange(o.state_, nullptr);
            destroy_ = std::exchange(o.destroy_, nullptr);
            call_ = std::exchange(o.call_, nullptr);
        }
        return *this;
    }
    callback(const callback&) = delete;
    callback& operator=(const callback&) = delete;
    ~callback() { reset(); }

    [[nodiscard]] explicit operator bool() const noexcept { return call_ != nullptr; }
    /// Calls it; an empty callback must not be called.
    R operator()(Args... args) const { return call_(state_, std::forward<Args>(args)...); }

private:
    void reset() noexcept {
        if (destroy_ != nullptr) destroy_(state_);
        state_ = nullptr;
        destroy_ = nullptr;
        call_ = nullptr;
    }

    void* state_ = nullptr;
    void (*destroy_)(void*) noexcept = nullptr;
    R (*call_)(void*, Args...) = nullptr;
};

} // namespace bpfxx
