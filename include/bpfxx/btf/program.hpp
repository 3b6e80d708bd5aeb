#pragma once
// BTF for an assembled program: a FUNC for each subprogram (the program's
// entry, and every target of a local call or `ld_func`), named by its label,
// and func_info / line_info records for BPF_PROG_LOAD. With them the kernel
// knows the program's functions (bpftool prog show/dump print their names),
// verifies callbacks against their FUNC, and prints one source line per
// instruction in `bpftool prog dump xlated`.
//
// The "source" of a bpfxx program is its listing: each line_info record
// carries bpfxx's text of the instruction (with label and helper names), so
// that the kernel's dump after its rewrites shows what was assembled; the
// file and line are a `btf::source_position` (by default where the debug
// info is made; pass one made next to the program to point there).
//
//     auto dbg = bpfxx::btf::debug_info(prog, {.name = "counter"});
//     auto p = bpfxx::load<bpfxx::prog_type::socket_filter>(prog, dbg, {.name = "counter"}, map);
//
// Portable (building the records); loading is bpfxx/load/debug_info.hpp.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/writer.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/text/disasm.hpp>
#include <bpfxx/text/write_listing.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx::btf {

/// A place in the C++ source: by default where it is made (what
/// std::source_location gives, which clang 14 with libstdc++ 12 lacks).
struct source_position {
    const char* file = __builtin_FILE();
    std::uint32_t line = __builtin_LINE();
};

/// How `debug_info` names and places things.
struct debug_options {
    /// The entry's FUNC name; empty: the label at slot 0, else "main".
    std::string_view name{};
    /// One line_info record per instruction (else per subprogram only).
    bool lines = true;
};

/// A program's BTF blob and the records BPF_PROG_LOAD takes with it.
struct program_debug {
    std::vector<std::byte> blob;
    std::vector<func_info> funcs;
    std::vector<line_info> lines;
    /// The subprograms' names, in the order of `funcs`.
    std::vector<std::string> names;
};

namespace detail {

/// The slots where subprograms start: 0 and the target of every local call
/// and ld_func, in order. Targets outside the program are left out (the
/// kernel refuses them with their own error).
[[nodiscard]] inline std::vector<std::uint32_t> subprogram_starts(std::span<const insn> insns) {
    std::vector<std::uint32_t> starts{0};
    const auto n = static_cast<std::int64_t>(insns.size());
    for (std::int64_t i = 0; i < n; ++i) {
        const insn& in = insns[static_cast<std::size_t>(i)];
        const bool call = in.code == (code::jmp | code::call) && in.src_reg == pseudo::call;
        const bool func = is_ld_imm64(in) && in.src_reg == pseudo::func;
        if (call || func) {
            const auto target = i + in.imm + 1;
            if (target > 0 && target < n) starts.push_back(static_cast<std::uint32_t>(target));
        }
        if (is_ld_imm64(in)) ++i;
    }
    std::uint32_t* const first = starts.data();
    bpfxx::detail::sort(first, first + starts.size());
    starts.resize(static_cast<std::size_t>(bpfxx::detail::unique(first, first + starts.size()) - first));
    return starts;
}

[[nodiscard]] inline std::string_view label_of(std::span<const symbol> labels, std::uint32_t pos) noexcept {
    for (const auto& s : labels)
        if (s.pos == pos) return s.name;
    return {};
}

/// bpfxx's listing, one text per slot that starts an instruction (labels
/// folded in front of the instruction they mark).
[[nodiscard]] inline std::vector<std::string> listing_lines(std::span<const insn> insns, std::span<const symbol> labels) {
    std::string all;
    write_listing([&](std::string_view piece) { all += piece; }, insns, labels,
                  disasm_options{.helper_names = true, .label_names = true, .addresses = false});
    std::vector<std::string> out;
    std::string pending;
    for (std::size_t at = 0; at < all.size();) {
        const auto nl = all.find('\n', at);
        const auto line = std::string_view(all).substr(at, nl - at);
        at = nl == std::string::npos ? all.size() : nl + 1;
        if (!line.empty() && line.back() == ':' && line.find(' ') == std::string_view::npos) {
            pending += line;
            pending += ' ';
            continue;
        }
        out.push_back(pending + std::string(line));
        pending.clear();
    }
    return out;
}

} // namespace detail

/// The BTF and func_info / line_info of `insns` (with `labels` naming
/// subprograms: each gets a FUNC named after the label at its first slot,
/// else "sub_<slot>"). The entry is a global function `int name(void *ctx)`,
/// the others static functions returning int.
[[nodiscard]] inline program_debug debug_info(std::span<const insn> insns, std::span<const symbol> labels,
                                              const debug_options& opts = {}, source_position where = {}) {
    program_debug out;
    writer w;
    const auto int_id = w.add_int("int", 4, int_encoding::is_signed);
    const auto ctx = w.add_ptr(0);
    const auto main_proto = w.add_func_proto(int_id, {{"ctx", ctx}});
    const auto sub_proto = w.add_func_proto(int_id, std::span<const param_spec>{});
    const auto valid = [](std::string_view s) { return bpfxx::btf::detail::valid_identifier(s); };
    for (const auto start : detail::subprogram_starts(insns)) {
        std::string name(detail::label_of(labels, start));
        if (start == 0 && valid(opts.name)) name = std::string(opts.name);
        if (!valid(name)) name = start == 0 ? "main" : "sub_" + std::to_string(start);
        const auto id = start == 0 ? w.add_func(name, main_proto, func_linkage::global)
                                   : w.add_func(name, sub_proto, func_linkage::static_);
        out.funcs.push_back({start, id});
        out.names.push_back(std::move(name));
    }
    const auto file = w.add_string(where.file);
    const auto line_col = make_line_col(where.line, 0);
    if (opts.lines) {
        const auto texts = detail::listing_lines(insns, labels);
        std::size_t k = 0;
        for (std::size_t i = 0; i < insns.size() && k < texts.size(); ++i, ++k) {
            out.lines.push_back({static_cast<std::uint32_t>(i), file, w.add_string(texts[k]), line_col});
            if (is_ld_imm64(insns[i])) ++i; // no record on an ld_imm64's second slot
        }
    } else {
        for (const auto& f : out.funcs)
            out.lines.push_back({f.insn_off, file, w.add_string(out.names[&f - out.funcs.data()]), line_col});
    }
    out.blob = w.bytes();
    return out;
}

/// As above, for an assembled program (its labels name the subprograms).
template <program_type P>
[[nodiscard]] program_debug debug_info(const P& prog, const debug_options& opts = {}, source_position where = {}) {
    return debug_info(std::span<const insn>(prog.insns), std::span<const symbol>(prog.labels), opts, where);
}

} // namespace bpfxx::btf
