// uprobe_count: counts calls of a function of this very program with a
// uprobe (placed by the function's ELF symbol), and the time spent in it
// with a uretprobe beside it, per call, in a hash map keyed by thread.
// Exits 0 when both probes fired once per call and the time inside is more
// than nothing and less than the calls took as user space timed them; 77
// where the kernel or this process cannot run it (1 then with
// BPFXX_REQUIRE_KERNEL=1).
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>

using namespace bpfxx::ops;

extern "C" [[gnu::noinline]] std::uint64_t fibonacci(std::uint32_t n) {
    asm volatile("" ::: "memory"); // a real call, not folded away
    std::uint64_t a = 0, b = 1;
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto c = a + b;
        a = b;
        b = c;
    }
    return a;
}

namespace {

using calls = bpfxx::array_map<std::uint32_t, std::uint64_t, 3>;         // [0] calls, [1] ns inside, [2] returns
using started = bpfxx::hash_map<std::uint64_t, std::uint64_t, 1024>;     // pid_tgid -> entry time

constexpr auto on_entry = bpfxx::assemble(
    call(helper::get_current_pid_tgid), stx<std::uint64_t>(r10, -8, r0),
    call(helper::ktime_get_ns), stx<std::uint64_t>(r10, -16, r0),
    ld_map<started>(r1), mov(r2, r10), add(r2, -8), mov(r3, r10), add(r3, -16), mov(r4, 0),
    call(helper::map_update_elem),
    st<std::uint32_t>(r10, -20, 0), mov(r2, r10), add(r2, -20),
    ld_map<calls>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label, mov(r0, 0), exit());

constexpr auto on_return = bpfxx::assemble(
    call(helper::get_current_pid_tgid), stx<std::uint64_t>(r10, -8, r0),
    ld_map<started>(r1), mov(r2, r10), add(r2, -8), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    ldx<std::uint64_t>(r6, r0, 0),
    call(helper::ktime_get_ns), sub(r0, r6), mov(r7, r0),
    st<std::uint32_t>(r10, -12, 1), mov(r2, r10), add(r2, -12),
    ld_map<calls>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    atomic_add<std::uint64_t>(r0, 0, r7),
    st<std::uint32_t>(r10, -12, 2), mov(r2, r10), add(r2, -12),
    ld_map<calls>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label, mov(r0, 0), exit());

std::uint64_t (*volatile target)(std::uint32_t) = &fibonacci;

int run() {
    auto counts = calls::create();
    auto entries = started::create();
    auto entry = bpfxx::load<bpfxx::prog_type::kprobe>(on_entry, counts, entries);
    auto ret = bpfxx::load<bpfxx::prog_type::kprobe>(on_return, counts, entries);
    const auto sym = bpfxx::elf::find_function("/proc/self/exe", "fibonacci");
    if (!sym) throw bpfxx::error(ENOENT, "find_function", "fibonacci");
    std::printf("fibonacci: %llu bytes at file offset 0x%llx\n", static_cast<unsigned long long>(sym->size),
                static_cast<unsigned long long>(sym->file_offset));
    auto l1 = bpfxx::attach_uprobe(entry, "/proc/self/exe", "fibonacci", {.pid = ::getpid()});
    auto l2 = bpfxx::attach_uprobe(ret, "/proc/self/exe", "fibonacci", {.retprobe = true, .pid = ::getpid()});
    std::printf("attached: %s\n          %s\n", l1.target().c_str(), l2.target().c_str());

    constexpr std::uint32_t n = 1000;
    std::uint64_t sum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < n; ++i) sum += target(i % 90);
    const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
    const auto seen = counts.lookup(0).value_or(0);
    const auto ns = counts.lookup(1).value_or(0);
    const auto returns = counts.lookup(2).value_or(0);
    std::printf("called fibonacci %u times (checksum %llu) in %lld ns; the uprobe counted %llu calls, the uretprobe "
                "%llu returns and %llu ns inside (%.0f ns per call)\n",
                n, static_cast<unsigned long long>(sum), static_cast<long long>(wall.count()),
                static_cast<unsigned long long>(seen), static_cast<unsigned long long>(returns),
                static_cast<unsigned long long>(ns), seen ? static_cast<double>(ns) / static_cast<double>(seen) : 0.0);
    // The time inside lies between the probes, which lie inside the loop.
    const bool ok = seen == n && returns == n && ns > 0 && ns < static_cast<std::uint64_t>(wall.count());
    if (!ok) std::puts("the probes saw something other than the calls that were made");
    return ok ? 0 : 1;
}

} // namespace

int main() {
    if (auto code = bpfxx::testing::exit_unless("uprobe_count", bpfxx::attach_kind::uprobe)) return *code;
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "uprobe_count: %s\n", e.what());
        return 1;
    }
}
