#pragma once
// The context of raw tracepoint programs: r1 points to the traced call's
// arguments, `u64 args[]` (struct bpf_raw_tracepoint_args), read-only. The
// verifier allows aligned reads of the first MAX_BPF_FUNC_ARGS (12); attaching
// refuses a program that reads past the tracepoint's own arguments, so here
// a read past the arguments the run was given is a context fault.

#include <bpfxx/isa/context.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/context/tracing.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfxx::vm {
namespace detail {

struct raw_tracepoint_context : tracing_context_base {
    static constexpr std::uint32_t args_bytes = 8 * raw_tracepoint_max_args;
    static constexpr std::size_t size = args_bytes + 8; // the arguments, then how many were given

    /// The arguments; false for more than 12.
    template <class S>
    static constexpr bool setup(S& s, std::span<const std::uint64_t> args) noexcept {
        if (args.size() > raw_tracepoint_max_args) return false;
        s.template reset<raw_tracepoint_context>();
        for (std::size_t i = 0; i < args.size(); ++i) store_le(&s.ctx[8 * i], 8, args[i]);
        store_le(&s.ctx[args_bytes], 4, args.size());
        return true;
    }

    template <class S>
    [[nodiscard]] static constexpr bool load(const S& s, std::uint32_t off, unsigned n, std::uint64_t& out) noexcept {
        if (!aligned_read_within(off, n, 0, 8 * load_u32(&s.ctx[args_bytes]))) return false;
        out = load_le(&s.ctx[off], n);
        return true;
    }
};

} // namespace detail

namespace contexts {
/// BPF_PROG_TYPE_RAW_TRACEPOINT: `u64 args[]`, read-only, as many as the run was given.
using raw_tracepoint = detail::raw_tracepoint_context;
} // namespace contexts

} // namespace bpfxx::vm
