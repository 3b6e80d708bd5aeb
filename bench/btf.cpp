// Reading the kernel's BTF: bpfxx::btf against libbpf (the baseline, when
// installed), in the same run, doing the same work.
//
//   open_find/*       open /sys/kernel/btf/vmlinux, parse it, find STRUCT task_struct, free everything
//                     (libbpf: btf__parse + btf__find_by_name_kind + btf__free)
//   open_find_cold/*  the same in a freshly forked child, timed inside the child: what a tool
//                     pays once, page faults of its new memory included
//   rss_growth/*      resident memory the child gained by open + find (KiB, counter rss_kib;
//                     the time of these runs is not a figure)
//   find_missing/*    a lookup of a name no type has, on an opened BTF (libbpf scans every type;
//                     bpfxx hashes the name into its index)
//   find_hit/*        a lookup of task_struct on an opened BTF
//
// Repetitions are interleaved at random (--benchmark_enable_random_interleaving), so drift
// of the shared machine hits both implementations alike. After the runs the program prints
// each ratio bpfxx : libbpf as the median over repetitions with the range of per-repetition
// ratios (min..max): a ratio whose range includes 1 is inside the noise.
#include <bpfxx/btf/sysfs.hpp>
#include <bpfxx/btf/types.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#ifdef BPFXX_HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

namespace {

namespace btf = bpfxx::btf;
constexpr const char* vmlinux_path = "/sys/kernel/btf/vmlinux";
constexpr const char* missing_name = "bpfxx_no_such_type";

long rss_kib() {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

std::uint32_t bpfxx_open_find() {
    const auto t = btf::vmlinux();
    const auto s = t.find("task_struct", btf::kind::struct_);
    return s ? s->id() : 0;
}

#ifdef BPFXX_HAVE_LIBBPF
std::uint32_t libbpf_open_find() {
    struct btf* b = btf__parse(vmlinux_path, nullptr);
    if (b == nullptr) return 0;
    const int id = btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT);
    btf__free(b);
    return id > 0 ? static_cast<std::uint32_t>(id) : 0;
}
#endif

void open_find(benchmark::State& state, std::uint32_t (*f)()) {
    for (auto _ : state) {
        const auto id = f();
        if (id == 0) {
            state.SkipWithError("task_struct not found");
            return;
        }
        benchmark::DoNotOptimize(id);
    }
}

/// What a child measured: nanoseconds of open + find, and resident KiB gained while holding the result.
struct child_result {
    double ns = 0;
    long rss_kib = 0;
};

/// Forks; the child runs `open` (which opens, finds, and keeps the object until it measured RSS).
template <class Open>
child_result in_child(Open open) {
    int fds[2];
    if (::pipe(fds) != 0) return {-1, 0};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const long before = rss_kib();
        const auto t0 = std::chrono::steady_clock::now();
        child_result r;
        open([&] {
            r.ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
            r.rss_kib = rss_kib() - before;
        });
        const auto n = ::write(fds[1], &r, sizeof r);
        ::_exit(n == sizeof r ? 0 : 1);
    }
    ::close(fds[1]);
    child_result r{-1, 0};
    if (pid < 0 || ::read(fds[0], &r, sizeof r) != sizeof r) r.ns = -1;
    ::close(fds[0]);
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
    return r;
}

void bpfxx_in_child(auto done) {
    const auto t = btf::vmlinux();
    const auto s = t.find("task_struct", btf::kind::struct_);
    benchmark::DoNotOptimize(s);
    done();
}

#ifdef BPFXX_HAVE_LIBBPF
void libbpf_in_child(auto done) {
    struct btf* b = btf__parse(vmlinux_path, nullptr);
    const int id = b != nullptr ? btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT) : -1;
    benchmark::DoNotOptimize(id);
    done();
    btf__free(b);
}
#endif

template <class Open>
void cold(benchmark::State& state, Open open) {
    for (auto _ : state) {
        const auto r = in_child(open);
        if (r.ns < 0) {
            state.SkipWithError("the child failed");
            return;
        }
        state.SetIterationTime(r.ns / 1e9);
    }
}

template <class Open>
void rss(benchmark::State& state, Open open) {
    long sum = 0, n = 0;
    for (auto _ : state) {
        const auto r = in_child(open);
        if (r.ns < 0) {
            state.SkipWithError("the child failed");
            return;
        }
        sum += r.rss_kib;
        ++n;
    }
    state.counters["rss_kib"] = n == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(n);
}

const btf::types& opened_bpfxx() {
    static const btf::types t = [] {
        auto v = btf::vmlinux();
        (void)v.find("task_struct"); // builds the name index: the loop measures lookups only
        return v;
    }();
    return t;
}

void bpfxx_find(benchmark::State& state, const char* name) {
    const auto& t = opened_bpfxx();
    for (auto _ : state) {
        auto r = t.find(name, btf::kind::struct_);
        benchmark::DoNotOptimize(r);
    }
}

#ifdef BPFXX_HAVE_LIBBPF
struct btf* opened_libbpf() {
    static struct btf* b = btf__parse(vmlinux_path, nullptr);
    return b;
}

void libbpf_find(benchmark::State& state, const char* name) {
    struct btf* b = opened_libbpf();
    if (b == nullptr) {
        state.SkipWithError("btf__parse failed");
        return;
    }
    for (auto _ : state) {
        const int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
        benchmark::DoNotOptimize(id);
    }
}
#endif

// ---------------------------------------------------------------------------
// The summary: ratios from every repetition's figures.

struct collector : benchmark::ConsoleReporter {
    std::vector<std::pair<std::string, std::vector<double>>> times; // run name → per-repetition ns per iteration
    std::vector<std::pair<std::string, std::vector<double>>> rss;   // run name → per-repetition rss_kib

    static std::vector<double>& slot(std::vector<std::pair<std::string, std::vector<double>>>& v, const std::string& k) {
        for (auto& [name, xs] : v)
            if (name == k) return xs;
        v.emplace_back(k, std::vector<double>{});
        return v.back().second;
    }

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations == 0) continue;
            const std::string name = r.run_name.str();
            slot(times, name).push_back(r.GetAdjustedRealTime() * multiplier(r.time_unit));
            if (const auto c = r.counters.find("rss_kib"); c != r.counters.end()) slot(rss, name).push_back(c->second);
        }
        ConsoleReporter::ReportRuns(runs);
    }

    static double multiplier(benchmark::TimeUnit u) {
        switch (u) {
        case benchmark::kSecond: return 1e9;
        case benchmark::kMillisecond: return 1e6;
        case benchmark::kMicrosecond: return 1e3;
        default: return 1;
        }
    }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n == 0 ? 0 : (n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/// libbpf's figure over bpfxx's: median ratio and the range of ratios over repetition pairs.
void print_ratio(const char* what, const std::vector<double>& bpfxx_v, const std::vector<double>& libbpf_v,
                 const char* unit, const char* target) {
    if (bpfxx_v.empty() || libbpf_v.empty()) return;
    std::vector<double> ratios;
    for (std::size_t i = 0; i < std::min(bpfxx_v.size(), libbpf_v.size()); ++i)
        if (bpfxx_v[i] > 0) ratios.push_back(libbpf_v[i] / bpfxx_v[i]);
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    std::printf("%-16s bpfxx %10.3f %s (%.3f..%.3f)  libbpf %10.3f %s (%.3f..%.3f)  libbpf/bpfxx %.1fx (%.1f..%.1f)  "
                "target %s%s\n",
                what, median(bpfxx_v), unit, *std::min_element(bpfxx_v.begin(), bpfxx_v.end()),
                *std::max_element(bpfxx_v.begin(), bpfxx_v.end()), median(libbpf_v), unit,
                *std::min_element(libbpf_v.begin(), libbpf_v.end()), *std::max_element(libbpf_v.begin(), libbpf_v.end()),
                median(libbpf_v) / median(bpfxx_v), ratios.empty() ? 0 : *lo, ratios.empty() ? 0 : *hi, target,
                *lo > 1 || *hi < 1 ? "" : "  (inside the noise)");
}

} // namespace

int main(int argc, char** argv) {
    if (::access(vmlinux_path, R_OK) != 0) {
        std::fprintf(stderr, "bench_btf: %s is not readable: nothing to measure\n", vmlinux_path);
        return 0;
    }
    benchmark::RegisterBenchmark("open_find/bpfxx", open_find, &bpfxx_open_find)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("open_find_cold/bpfxx", [](benchmark::State& s) { cold(s, [](auto d) { bpfxx_in_child(d); }); })
        ->UseManualTime()->Iterations(20)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("rss_growth/bpfxx", [](benchmark::State& s) { rss(s, [](auto d) { bpfxx_in_child(d); }); })
        ->Iterations(10)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("find_missing/bpfxx", bpfxx_find, missing_name);
    benchmark::RegisterBenchmark("find_hit/bpfxx", bpfxx_find, "task_struct");
#ifdef BPFXX_HAVE_LIBBPF
    libbpf_set_print(nullptr);
    benchmark::RegisterBenchmark("open_find/libbpf", open_find, &libbpf_open_find)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("open_find_cold/libbpf", [](benchmark::State& s) { cold(s, [](auto d) { libbpf_in_child(d); }); })
        ->UseManualTime()->Iterations(20)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("rss_growth/libbpf", [](benchmark::State& s) { rss(s, [](auto d) { libbpf_in_child(d); }); })
        ->Iterations(10)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("find_missing/libbpf", libbpf_find, missing_name)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("find_hit/libbpf", libbpf_find, "task_struct")->Unit(benchmark::kMicrosecond);
#endif

    // Defaults that make the summary meaningful; the command line overrides them.
    std::vector<char*> args(argv, argv + argc);
    std::string reps = "--benchmark_repetitions=10", interleave = "--benchmark_enable_random_interleaving=true";
    const auto given = [&](const char* flag) {
        for (int i = 1; i < argc; ++i)
            if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) return true;
        return false;
    };
    if (!given("--benchmark_repetitions")) args.push_back(reps.data());
    if (!given("--benchmark_enable_random_interleaving")) args.push_back(interleave.data());
    int n = static_cast<int>(args.size());
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

    collector c;
    benchmark::RunSpecifiedBenchmarks(&c);
    benchmark::Shutdown();

    // Run names carry suffixes ("/iterations:20/manual_time"): match the registered prefix.
    const auto by_prefix = [](const auto& runs, const std::string& name) {
        for (auto& [k, v] : runs)
            if (k == name || k.rfind(name + "/", 0) == 0) return v;
        return std::vector<double>{};
    };
    const auto times = [&](const char* name) { return by_prefix(c.times, name); };
    const auto rss_of = [&](const char* name) { return by_prefix(c.rss, name); };
    std::printf("\nlibbpf over bpfxx, medians over repetitions (min..max), ratio range over repetition pairs:\n");
    const auto us = [](std::vector<double> v) {
        for (double& x : v) x /= 1e3;
        return v;
    };
    print_ratio("open_find", us(times("open_find/bpfxx")), us(times("open_find/libbpf")), "us", ">= 5x");
    print_ratio("open_find_cold", us(times("open_find_cold/bpfxx")), us(times("open_find_cold/libbpf")), "us",
                "(information)");
    print_ratio("find_missing", times("find_missing/bpfxx"), times("find_missing/libbpf"), "ns", ">= 100x");
    print_ratio("find_hit", times("find_hit/bpfxx"), times("find_hit/libbpf"), "ns", "(information)");
    print_ratio("rss_growth", rss_of("rss_growth/bpfxx"), rss_of("rss_growth/libbpf"), "KiB",
                ">= 4x (bpfxx adds <= 1/4)");
    return 0;
}
