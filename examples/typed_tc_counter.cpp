// tc_counter with a typed program (examples/typed/tc_counter.hpp), attached
// to ingress and egress of a veth between two namespaces of its own, with
// counters per direction; it sends UDP both ways and checks the counts.
#include "typed/main.hpp"
#include "typed/tc_counter.hpp"

#include <bpfxx/testing/netns.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

namespace net = bpfxx::testing;

namespace {

int run() {
    using namespace examples::tc_counter;
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
    auto in_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(program, {.name = "typed_tc_in"}, in_counts);
    auto out_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(program, {.name = "typed_tc_out"}, out_counts);
    auto in = bpfxx::attach_tc(in_prog, "tc0", bpfxx::tc_direction::ingress);
    auto out = bpfxx::attach_tc(out_prog, "tc0", bpfxx::tc_direction::egress);
    constexpr int inbound = 25, outbound = 15;
    {
        net::enter_netns in_peer(peer);
        net::udp_send("192.0.2.1", 7000, inbound, 100);
    }
    const int arrived = net::udp_drain(inbox.get(), inbound);
    net::udp_send("192.0.2.2", 7000, outbound, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

    const auto i = in_counts.lookup(0).value_or(traffic{}), o = out_counts.lookup(0).value_or(traffic{});
    for (const auto& [name, t] : {std::pair{"ingress", i}, std::pair{"egress", o}})
        std::printf("%-8s packets %4llu bytes %7llu udp to :7000 %3llu\n", name,
                    static_cast<unsigned long long>(t.packets), static_cast<unsigned long long>(t.bytes),
                    static_cast<unsigned long long>(t.udp_7000));
    const bool ok = arrived == inbound && i.udp_7000 == inbound && o.udp_7000 == outbound && i.packets >= i.udp_7000 &&
                    i.bytes >= i.udp_7000 * (14 + 20 + 8 + 100);
    std::puts(ok ? "ok" : "unexpected counts");
    return ok ? 0 : 1;
}

} // namespace

int main() {
    std::fputs(bpfxx::listing(examples::tc_counter::program, {.helper_names = true}).c_str(), stdout);
    return examples::run_example("typed_tc_counter", run);
}
