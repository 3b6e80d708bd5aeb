// The interpreter against the kernel: programs generated from fixed seeds
// run in bpfxx::vm and, through BPF_PROG_TEST_RUN, in the running kernel, on
// the same packets. Return value, output packet, the context the kernel
// copies back and the contents of every map must be the same. Programs the
// verifier refuses are counted and skipped (the interpreter still runs them,
// and must not fail on them); a program the verifier accepts and the
// interpreter faults on is a mismatch like any other.
//
// What is compared per run: r0 as the kernel's 32-bit retval; data_out
// (for XDP it starts at data_meta: the interpreter's metadata() then
// packet()); for skb programs the __sk_buff that test_run copies back; and
// every entry of every map. Frames the kernel refuses (short IPv4/IPv6,
// a bad context) the interpreter must refuse too (fault_kind::bad_input).
//
// The "regression:" cases at the end pin down each difference this test
// found, with the smallest program that shows it.
//
// Debugging: BPFXX_VMDIFF_SHOW_REJECTS=1 prints the first verifier logs of
// each generator; BPFXX_VMDIFF_DUMP=file writes the first mismatching
// program, frame and context there as numbers, for replaying it alone.
#include "../common/kernel_env.hpp"

#include <doctest/doctest.h>

#include <bpfxx/asm.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/maps.hpp>
#include <bpfxx/probe.hpp>
#include <bpfxx/text.hpp>
#include <bpfxx/vm.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace {

namespace c = bpfxx::code;
namespace vm = bpfxx::vm;
using bpfxx::helper;
using bpfxx::insn;
using bytes = std::vector<std::uint8_t>;
using code_t = std::vector<insn>;

// ---------------------------------------------------------------------------
// Instructions built at run time from raw fields.

[[nodiscard]] std::uint8_t size_field(unsigned n) {
    switch (n) {
    case 1: return c::b;
    case 2: return c::h;
    case 4: return c::w;
    default: return c::dw;
    }
}

struct emitter {
    code_t v;

    void put(std::uint8_t code, int dst, int src, int off, std::int32_t imm) {
        v.push_back(bpfxx::make_insn(code, static_cast<std::uint8_t>(dst), static_cast<std::uint8_t>(src),
                                     static_cast<std::int16_t>(off), imm));
    }
    void alu(bool wide, std::uint8_t op, int dst, std::int32_t imm, int off = 0) {
        put(static_cast<std::uint8_t>((wide ? c::alu64 : c::alu) | op | c::k), dst, 0, off, imm);
    }
    void alux(bool wide, std::uint8_t op, int dst, int src, int off = 0) {
        put(static_cast<std::uint8_t>((wide ? c::alu64 : c::alu) | op | c::x), dst, src, off, 0);
    }
    void mov(int dst, std::int32_t imm) { alu(true, c::mov, dst, imm); }
    void movr(int dst, int src) { alux(true, c::mov, dst, src); }
    void ld64(int dst, std::uint64_t value) {
        put(c::ld | c::imm | c::dw, dst, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(value)));
        put(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(value >> 32)));
    }
    void ld_map(int dst, int index) {
        put(c::ld | c::imm | c::dw, dst, bpfxx::pseudo::map_idx, 0, index);
        put(0, 0, 0, 0, 0);
    }
    void ldx(unsigned n, int dst, int src, int off, bool sign = false) {
        put(static_cast<std::uint8_t>(c::ldx | size_field(n) | (sign ? c::memsx : c::mem)), dst, src, off, 0);
    }
    void stx(unsigned n, int dst, int off, int src) {
        put(static_cast<std::uint8_t>(c::stx | size_field(n) | c::mem), dst, src, off, 0);
    }
    void st(unsigned n, int dst, int off, std::int32_t imm) {
        put(static_cast<std::uint8_t>(c::st | size_field(n) | c::mem), dst, 0, off, imm);
    }
    void atomic(unsigned n, int dst, int off, int src, std::int32_t op) {
        put(static_cast<std::uint8_t>(c::stx | size_field(n) | c::atomic), dst, src, off, op);
    }
    void ld_abs(unsigned n, std::int32_t k) { put(static_cast<std::uint8_t>(c::ld | size_field(n) | c::abs), 0, 0, 0, k); }
    void ld_ind(unsigned n, int src, std::int32_t k) {
        put(static_cast<std::uint8_t>(c::ld | size_field(n) | c::ind), 0, src, 0, k);
    }
    /// A conditional jump whose target is set later by `land`; returns its slot.
    std::size_t jmp(bool wide, std::uint8_t op, int dst, std::int32_t imm) {
        put(static_cast<std::uint8_t>((wide ? c::jmp : c::jmp32) | op | c::k), dst, 0, 0, imm);
        return v.size() - 1;
    }
    std::size_t jmpx(bool wide, std::uint8_t op, int dst, int src) {
        put(static_cast<std::uint8_t>((wide ? c::jmp : c::jmp32) | op | c::x), dst, src, 0, 0);
        return v.size() - 1;
    }
    std::size_t ja() {
        put(c::jmp | c::ja, 0, 0, 0, 0);
        return v.size() - 1;
    }
    /// Points the jump at slot `at` to the next instruction emitted.
    void land(std::size_t at) { v[at].off = static_cast<std::int16_t>(v.size() - at - 1); }
    void call(helper h) { put(c::jmp | c::call, 0, 0, 0, static_cast<std::int32_t>(h)); }
    void exit() { put(c::jmp | c::exit, 0, 0, 0, 0); }
    /// r[dst] = r[dst] * odd constant ^ r[src]: a fold that loses no difference.
    void mix(int dst, int src) {
        alu(true, c::mul, dst, static_cast<std::int32_t>(0x9e3779b1u));
        alux(true, c::xor_, dst, src);
    }
};

// ---------------------------------------------------------------------------
// Helpers this kernel lets each program type call. A generator leaves out
// what the kernel refuses (a policy may forbid bpf_xdp_adjust_meta, say),
// so that its acceptance floor still measures the interpreter.

/// Whether programs of type `t` may call every one of `helpers` here; the
/// first refusal of each helper is printed once.
bool can_call(bpfxx::prog_type t, std::initializer_list<helper> helpers) {
    for (const helper h : helpers) {
        const auto s = bpfxx::probe::helper_supported(t, h);
        if (s) continue;
        static std::vector<std::pair<bpfxx::prog_type, helper>> told;
        if (std::find(told.begin(), told.end(), std::pair{t, h}) == told.end()) {
            told.emplace_back(t, h);
            std::printf("vm differential: generators leave out %s in %s programs: %s\n",
                        std::string(bpfxx::helper_name(h)).c_str(), std::string(bpfxx::to_string(t)).c_str(),
                        s.reason.c_str());
        }
        return false;
    }
    return true;
}

/// A choice in [0, n) for which `allowed` holds (the first such when `g` draws none in 64 tries).
template <class R, class F>
unsigned pick_allowed(R& g, unsigned n, F allowed) {
    for (int tries = 0; tries < 64; ++tries)
        if (const unsigned c = g.below(n); allowed(c)) return c;
    for (unsigned c = 0; c < n; ++c)
        if (allowed(c)) return c;
    FAIL("the kernel refuses every helper this generator calls");
    return 0;
}

// ---------------------------------------------------------------------------
// Random numbers from fixed seeds, with a taste for edge values.

struct rng {
    std::mt19937_64 g;
    explicit rng(std::uint64_t seed) : g(seed) {}

    std::uint64_t u64() { return g(); }
    std::uint32_t below(std::uint64_t n) { return static_cast<std::uint32_t>(g() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    T pick(std::initializer_list<T> items) {
        return *(items.begin() + below(items.size()));
    }
    int reg(int lo = 0, int hi = 9) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }

    std::int32_t imm32() {
        switch (below(4)) {
        case 0:
            return pick<std::int32_t>({0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 127, 128, 255, 256,
                                       0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, INT32_MIN, INT32_MIN + 1,
                                       -0x8000, -0x8001, 0x12345678, -0x12345678, 0x55555555, -0x55555556});
        case 1: return static_cast<std::int32_t>(below(512)) - 256;
        default: return static_cast<std::int32_t>(static_cast<std::uint32_t>(u64()));
        }
    }
    std::uint64_t imm64() {
        switch (below(6)) {
        case 4: { // one bit, or all but one
            const auto bit = std::uint64_t{1} << below(64);
            return chance(50) ? bit : ~bit;
        }
        case 5: return chance(50) ? u64() & 0xffffffff00000000ull : u64() & 0xffffffffull; // one half only
        case 0:
            return pick<std::uint64_t>({0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0xffffffffull,
                                        0x100000000ull, 0x80000000ull, 0xffffffff80000000ull, 0x7fffffffull,
                                        0xffffffff7fffffffull, 0x00000000ffff0000ull, 0x0123456789abcdefull,
                                        0xfedcba9876543210ull, 0x8000000080000000ull});
        case 1: return static_cast<std::uint64_t>(static_cast<std::int64_t>(below(2048)) - 1024);
        default: return u64();
        }
    }
};

// ---------------------------------------------------------------------------
// Frames: crafted ones and random ones.

struct frame {
    std::string name;
    bytes b;
};

constexpr std::array<std::uint8_t, 6> mac_a{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<std::uint8_t, 6> mac_b{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr std::array<std::uint8_t, 6> mac_bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr std::array<std::uint8_t, 6> mac_mcast{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
constexpr std::array<std::uint8_t, 6> mac_mcast6{0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<std::uint8_t, 6> mac_zero{};

void put16(bytes& b, std::size_t at, unsigned v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

bytes ethernet(const std::array<std::uint8_t, 6>& dst, unsigned type, std::size_t size) {
    bytes b(size);
    std::copy(dst.begin(), dst.end(), b.begin());
    std::copy(mac_a.begin(), mac_a.end(), b.begin() + 6);
    put16(b, 12, type);
    for (std::size_t i = 14; i < size; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return b;
}

std::uint16_t ip_checksum(const std::uint8_t* p, std::size_t n) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t{p[i]} << 8 | p[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

/// IPv4 at offset `at` (header of `ihl` words), protocol `proto`, L4 header after it.
void ipv4(bytes& b, std::size_t at, unsigned proto, unsigned ihl = 5, unsigned frag = 0) {
    const std::size_t total = b.size() - at;
    b[at] = static_cast<std::uint8_t>(0x40 | ihl);
    b[at + 1] = 0;
    put16(b, at + 2, static_cast<unsigned>(total));
    put16(b, at + 4, 0x1234);
    put16(b, at + 6, frag);
    b[at + 8] = 64;
    b[at + 9] = static_cast<std::uint8_t>(proto);
    put16(b, at + 10, 0);
    const std::uint8_t addrs[8] = {10, 0, 0, 1, 192, 168, 1, 77};
    std::copy(addrs, addrs + 8, b.begin() + static_cast<std::ptrdiff_t>(at + 12));
    for (std::size_t i = 20; i < ihl * 4u; ++i) b[at + i] = 1; // NOP options
    put16(b, at + 10, ip_checksum(&b[at], ihl * 4u));
    const std::size_t l4 = at + ihl * 4u;
    if (l4 + 8 <= b.size()) {
        put16(b, l4, 40000);
        put16(b, l4 + 2, proto == 17 ? 53 : 80);
        if (proto == 17) put16(b, l4 + 4, static_cast<unsigned>(b.size() - l4));
        if (proto == 1) {
            b[l4] = 8;
            b[l4 + 1] = 0;
        }
    }
    if (proto == 6 && l4 + 20 <= b.size()) {
        b[l4 + 12] = 0x50;
        b[l4 + 13] = 0x12; // SYN|ACK
    }
}

void ipv6(bytes& b, std::size_t at, unsigned next) {
    b[at] = 0x60;
    b[at + 1] = 0;
    b[at + 2] = 0;
    b[at + 3] = 0;
    put16(b, at + 4, static_cast<unsigned>(b.size() - at - 40));
    b[at + 6] = static_cast<std::uint8_t>(next);
    b[at + 7] = 64;
    for (std::size_t i = 0; i < 32; ++i) b[at + 8 + i] = static_cast<std::uint8_t>(i < 16 ? 0x20 + i : 0xf0 - i);
    const std::size_t l4 = at + 40;
    if (l4 + 8 <= b.size()) {
        put16(b, l4, 443);
        put16(b, l4 + 2, 50000);
        if (next == 58) b[l4] = 128;
    }
}

std::vector<frame> crafted_frames() {
    std::vector<frame> f;
    const auto add = [&](std::string name, bytes b) { f.push_back({std::move(name), std::move(b)}); };
    {
        auto b = ethernet(mac_b, 0x0800, 74);
        ipv4(b, 14, 6);
        add("ipv4 tcp", b);
    }
    {
        auto b = ethernet(mac_b, 0x0800, 60);
        ipv4(b, 14, 17);
        add("ipv4 udp 60", b);
    }
    {
        auto b = ethernet(mac_b, 0x0800, 98);
        ipv4(b, 14, 1);
        add("ipv4 icmp", b);
    }
    {
        auto b = ethernet(mac_b, 0x0800, 66);
        ipv4(b, 14, 17, 6);
        add("ipv4 options udp", b);
    }
    {
        auto b = ethernet(mac_b, 0x0800, 77);
        ipv4(b, 14, 17, 5, 0x2001);
        add("ipv4 fragment odd length", b);
    }
    {
        auto b = ethernet(mac_b, 0x86dd, 86);
        ipv6(b, 14, 6);
        add("ipv6 tcp", b);
    }
    {
        auto b = ethernet(mac_b, 0x86dd, 63);
        ipv6(b, 14, 17);
        add("ipv6 udp odd length", b);
    }
    {
        auto b = ethernet(mac_mcast6, 0x86dd, 70);
        ipv6(b, 14, 58);
        add("ipv6 icmpv6 multicast", b);
    }
    {
        auto b = ethernet(mac_b, 0x8100, 64);
        put16(b, 14, 0x0064); // VLAN 100
        put16(b, 16, 0x0800);
        ipv4(b, 18, 17);
        add("vlan ipv4 udp", b);
    }
    {
        auto b = ethernet(mac_bcast, 0x0806, 42);
        add("arp broadcast", b);
    }
    {
        auto b = ethernet(mac_bcast, 0x0800, 60);
        ipv4(b, 14, 17);
        add("ipv4 udp broadcast", b);
    }
    {
        auto b = ethernet(mac_mcast, 0x0800, 61);
        ipv4(b, 14, 17);
        add("ipv4 udp multicast", b);
    }
    {
        auto b = ethernet(mac_zero, 0x0800, 54);
        ipv4(b, 14, 6);
        add("ipv4 tcp zero dst", b);
    }
    add("short 14", ethernet(mac_b, 0x88b5, 14));
    add("short 15", ethernet(mac_b, 0x88b5, 15));
    add("short 21", ethernet(mac_bcast, 0x1234, 21));
    add("short 33", ethernet(mac_b, 0x9000, 33));
    add("short ipv4 type 20", ethernet(mac_b, 0x0800, 20));
    add("short ipv6 type 40", ethernet(mac_b, 0x86dd, 40));
    add("short vlan 16", ethernet(mac_bcast, 0x8100, 16));
    add("802.3 raw", [] {
        auto b = ethernet(mac_b, 0x0040, 60);
        b[14] = b[15] = 0xff;
        return b;
    }());
    add("802.2 llc", [] {
        auto b = ethernet(mac_b, 0x0030, 50);
        b[14] = b[15] = 0xaa;
        return b;
    }());
    {
        auto b = ethernet(mac_b, 0x0800, 1514);
        ipv4(b, 14, 17);
        add("ipv4 udp 1514", b);
    }
    return f;
}

frame random_frame(rng& g, int index) {
    std::size_t size = 14 + g.below(g.chance(15) ? 1500 : 120);
    const unsigned pick = g.below(10);
    bytes b(size);
    for (auto& x : b) x = static_cast<std::uint8_t>(g.u64());
    if (g.chance(20)) std::copy(mac_bcast.begin(), mac_bcast.end(), b.begin());
    else if (g.chance(20)) b[0] &= 0xfe; // unicast
    if (pick < 4 && size >= 34) {
        put16(b, 12, 0x0800);
        const auto proto = g.pick<unsigned>({1, 6, 17, 47, 255});
        ipv4(b, 14, proto, 5 + g.below(3) * (size >= 60 ? 1 : 0));
    } else if (pick < 6 && size >= 54) {
        put16(b, 12, 0x86dd);
        ipv6(b, 14, g.pick<unsigned>({6, 17, 58, 0}));
    } else if (pick < 7) {
        put16(b, 12, 0x0806);
    }
    return {"random " + std::to_string(index), std::move(b)};
}

/// Every frame the tests use: the crafted ones first, then random ones.
const std::vector<frame>& frames() {
    static const std::vector<frame> all = [] {
        auto f = crafted_frames();
        rng g(0x5eed'f4a3e5);
        for (int i = 0; i < 40; ++i) f.push_back(random_frame(g, i));
        return f;
    }();
    return all;
}

/// `n` frames for one program: always one short frame, the rest at random.
std::vector<const frame*> some_frames(rng& g, std::size_t n) {
    const auto& all = frames();
    std::vector<const frame*> out;
    static const std::size_t crafted = crafted_frames().size();
    static const std::vector<const frame*> short_ones = [&] {
        std::vector<const frame*> v;
        for (const auto& f : all)
            if (f.b.size() < 34) v.push_back(&f);
        return v;
    }();
    out.push_back(short_ones[g.below(short_ones.size())]);
    while (out.size() < n) {
        const auto& f = g.chance(60) ? all[g.below(crafted)] : all[crafted + g.below(all.size() - crafted)];
        out.push_back(&f);
    }
    return out;
}

std::string hex(std::span<const std::uint8_t> b, std::size_t max = 256) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < b.size() && i < max; ++i) {
        if (i) s += (i % 16 == 0) ? '\n' : ' ';
        s += digits[b[i] >> 4];
        s += digits[b[i] & 15];
    }
    if (b.size() > max) s += " ... (" + std::to_string(b.size()) + " bytes)";
    return s;
}

// ---------------------------------------------------------------------------
// Bookkeeping.

struct stats {
    std::string name;
    bool quiet = false; ///< no line in the output (the regression cases)
    vm::run_result last{}; ///< the interpreter's result on the last frame
    std::size_t programs = 0, accepted = 0, rejected = 0, runs = 0, refused = 0, mismatches = 0;
    std::size_t lenient = 0; ///< rejected programs the interpreter ran without a fault on every frame
    std::size_t path_runs = 0, path_mismatches = 0; ///< runs compared between the decoded and the general path
    /// Coverage, over the runs compared with the kernel: those that reached
    /// the entry function's last `exit` (past every early exit and ld_abs
    /// bail-out), and the map element helper calls they made.
    std::size_t final_exits = 0, map_calls = 0;
    std::map<std::string, int> reasons;
    std::map<std::string, int> lenient_reasons;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    explicit stats(std::string n) : name(std::move(n)) {}
    ~stats();
};

struct totals_t {
    std::size_t programs = 0, accepted = 0, rejected = 0, runs = 0, refused = 0, mismatches = 0;
    std::size_t path_runs = 0, path_mismatches = 0;
    ~totals_t() {
        if (programs)
            std::printf("vm differential, all: %zu programs, %zu accepted, %zu rejected by the verifier, %zu runs "
                        "compared, %zu packets refused by the kernel, %zu mismatches; decoded against general "
                        "path: %zu runs, %zu mismatches\n",
                        programs, accepted, rejected, runs, refused, mismatches, path_runs, path_mismatches);
    }
};
totals_t totals;

stats::~stats() {
    if (quiet) return;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    std::printf("vm differential, %s: %zu programs, %zu accepted, %zu rejected, %zu runs compared, %zu refused "
                "packets, %zu mismatches, %lld ms\n",
                name.c_str(), programs, accepted, rejected, runs, refused, mismatches, static_cast<long long>(ms));
    std::printf("    coverage: %zu of %zu compared runs reached the final exit (%zu%%), %zu map operations\n",
                final_exits, runs, runs ? final_exits * 100 / runs : 0, map_calls);
    if (lenient != 0) {
        std::printf("    %zu rejected programs ran in the interpreter without a fault:\n", lenient);
        for (const auto& [r, n] : lenient_reasons) std::printf("      %4d x  %s\n", n, r.c_str());
    }
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [r, n] : reasons) top.emplace_back(n, r);
    std::sort(top.rbegin(), top.rend());
    for (std::size_t i = 0; i < top.size() && i < 6; ++i)
        std::printf("    rejected %4d x  %s\n", top[i].first, top[i].second.c_str());
    totals.programs += programs;
    totals.accepted += accepted;
    totals.rejected += rejected;
    totals.runs += runs;
    totals.refused += refused;
    totals.mismatches += mismatches;
    totals.path_runs += path_runs;
    totals.path_mismatches += path_mismatches;
}

/// The verifier's reason, digits folded, for the statistics.
std::string reason_of(const bpfxx::error& e) {
    std::string_view d = e.detail();
    if (d.starts_with("verifier: ")) d = d.substr(10, d.find('\n') - 10);
    else d = d.substr(0, d.find('\n'));
    std::string s;
    for (const char ch : d.substr(0, 70)) {
        if (ch >= '0' && ch <= '9') {
            if (s.empty() || s.back() != '#') s += '#';
        } else {
            s += ch;
        }
    }
    return std::to_string(e.errnum()) + ": " + s;
}

// ---------------------------------------------------------------------------
// The two machines: kernel maps and the interpreter's models of them.

enum class kind { socket_filter, tc, xdp };

bpfxx::prog_type prog_type_of(kind k) {
    switch (k) {
    case kind::socket_filter: return bpfxx::prog_type::socket_filter;
    case kind::tc: return bpfxx::prog_type::sched_cls;
    default: return bpfxx::prog_type::xdp;
    }
}
const char* name_of(kind k) {
    switch (k) {
    case kind::socket_filter: return "socket_filter";
    case kind::tc: return "sched_cls";
    default: return "xdp";
    }
}

/// The per-run context of skb programs (what BPF_PROG_TEST_RUN takes as ctx_in).
struct skb_in {
    std::uint32_t mark = 0, priority = 0, ingress_ifindex = 0;
    std::array<std::uint32_t, 5> cb{};
    std::uint64_t tstamp = 0;
    std::uint32_t gso_segs = 0, gso_size = 0;

    static skb_in random(rng& g) {
        skb_in s;
        if (g.chance(60)) s.mark = g.chance(50) ? g.below(16) : static_cast<std::uint32_t>(g.u64());
        if (g.chance(50)) s.priority = static_cast<std::uint32_t>(g.u64());
        if (g.chance(30)) s.ingress_ifindex = g.below(4);
        for (auto& x : s.cb)
            if (g.chance(50)) x = static_cast<std::uint32_t>(g.u64());
        if (g.chance(30)) s.tstamp = g.u64() >> 2;
        if (g.chance(30)) s.gso_segs = g.chance(90) ? g.below(64) : g.pick<std::uint32_t>({65535, 65536});
        if (g.chance(30)) s.gso_size = g.chance(80) ? g.below(9000) : static_cast<std::uint32_t>(g.u64());
        return s;
    }
    [[nodiscard]] std::string describe(kind k) const {
        if (k == kind::xdp) return {};
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "ctx_in: mark 0x%x priority 0x%x ingress_ifindex %u cb %x %x %x %x %x tstamp 0x%llx gso_segs %u "
                      "gso_size %u\n",
                      mark, priority, ingress_ifindex, cb[0], cb[1], cb[2], cb[3], cb[4],
                      static_cast<unsigned long long>(tstamp), gso_segs, gso_size);
        return buf;
    }
    [[nodiscard]] bpfxx::sk_buff kernel() const {
        bpfxx::sk_buff k{};
        k.mark = mark;
        k.priority = priority;
        k.ingress_ifindex = ingress_ifindex;
        for (int i = 0; i < 5; ++i) k.cb[i] = cb[static_cast<std::size_t>(i)];
        k.tstamp = tstamp;
        k.gso_segs = gso_segs;
        k.gso_size = gso_size;
        return k;
    }
    [[nodiscard]] vm::skb_options options() const {
        vm::skb_options o;
        o.mark = mark;
        o.priority = priority;
        o.ingress_ifindex = ingress_ifindex;
        o.cb = cb;
        o.tstamp = tstamp;
        o.gso_segs = gso_segs;
        o.gso_size = gso_size;
        return o;
    }
};

template <class M>
constexpr bool is_array_map = M::type == bpfxx::map_type::array;
template <class M>
constexpr bool is_hash_map = M::type == bpfxx::map_type::hash;

template <class T>
std::string bytes_of(const T& v) {
    const auto raw = std::bit_cast<std::array<std::uint8_t, sizeof(T)>>(v);
    return hex(raw);
}

/// The kernel's maps Ms and a machine holding the models of the same maps.
template <class... Ms>
struct world {
    using machine_t = vm::machine<bpfxx::type_list<Ms...>>;
    /// The same maps, running every instruction the general way (no decoded form).
    using general_t = vm::machine<bpfxx::type_list<Ms...>, vm::limits{.decode = false}>;
    std::unique_ptr<machine_t> vm = std::make_unique<machine_t>();
    std::unique_ptr<general_t> general = std::make_unique<general_t>();
    std::tuple<bpfxx::map<Ms>...> kernel_maps;

    /// New, empty kernel maps and models.
    void fresh() {
        kernel_maps = std::tuple<bpfxx::map<Ms>...>(Ms::create()...);
        (vm->template map<Ms>().clear(), ...);
        (general->template map<Ms>().clear(), ...);
    }
    /// f(machine) for both machines.
    template <class F>
    void on_models(F&& f) {
        f(*vm);
        f(*general);
    }
    /// The same random entries in the kernel's maps and the models.
    void seed(rng& g) {
        (seed_one<Ms>(g), ...);
    }
    template <class M>
    void seed_one(rng& g) {
        if constexpr (is_array_map<M> || is_hash_map<M>) {
            auto& k = std::get<bpfxx::map<M>>(kernel_maps);
            auto& model = vm->template map<M>();
            const auto n = g.below(M::max_entries + 1);
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::uint32_t key = is_array_map<M> ? g.below(M::max_entries) : g.below(12);
                typename M::value_type v{};
                auto raw = std::bit_cast<std::array<std::uint8_t, sizeof v>>(v);
                for (auto& b : raw) b = static_cast<std::uint8_t>(g.u64());
                v = std::bit_cast<typename M::value_type>(raw);
                k.update(key, v);
                REQUIRE(model.update(key, v) == 0);
                REQUIRE(general->template map<M>().update(key, v) == 0);
            }
        }
    }
    [[nodiscard]] std::vector<int> fds() const { return {std::get<bpfxx::map<Ms>>(kernel_maps).fd()...}; }

    /// Where the two sets of maps differ ("" when they do not).
    [[nodiscard]] std::string compare() {
        std::string out;
        (compare_one<Ms>(out), ...);
        return out;
    }

    /// Where the decoded run `r` and the general run `g` of the same program differ.
    [[nodiscard]] std::string compare_paths(const vm::run_result& r, const vm::run_result& g) {
        std::string out;
        if (r.r0 != g.r0 || r.steps != g.steps || !(r.error == g.error) || r.exit_pc != g.exit_pc ||
            r.helper_calls != g.helper_calls || r.map_calls != g.map_calls)
            out += "decoded run: r0 " + std::to_string(r.r0) + ", " + std::to_string(r.steps) + " steps, " +
                   std::string(vm::to_string(r.error).view()) + "; general run: r0 " + std::to_string(g.r0) + ", " +
                   std::to_string(g.steps) + " steps, " + std::string(vm::to_string(g.error).view()) +
                   "; exit slots " + std::to_string(r.exit_pc) + " and " + std::to_string(g.exit_pc) + ", helper calls " +
                   std::to_string(r.helper_calls) + " and " + std::to_string(g.helper_calls) + "\n";
        const auto same = [](auto a, auto b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); };
        if (!same(vm->packet(), general->packet()) || !same(vm->metadata(), general->metadata()))
            out += "decoded and general runs leave different packets\n";
        if (bytes_of(vm->skb()) != bytes_of(general->skb())) out += "decoded and general runs leave different contexts\n";
        if (vm->redirected() != general->redirected()) out += "decoded and general runs redirect differently\n";
        (compare_models<Ms>(out), ...);
        return out;
    }
    template <class M>
    void compare_models(std::string& out) {
        if constexpr (is_array_map<M> || is_hash_map<M>) {
            auto& a = vm->template map<M>();
            auto& b = general->template map<M>();
            bool differ = a.size() != b.size();
            for (std::uint32_t key = 0; key < std::max<std::uint32_t>(M::max_entries, 12); ++key) {
                const auto x = a.lookup(key);
                const auto y = b.lookup(key);
                differ = differ || x.has_value() != y.has_value() || (x && bytes_of(*x) != bytes_of(*y));
            }
            if (differ) out += "decoded and general runs leave different maps\n";
        }
    }

    template <class M>
    void compare_one(std::string& out) {
        auto& k = std::get<bpfxx::map<M>>(kernel_maps);
        auto& model = vm->template map<M>();
        if constexpr (is_array_map<M>) {
            for (std::uint32_t i = 0; i < M::max_entries; ++i) {
                const auto kv = k.lookup(i);
                const auto mv = model.lookup(i);
                if (!kv || !mv || !(bytes_of(*kv) == bytes_of(*mv)))
                    out += "array[" + std::to_string(i) + "]: kernel " + (kv ? bytes_of(*kv) : "none") + ", vm " +
                           (mv ? bytes_of(*mv) : "none") + "\n";
            }
        } else if constexpr (is_hash_map<M>) {
            std::size_t n = 0;
            for (const auto key : k.keys()) {
                ++n;
                const auto kv = k.lookup(key);
                const auto mv = model.lookup(key);
                if (!kv || !mv || !(bytes_of(*kv) == bytes_of(*mv)))
                    out += "hash[" + std::to_string(key) + "]: kernel " + (kv ? bytes_of(*kv) : "none") + ", vm " +
                           (mv ? bytes_of(*mv) : "none") + "\n";
            }
            if (n != model.size())
                out += "hash: kernel has " + std::to_string(n) + " entries, vm " + std::to_string(model.size()) + "\n";
        }
    }
};

/// With BPFXX_VMDIFF_DUMP=file, the first mismatch is written there (kind,
/// frame, context and instructions as numbers) for replaying it alone.
void dump_case(kind k, const code_t& code, const frame& f, const skb_in& in) {
    static bool done = false;
    const char* path = std::getenv("BPFXX_VMDIFF_DUMP");
    if (path == nullptr || done) return;
    done = true;
    std::FILE* out = std::fopen(path, "w");
    if (out == nullptr) return;
    std::fprintf(out, "%d %zu", static_cast<int>(k), f.b.size());
    for (const auto b : f.b) std::fprintf(out, " %u", b);
    std::fprintf(out, "\n%u %u %u %u %u %u %u %u %llu %u %u\n", in.mark, in.priority, in.ingress_ifindex, in.cb[0],
                 in.cb[1], in.cb[2], in.cb[3], in.cb[4], static_cast<unsigned long long>(in.tstamp), in.gso_segs,
                 in.gso_size);
    std::fprintf(out, "%zu\n", code.size());
    for (const auto& i : code)
        std::fprintf(out, "%u %u %u %d %d\n", i.code, static_cast<unsigned>(i.dst_reg), static_cast<unsigned>(i.src_reg),
                     i.off, i.imm);
    std::fclose(out);
}

/// The kernel's log (/dev/kmsg) from the start of the test on: a verifier
/// warning about its own state ("verifier bug", "REG INVARIANTS VIOLATION")
/// is a kernel bug worth reporting, not a test failure. The program that
/// caused it and the kernel's words are saved under the build tree.
class kernel_log_watch {
public:
    kernel_log_watch() {
        fd_ = bpfxx::unique_fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        if (fd_) (void)::lseek(fd_.get(), 0, SEEK_END);
        else std::printf("vm differential: /dev/kmsg is not readable (%s): verifier warnings go unnoticed\n",
                         std::strerror(errno));
    }
    /// Reads what the kernel logged since the last call; saves `code` with
    /// each verifier warning among it.
    void check(const std::string& generator, const code_t& code) {
        if (!fd_) return;
        std::string words;
        char record[8192];
        for (;;) {
            const ssize_t n = ::read(fd_.get(), record, sizeof record - 1);
            if (n < 0 && errno == EPIPE) continue; // records overwritten before we read them
            if (n <= 0) break;
            const std::string_view r(record, static_cast<std::size_t>(n));
            const auto text = r.substr(r.find(';') == std::string_view::npos ? 0 : r.find(';') + 1);
            if (text.find("verifier bug") != std::string_view::npos ||
                text.find("REG INVARIANTS VIOLATION") != std::string_view::npos)
                words += text;
        }
        if (words.empty()) return;
        const std::string dir = std::string(BPFXX_BINARY_DIR) + "/kernel_verifier_warnings";
        (void)::mkdir(dir.c_str(), 0755);
        const std::string path = dir + "/" + std::to_string(::getpid()) + "_" + std::to_string(++saved_) + ".txt";
        if (std::FILE* out = std::fopen(path.c_str(), "w")) {
            std::fprintf(out, "generator: %s\nthe kernel said:\n%s\nprogram (%zu slots):\n%s\nas numbers (code dst src off imm):\n",
                         generator.c_str(), words.c_str(), code.size(), bpfxx::listing(std::span<const insn>(code)).c_str());
            for (const auto& i : code)
                std::fprintf(out, "%u %u %u %d %d\n", i.code, static_cast<unsigned>(i.dst_reg),
                             static_cast<unsigned>(i.src_reg), i.off, i.imm);
            std::fclose(out);
        }
        MESSAGE("the kernel's verifier warned about its own state on a program of '", generator,
                "' (a kernel bug, not a test failure); saved to ", path);
    }

private:
    bpfxx::unique_fd fd_;
    int saved_ = 0;
};

kernel_log_watch& kernel_log() {
    static kernel_log_watch w;
    return w;
}

/// The slot of the entry function's last `exit`: the end of the program, or
/// of the code before the first subprogram a local call enters.
std::uint32_t final_exit_of(const code_t& code) {
    std::int64_t end = static_cast<std::int64_t>(code.size());
    for (std::size_t pc = 0; pc < code.size(); ++pc)
        if (bpfxx::is_local_call(code[pc])) end = std::min(end, static_cast<std::int64_t>(pc) + 1 + code[pc].imm);
    for (auto pc = end - 1; pc >= 0; --pc)
        if (code[static_cast<std::size_t>(pc)].code == (c::jmp | c::exit))
            return static_cast<std::uint32_t>(pc);
    return ~0u;
}

/// One program: load it, run it in both on each frame, compare. Returns
/// whether the verifier accepted it.
template <class W>
bool differential(W& w, stats& st, kind k, const code_t& code, const std::vector<const frame*>& packets,
                  rng* ctx_rng = nullptr, const skb_in* fixed_ctx = nullptr) {
    ++st.programs;
    // BPFXX_VMDIFF_BREAK=<generator>: its programs get an early exit that
    // every run takes (`if r1 == 0` skips it, and r1, the context, is never
    // 0), so they pass every comparison but cover nothing; the coverage
    // floors must fail.
    static const char* const sabotaged = std::getenv("BPFXX_VMDIFF_BREAK");
    if (sabotaged != nullptr && st.name == sabotaged && !code.empty() && code[0].code != (c::jmp | c::jeq)) {
        code_t broken{insn{.code = c::jmp | c::jeq | c::k, .dst_reg = 1, .off = 2},
                      insn{.code = c::alu64 | c::mov | c::k}, insn{.code = c::jmp | c::exit}};
        broken.insert(broken.end(), code.begin(), code.end());
        --st.programs;
        return differential(w, st, k, broken, packets, ctx_rng, fixed_ctx);
    }
    const std::uint32_t final_exit = final_exit_of(code);
    std::optional<bpfxx::prog> p;
    const auto fds = w.fds();
    std::string reason;
    bool all_ran = true;
    try {
        p.emplace(bpfxx::load(prog_type_of(k), code, fds));
    } catch (const bpfxx::error& e) {
        ++st.rejected;
        reason = reason_of(e);
        ++st.reasons[reason];
        static const bool show = std::getenv("BPFXX_VMDIFF_SHOW_REJECTS") != nullptr;
        if (show && st.rejected <= 3) std::printf("--- rejected (%s):\n%s\n", st.name.c_str(), e.detail().c_str());
    }
    if (p) ++st.accepted;

    for (const frame* f : packets) {
        const skb_in in = fixed_ctx != nullptr                       ? *fixed_ctx
                          : (ctx_rng != nullptr && k != kind::xdp) ? skb_in::random(*ctx_rng)
                                                                   : skb_in{};
        const std::span<const insn> prog(code);
        vm::run_result r, rg;
        switch (k) {
        case kind::socket_filter:
            r = w.vm->run_socket_filter(prog, f->b, in.options());
            rg = w.general->run_socket_filter(prog, f->b, in.options());
            break;
        case kind::tc:
            r = w.vm->run_tc(prog, f->b, in.options());
            rg = w.general->run_tc(prog, f->b, in.options());
            break;
        case kind::xdp:
            r = w.vm->run_xdp(prog, f->b);
            rg = w.general->run_xdp(prog, f->b);
            break;
        }
        st.last = r;
        ++st.path_runs;
        if (const auto d = w.compare_paths(r, rg); !d.empty()) {
            ++st.path_mismatches;
            if (st.path_mismatches <= 6) {
                const std::string text = "the interpreter's two paths disagree (" + st.name + ", " + name_of(k) +
                                         ", frame '" + f->name + "')\n" + d + "program:\n" +
                                         bpfxx::listing(std::span<const insn>(code));
                FAIL_CHECK(text);
            }
        }
        if (!p) { // rejected: the interpreter ran it without harm, nothing to compare
            all_ran = all_ran && (r.ok() || r.error.kind == vm::fault_kind::bad_input);
            continue;
        }

        const bpfxx::sk_buff ctx_in = in.kernel();
        std::optional<bpfxx::test_run_result> kr;
        std::string refusal;
        try {
            bpfxx::test_run_options o{.data = std::as_bytes(std::span(f->b))};
            if (k != kind::xdp) o.ctx = std::as_bytes(std::span(&ctx_in, 1));
            o.repeat = 1;
            kr = bpfxx::test_run(*p, o);
        } catch (const bpfxx::error& e) {
            refusal = e.what();
        }
        std::string diff;
        if (!kr) {
            ++st.refused;
            if (r.error.kind == vm::fault_kind::bad_input) continue; // both refuse the frame
            diff += "the kernel refused the frame (" + refusal + "), the interpreter ran it\n";
        } else {
            ++st.runs;
        }
        if (!kr) {
        } else if (!r.ok()) {
            diff += "vm fault: " + std::string(vm::to_string(r.error).view()) + "\n";
        } else if (r.retval() != kr->retval) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "retval: kernel 0x%x, vm 0x%x (r0 0x%llx)\n", kr->retval, r.retval(),
                          static_cast<unsigned long long>(r.r0));
            diff += buf;
        }
        if (kr && r.ok()) {
            st.final_exits += r.exit_pc == final_exit;
            st.map_calls += r.map_calls;
            bytes expected;
            if (k == kind::xdp) {
                const auto meta = w.vm->metadata();
                expected.assign(meta.begin(), meta.end());
            }
            const auto pkt = w.vm->packet();
            expected.insert(expected.end(), pkt.begin(), pkt.end());
            const auto* got = reinterpret_cast<const std::uint8_t*>(kr->data_out.data());
            if (!std::equal(expected.begin(), expected.end(), got, got + kr->data_out.size()))
                diff += "data_out:\n kernel " + hex({got, kr->data_out.size()}) + "\n vm     " + hex(expected) + "\n";
            if (k != kind::xdp) {
                // what bpf_prog_test_run_skb copies back (convert_skb_to___skb); the rest stays as it came in
                bpfxx::sk_buff want = ctx_in;
                const auto s = w.vm->skb();
                want.mark = s.mark;
                want.priority = s.priority;
                want.ingress_ifindex = s.ingress_ifindex;
                want.ifindex = s.ifindex;
                want.tstamp = s.tstamp;
                for (int i = 0; i < 5; ++i) want.cb[i] = s.cb[i];
                want.wire_len = s.wire_len;
                want.gso_segs = s.gso_segs;
                want.hwtstamp = s.hwtstamp;
                const auto want_bytes = std::bit_cast<std::array<std::uint8_t, sizeof want>>(want);
                const auto* kc = reinterpret_cast<const std::uint8_t*>(kr->ctx_out.data());
                if (kr->ctx_out.size() != sizeof want || !std::equal(want_bytes.begin(), want_bytes.end(), kc))
                    diff += "ctx_out:\n kernel " + hex({kc, kr->ctx_out.size()}) + "\n vm     " + hex(want_bytes) +
                            "\n";
            }
        }
        diff += w.compare();
        if (!diff.empty()) {
            ++st.mismatches;
            if (st.mismatches <= 6) {
                const std::string text = "mismatch (" + st.name + ", " + name_of(k) + ", frame '" + f->name +
                                         "')\n" + diff + in.describe(k) + "program:\n" +
                                         bpfxx::listing(std::span<const insn>(code)) + "frame:\n" + hex(f->b);
                FAIL_CHECK(text);
                dump_case(k, code, *f, in);
            }
        }
    }
    kernel_log().check(st.name, code);
    if (!p && all_ran && !packets.empty()) {
        ++st.lenient;
        ++st.lenient_reasons[reason];
    }
    return p.has_value();
}

/// At least this share of a generator's programs must load, or the
/// generator tests the verifier instead of the interpreter.
void require_mostly_accepted(const stats& st, unsigned percent) {
    INFO(st.name, ": ", st.accepted, " of ", st.programs, " accepted");
    CHECK(st.accepted * 100 >= st.programs * percent);
    CHECK(st.mismatches == 0);
    CHECK(st.path_mismatches == 0);
}

/// A generator's coverage floors: the share of compared runs that reached the
/// final exit, and map operations per compared run (in hundredths), so that a
/// generator which stops exercising its target fails here rather than
/// comparing early exits. BPFXX_VMDIFF_BREAK=<generator> sabotages one on
/// purpose (ctest vm_differential_floor_fails shows the floor failing).
void require_coverage(const stats& st, unsigned final_exit_percent, unsigned map_calls_per_100_runs = 0) {
    INFO(st.name, ": ", st.final_exits, " of ", st.runs, " compared runs reached the final exit, ", st.map_calls,
         " map operations");
    CHECK(st.runs > 0);
    CHECK(st.final_exits * 100 >= st.runs * final_exit_percent);
    CHECK(st.map_calls * 100 >= st.runs * map_calls_per_100_runs);
}

// ---------------------------------------------------------------------------
// Generator 1: straight-line ALU.

void init_register(emitter& a, rng& g, int r) {
    switch (g.below(3)) {
    case 0: a.mov(r, g.imm32()); break;
    case 1: a.alu(false, c::mov, r, g.imm32()); break;
    default: a.ld64(r, g.imm64()); break;
    }
}

/// One random ALU instruction (two when a divisor is set up first) on registers [lo, hi].
void random_alu(emitter& a, rng& g, int lo = 0, int hi = 9) {
    const bool wide = g.chance(55);
    const int bits = wide ? 64 : 32;
    const int dst = g.reg(lo, hi);
    const int src = g.reg(lo, hi);
    const bool k = g.chance(45);
    switch (g.below(20)) {
    case 0: return k ? a.alu(wide, c::add, dst, g.imm32()) : a.alux(wide, c::add, dst, src);
    case 1: return k ? a.alu(wide, c::sub, dst, g.imm32()) : a.alux(wide, c::sub, dst, src);
    case 2: return k ? a.alu(wide, c::mul, dst, g.imm32()) : a.alux(wide, c::mul, dst, src);
    case 3:
    case 4: { // div, sdiv, mod, smod
        const auto op = g.chance(50) ? c::div : c::mod;
        const int off = g.chance(50) ? 1 : 0;
        if (k) {
            std::int32_t imm = g.imm32();
            if (imm == 0) imm = g.chance(50) ? -1 : 3;
            if (g.chance(25)) imm = -1;
            return a.alu(wide, op, dst, imm, off);
        }
        if (g.chance(20)) a.mov(src, 0);
        else if (g.chance(15)) a.mov(src, -1);
        else if (g.chance(10)) a.alu(false, c::mov, src, -1);
        return a.alux(wide, op, dst, src, off);
    }
    case 5: return k ? a.alu(wide, c::or_, dst, g.imm32()) : a.alux(wide, c::or_, dst, src);
    case 6: return k ? a.alu(wide, c::and_, dst, g.imm32()) : a.alux(wide, c::and_, dst, src);
    case 7: return k ? a.alu(wide, c::xor_, dst, g.imm32()) : a.alux(wide, c::xor_, dst, src);
    case 8:
    case 9:
    case 10: { // shifts: immediate amounts in range, register amounts anything (masked)
        const auto op = g.pick<std::uint8_t>({c::lsh, c::rsh, c::arsh});
        if (k) return a.alu(wide, op, dst, static_cast<std::int32_t>(g.below(static_cast<std::uint64_t>(bits))));
        if (g.chance(40)) a.mov(src, g.pick<std::int32_t>({bits, bits + 1, 2 * bits - 1, 127, 255, -1, -31, 1000}));
        return a.alux(wide, op, dst, src);
    }
    case 11: return k ? a.alu(wide, c::mov, dst, g.imm32()) : a.alux(wide, c::mov, dst, src);
    case 12: return a.alu(wide, c::neg, dst, 0);
    case 13:
    case 14: { // byte swaps
        const auto n = g.pick<std::int32_t>({16, 32, 64});
        if (wide) return a.put(c::alu64 | c::end | c::to_le, dst, 0, 0, n); // bswap
        return a.put(static_cast<std::uint8_t>(c::alu | c::end | (g.chance(50) ? c::to_be : c::to_le)), dst, 0, 0, n);
    }
    case 15:
    case 16: { // movsx
        const int off = wide ? g.pick<int>({8, 16, 32}) : g.pick<int>({8, 16});
        return a.alux(wide, c::mov, dst, src, off);
    }
    default: return k ? a.alu(wide, c::add, dst, g.imm32()) : a.alux(wide, c::xor_, dst, src);
    }
}

/// r0 = a fold of r0..r9, upper half folded into the lower (the kernel returns 32 bits).
void fold_all(emitter& a) {
    for (int r = 1; r <= 9; ++r) a.mix(0, r);
    a.movr(1, 0);
    a.alu(true, c::rsh, 1, 32);
    a.alux(true, c::xor_, 0, 1);
    a.exit();
}

code_t gen_alu(rng& g) {
    emitter a;
    for (int r = 0; r <= 9; ++r) init_register(a, g, r);
    const auto n = 6 + g.below(40);
    for (std::uint32_t i = 0; i < n; ++i) random_alu(a, g);
    fold_all(a);
    return a.v;
}

// ---------------------------------------------------------------------------
// Generator 2: forward branches on values partly read from the packet.

code_t gen_branches(rng& g) {
    emitter pre;
    pre.movr(6, 1);
    for (int r = 7; r <= 9; ++r) {
        const unsigned size = g.pick<unsigned>({1, 2, 4});
        pre.ld_abs(size, static_cast<std::int32_t>(g.below(30)));
        pre.movr(r, 0);
    }
    for (int r = 0; r <= 6; ++r) {
        if (g.chance(40)) {
            pre.movr(r, g.reg(7, 9));
            // one random draw per statement: argument order differs between compilers
            const bool wide = g.chance(50);
            const auto op = g.pick<std::uint8_t>({c::add, c::xor_, c::mul, c::lsh});
            pre.alu(wide, op, r, static_cast<std::int32_t>(g.below(20)));
        } else {
            init_register(pre, g, r);
        }
    }
    // items: straight code, or a jump to a later item
    struct item {
        code_t code;
        int target = -1;
    };
    std::vector<item> items;
    const int n = 4 + static_cast<int>(g.below(24));
    int jumps = 0;
    for (int i = 0; i < n; ++i) {
        item it;
        emitter e;
        if (g.chance(38) && jumps < 12) {
            ++jumps;
            const bool wide = g.chance(50);
            const int dst = g.reg();
            const auto op = g.pick<std::uint8_t>({c::jeq, c::jne, c::jgt, c::jge, c::jlt, c::jle, c::jset, c::jsgt,
                                                  c::jsge, c::jslt, c::jsle});
            const int src = g.reg();
            if (g.chance(35)) { // shaped values right before the test: bits in one half, single bits, signs
                const auto shaped = [&]() -> std::uint64_t {
                    switch (g.below(5)) {
                    case 0: return std::uint64_t{1} << g.below(64);
                    case 1: return g.u64() & 0xffffffff00000000ull;
                    case 2: return g.u64() & 0xffffffffull;
                    case 3: return g.pick<std::uint64_t>({0, ~0ull, 1ull << 63, 0x80000000ull, 0xffffffff80000000ull});
                    default: return g.imm64();
                    }
                };
                e.ld64(dst, shaped());
                if (src != dst) e.ld64(src, shaped());
            }
            const unsigned form = i + 2 < n ? g.below(16) : 2;
            if (form < 2) {
                // if (cond) skip the jump; goto target: the code after the goto stays reachable
                e.jmp(wide, op, dst, g.imm32());
                e.v.back().off = 1;
                if (form == 0) e.ja();
                else e.put(c::jmp32 | c::ja, 0, 0, 0, 0); // gotol
            } else if (g.chance(50))
                e.jmp(wide, op, dst, g.chance(40) ? static_cast<std::int32_t>(g.below(256)) : g.imm32());
            else e.jmpx(wide, op, dst, src);
            it.target = i + 1 + static_cast<int>(g.below(static_cast<std::uint64_t>(n - i)));
        } else {
            random_alu(e, g);
        }
        it.code = std::move(e.v);
        items.push_back(std::move(it));
    }
    // lay out, then patch each jump to the first slot of its target item (n: the fold)
    std::vector<std::size_t> start(static_cast<std::size_t>(n) + 1);
    std::size_t pos = pre.v.size();
    for (int i = 0; i < n; ++i) {
        start[static_cast<std::size_t>(i)] = pos;
        pos += items[static_cast<std::size_t>(i)].code.size();
    }
    start[static_cast<std::size_t>(n)] = pos;
    code_t out = std::move(pre.v);
    for (int i = 0; i < n; ++i) {
        auto& it = items[static_cast<std::size_t>(i)];
        if (it.target >= 0) {
            // relative to the jump itself, the last slot of its item
            const auto at = start[static_cast<std::size_t>(i)] + it.code.size() - 1;
            const auto delta = static_cast<std::int64_t>(start[static_cast<std::size_t>(it.target)]) -
                               static_cast<std::int64_t>(at) - 1;
            auto& j = it.code.back();
            if (j.code == (c::jmp32 | c::ja)) j.imm = static_cast<std::int32_t>(delta);
            else j.off = static_cast<std::int16_t>(delta);
        }
        out.insert(out.end(), it.code.begin(), it.code.end());
    }
    emitter tail;
    fold_all(tail);
    out.insert(out.end(), tail.v.begin(), tail.v.end());
    return out;
}

// ---------------------------------------------------------------------------
// Generator 2b: stack spills and fills of every width, and a bpf-to-bpf call.

/// A store to or a load from [fp - depth, fp), aligned to its size, with registers [lo, hi].
void stack_op(emitter& a, rng& g, int lo, int hi, int depth) {
    const unsigned n = g.pick<unsigned>({1, 2, 4, 8});
    const int off = -depth + static_cast<int>(g.below(static_cast<std::uint64_t>(depth) / n) * n);
    switch (g.below(3)) {
    case 0: a.stx(n, 10, off, g.reg(lo, hi)); break;
    case 1: a.st(n, 10, off, g.imm32()); break;
    default: {
        const int r = g.reg(lo, hi);
        a.ldx(n, r, 10, off, n < 8 && g.chance(35));
        break;
    }
    }
}

code_t gen_calls(rng& g) {
    emitter main;
    for (int r = 0; r <= 9; ++r) init_register(main, g, r);
    for (int off = -64; off < 0; off += 8) main.st(8, 10, off, g.imm32());
    const auto ops = g.below(20);
    for (std::uint32_t i = 0; i < ops; ++i) {
        if (g.chance(50)) stack_op(main, g, 0, 9, 64);
        else random_alu(main, g);
    }
    const bool pass_stack = g.chance(40); // r5 = fp - 16: the callee writes the caller's stack
    if (pass_stack) {
        main.movr(5, 10);
        main.alu(true, c::add, 5, -16);
    }
    const auto call_at = main.v.size();
    main.put(c::jmp | c::call, 0, bpfxx::pseudo::call, 0, 0); // imm: set below
    for (int r = 6; r <= 9; ++r) main.mix(0, r);
    main.ldx(8, 1, 10, -8);
    main.mix(0, 1);
    main.ldx(8, 1, 10, -16);
    main.mix(0, 1);
    main.movr(1, 0);
    main.alu(true, c::rsh, 1, 32);
    main.alux(true, c::xor_, 0, 1);
    main.exit();

    // the callee: its own stack, and r6-r9 of its own (the caller's come back on exit)
    emitter sub;
    sub.movr(0, 1);
    if (pass_stack) {
        sub.stx(g.pick<unsigned>({1, 2, 4, 8}), 5, 0, 2);
        sub.ldx(8, 1, 5, 8); // the caller's fp-8
        sub.mix(0, 1);
        init_register(sub, g, 5);
    }
    for (int r = 6; r <= 9; ++r) init_register(sub, g, r);
    for (int off = -32; off < 0; off += 8) sub.stx(8, 10, off, g.reg(0, 9));
    const auto sub_ops = 1 + g.below(20);
    for (std::uint32_t i = 0; i < sub_ops; ++i) {
        if (g.chance(40)) stack_op(sub, g, 0, 9, 32);
        else random_alu(sub, g);
    }
    for (int r = 6; r <= 9; ++r) sub.mix(0, r);
    sub.exit();
    main.v[call_at].imm = static_cast<std::int32_t>(main.v.size() - call_at - 1);
    main.v.insert(main.v.end(), sub.v.begin(), sub.v.end());
    return main.v;
}

// ---------------------------------------------------------------------------
// Generator 3: packet programs.

constexpr int sk_off(std::size_t o) { return static_cast<int>(o); }
#define SKB(field) sk_off(offsetof(bpfxx::sk_buff, field))

/// acc (r7) = mix(acc, r[src]) in one of several ways.
void fold_into_acc(emitter& a, rng& g, int src) {
    switch (g.below(3)) {
    case 0: a.mix(7, src); break;
    case 1:
        a.alu(true, c::mul, 7, 31);
        a.alux(true, c::add, 7, src);
        break;
    default:
        a.alu(true, c::lsh, 7, 7);
        a.alux(true, c::xor_, 7, src);
        break;
    }
}

/// Fills the stack [fp-192, fp) with known bytes, so that every later read is defined.
void init_stack(emitter& a, rng& g) {
    for (int off = -192; off < 0; off += 8) {
        if (g.chance(50)) {
            a.ld64(1, g.imm64());
            a.stx(8, 10, off, 1);
        } else {
            a.st(8, 10, off, g.imm32());
        }
    }
}

/// Direct packet access: data and data_end from the context (r6) at
/// `data_off`/`end_off` into r2/r3 (r8 = data), a bounds check for a random
/// number of bytes, then loads and stores inside them, fixed and variable
/// offsets. Uses r0 and r2-r5, r8; the acc stays in r7. Jumps past the
/// section when the packet is short. `allow_bad`: sometimes an access the
/// verifier must refuse.
void direct_access(emitter& a, rng& g, int data_off, int end_off, bool allow_bad) {
    a.ldx(4, 2, 6, data_off);
    a.ldx(4, 3, 6, end_off);
    a.movr(8, 2);
    const int n = g.pick<int>({1, 8, 14, 20, 34, 38, 42, 54, 60, 64, 74, 100, 200});
    a.movr(4, 2);
    a.alu(true, c::add, 4, n);
    std::size_t skip;
    switch (g.below(3)) {
    case 0: skip = a.jmpx(true, c::jgt, 4, 3); break;
    case 1: skip = a.jmpx(true, c::jlt, 3, 4); break;
    default: {
        // if r4 <= r3 goto body; else skip
        const auto body = a.jmpx(true, c::jle, 4, 3);
        skip = a.ja();
        a.land(body);
        break;
    }
    }
    a.mov(5, 0);
    const auto ops = 1 + g.below(14);
    for (std::uint32_t i = 0; i < ops; ++i) {
        const unsigned size = g.pick<unsigned>({1, 2, 4, 8});
        const int room = n - static_cast<int>(size);
        if (room < 0) continue;
        int off = static_cast<int>(g.below(static_cast<std::uint64_t>(room) + 1));
        if (allow_bad && g.chance(3)) off = room + 1 + static_cast<int>(g.below(8)); // out of bounds
        switch (g.below(6)) {
        case 0:
        case 1: {
            const bool sign = size < 8 && g.chance(35);
            a.ldx(size, 5, 8, off, sign);
            // network byte order, as parsers read headers (the interpreter fuses ldx + be)
            if (!sign && size > 1 && g.chance(40))
                a.put(static_cast<std::uint8_t>(c::alu | c::end | (g.chance(80) ? c::to_be : c::to_le)), 5, 0, 0,
                      static_cast<std::int32_t>(size * 8));
            fold_into_acc(a, g, 5);
            break;
        }
        case 2: a.st(size, 8, off, g.imm32()); break;
        case 3: a.stx(size, 8, off, g.chance(70) ? 7 : 5); break;
        case 4: { // variable offset: r4 = r8 + (acc & mask), mask + size <= n
            int mask = 1;
            while (mask * 2 - 1 + static_cast<int>(size) <= n && mask < 256) mask *= 2;
            mask -= 1;
            // a pointer with a variable offset needs its own bounds check
            a.movr(4, 7);
            a.alu(true, c::and_, 4, mask);
            a.alux(true, c::add, 4, 8);
            a.movr(0, 4);
            a.alu(true, c::add, 0, static_cast<std::int32_t>(size));
            const auto past = a.jmpx(true, c::jgt, 0, 3);
            if (g.chance(50)) {
                a.ldx(size, 5, 4, 0, size < 8 && g.chance(30));
                fold_into_acc(a, g, 5);
            } else {
                a.stx(size, 4, 0, 7);
            }
            a.land(past);
            break;
        }
        default:
            if (g.chance(50)) {
                const bool wide = g.chance(50);
                const auto op = g.pick<std::uint8_t>({c::add, c::xor_, c::mul, c::rsh, c::arsh});
                a.alu(wide, op, 7, g.pick<std::int32_t>({1, 3, 7, 13, 31}));
            } else {
                a.alux(true, c::add, 7, 5);
            }
            break;
        }
    }
    a.land(skip);
}

code_t gen_xdp_packet(rng& g) {
    emitter a;
    a.movr(6, 1);
    a.ld64(7, g.imm64());
    const bool bad = g.chance(10);
    const auto sections = 1 + g.below(3);
    for (std::uint32_t s = 0; s < sections; ++s) direct_access(a, g, 0, 4, bad);
    if (g.chance(30)) {
        a.ldx(4, 5, 6, g.pick<int>({12, 16})); // ingress_ifindex, rx_queue_index
        fold_into_acc(a, g, 5);
    }
    a.movr(0, 7);
    if (g.chance(50)) a.alu(false, c::and_, 0, 3);
    a.exit();
    return a.v;
}

/// __sk_buff fields tc and socket filters read, with the sizes they are read at.
struct field_access {
    int off;
    unsigned size;
};
std::vector<field_access> skb_reads() {
    std::vector<field_access> r;
    for (const int f : {SKB(len), SKB(pkt_type), SKB(mark), SKB(queue_mapping), SKB(protocol), SKB(vlan_present),
                        SKB(vlan_tci), SKB(vlan_proto), SKB(priority), SKB(ingress_ifindex), SKB(ifindex),
                        SKB(tc_index), SKB(cb[0]), SKB(cb[1]), SKB(cb[2]), SKB(cb[3]), SKB(cb[4]), SKB(hash),
                        SKB(tc_classid), SKB(napi_id), SKB(wire_len), SKB(gso_segs), SKB(gso_size)}) {
        r.push_back({f, 4});
        r.push_back({f, 4});
        r.push_back({f + 2, 2});
        r.push_back({f, 2});
        r.push_back({f + 3, 1});
        r.push_back({f, 1});
    }
    r.push_back({SKB(tstamp), 8});
    r.push_back({SKB(hwtstamp), 8});
    r.push_back({SKB(cb[0]), 8});
    r.push_back({SKB(cb[2]), 8});
    r.push_back({SKB(tstamp_type), 1});
    return r;
}

void ctx_ops(emitter& a, rng& g, bool tc, unsigned count) {
    static const auto reads = skb_reads();
    for (unsigned i = 0; i < count; ++i) {
        if (g.chance(60)) {
            const auto fa = reads[g.below(reads.size())];
            a.ldx(fa.size, 0, 6, fa.off);
            fold_into_acc(a, g, 0);
        } else {
            int off;
            unsigned size = 4;
            if (tc) {
                off = g.pick<int>({SKB(mark), SKB(priority), SKB(cb[0]), SKB(cb[1]), SKB(cb[2]), SKB(cb[3]),
                                   SKB(cb[4]), SKB(tc_index), SKB(tc_classid), SKB(queue_mapping), SKB(tstamp)});
                if (off == SKB(tstamp)) size = 8;
            } else {
                off = SKB(cb[0]) + 4 * static_cast<int>(g.below(5));
                if (g.chance(30)) size = g.pick<unsigned>({1, 2});
            }
            if (g.chance(40)) {
                a.st(size, 6, off, g.chance(50) ? g.imm32() : static_cast<std::int32_t>(g.below(70000)));
            } else {
                a.stx(size, 6, off, 7);
            }
            if (g.chance(50)) { // read it back
                a.ldx(size, 0, 6, off);
                fold_into_acc(a, g, 0);
            }
        }
    }
}

/// A helper call of skb programs with arguments from the generator; folds r0 (and loaded bytes) into the acc.
void skb_helper_call(emitter& a, rng& g, bool tc) {
    const auto small_off = [&] {
        return g.pick<std::int32_t>({0, 1, 2, 12, 14, 16, 20, 23, 24, 26, 30, 34, 36, 40, 44, 50, 54, 58, 59, 60, 63,
                                     64, 70, 100, 1500, 1513, 0xffff, 0x10000, -1, -14});
    };
    const auto type = tc ? bpfxx::prog_type::sched_cls : bpfxx::prog_type::socket_filter;
    const unsigned what = pick_allowed(g, tc ? 8 : 2, [&](unsigned c) {
        switch (c) {
        case 0: return can_call(type, {helper::skb_load_bytes});
        case 1: return can_call(type, {helper::skb_load_bytes_relative});
        case 2: return can_call(type, {helper::skb_store_bytes});
        case 4: return can_call(type, {helper::l4_csum_replace});
        case 5: return can_call(type, {helper::csum_diff});
        case 6: return can_call(type, {helper::redirect});
        default: return can_call(type, {helper::l3_csum_replace});
        }
    });
    switch (what) {
    case 0:
    case 1: { // skb_load_bytes(_relative) into fp-64
        const bool relative = what == 1;
        const std::int32_t len = g.pick<std::int32_t>({1, 2, 3, 4, 8, 14, 16, 20, 33, 40, 64});
        a.movr(1, 6);
        a.mov(2, small_off());
        a.movr(3, 10);
        a.alu(true, c::add, 3, -64);
        a.mov(4, len);
        if (relative) a.mov(5, g.pick<std::int32_t>({0, 1, 1, 0, 2}));
        a.call(relative ? helper::skb_load_bytes_relative : helper::skb_load_bytes);
        fold_into_acc(a, g, 0);
        const unsigned n = len >= 8 ? 8u : len >= 4 ? 4u : len >= 2 ? 2u : 1u;
        a.ldx(n, 5, 10, -64);
        fold_into_acc(a, g, 5);
        a.ldx(n, 5, 10, -64 + (len - static_cast<std::int32_t>(n)) / static_cast<std::int32_t>(n) * static_cast<std::int32_t>(n));
        fold_into_acc(a, g, 5);
        break;
    }
    case 2: { // skb_store_bytes from fp-128
        a.movr(1, 6);
        a.mov(2, small_off());
        a.movr(3, 10);
        a.alu(true, c::add, 3, -128);
        a.mov(4, g.pick<std::int32_t>({1, 2, 4, 6, 8, 16, 40}));
        a.mov(5, g.pick<std::int32_t>({0, 0, 1, 2, 3, 4, 16}));
        a.call(helper::skb_store_bytes);
        fold_into_acc(a, g, 0);
        break;
    }
    case 3:
    case 4: { // l3/l4_csum_replace
        const bool l4 = what == 4;
        a.movr(1, 6);
        a.mov(2, g.chance(70) ? g.pick<std::int32_t>({24, 14 + 10, 14 + 16, 34 + 6, 34 + 16, 40, 50, 0, 12})
                              : small_off());
        if (g.chance(50)) a.mov(3, g.chance(30) ? 0 : g.imm32());
        else a.ldx(4, 3, 10, -128 + 8 * static_cast<int>(g.below(8)));
        if (g.chance(50)) a.movr(4, 7);
        else a.mov(4, g.imm32());
        std::int32_t flags = g.pick<std::int32_t>({0, 2, 4, 2, 4, 1, 3, 8});
        if (l4) {
            if (g.chance(40)) flags |= 0x10; // BPF_F_PSEUDO_HDR
            if (g.chance(30)) flags |= 0x20; // BPF_F_MARK_MANGLED_0
            if (g.chance(20)) flags |= 0x40; // BPF_F_MARK_ENFORCE
            if (g.chance(15)) flags |= 0x80; // BPF_F_IPV6
        }
        if (g.chance(8)) flags |= g.pick<std::int32_t>({0x10, 0x100, 0x200});
        a.mov(5, flags);
        a.call(l4 ? helper::l4_csum_replace : helper::l3_csum_replace);
        fold_into_acc(a, g, 0);
        break;
    }
    case 5: { // csum_diff over the stack
        const auto size = [&] {
            return g.pick<std::int32_t>({0, 4, 8, 12, 16, 20, 32, 40, 64, 3, 6});
        };
        a.movr(1, 10);
        a.alu(true, c::add, 1, -128);
        a.mov(2, size());
        a.movr(3, 10);
        a.alu(true, c::add, 3, -192);
        a.mov(4, size());
        if (g.chance(50)) a.mov(5, g.imm32());
        else a.movr(5, 7);
        a.call(helper::csum_diff);
        fold_into_acc(a, g, 0);
        break;
    }
    case 6: { // redirect
        a.mov(1, g.pick<std::int32_t>({1, 2, 0, 1000}));
        a.mov(2, g.pick<std::int32_t>({0, 1, 2, 0}));
        a.call(helper::redirect);
        fold_into_acc(a, g, 0);
        break;
    }
    default: { // l3 csum through the same offset twice: replace and undo
        a.movr(1, 6);
        a.mov(2, 24);
        a.mov(3, 0x4011);
        a.mov(4, 0x3f11);
        a.mov(5, 2);
        a.call(helper::l3_csum_replace);
        fold_into_acc(a, g, 0);
        break;
    }
    }
}

void legacy_load(emitter& a, rng& g);

code_t gen_tc(rng& g) {
    emitter a;
    a.movr(6, 1);
    a.ld64(7, g.imm64());
    init_stack(a, g);
    a.mov(8, static_cast<std::int32_t>(g.below(40)));
    a.mov(9, g.pick<std::int32_t>({0, 14, -14, 1000, -0x100000, -0x200000}));
    ctx_ops(a, g, true, g.below(6));
    if (g.chance(40))
        for (auto n = 1 + g.below(4); n > 0; --n) legacy_load(a, g);
    const auto calls = g.below(5);
    for (std::uint32_t i = 0; i < calls; ++i) skb_helper_call(a, g, true);
    const bool bad = g.chance(8);
    const auto sections = g.below(3);
    for (std::uint32_t s = 0; s < sections; ++s) direct_access(a, g, SKB(data), SKB(data_end), bad);
    ctx_ops(a, g, true, g.below(3));
    a.movr(0, 7);
    a.exit();
    return a.v;
}

code_t gen_socket_filter(rng& g) {
    emitter a;
    a.movr(6, 1);
    a.ld64(7, g.imm64());
    a.mov(8, static_cast<std::int32_t>(g.below(40)));
    a.mov(9, g.pick<std::int32_t>({0, 14, -14, 1000, -0x100000, -0x200000, 0x7ffffff0}));
    init_stack(a, g);
    const auto ops = 1 + g.below(12);
    for (std::uint32_t i = 0; i < ops; ++i) {
        switch (g.below(7)) {
        case 0:
        case 1:
        case 2:
        case 3: legacy_load(a, g); break;
        case 4: skb_helper_call(a, g, false); break;
        default: ctx_ops(a, g, false, 1); break;
        }
    }
    a.movr(0, 7);
    if (g.chance(30)) a.alu(false, c::and_, 0, 0xffff);
    a.exit();
    return a.v;
}

/// ld_abs / ld_ind (r6: the context; r8, r9: index registers), or a change of an index register.
void legacy_load(emitter& a, rng& g) {
    {
        const unsigned size = g.pick<unsigned>({1, 2, 4});
        switch (g.below(6)) {
        case 0:
        case 1: {
            std::int32_t k;
            switch (g.below(6)) {
            case 0: k = static_cast<std::int32_t>(g.below(130)); break;
            case 1: k = -0x100000 + static_cast<std::int32_t>(g.below(70)) - 2; break; // SKF_NET_OFF
            case 2: k = -0x200000 + static_cast<std::int32_t>(g.below(90)) - 2; break; // SKF_LL_OFF
            case 3:
                k = g.pick<std::int32_t>({-1, -2, -14, -0x1000, -0x1000 + 4, -0xfff, -0x100001, -0x200001,
                                          INT32_MIN, 0x7fffffff, 0xffff, 1500, 3000});
                break;
            default: k = static_cast<std::int32_t>(g.below(60)); break;
            }
            a.ld_abs(size, k);
            fold_into_acc(a, g, 0);
            break;
        }
        case 2: {
            const int src = g.pick<int>({8, 9, 7});
            a.ld_ind(size, src, g.pick<std::int32_t>({0, 1, 2, 14, -1, -14, 20, 0x100000, 0x200000}));
            fold_into_acc(a, g, 0);
            break;
        }
        case 3: // index registers from the acc or from constants
            if (g.chance(50)) {
                a.movr(8, 7);
                a.alu(true, c::and_, 8, g.pick<std::int32_t>({0x3f, 0x7f, 0xff, 0x7ff}));
            } else {
                a.mov(9, g.pick<std::int32_t>({0, 14, 33, 60, -0x100000 + 3, -0x200000 + 12, -100}));
            }
            break;
        default: break;
        }
    }
}

// ---------------------------------------------------------------------------
// Generator 4: maps.

struct val16 {
    std::uint64_t a = 0, b = 0;
};
using amap = bpfxx::array_map<std::uint32_t, val16, 8>;
using hmap = bpfxx::hash_map<std::uint32_t, val16, 6>;

/// The key for the next map operation at fp-4: from the packet (socket
/// filters: ld_abs; XDP: r8 = data, checked for 64 bytes) or an immediate.
void map_key(emitter& a, rng& g, kind k) {
    const std::int32_t mask = g.pick<std::int32_t>({7, 15, 7, 0xff, 3});
    if (g.chance(25)) {
        a.st(4, 10, -4, g.chance(70) ? static_cast<std::int32_t>(g.below(10)) : g.imm32());
        return;
    }
    const unsigned size = g.pick<unsigned>({1, 2, 4});
    const auto off = static_cast<std::int32_t>(g.below(60));
    if (k == kind::socket_filter) {
        a.ld_abs(size, off);
        a.movr(1, 0);
    } else {
        a.ldx(size, 1, 8, off);
    }
    a.alu(true, c::and_, 1, mask);
    a.stx(4, 10, -4, 1);
}

void map_op(emitter& a, rng& g, kind k) {
    const int m = g.chance(50) ? 0 : 1;
    map_key(a, g, k);
    const auto type = prog_type_of(k);
    const unsigned what = pick_allowed(g, 10, [&](unsigned c) {
        return can_call(type, {c < 5 ? helper::map_lookup_elem : c < 8 ? helper::map_update_elem
                                                                       : helper::map_delete_elem});
    });
    if (what < 5) { // lookup, then work on the value
        a.ld_map(1, m);
        a.movr(2, 10);
        a.alu(true, c::add, 2, -4);
        a.call(helper::map_lookup_elem);
        const auto none = a.jmp(true, c::jeq, 0, 0);
        a.movr(9, 0);
        a.alu(true, c::add, 7, 1);
        const auto ops = 1 + g.below(4);
        for (std::uint32_t i = 0; i < ops; ++i) {
            const bool wide = g.chance(50);
            const unsigned n = wide ? 8 : 4;
            const int off = wide ? 8 * static_cast<int>(g.below(2)) : 4 * static_cast<int>(g.below(4));
            switch (g.below(7)) {
            case 0: {
                const unsigned m = g.pick<unsigned>({1, 2, 4, 8});
                const auto o = static_cast<int>(g.below(16 / m) * m);
                a.ldx(m, 1, 9, o, m < 8 && g.chance(30));
                fold_into_acc(a, g, 1);
                break;
            }
            case 1: a.stx(n, 9, off, 7); break;
            case 2: { // atomic without fetch
                a.movr(1, 7);
                if (g.chance(50)) a.alu(true, c::and_, 1, 0xff);
                a.atomic(n, 9, off, 1, g.pick<std::int32_t>({0x00, 0x40, 0x50, 0xa0}));
                break;
            }
            case 3: { // fetch forms and xchg
                a.movr(1, 7);
                a.atomic(n, 9, off, 1, g.pick<std::int32_t>({0x01, 0x41, 0x51, 0xa1, 0xe1}));
                fold_into_acc(a, g, 1);
                break;
            }
            case 4: { // cmpxchg: expected from the value itself half the time
                if (g.chance(50)) a.ldx(n, 0, 9, off);
                else a.movr(0, 7);
                a.movr(1, 7);
                a.alu(true, c::add, 1, 1);
                a.atomic(n, 9, off, 1, 0xf1);
                fold_into_acc(a, g, 0);
                break;
            }
            case 5:
                if (g.chance(50)) { // load-acquire / store-release, any width
                    const unsigned m = g.pick<unsigned>({1, 2, 4, 8});
                    const int o = static_cast<int>(g.below(16 / m) * m);
                    if (g.chance(50)) {
                        a.atomic(m, 1, o, 9, 0x100); // r1 = load_acquire(r9 + o)
                        fold_into_acc(a, g, 1);
                    } else {
                        a.atomic(m, 9, o, 7, 0x110); // store_release(r9 + o, r7)
                    }
                } else {
                    a.st(n, 9, off, g.imm32());
                }
                break;
            default: { // the same atomics on the stack
                a.movr(1, 7);
                const int so = wide ? -16 : -16 + 4 * static_cast<int>(g.below(2));
                a.atomic(n, 10, so, 1, g.pick<std::int32_t>({0x00, 0x01, 0x41, 0x50, 0xa1, 0xe1}));
                fold_into_acc(a, g, 1);
                a.ldx(8, 1, 10, -16);
                fold_into_acc(a, g, 1);
                break;
            }
            }
        }
        a.land(none);
    } else if (what < 8) { // update from fp-24
        if (g.chance(50)) a.stx(8, 10, -24, 7);
        else a.st(8, 10, -24, g.imm32());
        a.st(8, 10, -16, g.imm32());
        a.ld_map(1, m);
        a.movr(2, 10);
        a.alu(true, c::add, 2, -4);
        a.movr(3, 10);
        a.alu(true, c::add, 3, -24);
        a.mov(4, g.pick<std::int32_t>({0, 0, 1, 2, 3, 4}));
        a.call(helper::map_update_elem);
        fold_into_acc(a, g, 0);
    } else { // delete
        a.ld_map(1, m);
        a.movr(2, 10);
        a.alu(true, c::add, 2, -4);
        a.call(helper::map_delete_elem);
        fold_into_acc(a, g, 0);
    }
}

code_t gen_maps(rng& g, kind k) {
    emitter a;
    a.movr(6, 1);
    a.ld64(7, g.imm64());
    a.st(8, 10, -8, 0);
    a.st(8, 10, -16, 0);
    a.st(8, 10, -24, 0);
    std::size_t skip = 0;
    if (k == kind::xdp) {
        a.ldx(4, 8, 6, 0);
        a.ldx(4, 3, 6, 4);
        a.movr(4, 8);
        a.alu(true, c::add, 4, 64);
        skip = a.jmpx(true, c::jgt, 4, 3);
    }
    const auto ops = 1 + g.below(8);
    for (std::uint32_t i = 0; i < ops; ++i) map_op(a, g, k);
    if (k == kind::xdp) a.land(skip);
    a.movr(0, 7);
    if (k == kind::xdp) a.alu(false, c::and_, 0, 3);
    a.exit();
    return a.v;
}

// ---------------------------------------------------------------------------
// Generator 5: XDP head/meta/tail adjustment, csum_diff, redirects.

using devmap_t = bpfxx::devmap<4>;

code_t gen_xdp_adjust(rng& g, bool with_devmap) {
    emitter a;
    a.movr(6, 1);
    a.ld64(7, g.imm64());
    init_stack(a, g);
    const auto steps = 1 + g.below(6);
    const auto allowed = [&](unsigned c) {
        constexpr auto xdp = bpfxx::prog_type::xdp;
        switch (c) {
        case 0:
        case 1: return can_call(xdp, {helper::xdp_adjust_head});
        case 2: return can_call(xdp, {helper::xdp_adjust_meta});
        case 3:
        case 4: return can_call(xdp, {helper::xdp_adjust_tail, helper::xdp_get_buff_len});
        case 5: return can_call(xdp, {helper::xdp_get_buff_len, helper::xdp_load_bytes, helper::xdp_store_bytes});
        case 6: return can_call(xdp, {helper::csum_diff});
        case 7: return can_call(xdp, {helper::redirect_map, helper::redirect});
        default: return true;
        }
    };
    for (std::uint32_t i = 0; i < steps; ++i) {
        switch (pick_allowed(g, 9, allowed)) {
        case 0:
        case 1:
            a.movr(1, 6);
            a.mov(2, g.pick<std::int32_t>({-300, -257, -256, -216, -215, -200, -64, -20, -14, -8, -4, -1, 0, 1, 2, 4,
                                           13, 14, 20, 34, 40, 46, 100, 2000, INT32_MIN, INT32_MAX}));
            a.call(helper::xdp_adjust_head);
            fold_into_acc(a, g, 0);
            break;
        case 2:
            a.movr(1, 6);
            a.mov(2, g.pick<std::int32_t>({-40, -36, -32, -12, -8, -6, -4, -3, 0, 3, 4, 8, 32, 100, -64, -128, -216,
                                           -248, -252, -256, -260, INT32_MIN}));
            a.call(helper::xdp_adjust_meta);
            fold_into_acc(a, g, 0);
            if (g.chance(60)) { // touch the metadata: data_meta + n <= data
                const int n = g.pick<int>({4, 8, 32, 64});
                a.ldx(4, 2, 6, 8);
                a.ldx(4, 3, 6, 0);
                a.movr(4, 2);
                a.alu(true, c::add, 4, n);
                const auto skip = a.jmpx(true, c::jgt, 4, 3);
                const int off = 4 * static_cast<int>(g.below(static_cast<std::uint64_t>(n / 4)));
                a.ldx(4, 5, 2, off);
                fold_into_acc(a, g, 5);
                a.stx(4, 2, n - 4 - off, 7);
                a.land(skip);
            }
            break;
        case 3:
        case 4:
            if (g.chance(30)) { // to the edges: the largest frame (3520 bytes), the shortest (14)
                a.movr(1, 6);
                a.call(helper::xdp_get_buff_len);
                a.alu(true, c::neg, 0, 0);
                a.alu(true, c::add, 0, g.chance(50) ? 3520 + g.pick<std::int32_t>({-1, 0, 0, 1}) :
                                                      14 + g.pick<std::int32_t>({-1, 0, 0, 1}));
                a.movr(2, 0);
            } else {
                a.mov(2, g.pick<std::int32_t>({-3000, -1500, -100, -46, -40, -20, -1, 0, 1, 2, 13, 100, 1000, 3000,
                                               3520, INT32_MIN, INT32_MAX}));
            }
            a.movr(1, 6);
            a.call(helper::xdp_adjust_tail);
            fold_into_acc(a, g, 0);
            break;
        case 5:
            if (g.chance(40)) {
                a.movr(1, 6);
                a.call(helper::xdp_get_buff_len);
                fold_into_acc(a, g, 0);
            } else { // xdp_load_bytes / xdp_store_bytes with the stack
                const bool load = g.chance(50);
                const std::int32_t len = g.pick<std::int32_t>({1, 2, 4, 8, 14, 20, 40, 64});
                a.movr(1, 6);
                a.mov(2, g.pick<std::int32_t>({0, 1, 6, 12, 14, 20, 33, 40, 50, 60, 100, 1500, 0xffff, 0x10000, -1}));
                a.movr(3, 10);
                a.alu(true, c::add, 3, load ? -64 : -128);
                a.mov(4, len);
                a.call(load ? helper::xdp_load_bytes : helper::xdp_store_bytes);
                fold_into_acc(a, g, 0);
                if (load) {
                    a.ldx(8, 5, 10, -64);
                    fold_into_acc(a, g, 5);
                }
            }
            break;
        case 6: {
            const auto size = [&] { return g.pick<std::int32_t>({0, 4, 8, 12, 16, 20, 32, 40, 64, 2, 7}); };
            a.movr(1, 10);
            a.alu(true, c::add, 1, -128);
            a.mov(2, size());
            a.movr(3, 10);
            a.alu(true, c::add, 3, -192);
            a.mov(4, size());
            if (g.chance(50)) a.mov(5, g.imm32());
            else a.movr(5, 7);
            a.call(helper::csum_diff);
            fold_into_acc(a, g, 0);
            break;
        }
        case 7:
            if (with_devmap && g.chance(70)) {
                a.ld_map(1, 0);
                a.mov(2, g.pick<std::int32_t>({0, 1, 3, 4, 7}));
                a.mov(3, g.pick<std::int32_t>({0, 1, 2, 3, 8, 16, 24, 4, 32}));
                a.call(helper::redirect_map);
            } else {
                a.mov(1, g.pick<std::int32_t>({1, 2, 0}));
                a.mov(2, g.pick<std::int32_t>({0, 0, 1, 8}));
                a.call(helper::redirect);
            }
            fold_into_acc(a, g, 0);
            break;
        default: direct_access(a, g, 0, 4, false); break;
        }
    }
    direct_access(a, g, 0, 4, false);
    a.movr(0, 7);
    if (g.chance(60)) a.alu(false, c::mod, 0, 5);
    a.exit();
    return a.v;
}

} // namespace

// ===========================================================================

TEST_CASE("vm differential: straight-line ALU64 and ALU32") {
    stats st("alu");
    world<> w;
    rng g(1);
    const auto& all = frames();
    for (int i = 0; i < 3000; ++i) differential(w, st, kind::socket_filter, gen_alu(g), {&all[i % 3]});
    require_mostly_accepted(st, 95);
    require_coverage(st, 95); // 100% when written
}

TEST_CASE("vm differential: forward branches, JMP and JMP32") {
    stats st("branches");
    world<> w;
    rng g(2);
    for (int i = 0; i < 2000; ++i) {
        const auto code = gen_branches(g); // before the frames: argument order is unspecified
        differential(w, st, kind::socket_filter, code, some_frames(g, 4));
    }
    require_mostly_accepted(st, 90);
    require_coverage(st, 50); // 62% when written
}

TEST_CASE("vm differential: stack of every width, bpf-to-bpf calls") {
    stats st("stack and calls");
    world<> w;
    rng g(8);
    const auto& all = frames();
    for (int i = 0; i < 1000; ++i) differential(w, st, kind::socket_filter, gen_calls(g), {&all[i % 5]});
    require_mostly_accepted(st, 90);
    require_coverage(st, 95); // 100% when written
}

TEST_CASE("vm differential: XDP direct packet access") {
    stats st("xdp packet");
    world<> w;
    rng g(3);
    for (int i = 0; i < 1000; ++i) {
        const auto code = gen_xdp_packet(g); // before the frames: argument order is unspecified
        differential(w, st, kind::xdp, code, some_frames(g, 6));
    }
    require_mostly_accepted(st, 70);
    require_coverage(st, 95); // 100% when written
}

TEST_CASE("vm differential: tc context, helpers and direct packet access") {
    stats st("tc");
    world<> w;
    rng g(4);
    for (int i = 0; i < 1500; ++i) {
        const auto code = gen_tc(g); // before the frames: argument order is unspecified
        differential(w, st, kind::tc, code, some_frames(g, 6), &g);
    }
    require_mostly_accepted(st, 50);
    require_coverage(st, 65); // 79% when written
}

TEST_CASE("vm differential: socket filters, ld_abs/ld_ind, skb_load_bytes, context") {
    stats st("socket filter");
    world<> w;
    rng g(5);
    for (int i = 0; i < 1500; ++i) {
        const auto code = gen_socket_filter(g); // before the frames: argument order is unspecified
        differential(w, st, kind::socket_filter, code, some_frames(g, 6), &g);
    }
    require_mostly_accepted(st, 50);
    require_coverage(st, 30); // 41% when written
}

TEST_CASE("vm differential: array and hash maps, atomics") {
    // counted per program type: XDP programs skip their map operations on
    // frames under 64 bytes, socket filters bail out at ld_abs past the end
    stats sf("maps, socket filter"), xdp("maps, xdp");
    world<amap, hmap> w;
    rng g(6);
    for (int i = 0; i < 1200; ++i) {
        w.fresh();
        w.seed(g);
        const kind k = (i % 2) ? kind::xdp : kind::socket_filter;
        const auto code = gen_maps(g, k); // before the frames: argument order is unspecified
        differential(w, k == kind::xdp ? xdp : sf, k, code, some_frames(g, 5));
    }
    require_mostly_accepted(sf, 80);
    require_mostly_accepted(xdp, 80);
    require_coverage(sf, 38, 180); // 48% and 2.34 per run when written
    require_coverage(xdp, 95, 120); // 100% and 1.62 per run when written
}

TEST_CASE("vm differential: XDP adjust_head/meta/tail, csum_diff, redirects") {
    stats st("xdp adjust");
    world<> w;
    rng g(7);
    for (int i = 0; i < 1200; ++i) {
        const auto code = gen_xdp_adjust(g, false); // before the frames: argument order is unspecified
        differential(w, st, kind::xdp, code, some_frames(g, 6));
    }
    if (!bpfxx_test::kernel_allows(bpfxx::map_type::devmap)) {
        require_mostly_accepted(st, 70);
        require_coverage(st, 95); // 100% when written
        return;
    }
    world<devmap_t> wd;
    wd.fresh();
    const bool devmap_ok = [&] {
        try {
            std::get<bpfxx::map<devmap_t>>(wd.kernel_maps).update(1, 1); // key 1: loopback
            return true;
        } catch (const bpfxx::error& e) {
            MESSAGE("devmap update refused: ", e.what());
            return false;
        }
    }();
    if (devmap_ok) wd.on_models([](auto& m) { (void)m.template map<devmap_t>().update(1, 1); });
    for (int i = 0; i < 300; ++i) {
        const auto code = gen_xdp_adjust(g, true); // before the frames: argument order is unspecified
        differential(wd, st, kind::xdp, code, some_frames(g, 4));
    }
    require_mostly_accepted(st, 70);
    require_coverage(st, 95); // 100% when written
}

// ===========================================================================
// Regressions: each difference the generators found, on its smallest program.

namespace {

/// Runs `code` in the kernel and the interpreter on each frame (skb
/// programs with context `ctx`) and requires the verifier to accept it and
/// both to agree; returns the interpreter's result on the last frame.
template <class W>
vm::run_result agree(W& w, kind k, const code_t& code, const std::vector<bytes>& packets, const skb_in& ctx = {}) {
    stats st("regression");
    st.quiet = true;
    std::vector<frame> fs;
    for (const auto& b : packets) fs.push_back({"regression frame", b});
    std::vector<const frame*> ptrs;
    for (const auto& f : fs) ptrs.push_back(&f);
    CHECK(differential(w, st, k, code, ptrs, nullptr, &ctx));
    CHECK(st.mismatches == 0);
    return st.last;
}
vm::run_result agree(kind k, const code_t& code, const std::vector<bytes>& packets, const skb_in& ctx = {}) {
    world<> w;
    return agree(w, k, code, packets, ctx);
}

bytes udp4(std::size_t size = 60, const std::array<std::uint8_t, 6>& dst = mac_b) {
    auto b = ethernet(dst, 0x0800, size);
    ipv4(b, 14, 17);
    return b;
}

} // namespace

TEST_CASE("regression: a socket filter's data_out has its link header zeroed") {
    emitter a;
    a.mov(0, 1);
    a.exit();
    world<> w;
    (void)agree(w, kind::socket_filter, a.v, {udp4(), udp4(61, mac_bcast)});
    const auto out = w.vm->packet();
    REQUIRE(out.size() == 61);
    CHECK(std::all_of(out.begin(), out.begin() + 14, [](std::uint8_t b) { return b == 0; }));
    CHECK(out[14] == 0x45);
}

TEST_CASE("regression: wire_len is skb->len, without the link header for socket filters") {
    emitter a;
    a.ldx(4, 0, 1, SKB(len));
    a.exit();
    world<> w;
    CHECK(agree(w, kind::socket_filter, a.v, {udp4(77)}).r0 == 77 - 14);
    CHECK(w.vm->skb().wire_len == 77 - 14);
    emitter t;
    t.ldx(4, 0, 1, SKB(wire_len));
    t.exit();
    CHECK(agree(w, kind::tc, t.v, {udp4(77)}).r0 == 77);
}

TEST_CASE("regression: narrow __sk_buff loads no narrower than the kernel's field read the whole field") {
    // pkt_type is one byte in the kernel, protocol and tc_index two: a byte of
    // pkt_type at +3, or two bytes of protocol at +2, give the whole value
    emitter a;
    a.ldx(1, 0, 1, SKB(pkt_type) + 3);
    a.ldx(1, 2, 1, SKB(pkt_type) + 1);
    a.alu(true, c::lsh, 2, 4);
    a.alux(true, c::or_, 0, 2);
    a.ldx(2, 2, 1, SKB(protocol) + 2);
    a.alu(true, c::lsh, 2, 8);
    a.alux(true, c::or_, 0, 2);
    a.ldx(1, 2, 1, SKB(protocol) + 1);
    a.alu(true, c::lsh, 2, 24);
    a.alux(true, c::or_, 0, 2);
    a.st(4, 1, SKB(tc_index), 0x1234);
    a.ldx(2, 2, 1, SKB(tc_index) + 2);
    a.alu(true, c::lsh, 2, 32);
    a.alux(true, c::or_, 0, 2);
    a.exit();
    // multicast: pkt_type 2; ETH_P_IP as stored (network order): 0x0008
    CHECK(agree(kind::tc, a.v, {udp4(60, mac_mcast)}).r0 == (0x1234ull << 32 | 0x00ull << 24 | 0x0008ull << 8 | 0x22));
    CHECK(agree(kind::tc, a.v, {udp4(60, mac_bcast), udp4(60, mac_zero)}).r0 == (0x1234ull << 32 | 0x0008ull << 8));
}

TEST_CASE("regression: tc_index and tc_classid keep 16 bits of a store") {
    emitter a;
    a.ld64(2, 0xabcd12345ull);
    a.stx(4, 1, SKB(tc_index), 2);
    a.st(4, 1, SKB(tc_classid), 0x7654321);
    a.ldx(4, 0, 1, SKB(tc_index));
    a.ldx(4, 2, 1, SKB(tc_classid));
    a.alu(true, c::lsh, 2, 16);
    a.alux(true, c::or_, 0, 2);
    a.exit();
    CHECK(agree(kind::tc, a.v, {udp4()}).r0 == 0x43212345);
}

TEST_CASE("regression: queue_mapping stores: a negative immediate is stored, a large register is not") {
    emitter a;
    a.st(4, 1, SKB(queue_mapping), -2); // imm < 0xffff as a signed number: stored as 0xfffe
    a.ldx(4, 6, 1, SKB(queue_mapping));
    a.ld64(2, 0x100000005ull); // >= 0xffff as 64 bits: ignored, though its low half is 5
    a.stx(4, 1, SKB(queue_mapping), 2);
    a.ldx(4, 0, 1, SKB(queue_mapping));
    a.alu(true, c::lsh, 6, 16);
    a.alux(true, c::or_, 0, 6);
    a.st(4, 1, SKB(queue_mapping), 0xffff); // NO_QUEUE_MAPPING: ignored
    a.ldx(4, 6, 1, SKB(queue_mapping));
    a.alu(true, c::lsh, 6, 32);
    a.alux(true, c::or_, 0, 6);
    a.exit();
    CHECK(agree(kind::tc, a.v, {udp4()}).r0 == (0xfffeull << 32 | 0xfffeull << 16 | 0xfffe));
}

TEST_CASE("regression: tc programs may read tstamp_type") {
    emitter a;
    a.ldx(1, 0, 1, SKB(tstamp_type));
    a.alu(true, c::add, 0, 7);
    a.exit();
    skb_in ctx;
    ctx.tstamp = 123456789;
    CHECK(agree(kind::tc, a.v, {udp4()}, ctx).r0 == 7); // BPF_SKB_TSTAMP_UNSPEC
}

TEST_CASE("regression: gso_size is 16 bits, gso_segs above 65535 is refused") {
    emitter a;
    a.ldx(4, 0, 1, SKB(gso_size));
    a.exit();
    skb_in ctx;
    ctx.gso_size = 0x12345;
    CHECK(agree(kind::tc, a.v, {udp4()}, ctx).r0 == 0x2345);
    ctx.gso_segs = 65536; // both refuse the run
    CHECK(agree(kind::tc, a.v, {udp4()}, ctx).error.kind == vm::fault_kind::bad_input);
}

TEST_CASE("regression: skb test runs refuse IPv4 and IPv6 frames shorter than their network header") {
    emitter a;
    a.mov(0, 3);
    a.exit();
    for (const kind k : {kind::socket_filter, kind::tc}) {
        CAPTURE(name_of(k));
        CHECK(agree(k, a.v, {ethernet(mac_b, 0x0800, 33)}).error.kind == vm::fault_kind::bad_input);
        CHECK(agree(k, a.v, {ethernet(mac_b, 0x86dd, 53)}).error.kind == vm::fault_kind::bad_input);
        CHECK(agree(k, a.v, {ethernet(mac_b, 0x0800, 34), ethernet(mac_b, 0x86dd, 54), ethernet(mac_b, 0x8100, 15)})
                  .r0 == 3);
    }
    CHECK(agree(kind::xdp, a.v, {ethernet(mac_b, 0x0800, 20)}).r0 == 3); // XDP takes them
}

TEST_CASE("regression: csum_diff folds its sum to 16 bits and takes any sizes") {
    const auto diff = [](std::int32_t from_size, std::int32_t to_size, std::int32_t seed) {
        emitter a;
        a.st(8, 10, -8, 0x12345678);
        a.ld64(1, 0xfedcba9876543210ull);
        a.stx(8, 10, -16, 1);
        a.stx(8, 10, -24, 1);
        a.st(8, 10, -32, -3);
        a.movr(1, 10);
        a.alu(true, c::add, 1, -16);
        a.mov(2, from_size);
        a.movr(3, 10);
        a.alu(true, c::add, 3, -32);
        a.mov(4, to_size);
        a.mov(5, seed);
        a.call(helper::csum_diff);
        a.exit();
        return a.v;
    };
    for (const kind k : {kind::tc, kind::xdp}) {
        CAPTURE(name_of(k));
        for (const auto& sizes : std::vector<std::array<std::int32_t, 3>>{
                 {0, 0, 0x12345678}, {4, 4, 0}, {8, 0, -1}, {0, 8, 0x7fffffff}, {16, 12, 99}, {3, 0, 5}, {0, 6, 0},
                 {7, 13, 0x10001}, {1, 1, 0}}) {
            const std::int32_t from = sizes[0], to = sizes[1];
            CAPTURE(from);
            CAPTURE(to);
            const auto r = agree(k, diff(from, to, sizes[2]), {udp4()});
            CHECK(r.r0 <= 0xffff);
        }
    }
    // the sum of the bytes 02 00 01 00 (0x00010002) folds to 3; three zero bytes are no error
    const auto to_only = [](std::int32_t size, std::int32_t value) {
        emitter a;
        a.st(4, 10, -4, value);
        a.mov(1, 0);
        a.mov(2, 0);
        a.movr(3, 10);
        a.alu(true, c::add, 3, -4);
        a.mov(4, size);
        a.mov(5, 0);
        a.call(helper::csum_diff);
        a.exit();
        return a.v;
    };
    CHECK(agree(kind::tc, to_only(4, 0x00010002), {udp4()}).r0 == 3);
    CHECK(agree(kind::tc, to_only(3, 0), {udp4()}).r0 == 0);
}

TEST_CASE("regression: xdp_adjust_meta takes up to 252 bytes of metadata, adjust_head moves them") {
    if (!bpfxx_test::kernel_allows(bpfxx_test::helper_in{bpfxx::prog_type::xdp, helper::xdp_adjust_meta})) return;
    // The headroom is 256 bytes, 40 of them kept for struct xdp_frame: move
    // data forward first, then ask for 256 bytes (-EACCES) and 252 (fine)
    emitter a;
    a.movr(6, 1);
    a.movr(1, 6);
    a.mov(2, 40);
    a.call(helper::xdp_adjust_head);
    a.movr(7, 0);
    for (const std::int32_t delta : {-256, -252}) {
        a.movr(1, 6);
        a.mov(2, delta);
        a.call(helper::xdp_adjust_meta);
        a.mix(7, 0);
    }
    // write the metadata's first and last word, then pop the Ethernet header
    a.ldx(4, 2, 6, 8);
    a.ldx(4, 3, 6, 0);
    a.movr(4, 2);
    a.alu(true, c::add, 4, 252);
    const auto skip = a.jmpx(true, c::jgt, 4, 3);
    a.st(4, 2, 0, 0x11223344);
    a.st(4, 2, 248, 0x55667788);
    a.land(skip);
    a.movr(1, 6);
    a.mov(2, 14);
    a.call(helper::xdp_adjust_head);
    a.mix(7, 0);
    a.movr(0, 7);
    a.exit();
    world<> w;
    (void)agree(w, kind::xdp, a.v, {udp4(), udp4(1514)});
    CHECK(w.vm->metadata().size() == 252);
    CHECK(w.vm->metadata()[0] == 0x44);
    CHECK(w.vm->metadata()[251] == 0x55);
    CHECK(w.vm->packet().size() == 1514 - 40 - 14);
}

TEST_CASE("regression: l4_csum_replace refuses odd offsets") {
    emitter a;
    a.movr(1, 1);
    a.mov(2, 41);
    a.mov(3, 0x1234);
    a.mov(4, 0x4321);
    a.mov(5, 2);
    a.call(helper::l4_csum_replace);
    a.exit();
    CHECK(static_cast<std::int64_t>(agree(kind::tc, a.v, {udp4()}).r0) == -14); // -EFAULT
}

TEST_CASE("regression: map_update_elem with BPF_F_LOCK on maps without a spin lock") {
    // r0 of each update folded together: array (flags 4, 5, 4 at a bad index), hash (flags 4)
    emitter a;
    a.mov(7, 0);
    a.st(8, 10, -24, 7);
    a.st(8, 10, -16, 8);
    const auto update = [&](int map, std::int32_t key, std::int32_t flags) {
        a.st(4, 10, -4, key);
        a.ld_map(1, map);
        a.movr(2, 10);
        a.alu(true, c::add, 2, -4);
        a.movr(3, 10);
        a.alu(true, c::add, 3, -24);
        a.mov(4, flags);
        a.call(helper::map_update_elem);
        a.alu(true, c::lsh, 7, 8);
        a.alu(true, c::and_, 0, 0xff);
        a.alux(true, c::or_, 7, 0);
    };
    update(0, 1, 4);  // -EINVAL
    update(0, 1, 5);  // -EEXIST: arrays check NOEXIST first
    update(0, 99, 4); // -E2BIG: and the index before that
    update(1, 1, 4);  // -EINVAL
    update(1, 1, 0);  // 0
    a.movr(0, 7);
    a.exit();
    world<amap, hmap> w;
    w.fresh();
    const auto r = agree(w, kind::socket_filter, a.v, {udp4()});
    CHECK(r.r0 == 0xea'ef'f9'ea'00ull);
}
