// The interpreter's speed per executed instruction, next to the kernel's JIT
// running the same program (BPF_PROG_TEST_RUN).
//
// Groups (bench/report.py shows each implementation as a ratio to `jit`):
//   vm_filter  an XDP firewall parsing Ethernet / IPv4 (checksum loop) / TCP:
//              the filter of examples/unit_test_a_filter.cpp on a TCP SYN to
//              port 22, 146 instructions per packet
//   vm_alu     a loop-free XDP program of 200 ALU instructions (hash mixing)
//   vm_empty   `r0 = XDP_PASS; exit`: what one run costs besides instructions
// Implementations:
//   jit        the program loaded into the kernel, run by test_run with
//              `repeat`; the time is the kernel's own mean per run (`duration`)
//   bpfxx_vm   vm::machine::run_xdp on the same frame, one run per iteration
// Counters: insns (instructions one run executes, as the interpreter counts
// them), ns_per_insn (time per run / insns). The JIT needs root; without it
// its benchmarks are skipped with an error.
#include <bpfxx/asm.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/vm.hpp>

#include <benchmark/benchmark.h>

#include <time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>

using namespace bpfxx::ops;

namespace {

using u8 = std::uint8_t;

// ---- programs ------------------------------------------------------------------

// The firewall of examples/unit_test_a_filter.cpp (see there for what it does).
constexpr auto filter = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, 0), ldx<std::uint32_t>(r3, r1, 4), mov(r9, 0),
    mov(r7, r2), add(r7, 14), jgt(r7, r3, "drop"_label), ldx<std::uint16_t>(r6, r2, 12), be16(r6),
    "l2"_label,
    jeq(r6, 0x8100, "vlan"_label), jeq(r6, 0x88a8, "vlan"_label), jeq(r6, 0x0800, "ipv4"_label),
    jeq(r6, 0x86dd, "ipv6"_label), ja("pass"_label),
    "vlan"_label,
    jge(r9, 2, "drop"_label), add(r9, 1), mov(r4, r7), add(r4, 4), jgt(r4, r3, "drop"_label),
    ldx<std::uint16_t>(r6, r7, 2), be16(r6), mov(r7, r4), ja("l2"_label),
    "ipv4"_label,
    mov(r4, r7), add(r4, 20), jgt(r4, r3, "drop"_label), ldx<std::uint8_t>(r8, r7, 0), mov(r5, r8), rsh(r5, 4),
    jne(r5, 4, "drop"_label), and_(r8, 0x0f), lsh(r8, 2), jlt(r8, 20, "drop"_label), mov(r4, r7), add(r4, r8),
    jgt(r4, r3, "drop"_label), mov(r0, 0), mov(r5, 0),
    "csum"_label,
    mov(r9, r7), add(r9, r5), mov(r1, r9), add(r1, 2), jgt(r1, r3, "drop"_label), ldx<std::uint16_t>(r1, r9, 0),
    add(r0, r1), add(r5, 2), jlt(r5, r8, "csum"_label),
    mov(r1, r0), rsh(r1, 16), and_(r0, 0xffff), add(r0, r1), mov(r1, r0), rsh(r1, 16), and_(r0, 0xffff),
    add(r0, r1), jne(r0, 0xffff, "drop"_label),
    ldx<std::uint16_t>(r1, r7, 6), be16(r1), and_(r1, 0x1fff), jne(r1, 0, "pass"_label),
    ldx<std::uint8_t>(r6, r7, 9), mov(r8, r4), ja("l4"_label),
    "ipv6"_label,
    mov(r8, r7), add(r8, 40), jgt(r8, r3, "drop"_label), ldx<std::uint8_t>(r1, r7, 0), rsh(r1, 4),
    jne(r1, 6, "drop"_label), ldx<std::uint8_t>(r6, r7, 6), mov(r9, 0),
    "ext"_label,
    jeq(r6, 0, "ext_hdr"_label), jeq(r6, 43, "ext_hdr"_label), jeq(r6, 60, "ext_hdr"_label), ja("l4"_label),
    "ext_hdr"_label,
    jge(r9, 4, "drop"_label), add(r9, 1), mov(r1, r8), add(r1, 8), jgt(r1, r3, "drop"_label),
    ldx<std::uint8_t>(r6, r8, 0), ldx<std::uint8_t>(r1, r8, 1), add(r1, 1), lsh(r1, 3), add(r8, r1),
    ja("ext"_label),
    "l4"_label,
    jeq(r6, 6, "tcp"_label), jeq(r6, 17, "udp"_label), ja("pass"_label),
    "tcp"_label,
    mov(r1, r8), add(r1, 20), jgt(r1, r3, "drop"_label), ldx<std::uint16_t>(r1, r8, 2), be16(r1),
    jeq(r1, 23, "drop"_label), ldx<std::uint8_t>(r1, r8, 13), jeq(r1, 0, "drop"_label), and_(r1, 0x03),
    jeq(r1, 0x03, "drop"_label), ja("pass"_label),
    "udp"_label,
    mov(r1, r8), add(r1, 8), jgt(r1, r3, "drop"_label), ldx<std::uint16_t>(r1, r8, 2), be16(r1),
    jeq(r1, 11211, "drop"_label), ldx<std::uint16_t>(r1, r8, 0), be16(r1), jeq(r1, 11211, "drop"_label),
    "pass"_label, mov(r0, 2), exit(),
    "drop"_label, mov(r0, 1), exit());

// 192 ALU instructions: 24 rounds of a multiply-xor-shift mix of r4 and r5.
constexpr std::array<bpfxx::insn, 192> alu_body = [] {
    std::array<bpfxx::insn, 192> a{};
    for (std::size_t k = 0; k < a.size(); k += 8) {
        const auto salt = static_cast<std::int32_t>(0x2545f491 ^ (k * 0x9e37));
        a[k + 0] = mul(r4, 0x5bd1e995);
        a[k + 1] = mov(r6, r4);
        a[k + 2] = rsh(r6, 24);
        a[k + 3] = xor_(r4, r6);
        a[k + 4] = add(r5, r4);
        a[k + 5] = xor32(r5, salt);
        a[k + 6] = lsh(r4, 3);
        a[k + 7] = sub(r4, r5);
    }
    return a;
}();

constexpr auto alu_heavy = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, 0), ldx<std::uint32_t>(r3, r1, 4),
    mov(r1, r2), add(r1, 16), jgt(r1, r3, "short"_label),
    ldx<std::uint64_t>(r4, r2, 0), ldx<std::uint64_t>(r5, r2, 8),
    alu_body,
    mov(r0, r4), and_(r0, 1), add(r0, 1), exit(),
    "short"_label, mov(r0, 2), exit());

constexpr auto empty = bpfxx::assemble(mov(r0, 2), exit());

// ---- the packet -----------------------------------------------------------------

// Ethernet / IPv4 (valid header checksum) / TCP SYN to port 22, 64 bytes.
constexpr std::array<u8, 64> tcp_syn = [] {
    std::array<u8, 64> f{};
    const u8 head[] = {
        0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,        // Ethernet
        0x45, 0, 0, 50, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2, // IPv4
        0x9c, 0x40, 0, 22, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0, // TCP
    };
    for (std::size_t i = 0; i < sizeof head; ++i) f[i] = head[i];
    std::uint32_t sum = 0;
    for (std::size_t i = 14; i < 34; i += 2) sum += (unsigned{f[i]} << 8) | f[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    f[24] = static_cast<u8>(~sum >> 8);
    f[25] = static_cast<u8>(~sum);
    return f;
}();

static_assert(bpfxx::vm::run_xdp(filter, tcp_syn).r0 == bpfxx::xdp::pass);

// ---- benchmarks -------------------------------------------------------------------

template <class P>
bpfxx::vm::run_result reference_run(const P& prog) {
    static bpfxx::vm::machine_for<P> m; // large: not on the stack
    return m.run_xdp(prog, tcp_syn);
}

template <class P>
void run_bpfxx_vm(benchmark::State& state, const P& prog) {
    static bpfxx::vm::machine_for<P> m;
    const auto first = m.run_xdp(prog, tcp_syn);
    if (!first.ok()) {
        state.SkipWithError(std::string(bpfxx::vm::to_string(first.error).view()).c_str());
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        const auto r = m.run_xdp(prog, tcp_syn);
        benchmark::DoNotOptimize(r.r0);
    }
    const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - t0;
    const auto runs = static_cast<double>(state.iterations());
    state.counters["insns"] = static_cast<double>(first.steps);
    state.counters["ns_per_insn"] = elapsed.count() / runs / static_cast<double>(first.steps);
}

double thread_cpu_ns() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

std::string jit_setting() {
    std::ifstream f("/proc/sys/net/core/bpf_jit_enable");
    std::string v;
    f >> v;
    return "bpf_jit_enable=" + (v.empty() ? std::string("?") : v);
}

template <class P>
void run_jit(benchmark::State& state, const P& prog) {
    if (::geteuid() != 0) {
        state.SkipWithError("loading BPF programs needs root");
        return;
    }
    const auto expected = reference_run(prog);
    const auto p = bpfxx::load<bpfxx::prog_type::xdp>(prog);
    // runs per test_run call: enough to make the syscall's own cost vanish
    const bpfxx::test_run_options opts{.data = std::as_bytes(std::span(tcp_syn)), .repeat = 200'000};
    if (bpfxx::test_run(p, opts).retval != expected.retval()) {
        state.SkipWithError("the kernel and the interpreter disagree on the verdict");
        return;
    }
    double kernel_ns = 0, cpu_ns = 0;
    for (auto _ : state) {
        const auto c0 = thread_cpu_ns();
        const auto r = bpfxx::test_run(p, opts);
        cpu_ns += (thread_cpu_ns() - c0) / static_cast<double>(opts.repeat);
        const auto ns = static_cast<double>(r.duration.count());
        state.SetIterationTime(ns * 1e-9); // one iteration: one run, as the kernel timed it
        kernel_ns += ns;
    }
    const auto iterations = static_cast<double>(state.iterations());
    state.counters["insns"] = static_cast<double>(expected.steps);
    state.counters["ns_per_insn"] = kernel_ns / iterations / static_cast<double>(expected.steps);
    // CPU time of the whole call over `repeat` runs: a check on the kernel's
    // mean, which is whole nanoseconds (wall time would count other tasks too)
    state.counters["cpu_ns_per_run"] = cpu_ns / iterations;
    state.SetLabel(jit_setting());
}

// A JIT iteration is one test_run call of 200,000 runs but reports the time of
// one run: the number of iterations is fixed, or Google Benchmark would
// iterate until the reported (per-run) times add up to its minimum time.
BENCHMARK_CAPTURE(run_jit, filter, filter)->Name("vm_filter/jit")->UseManualTime()->Iterations(20);
BENCHMARK_CAPTURE(run_bpfxx_vm, filter, filter)->Name("vm_filter/bpfxx_vm");
BENCHMARK_CAPTURE(run_jit, alu, alu_heavy)->Name("vm_alu/jit")->UseManualTime()->Iterations(20);
BENCHMARK_CAPTURE(run_bpfxx_vm, alu, alu_heavy)->Name("vm_alu/bpfxx_vm");
BENCHMARK_CAPTURE(run_jit, empty, empty)->Name("vm_empty/jit")->UseManualTime()->Iterations(20);
BENCHMARK_CAPTURE(run_bpfxx_vm, empty, empty)->Name("vm_empty/bpfxx_vm");

} // namespace

BENCHMARK_MAIN();
