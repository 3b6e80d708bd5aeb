#pragma once
// The context of tracepoint programs: r1 points to the event's record, laid
// out as /sys/kernel/tracing/events/<group>/<name>/format says, read-only.
// The verifier refuses reads of the first 8 bytes (the common fields) and
// unaligned ones (tp_prog_is_valid_access); attaching refuses a program
// that reads past the record, so here such a read is a context fault. The
// record is kept in the packet buffer (`machine::packet()` shows it).

#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/context/tracing.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfxx::vm {
namespace detail {

inline constexpr std::uint32_t tracepoint_common_bytes = 8; // common_type, _flags, _preempt_count, _pid

struct tracepoint_context : tracing_context_base {
    static constexpr context_caps caps{.tracing = true, .record_in_packet = true};
    static constexpr std::size_t size = 0; // no structure in the context buffer: the record is in the packet's

    /// The record, common fields first; false when it is shorter than those
    /// or longer than the packet buffer.
    template <class S>
    static constexpr bool setup(S& s, std::span<const std::uint8_t> record) noexcept {
        s.template reset<tracepoint_context>();
        if (record.size() < tracepoint_common_bytes || record.size() > S::config.frame_bytes) return false;
        for (std::size_t i = 0; i < record.size(); ++i) s.pkt[i] = record[i];
        s.end = static_cast<std::uint32_t>(record.size());
        return true;
    }

    template <class S>
    [[nodiscard]] static constexpr bool load(const S& s, std::uint32_t off, unsigned n, std::uint64_t& out) noexcept {
        if (!aligned_read_within(off, n, tracepoint_common_bytes, s.end)) return false;
        out = load_le(&s.pkt[off], n);
        return true;
    }
};

} // namespace detail

namespace contexts {
/// BPF_PROG_TYPE_TRACEPOINT: the event's record, read-only from byte 8 on.
using tracepoint = detail::tracepoint_context;
} // namespace contexts

} // namespace bpfxx::vm
