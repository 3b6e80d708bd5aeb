#pragma once
// The context of kprobe and uprobe programs (and their return probes): r1
// points to the probed function's registers, `struct pt_regs`, which the
// program may only read (kprobe_prog_is_valid_access: in bounds, aligned).

#include <bpfxx/isa/context.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/context/tracing.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace bpfxx::vm {
namespace detail {

struct pt_regs_context : tracing_context_base {
    static constexpr std::size_t size = sizeof(pt_regs);

    /// The registers the probe saw.
    template <class S>
    static constexpr bool setup(S& s, const pt_regs& regs) noexcept {
        s.template reset<pt_regs_context>();
        const auto bytes = std::bit_cast<std::array<std::uint8_t, size>>(regs);
        for (std::size_t i = 0; i < size; ++i) s.ctx[i] = bytes[i];
        return true;
    }

    template <class S>
    [[nodiscard]] static constexpr bool load(const S& s, std::uint32_t off, unsigned n, std::uint64_t& out) noexcept {
        if (!aligned_read_within(off, n, 0, size)) return false;
        out = load_le(&s.ctx[off], n);
        return true;
    }

    template <class S>
    [[nodiscard]] static constexpr pt_regs view(const S& s) noexcept {
        std::array<std::uint8_t, size> bytes{};
        for (std::size_t i = 0; i < size; ++i) bytes[i] = s.ctx[i];
        return std::bit_cast<pt_regs>(bytes);
    }
};

} // namespace detail

namespace contexts {
/// BPF_PROG_TYPE_KPROBE (kprobes, uprobes and their return probes): `pt_regs`, read-only.
using pt_regs = detail::pt_regs_context;
} // namespace contexts

} // namespace bpfxx::vm
