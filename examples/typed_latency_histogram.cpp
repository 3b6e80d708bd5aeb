// latency_histogram with typed programs (examples/typed/latency_histogram.hpp):
// how long each call of a function of this program takes, in log2 buckets,
// from a uprobe and a uretprobe. It makes calls of known durations (busy
// waits) and checks that each landed in its bucket or, stretched by a thread
// switch, a later one.
#include "typed/latency_histogram.hpp"
#include "typed/main.hpp"

#include <unistd.h>

#include <cstdio>

extern "C" [[gnu::noinline]] std::uint64_t typed_busy_wait(std::uint64_t ns) {
    asm volatile("" ::: "memory"); // a real call, not folded away
    return examples::busy_wait(ns);
}

namespace {

std::uint64_t (*volatile target)(std::uint64_t) = &typed_busy_wait;

int run() {
    using namespace examples::latency_histogram;
    auto starts = started::create();
    auto buckets = histogram::create();
    auto entry = bpfxx::load<bpfxx::prog_type::kprobe>(on_entry, starts);
    auto ret = bpfxx::load<bpfxx::prog_type::kprobe>(on_return, starts, buckets);
    auto l1 = bpfxx::attach_uprobe(entry, "/proc/self/exe", "typed_busy_wait", {.pid = ::getpid()});
    auto l2 = bpfxx::attach_uprobe(ret, "/proc/self/exe", "typed_busy_wait", {.retprobe = true, .pid = ::getpid()});
    // 1.45 * 2^k ns: the middle of buckets 12, 16 and 20 (6 us, 95 us, 1.5 ms)
    for (const auto& [bucket, calls] : {std::pair{12, 40}, std::pair{16, 20}, std::pair{20, 10}})
        for (int i = 0; i < calls; ++i) (void)target(static_cast<std::uint64_t>(1.45 * static_cast<double>(1u << bucket)));
    std::uint64_t total = 0, at_or_after[64] = {};
    std::puts("     ns from       calls");
    for (std::uint32_t k = 64; k-- > 0;) {
        const auto n = buckets.lookup(k).value_or(0);
        total += n;
        at_or_after[k] = total;
        if (n) std::printf("%12llu %11llu\n", 1ull << k, static_cast<unsigned long long>(n));
    }
    // a call can only be stretched: none before its bucket, all from it on
    const bool ok = total == 70 && at_or_after[12] == 70 && at_or_after[16] >= 30 && at_or_after[20] >= 10;
    std::puts(ok ? "ok: every call in its bucket (or later)" : "unexpected histogram");
    return ok ? 0 : 1;
}

} // namespace

int main() { return examples::run_example("typed_latency_histogram", run); }
