// xdp_firewall with a typed program (examples/typed/xdp_firewall.hpp) on a
// veth between two network namespaces of its own: fw0 (192.0.2.1) here, fw1
// in the peer with 192.0.2.2 and 192.0.2.3. It blocks 192.0.2.3, sends UDP
// from both sources and checks that exactly the blocked one was dropped.
#include "typed/main.hpp"
#include "typed/xdp_firewall.hpp"

#include <bpfxx/testing/netns.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>

namespace net = bpfxx::testing;

namespace {

std::uint32_t address(const char* text) {
    in_addr a{};
    ::inet_pton(AF_INET, text, &a);
    return a.s_addr;
}

/// `n` datagrams from `from` to 192.0.2.1:7000.
void send_from(const char* from, int n) {
    bpfxx::unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in src{}, dst{};
    src.sin_family = dst.sin_family = AF_INET;
    src.sin_addr.s_addr = address(from);
    dst.sin_addr.s_addr = address("192.0.2.1");
    dst.sin_port = htons(7000);
    if (!s || ::bind(s.get(), reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0)
        bpfxx::detail::throw_errno("bind", from);
    for (int i = 0; i < n; ++i)
        (void)::sendto(s.get(), "bpfxx", 5, 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
}

int run() {
    using namespace examples::xdp_firewall;
    net::private_netns outer;
    net::netns peer;
    net::create_veth("fw0", "fw1", peer);
    net::set_address("fw0", "192.0.2.1", 24);
    {
        net::enter_netns in(peer);
        net::link_up("fw1");
        net::set_address("fw1", "192.0.2.2", 24);
        net::set_address("fw1", "192.0.2.3", 24);
        net::wait_until_running("fw1");
    }
    net::wait_until_running("fw0");
    auto inbox = net::udp_listener("192.0.2.1", 7000);
    { // ARP first, so that every counted datagram goes out at once
        net::enter_netns in(peer);
        send_from("192.0.2.2", 1);
    }
    (void)net::udp_drain(inbox.get(), 1, 3000);

    auto block = blocked::create();
    auto stats = per_source::create();
    block.update(address("192.0.2.3"), 1);
    auto prog = bpfxx::load<bpfxx::prog_type::xdp>(program, {.name = "typed_firewall"}, block, stats);
    auto link = bpfxx::attach_xdp(prog, "fw0");
    constexpr int per_sender = 20;
    {
        net::enter_netns in(peer);
        send_from("192.0.2.2", per_sender);
        send_from("192.0.2.3", per_sender);
    }
    const int arrived = net::udp_drain(inbox.get(), 2 * per_sender);
    const auto sum = [&](const char* source) {
        verdicts s{0, 0};
        for (const auto& v : stats.lookup(address(source)).value_or(std::vector<verdicts>{}))
            s.passed += v.passed, s.dropped += v.dropped;
        std::printf("%-12s passed %3llu dropped %3llu\n", source, static_cast<unsigned long long>(s.passed),
                    static_cast<unsigned long long>(s.dropped));
        return s;
    };
    const auto good = sum("192.0.2.2"), bad = sum("192.0.2.3");
    std::printf("datagrams that reached 192.0.2.1:7000: %d of %d\n", arrived, 2 * per_sender);
    const bool ok = good.passed == per_sender && good.dropped == 0 && bad.dropped == per_sender && bad.passed == 0 &&
                    arrived == per_sender;
    std::puts(ok ? "ok: 192.0.2.3 dropped, 192.0.2.2 passed" : "unexpected counts");
    return ok ? 0 : 1;
}

} // namespace

int main() {
    std::fputs(bpfxx::listing(examples::xdp_firewall::program, {.helper_names = true}).c_str(), stdout);
    return examples::run_example("typed_xdp_firewall", run);
}
