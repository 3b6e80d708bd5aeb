// sock_example with a typed program: the kernel sample's socket filter
// (examples/typed/sock_example.hpp, 13 instructions like the sample's),
// attached to a packet socket on loopback in a private network namespace.
// It makes UDP, ICMP and TCP traffic and checks the counts per protocol.
#include "typed/main.hpp"
#include "typed/sock_example.hpp"

#include <bpfxx/testing/net.hpp>

#include <netinet/in.h>

#include <cstdio>

int main() {
    using namespace examples::sock_example;
    std::fputs(bpfxx::listing(program, {.helper_names = true}).c_str(), stdout);
    return examples::run_example("typed_sock_example", [] {
        bpfxx::testing::private_netns netns;
        auto counts = counters::create();
        auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(program, counts);
        auto sock = bpfxx::testing::packet_socket("lo");
        auto link = bpfxx::attach_socket(prog, sock.get());
        const int udp = bpfxx::testing::udp_exchange(10);
        const int icmp = bpfxx::testing::icmp_echo(5);
        const auto tcp = bpfxx::testing::tcp_exchange(64 * 1024);
        const auto n = [&](std::uint32_t proto) { return counts.lookup(proto).value_or(0); };
        std::printf("sent 10 UDP datagrams (%d arrived), 5 pings (%d answered), 64 KiB over TCP (%zu arrived)\n", udp,
                    icmp, tcp);
        std::printf("frames counted (each passes the socket twice on lo): TCP %llu, UDP %llu, ICMP %llu\n",
                    static_cast<unsigned long long>(n(IPPROTO_TCP)), static_cast<unsigned long long>(n(IPPROTO_UDP)),
                    static_cast<unsigned long long>(n(IPPROTO_ICMP)));
        const bool ok = udp == 10 && icmp == 5 && tcp == 64 * 1024 && n(IPPROTO_UDP) >= 20 && n(IPPROTO_ICMP) >= 20 &&
                        n(IPPROTO_TCP) > 0;
        std::puts(ok ? "ok" : "unexpected counts");
        return ok ? 0 : 1;
    });
}
