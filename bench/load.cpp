// Loading sock_example (map create + program load + close of both): bpfxx
// against the raw syscalls it needs and, when installed, libbpf's
// bpf_object__open_file + load + close of the same program compiled by clang
// (bench/bpf/sock_example.bpf.c). Run bench/report.py for ratios.
#include <bpfxx/bpfxx.hpp>
#include "../tests/common/sock_example.hpp"

#include <benchmark/benchmark.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#if defined(BPFXX_HAVE_LIBBPF) && defined(BPFXX_BENCH_BPF_OBJECT)
#include <bpf/libbpf.h>
#endif


namespace {

using bpfxx_test::counters;
using bpfxx_test::sock_example;

// The floor: the same two syscalls bpfxx makes, the map passed through fd_array.
// With `patch_fd` the map fd is written into a copy of the instructions instead
// (BPF_PSEUDO_MAP_FD), as hand-written loaders do.
void load_raw(benchmark::State& state, bool patch_fd) {
    for (auto _ : state) {
        bpfxx::sys::map_create_attr m{};
        m.map_type = 2;
        m.key_size = 4;
        m.value_size = 8;
        m.max_entries = 256;
        const long map_fd = ::syscall(__NR_bpf, 0, &m, sizeof m);
        if (map_fd < 0) state.SkipWithError("map create");
        auto insns = sock_example.insns;
        const int fd_array[] = {static_cast<int>(map_fd)};
        if (patch_fd) {
            insns[5].src_reg = bpfxx::pseudo::map_fd;
            insns[5].imm = static_cast<std::int32_t>(map_fd);
        }
        bpfxx::sys::prog_load_attr p{};
        if (!patch_fd) p.fd_array = reinterpret_cast<std::uint64_t>(fd_array);
        p.prog_type = 1;
        p.insn_cnt = insns.size();
        p.insns = reinterpret_cast<std::uint64_t>(insns.data());
        p.license = reinterpret_cast<std::uint64_t>("GPL");
        const long prog_fd = ::syscall(__NR_bpf, 5, &p, sizeof p);
        if (prog_fd < 0) state.SkipWithError("prog load");
        ::close(static_cast<int>(prog_fd));
        ::close(static_cast<int>(map_fd));
    }
}

void load_bpfxx(benchmark::State& state) {
    for (auto _ : state) {
        auto map = counters::create();
        auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(sock_example, map);
        benchmark::DoNotOptimize(prog.fd());
    }
}

#if defined(BPFXX_HAVE_LIBBPF) && defined(BPFXX_BENCH_BPF_OBJECT)
void load_libbpf(benchmark::State& state) {
    libbpf_set_print(nullptr);
    for (auto _ : state) {
        bpf_object* obj = bpf_object__open_file(BPFXX_BENCH_BPF_OBJECT, nullptr);
        if (obj == nullptr || bpf_object__load(obj) != 0) state.SkipWithError("libbpf open/load");
        bpf_object__close(obj);
    }
}
BENCHMARK(load_libbpf)->Name("load_sock_example/libbpf")->Unit(benchmark::kMicrosecond);
#endif

BENCHMARK_CAPTURE(load_raw, fd_array, false)->Name("load_sock_example/raw_syscall")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(load_raw, patched, true)->Name("load_sock_example/raw_syscall_patched_fd")->Unit(benchmark::kMicrosecond);
BENCHMARK(load_bpfxx)->Name("load_sock_example/bpfxx")->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
