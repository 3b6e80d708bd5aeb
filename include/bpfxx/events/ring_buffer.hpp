#pragma once
// `ring_buffer`: a reader of several ring buffers at once, woken by epoll.
// Each ring has its callback; `poll(timeout)` waits until a program submits
// a record to any of them, then hands every ready record to its callback,
// in place (no copy).
//
//     bpfxx::events::ring_buffer rb;
//     rb.add_as<exec_event>(events, [](const exec_event& e) { std::printf("%d\n", e.pid); });
//     while (running) rb.poll(std::chrono::milliseconds(100));

#include <bpfxx/events/epoll.hpp>
#include <bpfxx/events/ring.hpp>
#include <bpfxx/sys/callback.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <sys/epoll.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx::events {

class ring_buffer {
public:
    ring_buffer() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (!epoll_) bpfxx::detail::throw_errno("epoll_create1");
    }
    ring_buffer(ring_buffer&&) noexcept = default;
    ring_buffer& operator=(ring_buffer&&) noexcept = default;

    /// Adds the ring buffer map `m` (any handle with fd() and max_entries())
    /// with `f(std::span<const std::byte>)` for its records; f may return
    /// void or bool (false: stop reading this ring for now).
    template <class Map, class F>
    ring_buffer& add(const Map& m, F f) {
        return add_ring(ring(m), [f = std::move(f)](std::span<const std::byte> rec) mutable {
            return detail::call_record(f, rec);
        });
    }

    /// As add, with the records viewed as `const T&`.
    template <class T, class Map, class F>
    ring_buffer& add_as(const Map& m, F f) {
        return add_ring(ring(m), [f = std::move(f)](std::span<const std::byte> rec) mutable {
            return detail::call_record(f, detail::view_as<T>(rec));
        });
    }

    /// Waits up to `timeout` (negative: for ever) for records in any ring,
    /// then consumes every ring that has some. Returns the records consumed
    /// (0 on timeout, or when a signal interrupted the wait and nothing was ready).
    std::size_t poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) {
        return detail::wait_and_read(
            epoll_.get(), events_, rings_.size(), timeout, "ring buffer reader",
            [this](std::uint32_t i) { return consume_ring(i); }, [this] { return consume(); });
    }

    /// Consumes every ring without waiting. Returns the records consumed.
    std::size_t consume() {
        std::size_t total = 0;
        for (std::size_t i = 0; i < rings_.size(); ++i) total += consume_ring(i);
        return total;
    }

    /// Consumes ring `i` (in the order added) only.
    std::size_t consume_ring(std::size_t i) {
        auto& e = rings_.at(i);
        return e.r.consume([&e](std::span<const std::byte> rec) { return e.on_record(rec); });
    }

    /// An fd that is readable when any ring has records: to wait in an event
    /// loop of one's own (it is an epoll fd), then call consume().
    [[nodiscard]] int epoll_fd() const noexcept { return epoll_.get(); }
    [[nodiscard]] std::size_t size() const noexcept { return rings_.size(); }
    [[nodiscard]] ring& operator[](std::size_t i) { return rings_.at(i).r; }

private:
    struct entry {
        ring r;
        callback<bool(std::span<const std::byte>)> on_record;
    };

    template <class G>
    ring_buffer& add_ring(ring r, G g) {
        callback<bool(std::span<const std::byte>)> on_record(std::move(g));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<std::uint32_t>(rings_.size());
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, r.fd(), &ev) != 0)
            bpfxx::detail::throw_errno("epoll_ctl(EPOLL_CTL_ADD)", "ring buffer fd " + std::to_string(r.fd()));
        const int fd = r.fd();
        try {
            rings_.push_back({std::move(r), std::move(on_record)});
        } catch (...) {
            ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
            throw;
        }
        return *this;
    }

    unique_fd epoll_;
    std::vector<entry> rings_;
    std::vector<epoll_event> events_;
};

} // namespace bpfxx::events
