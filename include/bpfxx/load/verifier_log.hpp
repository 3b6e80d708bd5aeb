#pragma once
// Reading the verifier's log: which instruction it rejected and in what
// words, and bpfxx's listing of the program with that instruction marked.
// Pure text processing: no system calls, so it is unit-testable anywhere.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/text/write_listing.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bpfxx {
namespace detail::vlog {

[[nodiscard]] constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f'); }

/// The decimal number at the start of `s`, and how many characters it took.
[[nodiscard]] constexpr std::optional<std::pair<std::size_t, std::size_t>> leading_number(std::string_view s) noexcept {
    std::size_t n = 0, i = 0;
    while (i < s.size() && is_digit(s[i]) && i < 10) n = n * 10 + static_cast<std::size_t>(s[i++] - '0');
    if (i == 0) return std::nullopt;
    return std::pair{n, i};
}

/// If `line` is one the verifier prints for an instruction it visits
/// ("12: (85) call bpf_map_lookup_elem#1"), the instruction's index.
[[nodiscard]] constexpr std::optional<std::size_t> insn_line(std::string_view line) noexcept {
    const auto num = leading_number(line);
    if (!num) return std::nullopt;
    const auto rest = line.substr(num->second);
    if (rest.size() < 6 || rest.substr(0, 3) != ": (" || !is_hex(rest[3]) || !is_hex(rest[4]) || rest[5] != ')')
        return std::nullopt;
    return num->first;
}

/// Lines that are never the verdict: statistics the verifier adds whatever
/// the outcome, and the precision-tracking notes of log level 2.
[[nodiscard]] constexpr bool is_noise(std::string_view line) noexcept {
    return line.empty() || line.starts_with("processed ") || line.starts_with("verification time ") ||
           line.starts_with("stack depth ") || line.starts_with("func#") || line.starts_with("mark_precise: ") ||
           line.starts_with("last_idx ") || line.starts_with("regs=");
}

/// Calls `f(line)` for each line of `log` (without the '\n').
template <class F>
constexpr void for_each_line(std::string_view log, F&& f) {
    while (!log.empty()) {
        const auto nl = log.find('\n');
        f(log.substr(0, nl));
        if (nl == std::string_view::npos) break;
        log.remove_prefix(nl + 1);
    }
}

/// "insn 7" anywhere in `text` (the checks before the main pass name
/// instructions that way: "unreachable insn 7", "jump out of range from insn 3 to 9").
[[nodiscard]] constexpr std::optional<std::size_t> insn_mention(std::string_view text) noexcept {
    for (std::size_t at = text.find("insn "); at != std::string_view::npos; at = text.find("insn ", at + 1)) {
        if (at > 0 && text[at - 1] != ' ') continue;
        if (const auto num = leading_number(text.substr(at + 5))) return num->first;
    }
    return std::nullopt;
}

} // namespace detail::vlog

/// What the verifier's log says about a rejected program.
struct verifier_verdict {
    /// The instruction it rejected: the last one its log shows it visiting
    /// ("N: (xx) ..."), or else one its message names ("unreachable insn N").
    std::optional<std::size_t> insn;
    /// The verifier's own words: the first line after that instruction that is
    /// not a statistic or a state dump ("R0 !read_ok"); for rejections before
    /// the main pass, the first such line of the log.
    std::string_view reason;
};

/// Reads the verdict from a verifier log (any log level).
[[nodiscard]] constexpr verifier_verdict read_verdict(std::string_view log) noexcept {
    namespace dv = detail::vlog;
    verifier_verdict v;
    std::string_view first_words;
    bool after_insn = false;
    dv::for_each_line(log, [&](std::string_view line) {
        if (const auto i = dv::insn_line(line)) {
            v.insn = i;
            v.reason = {};
            after_insn = true;
            return;
        }
        if (dv::is_noise(line)) return;
        // State dumps at log level 2 start with the instruction index too
        // ("1: R0=scalar() R10=fp0"); they are not the verifier's verdict.
        if (const auto num = dv::leading_number(line); num && line.substr(num->second).starts_with(": ")) return;
        if (first_words.empty()) first_words = line;
        if (after_insn && v.reason.empty()) v.reason = line;
    });
    if (!v.insn) {
        v.reason = first_words;
        v.insn = dv::insn_mention(first_words);
    }
    return v;
}

namespace detail::vlog {

/// The listing of `insns` (as `write_listing` prints it, with slot numbers)
/// with every line indented by four characters, and the line of slot `mark`
/// starting with ">>> " instead.
inline std::string marked_listing(std::span<const insn> insns, std::span<const symbol> labels,
                                  std::optional<std::size_t> mark) {
    std::string text;
    write_listing([&text](std::string_view piece) { text.append(piece); }, insns, labels,
                  {.helper_names = true, .label_names = true, .addresses = true, .raw_bytes = false});
    std::string out;
    out.reserve(text.size() + text.size() / 8 + 16);
    for_each_line(text, [&](std::string_view line) {
        // Instruction lines start with "%5u: "; label lines are "name:".
        bool marked = false;
        if (mark) {
            const auto lead = line.find_first_not_of(' ');
            if (lead != std::string_view::npos) {
                const auto num = leading_number(line.substr(lead));
                marked = num && num->first == *mark && lead + num->second >= 5 &&
                         line.substr(lead + num->second).starts_with(": ");
            }
        }
        out += marked ? ">>> " : "    ";
        out += line;
        out += '\n';
    });
    return out;
}

} // namespace detail::vlog
} // namespace bpfxx
