// The tracefs `format` parser: any text. It returns fields or throws
// bpfxx::error; any other exception (std::stoul's invalid_argument, say)
// ends the process, which libFuzzer reports.
#include "fuzz.hpp"

#include <bpfxx/attach/tracepoint.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto fields = bpfxx::parse_tracepoint_format(text, "fuzz/format");
        bpfxx_fuzz::require(!fields.empty(), "a format without fields was accepted");
        for (const auto& f : fields)
            bpfxx_fuzz::require(f.name.size() <= size && f.type.size() <= size, "a field longer than its text");
    } catch (const bpfxx::error& e) {
        bpfxx_fuzz::require(e.code().value() == EINVAL, "a format error that is not EINVAL");
    }
    return 0;
}
