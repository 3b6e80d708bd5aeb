// The interpreter next to the kernel's JIT running the same program on the
// same frame (BPF_PROG_TEST_RUN). Run bench/report.py for ratios with spread.
//
// Programs:
//   filter  an XDP firewall parsing Ethernet / IPv4 (checksum loop) / TCP: the
//           filter of examples/unit_test_a_filter.cpp on a TCP SYN to port 22,
//           146 instructions per packet
//   alu     a loop-free XDP program of 203 instructions, 192 of them ALU (hash mixing)
//   empty   `r0 = XDP_PASS; exit`: what one run costs besides instructions
// Groups (ratios to `jit`):
//   vm_<program>    ns per run. The interpreter's run includes its fixed cost
//                   (machine reset, copy of the 64-byte frame, the check that
//                   the cached decoded program is still the program), the
//                   JIT's the kernel's per-run loop (bh off/on, timer check):
//                   vm_empty is that fixed cost with 2 instructions, on its own
//   vm_<program>_per_insn_over_empty
//                   (ns per run - ns per run of empty) / (insns - 2), both
//                   measured in each iteration: an instruction's cost with the
//                   fixed cost taken out
// Implementations:
//   jit       the program loaded into the kernel, run by test_run: 1,000,000
//             runs per iteration, timed as the thread's CPU time (see `jit`
//             for how test_run's own cost is left out). The kernel's mean per
//             run (counter kernel_ns_per_run, whole nanoseconds) must agree
//             with it within 1 ns + 10%, or the benchmark fails.
//   bpfxx_vm  vm::machine::run_xdp, 20,000 runs per iteration, timed as the
//             thread's CPU time. With root it also measures the JIT in the
//             same iterations: counter x_jit_paired, the ratio of the two.
// CPU time, not wall time, for both: tasks that take the CPU away are not
// counted. The counter insns is the instructions one run executes (as the
// interpreter counts them; the kernel and the interpreter must agree on the
// verdict). Iterations are fixed (10): each is a block of runs timed as one.
// The JIT needs root; without it its benchmarks fail with an error.
#include "baselines.hpp"

#include <bpfxx/asm.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/vm.hpp>

#include <benchmark/benchmark.h>

#include <time.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

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

constexpr std::uint32_t vm_runs = 20'000;   // interpreter runs per iteration
constexpr std::uint32_t jit_runs = 1'000'000; // kernel runs per iteration (see `jit`)
constexpr std::uint32_t jit_probe_runs = 1'000;
constexpr int iterations = 10;

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

/// The interpreter's run of `prog` on the frame: the reference for the
/// instruction count and for the kernel's verdict.
template <class P>
bpfxx::vm::run_result reference_run(const P& prog) {
    static bpfxx::vm::machine_for<P> m; // large: not on the stack
    return m.run_xdp(prog, tcp_syn);
}

/// Runs one program in the interpreter, `vm_runs` at a time.
template <class P>
class interpreter {
public:
    interpreter(benchmark::State& state, const P& prog) : prog_(prog), steps_(reference_run(prog).steps) {
        if (const auto r = reference_run(prog); !r.ok())
            state.SkipWithError(std::string(bpfxx::vm::to_string(r.error).view()).c_str());
    }
    /// CPU ns per run over `vm_runs` runs.
    double ns_per_run() {
        const auto c0 = thread_cpu_ns();
        for (std::uint32_t i = 0; i < vm_runs; ++i) {
            const auto r = machine_.run_xdp(prog_, tcp_syn);
            benchmark::DoNotOptimize(r.r0);
        }
        return (thread_cpu_ns() - c0) / vm_runs;
    }
    std::uint64_t steps() const { return steps_; }
    void finish(benchmark::State&, const char*) const {}

private:
    static inline bpfxx::vm::machine_for<P> machine_;
    const P& prog_;
    std::uint64_t steps_;
};

/// Runs one program in the kernel: per measurement, one test_run call with
/// repeat = `jit_probe_runs` and one with `jit_probe_runs + jit_runs`. An XDP
/// test_run with repeat > 1 costs about 0.3-1 ms of CPU besides the runs (it
/// switches the kernel's XDP dispatcher to the program and back), so the
/// CPU time of one call / repeat would charge 1-5 ns of that to each run;
/// the difference of the two calls / `jit_runs` leaves it out.
template <class P>
class jit {
public:
    jit(benchmark::State& state, const P& prog) : steps_(reference_run(prog).steps) {
        if (::geteuid() != 0) {
            state.SkipWithError("loading BPF programs needs root");
            return;
        }
        prog_ = bpfxx::load<bpfxx::prog_type::xdp>(prog);
        if (bpfxx::test_run(prog_, options(1)).retval != reference_run(prog).retval())
            state.SkipWithError("the kernel and the interpreter disagree on the verdict");
        state.SetLabel(jit_setting());
    }
    /// CPU ns per run. A block that disagrees with the kernel's own mean
    /// (whole ns) by more than 1 ns + 10% caught something outside the runs
    /// (softirqs, a slow dispatcher switch): it is measured again, twice at most.
    double ns_per_run() {
        for (int attempt = 0;; ++attempt) {
            const auto c0 = thread_cpu_ns();
            (void)bpfxx::test_run(prog_, options(jit_probe_runs));
            const auto c1 = thread_cpu_ns();
            const auto r = bpfxx::test_run(prog_, options(jit_probe_runs + jit_runs));
            const double cpu = ((thread_cpu_ns() - c1) - (c1 - c0)) / jit_runs;
            const auto kernel = static_cast<double>(r.duration.count());
            if (std::fabs(cpu - kernel) <= 1 + 0.1 * kernel) {
                kernel_ns_ += kernel;
                ++blocks_;
                return cpu;
            }
            ++remeasured_;
            if (attempt == 2) {
                if (disagreement_.empty())
                    disagreement_ = "the CPU time per run (" + std::to_string(cpu) + " ns) and the kernel's mean per run (" +
                                    std::to_string(r.duration.count()) + " ns) disagree by more than 1 ns + 10%, 3 times";
                return cpu;
            }
        }
    }
    std::uint64_t steps() const { return steps_; }
    /// The cross-check's counters (`prefix`kernel_ns_per_run, `prefix`remeasured)
    /// unless `prefix` is null; an error if it failed.
    void finish(benchmark::State& state, const char* prefix) const {
        if (prefix != nullptr) {
            state.counters[std::string(prefix) + "kernel_ns_per_run"] = kernel_ns_ / blocks_;
            state.counters[std::string(prefix) + "remeasured"] = remeasured_;
        }
        if (!disagreement_.empty()) state.SkipWithError(disagreement_.c_str());
    }

private:
    static bpfxx::test_run_options options(std::uint32_t repeat) {
        return {.data = std::as_bytes(std::span(tcp_syn)), .repeat = repeat};
    }
    bpfxx::prog prog_;
    std::uint64_t steps_;
    double kernel_ns_ = 0;
    int blocks_ = 0, remeasured_ = 0;
    std::string disagreement_; ///< the first, if any
};

using empty_program = std::remove_cvref_t<decltype(empty)>;

/// One engine's figure for `prog`: ns per run or, `over_empty`, ns per
/// instruction `prog` runs beyond `empty`'s, the two measured one after the other.
template <template <class> class Engine, class P>
class figure {
public:
    figure(benchmark::State& state, const P& prog, bool over_empty) : prog_(state, prog) {
        if (over_empty) empty_.emplace(state, empty);
    }
    double ns() {
        if (!empty_) return prog_.ns_per_run();
        return (prog_.ns_per_run() - empty_->ns_per_run()) / insns();
    }
    /// The instructions the figure is for: per run, or beyond `empty`'s.
    double insns() const { return static_cast<double>(prog_.steps() - (empty_ ? empty_->steps() : 0)); }
    void finish(benchmark::State& state, bool counters) const {
        prog_.finish(state, counters ? "" : nullptr);
        if (empty_) empty_->finish(state, counters ? "empty_" : nullptr);
    }

private:
    Engine<P> prog_;
    std::optional<Engine<empty_program>> empty_;
};

/// vm_<program>[_per_insn_over_empty]/<engine>. The interpreter's benchmarks
/// also measure the JIT in the same iterations (when they may load programs)
/// and report the ratio of the two, `x_jit_paired`: load on the machine that
/// comes and goes between one benchmark and the next cancels out of it.
template <template <class> class Engine, class P>
void run(benchmark::State& state, const P& prog, bool over_empty) {
    figure<Engine, P> mine(state, prog, over_empty);
    std::optional<figure<jit, P>> jit_beside;
    if constexpr (!std::is_same_v<Engine<P>, jit<P>>)
        if (::geteuid() == 0) jit_beside.emplace(state, prog, over_empty);
    if (state.error_occurred()) return;
    double mine_ns = 0, jit_ns = 0;
    for (auto _ : state) {
        const double ns = mine.ns();
        if (ns <= 0) {
            state.SkipWithError("the program ran no slower than the empty one: noise swamps the figure");
            return;
        }
        mine_ns += ns;
        if (jit_beside) jit_ns += jit_beside->ns();
        state.SetIterationTime(ns * 1e-9); // one iteration: one run, or one instruction
    }
    state.counters[over_empty ? "insns_over_empty" : "insns"] = mine.insns();
    mine.finish(state, true);
    if (jit_beside) {
        jit_beside->finish(state, false);
        state.counters["x_jit_paired"] = mine_ns / jit_ns;
    }
}

} // namespace

int main(int argc, char** argv) {
    // An iteration reports the time of one run (or instruction) but is a block
    // of runs: the number of iterations is fixed, or Google Benchmark would
    // iterate until the reported times add up to its minimum time.
    const auto add = [](const char* name, void (*f)(benchmark::State&)) {
        benchmark::RegisterBenchmark(name, f)->UseManualTime()->Iterations(iterations);
    };
    add("vm_filter/jit", [](benchmark::State& s) { run<jit>(s, filter, false); });
    add("vm_filter/bpfxx_vm", [](benchmark::State& s) { run<interpreter>(s, filter, false); });
    add("vm_alu/jit", [](benchmark::State& s) { run<jit>(s, alu_heavy, false); });
    add("vm_alu/bpfxx_vm", [](benchmark::State& s) { run<interpreter>(s, alu_heavy, false); });
    add("vm_empty/jit", [](benchmark::State& s) { run<jit>(s, empty, false); });
    add("vm_empty/bpfxx_vm", [](benchmark::State& s) { run<interpreter>(s, empty, false); });
    add("vm_filter_per_insn_over_empty/jit", [](benchmark::State& s) { run<jit>(s, filter, true); });
    add("vm_filter_per_insn_over_empty/bpfxx_vm", [](benchmark::State& s) { run<interpreter>(s, filter, true); });
    add("vm_alu_per_insn_over_empty/jit", [](benchmark::State& s) { run<jit>(s, alu_heavy, true); });
    add("vm_alu_per_insn_over_empty/bpfxx_vm", [](benchmark::State& s) { run<interpreter>(s, alu_heavy, true); });
    return bpfxx_bench::run_benchmarks(argc, argv,
                                       {{"vm_filter", "jit"},
                                        {"vm_alu", "jit"},
                                        {"vm_empty", "jit"},
                                        {"vm_filter_per_insn_over_empty", "jit"},
                                        {"vm_alu_per_insn_over_empty", "jit"}});
}
