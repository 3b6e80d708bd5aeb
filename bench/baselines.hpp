#pragma once
// The main() of every benchmark program: Google Benchmark's own, plus the
// baseline of each group written into the output's context
// (`"baseline:<group>": "<implementation>"`), where bench/report.py reads it.
// A group's baseline is declared next to the benchmarks that make the group,
// and the report fails when a group has none or its baseline did not run.
#include <benchmark/benchmark.h>

#include <initializer_list>
#include <string>

namespace bpfxx_bench {

/// Benchmarks are named `<group>/<implementation>`; `implementation` is the
/// one the others of `group` are shown as ratios to. It does the same work.
struct baseline {
    const char* group;
    const char* implementation;
};

inline int run_benchmarks(int argc, char** argv, std::initializer_list<baseline> baselines) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    for (const baseline& b : baselines) benchmark::AddCustomContext(std::string("baseline:") + b.group, b.implementation);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

} // namespace bpfxx_bench
