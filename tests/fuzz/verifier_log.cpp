// The verifier-log reader: any text as a log, and the listing with the
// verdict's instruction marked. The reason it reads is a line of the log; a
// listing marks at most one line.
#include "fuzz.hpp"

#include <bpfxx/load/verifier_log.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // the first byte splits the input: a program of (data[0] % 16) slots, then the log
    const std::size_t slots = size == 0 ? 0 : data[0] % 16;
    const std::size_t code_bytes = std::min(size == 0 ? 0 : size - 1, slots * 8);
    const auto insns = bpfxx_fuzz::insns_of({data + (size == 0 ? 0 : 1), code_bytes});
    const std::size_t log_at = (size == 0 ? 0 : 1) + code_bytes;
    const std::string_view log(reinterpret_cast<const char*>(data) + log_at, size - log_at);

    const auto v = bpfxx::read_verdict(log);
    bpfxx_fuzz::require(v.reason.empty() || (v.reason.data() >= log.data() &&
                                             v.reason.data() + v.reason.size() <= log.data() + log.size()),
                        "the reason is not a part of the log");
    bpfxx_fuzz::require(v.reason.find('\n') == std::string_view::npos, "the reason is more than a line");

    const auto listing = bpfxx::detail::vlog::marked_listing(insns, {}, v.insn);
    std::size_t marks = 0;
    for (std::size_t at = listing.find(">>> "); at != std::string_view::npos; at = listing.find(">>> ", at + 1))
        marks += at == 0 || listing[at - 1] == '\n';
    bpfxx_fuzz::require(marks <= 1, "a listing marks more than one line");
    return 0;
}
