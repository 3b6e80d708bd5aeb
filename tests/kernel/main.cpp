// The kernel tier: real bpf() calls. Before the tests run, the kernel's
// feature matrix is probed and every refusal printed with the kernel's
// answer; after them, a summary counts what ran and what was skipped, and why.
//
// Without a usable bpf() the suite exits 77 (ctest: skipped) — unless
// BPFXX_REQUIRE_KERNEL=1, which turns that, and any refusal of the baseline
// the suite requires (tests/common/kernel_env.hpp), into a failure so CI
// cannot pass by skipping. BPFXX_PROBE_REFUSE seeds refusals (see there).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "../common/kernel_env.hpp"

#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bpfxx::probe::support;

/// Keeps the name of the running test case for `bpfxx_test::skip`.
struct case_tracker : doctest::IReporter {
    explicit case_tracker(const doctest::ContextOptions&) {}
    void test_case_start(const doctest::TestCaseData& tc) override {
        auto& log = bpfxx_test::skip_log::instance();
        std::lock_guard g(log.lock);
        log.current_case = tc.m_name;
        ++log.cases_started;
    }
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("bpfxx_case_tracker", 1, case_tracker);

/// Finds the enumerator of `E` named `name` among values [0, count).
template <class E>
bool enum_named(std::string_view name, std::uint32_t count, E& out) {
    for (std::uint32_t v = 0; v < count; ++v) {
        const auto e = static_cast<E>(v);
        std::string_view n;
        if constexpr (std::is_same_v<E, bpfxx::map_type>) n = bpfxx::map_type_name(e);
        else if constexpr (std::is_same_v<E, bpfxx::helper>) n = bpfxx::helper_name(e);
        else n = to_string(e);
        if (n == name) {
            out = e;
            return true;
        }
    }
    return false;
}

/// Seeds the refusals BPFXX_PROBE_REFUSE lists; false (after saying why) on a spelling it does not know.
bool seed_refusals(std::string_view spec) {
    namespace probe = bpfxx::probe;
    while (!spec.empty()) {
        const auto comma = spec.find(',');
        const std::string_view item = spec.substr(0, comma);
        spec.remove_prefix(comma == std::string_view::npos ? spec.size() : comma + 1);
        const auto colon = item.find(':');
        const std::string_view kind = item.substr(0, colon);
        const std::string_view name = colon == std::string_view::npos ? std::string_view{} : item.substr(colon + 1);
        const support no =
            support::refused(EPERM, "EPERM (Operation not permitted): simulated by BPFXX_PROBE_REFUSE=" +
                                        std::string(item));
        bool known = false;
        if (kind == "feature") {
            probe::feature f{};
            if ((known = enum_named(name, probe::feature_count, f))) probe::seed(f, no);
        } else if (kind == "prog_type") {
            bpfxx::prog_type t{};
            if ((known = enum_named(name, 64, t))) probe::seed(t, no);
        } else if (kind == "map_type") {
            bpfxx::map_type t{};
            if ((known = enum_named(name, 64, t))) probe::seed(t, no);
        } else if (kind == "attach") {
            bpfxx::attach_kind k{};
            if ((known = enum_named(name, bpfxx::attach_kind_count, k))) probe::seed(k, no);
        } else if (kind == "helper") {
            const auto second = name.find(':');
            bpfxx::prog_type t{};
            bpfxx::helper h{};
            if ((known = second != std::string_view::npos && enum_named(name.substr(0, second), 64, t) &&
                         enum_named(name.substr(second + 1), 256, h)))
                probe::seed(t, h, no);
        }
        if (!known) {
            std::fprintf(stderr, "BPFXX_PROBE_REFUSE: '%.*s' names nothing bpfxx probes\n",
                         static_cast<int>(item.size()), item.data());
            return false;
        }
    }
    return true;
}

/// The helpers the kernel tests call, per program type: the refusals among
/// them are part of the printed matrix.
void print_matrix() {
    using bpfxx::helper;
    using bpfxx::prog_type;
    utsname u{};
    (void)::uname(&u);
    std::vector<bpfxx::probe::answer> refused;
    std::size_t asked = 0;
    for (auto& row : bpfxx::probe::matrix()) {
        ++asked;
        if (!row.result) refused.push_back(std::move(row));
    }
    const auto helpers = [&](prog_type t, std::initializer_list<helper> hs) {
        asked += hs.size();
        for (auto& row : bpfxx::probe::refused_helpers(t, hs)) refused.push_back(std::move(row));
    };
    helpers(prog_type::xdp, {helper::xdp_adjust_head, helper::xdp_adjust_meta, helper::xdp_adjust_tail,
                             helper::xdp_load_bytes, helper::xdp_store_bytes, helper::xdp_get_buff_len,
                             helper::csum_diff, helper::redirect, helper::redirect_map, helper::map_lookup_elem});
    helpers(prog_type::sched_cls, {helper::skb_load_bytes, helper::skb_load_bytes_relative, helper::skb_store_bytes,
                                   helper::l3_csum_replace, helper::l4_csum_replace, helper::csum_diff,
                                   helper::redirect});
    helpers(prog_type::socket_filter, {helper::skb_load_bytes, helper::skb_load_bytes_relative,
                                       helper::map_lookup_elem, helper::map_update_elem, helper::map_delete_elem});
    std::printf("bpfxx kernel tests on Linux %s: %zu kernel features asked, %zu refused%s\n", u.release, asked,
                refused.size(), refused.empty() ? "" : ":");
    for (const auto& r : refused)
        std::printf("  refused: %s: %s%s\n", r.what.c_str(), r.result.reason.c_str(),
                    r.result.approximate ? " (approximate)" : "");
    std::printf("map references: %s\n", bpfxx::detail::loading::uses_fd_array(bpfxx::map_refs::automatic)
                                            ? "by fd_array"
                                            : "fds patched into a copy of each program (the kernel refuses fd_array)");
    std::fflush(stdout);
}

/// What ran and what was skipped; false when nothing ran at all.
bool print_summary(const doctest::Context&) {
    auto& log = bpfxx_test::skip_log::instance();
    const std::size_t skipped = log.skipped_cases.size();
    const std::size_t ran = log.cases_started - skipped;
    std::printf("bpfxx kernel tests: %zu test cases, %zu ran in full, %zu skipped work the kernel refuses%s\n",
                log.cases_started, ran, skipped, skipped ? ":" : "");
    for (const auto& [reason, cases] : log.cases_by_reason) {
        std::printf("  %s\n", reason.c_str());
        for (const auto& c : cases) std::printf("      in \"%s\"\n", c.c_str());
    }
    std::fflush(stdout);
    return log.cases_started == 0 || ran > 0;
}

} // namespace

int main(int argc, char** argv) {
    const bool required = bpfxx::testing::kernel_required();
    if (const char* spec = std::getenv("BPFXX_PROBE_REFUSE"); spec != nullptr && !seed_refusals(spec)) return 2;
    if (const auto s = bpfxx::probe::feature_supported(bpfxx::probe::feature::bpf_syscall); !s) {
        std::fprintf(stderr, "bpfxx kernel tests: bpf() is not usable here (%s)%s\n", s.reason.c_str(),
                     required ? "; BPFXX_REQUIRE_KERNEL=1, so this is a failure" : "; skipped");
        return required ? 1 : 77;
    }
    doctest::Context ctx(argc, argv);
    if (!ctx.shouldExit()) print_matrix();
    const int result = ctx.run();
    if (ctx.shouldExit()) return result;
    if (!print_summary(ctx)) {
        std::fprintf(stderr, "bpfxx kernel tests: every test case skipped: nothing was tested\n");
        return result != 0 ? result : 1;
    }
    return result;
}
