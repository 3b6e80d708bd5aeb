#pragma once
// `attach_socket(prog, socket_fd)`: a socket filter on one socket
// (SO_ATTACH_BPF), removed again when the returned link is destroyed.
//
//     auto link = bpfxx::attach_socket(filter, sock.get()); // filter runs on every packet sock receives
//     ...                                                   // ~link: SO_DETACH_BPF

#include <bpfxx/attach/link.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/error.hpp>

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <utility>

namespace bpfxx {

class socket_link;
[[nodiscard]] inline socket_link attach_socket(const prog& p, int socket_fd);

/// A program attached as the filter of one socket. Move-only; detaches on
/// destruction or `detach()`.
///
/// The link does not own the socket. The socket must outlive the link, or be
/// closed first: closing a socket drops its filter anyway, and the link then
/// detaches nothing — it remembers which socket it was given (device and
/// inode), so a new socket that happens to get the same fd number is never
/// touched. A socket has at most one filter: attaching another replaces it,
/// and the older link's detach would then remove the newer filter.
/// The kernel holds its own reference to the program: destroying the `prog`
/// handle does not detach it.
class socket_link {
public:
    socket_link() noexcept = default;
    socket_link(socket_link&& other) noexcept
        : socket_(std::exchange(other.socket_, -1)), dev_(other.dev_), ino_(other.ino_) {}
    socket_link& operator=(socket_link&& other) noexcept {
        if (this != &other) {
            reset();
            socket_ = std::exchange(other.socket_, -1);
            dev_ = other.dev_;
            ino_ = other.ino_;
        }
        return *this;
    }
    socket_link(const socket_link&) = delete;
    socket_link& operator=(const socket_link&) = delete;
    ~socket_link() { reset(); }

    /// The socket's fd, or -1 once detached.
    [[nodiscard]] int socket() const noexcept { return socket_; }
    [[nodiscard]] explicit operator bool() const noexcept { return socket_ >= 0; }

    /// Removes the filter now (SO_DETACH_BPF). Throws `bpfxx::error` when the
    /// kernel refuses; a socket that is gone, or has no filter any more, is
    /// not an error.
    void detach() {
        const int s = std::exchange(socket_, -1);
        if (s < 0 || !same_socket(s)) return;
        if (!detach_from(s) && errno != ENOENT)
            detail::throw_errno("SO_DETACH_BPF", "socket fd " + std::to_string(s));
    }

private:
    friend socket_link attach_socket(const prog&, int);

    socket_link(int socket, dev_t dev, ino_t ino) noexcept : socket_(socket), dev_(dev), ino_(ino) {}

    /// Whether `fd` is still the socket the filter went on.
    [[nodiscard]] bool same_socket(int fd) const noexcept {
        struct stat st{};
        return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev_ && st.st_ino == ino_;
    }

    static bool detach_from(int fd) noexcept {
        // The value is ignored, but the kernel wants an int's worth of it.
        const int ignored = 0;
        return ::setsockopt(fd, SOL_SOCKET, SO_DETACH_BPF, &ignored, sizeof ignored) == 0;
    }

    void reset() noexcept {
        const int s = std::exchange(socket_, -1);
        if (s >= 0 && same_socket(s)) (void)detach_from(s);
    }

    int socket_ = -1;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

/// Attaches `p` (a socket_filter program) as the filter of `socket_fd`
/// (SO_ATTACH_BPF): the program sees every packet the socket receives and
/// returns how many of its bytes to keep, 0 dropping it. Replaces the
/// socket's previous filter, if any.
inline socket_link attach_socket(const prog& p, int socket_fd) {
    detail::links::require_type(p, "SO_ATTACH_BPF", "socket fd " + std::to_string(socket_fd),
                                {prog_type::socket_filter});
    struct stat st{};
    if (::fstat(socket_fd, &st) != 0) detail::throw_errno("SO_ATTACH_BPF", "socket fd " + std::to_string(socket_fd));
    if (!S_ISSOCK(st.st_mode))
        throw error(ENOTSOCK, "SO_ATTACH_BPF", "fd " + std::to_string(socket_fd), "the fd is not a socket");
    const int prog_fd = p.fd();
    if (::setsockopt(socket_fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof prog_fd) != 0)
        detail::throw_errno("SO_ATTACH_BPF", p.name().empty() ? "socket fd " + std::to_string(socket_fd) : p.name());
    return socket_link(socket_fd, st.st_dev, st.st_ino);
}

} // namespace bpfxx
