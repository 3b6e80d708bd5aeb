#pragma once
// `listing(program)`: the whole-program text as a `std::string` — a
// convenience over `write_listing` for logs, tests and error messages.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/text/write_listing.hpp>

#include <span>
#include <string>
#include <string_view>

namespace bpfxx {

/// The listing of `insns`, labels from `labels` (see `write_listing`).
[[nodiscard]] inline std::string listing(std::span<const insn> insns, std::span<const symbol> labels,
                                         const disasm_options& opts = {}) {
    std::string out;
    write_listing([&out](std::string_view piece) { out.append(piece); }, insns, labels, opts);
    return out;
}

/// The listing of `insns`, without labels.
[[nodiscard]] inline std::string listing(std::span<const insn> insns, const disasm_options& opts = {}) {
    return listing(insns, std::span<const symbol>{}, opts);
}

/// The listing of an assembled program, with its labels.
template <program_type P>
[[nodiscard]] std::string listing(const P& prog, const disasm_options& opts = {}) {
    return listing(std::span<const insn>(prog.insns), std::span<const symbol>(prog.labels), opts);
}

} // namespace bpfxx
