// Reading whole maps: items() over 100,000 hash entries against the
// get_next_key + lookup loop every library can fall back to (the baseline),
// and reading a 1,024-entry mmapable array through span() against one
// lookup per element. Run bench/report.py for ratios.
#include <bpfxx/maps.hpp>

#include <benchmark/benchmark.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace {

using big_hash = bpfxx::hash_map<std::uint32_t, std::uint64_t, 100000>;
using mmap_array =
    bpfxx::array_map<std::uint32_t, std::uint64_t, 1024, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
using plain_array = bpfxx::array_map<std::uint32_t, std::uint64_t, 1024>;

struct raw_elem_attr {
    std::uint32_t map_fd;
    std::uint32_t pad;
    std::uint64_t key;
    std::uint64_t value;
    std::uint64_t flags;
};

long raw_bpf(int cmd, raw_elem_attr& a) { return ::syscall(__NR_bpf, cmd, &a, sizeof a); }

bpfxx::map<big_hash>& hash_100k() {
    static auto m = [] {
        auto made = big_hash::create();
        for (std::uint32_t k = 0; k < 100000; ++k) made.update(k, std::uint64_t{k});
        return made;
    }();
    return m;
}

void iterate_get_next_key(benchmark::State& state) {
    auto& m = hash_100k();
    std::uint64_t sum = 0;
    for (auto _ : state) {
        std::uint32_t key = 0, next = 0;
        std::uint64_t value = 0;
        raw_elem_attr a{static_cast<std::uint32_t>(m.fd()), 0, 0, reinterpret_cast<std::uint64_t>(&next), 0};
        while (raw_bpf(4 /* BPF_MAP_GET_NEXT_KEY */, a) == 0) {
            key = next;
            raw_elem_attr l{static_cast<std::uint32_t>(m.fd()), 0, reinterpret_cast<std::uint64_t>(&key),
                            reinterpret_cast<std::uint64_t>(&value), 0};
            if (raw_bpf(1 /* BPF_MAP_LOOKUP_ELEM */, l) == 0) sum += value;
            a.key = reinterpret_cast<std::uint64_t>(&key);
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 100000);
}

void iterate_items(benchmark::State& state) {
    auto& m = hash_100k();
    std::uint64_t sum = 0;
    for (auto _ : state)
        for (auto [k, v] : m.items()) sum += v + k;
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 100000);
}

template <class M>
bpfxx::map<M>& array_1024() {
    static auto m = [] {
        auto made = M::create();
        for (std::uint32_t k = 0; k < 1024; ++k) made.update(k, std::uint64_t{k});
        return made;
    }();
    return m;
}

void read_lookup(benchmark::State& state) {
    auto& m = array_1024<plain_array>();
    std::uint64_t sum = 0;
    for (auto _ : state)
        for (std::uint32_t k = 0; k < 1024; ++k) sum += *m.lookup(k);
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}

void read_span(benchmark::State& state) {
    auto& m = array_1024<mmap_array>();
    std::uint64_t sum = 0;
    for (auto _ : state) {
        for (const std::uint64_t v : m.span()) sum += v;
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}

BENCHMARK(iterate_get_next_key)->Name("hash_iterate_100k/raw_syscall")->Unit(benchmark::kMillisecond);
BENCHMARK(iterate_items)->Name("hash_iterate_100k/bpfxx_items")->Unit(benchmark::kMillisecond);
BENCHMARK(read_lookup)->Name("array_read_1024/bpfxx_lookup")->Unit(benchmark::kMicrosecond);
BENCHMARK(read_span)->Name("array_read_1024/bpfxx_span")->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
