#pragma once
// Whether a test or an example that needs the kernel may run here, and what
// to do when it may not. A run that cannot happen exits 77 (what ctest and
// automake count as "skipped") and says why — unless BPFXX_REQUIRE_KERNEL=1
// is set, as CI sets it, where it exits 1: a CI run cannot pass by skipping.
//
//     int main() {
//         if (auto code = bpfxx::testing::exit_unless("xdp_firewall", bpfxx::attach_kind::xdp)) return *code;
//         ...
//     }
//
// The decision rests on the probes (bpfxx/probe.hpp): the kernel's own answer,
// never on who the user is.

#include <bpfxx/probe.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace bpfxx {
namespace detail::kernel_needs {
[[nodiscard]] inline std::string describe(probe::feature f) { return "feature " + std::string(probe::to_string(f)); }
[[nodiscard]] inline std::string describe(prog_type t) { return std::string(to_string(t)) + " programs"; }
[[nodiscard]] inline std::string describe(attach_kind k) { return "attach " + std::string(to_string(k)); }
[[nodiscard]] inline std::string describe(map_type t) { return "map type " + std::string(map_type_name(t)); }
[[nodiscard]] inline probe::support ask(probe::feature f) { return probe::feature_supported(f); }
[[nodiscard]] inline probe::support ask(prog_type t) { return probe::prog_type_supported(t); }
[[nodiscard]] inline probe::support ask(attach_kind k) { return probe::attach_supported(k); }
[[nodiscard]] inline probe::support ask(map_type t) { return probe::map_type_supported(t); }
} // namespace detail::kernel_needs
} // namespace bpfxx

namespace bpfxx::testing {

/// Whether BPFXX_REQUIRE_KERNEL=1: what the kernel refuses is then a failure, not a skip.
[[nodiscard]] inline bool kernel_required() noexcept {
    const char* v = std::getenv("BPFXX_REQUIRE_KERNEL");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

/// What a program that cannot run here returns from main: 77 (skipped), or 1
/// when BPFXX_REQUIRE_KERNEL=1. Prints `who`, what is missing and why to stderr.
[[nodiscard]] inline int cannot_run(std::string_view who, std::string_view what, std::string_view why) {
    const bool required = kernel_required();
    std::fprintf(stderr, "%.*s: %.*s is not available here: %.*s%s\n", static_cast<int>(who.size()), who.data(),
                 static_cast<int>(what.size()), what.data(), static_cast<int>(why.size()), why.data(),
                 required ? " (BPFXX_REQUIRE_KERNEL=1: a failure)" : " (skipped)");
    return required ? 1 : 77;
}


/// nullopt when bpf() works here and the kernel allows each of `needs`
/// (features, program types, map types, attach kinds); else the exit code
/// of `cannot_run` for the first that it refuses.
template <class... Needs>
[[nodiscard]] std::optional<int> exit_unless(std::string_view who, Needs... needs) {
    std::optional<int> code;
    const auto check = [&](auto need) {
        if (code) return;
        if (const auto s = bpfxx::detail::kernel_needs::ask(need); !s) code = cannot_run(who, bpfxx::detail::kernel_needs::describe(need), s.reason);
    };
    check(probe::feature::bpf_syscall);
    (check(needs), ...);
    return code;
}

} // namespace bpfxx::testing
