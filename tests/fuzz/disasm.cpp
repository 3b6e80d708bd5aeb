// Instruction decoding and text: every 8 bytes as an instruction, printed
// alone, as the first half of an ld_imm64, and as a whole listing with each
// combination of options. No input may crash, overflow or print past the
// fixed-capacity text; a listing has a line for every instruction.
#include "fuzz.hpp"

#include <bpfxx/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto insns = bpfxx_fuzz::insns_of({data + 1, size - 1});
    const bpfxx::disasm_options opts{.helper_names = (data[0] & 1) != 0,
                                     .label_names = (data[0] & 2) != 0,
                                     .addresses = (data[0] & 4) != 0,
                                     .raw_bytes = (data[0] & 8) != 0};
    for (std::size_t i = 0; i < insns.size(); ++i) {
        const auto& lo = insns[i];
        const auto& hi = i + 1 < insns.size() ? insns[i + 1] : insns[i];
        const auto one = bpfxx::to_string(lo);
        const auto two = bpfxx::to_string(lo, hi);
        const auto with = bpfxx::to_string(lo, hi, opts);
        bpfxx_fuzz::require(!one.empty() && one.size() <= one.capacity, "to_string(insn) is empty or too long");
        bpfxx_fuzz::require(!two.empty() && with.size() <= with.capacity, "to_string(lo, hi) is empty or too long");
        bpfxx_fuzz::require(one.view().find('\0') == std::string_view::npos, "an instruction's text holds a NUL");
        (void)bpfxx::branch_target(lo, static_cast<std::int64_t>(i));
        (void)bpfxx::branch_target(lo, hi, static_cast<std::int64_t>(i));
        // the same bytes again give the same instruction
        bpfxx_fuzz::require(bpfxx::insn::from_bytes(lo.bytes()) == lo, "bytes() and from_bytes() disagree");
    }
    const auto text = bpfxx::listing(insns, opts);
    std::size_t lines = 0;
    for (const char c : text) lines += c == '\n';
    // one line per instruction, two-slot loads one line for both, labels a line each
    bpfxx_fuzz::require(lines <= 2 * insns.size() + 1, "a listing has more lines than it could");
    bpfxx_fuzz::require(insns.empty() || lines >= (insns.size() + 1) / 2, "a listing misses instructions");
    return 0;
}
