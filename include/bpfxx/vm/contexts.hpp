#pragma once
// The contexts the machine gives programs, one header each. To add one:
// write vm/context/<name>.hpp with a
// model like those below, include it here and list it in `context_models`;
// `machine::run<vm::contexts::<name>>(prog, input…)` then runs programs on
// it. A model is a type with
//   caps                      what its programs may use (context/traits.hpp)
//   size                      bytes of its context structure in the machine's
//                             context buffer (0: none, r1 is something else)
//   headroom                  packet-buffer bytes it keeps before a frame
//   setup(s, input…) -> bool  calls s.template reset<Model>(), fills the packet
//                             buffer and context; false: the input is refused
//   enter(s)                  sets r1 (and r2 …) for the entry
//   load(s, off, n, out) -> bool, store(s, off, n, v, imm) -> bool
//                             reads and writes of its structure (size > 0,
//                             or caps.record_in_packet), false where the
//                             verifier would refuse them
//   finish(s)                 what the run hands back, after it
//   packet_begin(s)           where `machine::packet()` starts
//   view(s)                   (optional) its structure, for `machine::context<Model>()`

#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/vm/context/memory.hpp>
#include <bpfxx/vm/context/pt_regs.hpp>
#include <bpfxx/vm/context/raw_tracepoint.hpp>
#include <bpfxx/vm/context/skb.hpp>
#include <bpfxx/vm/context/tracepoint.hpp>
#include <bpfxx/vm/context/xdp.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

/// Every context the machine can give a program, in no particular order.
using context_models = type_list<contexts::memory, contexts::socket_filter, contexts::tc, contexts::xdp,
                                 contexts::pt_regs, contexts::raw_tracepoint, contexts::tracepoint>;

/// Whether the program's loads and stores at region::context go to model C.
template <class C>
inline constexpr bool has_structure = C::size > 0 || C::caps.record_in_packet;

template <class... Cs>
[[nodiscard]] consteval std::size_t largest_context(type_list<Cs...>) noexcept {
    std::size_t n = 0;
    ((n = Cs::size > n ? Cs::size : n), ...);
    return n;
}
template <class... Cs>
[[nodiscard]] consteval std::uint32_t largest_headroom(type_list<Cs...>) noexcept {
    std::uint32_t n = 0;
    ((n = Cs::headroom > n ? Cs::headroom : n), ...);
    return n;
}
/// The machine's context buffer: room for the largest context structure.
inline constexpr std::size_t context_bytes = largest_context(context_models{});
/// The most packet-buffer bytes any context keeps before a frame.
inline constexpr std::uint32_t most_headroom = largest_headroom(context_models{});

/// Calls f(Model{}) with the model at `index` of `context_models`.
template <class F, class... Cs>
constexpr void visit_context(std::uint8_t index, F&& f, type_list<Cs...>) {
    std::uint8_t k = 0;
    ((index == k++ ? (f(Cs{}), 0) : 0), ...);
}
template <class F>
constexpr void with_context(std::uint8_t index, F&& f) {
    visit_context(index, f, context_models{});
}

} // namespace bpfxx::vm::detail
