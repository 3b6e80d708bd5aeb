#pragma once
// The plain-memory context of ISA conformance suites: r1 points to a copy of
// a byte buffer, r2 holds its length; there is no context structure.

#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/context/traits.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfxx::vm {
namespace detail {

struct memory_context {
    static constexpr context_caps caps{.plain_memory = true};
    static constexpr std::size_t size = 0; // no context structure: loads of region::context fault
    static constexpr std::uint32_t headroom = 0;

    /// The buffer at the start of the packet buffer; false when it does not fit.
    template <class S>
    static constexpr bool setup(S& s, std::span<const std::uint8_t> mem) noexcept {
        s.template reset<memory_context>();
        if (mem.size() > S::config.frame_bytes) return false;
        s.end = static_cast<std::uint32_t>(mem.size());
        for (std::size_t i = 0; i < mem.size(); ++i) s.pkt[i] = mem[i];
        return true;
    }

    /// r1: the buffer, r2: its length.
    template <class S>
    static constexpr void enter(S& s) noexcept {
        s.set(1, make_address(region::memory, 0));
        s.set(2, s.end);
    }

    template <class S>
    static constexpr void finish(S&) noexcept {}

    template <class S>
    [[nodiscard]] static constexpr std::uint32_t packet_begin(const S& s) noexcept {
        return s.mac;
    }
};

} // namespace detail

namespace contexts {
/// r1: a byte buffer, r2: its length (ISA conformance suites).
using memory = detail::memory_context;
} // namespace contexts

} // namespace bpfxx::vm
