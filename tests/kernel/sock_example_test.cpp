// sock_example end to end: the program of samples/bpf/sock_example.c counts,
// per IP protocol, the frames a packet socket on `lo` sees. The test makes
// its own traffic in a private network namespace and compares the whole map
// with an independent count: a second packet socket, with no filter, whose
// frames user space tallies by the same byte.
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/net.hpp>
#include "../common/sock_example.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <exception>
#include <thread>

using namespace bpfxx::ops;

namespace {
using bpfxx_test::counters;
using bpfxx_test::sock_example;

/// What the program computes, computed in user space from every frame queued on `fd`.
std::array<std::uint64_t, 256> tally(int fd) {
    std::array<std::uint64_t, 256> counts{};
    unsigned char frame[65536];
    for (;;) {
        const auto n = ::recv(fd, frame, sizeof frame, 0);
        if (n < 0) break;
        if (n > 23) ++counts[frame[23]];
    }
    return counts;
}

struct observed {
    std::array<std::uint64_t, 256> map{}, oracle{};
    int udp = 0, icmp = 0;
    std::size_t tcp = 0;
};

constexpr int datagrams = 10, echoes = 5;

observed run_traffic() {
    observed o;
    bpfxx::testing::private_netns netns;
    auto map = counters::create();
    auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(sock_example, map);
    auto filtered = bpfxx::testing::packet_socket("lo", true);
    auto oracle = bpfxx::testing::packet_socket("lo", true);
    {
        auto link = bpfxx::attach_socket(prog, filtered.get());
        o.udp = bpfxx::testing::udp_exchange(datagrams);
        o.icmp = bpfxx::testing::icmp_echo(echoes);
        o.tcp = bpfxx::testing::tcp_exchange(10000);
        ::usleep(100 * 1000); // let the connection's last FIN/ACKs pass
    }                         // detached: the counts stop here, and so does the oracle
    o.oracle = tally(oracle.get());
    for (std::uint32_t proto = 0; proto < 256; ++proto) o.map[proto] = map.lookup(proto).value_or(~0ull);
    return o;
}
} // namespace

TEST_CASE("sock_example counts every frame on lo by IP protocol, exactly") {
    observed o;
    std::exception_ptr failure;
    std::thread([&] {
        try {
            o = run_traffic();
        } catch (...) {
            failure = std::current_exception();
        }
    }).join();
    if (failure) std::rethrow_exception(failure);

    REQUIRE(o.udp == datagrams);
    REQUIRE(o.icmp == echoes);
    REQUIRE(o.tcp == 10000);
    // Each packet on lo passes a packet socket twice: once sent, once received.
    CHECK(o.oracle[IPPROTO_UDP] == 2 * datagrams);
    CHECK(o.oracle[IPPROTO_ICMP] == 4 * echoes); // requests and replies
    CHECK(o.oracle[IPPROTO_TCP] >= 2 * 6);       // at least handshake, data, FINs
    for (std::uint32_t proto = 0; proto < 256; ++proto) {
        INFO("protocol " << proto);
        CHECK(o.map[proto] == o.oracle[proto]);
    }
}
