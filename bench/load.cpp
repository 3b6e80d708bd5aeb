// Loading sock_example: map create + program load + close of both.
// Run bench/report.py for ratios with their spread.
//
// Implementations (group load_sock_example, ratios to raw_syscall):
//   raw_syscall             the two bpf() calls bpfxx makes, by hand, the map
//                           passed through fd_array: the baseline
//   raw_syscall_patched_fd  the same with the map fd written into a copy of
//                           the instructions (BPF_PSEUDO_MAP_FD), as
//                           hand-written loaders do
//   bpfxx                   counters::create() + bpfxx::load(sock_example, map)
//   libbpf                  libbpf's bpf_map_create + bpf_prog_load (fd_array):
//                           the same two calls through libbpf's low-level API
//   libbpf_end_to_end       bpf_object__open_file + bpf_object__load + close of
//                           the same program compiled by clang
//                           (bench/bpf/sock_example.bpf.c): ELF parsing, BTF
//                           load, feature probes and load: more work than the
//                           others, shown for scale, not as a like-for-like ratio
//
// What a load costs depends on what the kernel did just before it: here a
// load right after another took ~80 us, the first one after 50 ms idle
// ~300 us; closing a program or map only starts its release, which the
// kernel finishes later, inside whatever runs next (a small effect here, ~2%);
// and on a shared machine other tasks take the CPU for milliseconds (wall
// time per load: median ~0.1 ms, 99th percentile ~4 ms). Measured one
// implementation after the other, in wall time, each implementation met a
// different kernel and machine state, and the ratios followed the order and
// the moment (bpfxx once measured 0.79x of the raw syscalls that it makes
// itself). So:
// - every iteration is a round of all the implementations in a fresh random
//   order, and each benchmark times only its own load in the round: every
//   implementation runs amid the same mix of states and deferred frees;
// - the time is the thread's CPU time (the syscalls' work in the kernel,
//   and interrupts that land in them), not wall time, which counts other tasks;
// - the counter x_raw_syscall_paired is the ratio to raw_syscall over the same
//   rounds, from which load that comes and goes between benchmarks cancels out.
#include "baselines.hpp"

#include <bpfxx/bpfxx.hpp>
#include "../tests/common/sock_example.hpp"

#include <benchmark/benchmark.h>

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <string_view>

#ifdef BPFXX_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

namespace {

using bpfxx_test::counters;
using bpfxx_test::sock_example;

// ---- one load and close each; false when a call failed ------------------------------

bool load_raw(bool patch_fd) {
    bpfxx::sys::map_create_attr m{};
    m.map_type = 2; // BPF_MAP_TYPE_ARRAY
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 256;
    const long map_fd = ::syscall(__NR_bpf, 0 /* BPF_MAP_CREATE */, &m, sizeof m);
    if (map_fd < 0) return false;
    auto insns = sock_example.insns;
    const int fd_array[] = {static_cast<int>(map_fd)};
    if (patch_fd) {
        insns[5].src_reg = bpfxx::pseudo::map_fd;
        insns[5].imm = static_cast<std::int32_t>(map_fd);
    }
    bpfxx::sys::prog_load_attr p{};
    if (!patch_fd) p.fd_array = reinterpret_cast<std::uint64_t>(fd_array);
    p.prog_type = 1; // BPF_PROG_TYPE_SOCKET_FILTER
    p.insn_cnt = insns.size();
    p.insns = reinterpret_cast<std::uint64_t>(insns.data());
    p.license = reinterpret_cast<std::uint64_t>("GPL");
    const long prog_fd = ::syscall(__NR_bpf, 5 /* BPF_PROG_LOAD */, &p, sizeof p);
    if (prog_fd >= 0) ::close(static_cast<int>(prog_fd));
    ::close(static_cast<int>(map_fd));
    return prog_fd >= 0;
}

bool load_bpfxx() {
    try {
        auto map = counters::create();
        auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(sock_example, map);
        benchmark::DoNotOptimize(prog.fd());
        return true;
    } catch (const bpfxx::error&) {
        return false;
    }
}

#ifdef BPFXX_HAVE_LIBBPF
bool load_libbpf() {
    const int map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, nullptr, 4, 8, 256, nullptr);
    if (map_fd < 0) return false;
    const int fd_array[] = {map_fd};
    bpf_prog_load_opts opts{};
    opts.sz = sizeof opts;
    opts.fd_array = fd_array;
    const int prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, nullptr, "GPL",
                                      reinterpret_cast<const bpf_insn*>(sock_example.insns.data()),
                                      sock_example.insns.size(), &opts);
    if (prog_fd >= 0) ::close(prog_fd);
    ::close(map_fd);
    return prog_fd >= 0;
}

#ifdef BPFXX_BENCH_BPF_OBJECT
bool load_libbpf_end_to_end() {
    bpf_object* obj = bpf_object__open_file(BPFXX_BENCH_BPF_OBJECT, nullptr);
    if (obj == nullptr) return false;
    const bool loaded = bpf_object__load(obj) == 0;
    bpf_object__close(obj);
    return loaded;
}
#endif
#endif

struct implementation {
    const char* name;
    bool (*load)();
};

constexpr auto implementations = std::to_array<implementation>({
    {"raw_syscall", [] { return load_raw(false); }},
    {"raw_syscall_patched_fd", [] { return load_raw(true); }},
    {"bpfxx", load_bpfxx},
#ifdef BPFXX_HAVE_LIBBPF
    {"libbpf", load_libbpf},
#ifdef BPFXX_BENCH_BPF_OBJECT
    {"libbpf_end_to_end", load_libbpf_end_to_end},
#endif
#endif
});

double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

static_assert(std::string_view(implementations[0].name) == "raw_syscall"); // the baseline, and the paired ratio's

/// One iteration: every implementation once, in a random order; the time of
/// `mine` only, and the ratio of `mine` to raw_syscall over the same rounds.
void in_rounds(benchmark::State& state, std::size_t mine) {
    std::array<std::size_t, implementations.size()> order{};
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937 rng(static_cast<std::mt19937::result_type>(mine + 1));
    double mine_total = 0, raw_total = 0;
    for (auto _ : state) {
        std::shuffle(order.begin(), order.end(), rng);
        std::array<double, implementations.size()> seconds{};
        for (const std::size_t i : order) {
            const double t0 = thread_cpu_seconds();
            const bool ok = implementations[i].load();
            seconds[i] = thread_cpu_seconds() - t0;
            if (!ok) {
                state.SkipWithError((std::string(implementations[i].name) + ": a load failed").c_str());
                return;
            }
        }
        state.SetIterationTime(seconds[mine]);
        mine_total += seconds[mine];
        raw_total += seconds[0];
    }
    state.counters["x_raw_syscall_paired"] = mine_total / raw_total;
}

} // namespace

int main(int argc, char** argv) {
#ifdef BPFXX_HAVE_LIBBPF
    libbpf_set_print(nullptr);
#endif
    for (std::size_t i = 0; i < implementations.size(); ++i)
        benchmark::RegisterBenchmark((std::string("load_sock_example/") + implementations[i].name).c_str(),
                                     in_rounds, i)
            ->UseManualTime()
            ->Iterations(1000) // fixed: an iteration is a whole round, of which one load is timed
            ->Unit(benchmark::kMicrosecond);
    return bpfxx_bench::run_benchmarks(argc, argv, {{"load_sock_example", "raw_syscall"}});
}
