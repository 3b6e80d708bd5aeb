// static_check's run time as a function of the program's size, on the worst
// inputs found for its data-flow stage (tests/common/loop_nests.hpp), next to
// a loop-free program of the same size, which the analysis sweeps once.
//
// Groups: check_<slots> (about 512, 4,096 and 30,000 slots).
// Implementations (bench/report.py shows each as a ratio to `loop_free`):
//   loop_free   straight-line stack stores and loads, helper calls, branches
//   loop_nest   a nest of while loops losing a fact one level at a time
//   byte_waves  stack bytes lost one per level of a nest, then a long chain
// Counters: time_per_slot, analyses_per_slot (instructions the data-flow stage
// analysed per slot: 1 without loops). Linear time shows as the same
// time_per_slot at every size, and the same ratios to loop_free in every group.
#include "../tests/common/loop_nests.hpp"

#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>

#include "baselines.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using namespace bpfxx::ops;
using bpfxx::insn;

namespace {

constexpr std::size_t capacity = 32768;
bpfxx::check_workspace<capacity> workspace;

std::vector<insn> loop_free(std::size_t slots) {
    std::vector<insn> p;
    p.push_back(mov(r6, r1));
    for (int k = 0; p.size() + 10 <= slots - 2; ++k) {
        const auto off = static_cast<std::int16_t>(-8 * (k % 60 + 3));
        p.insert(p.end(), {mov(r1, k), stx<std::uint64_t>(r10, off, r1), ldx<std::uint64_t>(r2, r10, off),
                           add(r2, r1), jeq(r2, 5, 2), mov(r3, r2), mul(r3, 3), mov(r2, r10), add(r2, -16)});
        p.push_back(call(bpfxx::helper::ktime_get_ns));
    }
    while (p.size() < slots - 2) p.push_back(mov(r0, 1));
    p.push_back(mov(r0, 0));
    p.push_back(exit());
    return p;
}

std::vector<insn> loop_nest(std::size_t slots) {
    const std::size_t depth = (slots - 4) / 2;
    std::vector<insn> p(bpfxx_test::loop_nest_size(depth));
    bpfxx_test::loop_nest(p, depth, false);
    return p;
}

// sqrt(slots / 3) levels (at most 100: 16-bit jumps), the rest a chain
std::vector<insn> byte_waves(std::size_t slots) {
    std::size_t levels = 1;
    while ((levels + 1) * (levels + 1) * 3 <= slots && levels < 100) ++levels;
    const std::size_t chain = slots - bpfxx_test::byte_waves_size(levels, 0);
    std::vector<insn> p(bpfxx_test::byte_waves_size(levels, chain));
    bpfxx_test::byte_waves(p, levels, chain);
    return p;
}

void check(benchmark::State& state, std::vector<insn> (*make)(std::size_t), std::size_t slots) {
    const auto prog = make(slots);
    const bpfxx::check_options loops{.allow_back_edges = true};
    if (!bpfxx::static_check(std::span<const insn>(prog), workspace, loops)) {
        state.SkipWithError("the program does not pass the check");
        return;
    }
    for (auto _ : state) {
        auto report = bpfxx::static_check(std::span<const insn>(prog), workspace, loops);
        benchmark::DoNotOptimize(report);
    }
    state.counters["slots"] = static_cast<double>(prog.size());
    state.counters["analyses_per_slot"] = static_cast<double>(workspace.analyses()) / static_cast<double>(prog.size());
    // seconds per slot (printed with an SI prefix: 50n is 50 ns)
    state.counters["time_per_slot"] = benchmark::Counter(
        static_cast<double>(prog.size()), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void register_all() {
    for (const std::size_t slots : {512u, 4096u, 30000u}) {
        const auto group = "check_" + std::to_string(slots);
        benchmark::RegisterBenchmark((group + "/loop_free").c_str(), check, loop_free, slots);
        benchmark::RegisterBenchmark((group + "/loop_nest").c_str(), check, loop_nest, slots);
        benchmark::RegisterBenchmark((group + "/byte_waves").c_str(), check, byte_waves, slots);
    }
}

} // namespace

int main(int argc, char** argv) {
    register_all();
    // a loop-free program of the same size: the same check with nothing to iterate
    return bpfxx_bench::run_benchmarks(argc, argv, {{"check_512", "loop_free"}, {"check_4096", "loop_free"},
                                                    {"check_30000", "loop_free"}});
}
