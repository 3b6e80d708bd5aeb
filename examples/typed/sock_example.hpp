#pragma once
// The program of the kernel's samples/bpf/sock_example.c as a typed program:
// frames per IP protocol, counted by a socket filter. It compiles to the
// sample's 13 instructions. Twin: examples/c/sock_example.bpf.c.
#include <bpfxx/c.hpp>
#include <bpfxx/maps/descriptors.hpp>

namespace examples::sock_example {
namespace c = bpfxx::c;

using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256, bpfxx::map_options{.name = "counters"}>;

constexpr auto program = c::compile([](c::socket_skb skb, c::map<counters> counters) {
    c::if_(counters.lookup(skb.load<std::uint8_t>(14 + 9)), [](auto n) { c::atomic_add(*n, 1); }); // ip->protocol
    return 0;
});

} // namespace examples::sock_example
