#pragma once
// Network namespaces and veth pairs for tests and examples that need two
// hosts: a namespace kept as an fd, entered by the calling thread for a
// scope, and a veth pair with one end moved into it. Everything lives in
// namespaces the caller made; destroying the namespace removes its end of
// the pair, and the pair with it. Linux only; needs CAP_NET_ADMIN and
// CAP_SYS_ADMIN.
//
//     bpfxx::testing::private_netns outer;              // this thread: a fresh namespace
//     bpfxx::testing::netns peer;                       // another one, not entered
//     bpfxx::testing::create_veth("fw0", "fw1", peer);  // fw1 lives in `peer`
//     bpfxx::testing::set_address("fw0", "192.0.2.1", 24);
//     { bpfxx::testing::enter_netns in(peer); bpfxx::testing::set_address("fw1", "192.0.2.2", 24); }

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/netlink.hpp>
#include <bpfxx/sys/unique_fd.hpp>
#include <bpfxx/testing/net.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx::testing {

namespace detail {
[[nodiscard]] inline unique_fd current_netns() {
    unique_fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd) bpfxx::detail::throw_errno("open", "/proc/thread-self/ns/net");
    return fd;
}
inline void check(const sys::netlink::reply& r, const char* op, const std::string& what) {
    if (r.error != 0) throw error(r.error, op, what, r.message);
}
} // namespace detail

/// A new network namespace with `lo` up, held by an fd (not entered);
/// it goes away with this object once no thread is inside any more.
class netns {
public:
    netns() {
        const auto here = detail::current_netns();
        if (::unshare(CLONE_NEWNET) != 0) bpfxx::detail::throw_errno("unshare(CLONE_NEWNET)");
        try {
            fd_ = detail::current_netns();
            link_up("lo");
        } catch (...) {
            (void)::setns(here.get(), CLONE_NEWNET);
            throw;
        }
        if (::setns(here.get(), CLONE_NEWNET) != 0) bpfxx::detail::throw_errno("setns");
    }
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    unique_fd fd_;
};

/// Moves the calling thread into `ns` for this object's lifetime.
class enter_netns {
public:
    explicit enter_netns(const netns& ns) : previous_(detail::current_netns()) {
        if (::setns(ns.fd(), CLONE_NEWNET) != 0) bpfxx::detail::throw_errno("setns");
    }
    enter_netns(const enter_netns&) = delete;
    enter_netns& operator=(const enter_netns&) = delete;
    ~enter_netns() { (void)::setns(previous_.get(), CLONE_NEWNET); }

private:
    unique_fd previous_;
};

/// Creates veth pair `name` – `peer_name` in the calling thread's namespace
/// and moves the peer into `peer_ns`; brings up the local end (the peer is
/// brought up from inside its namespace, see `link_up`).
inline void create_veth(const std::string& name, const std::string& peer_name, const netns& peer_ns) {
    sys::netlink::request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    req.put(ifi);
    req.attr(IFLA_IFNAME, name.c_str());
    const auto info = req.begin_nested(IFLA_LINKINFO);
    req.attr(IFLA_INFO_KIND, "veth");
    const auto data = req.begin_nested(IFLA_INFO_DATA);
    const auto peer = req.begin_nested(VETH_INFO_PEER);
    req.put(ifi);
    req.attr(IFLA_IFNAME, peer_name.c_str());
    req.attr(IFLA_NET_NS_FD, std::uint32_t(peer_ns.fd()));
    req.end_nested(peer);
    req.end_nested(data);
    req.end_nested(info);
    detail::check(sys::netlink::transact(req), "RTM_NEWLINK(veth)", name + " - " + peer_name);
    link_up(name);
}

/// Waits until interface `ifname` (in the calling thread's namespace) is
/// running: up, with carrier, and activated by the kernel's link watcher.
/// Until then a fresh veth drops what is sent on it, and the link watcher
/// may take a second when links change often. Throws after `timeout_ms`.
inline void wait_until_running(const std::string& ifname, int timeout_ms = 5000) {
    unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) bpfxx::detail::throw_errno("socket");
    for (int waited = 0;; waited += 10) {
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
        if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) bpfxx::detail::throw_errno("SIOCGIFFLAGS", ifname);
        if ((ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING)) return;
        if (waited >= timeout_ms)
            throw error(ETIMEDOUT, "wait_until_running", ifname, "the interface did not come up");
        ::usleep(10'000);
    }
}

/// Adds IPv4 address `address`/`prefix` to interface `ifname` (in the calling thread's namespace).
inline void set_address(const std::string& ifname, const std::string& address, unsigned prefix) {
    const unsigned ifindex = ::if_nametoindex(ifname.c_str());
    if (ifindex == 0) bpfxx::detail::throw_errno("if_nametoindex", ifname);
    in_addr a{};
    if (::inet_pton(AF_INET, address.c_str(), &a) != 1) throw error(EINVAL, "inet_pton", address);
    sys::netlink::request req(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = static_cast<std::uint8_t>(prefix);
    ifa.ifa_index = ifindex;
    req.put(ifa);
    req.attr(IFA_LOCAL, a);
    req.attr(IFA_ADDRESS, a);
    detail::check(sys::netlink::transact(req), "RTM_NEWADDR", ifname + " " + address);
}

/// Sends `count` UDP datagrams of `size` bytes from the calling thread's
/// namespace to `address`:`port` (nobody needs to listen). Returns how many
/// the kernel accepted for sending.
inline int udp_send(const std::string& address, std::uint16_t port, int count, std::size_t size = 32) {
    unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) bpfxx::detail::throw_errno("socket");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) throw error(EINVAL, "inet_pton", address);
    const std::string payload(size, 'b');
    int sent = 0;
    for (int i = 0; i < count; ++i)
        if (::sendto(s.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) >= 0)
            ++sent;
    return sent;
}

/// A UDP socket bound to `address`:`port` in the calling thread's namespace.
[[nodiscard]] inline unique_fd udp_listener(const std::string& address, std::uint16_t port) {
    unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) bpfxx::detail::throw_errno("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw error(EINVAL, "inet_pton", address);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
        bpfxx::detail::throw_errno("bind", address + ":" + std::to_string(port));
    return s;
}

/// Receives datagrams on `fd` until `expected` arrived or none came for
/// `quiet_ms`. Returns how many arrived.
inline int udp_drain(int fd, int expected, int quiet_ms = 300) {
    int got = 0;
    char buf[2048];
    while (got < expected && detail::readable(fd, quiet_ms) && ::recv(fd, buf, sizeof buf, 0) >= 0) ++got;
    return got;
}

} // namespace bpfxx::testing
