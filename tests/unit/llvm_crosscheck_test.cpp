// Builders and disassembler against LLVM 14's own BPF assembler and
// disassembler, run as tools:
//
//  1. A corpus of {builder expression, LLVM assembly text}. The texts go
//     through `llvm-mc -triple bpf -filetype=obj`, the object through
//     `llvm-objdump -d`; for every entry (a) the builder's bytes equal
//     llvm-mc's, (b) bpfxx::to_string of those bytes equals objdump's text,
//     and (c) objdump's text is the corpus text. Entries LLVM 14 cannot parse
//     (the fetch atomics, xchg, cmpxchg, ld_pseudo) go in as bytes: their
//     check (c) is what validates the builder.
//  2. A sweep of all 256 opcodes with many operands, valid or not: where both
//     decode, the texts agree (but where LLVM 14 is known to misread newer
//     encodings); where only bpfxx decodes, the instruction is newer than
//     LLVM 14; where only LLVM decodes, the bytes are not canonical (LLVM's
//     text assembles back to other bytes, or names r11).
//
// Tools: BPFXX_LLVM_MC / BPFXX_LLVM_OBJDUMP (from CMake) or llvm-mc /
// llvm-objdump on PATH. Without them the tests are skipped with a message,
// unless the environment has BPFXX_REQUIRE_LLVM=1.
#include <bpfxx/asm.hpp>
#include <bpfxx/text.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#define BPFXX_XC_STR2(...) #__VA_ARGS__
#define BPFXX_XC_STR(...) BPFXX_XC_STR2(__VA_ARGS__)

namespace {

using namespace bpfxx::ops;
using bpfxx::insn;
using bpfxx::make_insn;
using bpfxx::wide_insn;
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

// ---------------------------------------------------------------------------
// The corpus.

struct entry {
    insn lo;
    insn hi;
    bool wide = false;
    std::string_view text; ///< what llvm-objdump 14 prints (and llvm-mc 14 reads, unless `raw`)
    bool raw = false;      ///< llvm-mc 14 cannot parse `text`: feed the builder's bytes
};

entry A(insn i, std::string_view t) { return {i, {}, false, t, false}; }
entry A(wide_insn w, std::string_view t) { return {w.lo, w.hi, true, t, false}; }
entry R(insn i, std::string_view t) { return {i, {}, false, t, true}; }
entry R(wide_insn w, std::string_view t) { return {w.lo, w.hi, true, t, true}; }

// A builder whose bytes disagree with llvm-mc would be marked here with a
// comment `// BUILDER BUG: ...` next to its entry. None is known.
const std::vector<entry>& corpus() {
    static const std::vector<entry> c = {
        // ALU64, register and immediate sources
        A(add(r1, r2), "r1 += r2"),
        A(add(r1, 4), "r1 += 4"),
        A(add(r2, -4), "r2 += -4"),
        A(sub(r1, r2), "r1 -= r2"),
        A(sub(r3, 100), "r3 -= 100"),
        A(mul(r4, r5), "r4 *= r5"),
        A(mul(r4, 3), "r4 *= 3"),
        A(div(r6, r7), "r6 /= r7"),
        A(div(r6, 10), "r6 /= 10"),
        A(or_(r8, r9), "r8 |= r9"),
        A(or_(r8, 0x40), "r8 |= 64"),
        A(and_(r0, r1), "r0 &= r1"),
        A(and_(r0, 0xff), "r0 &= 255"),
        A(lsh(r1, r2), "r1 <<= r2"),
        A(lsh(r1, 63), "r1 <<= 63"),
        A(rsh(r2, r3), "r2 >>= r3"),
        A(rsh(r2, 32), "r2 >>= 32"),
        A(xor_(r3, r4), "r3 ^= r4"),
        A(xor_(r3, -1), "r3 ^= -1"),
        A(mov(r6, r1), "r6 = r1"),
        A(mov(r2, r10), "r2 = r10"),
        A(mov(r0, 0), "r0 = 0"),
        A(mov(r1, -1), "r1 = -1"),
        A(mov(r1, 0x7fffffff), "r1 = 2147483647"),
        A(mov(r1, INT32_MIN), "r1 = -2147483648"),
        A(arsh(r5, r6), "r5 s>>= r6"),
        A(arsh(r5, 7), "r5 s>>= 7"),
        A(neg(r1), "r1 = -r1"),
        A(neg(r9), "r9 = -r9"),
        // ALU (32-bit), register and immediate sources
        A(add32(r1, r2), "w1 += w2"),
        A(add32(r1, 4), "w1 += 4"),
        A(sub32(r1, r2), "w1 -= w2"),
        A(sub32(r1, -7), "w1 -= -7"),
        A(mul32(r4, r5), "w4 *= w5"),
        A(mul32(r4, 3), "w4 *= 3"),
        A(div32(r6, r7), "w6 /= w7"),
        A(div32(r6, 10), "w6 /= 10"),
        A(or32(r8, r9), "w8 |= w9"),
        A(or32(r8, 1), "w8 |= 1"),
        A(and32(r0, r1), "w0 &= w1"),
        A(and32(r0, 0xffff), "w0 &= 65535"),
        A(lsh32(r1, r2), "w1 <<= w2"),
        A(lsh32(r1, 31), "w1 <<= 31"),
        A(rsh32(r2, r3), "w2 >>= w3"),
        A(rsh32(r2, 16), "w2 >>= 16"),
        A(xor32(r3, r4), "w3 ^= w4"),
        A(xor32(r3, 0x5a5a), "w3 ^= 23130"),
        A(mov32(r1, r2), "w1 = w2"),
        A(mov32(r1, 7), "w1 = 7"),
        A(mov32(r9, 0xffffffffu), "w9 = -1"),
        A(arsh32(r5, r6), "w5 s>>= w6"),
        A(arsh32(r5, 31), "w5 s>>= 31"),
        A(neg32(r0), "w0 = -w0"),
        A(neg32(r7), "w7 = -w7"),
        // byte order
        A(le16(r1), "r1 = le16 r1"),
        A(le32(r2), "r2 = le32 r2"),
        A(le64(r3), "r3 = le64 r3"),
        A(be16(r0), "r0 = be16 r0"),
        A(be32(r4), "r4 = be32 r4"),
        A(be64(r9), "r9 = be64 r9"),
        // JMP, register and immediate sources
        A(jeq(r1, r2, 3), "if r1 == r2 goto +3"),
        A(jeq(r0, 0, 2), "if r0 == 0 goto +2"),
        A(jne(r1, r2, -1), "if r1 != r2 goto -1"),
        A(jne(r1, -5, 0), "if r1 != -5 goto +0"),
        A(jgt(r3, r4, 10), "if r3 > r4 goto +10"),
        A(jgt(r1, 16, 3), "if r1 > 16 goto +3"),
        A(jge(r3, r4, 1), "if r3 >= r4 goto +1"),
        A(jge(r3, 1000, 1), "if r3 >= 1000 goto +1"),
        A(jlt(r5, r6, 2), "if r5 < r6 goto +2"),
        A(jlt(r5, 9, 2), "if r5 < 9 goto +2"),
        A(jle(r7, r8, -3), "if r7 <= r8 goto -3"),
        A(jle(r7, 0, -3), "if r7 <= 0 goto -3"),
        A(jsgt(r1, r2, 4), "if r1 s> r2 goto +4"),
        A(jsgt(r1, -1, 4), "if r1 s> -1 goto +4"),
        A(jsge(r1, r2, 5), "if r1 s>= r2 goto +5"),
        A(jsge(r1, INT32_MIN, 5), "if r1 s>= -2147483648 goto +5"),
        A(jslt(r9, r0, 6), "if r9 s< r0 goto +6"),
        A(jslt(r9, 0, 6), "if r9 s< 0 goto +6"),
        A(jsle(r2, r10, 7), "if r2 s<= r10 goto +7"),
        A(jsle(r2, 0x7fffffff, 7), "if r2 s<= 2147483647 goto +7"),
        A(jeq(r1, r2, INT16_MAX), "if r1 == r2 goto +32767"),
        A(jeq(r1, r2, INT16_MIN), "if r1 == r2 goto -32768"),
        // JMP32, register and immediate sources
        A(jeq32(r1, r2, 3), "if w1 == w2 goto +3"),
        A(jeq32(r0, 0, 2), "if w0 == 0 goto +2"),
        A(jne32(r1, r2, -1), "if w1 != w2 goto -1"),
        A(jne32(r1, -5, 0), "if w1 != -5 goto +0"),
        A(jgt32(r3, r4, 10), "if w3 > w4 goto +10"),
        A(jgt32(r1, 16, 3), "if w1 > 16 goto +3"),
        A(jge32(r3, r4, 1), "if w3 >= w4 goto +1"),
        A(jge32(r3, 1000, 1), "if w3 >= 1000 goto +1"),
        A(jlt32(r5, r6, 2), "if w5 < w6 goto +2"),
        A(jlt32(r5, 9, 2), "if w5 < 9 goto +2"),
        A(jle32(r7, r8, -3), "if w7 <= w8 goto -3"),
        A(jle32(r7, 0, -3), "if w7 <= 0 goto -3"),
        A(jsgt32(r1, r2, 4), "if w1 s> w2 goto +4"),
        A(jsgt32(r1, -1, 4), "if w1 s> -1 goto +4"),
        A(jsge32(r1, r2, 5), "if w1 s>= w2 goto +5"),
        A(jsge32(r1, 3, 5), "if w1 s>= 3 goto +5"),
        A(jslt32(r1, r2, -1), "if w1 s< w2 goto -1"),
        A(jslt32(r9, 0, 6), "if w9 s< 0 goto +6"),
        A(jsle32(r2, r10, 7), "if w2 s<= w10 goto +7"),
        A(jsle32(r2, -2, 7), "if w2 s<= -2 goto +7"),
        // unconditional jumps, calls, exit
        A(ja(5), "goto +5"),
        A(ja(0), "goto +0"),
        A(ja(-1), "goto -1"),
        A(ja(INT16_MIN), "goto -32768"),
        A(call(helper::map_lookup_elem), "call 1"),
        A(call(helper::ktime_get_ns), "call 5"),
        A(call(helper::ringbuf_output), "call 130"),
        A(call(-1), "call -1"),
        A(exit(), "exit"),
        // loads and stores of all four sizes
        A(ldx<u8>(r0, r1, 4), "r0 = *(u8 *)(r1 + 4)"),
        A(ldx<u16>(r0, r1, 4), "r0 = *(u16 *)(r1 + 4)"),
        A(ldx<u32>(r0, r1, 4), "r0 = *(u32 *)(r1 + 4)"),
        A(ldx<u64>(r0, r1, 4), "r0 = *(u64 *)(r1 + 4)"),
        A(ldx<u64>(r2, r10, -8), "r2 = *(u64 *)(r10 - 8)"),
        A(ldx<u32>(r9, r6, 0), "r9 = *(u32 *)(r6 + 0)"),
        A(ldx<u8>(r3, r2, INT16_MAX), "r3 = *(u8 *)(r2 + 32767)"),
        A(ldx<u16>(r3, r2, INT16_MIN), "r3 = *(u16 *)(r2 - 32768)"),
        A(stx<u8>(r10, -8, r1), "*(u8 *)(r10 - 8) = r1"),
        A(stx<u16>(r10, -8, r1), "*(u16 *)(r10 - 8) = r1"),
        A(stx<u32>(r10, -8, r1), "*(u32 *)(r10 - 8) = r1"),
        A(stx<u64>(r10, -8, r1), "*(u64 *)(r10 - 8) = r1"),
        A(stx<u64>(r1, 0, r10), "*(u64 *)(r1 + 0) = r10"),
        A(stx<u32>(r0, 12, r9), "*(u32 *)(r0 + 12) = r9"),
        // atomics without fetch
        A(atomic_add<u64>(r0, 0, r1), "lock *(u64 *)(r0 + 0) += r1"),
        A(atomic_or<u64>(r1, -8, r2), "lock *(u64 *)(r1 - 8) |= r2"),
        A(atomic_and<u64>(r1, -8, r2), "lock *(u64 *)(r1 - 8) &= r2"),
        A(atomic_xor<u64>(r1, -8, r2), "lock *(u64 *)(r1 - 8) ^= r2"),
        A(atomic_add<u32>(r1, -8, r2), "lock *(u32 *)(r1 - 8) += w2"),
        A(atomic_or<u32>(r1, 4, r2), "lock *(u32 *)(r1 + 4) |= w2"),
        A(atomic_and<u32>(r10, -4, r3), "lock *(u32 *)(r10 - 4) &= w3"),
        A(atomic_xor<u32>(r1, 0, r9), "lock *(u32 *)(r1 + 0) ^= w9"),
        // atomics with fetch, xchg, cmpxchg (llvm-mc 14 cannot parse these)
        R(atomic_fetch_add<u64>(r1, 0, r0), "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)"),
        R(atomic_fetch_or<u64>(r1, -8, r2), "r2 = atomic_fetch_or((u64 *)(r1 - 8), r2)"),
        R(atomic_fetch_and<u64>(r1, -8, r2), "r2 = atomic_fetch_and((u64 *)(r1 - 8), r2)"),
        R(atomic_fetch_xor<u64>(r1, -8, r2), "r2 = atomic_fetch_xor((u64 *)(r1 - 8), r2)"),
        R(atomic_fetch_add<u32>(r1, 8, r3), "w3 = atomic_fetch_add((u32 *)(r1 + 8), w3)"),
        R(atomic_fetch_or<u32>(r1, 8, r3), "w3 = atomic_fetch_or((u32 *)(r1 + 8), w3)"),
        R(atomic_fetch_and<u32>(r1, 4, r3), "w3 = atomic_fetch_and((u32 *)(r1 + 4), w3)"),
        R(atomic_fetch_xor<u32>(r10, -4, r3), "w3 = atomic_fetch_xor((u32 *)(r10 - 4), w3)"),
        R(atomic_xchg<u64>(r1, -8, r2), "r2 = xchg_64(r1 - 8, r2)"),
        R(atomic_xchg<u32>(r1, 8, r2), "w2 = xchg32_32(r1 + 8, w2)"),
        R(atomic_cmpxchg<u64>(r1, 0, r2), "r0 = cmpxchg_64(r1 + 0, r0, r2)"),
        R(atomic_cmpxchg<u32>(r3, -16, r4), "w0 = cmpxchg32_32(r3 - 16, w0, w4)"),
        // ld_imm64
        A(ld_imm64(r1, 1234), "r1 = 1234 ll"),
        A(ld_imm64(r0, 0), "r0 = 0 ll"),
        A(ld_imm64(r2, 0x123456789abcdef0ull), "r2 = 1311768467463790320 ll"),
        A(ld_imm64(r3, ~0ull), "r3 = -1 ll"),
        A(ld_imm64(r4, 0x80000000ull), "r4 = 2147483648 ll"),
        A(ld_imm64(r5, 0xffffffffull), "r5 = 4294967295 ll"),
        A(ld_imm64(r6, 0x8000000000000000ull), "r6 = -9223372036854775808 ll"),
        A(ld_imm64(r9, 0x100000000ull), "r9 = 4294967296 ll"),
        // ld_imm64 with a pseudo source (llvm-mc 14 cannot parse ld_pseudo)
        R(ld_map_fd(r1, 5), "ld_pseudo\tr1, 1, 5"),
        R(ld_map_fd(r9, 0x7fffffff), "ld_pseudo\tr9, 1, 2147483647"),
        R(ld_map_value_fd(r2, 6, 8), "ld_pseudo\tr2, 2, 6"),
        R(ld_btf_id(r3, 77), "ld_pseudo\tr3, 3, 77"),
        R(ld_func(r4, 9), "ld_pseudo\tr4, 4, 9"),
        R(ld_map_idx(r5, 0), "ld_pseudo\tr5, 5, 0"),
        R(ld_map_idx_value(r6, 1, 16), "ld_pseudo\tr6, 6, 1"),
        // legacy packet access
        A(ld_abs<u8>(23), "r0 = *(u8 *)skb[23]"),
        A(ld_abs<u16>(12), "r0 = *(u16 *)skb[12]"),
        A(ld_abs<u32>(-1), "r0 = *(u32 *)skb[-1]"),
        A(ld_ind<u8>(r1, 0), "r0 = *(u8 *)skb[r1]"),
        A(ld_ind<u16>(r7, 0), "r0 = *(u16 *)skb[r7]"),
        A(ld_ind<u32>(r2, 0), "r0 = *(u32 *)skb[r2]"),
    };
    return c;
}

// ---------------------------------------------------------------------------
// Running the tools.

std::string macro_string(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    if (s.ends_with("-NOTFOUND")) return {};
    return std::string(s);
}

std::string tool(std::string_view from_macro, const char* fallback) {
    auto s = macro_string(from_macro);
    return s.empty() ? std::string(fallback) : s;
}

std::string llvm_mc() {
#ifdef BPFXX_LLVM_MC
    return tool(BPFXX_XC_STR(BPFXX_LLVM_MC), "llvm-mc");
#else
    return "llvm-mc";
#endif
}

std::string llvm_objdump() {
#ifdef BPFXX_LLVM_OBJDUMP
    return tool(BPFXX_XC_STR(BPFXX_LLVM_OBJDUMP), "llvm-objdump");
#else
    return "llvm-objdump";
#endif
}

std::filesystem::path scratch_base() {
#ifdef BPFXX_BINARY_DIR
    if (auto s = macro_string(BPFXX_XC_STR(BPFXX_BINARY_DIR)); !s.empty()) return s;
#endif
    return "/tmp";
}

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string quote(const std::filesystem::path& p) { return quote(p.string()); }

/// Runs `cmd` through the shell; its stdout, or nothing if it fails.
std::optional<std::string> capture(const std::string& cmd) {
    FILE* f = popen(cmd.c_str(), "r");
    if (f == nullptr) return std::nullopt;
    std::string out;
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
    if (pclose(f) != 0) return std::nullopt;
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A scratch directory, removed with everything in it at scope exit.
struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        std::random_device rd;
        std::ostringstream name;
        name << "bpfxx-llvm-crosscheck-" << std::hex << rd() << rd();
        path = scratch_base() / name.str();
        std::filesystem::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
};

/// Whether the tools run; if not, reports the skip (or the failure, with
/// BPFXX_REQUIRE_LLVM=1) and returns false.
bool llvm_available() {
    const auto mc = llvm_mc(), od = llvm_objdump();
    const bool ok = std::system((quote(mc) + " --version > /dev/null 2>&1").c_str()) == 0 &&
                    std::system((quote(od) + " --version > /dev/null 2>&1").c_str()) == 0;
    if (ok) return true;
    const char* req = std::getenv("BPFXX_REQUIRE_LLVM");
    if (req != nullptr && std::string_view(req) == "1")
        FAIL("llvm-mc/llvm-objdump (" << mc << ", " << od << ") not available, and BPFXX_REQUIRE_LLVM=1");
    else
        MESSAGE("skipped: llvm-mc/llvm-objdump (" << mc << ", " << od << ") not available");
    return false;
}

/// Assembles `source` (written to dir/name.s) into dir/name.o; the error text on failure.
std::optional<std::string> assemble(const scratch_dir& dir, const std::string& name, const std::string& source) {
    const auto s = dir.path / (name + ".s"), o = dir.path / (name + ".o"), err = dir.path / (name + ".err");
    std::ofstream(s, std::ios::binary) << source;
    const auto cmd = quote(llvm_mc()) + " -triple bpf -mattr=+alu32 -filetype=obj " + quote(s) + " -o " + quote(o) +
                     " 2> " + quote(err);
    if (std::system(cmd.c_str()) != 0) return "llvm-mc failed:\n" + read_file(err);
    return std::nullopt;
}

/// One line of `llvm-objdump -d`: the bytes and the text (without the
/// ` <.text+0x..>` target comment of jumps).
struct dumped {
    std::vector<u8> bytes;
    std::string text;
};

/// `llvm-objdump -d` of dir/name.o, by slot number.
std::map<std::size_t, dumped> objdump(const scratch_dir& dir, const std::string& name, bool alu32) {
    const auto o = dir.path / (name + ".o");
    const auto out = capture(quote(llvm_objdump()) + " -d --disassemble-zeroes" + (alu32 ? " --mattr=+alu32" : "") +
                             " " + quote(o) + " 2>&1");
    std::map<std::size_t, dumped> r;
    if (!out) return r;
    const auto hex_digit = [](char c) -> int {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    std::string_view rest(*out);
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        // "<spaces><slot>:\t<hex bytes>\t<text>"
        std::size_t p = line.find_first_not_of(' ');
        if (p == std::string_view::npos) continue;
        const std::size_t digits = p;
        std::size_t slot = 0;
        while (p < line.size() && line[p] >= '0' && line[p] <= '9')
            slot = slot * 10 + static_cast<std::size_t>(line[p++] - '0');
        if (p == digits || line.substr(p, 2) != ":\t") continue;
        p += 2;
        const std::size_t tab = line.find('\t', p);
        if (tab == std::string_view::npos) continue;
        dumped d;
        for (std::size_t q = p; q + 1 < tab; q += 3) {
            const int hi = hex_digit(line[q]), lo = hex_digit(line[q + 1]);
            if (hi < 0 || lo < 0) break;
            d.bytes.push_back(static_cast<u8>(hi * 16 + lo));
        }
        std::string_view text = line.substr(tab + 1);
        if (const auto lt = text.rfind(" <"); lt != std::string_view::npos && lt > 0 && text.ends_with('>') &&
                                               text.find(' ', lt + 2) == std::string_view::npos)
            text = text.substr(0, lt);
        d.text = std::string(text);
        r.emplace_hint(r.end(), slot, std::move(d));
    }
    return r;
}

std::vector<u8> bytes_of(const insn& lo, const insn* hi) {
    std::vector<u8> v;
    for (auto b : lo.bytes()) v.push_back(std::to_integer<u8>(b));
    if (hi != nullptr)
        for (auto b : hi->bytes()) v.push_back(std::to_integer<u8>(b));
    return v;
}

std::string hex_string(const std::vector<u8>& v) {
    std::string s;
    char buf[4];
    for (auto b : v) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        if (!s.empty()) s += ' ';
        s += buf;
    }
    return s;
}

std::string byte_directive(const std::vector<u8>& v) {
    std::string s = ".byte ";
    char buf[8];
    for (std::size_t k = 0; k < v.size(); ++k) {
        std::snprintf(buf, sizeof buf, "%s0x%02x", k == 0 ? "" : ", ", v[k]);
        s += buf;
    }
    return s;
}

/// BPF_STX | BPF_ATOMIC | BPF_W: LLVM prints these in alu32 mode only (w registers).
bool is_atomic32(const insn& i) { return i.code == 0xc3; }

/// bpfxx's text for the bytes objdump printed.
std::string ours(const std::vector<u8>& b) {
    std::array<std::byte, 8> lo{}, hi{};
    for (std::size_t k = 0; k < 8 && k < b.size(); ++k) lo[k] = std::byte{b[k]};
    for (std::size_t k = 8; k < 16 && k < b.size(); ++k) hi[k - 8] = std::byte{b[k]};
    const auto l = insn::from_bytes(lo), h = insn::from_bytes(hi);
    return std::string(b.size() == 16 ? bpfxx::to_string(l, h) : bpfxx::to_string(l));
}

// ---------------------------------------------------------------------------
// The sweep's classification of the differences it may find.

/// Encodings newer than LLVM 14 (or that it never learned), which it prints
/// as `<unknown>` and bpfxx decodes.
bool newer_than_llvm14(const insn& i) {
    const u8 cls = i.code & 0x07, op = i.code & 0xf0, mode = i.code & 0xe0, size = i.code & 0x18;
    const bool alu = cls == 0x04 || cls == 0x07, jmp = cls == 0x05 || cls == 0x06;
    if (alu && (op == 0x90 || i.off != 0)) return true;     // mod, sdiv/smod, movsx
    if (cls == 0x07 && op == 0xd0) return true;             // bswap
    if (jmp && op == 0x40) return true;                     // jset
    if (cls == 0x06 && op == 0x00) return true;             // gotol
    if (i.code == 0x0d || i.code == 0xe5) return true;      // gotox, may_goto
    if (cls == 0x02) return true;                           // store immediate
    if (cls == 0x01 && mode == 0x80) return true;           // sign-extending loads
    if (cls == 0x03 && mode == 0xc0)                        // load-acquire, store-release
        return i.imm == 0x100 || i.imm == 0x110 || size == 0x08 || size == 0x10;
    return false;
}

/// Encodings LLVM 14 decodes as something else, ignoring the field that
/// makes them newer instructions (or, for one ld_imm64, mistaking it for a
/// code-generation pseudo instruction and printing garbage).
bool llvm14_misreads(const insn& i) {
    const u8 cls = i.code & 0x07, op = i.code & 0xf0;
    const bool alu = cls == 0x04 || cls == 0x07;
    if (alu && (op == 0x30 || op == 0x90) && i.off == 1) return true; // sdiv/smod read as div/mod
    if (alu && op == 0xb0 && (i.code & 0x08) && i.off != 0) return true; // movsx, addr_space_cast read as mov
    if ((i.code & 0xe7) == 0x40 && i.imm != 0) return true;           // ld_ind: LLVM drops imm
    if (i.code == 0x8d) return true;                                  // callx: LLVM 14 reads imm, not dst
    if (cls == 0x03 && (i.code & 0xe0) == 0xc0 && i.imm == 0x100) return true; // load-acquire read as lock add
    if (i.code == 0x18 && i.dst_reg == 0 && i.src_reg == 2 && i.imm == 0) return true; // `lea`: FI_ri pseudo
    return false;
}

/// Whether an LLVM text names a register BPF does not have (r11 and up).
bool names_bad_register(std::string_view t) {
    for (std::size_t p = 0; (p = t.find("11", p)) != std::string_view::npos; ++p) {
        if (p == 0 || (t[p - 1] != 'r' && t[p - 1] != 'w')) continue;
        if (p >= 2 && (std::isalnum(static_cast<unsigned char>(t[p - 2])) != 0)) continue;
        return true;
    }
    return false;
}

} // namespace

TEST_SUITE("llvm") {

TEST_CASE("corpus: builders and to_string against llvm-mc and llvm-objdump 14") {
    const auto& c = corpus();
    REQUIRE(c.size() >= 150);
    if (!llvm_available()) return;

    scratch_dir dir;
    std::string source;
    std::vector<std::size_t> slot_of;
    std::size_t slot = 0;
    for (const auto& e : c) {
        slot_of.push_back(slot);
        slot += e.wide ? 2 : 1;
        source += e.raw ? byte_directive(bytes_of(e.lo, e.wide ? &e.hi : nullptr)) : std::string(e.text);
        source += '\n';
    }
    if (const auto err = assemble(dir, "corpus", source)) {
        FAIL(*err << "(line N of the source is corpus entry N-1)");
        return;
    }
    const auto plain = objdump(dir, "corpus", false);
    const auto alu32 = objdump(dir, "corpus", true);
    REQUIRE_FALSE(plain.empty());

    std::size_t checked = 0;
    for (std::size_t k = 0; k < c.size(); ++k) {
        const auto& e = c[k];
        const auto& dump = is_atomic32(e.lo) ? alu32 : plain;
        const auto it = dump.find(slot_of[k]);
        if (it == dump.end()) {
            FAIL_CHECK("entry " << k << " (" << e.text << "): objdump printed nothing at slot " << slot_of[k]);
            continue;
        }
        const auto builder = bytes_of(e.lo, e.wide ? &e.hi : nullptr);
        const auto& llvm_bytes = it->second.bytes;
        const auto& llvm_text = it->second.text;
        const auto our_text = ours(llvm_bytes);
        if (builder != llvm_bytes)
            FAIL_CHECK("entry " << k << " \"" << e.text << "\": builder bytes " << hex_string(builder) << " (\""
                                << ours(builder) << "\") != llvm-mc bytes " << hex_string(llvm_bytes) << " (\""
                                << llvm_text << "\")");
        if (our_text != llvm_text)
            FAIL_CHECK("entry " << k << " bytes " << hex_string(llvm_bytes) << ": to_string \"" << our_text
                                << "\" != llvm-objdump \"" << llvm_text << "\"");
        if (llvm_text != e.text)
            FAIL_CHECK("entry " << k << " bytes " << hex_string(llvm_bytes) << ": llvm-objdump prints \""
                                << llvm_text << "\", the corpus says \"" << e.text << "\"");
        ++checked;
    }
    CHECK(checked == c.size());
}

TEST_CASE("sweep: every opcode against llvm-objdump 14") {
    if (!llvm_available()) return;

    // dst/src pairs: none, dst only, both, src only, and out-of-range ones.
    constexpr std::array<std::array<u8, 2>, 5> regs{{{0, 0}, {1, 0}, {1, 2}, {0, 2}, {10, 11}}};
    constexpr std::int16_t offs[] = {0, 1, -8, 8, 16, 32};
    constexpr std::int32_t imms[] = {0, 1, -1, 16, 32, 64, 0x41, 0xa0, 0xe1, 0xf1, 0x100, 0x110};
    struct item {
        insn lo, hi;
        bool wide;
        std::size_t slot;
    };
    std::vector<item> items;
    std::string source;
    std::size_t slot = 0;
    for (int op = 0; op < 256; ++op)
        for (const auto& [d, s] : regs)
            for (auto o : offs)
                for (auto i : imms) {
                    item it{make_insn(static_cast<u8>(op), d, s, o, i), make_insn(0, 0, 0, 0, 7), op == 0x18, slot};
                    slot += it.wide ? 2 : 1;
                    source += byte_directive(bytes_of(it.lo, it.wide ? &it.hi : nullptr));
                    source += '\n';
                    items.push_back(it);
                }
    scratch_dir dir;
    if (const auto err = assemble(dir, "sweep", source)) {
        FAIL(*err);
        return;
    }
    const auto plain = objdump(dir, "sweep", false);
    const auto alu32 = objdump(dir, "sweep", true);

    std::size_t same = 0, misread = 0, newer = 0, lax = 0, failures = 0;
    std::vector<std::pair<const item*, std::string>> round_trip; // LLVM decodes, bpfxx does not
    for (const auto& it : items) {
        const auto& dump = is_atomic32(it.lo) ? alu32 : plain;
        const auto d = dump.find(it.slot);
        if (d == dump.end()) {
            FAIL("llvm-objdump printed nothing at slot " << it.slot);
            return;
        }
        const auto& llvm_text = d->second.text;
        const auto our_text = std::string(it.wide ? bpfxx::to_string(it.lo, it.hi) : bpfxx::to_string(it.lo));
        const bool llvm_unknown = llvm_text == bpfxx::unknown_insn_text;
        const bool our_unknown = our_text == bpfxx::unknown_insn_text;
        const auto bytes = [&] { return hex_string(bytes_of(it.lo, it.wide ? &it.hi : nullptr)); };
        if (our_text == llvm_text) {
            ++same;
        } else if (!our_unknown && !llvm_unknown) {
            if (llvm14_misreads(it.lo)) {
                ++misread;
            } else if (failures++ < 20) {
                FAIL_CHECK(bytes() << ": bpfxx \"" << our_text << "\" != llvm-objdump \"" << llvm_text << "\"");
            }
        } else if (!our_unknown) {
            if (newer_than_llvm14(it.lo)) {
                ++newer;
            } else if (failures++ < 20) {
                FAIL_CHECK(bytes() << ": bpfxx decodes \"" << our_text << "\", LLVM 14 does not");
            }
        } else {
            ++lax;
            const bool unparsable = llvm_text.find("atomic_fetch") != std::string::npos ||
                                    llvm_text.find("xchg") != std::string::npos ||
                                    llvm_text.find("ld_pseudo") != std::string::npos ||
                                    llvm_text.find("callx") != std::string::npos;
            if (!names_bad_register(llvm_text) && !unparsable) round_trip.emplace_back(&it, llvm_text);
        }
    }

    // Where LLVM decodes and bpfxx does not, LLVM must have ignored a field:
    // its text assembles back to different bytes.
    std::string rt_source;
    for (const auto& [it, text] : round_trip) rt_source += text + "\n";
    if (const auto err = assemble(dir, "roundtrip", rt_source)) {
        FAIL(*err);
        return;
    }
    const auto rt = objdump(dir, "roundtrip", false);
    std::size_t rt_slot = 0, canonical = 0;
    for (const auto& [it, text] : round_trip) {
        const auto d = rt.find(rt_slot);
        if (d == rt.end()) {
            FAIL("llvm-objdump printed nothing at slot " << rt_slot << " of the round trip");
            return;
        }
        rt_slot += d->second.bytes.size() / 8;
        const auto original = bytes_of(it->lo, it->wide ? &it->hi : nullptr);
        if (d->second.bytes == original && canonical++ < 20)
            FAIL_CHECK(hex_string(original) << ": canonical for LLVM 14 (\"" << text
                                            << "\" assembles back to it), but bpfxx prints <unknown>");
    }
    INFO(items.size() << " encodings: " << same << " same text, " << newer << " newer than LLVM 14, " << misread
                      << " misread by LLVM 14, " << lax << " decoded by LLVM 14 only (" << round_trip.size()
                      << " of them checked by round trip)");
    CHECK(canonical == 0);
    CHECK(failures == 0);
    CHECK(same > items.size() / 3);
}

} // TEST_SUITE
