// Reading whole maps. Run bench/report.py for ratios with their spread.
//
// hash_iterate_100k: every (key, value) of a 100,000-entry hash map.
//   raw_batch                   BPF_MAP_LOOKUP_BATCH, 256 entries per call, by
//                               hand: the baseline (items() reads the same way)
//   libbpf_batch                libbpf's bpf_map_lookup_batch, 256 per call
//   bpfxx_items                 for (auto [k, v] : m.items())
//   naive_per_element_syscalls  BPF_MAP_GET_NEXT_KEY + BPF_MAP_LOOKUP_ELEM per
//                               entry by hand: what a loop written without
//                               batches costs (two syscalls per entry)
//   bpfxx_items_next_key        items({.method = next_key}): bpfxx's own
//                               per-entry path, for kernels without batches
// array_read_1024: every value of a 1,024-entry array.
//   raw_mmap                    the values through mmap() of an mmapable
//                               array, by hand: the baseline
//   bpfxx_span                  the same through span()
//   raw_per_element_syscalls    BPF_MAP_LOOKUP_ELEM per index, by hand
//   bpfxx_lookup                lookup(k) per index
// Every implementation checks that it read every entry (a short read is an
// error, not a figure) and sums what it read, so that nothing is skipped.
#include "baselines.hpp"

#include <bpfxx/maps.hpp>

#include <benchmark/benchmark.h>

#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>

#ifdef BPFXX_HAVE_LIBBPF
#include <bpf/bpf.h>
#endif

namespace {

constexpr std::uint32_t hash_entries = 100000;
constexpr std::uint32_t array_entries = 1024;
constexpr std::uint32_t batch_size = 256; // bpfxx's default iteration_options::batch_size

using big_hash = bpfxx::hash_map<std::uint32_t, std::uint64_t, hash_entries>;
using mmap_array = bpfxx::array_map<std::uint32_t, std::uint64_t, array_entries,
                                    bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
using plain_array = bpfxx::array_map<std::uint32_t, std::uint64_t, array_entries>;

long raw_bpf(int cmd, bpf_attr& a) { return ::syscall(__NR_bpf, cmd, &a, sizeof a); }
std::uint64_t ptr(const void* p) { return reinterpret_cast<std::uint64_t>(p); }

bpfxx::map<big_hash>& hash_100k() {
    static auto m = [] {
        auto made = big_hash::create();
        for (std::uint32_t k = 0; k < hash_entries; ++k) made.update(k, std::uint64_t{k});
        return made;
    }();
    return m;
}

/// The common loop: `read(sum)` reads the whole map and returns how many entries it saw.
template <class Read>
void read_all(benchmark::State& state, std::uint32_t entries, Read read) {
    std::uint64_t sum = 0;
    for (auto _ : state) {
        if (read(sum) != entries) {
            state.SkipWithError("did not read every entry");
            return;
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * entries);
}

// ---- hash_iterate_100k ------------------------------------------------------------

struct batch_buffers {
    std::array<std::uint32_t, batch_size> keys{};
    std::array<std::uint64_t, batch_size> values{};
    std::uint64_t in_token = 0, out_token = 0; // a hash map's token is a bucket index (u32)
};

void hash_raw_batch(benchmark::State& state) {
    const int fd = hash_100k().fd();
    batch_buffers b;
    read_all(state, hash_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (bool first = true;; first = false) {
            bpf_attr a{};
            a.batch.in_batch = first ? 0 : ptr(&b.in_token);
            a.batch.out_batch = ptr(&b.out_token);
            a.batch.keys = ptr(b.keys.data());
            a.batch.values = ptr(b.values.data());
            a.batch.count = batch_size;
            a.batch.map_fd = static_cast<std::uint32_t>(fd);
            const bool last = raw_bpf(BPF_MAP_LOOKUP_BATCH, a) != 0;
            if (last && errno != ENOENT) return std::uint32_t{0};
            for (std::uint32_t i = 0; i < a.batch.count; ++i) sum += b.values[i] + b.keys[i];
            n += a.batch.count;
            if (last) return n;
            b.in_token = b.out_token;
        }
    });
}

#ifdef BPFXX_HAVE_LIBBPF
void hash_libbpf_batch(benchmark::State& state) {
    const int fd = hash_100k().fd();
    batch_buffers b;
    read_all(state, hash_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (bool first = true;; first = false) {
            __u32 count = batch_size;
            const int rc = bpf_map_lookup_batch(fd, first ? nullptr : &b.in_token, &b.out_token, b.keys.data(),
                                                b.values.data(), &count, nullptr);
            if (rc != 0 && errno != ENOENT) return std::uint32_t{0};
            for (std::uint32_t i = 0; i < count; ++i) sum += b.values[i] + b.keys[i];
            n += count;
            if (rc != 0) return n;
            b.in_token = b.out_token;
        }
    });
}
BENCHMARK(hash_libbpf_batch)->Name("hash_iterate_100k/libbpf_batch")->Unit(benchmark::kMillisecond);
#endif

void hash_bpfxx_items(benchmark::State& state, bpfxx::iteration_method method) {
    auto& m = hash_100k();
    read_all(state, hash_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (auto [k, v] : m.items({.method = method})) {
            sum += v + k;
            ++n;
        }
        return n;
    });
}

void hash_naive(benchmark::State& state) {
    const int fd = hash_100k().fd();
    read_all(state, hash_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0, key = 0, next = 0;
        std::uint64_t value = 0;
        for (bool first = true;; first = false) {
            bpf_attr a{};
            a.map_fd = static_cast<std::uint32_t>(fd);
            a.key = first ? 0 : ptr(&key);
            a.next_key = ptr(&next);
            if (raw_bpf(BPF_MAP_GET_NEXT_KEY, a) != 0) return errno == ENOENT ? n : 0;
            key = next;
            bpf_attr l{};
            l.map_fd = static_cast<std::uint32_t>(fd);
            l.key = ptr(&key);
            l.value = ptr(&value);
            if (raw_bpf(BPF_MAP_LOOKUP_ELEM, l) != 0) return std::uint32_t{0};
            sum += value + key;
            ++n;
        }
    });
}

// ---- array_read_1024 ---------------------------------------------------------------

template <class M>
bpfxx::map<M>& array_1024() {
    static auto m = [] {
        auto made = M::create();
        for (std::uint32_t k = 0; k < array_entries; ++k) made.update(k, std::uint64_t{k});
        return made;
    }();
    return m;
}

void array_raw_mmap(benchmark::State& state) {
    constexpr std::size_t bytes = array_entries * sizeof(std::uint64_t); // 8 KiB: whole pages
    void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, array_1024<mmap_array>().fd(), 0);
    if (p == MAP_FAILED) {
        state.SkipWithError("mmap of the array failed");
        return;
    }
    const auto* values = static_cast<const std::uint64_t*>(p);
    read_all(state, array_entries, [&](std::uint64_t& sum) {
        for (std::uint32_t k = 0; k < array_entries; ++k) sum += values[k];
        benchmark::ClobberMemory(); // the kernel's values may change: read them again next time
        return array_entries;
    });
    ::munmap(p, bytes);
}

void array_bpfxx_span(benchmark::State& state) {
    auto& m = array_1024<mmap_array>();
    read_all(state, array_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (const std::uint64_t v : m.span()) sum += v, ++n;
        benchmark::ClobberMemory();
        return n;
    });
}

void array_raw_per_element(benchmark::State& state) {
    const int fd = array_1024<plain_array>().fd();
    read_all(state, array_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (std::uint32_t k = 0; k < array_entries; ++k) {
            std::uint64_t value = 0;
            bpf_attr a{};
            a.map_fd = static_cast<std::uint32_t>(fd);
            a.key = ptr(&k);
            a.value = ptr(&value);
            if (raw_bpf(BPF_MAP_LOOKUP_ELEM, a) == 0) sum += value, ++n;
        }
        return n;
    });
}

void array_bpfxx_lookup(benchmark::State& state) {
    auto& m = array_1024<plain_array>();
    read_all(state, array_entries, [&](std::uint64_t& sum) {
        std::uint32_t n = 0;
        for (std::uint32_t k = 0; k < array_entries; ++k)
            if (const auto v = m.lookup(k)) sum += *v, ++n;
        return n;
    });
}

BENCHMARK(hash_raw_batch)->Name("hash_iterate_100k/raw_batch")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(hash_bpfxx_items, batch, bpfxx::iteration_method::automatic)
    ->Name("hash_iterate_100k/bpfxx_items")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(hash_naive)->Name("hash_iterate_100k/naive_per_element_syscalls")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(hash_bpfxx_items, next_key, bpfxx::iteration_method::next_key)
    ->Name("hash_iterate_100k/bpfxx_items_next_key")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(array_raw_mmap)->Name("array_read_1024/raw_mmap")->Unit(benchmark::kMicrosecond);
BENCHMARK(array_bpfxx_span)->Name("array_read_1024/bpfxx_span")->Unit(benchmark::kMicrosecond);
BENCHMARK(array_raw_per_element)->Name("array_read_1024/raw_per_element_syscalls")->Unit(benchmark::kMicrosecond);
BENCHMARK(array_bpfxx_lookup)->Name("array_read_1024/bpfxx_lookup")->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char** argv) {
    return bpfxx_bench::run_benchmarks(argc, argv,
                                       {{"hash_iterate_100k", "raw_batch"}, {"array_read_1024", "raw_mmap"}});
}
