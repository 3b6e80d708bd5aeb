#pragma once
// The wait both event readers share: an epoll fd over their rings, woken
// when a program has written to one of them.

#include <bpfxx/sys/error.hpp>

#include <sys/epoll.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bpfxx::events::detail {

/// Waits up to `timeout` (negative: for ever) on `epoll_fd` for at most
/// `slots` ready rings, then calls `ready(index)` with each ring's index
/// (the epoll data it was added with) and sums what it returns. A signal
/// interrupting the wait calls `all()` instead, so that nothing ready is missed.
template <class Ready, class All>
std::size_t wait_and_read(int epoll_fd, std::vector<epoll_event>& buffer, std::size_t slots,
                          std::chrono::milliseconds timeout, const char* what, Ready&& ready, All&& all) {
    buffer.resize(slots == 0 ? 1 : slots);
    const int ms = timeout.count() < 0 ? -1 : timeout.count() > INT32_MAX ? INT32_MAX : static_cast<int>(timeout.count());
    const int n = ::epoll_wait(epoll_fd, buffer.data(), static_cast<int>(buffer.size()), ms);
    if (n < 0) {
        if (errno == EINTR) return all();
        bpfxx::detail::throw_errno("epoll_wait", what);
    }
    std::size_t total = 0;
    for (int k = 0; k < n; ++k) total += ready(buffer[static_cast<std::size_t>(k)].data.u32);
    return total;
}

} // namespace bpfxx::events::detail
