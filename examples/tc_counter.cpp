// tc_counter: one sched_cls program counting packets and bytes, attached to
// ingress and to egress of a veth (tcx links on Linux 6.6+, clsact and
// cls_bpf before — attach_tc picks), with its own counters per direction.
//
// The example makes a veth pair between two network namespaces of its own
// (tc0 192.0.2.1 here, tc1 192.0.2.2 in the peer), sends UDP both ways,
// prints the counters and exits 0 when they match what was sent (77 where the
// kernel or this process cannot run it, 1 then with BPFXX_REQUIRE_KERNEL=1).
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/netns.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <thread>

using namespace bpfxx::ops;
namespace net = bpfxx::testing;

namespace {

struct traffic {
    std::uint64_t packets;
    std::uint64_t bytes;
    std::uint64_t udp_7000; ///< IPv4 UDP datagrams to port 7000
};
using counters = bpfxx::array_map<std::uint32_t, traffic, 1>;

// r1: __sk_buff. Counts every packet and its length; IPv4 UDP to port 7000 on the side.
constexpr auto counter = bpfxx::assemble(
    mov(r6, r1),
    st<std::uint32_t>(r10, -4, 0), mov(r2, r10), add(r2, -4),
    ld_map<counters>(r1), call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, offsetof(traffic, packets), r1),
    ldx<std::uint32_t>(r1, r6, offsetof(bpfxx::sk_buff, len)),
    atomic_add<std::uint64_t>(r0, offsetof(traffic, bytes), r1),
    ldx<std::uint32_t>(r2, r6, offsetof(bpfxx::sk_buff, data)),
    ldx<std::uint32_t>(r3, r6, offsetof(bpfxx::sk_buff, data_end)),
    mov(r4, r2), add(r4, 14 + 20 + 8), jgt(r4, r3, "out"_label),
    ldx<std::uint16_t>(r4, r2, 12), be16(r4), jne(r4, 0x0800, "out"_label),
    ldx<std::uint8_t>(r4, r2, 23), jne(r4, 17, "out"_label),
    ldx<std::uint16_t>(r4, r2, 36), be16(r4), jne(r4, 7000, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, offsetof(traffic, udp_7000), r1),
    "out"_label,
    mov(r0, -1), // TC_ACT_UNSPEC / TCX_NEXT: whatever comes next decides
    exit());

int run() {
    net::private_netns outer;
    net::netns peer;
    net::create_veth("tc0", "tc1", peer);
    net::set_address("tc0", "192.0.2.1", 24);
    {
        net::enter_netns in(peer);
        net::link_up("tc1");
        net::set_address("tc1", "192.0.2.2", 24);
        net::wait_until_running("tc1");
    }
    net::wait_until_running("tc0");
    auto inbox = net::udp_listener("192.0.2.1", 7000);
    { // ARP first
        net::enter_netns in(peer);
        net::udp_send("192.0.2.1", 7000, 1);
    }
    (void)net::udp_drain(inbox.get(), 1, 3000);

    auto in_counts = counters::create();
    auto out_counts = counters::create();
    auto in_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(counter, {.name = "tc_in"}, in_counts);
    auto out_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(counter, {.name = "tc_out"}, out_counts);
    auto in = bpfxx::attach_tc(in_prog, "tc0", bpfxx::tc_direction::ingress);
    auto out = bpfxx::attach_tc(out_prog, "tc0", bpfxx::tc_direction::egress);
    std::printf("attached: %s; %s\n", in.target().c_str(), out.target().c_str());

    constexpr int inbound = 25, outbound = 15;
    {
        net::enter_netns in_peer(peer);
        net::udp_send("192.0.2.1", 7000, inbound, 100);
    }
    const int arrived = net::udp_drain(inbox.get(), inbound);
    net::udp_send("192.0.2.2", 7000, outbound, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

    const auto i = in_counts.lookup(0).value_or(traffic{});
    const auto o = out_counts.lookup(0).value_or(traffic{});
    std::printf("%-8s %8s %8s %14s\n", "", "packets", "bytes", "udp to :7000");
    std::printf("%-8s %8llu %8llu %14llu\n", "ingress", static_cast<unsigned long long>(i.packets),
                static_cast<unsigned long long>(i.bytes), static_cast<unsigned long long>(i.udp_7000));
    std::printf("%-8s %8llu %8llu %14llu\n", "egress", static_cast<unsigned long long>(o.packets),
                static_cast<unsigned long long>(o.bytes), static_cast<unsigned long long>(o.udp_7000));
    std::printf("sent %d in (%d arrived), %d out\n", inbound, arrived, outbound);
    // every UDP datagram counted once; packets include ARP and ICMP besides
    const bool ok = arrived == inbound && i.udp_7000 == inbound && o.udp_7000 == outbound &&
                    i.packets >= i.udp_7000 && i.bytes >= i.udp_7000 * (14 + 20 + 8 + 100);
    std::printf("%s\n", ok ? "ok" : "unexpected counts");
    return ok ? 0 : 1;
}

} // namespace

int main() {
    if (auto code = bpfxx::testing::exit_unless("tc_counter", bpfxx::attach_kind::tc)) return *code;
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tc_counter: %s\n", e.what());
        return 1;
    }
}
