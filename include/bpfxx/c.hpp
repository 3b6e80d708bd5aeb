#pragma once
// Typed programs: BPF programs written like the C a kernel engineer writes,
// compiled during constant evaluation into the same `program<N, type_list<
// Maps...>>` that `assemble` returns (so `checked<>`, the interpreter,
// `listing` and `load` take them as they are). Portable: no OS headers.
//
//     namespace c = bpfxx::c;
//     using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256>;
//
//     constexpr auto prog = c::compile([](c::socket_skb skb, c::map<counters> counters) {
//         c::if_(counters.lookup(skb.load<std::uint8_t>(14 + 9)), [](auto n) { c::atomic_add(*n, 1); });
//         return 0;
//     });
//
// See docs/tutorial.md.

#include <bpfxx/c/assembly.hpp>
#include <bpfxx/c/call.hpp>
#include <bpfxx/c/compile.hpp>
#include <bpfxx/c/context.hpp>
#include <bpfxx/c/control.hpp>
#include <bpfxx/c/diagnostics.hpp>
#include <bpfxx/c/ir.hpp>
#include <bpfxx/c/lower.hpp>
#include <bpfxx/c/maps.hpp>
#include <bpfxx/c/memory.hpp>
#include <bpfxx/c/packet.hpp>
#include <bpfxx/c/scalar.hpp>
#include <bpfxx/c/signatures.hpp>
#include <bpfxx/c/value.hpp>
