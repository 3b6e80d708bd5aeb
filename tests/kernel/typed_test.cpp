// The typed examples in the kernel: the verifier accepts each of them, and
// each gives the same results as its C twin (examples/c/*.bpf.c, compiled
// by clang and loaded with its map references patched to fd_array indices)
// on the same inputs — BPF_PROG_TEST_RUN for the packet programs, real execs
// and real calls of a probed function for the tracing ones.
#include <bpfxx/bpfxx.hpp>

#include "../../examples/typed/exec_trace.hpp"
#include "../../examples/typed/latency_histogram.hpp"
#include "../../examples/typed/sock_example.hpp"
#include "../../examples/typed/tc_counter.hpp"
#include "../../examples/typed/uprobe_count.hpp"
#include "../../examples/typed/xdp_firewall.hpp"
#include "../../examples/typed/main.hpp"
#include "../common/bpf_object.hpp"
#include "../common/frames.hpp"

#include <doctest/doctest.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace c = bpfxx::c;
using bpfxx::prog_type;
using u8 = std::uint8_t;

/// The programs of C twin `name`, or nothing (clang missing: skipped, or a
/// failure under BPFXX_REQUIRE_LLVM=1).
std::optional<std::vector<bpfxx_test::c_program>> c_twin(const char* name) {
    if (!bpfxx_test::have_tool(BPFXX_CLANG)) {
        const char* require = std::getenv("BPFXX_REQUIRE_LLVM");
        if (require != nullptr && std::string(require) == "1") FAIL("clang not found");
        MESSAGE("clang not found: the C twins are not compared");
        return std::nullopt;
    }
    const auto obj = bpfxx_test::compile_c_twin(BPFXX_CLANG, BPFXX_SOURCE_DIR, BPFXX_MULTIARCH_INCLUDE,
                                                BPFXX_BINARY_DIR, name);
    REQUIRE(obj.has_value());
    return bpfxx_test::read_c_programs(*obj);
}

/// Loads the program in `section` of a C twin, its maps given in the order of `names`.
template <class... H>
bpfxx::prog load_c(prog_type type, const std::vector<bpfxx_test::c_program>& programs, const std::string& section,
                   const std::vector<std::string>& names, const H&... maps) {
    const auto p = bpfxx_test::program_in(programs, section);
    REQUIRE(!p.insns.empty());
    const auto insns = p.with_map_indices(names);
    const std::array<int, sizeof...(H)> fds{static_cast<int>(maps.fd())...};
    return bpfxx::load(type, insns, fds);
}

template <std::size_t N = 64>
constexpr auto udp_frame(std::array<u8, 4> src, std::uint16_t dport, u8 ihl = 5, u8 proto = c::ipproto_udp) {
    return bpfxx_test::ipv4_l4_frame<N>(src, dport, ihl, proto);
}

template <std::size_t N>
std::uint32_t run(const bpfxx::prog& p, const std::array<u8, N>& frame) {
    return bpfxx::test_run(p, {.data = std::as_bytes(std::span(frame))}).retval;
}

} // namespace

TEST_CASE("typed examples pass the kernel verifier") {
    using namespace examples;
    auto counters = sock_example::counters::create();
    CHECK(bpfxx::load<prog_type::socket_filter>(sock_example::program, counters).fd() >= 0);
    auto blocked = xdp_firewall::blocked::create();
    auto per_source = xdp_firewall::per_source::create();
    CHECK(bpfxx::load<prog_type::xdp>(xdp_firewall::program, blocked, per_source).fd() >= 0);
    auto traffic = tc_counter::counters::create();
    CHECK(bpfxx::load<prog_type::sched_cls>(tc_counter::program, traffic).fd() >= 0);
    auto events = exec_trace::events::create();
    auto parents = exec_trace::parents::create();
    CHECK(bpfxx::load<prog_type::tracepoint>(exec_trace::on_fork, parents).fd() >= 0);
    CHECK(bpfxx::load<prog_type::tracepoint>(exec_trace::on_exec, events, parents).fd() >= 0);
    auto calls = uprobe_count::calls::create();
    auto started = uprobe_count::started::create();
    CHECK(bpfxx::load<prog_type::kprobe>(uprobe_count::on_entry, calls, started).fd() >= 0);
    CHECK(bpfxx::load<prog_type::kprobe>(uprobe_count::on_return, calls, started).fd() >= 0);
    auto starts = latency_histogram::started::create();
    auto histogram = latency_histogram::histogram::create();
    CHECK(bpfxx::load<prog_type::kprobe>(latency_histogram::on_entry, starts).fd() >= 0);
    CHECK(bpfxx::load<prog_type::kprobe>(latency_histogram::on_return, starts, histogram).fd() >= 0);
}

TEST_CASE("typed sock_example and its C twin count the same frames") {
    using namespace examples::sock_example;
    const auto twin = c_twin("sock_example");
    if (!twin) return;
    auto typed_map = counters::create();
    auto c_map = counters::create();
    auto typed = bpfxx::load<prog_type::socket_filter>(program, typed_map);
    auto cprog = load_c(prog_type::socket_filter, *twin, "socket", {"counters"}, c_map);
    // skb->data is the IP header in a test run: byte 23 is the low byte of the UDP/TCP destination port
    for (const std::uint16_t port : {53, 53, 80, 0x1234, 7000}) {
        CHECK(run(typed, udp_frame({10, 0, 0, 2}, port)) == run(cprog, udp_frame({10, 0, 0, 2}, port)));
        CHECK(run(typed, udp_frame({10, 0, 0, 2}, port, 5, c::ipproto_tcp)) ==
              run(cprog, udp_frame({10, 0, 0, 2}, port, 5, c::ipproto_tcp)));
    }
    for (std::uint32_t k = 0; k < 256; ++k) {
        CAPTURE(k);
        CHECK(typed_map.lookup(k) == c_map.lookup(k));
    }
    CHECK(typed_map.lookup(53) == 4u);
    CHECK(typed_map.lookup(0x34) == 2u);
}

TEST_CASE("typed xdp_firewall and its C twin give the same verdicts and counts") {
    using namespace examples::xdp_firewall;
    const auto twin = c_twin("xdp_firewall");
    if (!twin) return;
    auto typed_blocked = blocked::create();
    auto typed_stats = per_source::create();
    auto c_blocked = blocked::create();
    auto c_stats = per_source::create();
    const auto bad = std::bit_cast<std::uint32_t>(std::array<u8, 4>{192, 0, 2, 3});
    const auto good = std::bit_cast<std::uint32_t>(std::array<u8, 4>{192, 0, 2, 2});
    typed_blocked.update(bad, 1);
    c_blocked.update(bad, 1);
    auto typed = bpfxx::load<prog_type::xdp>(program, typed_blocked, typed_stats);
    auto cprog = load_c(prog_type::xdp, *twin, "xdp", {"blocked", "per_source"}, c_blocked, c_stats);

    auto arp = udp_frame<42>({192, 0, 2, 3}, 0);
    arp[12] = 0x08, arp[13] = 0x06;
    const auto runs = [&](const bpfxx::prog& p) {
        std::vector<std::uint32_t> v;
        for (int i = 0; i < 3; ++i) {
            v.push_back(run(p, udp_frame({192, 0, 2, 3}, 7000)));
            v.push_back(run(p, udp_frame({192, 0, 2, 2}, 7000)));
        }
        v.push_back(run(p, arp));
        v.push_back(run(p, std::array<u8, 20>{})); // EtherType 0: not IPv4
        return v;
    };
    const auto t = runs(typed), k = runs(cprog);
    CHECK(t == k);
    CHECK(t == std::vector<std::uint32_t>{1, 2, 1, 2, 1, 2, 2, 2});
    const auto sum = [](const auto& per_cpu) {
        verdicts s{0, 0};
        for (const auto& v : per_cpu) s.passed += v.passed, s.dropped += v.dropped;
        return std::pair{s.passed, s.dropped};
    };
    for (const auto src : {bad, good}) {
        const auto a = typed_stats.lookup(src), b = c_stats.lookup(src);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(sum(*a) == sum(*b));
        CHECK(sum(*a) == (src == bad ? std::pair<std::uint64_t, std::uint64_t>{0, 3} : std::pair<std::uint64_t, std::uint64_t>{3, 0}));
    }
}

TEST_CASE("typed tc_counter and its C twin count the same packets") {
    using namespace examples::tc_counter;
    const auto twin = c_twin("tc_counter");
    if (!twin) return;
    auto typed_map = counters::create();
    auto c_map = counters::create();
    auto typed = bpfxx::load<prog_type::sched_cls>(program, typed_map);
    auto cprog = load_c(prog_type::sched_cls, *twin, "tc", {"counters"}, c_map);
    const auto feed = [&](const bpfxx::prog& p) {
        std::vector<std::uint32_t> v;
        v.push_back(run(p, udp_frame({10, 0, 0, 2}, 7000)));
        v.push_back(run(p, udp_frame({10, 0, 0, 2}, 7000, 7))); // IP options
        v.push_back(run(p, udp_frame({10, 0, 0, 2}, 7001)));
        v.push_back(run(p, udp_frame({10, 0, 0, 2}, 7000, 5, c::ipproto_tcp)));
        v.push_back(run(p, udp_frame<40>({10, 0, 0, 2}, 7000, 6))); // the UDP header cut off
        return v;
    };
    CHECK(feed(typed) == feed(cprog));
    const auto a = typed_map.lookup(0), b = c_map.lookup(0);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->packets == b->packets);
    CHECK(a->bytes == b->bytes);
    CHECK(a->udp_7000 == b->udp_7000);
    CHECK(a->packets == 5);
    CHECK(a->udp_7000 == 2);
}

namespace {
struct sample {
    std::uint32_t len;
    std::uint32_t proto;
    std::uint64_t tag;
};
using samples = bpfxx::perf_event_array<0>; // one entry per possible CPU
constexpr auto perf_sampler = c::compile([](c::xdp_md ctx, c::map<samples> out) {
    auto pkt = ctx.packet();
    auto eth = pkt.next<c::ethhdr>().or_return(bpfxx::xdp::aborted);
    c::local<sample> s{ctx};
    s[&sample::len] = ctx->rx_queue_index + 64; // queue 0 in a test run
    s[&sample::proto] = c::ntoh16(eth->h_proto);
    s[&sample::tag] = 0x1122334455667788ull;
    out.output(ctx, s);
    return bpfxx::xdp::pass;
});
} // namespace

TEST_CASE("typed: bpf_perf_event_output of a stack struct reaches the perf buffer") {
    auto events = samples::create();
    auto p = bpfxx::load<prog_type::xdp>(perf_sampler, events);
    std::vector<sample> got;
    bpfxx::events::perf_buffer pb(events, bpfxx::events::perf_buffer::typed<sample>([&](int, const sample& s) {
        got.push_back(s);
    }));
    const auto frame = udp_frame({10, 0, 0, 2}, 53);
    for (int i = 0; i < 3; ++i) CHECK(run(p, frame) == bpfxx::xdp::pass);
    for (int i = 0; i < 20 && got.size() < 3; ++i) pb.poll(std::chrono::milliseconds(100));
    REQUIRE(got.size() == 3);
    for (const auto& s : got) {
        CHECK(s.len == 64);
        CHECK(s.proto == 0x0800);
        CHECK(s.tag == 0x1122334455667788ull);
    }
}

namespace {

pid_t spawn(std::vector<const char*> argv) {
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (const int err = ::posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char* const*>(argv.data()), environ))
        throw bpfxx::error(err, "posix_spawn", argv[0]);
    return pid;
}

/// Whether the running kernel's record has the field at the offset the typed record puts it.
template <class R, class M>
bool same_layout(const char* tracepoint, const char* field, M R::*member) {
    return bpfxx::tracepoint_field_of(tracepoint, field).offset == static_cast<std::uint32_t>(c::offset_of(member));
}

} // namespace

TEST_CASE("typed exec_trace and its C twin report the same execs") {
    using namespace examples::exec_trace;
    const auto twin = c_twin("exec_trace");
    if (!twin) return;
    if (!same_layout("sched/sched_process_exec", "pid", &exec_record::pid) ||
        !same_layout("sched/sched_process_exec", "filename", &exec_record::filename) ||
        !same_layout("sched/sched_process_fork", "child_pid", &fork_record::child_pid) ||
        !same_layout("sched/sched_process_fork", "parent_pid", &fork_record::parent_pid)) {
        MESSAGE("this kernel's sched_process_exec/fork records differ from the example's layout: skipped");
        return;
    }
    auto typed_events = events::create();
    auto typed_parents = parents::create();
    auto c_events = events::create();
    auto c_parents = parents::create();
    auto typed_fork = bpfxx::load<prog_type::tracepoint>(on_fork, typed_parents);
    auto typed_exec = bpfxx::load<prog_type::tracepoint>(on_exec, typed_events, typed_parents);
    auto c_fork = load_c(prog_type::tracepoint, *twin, "tracepoint/sched/sched_process_fork", {"parents"}, c_parents);
    auto c_exec = load_c(prog_type::tracepoint, *twin, "tracepoint/sched/sched_process_exec", {"events", "parents"},
                         c_events, c_parents);
    std::map<std::uint32_t, std::string> mine;
    {
        auto l1 = bpfxx::attach_tracepoint(typed_fork, "sched/sched_process_fork");
        auto l2 = bpfxx::attach_tracepoint(typed_exec, "sched/sched_process_exec");
        auto l3 = bpfxx::attach_tracepoint(c_fork, "sched/sched_process_fork");
        auto l4 = bpfxx::attach_tracepoint(c_exec, "sched/sched_process_exec");
        for (const auto& argv : std::vector<std::vector<const char*>>{{"/bin/true"}, {"/bin/sh", "-c", "exit 0"}}) {
            const pid_t pid = spawn(argv);
            mine[static_cast<std::uint32_t>(pid)] = argv[0];
            ::waitpid(pid, nullptr, 0);
        }
    }
    const auto collect = [&](auto& ring_map) {
        std::map<std::uint32_t, exec_event> seen;
        bpfxx::events::ring ring(ring_map);
        ring.consume_as<exec_event>([&](const exec_event& e) {
            if (mine.count(e.pid)) seen[e.pid] = e;
        });
        return seen;
    };
    const auto t = collect(typed_events), k = collect(c_events);
    REQUIRE(t.size() == mine.size());
    REQUIRE(k.size() == mine.size());
    for (const auto& [pid, file] : mine) {
        const auto& a = t.at(pid);
        const auto& b = k.at(pid);
        CHECK(a.ppid == b.ppid);
        CHECK(a.ppid == static_cast<std::uint32_t>(::getpid()));
        CHECK(std::string(a.comm, strnlen(a.comm, sizeof a.comm)) == std::string(b.comm, strnlen(b.comm, sizeof b.comm)));
        CHECK(std::string(a.filename) == file);
        CHECK(std::string(b.filename) == file);
    }
}

// The probed function: calls with a given duration (a busy wait, so that a
// thread switch is the only way to stretch it).
extern "C" [[gnu::noinline]] std::uint64_t bpfxx_typed_probe_target(std::uint64_t ns) {
    asm volatile("" ::: "memory");
    return examples::busy_wait(ns);
}
namespace {
std::uint64_t (*volatile probe_target)(std::uint64_t) = &bpfxx_typed_probe_target;
}

TEST_CASE("typed uprobe_count and its C twin count the same calls") {
    using namespace examples::uprobe_count;
    const auto twin = c_twin("uprobe_count");
    if (!twin) return;
    auto typed_calls = calls::create();
    auto typed_started = started::create();
    auto c_calls = calls::create();
    auto c_started = started::create();
    auto t_entry = bpfxx::load<prog_type::kprobe>(on_entry, typed_calls, typed_started);
    auto t_return = bpfxx::load<prog_type::kprobe>(on_return, typed_calls, typed_started);
    auto k_entry = load_c(prog_type::kprobe, *twin, "uprobe", {"calls", "started"}, c_calls, c_started);
    auto k_return = load_c(prog_type::kprobe, *twin, "uretprobe", {"calls", "started"}, c_calls, c_started);
    constexpr int n = 50;
    {
        const char* fn = "bpfxx_typed_probe_target";
        auto l1 = bpfxx::attach_uprobe(t_entry, "/proc/self/exe", fn, {.pid = ::getpid()});
        auto l2 = bpfxx::attach_uprobe(t_return, "/proc/self/exe", fn, {.retprobe = true, .pid = ::getpid()});
        auto l3 = bpfxx::attach_uprobe(k_entry, "/proc/self/exe", fn, {.pid = ::getpid()});
        auto l4 = bpfxx::attach_uprobe(k_return, "/proc/self/exe", fn, {.retprobe = true, .pid = ::getpid()});
        for (int i = 0; i < n; ++i) (void)probe_target(20000);
    }
    CHECK(typed_calls.lookup(0) == std::uint64_t{n});
    CHECK(c_calls.lookup(0) == std::uint64_t{n});
    const auto typed_ns = typed_calls.lookup(1).value_or(0), c_ns = c_calls.lookup(1).value_or(0);
    CHECK(typed_ns >= n * 20000ull);
    CHECK(c_ns >= n * 20000ull);
}

TEST_CASE("typed latency_histogram and its C twin fill the same buckets") {
    using namespace examples::latency_histogram;
    const auto twin = c_twin("latency_histogram");
    if (!twin) return;
    auto typed_started = started::create();
    auto typed_hist = histogram::create();
    auto c_started = started::create();
    auto c_hist = histogram::create();
    auto t_entry = bpfxx::load<prog_type::kprobe>(on_entry, typed_started);
    auto t_return = bpfxx::load<prog_type::kprobe>(on_return, typed_started, typed_hist);
    auto k_entry = load_c(prog_type::kprobe, *twin, "uprobe", {"started"}, c_started);
    auto k_return = load_c(prog_type::kprobe, *twin, "uretprobe", {"started", "histogram"}, c_started, c_hist);
    // durations in the middle of their buckets (1.45 * 2^k): 2^14 (23.8 us), 2^20 (1.52 ms), 2^22 (6.1 ms)
    const std::pair<std::uint64_t, int> calls[] = {{23757, 10}, {1520435, 5}, {6081740, 3}};
    {
        const char* fn = "bpfxx_typed_probe_target";
        auto l1 = bpfxx::attach_uprobe(t_entry, "/proc/self/exe", fn, {.pid = ::getpid()});
        auto l2 = bpfxx::attach_uprobe(t_return, "/proc/self/exe", fn, {.retprobe = true, .pid = ::getpid()});
        auto l3 = bpfxx::attach_uprobe(k_entry, "/proc/self/exe", fn, {.pid = ::getpid()});
        auto l4 = bpfxx::attach_uprobe(k_return, "/proc/self/exe", fn, {.retprobe = true, .pid = ::getpid()});
        for (const auto& [ns, times] : calls)
            for (int i = 0; i < times; ++i) (void)probe_target(ns);
    }
    std::array<std::uint64_t, 64> buckets{}, c_buckets{};
    for (std::uint32_t k = 0; k < 64; ++k) {
        buckets[k] = typed_hist.lookup(k).value_or(0);
        c_buckets[k] = c_hist.lookup(k).value_or(0);
    }
    // a thread switch can stretch a call, never shorten it: each is in its bucket or a later one
    const auto from = [](const std::array<std::uint64_t, 64>& b, std::size_t k) {
        std::uint64_t n = 0;
        for (std::size_t i = k; i < b.size(); ++i) n += b[i];
        return n;
    };
    for (const auto* b : {&buckets, &c_buckets}) {
        CAPTURE(b == &buckets ? "typed" : "C twin");
        CHECK(from(*b, 0) == 18);
        CHECK(from(*b, 14) == 18);
        CHECK(from(*b, 20) >= 8);
        CHECK(from(*b, 22) >= 3);
    }
    // Both time the same calls, but their probes run one after the other: a
    // call stretched between the two (a thread switch on a loaded machine) can
    // land a bucket later in one of them. Count the buckets by which calls
    // moved (the sum over k of the difference in calls at or above k): 0 on a
    // quiet machine; a program that bucketed differently moves all 18 calls.
    std::uint64_t moved = 0;
    for (std::size_t k = 0; k < 64; ++k) {
        const auto a = from(buckets, k), b = from(c_buckets, k);
        moved += a > b ? a - b : b - a;
    }
    if (moved != 0) MESSAGE("typed and C twin histograms differ by " << moved << " bucket moves (timing)");
    CHECK(moved <= 3);
}
