// xdp_firewall: an XDP program that drops IPv4 packets from blocked source
// addresses (a hash map user space fills) and counts passes and drops per
// source (a per-CPU hash map user space sums).
//
// The example makes its own two hosts: this thread moves into a fresh
// network namespace with veth fw0 (192.0.2.1), whose peer fw1 lives in a
// second namespace with two addresses (192.0.2.2 and 192.0.2.3, TEST-NET-1).
// It blocks 192.0.2.3, sends UDP from both sources, prints the counters and
// what arrived, and exits 0 when exactly the blocked source was dropped
// (77 where the kernel or this process cannot run it, 1 then with
// BPFXX_REQUIRE_KERNEL=1). Both namespaces, and the veth pair, vanish at exit.
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/netns.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

using namespace bpfxx::ops;
namespace net = bpfxx::testing;

namespace {

struct verdicts {
    std::uint64_t passed;
    std::uint64_t dropped;
};

using blocked = bpfxx::hash_map<std::uint32_t, std::uint8_t, 1024>;    // source address (network order)
using per_source = bpfxx::percpu_hash<std::uint32_t, verdicts, 1024>; // source address -> counters

constexpr auto firewall = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, 0), ldx<std::uint32_t>(r3, r1, 4), // data, data_end
    mov(r4, r2), add(r4, 14 + 20), jgt(r4, r3, "pass"_label),     // Ethernet + IPv4 header in the packet?
    ldx<std::uint16_t>(r5, r2, 12), be16(r5), jne(r5, 0x0800, "pass"_label),
    ldx<std::uint32_t>(r6, r2, 14 + 12),                           // r6 = source address
    stx<std::uint32_t>(r10, -4, r6),
    mov(r7, offsetof(verdicts, passed)),                           // r7 = which counter
    mov(r2, r10), add(r2, -4), ld_map<blocked>(r1), call(helper::map_lookup_elem),
    jeq(r0, 0, "count"_label),
    mov(r7, offsetof(verdicts, dropped)),
    "count"_label,
    mov(r2, r10), add(r2, -4), ld_map<per_source>(r1), call(helper::map_lookup_elem),
    jne(r0, 0, "bump"_label),
    // first packet from this source: insert zeros (if no other CPU was faster), look up again
    st<std::uint64_t>(r10, -24, 0), st<std::uint64_t>(r10, -16, 0),
    mov(r2, r10), add(r2, -4), mov(r3, r10), add(r3, -24), mov(r4, 1), // BPF_NOEXIST
    ld_map<per_source>(r1), call(helper::map_update_elem),
    mov(r2, r10), add(r2, -4), ld_map<per_source>(r1), call(helper::map_lookup_elem),
    jeq(r0, 0, "verdict"_label),
    "bump"_label,
    add(r0, r7), ldx<std::uint64_t>(r1, r0, 0), add(r1, 1), stx<std::uint64_t>(r0, 0, r1), // this CPU's copy
    "verdict"_label,
    jeq(r7, offsetof(verdicts, dropped), "drop"_label),
    "pass"_label, mov(r0, bpfxx::xdp::pass), exit(),
    "drop"_label, mov(r0, bpfxx::xdp::drop), exit());

static_assert(bpfxx::checked<firewall>, "the static checker finds no problem in the firewall");

std::uint32_t address(const char* text) {
    in_addr a{};
    ::inet_pton(AF_INET, text, &a);
    return a.s_addr;
}

/// `n` datagrams from `from` to 192.0.2.1:7000 (in the calling thread's namespace).
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
    auto prog = bpfxx::load<bpfxx::prog_type::xdp>(firewall, {.name = "xdp_firewall"}, block, stats);
    auto link = bpfxx::attach_xdp(prog, "fw0");
    std::printf("attached: %s (link id %u)\n", link.target().c_str(), link.info().id);

    constexpr int per_sender = 20;
    {
        net::enter_netns in(peer);
        send_from("192.0.2.2", per_sender);
        send_from("192.0.2.3", per_sender);
    }
    const int arrived = net::udp_drain(inbox.get(), 2 * per_sender);

    std::uint64_t passed_2 = 0, dropped_3 = 0, wrong = 0;
    std::printf("%-12s %8s %8s\n", "source", "passed", "dropped");
    for (const auto& [source, per_cpu] : stats.items()) {
        verdicts sum{0, 0};
        for (const auto& v : per_cpu) {
            sum.passed += v.passed;
            sum.dropped += v.dropped;
        }
        char text[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &source, text, sizeof text);
        std::printf("%-12s %8llu %8llu\n", text, static_cast<unsigned long long>(sum.passed),
                    static_cast<unsigned long long>(sum.dropped));
        if (source == address("192.0.2.2")) passed_2 = sum.passed, wrong += sum.dropped;
        else if (source == address("192.0.2.3")) dropped_3 = sum.dropped, wrong += sum.passed;
    }
    std::printf("datagrams that reached 192.0.2.1:7000: %d of %d\n", arrived, 2 * per_sender);
    const bool ok = passed_2 == per_sender && dropped_3 == per_sender && wrong == 0 && arrived == per_sender;
    std::printf("%s\n", ok ? "ok: 192.0.2.3 dropped, 192.0.2.2 passed" : "unexpected counts");
    return ok ? 0 : 1;
}

} // namespace

int main() {
    if (auto code = bpfxx::testing::exit_unless("xdp_firewall", bpfxx::attach_kind::xdp,
                                                 bpfxx::map_type::percpu_hash))
        return *code;
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xdp_firewall: %s\n", e.what());
        return 1;
    }
}
