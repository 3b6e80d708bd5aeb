#pragma once
// `unique_fd`: sole owner of a file descriptor. Every descriptor bpfxx opens
// is O_CLOEXEC and lives in exactly one of these.

#include <unistd.h>

#include <utility>

namespace bpfxx {

class unique_fd {
public:
    constexpr unique_fd() noexcept = default;
    /// Takes ownership of `fd` (a negative value means "none").
    constexpr explicit unique_fd(int fd) noexcept : fd_(fd < 0 ? -1 : fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    constexpr unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    ~unique_fd() { reset(); }

    /// The descriptor, still owned by this object (-1 when empty).
    [[nodiscard]] constexpr int get() const noexcept { return fd_; }
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return fd_ >= 0; }

    /// Gives up ownership: the caller must close the result.
    [[nodiscard]] constexpr int release() noexcept { return std::exchange(fd_, -1); }

    /// Closes the owned descriptor, if any, and takes `fd` instead.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_); // EINTR on close must not be retried on Linux
        fd_ = fd < 0 ? -1 : fd;
    }

    friend void swap(unique_fd& a, unique_fd& b) noexcept { std::swap(a.fd_, b.fd_); }

private:
    int fd_ = -1;
};

} // namespace bpfxx
