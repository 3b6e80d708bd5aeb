#pragma once
// What a context model (vm/contexts.hpp) tells the rest of the interpreter
// about the program type it stands for: which memory and which kinds of
// helpers its programs may use.

#include <cstdint>

namespace bpfxx::vm::detail {

/// What a context gives its programs beyond r1.
struct context_caps {
    bool plain_memory = false;        ///< r1 points to a plain byte buffer (region::memory)
    bool direct_packet = false;       ///< data/data_end pointers into the packet (region::packet)
    bool legacy_packet_loads = false; ///< ld_abs and ld_ind
    bool skb = false;                 ///< an skb: the skb_* helpers
    bool skb_writes = false;          ///< tc: helpers that change the skb's packet
    bool xdp = false;                 ///< an xdp_buff: the xdp_* helpers
    bool tracing = false;             ///< kprobe, tracepoint, raw tracepoint: the current task's helpers
    /// r1 points to a read-only record the model keeps in the packet buffer
    /// (a tracepoint's), read through its `load` like a context structure
    bool record_in_packet = false;
};

/// What a helper needs of the program's context.
enum class context_needs : std::uint8_t {
    any,
    skb,        ///< socket filters and tc
    skb_writes, ///< tc
    xdp,
    skb_writes_or_xdp,
    tracing, ///< kprobes, tracepoints, raw tracepoints (bpf_tracing_func_proto)
};

[[nodiscard]] constexpr bool allows(const context_caps& c, context_needs n) noexcept {
    switch (n) {
    case context_needs::any: return true;
    case context_needs::skb: return c.skb;
    case context_needs::skb_writes: return c.skb_writes;
    case context_needs::xdp: return c.xdp;
    case context_needs::skb_writes_or_xdp: return c.skb_writes || c.xdp;
    case context_needs::tracing: return c.tracing;
    }
    return false;
}

// Packet layout of the kernel's BPF_PROG_TEST_RUN.
inline constexpr std::uint32_t tailroom = 320; // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
inline constexpr std::uint32_t eth_hlen = 14;

} // namespace bpfxx::vm::detail
