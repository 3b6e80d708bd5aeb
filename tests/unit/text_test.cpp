// The disassembler: texts of single instructions (as constant expressions),
// the annotations and listings, robustness over every opcode, and the
// instructions newer than LLVM 14 (encodings checked against RFC 9669 field
// by field, texts against current LLVM's BPFInstrInfo.td).
// tests/unit/llvm_crosscheck_test.cpp compares with llvm-mc/llvm-objdump 14.
#include <bpfxx/asm.hpp>
#include <bpfxx/text.hpp>

#include <doctest/doctest.h>

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace bpfxx::ops;
using bpfxx::insn;
using bpfxx::make_insn;
using bpfxx::to_string;
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using s8 = std::int8_t;
using s16 = std::int16_t;
using s32 = std::int32_t;

// ---------------------------------------------------------------------------
// Single instructions, at compile time.

// ALU
static_assert(to_string(mov(r1, 2)) == "r1 = 2");
static_assert(to_string(mov(r6, r1)) == "r6 = r1");
static_assert(to_string(mov32(r1, 2)) == "w1 = 2");
static_assert(to_string(mov32(r1, r2)) == "w1 = w2");
static_assert(to_string(mov(r1, -1)) == "r1 = -1");
static_assert(to_string(mov32(r1, 0xffffffffu)) == "w1 = -1"); // imm is a signed 32-bit field
static_assert(to_string(mov(r1, INT32_MIN)) == "r1 = -2147483648");
static_assert(to_string(add(r2, -4)) == "r2 += -4");
static_assert(to_string(sub(r1, r2)) == "r1 -= r2");
static_assert(to_string(mul32(r3, 7)) == "w3 *= 7");
static_assert(to_string(div(r1, r2)) == "r1 /= r2");
static_assert(to_string(or_(r1, 0x40)) == "r1 |= 64");
static_assert(to_string(and32(r1, r9)) == "w1 &= w9");
static_assert(to_string(lsh(r3, 63)) == "r3 <<= 63");
static_assert(to_string(rsh32(r3, 1)) == "w3 >>= 1");
static_assert(to_string(xor_(r0, r0)) == "r0 ^= r0");
static_assert(to_string(arsh(r4, 3)) == "r4 s>>= 3");
static_assert(to_string(arsh32(r4, r5)) == "w4 s>>= w5");
static_assert(to_string(neg(r1)) == "r1 = -r1");
static_assert(to_string(neg32(r0)) == "w0 = -w0");
static_assert(to_string(be16(r0)) == "r0 = be16 r0");
static_assert(to_string(be64(r9)) == "r9 = be64 r9");
static_assert(to_string(le32(r2)) == "r2 = le32 r2");
// JMP / JMP32
static_assert(to_string(jgt(r1, 16, 3)) == "if r1 > 16 goto +3");
static_assert(to_string(jslt32(r1, r2, -1)) == "if w1 s< w2 goto -1");
static_assert(to_string(jeq(r0, 0, 0)) == "if r0 == 0 goto +0");
static_assert(to_string(jne(r1, r2, INT16_MIN)) == "if r1 != r2 goto -32768");
static_assert(to_string(jsge(r1, -1, INT16_MAX)) == "if r1 s>= -1 goto +32767");
static_assert(to_string(jle32(r9, 100, 2)) == "if w9 <= 100 goto +2");
static_assert(to_string(ja(5)) == "goto +5");
static_assert(to_string(ja(-1)) == "goto -1");
static_assert(to_string(call(helper::map_lookup_elem)) == "call 1");
static_assert(to_string(call(-1)) == "call -1");
static_assert(to_string(exit()) == "exit");
// memory
static_assert(to_string(ldx<u32>(r0, r1, 4)) == "r0 = *(u32 *)(r1 + 4)");
static_assert(to_string(ldx<u64>(r2, r10, -8)) == "r2 = *(u64 *)(r10 - 8)");
static_assert(to_string(ldx<u8>(r0, r1, 0)) == "r0 = *(u8 *)(r1 + 0)");
static_assert(to_string(stx<u16>(r10, -8, r1)) == "*(u16 *)(r10 - 8) = r1");
static_assert(to_string(stx<u64>(r1, INT16_MIN, r2)) == "*(u64 *)(r1 - 32768) = r2");
static_assert(to_string(ld_abs<u8>(23)) == "r0 = *(u8 *)skb[23]");
static_assert(to_string(ld_abs<u32>(-1)) == "r0 = *(u32 *)skb[-1]");
static_assert(to_string(ld_ind<u16>(r1, 0)) == "r0 = *(u16 *)skb[r1]");
static_assert(to_string(ld_ind<u16>(r1, 14)) == "r0 = *(u16 *)skb[r1 + 14]"); // LLVM drops the 14
static_assert(to_string(ld_ind<u8>(r2, -2)) == "r0 = *(u8 *)skb[r2 - 2]");
// atomics
static_assert(to_string(atomic_add<u64>(r0, 0, r1)) == "lock *(u64 *)(r0 + 0) += r1");
static_assert(to_string(atomic_xor<u32>(r1, -8, r2)) == "lock *(u32 *)(r1 - 8) ^= w2");
static_assert(to_string(atomic_fetch_add<u64>(r1, 0, r0)) == "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)");
static_assert(to_string(atomic_fetch_and<u32>(r1, 4, r3)) == "w3 = atomic_fetch_and((u32 *)(r1 + 4), w3)");
static_assert(to_string(atomic_xchg<u64>(r1, -8, r2)) == "r2 = xchg_64(r1 - 8, r2)");
static_assert(to_string(atomic_xchg<u32>(r1, 8, r2)) == "w2 = xchg32_32(r1 + 8, w2)");
static_assert(to_string(atomic_cmpxchg<u64>(r1, 0, r2)) == "r0 = cmpxchg_64(r1 + 0, r0, r2)");
static_assert(to_string(atomic_cmpxchg<u32>(r1, 0, r2)) == "w0 = cmpxchg32_32(r1 + 0, w0, w2)");
// ld_imm64: two slots
static_assert(to_string(ld_imm64(r1, 1234)) == "r1 = 1234 ll");
static_assert(to_string(ld_imm64(r1, 1234).lo, ld_imm64(r1, 1234).hi) == "r1 = 1234 ll");
static_assert(to_string(ld_imm64(r2, ~0ull)) == "r2 = -1 ll");
static_assert(to_string(ld_imm64(r3, 0x8000000000000000ull)) == "r3 = -9223372036854775808 ll");
static_assert(to_string(ld_imm64(r4, 0x80000000ull)) == "r4 = 2147483648 ll");
static_assert(to_string(ld_map_fd(r1, 5)) == "ld_pseudo\tr1, 1, 5");
static_assert(to_string(ld_map_fd(r1, -1)) == "ld_pseudo\tr1, 1, 4294967295"); // LLVM zero-extends
static_assert(to_string(ld_imm64(r1, 1).lo) == "<unknown>"); // first slot alone
static_assert(to_string(exit(), mov(r1, 1)) == "exit");       // hi ignored when lo is one slot

// `insn_text` itself.
static_assert(bpfxx::insn_text{}.empty());
static_assert(bpfxx::insn_text{"abc"} == "abc");
static_assert(bpfxx::insn_text{"abc"} == bpfxx::insn_text{"abc"});
static_assert(bpfxx::insn_text{"abc"} != "abd");
static_assert(std::string_view(bpfxx::insn_text{"abc"}) == "abc");
static_assert([] {
    bpfxx::insn_text t;
    for (int i = 0; i < 1000; ++i) t.append('x'); // cut off, never overflows
    t.append_int(INT64_MIN).append_uint(UINT64_MAX);
    return t.size() == bpfxx::insn_text::capacity && t.c_str()[t.size()] == '\0';
}());
static_assert(bpfxx::insn_text{}.append_int(INT64_MIN) == "-9223372036854775808");
static_assert(bpfxx::insn_text{}.append_uint(UINT64_MAX) == "18446744073709551615");
static_assert(bpfxx::insn_text{}.append_hex(0xab, 4) == "00ab");

// Compile-time robustness: decoding every opcode with extreme operands is a
// constant expression, so it has no undefined behaviour (the compiler would
// reject it).
constexpr std::size_t decodable_at_compile_time = [] {
    std::size_t n = 0;
    constexpr insn patterns[] = {make_insn(0, 1, 2, -8, 16), make_insn(0, 15, 15, INT16_MIN, INT32_MIN),
                                 make_insn(0, 10, 0, INT16_MAX, INT32_MAX), make_insn(0, 0, 0, 0, 0)};
    for (int op = 0; op < 256; ++op)
        for (insn p : patterns) {
            p.code = static_cast<u8>(op);
            const auto t = to_string(p, p, {.helper_names = true});
            if (t != bpfxx::unknown_insn_text) ++n;
            (void)bpfxx::branch_target(p, p, 0);
        }
    return n;
}();
static_assert(decodable_at_compile_time > 100);

// A map type for ld_map<M>.
struct counters {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 256;
};

constexpr auto sock_example = bpfxx::assemble( //
    mov(r6, r1),                               //  0
    ld_abs<u8>(14 + 9),                        //  1
    stx<u32>(r10, -4, r0),                     //  2
    mov(r2, r10),                              //  3
    add(r2, -4),                               //  4
    ld_map<counters>(r1),                      //  5, 6
    call(helper::map_lookup_elem),             //  7
    jeq(r0, 0, "out"_label),                   //  8
    mov(r1, 1),                                //  9
    atomic_add<u64>(r0, 0, r1),                // 10
    call("count"_label),                       // 11
    "out"_label,                               //
    mov(r0, 0),                                // 12
    exit(),                                    // 13
    "count"_label,                             //
    ld_imm64(r0, 0x100000000ull),              // 14, 15
    exit());                                   // 16

/// A sink that needs no allocation: usable in constant expressions.
template <std::size_t N>
struct fixed_sink {
    std::array<char, N> data{};
    std::size_t size = 0;
    std::size_t pieces = 0;
    constexpr void operator()(std::string_view s) {
        ++pieces;
        for (char c : s)
            if (size < N) data[size++] = c;
    }
    [[nodiscard]] constexpr std::string_view view() const { return {data.data(), size}; }
};

constexpr std::string_view sock_example_plain = "    0: r6 = r1\n"
                                                "    1: r0 = *(u8 *)skb[23]\n"
                                                "    2: *(u32 *)(r10 - 4) = r0\n"
                                                "    3: r2 = r10\n"
                                                "    4: r2 += -4\n"
                                                "    5: ld_pseudo\tr1, 5, 0\n"
                                                "    7: call 1\n"
                                                "    8: if r0 == 0 goto +3\n"
                                                "    9: r1 = 1\n"
                                                "   10: lock *(u64 *)(r0 + 0) += r1\n"
                                                "   11: call 2\n"
                                                "   12: r0 = 0\n"
                                                "   13: exit\n"
                                                "   14: r0 = 4294967296 ll\n"
                                                "   16: exit\n";

constexpr std::string_view sock_example_annotated = "r6 = r1\n"
                                                    "r0 = *(u8 *)skb[23]\n"
                                                    "*(u32 *)(r10 - 4) = r0\n"
                                                    "r2 = r10\n"
                                                    "r2 += -4\n"
                                                    "ld_pseudo\tr1, 5, 0 ; map_idx 0\n"
                                                    "call 1 ; map_lookup_elem\n"
                                                    "if r0 == 0 goto +3 <out>\n"
                                                    "r1 = 1\n"
                                                    "lock *(u64 *)(r0 + 0) += r1\n"
                                                    "call 2 <count>\n"
                                                    "out:\n"
                                                    "r0 = 0\n"
                                                    "exit\n"
                                                    "count:\n"
                                                    "r0 = 4294967296 ll\n"
                                                    "exit\n";

// write_listing allocates nothing: it runs at compile time.
static_assert([] {
    fixed_sink<1024> sink;
    bpfxx::write_listing(sink, sock_example);
    return sink.view() == sock_example_plain;
}());
static_assert([] {
    fixed_sink<1024> sink;
    bpfxx::write_listing(sink, sock_example, {.helper_names = true, .label_names = true, .addresses = false});
    return sink.view() == sock_example_annotated;
}());

/// Runs `f(insn)` over all 256 opcodes with many operand combinations,
/// valid or not.
template <class F>
void for_each_insn(F&& f) {
    constexpr u8 regs[] = {0, 1, 10, 11, 15};
    constexpr std::int16_t offs[] = {0, 1, -1, 8, 16, 32, 64, INT16_MAX, INT16_MIN};
    constexpr std::int32_t imms[] = {0,    1,    -1,   16,   32,    64,    0x40,      0x41,
                                     0xa1, 0xe1, 0xf1, 0x100, 0x110, 0x1234, INT32_MAX, INT32_MIN};
    for (int op = 0; op < 256; ++op)
        for (u8 d : regs)
            for (u8 s : regs)
                for (auto o : offs)
                    for (auto i : imms) f(make_insn(static_cast<u8>(op), d, s, o, i));
}

} // namespace

TEST_SUITE("text") {

TEST_CASE("to_string at run time equals the compile-time text") {
    const insn i = ldx<u32>(r0, r1, 4);
    const auto t = to_string(i);
    CHECK(t == "r0 = *(u32 *)(r1 + 4)");
    CHECK("r0 = *(u32 *)(r1 + 4)" == t);
    CHECK(std::string(t) == "r0 = *(u32 *)(r1 + 4)");
    CHECK(std::string(t.c_str()) == "r0 = *(u32 *)(r1 + 4)");
    CHECK(t.size() == 21);
    CHECK(std::string(to_string(ld_imm64(r1, 1234))) == "r1 = 1234 ll");
}

TEST_CASE("helper_names annotates calls and pseudo loads") {
    const bpfxx::disasm_options names{.helper_names = true};
    CHECK(std::string(to_string(call(helper::map_lookup_elem), names)) == "call 1 ; map_lookup_elem");
    CHECK(std::string(to_string(call(helper::ktime_get_ns), names)) == "call 5 ; ktime_get_ns");
    CHECK(std::string(to_string(call(helper::cgrp_storage_delete), names)) == "call 211 ; cgrp_storage_delete");
    CHECK(std::string(to_string(call(9999), names)) == "call 9999");   // unknown helper: no name
    CHECK(std::string(to_string(call(helper::map_lookup_elem))) == "call 1"); // off by default
    CHECK(std::string(to_string(call_local(3), names)) == "call 3 ; pc+3");
    CHECK(std::string(to_string(call_local(-4), names)) == "call -4 ; pc-4");
    CHECK(std::string(to_string(call_kfunc(12345), names)) == "call 12345 ; kfunc#12345");
    CHECK(std::string(to_string(call_kfunc(77, 2), names)) == "call 77 ; kfunc#77 (btf fd_array[2])");
    CHECK(std::string(to_string(ld_map_fd(r1, 4), names)) == "ld_pseudo\tr1, 1, 4 ; map_fd 4");
    CHECK(std::string(to_string(ld_map_value_fd(r1, 4, 16), names)) == "ld_pseudo\tr1, 2, 4 ; map_value fd 4 off 16");
    CHECK(std::string(to_string(ld_btf_id(r2, 900), names)) == "ld_pseudo\tr2, 3, 900 ; btf_id 900");
    CHECK(std::string(to_string(ld_btf_id(r2, 900, 7), names)) == "ld_pseudo\tr2, 3, 900 ; btf_id 900 btf_fd 7");
    CHECK(std::string(to_string(ld_func(r3, 5), names)) == "ld_pseudo\tr3, 4, 5 ; func pc+5");
    CHECK(std::string(to_string(ld_map_idx(r4, 1), names)) == "ld_pseudo\tr4, 5, 1 ; map_idx 1");
    CHECK(std::string(to_string(ld_map_idx_value(r5, 2, 8), names)) ==
          "ld_pseudo\tr5, 6, 2 ; map_idx_value 2 off 8");
    CHECK(std::string(to_string(ld_imm64(r1, 7), names)) == "r1 = 7 ll");
    CHECK(std::string(to_string(mov(r1, 1), names)) == "r1 = 1");
    CHECK(std::string(to_string(make_insn(0x85, 1, 0, 0, 1), names)) == "<unknown>"); // no note on garbage
}

TEST_CASE("branch_target") {
    CHECK(bpfxx::branch_target(ja(3), 10) == 14);
    CHECK(bpfxx::branch_target(jeq(r1, 0, -2), 10) == 9);
    CHECK(bpfxx::branch_target(gotol(100000), 0) == 100001);
    CHECK(bpfxx::branch_target(may_goto(1), 5) == 7);
    CHECK(bpfxx::branch_target(call_local(-3), 8) == 6);
    CHECK(bpfxx::branch_target(ld_func(r1, 4).lo, ld_func(r1, 4).hi, 2) == 7);
    CHECK_FALSE(bpfxx::branch_target(call(helper::map_lookup_elem), 0).has_value());
    CHECK_FALSE(bpfxx::branch_target(call_kfunc(5), 0).has_value());
    CHECK_FALSE(bpfxx::branch_target(exit(), 0).has_value());
    CHECK_FALSE(bpfxx::branch_target(mov(r1, 1), 0).has_value());
    CHECK_FALSE(bpfxx::branch_target(ld_map_fd(r1, 1).lo, ld_map_fd(r1, 1).hi, 0).has_value());
    CHECK_FALSE(bpfxx::branch_target(make_insn(0x05, 1, 0, 3, 0), 0).has_value()); // reserved dst set
}

TEST_CASE("listing of an assembled program") {
    CHECK(bpfxx::listing(sock_example) == sock_example_plain);
    CHECK(bpfxx::listing(sock_example, {.helper_names = true, .label_names = true, .addresses = false}) ==
          sock_example_annotated);

    // Without labels (a plain span) label_names has nothing to print.
    CHECK(bpfxx::listing(sock_example.span(), {.label_names = true}) == sock_example_plain);

    const auto raw = bpfxx::listing(sock_example, {.raw_bytes = true});
    CHECK(raw.find("    0: bf 16 00 00 00 00 00 00  r6 = r1\n") == 0);
    CHECK(raw.find("    5: 18 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ld_pseudo\tr1, 5, 0\n") !=
          std::string::npos);
    CHECK(raw.find("   16: 95 00 00 00 00 00 00 00  exit\n") != std::string::npos);

    CHECK(bpfxx::listing(sock_example, {.addresses = false}).find("r6 = r1\nr0 = *(u8 *)skb[23]\n") == 0);
}

TEST_CASE("listing edge cases") {
    // A label at the end of the program, a local call without a label, a
    // truncated ld_imm64 and an empty program.
    constexpr auto p = bpfxx::assemble(jne(r1, 0, "end"_label), call_local(0), mov(r0, 1), exit(), "end"_label);
    CHECK(bpfxx::listing(p, {.helper_names = true, .label_names = true}) ==
          "    0: if r1 != 0 goto +3 <end>\n"
          "    1: call 0 ; pc+0\n"
          "    2: r0 = 1\n"
          "    3: exit\n"
          "end:\n");

    const std::vector<insn> truncated{mov(r0, 0), ld_imm64(r1, 5).lo};
    CHECK(bpfxx::listing(truncated) == "    0: r0 = 0\n    1: <unknown>\n");
    // A malformed ld_imm64 (its second slot is an instruction) hides nothing.
    const std::vector<insn> malformed{ld_imm64(r1, 5).lo, exit()};
    CHECK(bpfxx::listing(malformed) == "    0: <unknown>\n    1: exit\n");

    // ld_func and a local call to a labelled subprogram.
    constexpr auto cb = bpfxx::assemble(ld_func(r2, "cb"_label), call("cb"_label), exit(), "cb"_label, mov(r0, 0),
                                        exit());
    CHECK(bpfxx::listing(cb, {.helper_names = true, .label_names = true}) ==
          "    0: ld_pseudo\tr2, 4, 3 <cb>\n"
          "    2: call 1 <cb>\n"
          "    3: exit\n"
          "cb:\n"
          "    4: r0 = 0\n"
          "    5: exit\n");
    CHECK(bpfxx::listing(cb, {.helper_names = true}) ==
          "    0: ld_pseudo\tr2, 4, 3 ; func pc+3\n"
          "    2: call 1 ; pc+1\n"
          "    3: exit\n"
          "    4: r0 = 0\n"
          "    5: exit\n");
    CHECK(bpfxx::listing(std::span<const insn>{}).empty());

    // Explicit labels with a plain span; two labels on one slot.
    const std::vector<insn> code{ja(1), mov(r0, 0), exit()};
    const bpfxx::symbol labels[] = {{"a", 2}, {"b", 2}};
    CHECK(bpfxx::listing(code, labels, {.label_names = true, .addresses = false}) ==
          "goto +1 <a>\nr0 = 0\na:\nb:\nexit\n");

    // Line numbers wider than five digits are not cut.
    std::vector<insn> many(100001, mov(r0, 0));
    const auto text = bpfxx::listing(many);
    CHECK(text.find("99999: r0 = 0\n") != std::string::npos);
    CHECK(text.find("\n100000: r0 = 0\n") != std::string::npos);

    // write_listing hands pieces to the sink, one line at a time.
    std::size_t lines = 0;
    bpfxx::write_listing(
        [&](std::string_view piece) {
            if (piece == "\n") ++lines;
        },
        sock_example);
    CHECK(lines == 15);
}

TEST_CASE("every opcode, any operands: a text, never a crash") {
    std::size_t decoded = 0, unknown = 0, bad = 0;
    insn first_bad{};
    std::set<int> decodable_opcodes;
    const insn his[] = {insn{}, make_insn(0, 0, 0, 0, -1), make_insn(0, 1, 0, 0, 0), make_insn(0x18, 0, 0, 1, 0)};
    const bpfxx::disasm_options all{.helper_names = true, .label_names = true, .raw_bytes = true};
    for_each_insn([&](const insn& i) {
        const auto t = to_string(i);
        const bool is_unknown = t == bpfxx::unknown_insn_text;
        bool ok = !t.empty() && t.size() < bpfxx::insn_text::capacity;
        ok = ok && (is_unknown || t.view().find("unknown") == std::string_view::npos);
        ok = ok && to_string(i, all).view().starts_with(t.view());
        for (const auto& hi : his) {
            const auto w = to_string(i, hi, all);
            ok = ok && !w.empty() && w.size() < bpfxx::insn_text::capacity;
        }
        if (!ok && bad++ == 0) first_bad = i;
        if (is_unknown) {
            ++unknown;
        } else {
            ++decoded;
            decodable_opcodes.insert(i.code);
        }
    });
    CAPTURE(static_cast<int>(first_bad.code));
    CHECK(bad == 0);
    CHECK(decoded > 10000);
    CHECK(unknown > 10000);

    // ld_imm64 decodes only with its second slot.
    CHECK(std::string(to_string(make_insn(0x18, 1, 0, 0, 1), insn{})) == "r1 = 1 ll");
    CHECK(std::string(to_string(make_insn(0x18, 1, 0, 0, 1), make_insn(0, 0, 0, 1, 0))) == "<unknown>");
    CHECK(std::string(to_string(make_insn(0x18, 1, 7, 0, 1), insn{})) == "<unknown>"); // no pseudo 7
    CHECK(std::string(to_string(make_insn(0x18, 1, 0, 1, 1), insn{})) == "<unknown>"); // off set

    // The opcodes that decode for some operands: exactly these (RFC 9669,
    // plus Linux's load-acquire/store-release, callx and gotox).
    std::set<int> expected;
    for (int cls : {0x04, 0x07})
        for (int op = 0x00; op <= 0xd0; op += 0x10)
            for (int src : {0x00, 0x08}) {
                if (op == 0x80 && src == 0x08) continue;                 // neg: K only
                if (op == 0xd0 && cls == 0x07 && src == 0x08) continue; // bswap: K only
                expected.insert(cls | op | src);
            }
    for (int cls : {0x05, 0x06})
        for (int op = 0x00; op <= 0xe0; op += 0x10)
            for (int src : {0x00, 0x08}) {
                const bool cond = op != 0x00 && op != 0x80 && op != 0x90 && op != 0xe0;
                if (cond || (op == 0x00 && (cls == 0x05 || src == 0)) || (cls == 0x05 && op == 0x80) ||
                    (cls == 0x05 && op == 0x90 && src == 0) || (cls == 0x05 && op == 0xe0 && src == 0))
                    expected.insert(cls | op | src);
            }
    for (int op : {0x20, 0x28, 0x30, 0x40, 0x48, 0x50,   // ld_abs, ld_ind
                   0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, // ldx mem, memsx
                   0x62, 0x6a, 0x72, 0x7a,                   // st
                   0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xcb, 0xd3, 0xdb})
        expected.insert(op);
    CHECK(decodable_opcodes == expected);
}

TEST_CASE("instructions newer than LLVM 14: RFC 9669 encodings and current LLVM syntax") {
    struct row {
        insn built;
        u8 code, dst, src;
        std::int16_t off;
        std::int32_t imm;
        std::string_view text;
    };
    // Fields from RFC 9669 (sections 4 and 5) and, for load-acquire and
    // store-release (Linux 6.15), include/uapi/linux/bpf.h: BPF_LOAD_ACQ
    // 0x100, BPF_STORE_REL 0x110. Texts from llvm/lib/Target/BPF/BPFInstrInfo.td.
    const row rows[] = {
        // signed division and modulo: offset 1
        {sdiv(r1, r2), 0x3f, 1, 2, 1, 0, "r1 s/= r2"},
        {sdiv(r1, -3), 0x37, 1, 0, 1, -3, "r1 s/= -3"},
        {sdiv32(r1, r2), 0x3c, 1, 2, 1, 0, "w1 s/= w2"},
        {sdiv32(r1, 3), 0x34, 1, 0, 1, 3, "w1 s/= 3"},
        {smod(r3, r4), 0x9f, 3, 4, 1, 0, "r3 s%= r4"},
        {smod(r3, 5), 0x97, 3, 0, 1, 5, "r3 s%= 5"},
        {smod32(r3, r4), 0x9c, 3, 4, 1, 0, "w3 s%= w4"},
        {smod32(r3, -5), 0x94, 3, 0, 1, -5, "w3 s%= -5"},
        // unsigned modulo: in the ISA since the start, but LLVM 14 has no `%=`
        {mod(r1, r2), 0x9f, 1, 2, 0, 0, "r1 %= r2"},
        {mod(r1, 10), 0x97, 1, 0, 0, 10, "r1 %= 10"},
        {mod32(r1, r2), 0x9c, 1, 2, 0, 0, "w1 %= w2"},
        {mod32(r1, 10), 0x94, 1, 0, 0, 10, "w1 %= 10"},
        // jset: LLVM 14 does not decode it
        {jset(r1, r2, 3), 0x4d, 1, 2, 3, 0, "if r1 & r2 goto +3"},
        {jset(r1, 0x80, -2), 0x45, 1, 0, -2, 0x80, "if r1 & 128 goto -2"},
        {jset32(r1, r2, 3), 0x4e, 1, 2, 3, 0, "if w1 & w2 goto +3"},
        {jset32(r1, 1, 0), 0x46, 1, 0, 0, 1, "if w1 & 1 goto +0"},
        // sign-extending moves: offset 8, 16, 32
        {movsx<s8>(r0, r1), 0xbf, 0, 1, 8, 0, "r0 = (s8)r1"},
        {movsx<s16>(r0, r1), 0xbf, 0, 1, 16, 0, "r0 = (s16)r1"},
        {movsx<s32>(r0, r1), 0xbf, 0, 1, 32, 0, "r0 = (s32)r1"},
        {movsx32<s8>(r0, r1), 0xbc, 0, 1, 8, 0, "w0 = (s8)w1"},
        {movsx32<s16>(r0, r1), 0xbc, 0, 1, 16, 0, "w0 = (s16)w1"},
        // unconditional byte swap: BPF_ALU64 | BPF_END | BPF_TO_LE
        {bswap16(r0), 0xd7, 0, 0, 0, 16, "r0 = bswap16 r0"},
        {bswap32(r5), 0xd7, 5, 0, 0, 32, "r5 = bswap32 r5"},
        {bswap64(r9), 0xd7, 9, 0, 0, 64, "r9 = bswap64 r9"},
        // sign-extending loads: BPF_MEMSX
        {ldx<s8>(r0, r1, 0), 0x91, 0, 1, 0, 0, "r0 = *(s8 *)(r1 + 0)"},
        {ldx<s16>(r0, r1, -2), 0x89, 0, 1, -2, 0, "r0 = *(s16 *)(r1 - 2)"},
        {ldx<s32>(r0, r10, -4), 0x81, 0, 10, -4, 0, "r0 = *(s32 *)(r10 - 4)"},
        {ldx<std::int64_t>(r0, r1, 8), 0x79, 0, 1, 8, 0, "r0 = *(u64 *)(r1 + 8)"}, // no 64-bit memsx
        // store immediate: BPF_ST | BPF_MEM
        {st<u8>(r10, -1, 0xff), 0x72, 10, 0, -1, 0xff, "*(u8 *)(r10 - 1) = 255"},
        {st<u16>(r10, -2, 7), 0x6a, 10, 0, -2, 7, "*(u16 *)(r10 - 2) = 7"},
        {st<u32>(r1, 0, 4), 0x62, 1, 0, 0, 4, "*(u32 *)(r1 + 0) = 4"},
        {st<u64>(r1, 8, -1), 0x7a, 1, 0, 8, -1, "*(u64 *)(r1 + 8) = -1"},
        // long jump: BPF_JMP32 | BPF_JA, offset in imm
        {gotol(5), 0x06, 0, 0, 0, 5, "gotol +5"},
        {gotol(-70000), 0x06, 0, 0, 0, -70000, "gotol -70000"},
        // may_goto: BPF_JMP | BPF_JCOND, src 0
        {may_goto(3), 0xe5, 0, 0, 3, 0, "may_goto +3"},
        {may_goto(-1), 0xe5, 0, 0, -1, 0, "may_goto -1"},
        // calls by kind (src_reg): local subprogram 1, kfunc 2 (off: fd_array index)
        {call_local(4), 0x85, 0, 1, 0, 4, "call 4"},
        {call_kfunc(123), 0x85, 0, 2, 0, 123, "call 123"},
        {call_kfunc(123, 3), 0x85, 0, 2, 3, 123, "call 123"},
        // load-acquire / store-release (all four sizes; w registers below 64 bits)
        {load_acquire<u64>(r0, r1, 0), 0xdb, 0, 1, 0, 0x100, "r0 = load_acquire((u64 *)(r1 + 0))"},
        {load_acquire<u32>(r0, r1, 8), 0xc3, 0, 1, 8, 0x100, "w0 = load_acquire((u32 *)(r1 + 8))"},
        {load_acquire<u16>(r2, r10, -2), 0xcb, 2, 10, -2, 0x100, "w2 = load_acquire((u16 *)(r10 - 2))"},
        {load_acquire<u8>(r3, r4, 1), 0xd3, 3, 4, 1, 0x100, "w3 = load_acquire((u8 *)(r4 + 1))"},
        {store_release<u64>(r1, 0, r2), 0xdb, 1, 2, 0, 0x110, "store_release((u64 *)(r1 + 0), r2)"},
        {store_release<u32>(r1, -4, r2), 0xc3, 1, 2, -4, 0x110, "store_release((u32 *)(r1 - 4), w2)"},
        {store_release<u16>(r10, -2, r3), 0xcb, 10, 3, -2, 0x110, "store_release((u16 *)(r10 - 2), w3)"},
        {store_release<u8>(r1, 7, r0), 0xd3, 1, 0, 7, 0x110, "store_release((u8 *)(r1 + 7), w0)"},
    };
    for (std::size_t k = 0; k < std::size(rows); ++k) {
        const auto& r = rows[k];
        CAPTURE(k);
        CAPTURE(r.text);
        CHECK(static_cast<int>(r.built.code) == static_cast<int>(r.code));
        CHECK(static_cast<int>(r.built.dst_reg) == static_cast<int>(r.dst));
        CHECK(static_cast<int>(r.built.src_reg) == static_cast<int>(r.src));
        CHECK(r.built.off == r.off);
        CHECK(r.built.imm == r.imm);
        CHECK(std::string(to_string(make_insn(r.code, r.dst, r.src, r.off, r.imm))) == r.text);
    }

    // Instructions the kernel has but no builder makes (yet).
    CHECK(std::string(to_string(make_insn(0xbf, 1, 2, 1, (1 << 16) | 0))) == "r1 = addr_space_cast(r2, 1, 0)");
    CHECK(std::string(to_string(make_insn(0xbf, 1, 1, 1, 1))) == "r1 = addr_space_cast(r1, 0, 1)");
    CHECK(std::string(to_string(make_insn(0x8d, 3, 0, 0, 0))) == "callx r3");
    CHECK(std::string(to_string(make_insn(0x0d, 4, 0, 0, 0))) == "gotox r4");

    // Pseudo ld_imm64 sources (RFC 9669 section 5.4): src_reg 1..6.
    const struct {
        bpfxx::wide_insn built;
        u8 src;
        std::int32_t lo, hi;
        std::string_view text;
    } wides[] = {
        {ld_imm64(r1, 0x1122334455667788ull), 0, 0x55667788, 0x11223344, "r1 = 1234605616436508552 ll"},
        {ld_map_fd(r1, 3), 1, 3, 0, "ld_pseudo\tr1, 1, 3"},
        {ld_map_value_fd(r1, 3, 40), 2, 3, 40, "ld_pseudo\tr1, 2, 3"},
        {ld_btf_id(r2, 4242), 3, 4242, 0, "ld_pseudo\tr2, 3, 4242"},
        {ld_func(r2, 9), 4, 9, 0, "ld_pseudo\tr2, 4, 9"},
        {ld_map_idx(r3, 2), 5, 2, 0, "ld_pseudo\tr3, 5, 2"},
        {ld_map_idx_value(r3, 2, 64), 6, 2, 64, "ld_pseudo\tr3, 6, 2"},
    };
    for (const auto& w : wides) {
        CAPTURE(w.text);
        CHECK(static_cast<int>(w.built.lo.code) == 0x18);
        CHECK(static_cast<int>(w.built.lo.src_reg) == static_cast<int>(w.src));
        CHECK(w.built.lo.off == 0);
        CHECK(w.built.lo.imm == w.lo);
        CHECK(w.built.hi == make_insn(0, 0, 0, 0, w.hi));
        CHECK(std::string(to_string(w.built)) == w.text);
    }
}

TEST_CASE("reserved fields make an instruction <unknown>") {
    const insn bad[] = {
        make_insn(0x07, 1, 2, 0, 4),     // ALU K with src set
        make_insn(0x0f, 1, 2, 0, 4),     // ALU X with imm set
        make_insn(0x07, 1, 0, 1, 4),     // add with an offset
        make_insn(0x37, 1, 0, 2, 4),     // div with offset 2
        make_insn(0xbf, 1, 2, 64, 0),    // movsx from 64 bits
        make_insn(0xbc, 1, 2, 32, 0),    // 32-bit movsx from 32 bits
        make_insn(0xb7, 1, 0, 8, 0),     // movsx with an immediate
        make_insn(0x8f, 1, 2, 0, 0),     // neg with X
        make_insn(0xd4, 1, 0, 0, 8),     // le8
        make_insn(0xdf, 1, 0, 0, 16),    // ALU64 END X
        make_insn(0xe7, 1, 0, 0, 0),     // ALU op 0xe0
        make_insn(0x05, 1, 0, 1, 0),     // goto with dst
        make_insn(0x06, 0, 0, 1, 1),     // gotol with off
        make_insn(0x95, 0, 0, 0, 1),     // exit with imm
        make_insn(0x85, 1, 0, 0, 1),     // call with dst
        make_insn(0x85, 0, 3, 0, 1),     // call kind 3
        make_insn(0x85, 0, 0, 1, 1),     // helper call with off
        make_insn(0x86, 0, 0, 0, 1),     // JMP32 call
        make_insn(0xe5, 0, 1, 0, 0),     // jcond other than may_goto
        make_insn(0xf5, 0, 0, 0, 0),     // JMP op 0xf0
        make_insn(0x61, 1, 2, 0, 1),     // ldx with imm
        make_insn(0x99, 1, 2, 0, 0),     // 64-bit memsx
        make_insn(0x62, 1, 2, 0, 1),     // st with src
        make_insn(0x63, 1, 2, 0, 1),     // stx with imm
        make_insn(0xd3, 1, 2, 0, 0),     // 8-bit atomic add
        make_insn(0xdb, 1, 2, 0, 0x02),  // atomic op 0x02
        make_insn(0xdb, 1, 2, 0, 0xe0),  // xchg without fetch
        make_insn(0x20, 1, 0, 0, 1),     // ld_abs with dst
        make_insn(0x38, 0, 0, 0, 1),     // 64-bit ld_abs
        make_insn(0x00, 0, 0, 0, 0),     // zero
        make_insn(0xbf, 11, 1, 0, 0),    // r11
        make_insn(0x0f, 1, 15, 0, 0),    // r15
    };
    for (const auto& i : bad) {
        CAPTURE(static_cast<int>(i.code));
        CHECK(to_string(i) == bpfxx::unknown_insn_text);
        CHECK_FALSE(bpfxx::branch_target(i, 0).has_value());
    }
}

} // TEST_SUITE
