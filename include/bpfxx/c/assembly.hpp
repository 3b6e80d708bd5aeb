#pragma once
// Assembly inside a typed program, on a helper call's terms: the arguments
// (at most five) arrive in r1..r5, the result is r0; r0-r5 may be
// clobbered, r6-r9 and the stack must be kept. The instructions are any
// span of them: `bpfxx::assemble(...)` (labels resolved inside it) or an
// `std::array<insn, N>`. They run in place and fall through at their end.
//
//     c::val<std::uint64_t> x = c::assembly(ctx, bpfxx::assemble(mov(r0, r1), mul(r0, r1)), n); // n * n
//
// (The other way round, a typed program without maps is a fragment that
// `bpfxx::assemble` takes like any other.)

#include <bpfxx/c/call.hpp>
#include <bpfxx/c/value.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstdint>
#include <span>

namespace bpfxx::c {

namespace detail {
/// Whether the instructions keep to the contract as far as can be seen: no
/// jump out of them, no write to r6-r10, no exit.
[[nodiscard]] constexpr bool self_contained(std::span<const insn> code) noexcept {
    for (std::size_t i = 0; i < code.size(); ++i) {
        const insn& x = code[i];
        const auto cls = code::class_of(x.code);
        if ((cls == code::jmp || cls == code::jmp32) && code::op_of(x.code) != code::call) {
            if (code::op_of(x.code) == code::exit) return false;
            const auto far = cls == code::jmp && code::op_of(x.code) == code::ja && x.off == 0 ? x.imm : x.off;
            const auto target = static_cast<std::int64_t>(i) + 1 + far;
            if (target < 0 || target > static_cast<std::int64_t>(code.size())) return false;
        }
        const bool writes_dst = cls == code::alu || cls == code::alu64 || cls == code::ldx || cls == code::ld;
        if (writes_dst && x.dst_reg >= 6) return false;
    }
    return true;
}
} // namespace detail

/// Runs `code` with `args` in r1..r5; its r0 as the value.
template <detail::program_part P, class Code, class... A>
[[nodiscard]] constexpr val<std::uint64_t> assembly(const P& part, const Code& code, const A&... args) {
    static_assert(sizeof...(A) <= 5, "bpfxx: assembly takes at most five arguments (r1..r5)");
    const std::span<const insn> s(code);
    if (!detail::self_contained(s)) diagnostic::assembly_must_fall_through_and_keep_r6_to_r10();
    detail::builder& b = *detail::access::program(part);
    ((void)detail::either(&b, detail::program_of(args)), ...);
    return val<std::uint64_t>(&b, b.assembly(s.data(), s.size(), {detail::argument(b, args)...}));
}

} // namespace bpfxx::c
