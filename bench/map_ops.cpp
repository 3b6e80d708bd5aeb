// lookup/update on an array and a hash map: bpfxx against the floor (a raw
// syscall(__NR_bpf) loop) and, when installed, libbpf's bpf_map_*_elem.
// Run bench/report.py for ratios.
#include "baselines.hpp"

#include <bpfxx/maps.hpp>

#include <benchmark/benchmark.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#ifdef BPFXX_HAVE_LIBBPF
#include <bpf/bpf.h>
#endif

namespace {

using array = bpfxx::array_map<std::uint32_t, std::uint64_t, 1024>;
using hash = bpfxx::hash_map<std::uint32_t, std::uint64_t, 1024>;

// The floor: what any library must do at least, one bpf() per operation.
long raw_bpf(int cmd, void* attr, unsigned size) { return ::syscall(__NR_bpf, cmd, attr, size); }

struct raw_elem_attr {
    std::uint32_t map_fd;
    std::uint32_t pad;
    std::uint64_t key;
    std::uint64_t value;
    std::uint64_t flags;
};

template <class M>
M& filled() {
    static M m = [] {
        auto made = M::descriptor::create();
        for (std::uint32_t k = 0; k < 512; ++k) made.update(k, std::uint64_t{k} * 3);
        return made;
    }();
    return m;
}

template <class M>
void lookup_raw(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    std::uint64_t value = 0;
    for (auto _ : state) {
        raw_elem_attr a{static_cast<std::uint32_t>(m.fd()), 0, reinterpret_cast<std::uint64_t>(&key),
                        reinterpret_cast<std::uint64_t>(&value), 0};
        if (raw_bpf(1 /* BPF_MAP_LOOKUP_ELEM */, &a, sizeof a) != 0) state.SkipWithError("lookup");
        benchmark::DoNotOptimize(value);
        key = (key + 1) & 511;
    }
}

template <class M>
void lookup_bpfxx(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    for (auto _ : state) {
        auto v = m.lookup(key);
        benchmark::DoNotOptimize(v);
        key = (key + 1) & 511;
    }
}

template <class M>
void update_raw(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    std::uint64_t value = 7;
    for (auto _ : state) {
        raw_elem_attr a{static_cast<std::uint32_t>(m.fd()), 0, reinterpret_cast<std::uint64_t>(&key),
                        reinterpret_cast<std::uint64_t>(&value), 0};
        if (raw_bpf(2 /* BPF_MAP_UPDATE_ELEM */, &a, sizeof a) != 0) state.SkipWithError("update");
        key = (key + 1) & 511;
    }
}

template <class M>
void update_bpfxx(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    for (auto _ : state) {
        m.update(key, std::uint64_t{7});
        key = (key + 1) & 511;
    }
}

#ifdef BPFXX_HAVE_LIBBPF
template <class M>
void lookup_libbpf(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    std::uint64_t value = 0;
    for (auto _ : state) {
        if (bpf_map_lookup_elem(m.fd(), &key, &value) != 0) state.SkipWithError("lookup");
        benchmark::DoNotOptimize(value);
        key = (key + 1) & 511;
    }
}
template <class M>
void update_libbpf(benchmark::State& state) {
    auto& m = filled<M>();
    std::uint32_t key = 0;
    std::uint64_t value = 7;
    for (auto _ : state) {
        if (bpf_map_update_elem(m.fd(), &key, &value, 0) != 0) state.SkipWithError("update");
        key = (key + 1) & 511;
    }
}
#endif

using array_handle = bpfxx::map<array>;
using hash_handle = bpfxx::map<hash>;

BENCHMARK(lookup_raw<array_handle>)->Name("array_lookup/raw_syscall");
BENCHMARK(lookup_bpfxx<array_handle>)->Name("array_lookup/bpfxx");
BENCHMARK(update_raw<array_handle>)->Name("array_update/raw_syscall");
BENCHMARK(update_bpfxx<array_handle>)->Name("array_update/bpfxx");
BENCHMARK(lookup_raw<hash_handle>)->Name("hash_lookup/raw_syscall");
BENCHMARK(lookup_bpfxx<hash_handle>)->Name("hash_lookup/bpfxx");
BENCHMARK(update_raw<hash_handle>)->Name("hash_update/raw_syscall");
BENCHMARK(update_bpfxx<hash_handle>)->Name("hash_update/bpfxx");
#ifdef BPFXX_HAVE_LIBBPF
BENCHMARK(lookup_libbpf<array_handle>)->Name("array_lookup/libbpf");
BENCHMARK(update_libbpf<array_handle>)->Name("array_update/libbpf");
BENCHMARK(lookup_libbpf<hash_handle>)->Name("hash_lookup/libbpf");
BENCHMARK(update_libbpf<hash_handle>)->Name("hash_update/libbpf");
#endif

} // namespace

int main(int argc, char** argv) {
    return bpfxx_bench::run_benchmarks(argc, argv,
                                       {{"array_lookup", "raw_syscall"},
                                        {"array_update", "raw_syscall"},
                                        {"hash_lookup", "raw_syscall"},
                                        {"hash_update", "raw_syscall"}});
}
