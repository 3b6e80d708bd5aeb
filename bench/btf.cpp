// Reading the kernel's BTF: bpfxx::btf against libbpf (the baseline, when
// installed), in the same run, doing the same work.
//
//   open_find/*       open /sys/kernel/btf/vmlinux, parse it, find STRUCT task_struct, free everything
//                     (libbpf: btf__parse + btf__find_by_name_kind + btf__free)
//   open_find_last/*  the same for the last STRUCT of vmlinux, and
//   open_find_missing/* for a name no type has: bpfxx indexes a kind's names only as far as a
//                     lookup needs (task_struct is type 114 of 125,868), these index them all
//   open_find_cold/*  open + find task_struct in a fresh process (bench_btf --child), timed inside
//                     it: what a tool pays once, page faults of its new memory included
//   open_find_missing_cold/*  the same for a missing name
//   rss_growth/*      resident memory that process gained by open + find task_struct (KiB,
//                     counter rss_kib; the time of these runs is not a figure), and
//   rss_growth_missing/* by open + find of a missing name (bpfxx: every record walked, every
//                     STRUCT name indexed)
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

std::uint32_t bpfxx_open_find(const char* name) {
    const auto t = btf::vmlinux();
    const auto s = t.find(name, btf::kind::struct_);
    return s ? s->id() : 1; // (1: a missing name, found missing)
}

#ifdef BPFXX_HAVE_LIBBPF
std::uint32_t libbpf_open_find(const char* name) {
    struct btf* b = btf__parse(vmlinux_path, nullptr);
    if (b == nullptr) return 0;
    const int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
    btf__free(b);
    return id > 0 ? static_cast<std::uint32_t>(id) : 1;
}
#endif

void open_find(benchmark::State& state, std::uint32_t (*f)(const char*), const char* name) {
    for (auto _ : state) {
        const auto id = f(name);
        if (id == 0) {
            state.SkipWithError("vmlinux could not be read");
            return;
        }
        benchmark::DoNotOptimize(id);
    }
}

/// What a child measured: nanoseconds of open + find, and resident KiB gained while holding the result.
struct child_result {
    double ns = -1;
    long rss_kib = 0;
};

/// The child's side (`bench_btf --child <impl> <name>`): a fresh process, so
/// that the page faults of new memory are paid and RSS growth is not hidden
/// by memory an earlier benchmark freed.
int child_main(std::string_view impl, const char* name) {
    const long before = rss_kib();
    const auto t0 = std::chrono::steady_clock::now();
    double ns = 0;
    long grown = 0;
    const auto done = [&] {
        ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
        grown = rss_kib() - before;
    };
    if (impl == "bpfxx") {
        const auto t = btf::vmlinux();
        const auto s = t.find(name, btf::kind::struct_);
        benchmark::DoNotOptimize(s);
        done();
    }
#ifdef BPFXX_HAVE_LIBBPF
    else if (impl == "libbpf") {
        struct btf* b = btf__parse(vmlinux_path, nullptr);
        const int id = b != nullptr ? btf__find_by_name_kind(b, name, BTF_KIND_STRUCT) : -1;
        benchmark::DoNotOptimize(id);
        done();
        btf__free(b);
    }
#endif
    else {
        return 2;
    }
    std::printf("%.0f %ld\n", ns, grown);
    return 0;
}

child_result in_child(const char* impl, const char* name) {
    char self[4096] = {};
    if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return {};
    const std::string cmd = std::string(self) + " --child " + impl + " " + name;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return {};
    child_result r;
    if (std::fscanf(p, "%lf %ld", &r.ns, &r.rss_kib) != 2) r.ns = -1;
    if (::pclose(p) != 0) r.ns = -1;
    return r;
}

void cold(benchmark::State& state, const char* impl, const char* name) {
    for (auto _ : state) {
        const auto r = in_child(impl, name);
        if (r.ns < 0) {
            state.SkipWithError("the child failed");
            return;
        }
        state.SetIterationTime(r.ns / 1e9);
    }
}

void rss(benchmark::State& state, const char* impl, const char* name) {
    long sum = 0, n = 0;
    for (auto _ : state) {
        const auto r = in_child(impl, name);
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

struct figures {
    std::vector<std::pair<std::string, std::vector<double>>> times; // run name → per-repetition ns per iteration
    std::vector<std::pair<std::string, std::vector<double>>> rss;   // run name → per-repetition rss_kib
};

/// A reporter of either format (console, or JSON for bench/report.py) that
/// also keeps every repetition's figures for the summary.
template <class Reporter>
struct collector : Reporter, figures {

    static std::vector<double>& slot(std::vector<std::pair<std::string, std::vector<double>>>& v, const std::string& k) {
        for (auto& [name, xs] : v)
            if (name == k) return xs;
        v.emplace_back(k, std::vector<double>{});
        return v.back().second;
    }

    using Run = benchmark::BenchmarkReporter::Run;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations == 0) continue;
            const std::string name = r.run_name.str();
            slot(times, name).push_back(r.GetAdjustedRealTime() * multiplier(r.time_unit));
            if (const auto c = r.counters.find("rss_kib"); c != r.counters.end()) slot(rss, name).push_back(c->second);
        }
        Reporter::ReportRuns(runs);
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

/// Where the summary goes: stdout, or stderr when stdout carries
/// --benchmark_format=json for bench/report.py.
FILE* summary_out = stdout;

/// libbpf's figure over bpfxx's: median ratio and the range of ratios over repetition pairs.
void print_ratio(const char* what, const std::vector<double>& bpfxx_v, const std::vector<double>& libbpf_v,
                 const char* unit, const char* target) {
    if (bpfxx_v.empty() || libbpf_v.empty()) return;
    std::vector<double> ratios;
    for (std::size_t i = 0; i < std::min(bpfxx_v.size(), libbpf_v.size()); ++i)
        if (bpfxx_v[i] > 0) ratios.push_back(libbpf_v[i] / bpfxx_v[i]);
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    std::fprintf(summary_out, "%-16s bpfxx %10.3f %s (%.3f..%.3f)  libbpf %10.3f %s (%.3f..%.3f)  libbpf/bpfxx %.1fx (%.1f..%.1f)  "
                "target %s%s\n",
                what, median(bpfxx_v), unit, *std::min_element(bpfxx_v.begin(), bpfxx_v.end()),
                *std::max_element(bpfxx_v.begin(), bpfxx_v.end()), median(libbpf_v), unit,
                *std::min_element(libbpf_v.begin(), libbpf_v.end()), *std::max_element(libbpf_v.begin(), libbpf_v.end()),
                median(libbpf_v) / median(bpfxx_v), ratios.empty() ? 0 : *lo, ratios.empty() ? 0 : *hi, target,
                *lo > 1 || *hi < 1 ? "" : "  (inside the noise)");
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string_view(argv[1]) == "--child") return child_main(argv[2], argv[3]);
    if (::access(vmlinux_path, R_OK) != 0) {
        std::fprintf(stderr, "bench_btf: %s is not readable: nothing to measure\n", vmlinux_path);
        return 0;
    }
    // The last STRUCT of vmlinux: a lookup that must walk every type before it.
    static const std::string last_struct = [] {
        const auto t = bpfxx::btf::vmlinux(); // (qualified: libbpf.h declares a global struct btf)
        std::string name;
        for (const auto ty : t)
            if (ty.kind() == bpfxx::btf::kind::struct_ && !ty.name().empty()) name = ty.name();
        return name;
    }();
    const auto reg = [](const std::string& name, auto&&... args) {
        return benchmark::RegisterBenchmark(name.c_str(), std::forward<decltype(args)>(args)...);
    };
    const char* impls[] = {"bpfxx",
#ifdef BPFXX_HAVE_LIBBPF
                           "libbpf"
#endif
    };
    for (const char* im : impls) {
        const std::string impl = im;
        const auto f = impl == "bpfxx" ? &bpfxx_open_find :
#ifdef BPFXX_HAVE_LIBBPF
                                       &libbpf_open_find;
#else
                                       &bpfxx_open_find;
#endif
        reg("open_find/" + impl, open_find, f, "task_struct")->Unit(benchmark::kMicrosecond);
        reg("open_find_last/" + impl, open_find, f, last_struct.c_str())->Unit(benchmark::kMicrosecond);
        reg("open_find_missing/" + impl, open_find, f, missing_name)->Unit(benchmark::kMicrosecond);
        reg("open_find_cold/" + impl, [im](benchmark::State& s) { cold(s, im, "task_struct"); })
            ->UseManualTime()->Iterations(20)->Unit(benchmark::kMicrosecond);
        reg("open_find_missing_cold/" + impl, [im](benchmark::State& s) { cold(s, im, missing_name); })
            ->UseManualTime()->Iterations(20)->Unit(benchmark::kMicrosecond);
        reg("rss_growth/" + impl, [im](benchmark::State& s) { rss(s, im, "task_struct"); })
            ->Iterations(10)->Unit(benchmark::kMicrosecond);
        reg("rss_growth_missing/" + impl, [im](benchmark::State& s) { rss(s, im, missing_name); })
            ->Iterations(10)->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark("find_missing/bpfxx", bpfxx_find, missing_name);
    benchmark::RegisterBenchmark("find_hit/bpfxx", bpfxx_find, "task_struct");
#ifdef BPFXX_HAVE_LIBBPF
    libbpf_set_print(nullptr);
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
    if (given("--benchmark_format=json")) summary_out = stderr;
    // bench/report.py's baselines (bench/baselines.hpp): libbpf where it is installed. The
    // rss_growth groups' times are not figures (their counter rss_kib is; see the summary).
    for (const char* group : {"open_find", "open_find_last", "open_find_missing", "open_find_cold",
                              "open_find_missing_cold", "rss_growth", "rss_growth_missing", "find_missing", "find_hit"})
        benchmark::AddCustomContext(std::string("baseline:") + group, impls[std::size(impls) - 1]);

    figures c;
    if (summary_out == stderr) {
        collector<benchmark::JSONReporter> r;
        benchmark::RunSpecifiedBenchmarks(&r);
        c = r;
    } else {
        collector<benchmark::ConsoleReporter> r;
        benchmark::RunSpecifiedBenchmarks(&r);
        c = r;
    }
    benchmark::Shutdown();

    // Run names carry suffixes ("/iterations:20/manual_time"): match the registered prefix.
    const auto by_prefix = [](const auto& runs, const std::string& name) {
        for (auto& [k, v] : runs)
            if (k == name || k.rfind(name + "/", 0) == 0) return v;
        return std::vector<double>{};
    };
    const auto times = [&](const char* name) { return by_prefix(c.times, name); };
    const auto rss_of = [&](const char* name) { return by_prefix(c.rss, name); };
    std::fprintf(summary_out, "\nlibbpf over bpfxx, medians over repetitions (min..max), ratio range over repetition pairs:\n");
    const auto us = [](std::vector<double> v) {
        for (double& x : v) x /= 1e3;
        return v;
    };
    print_ratio("open_find", us(times("open_find/bpfxx")), us(times("open_find/libbpf")), "us", ">= 5x");
    print_ratio("open_find_last", us(times("open_find_last/bpfxx")), us(times("open_find_last/libbpf")), "us",
                "(information)");
    print_ratio("open_find_missing", us(times("open_find_missing/bpfxx")), us(times("open_find_missing/libbpf")), "us",
                "(information)");
    print_ratio("open_find_cold", us(times("open_find_cold/bpfxx")), us(times("open_find_cold/libbpf")), "us",
                "(information)");
    print_ratio("open_find_missing_cold", us(times("open_find_missing_cold/bpfxx")),
                us(times("open_find_missing_cold/libbpf")), "us", "(information)");
    print_ratio("find_missing", times("find_missing/bpfxx"), times("find_missing/libbpf"), "ns", ">= 100x");
    print_ratio("find_hit", times("find_hit/bpfxx"), times("find_hit/libbpf"), "ns", "(information)");
    print_ratio("rss_growth", rss_of("rss_growth/bpfxx"), rss_of("rss_growth/libbpf"), "KiB",
                ">= 4x (bpfxx adds <= 1/4)");
    print_ratio("rss_growth_missing", rss_of("rss_growth_missing/bpfxx"), rss_of("rss_growth_missing/libbpf"), "KiB",
                ">= 4x");
    std::fprintf(summary_out, "(open_find_last looks up '%s', the last STRUCT of vmlinux)\n", last_struct.c_str());
    return 0;
}
