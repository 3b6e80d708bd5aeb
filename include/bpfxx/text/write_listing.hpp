#pragma once
// `write_listing(sink, program)`: a whole program as text, one line per
// instruction, handed piece by piece to `sink(std::string_view)` without
// allocating. `bpfxx/text/listing.hpp` builds a `std::string` from it.
//
//     out:                                  (label_names)
//         7: 0f 21 00 00 00 00 00 00  r1 += r2    (addresses, raw_bytes)
//
// An `ld_imm64` is one line for its two slots; the next line's slot number
// skips one, as in `llvm-objdump -d`. (A malformed one, or one cut off by the
// end of the program, is a one-slot `<unknown>` line.)

#include <bpfxx/asm/program.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/text/disasm.hpp>
#include <bpfxx/text/insn_text.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace bpfxx {
namespace detail::text {

/// The first label naming slot `pos`, or an empty view.
[[nodiscard]] constexpr std::string_view label_at(std::span<const symbol> labels, std::int64_t pos) noexcept {
    for (const auto& s : labels)
        if (static_cast<std::int64_t>(s.pos) == pos) return s.name;
    return {};
}

template <class Sink>
constexpr void put_labels(Sink& sink, std::span<const symbol> labels, std::size_t pos, bool at_end) {
    for (const auto& s : labels) {
        if (at_end ? s.pos < pos : s.pos != pos) continue;
        sink(s.name);
        sink(std::string_view{":\n"});
    }
}

constexpr void put_bytes(insn_text& t, const insn& i) noexcept {
    for (const auto b : i.bytes()) {
        if (!t.empty()) t.append(' ');
        t.append_hex(std::to_integer<std::uint8_t>(b), 2);
    }
}

} // namespace detail::text

/// Writes the listing of `insns` to `sink` (called with `std::string_view`
/// pieces; each line ends in '\n'). `labels` name slots for `label_names`.
template <class Sink>
constexpr void write_listing(Sink&& sink, std::span<const insn> insns, std::span<const symbol> labels,
                             const disasm_options& opts = {}) {
    namespace dt = detail::text;
    const std::size_t n = insns.size();
    for (std::size_t i = 0; i < n;) {
        const insn& lo = insns[i];
        // A malformed ld_imm64 is one `<unknown>` slot: the next slot is read
        // as an instruction of its own, so nothing after it is hidden.
        const bool wide = is_ld_imm64(lo) && i + 1 < n && classify(lo, insns[i + 1]).valid();
        const insn hi = wide ? insns[i + 1] : insn{};

        if (opts.label_names) {
            dt::put_labels(sink, labels, i, false);
            if (wide) dt::put_labels(sink, labels, i + 1, false); // a label inside ld_imm64
        }

        insn_text prefix;
        if (opts.addresses) {
            insn_text num;
            num.append_uint(i);
            for (auto k = num.size(); k < 5; ++k) prefix.append(' ');
            prefix.append(num.view()).append(": ");
        }
        if (opts.raw_bytes) {
            insn_text bytes;
            dt::put_bytes(bytes, lo);
            if (wide) dt::put_bytes(bytes, hi);
            prefix.append(bytes.view()).append("  ");
        }
        if (!prefix.empty()) sink(prefix.view());

        const insn_text text = wide ? to_string(lo, hi) : to_string(lo);
        sink(text.view());

        if (text != unknown_insn_text) {
            bool labelled = false;
            if (opts.label_names) {
                if (const auto target = branch_target(lo, hi, static_cast<std::int64_t>(i))) {
                    if (const auto name = dt::label_at(labels, *target); !name.empty()) {
                        sink(std::string_view{" <"});
                        sink(name);
                        sink(std::string_view{">"});
                        labelled = true;
                    }
                }
            }
            if (opts.helper_names) {
                // A label already says where a local call or ld_func goes.
                const bool pc_relative = classify(lo, hi).target == insn_target::subprogram;
                if (!(labelled && pc_relative)) {
                    insn_text note;
                    dt::annotate(note, lo, hi);
                    if (!note.empty()) sink(note.view());
                }
            }
        }
        sink(std::string_view{"\n"});
        i += wide ? 2 : 1;
    }
    if (opts.label_names) dt::put_labels(sink, labels, n, true); // labels at the end
}

/// Writes the listing of `insns`, without labels.
template <class Sink>
constexpr void write_listing(Sink&& sink, std::span<const insn> insns, const disasm_options& opts = {}) {
    write_listing(sink, insns, std::span<const symbol>{}, opts);
}

/// Writes the listing of an assembled program, with its labels.
template <class Sink, program_type P>
constexpr void write_listing(Sink&& sink, const P& prog, const disasm_options& opts = {}) {
    write_listing(sink, std::span<const insn>(prog.insns), std::span<const symbol>(prog.labels), opts);
}

} // namespace bpfxx
