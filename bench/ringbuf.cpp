// Ring buffer consumption: records per second for 16- and 256-byte records.
// Each of 400 iterations (fixed: producing is slow and not timed), an XDP program run by test_run (repeat = 8,192) reserves
// and submits 8,192 records (not timed); then the reader consumes them
// (timed) and must get all 8,192: a short count is an error, not a figure.
//
// Implementations (bench/report.py: ratios to libbpf when it is installed):
//   libbpf             ring_buffer__consume with a C callback
//   bpfxx_ring         events::ring::consume with a lambda (inlined)
//   bpfxx_ring_buffer  events::ring_buffer::consume (std::function per ring)
//   bpfxx_range        for (auto rec : ring.records())
// Every reader sums the first 8 bytes of each record, so that each record is read.
#include "baselines.hpp"

#include <bpfxx/asm.hpp>
#include <bpfxx/events.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/maps.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#ifdef BPFXX_HAVE_LIBBPF
#include <bpf/libbpf.h>
#endif

using namespace bpfxx::ops;

namespace {

using ring_map = bpfxx::ringbuf<1u << 22>;
constexpr std::uint32_t batch = 8192;

/// Reserves `Bytes`, writes 42 to the first u64, submits without a wakeup.
template <std::int32_t Bytes>
constexpr auto producer = bpfxx::assemble(
    ld_map<ring_map>(r1), mov(r2, Bytes), mov(r3, 0),
    call(helper::ringbuf_reserve),
    jeq(r0, 0, "out"_label),
    st<std::uint64_t>(r0, 0, 42),
    mov(r1, r0), mov(r2, 1), // BPF_RB_NO_WAKEUP: the reader does not sleep here
    call(helper::ringbuf_submit),
    "out"_label,
    mov(r0, 2),
    exit());

const std::array<std::uint8_t, 64> frame{};

struct fixture {
    bpfxx::map<ring_map> ring = ring_map::create();
    bpfxx::prog prog;
    template <class P>
    explicit fixture(const P& p) : prog(bpfxx::load<bpfxx::prog_type::xdp>(p, ring)) {}
    void produce() const {
        const auto r = bpfxx::test_run(prog, {.data = std::as_bytes(std::span(frame)), .repeat = batch});
        benchmark::DoNotOptimize(r.retval);
    }
};

std::uint64_t first_word(std::span<const std::byte> rec) {
    std::uint64_t v = 0;
    std::memcpy(&v, rec.data(), sizeof v);
    return v;
}

/// The common loop: produce (paused), consume (timed), check the count.
template <class Consume>
void run(benchmark::State& state, fixture& f, Consume consume) {
    if (::geteuid() != 0) {
        state.SkipWithError("loading BPF programs needs root");
        return;
    }
    std::uint64_t sum = 0;
    for (auto _ : state) {
        state.PauseTiming();
        f.produce();
        state.ResumeTiming();
        const std::size_t n = consume(sum);
        if (n != batch) {
            state.SkipWithError("the reader did not get every record");
            return;
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * batch);
}

template <std::int32_t Bytes>
fixture& fixture_for() {
    static fixture f(producer<Bytes>);
    return f;
}

template <std::int32_t Bytes>
void bpfxx_ring(benchmark::State& state) {
    auto& f = fixture_for<Bytes>();
    bpfxx::events::ring r(f.ring);
    run(state, f, [&](std::uint64_t& sum) { return r.consume([&](std::span<const std::byte> rec) { sum += first_word(rec); }); });
}

template <std::int32_t Bytes>
void bpfxx_ring_buffer(benchmark::State& state) {
    auto& f = fixture_for<Bytes>();
    std::uint64_t* target = nullptr;
    bpfxx::events::ring_buffer rb;
    rb.add(f.ring, [&](std::span<const std::byte> rec) { *target += first_word(rec); });
    run(state, f, [&](std::uint64_t& sum) {
        target = &sum;
        return rb.consume();
    });
}

template <std::int32_t Bytes>
void bpfxx_range(benchmark::State& state) {
    auto& f = fixture_for<Bytes>();
    bpfxx::events::ring r(f.ring);
    run(state, f, [&](std::uint64_t& sum) {
        std::size_t n = 0;
        for (auto rec : r.records()) {
            sum += first_word(rec);
            ++n;
        }
        return n;
    });
}

#ifdef BPFXX_HAVE_LIBBPF
int libbpf_sample(void* ctx, void* data, std::size_t) {
    std::uint64_t v = 0;
    std::memcpy(&v, data, sizeof v);
    *static_cast<std::uint64_t*>(ctx) += v;
    return 0;
}

template <std::int32_t Bytes>
void libbpf(benchmark::State& state) {
    auto& f = fixture_for<Bytes>();
    std::uint64_t sum = 0;
    ring_buffer* rb = ring_buffer__new(f.ring.fd(), libbpf_sample, &sum, nullptr);
    if (rb == nullptr) {
        state.SkipWithError("ring_buffer__new failed");
        return;
    }
    run(state, f, [&](std::uint64_t&) { return static_cast<std::size_t>(ring_buffer__consume(rb)); });
    benchmark::DoNotOptimize(sum);
    ring_buffer__free(rb);
}
BENCHMARK(libbpf<16>)->Name("ringbuf_16/libbpf")->Iterations(400);
BENCHMARK(libbpf<256>)->Name("ringbuf_256/libbpf")->Iterations(400);
#endif

BENCHMARK(bpfxx_ring<16>)->Name("ringbuf_16/bpfxx_ring")->Iterations(400);
BENCHMARK(bpfxx_ring_buffer<16>)->Name("ringbuf_16/bpfxx_ring_buffer")->Iterations(400);
BENCHMARK(bpfxx_range<16>)->Name("ringbuf_16/bpfxx_range")->Iterations(400);
BENCHMARK(bpfxx_ring<256>)->Name("ringbuf_256/bpfxx_ring")->Iterations(400);
BENCHMARK(bpfxx_ring_buffer<256>)->Name("ringbuf_256/bpfxx_ring_buffer")->Iterations(400);
BENCHMARK(bpfxx_range<256>)->Name("ringbuf_256/bpfxx_range")->Iterations(400);

} // namespace

int main(int argc, char** argv) {
    // Without libbpf these groups have no baseline, and bench/report.py says so.
#ifdef BPFXX_HAVE_LIBBPF
    return bpfxx_bench::run_benchmarks(argc, argv, {{"ringbuf_16", "libbpf"}, {"ringbuf_256", "libbpf"}});
#else
    return bpfxx_bench::run_benchmarks(argc, argv, {});
#endif
}
