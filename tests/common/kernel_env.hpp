#pragma once
// What the kernel tests may assume, and how they skip what this kernel
// refuses. Every test that needs something optional asks first:
//
//     if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::tcx)) return;
//
// A refusal of something optional skips the rest of the case with a MESSAGE
// naming it and the kernel's answer. A refusal of the baseline — what the
// examples and the SDK's core rely on — is a failure under
// BPFXX_REQUIRE_KERNEL=1 (as CI runs), a skip otherwise. Every skip is
// counted; main() prints a summary of what ran and what was skipped, and why.
//
// BPFXX_PROBE_REFUSE=<what>[,<what>...] seeds the probe cache with refusals
// before anything runs, to see the suite on a kernel that refuses them:
// feature:<name>, prog_type:<name>, map_type:<name>, attach:<name>,
// helper:<prog_type>:<helper>.
#include <bpfxx/probe.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfxx_test {

using bpfxx::attach_kind;
using bpfxx::helper;
using bpfxx::map_type;
using bpfxx::prog_type;
using bpfxx::probe::feature;

/// What the suite requires of a kernel: bpf(), test runs, the program and
/// map types the examples use, and socket, XDP, tc, tracepoint, uprobe and
/// cgroup attachments.
[[nodiscard]] constexpr bool baseline(feature f) noexcept {
    return f == feature::bpf_syscall || f == feature::test_run;
}
[[nodiscard]] constexpr bool baseline(prog_type t) noexcept {
    switch (t) {
    case prog_type::socket_filter:
    case prog_type::kprobe:
    case prog_type::sched_cls:
    case prog_type::tracepoint:
    case prog_type::xdp:
    case prog_type::cgroup_skb: return true;
    default: return false;
    }
}
[[nodiscard]] constexpr bool baseline(map_type t) noexcept {
    switch (t) {
    case map_type::hash:
    case map_type::array:
    case map_type::percpu_hash:
    case map_type::percpu_array:
    case map_type::lru_hash:
    case map_type::perf_event_array:
    case map_type::ringbuf: return true;
    default: return false;
    }
}
[[nodiscard]] constexpr bool baseline(attach_kind k) noexcept {
    switch (k) {
    case attach_kind::socket:
    case attach_kind::xdp:
    case attach_kind::tc:
    case attach_kind::tracepoint:
    case attach_kind::uprobe:
    case attach_kind::cgroup: return true;
    default: return false;
    }
}
struct helper_in {
    prog_type type;
    helper id;
};
[[nodiscard]] constexpr bool baseline(helper_in) noexcept { return false; }

[[nodiscard]] inline std::string describe(helper_in h) {
    return "helper " + std::string(bpfxx::helper_name(h.id)) + " in " + std::string(bpfxx::to_string(h.type)) +
           " programs";
}
using bpfxx::detail::kernel_needs::describe;
[[nodiscard]] inline bpfxx::probe::support ask(helper_in h) { return bpfxx::probe::helper_supported(h.type, h.id); }
using bpfxx::detail::kernel_needs::ask;

/// The skips of this run, and the test case running now (kept by the listener in main.cpp).
struct skip_log {
    std::mutex lock;
    std::string current_case;
    std::map<std::string, std::vector<std::string>> cases_by_reason; ///< "what: reason" -> test cases
    std::vector<std::string> skipped_cases;
    std::size_t cases_started = 0;

    static skip_log& instance() {
        static skip_log log;
        return log;
    }
};

/// Records that the running case skips the rest of its work for `what`.
inline void skip(const std::string& what, const std::string& reason) {
    auto& log = skip_log::instance();
    std::lock_guard g(log.lock);
    auto& cases = log.cases_by_reason[what + ": " + reason];
    if (cases.empty() || cases.back() != log.current_case) cases.push_back(log.current_case);
    if (log.skipped_cases.empty() || log.skipped_cases.back() != log.current_case)
        log.skipped_cases.push_back(log.current_case);
}

/// Whether the kernel allows `need` (a feature, program type, map type,
/// attach kind or `helper_in`). When it does not: a baseline refusal fails
/// the case under BPFXX_REQUIRE_KERNEL=1; anything else is recorded as a
/// skip with a MESSAGE. The caller returns (skips the rest) on false.
template <class Need>
[[nodiscard]] bool kernel_allows(Need need) {
    const auto s = ask(need);
    if (s) return true;
    const std::string what = describe(need);
    if (baseline(need) && bpfxx::testing::kernel_required()) {
        FAIL_CHECK("the kernel refuses " << what << ", which the suite requires (BPFXX_REQUIRE_KERNEL=1): "
                                         << s.reason);
        return false;
    }
    MESSAGE("skipped: the kernel refuses " << what << ": " << s.reason);
    skip(what, s.reason);
    return false;
}

/// Whether the kernel allows every one of `needs` (stops at the first refusal).
template <class... Needs>
[[nodiscard]] bool kernel_allows_all(Needs... needs) {
    return (kernel_allows(needs) && ...);
}

} // namespace bpfxx_test
