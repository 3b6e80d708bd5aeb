#pragma once
// Network helpers for tests and examples that need real traffic: a private
// network namespace for the calling thread, links brought up, and small
// generators of UDP, TCP and ICMP traffic on loopback. Linux only; the
// namespace needs CAP_SYS_ADMIN, raw ICMP needs CAP_NET_RAW.

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace bpfxx::testing {

/// Brings the interface `name` up (SIOCSIFFLAGS with IFF_UP).
inline void link_up(const std::string& name) {
    unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) detail::throw_errno("socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) detail::throw_errno("SIOCGIFFLAGS", name);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) detail::throw_errno("SIOCSIFFLAGS", name);
}

/// Moves the calling thread into a new, empty network namespace with `lo`
/// up, and back into the previous one on destruction. Only this thread is
/// affected, so tests can run it beside others; sockets made meanwhile stay
/// in the private namespace, whose traffic nothing else shares.
class private_netns {
public:
    private_netns() : previous_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
        if (!previous_) detail::throw_errno("open", "/proc/thread-self/ns/net");
        if (::unshare(CLONE_NEWNET) != 0) detail::throw_errno("unshare(CLONE_NEWNET)");
        link_up("lo");
    }
    private_netns(const private_netns&) = delete;
    private_netns& operator=(const private_netns&) = delete;
    ~private_netns() { (void)::setns(previous_.get(), CLONE_NEWNET); }

private:
    unique_fd previous_;
};

namespace detail {
inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

inline std::uint16_t bound_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) bpfxx::detail::throw_errno("getsockname");
    return ntohs(a.sin_port);
}

inline unique_fd bound_socket(int type, int protocol = 0) {
    unique_fd s(::socket(AF_INET, type | SOCK_CLOEXEC, protocol));
    if (!s) bpfxx::detail::throw_errno("socket");
    const auto a = loopback(0);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) bpfxx::detail::throw_errno("bind");
    return s;
}

/// Waits up to `ms` for `fd` to become readable.
inline bool readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
}

inline std::uint16_t inet_checksum(const void* data, std::size_t len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (len & 1) sum += static_cast<std::uint32_t>(p[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return htons(static_cast<std::uint16_t>(~sum));
}
} // namespace detail

/// A packet socket (AF_PACKET, SOCK_RAW, every protocol) bound to interface
/// `name`: it sees each frame sent and received there.
inline unique_fd packet_socket(const std::string& name, bool nonblocking = false) {
    unique_fd s(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), htons(ETH_P_ALL)));
    if (!s) bpfxx::detail::throw_errno("socket(AF_PACKET)");
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(::if_nametoindex(name.c_str()));
    if (addr.sll_ifindex == 0) bpfxx::detail::throw_errno("if_nametoindex", name);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        bpfxx::detail::throw_errno("bind", name);
    return s;
}

/// Sends `count` UDP datagrams to a socket on 127.0.0.1 and receives them all.
/// Returns how many arrived.
inline int udp_exchange(int count) {
    auto rx = detail::bound_socket(SOCK_DGRAM);
    auto tx = detail::bound_socket(SOCK_DGRAM);
    const auto to = detail::loopback(detail::bound_port(rx.get()));
    const char msg[] = "bpfxx";
    for (int i = 0; i < count; ++i)
        if (::sendto(tx.get(), msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
            bpfxx::detail::throw_errno("sendto");
    int got = 0;
    char buf[64];
    while (got < count && detail::readable(rx.get(), 1000) && ::recv(rx.get(), buf, sizeof buf, 0) > 0) ++got;
    return got;
}

/// Opens a TCP connection on 127.0.0.1, sends `bytes` bytes through it,
/// reads them on the other side and closes both ends. Returns bytes received.
inline std::size_t tcp_exchange(std::size_t bytes) {
    auto listener = detail::bound_socket(SOCK_STREAM);
    if (::listen(listener.get(), 1) != 0) bpfxx::detail::throw_errno("listen");
    unique_fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!client) bpfxx::detail::throw_errno("socket");
    const auto to = detail::loopback(detail::bound_port(listener.get()));
    if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
        bpfxx::detail::throw_errno("connect");
    unique_fd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!server) bpfxx::detail::throw_errno("accept4");
    std::string data(bytes, 'x');
    if (::send(client.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(data.size()))
        bpfxx::detail::throw_errno("send");
    std::size_t got = 0;
    char buf[4096];
    while (got < bytes && detail::readable(server.get(), 1000)) {
        const auto n = ::recv(server.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::shutdown(client.get(), SHUT_RDWR);
    ::shutdown(server.get(), SHUT_RDWR);
    return got;
}

/// Sends `count` ICMP echo requests to 127.0.0.1 on a raw socket and waits
/// for each reply. Returns the number of replies.
inline int icmp_echo(int count) {
    unique_fd s(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
    if (!s) bpfxx::detail::throw_errno("socket(SOCK_RAW, IPPROTO_ICMP)");
    const auto to = detail::loopback(0);
    const auto id = static_cast<std::uint16_t>(::getpid());
    int replies = 0;
    for (int seq = 0; seq < count; ++seq) {
        icmphdr req{};
        req.type = ICMP_ECHO;
        req.un.echo.id = htons(id);
        req.un.echo.sequence = htons(static_cast<std::uint16_t>(seq));
        req.checksum = detail::inet_checksum(&req, sizeof req);
        if (::sendto(s.get(), &req, sizeof req, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
            bpfxx::detail::throw_errno("sendto");
        // A raw ICMP socket sees the request too: wait for the matching reply.
        char buf[256];
        while (detail::readable(s.get(), 1000)) {
            const auto n = ::recv(s.get(), buf, sizeof buf, 0);
            if (n < static_cast<ssize_t>(sizeof(iphdr) + sizeof(icmphdr))) continue;
            const auto* ip = reinterpret_cast<const iphdr*>(buf);
            const auto* icmp = reinterpret_cast<const icmphdr*>(buf + ip->ihl * 4);
            if (icmp->type == ICMP_ECHOREPLY && ntohs(icmp->un.echo.sequence) == seq) {
                ++replies;
                break;
            }
        }
    }
    return replies;
}

} // namespace bpfxx::testing
