// The interpreter: every instruction's semantics, every fault, every helper
// model and every context, most of them at compile time (a static_assert is
// the strongest test of "runs in constant evaluation") and the same programs
// again at run time, where the result must be the same.
#include <doctest/doctest.h>

#include <bpfxx/asm.hpp>
#include <bpfxx/maps/descriptors.hpp>
#include <bpfxx/vm.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace bpfxx::ops;
namespace vm = bpfxx::vm;
using vm::fault_kind;

namespace {

using u8 = std::uint8_t;
using u64 = std::uint64_t;

// r0 of a program that ends in `exit`, run on no memory.
template <class... Items>
constexpr u64 r0_of(Items... items) {
    const auto p = bpfxx::assemble(items...);
    return vm::run_on_memory(p, {}).r0;
}
template <class... Items>
constexpr fault_kind fault_of(Items... items) {
    const auto p = bpfxx::assemble(items...);
    return vm::run_on_memory(p, {}).error.kind;
}

constexpr u64 i64(std::int64_t v) { return static_cast<u64>(v); }

// ---- frames -------------------------------------------------------------------

// Ethernet + IPv4 + UDP (or TCP) with the given destination port.
template <std::size_t N = 64>
constexpr std::array<u8, N> ipv4_frame(u8 proto, std::uint16_t dport, u8 dst_mac0 = 0) {
    std::array<u8, N> f{};
    f[0] = dst_mac0;
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = 0x45;
    f[16] = 0;
    f[17] = static_cast<u8>(N - 14);
    f[22] = 64;
    f[23] = proto;
    f[26] = 10, f[27] = 0, f[28] = 0, f[29] = 1;
    f[30] = 10, f[31] = 0, f[32] = 0, f[33] = 2;
    if constexpr (N > 37) {
        f[34] = 0x30, f[35] = 0x39; // source port 12345
        f[36] = static_cast<u8>(dport >> 8);
        f[37] = static_cast<u8>(dport);
    }
    return f;
}
constexpr auto udp53 = ipv4_frame(17, 53);
constexpr auto tcp23 = ipv4_frame(6, 23);

} // namespace

// ---- ALU -------------------------------------------------------------------------

// 64-bit arithmetic wraps; 32-bit results are zero-extended.
static_assert(r0_of(mov(r0, -1), add(r0, 2), exit()) == 1);
static_assert(r0_of(mov(r0, -1), add32(r0, 2), exit()) == 1);
static_assert(r0_of(mov(r0, -1), mov32(r0, r0), exit()) == 0xffffffffu);
static_assert(r0_of(mov(r0, 0), sub(r0, 1), exit()) == ~u64{0});
static_assert(r0_of(mov(r0, 0), sub32(r0, 1), exit()) == 0xffffffffu);
static_assert(r0_of(ld_imm64(r0, 0x100000000ll), mul(r0, 3), exit()) == 0x300000000ull);
static_assert(r0_of(ld_imm64(r0, 0x100000003ll), mul32(r0, 3), exit()) == 9);
static_assert(r0_of(mov(r0, 0xf0), or_(r0, 0x0f), exit()) == 0xff);
static_assert(r0_of(mov(r0, 0xff), and_(r0, 0x0f), exit()) == 0x0f);
static_assert(r0_of(mov(r0, 0xff), xor_(r0, 0x0f), exit()) == 0xf0);
static_assert(r0_of(ld_imm64(r0, -1), or32(r0, 0), exit()) == 0xffffffffu);
static_assert(r0_of(mov(r0, 5), neg(r0), exit()) == i64(-5));
static_assert(r0_of(mov(r0, 5), neg32(r0), exit()) == 0xfffffffbu);
// mov sign-extends its 32-bit immediate; mov32 does not
static_assert(r0_of(mov(r0, -2), exit()) == i64(-2));
static_assert(r0_of(mov32(r0, -2), exit()) == 0xfffffffeu);
// movsx
static_assert(r0_of(mov(r1, 0x80), movsx<std::int8_t>(r0, r1), exit()) == i64(-128));
static_assert(r0_of(mov(r1, 0x8000), movsx<std::int16_t>(r0, r1), exit()) == i64(-32768));
static_assert(r0_of(mov32(r1, -1), movsx<std::int32_t>(r0, r1), exit()) == i64(-1));
static_assert(r0_of(mov(r1, 0x80), movsx32<std::int8_t>(r0, r1), exit()) == 0xffffff80u);

// Shifts mask the amount (63 / 31) instead of being undefined.
static_assert(r0_of(mov(r0, 1), lsh(r0, 63), exit()) == u64{1} << 63);
static_assert(r0_of(mov(r0, 1), mov(r1, 65), lsh(r0, r1), exit()) == 2);
static_assert(r0_of(mov(r0, 1), mov(r1, 33), lsh32(r0, r1), exit()) == 2);
static_assert(r0_of(mov(r0, -8), rsh(r0, 1), exit()) == (~u64{0} - 7) >> 1);
static_assert(r0_of(mov(r0, -8), rsh32(r0, 1), exit()) == 0x7ffffffcu);
static_assert(r0_of(mov(r0, -8), arsh(r0, 1), exit()) == i64(-4));
static_assert(r0_of(mov(r0, -8), arsh32(r0, 1), exit()) == 0xfffffffcu);
static_assert(r0_of(mov(r0, -8), mov(r1, 64), arsh(r0, r1), exit()) == i64(-8));
static_assert(r0_of(mov(r0, 8), arsh(r0, 2), exit()) == 2);

// Division: by zero gives 0, modulo by zero leaves dst (32-bit: zero-extended).
static_assert(r0_of(mov(r0, 7), div(r0, 2), exit()) == 3);
static_assert(r0_of(mov(r0, 7), mov(r1, 0), div(r0, r1), exit()) == 0);
static_assert(r0_of(mov(r0, 7), mod(r0, 4), exit()) == 3);
static_assert(r0_of(mov(r0, 7), mov(r1, 0), mod(r0, r1), exit()) == 7);
static_assert(r0_of(mov(r0, -1), mov(r1, 0), mod32(r0, r1), exit()) == 0xffffffffu);
static_assert(r0_of(mov(r0, -1), div32(r0, 2), exit()) == 0x7fffffffu);
static_assert(r0_of(mov(r0, -7), div(r0, 2), exit()) == (~u64{0} - 6) / 2);
// Signed division truncates toward zero; INT_MIN / -1 wraps; by zero gives 0.
static_assert(r0_of(mov(r0, -7), sdiv(r0, 2), exit()) == i64(-3));
static_assert(r0_of(mov(r0, -7), smod(r0, 2), exit()) == i64(-1));
static_assert(r0_of(mov(r0, 7), smod(r0, -2), exit()) == 1);
static_assert(r0_of(ld_imm64(r0, std::numeric_limits<std::int64_t>::min()), sdiv(r0, -1), exit()) ==
              u64{1} << 63);
static_assert(r0_of(ld_imm64(r0, std::numeric_limits<std::int64_t>::min()), smod(r0, -1), exit()) == 0);
static_assert(r0_of(mov(r0, -7), mov(r1, 0), sdiv(r0, r1), exit()) == 0);
static_assert(r0_of(mov(r0, -7), mov(r1, 0), smod(r0, r1), exit()) == i64(-7));
static_assert(r0_of(mov32(r0, 0x80000000), sdiv32(r0, -1), exit()) == 0x80000000u);
static_assert(r0_of(mov(r0, -7), sdiv32(r0, 2), exit()) == 0xfffffffdu);
static_assert(r0_of(mov(r0, -7), smod32(r0, 2), exit()) == 0xffffffffu);

// Byte order: le truncates on a little-endian machine, be and bswap swap.
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), le16(r0), exit()) == 0x7788);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), le32(r0), exit()) == 0x55667788);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), le64(r0), exit()) == 0x1122334455667788ull);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), be16(r0), exit()) == 0x8877);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), be32(r0), exit()) == 0x88776655);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), be64(r0), exit()) == 0x8877665544332211ull);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), bswap16(r0), exit()) == 0x8877);
static_assert(r0_of(ld_imm64(r0, 0x1122334455667788ll), bswap64(r0), exit()) == 0x8877665544332211ull);
// the source bit of END is the byte order, not a register operand: r0 is never read here
static_assert(r0_of(mov(r3, 0x1234), be16(r3), mov(r0, r3), exit()) == 0x3412);

// ---- jumps ---------------------------------------------------------------------

// r0 = 1 if the jump is taken.
template <class J>
constexpr u64 taken(u64 a, std::int32_t b, J make) {
    return r0_of(ld_imm64(r1, static_cast<std::int64_t>(a)), mov(r0, 1), make(r1, b, "t"_label), mov(r0, 0),
                 "t"_label, exit());
}
static_assert(taken(5, 5, [](auto r, auto k, auto l) { return jeq(r, k, l); }) == 1);
static_assert(taken(5, 6, [](auto r, auto k, auto l) { return jne(r, k, l); }) == 1);
static_assert(taken(i64(-1), 1, [](auto r, auto k, auto l) { return jgt(r, k, l); }) == 1);
static_assert(taken(i64(-1), 1, [](auto r, auto k, auto l) { return jsgt(r, k, l); }) == 0);
static_assert(taken(i64(-1), 1, [](auto r, auto k, auto l) { return jslt(r, k, l); }) == 1);
static_assert(taken(1, 1, [](auto r, auto k, auto l) { return jge(r, k, l); }) == 1);
static_assert(taken(1, 1, [](auto r, auto k, auto l) { return jsge(r, k, l); }) == 1);
static_assert(taken(1, 1, [](auto r, auto k, auto l) { return jle(r, k, l); }) == 1);
static_assert(taken(1, 1, [](auto r, auto k, auto l) { return jsle(r, k, l); }) == 1);
static_assert(taken(0, 1, [](auto r, auto k, auto l) { return jlt(r, k, l); }) == 1);
static_assert(taken(6, 2, [](auto r, auto k, auto l) { return jset(r, k, l); }) == 1);
static_assert(taken(5, 2, [](auto r, auto k, auto l) { return jset(r, k, l); }) == 0);
// The immediate is sign-extended to 64 bits for JMP, compared as 32 bits for JMP32.
static_assert(taken(0xffffffffu, -1, [](auto r, auto k, auto l) { return jeq(r, k, l); }) == 0);
static_assert(taken(0xffffffffu, -1, [](auto r, auto k, auto l) { return jeq32(r, k, l); }) == 1);
static_assert(taken(0x1'00000005ull, 5, [](auto r, auto k, auto l) { return jeq32(r, k, l); }) == 1);
static_assert(taken(0x80000000u, 0, [](auto r, auto k, auto l) { return jslt32(r, k, l); }) == 1);
static_assert(taken(0x80000000u, 0, [](auto r, auto k, auto l) { return jslt(r, k, l); }) == 0);
// Register operands.
static_assert(r0_of(mov(r1, 3), mov(r2, 3), mov(r0, 0), jne(r1, r2, "x"_label), mov(r0, 1), "x"_label, exit()) == 1);
static_assert(r0_of(mov(r0, 0), ja("x"_label), mov(r0, 1), "x"_label, exit()) == 0);
static_assert(r0_of(mov(r0, 0), gotol("x"_label), mov(r0, 1), "x"_label, exit()) == 0);
// A bounded loop: sum 1..10.
static_assert(r0_of(mov(r0, 0), mov(r1, 10), "loop"_label, add(r0, r1), sub(r1, 1), jne(r1, 0, "loop"_label),
                    exit()) == 55);
// may_goto falls through until the loop budget is spent.
static_assert(r0_of(mov(r0, 7), may_goto("x"_label), mov(r0, 8), "x"_label, exit()) == 8);

// ---- memory ---------------------------------------------------------------------

static_assert(r0_of(st<std::uint32_t>(r10, -4, 0x01020304), ldx<std::uint8_t>(r0, r10, -4), exit()) == 4);
static_assert(r0_of(st<std::uint32_t>(r10, -4, 0x01020304), ldx<std::uint16_t>(r0, r10, -2), exit()) == 0x0102);
static_assert(r0_of(mov(r1, -2), stx<std::uint64_t>(r10, -8, r1), ldx<std::uint64_t>(r0, r10, -8), exit()) ==
              i64(-2));
static_assert(r0_of(st<std::uint8_t>(r10, -1, 0x80), ldx<std::int8_t>(r0, r10, -1), exit()) == i64(-128));
static_assert(r0_of(st<std::uint16_t>(r10, -2, 0x8000), ldx<std::int16_t>(r0, r10, -2), exit()) == i64(-32768));
static_assert(r0_of(st<std::uint32_t>(r10, -4, -1), ldx<std::int32_t>(r0, r10, -4), exit()) == i64(-1));
static_assert(r0_of(st<std::uint32_t>(r10, -4, -1), ldx<std::uint32_t>(r0, r10, -4), exit()) == 0xffffffffu);
// st of a 64-bit slot sign-extends the immediate
static_assert(r0_of(st<std::uint64_t>(r10, -8, -1), ldx<std::uint64_t>(r0, r10, -8), exit()) == ~u64{0});

// Atomics on the stack: the plain forms, the fetch forms, xchg and cmpxchg.
constexpr u64 atomic_result(auto op_insn, u64 initial, u64 operand, bool want_src) {
    const auto p = bpfxx::assemble(ld_imm64(r1, static_cast<std::int64_t>(initial)), stx<std::uint64_t>(r10, -8, r1),
                                   ld_imm64(r1, static_cast<std::int64_t>(operand)), mov(r0, 5), op_insn,
                                   ldx<std::uint64_t>(r2, r10, -8), want_src ? mov(r0, r1) : mov(r0, r2), exit());
    return vm::run_on_memory(p, {}).r0;
}
static_assert(atomic_result(atomic_add<std::uint64_t>(r10, -8, r1), 40, 2, false) == 42);
static_assert(atomic_result(atomic_or<std::uint64_t>(r10, -8, r1), 0xf0, 0x0f, false) == 0xff);
static_assert(atomic_result(atomic_and<std::uint64_t>(r10, -8, r1), 0xff, 0x0f, false) == 0x0f);
static_assert(atomic_result(atomic_xor<std::uint64_t>(r10, -8, r1), 0xff, 0x0f, false) == 0xf0);
static_assert(atomic_result(atomic_fetch_add<std::uint64_t>(r10, -8, r1), 40, 2, true) == 40);
static_assert(atomic_result(atomic_fetch_or<std::uint64_t>(r10, -8, r1), 0xf0, 0x0f, true) == 0xf0);
static_assert(atomic_result(atomic_fetch_and<std::uint64_t>(r10, -8, r1), 0xf0, 0x0f, true) == 0xf0);
static_assert(atomic_result(atomic_fetch_xor<std::uint64_t>(r10, -8, r1), 0xf0, 0x0f, true) == 0xf0);
static_assert(atomic_result(atomic_xchg<std::uint64_t>(r10, -8, r1), 1, 2, true) == 1);
static_assert(atomic_result(atomic_xchg<std::uint64_t>(r10, -8, r1), 1, 2, false) == 2);
// cmpxchg compares with r0 (5 here): equal stores, r0 gets the old value either way
static_assert(atomic_result(atomic_cmpxchg<std::uint64_t>(r10, -8, r1), 5, 9, false) == 9);
static_assert(atomic_result(atomic_cmpxchg<std::uint64_t>(r10, -8, r1), 6, 9, false) == 6);
// 32-bit atomics touch 4 bytes and zero-extend the fetched value
static_assert(r0_of(st<std::uint64_t>(r10, -8, -1), mov(r1, 1), atomic_fetch_add<std::uint32_t>(r10, -8, r1),
                    mov(r0, r1), exit()) == 0xffffffffu);
static_assert(r0_of(st<std::uint64_t>(r10, -8, -1), mov(r1, 1), atomic_add<std::uint32_t>(r10, -8, r1),
                    ldx<std::uint64_t>(r0, r10, -8), exit()) == 0xffffffff00000000ull);
static_assert(r0_of(mov(r0, 3), st<std::uint32_t>(r10, -4, 3), mov(r1, 7), atomic_cmpxchg<std::uint32_t>(r10, -4, r1),
                    ldx<std::uint32_t>(r0, r10, -4), exit()) == 7);
// load-acquire / store-release move values like plain loads and stores
static_assert(r0_of(mov(r1, 77), store_release<std::uint16_t>(r10, -2, r1), load_acquire<std::uint16_t>(r0, r10, -2),
                    exit()) == 77);

// ld_imm64 fills all 64 bits.
static_assert(r0_of(ld_imm64(r0, 0x123456789abcdef0ll), exit()) == 0x123456789abcdef0ull);

// Memory given to run_on_memory: r1 points at it, r2 is its length.
static_assert([] {
    constexpr std::array<u8, 4> mem{1, 2, 3, 4};
    const auto p = bpfxx::assemble(ldx<std::uint32_t>(r0, r1, 0), add(r0, r2), exit());
    return vm::run_on_memory(p, mem).r0;
}() == 0x04030201u + 4);
// ... and writes to it are visible after the run.
TEST_CASE("vm: run_on_memory exposes the memory after the run") {
    constexpr std::array<u8, 4> mem{1, 2, 3, 4};
    const auto p = bpfxx::assemble(st<std::uint16_t>(r1, 2, 0x0a0b), mov(r0, 0), exit());
    vm::machine<> m;
    REQUIRE(m.run_on_memory(p, mem).ok());
    const auto out = m.memory();
    REQUIRE(out.size() == 4);
    CHECK(out[0] == 1);
    CHECK(out[2] == 0x0b);
    CHECK(out[3] == 0x0a);
}

// ---- local calls -------------------------------------------------------------

// The callee has its own stack; r6–r9 survive the call; r0 carries the result.
constexpr auto with_call = bpfxx::assemble(
    mov(r6, 100), st<std::uint64_t>(r10, -8, 1), mov(r1, 20), call("twice"_label), add(r0, r6),
    ldx<std::uint64_t>(r1, r10, -8), add(r0, r1), exit(),
    "twice"_label, st<std::uint64_t>(r10, -8, 99), mov(r6, 0), mov(r0, r1), add(r0, r1), exit());
static_assert(vm::run_on_memory(with_call, {}).r0 == 141);
// A callee may read its caller's stack through a pointer.
static_assert(r0_of(st<std::uint64_t>(r10, -8, 42), mov(r1, r10), add(r1, -8), call("f"_label), exit(), "f"_label,
                    ldx<std::uint64_t>(r0, r1, 0), exit()) == 42);
// Eight frames at most.
static_assert(fault_of(call("f"_label), exit(), "f"_label, call("f"_label), exit()) == fault_kind::call_depth);

// ---- faults ----------------------------------------------------------------------

constexpr vm::fault fault_in(std::span<const bpfxx::insn> code) { return vm::run_on_memory(code, {}).error; }

static_assert(fault_of(mov(r0, 0)) == fault_kind::jump_out_of_program);     // falls off the end
inline constexpr vm::limits short_budget{.budget = 1000};
static_assert([] {
    vm::machine<bpfxx::type_list<>, short_budget> m;
    const auto p = bpfxx::assemble("l"_label, ja("l"_label), exit()); // (clang 14 crashes on it as a temporary)
    const auto r = m.run_on_memory(p, {});
    return r.error.kind == fault_kind::budget_exhausted && r.steps == 1001;
}());
static_assert(fault_of(mov(r0, r5), exit()) == fault_kind::uninitialized_register);
static_assert(fault_of(exit()) == fault_kind::uninitialized_register);      // r0 never set
static_assert(fault_of(ldx<std::uint64_t>(r0, r10, -8), exit()) == fault_kind::uninitialized_stack);
static_assert(fault_of(st<std::uint64_t>(r10, -520, 0), mov(r0, 0), exit()) == fault_kind::bad_access);
static_assert(fault_of(st<std::uint64_t>(r10, 0, 0), mov(r0, 0), exit()) == fault_kind::bad_access);
static_assert(fault_of(mov(r1, 0), ldx<std::uint64_t>(r0, r1, 0), exit()) == fault_kind::bad_access); // NULL
// a helper call clobbers r1–r5
static_assert(fault_of(call(bpfxx::helper::get_prandom_u32), mov(r0, r1), exit()) ==
              fault_kind::uninitialized_register);
static_assert(fault_of(mov(r1, 0), call(bpfxx::helper::map_lookup_elem), exit()) ==
              fault_kind::bad_helper_argument);
static_assert(fault_of(call_kfunc(5), exit()) == fault_kind::unsupported);
static_assert(fault_of(ld_map_fd(r1, 3), mov(r0, 0), exit()) == fault_kind::bad_map_reference);
static_assert(fault_of(mov(r6, r1), ld_abs<std::uint8_t>(0), exit()) == fault_kind::insn_not_allowed);
// A helper id Linux does not have, and a real helper with no model.
static_assert(fault_in(std::array{bpfxx::make_insn(0x85, 0, 0, 0, 9999), bpfxx::make_insn(0x95, 0, 0, 0, 0)})
                  .kind == fault_kind::unknown_helper);
static_assert(fault_of(call(bpfxx::helper::get_current_task), exit()) == fault_kind::unmodelled_helper);
static_assert(fault_of(mov(r2, 0), mov(r3, 0), mov(r4, 0), call(bpfxx::helper::skb_load_bytes), exit()) ==
              fault_kind::helper_not_allowed);
// Encodings the verifier refuses: unknown opcode, reserved fields, r10 as destination, register 11.
static_assert(fault_in(std::array{bpfxx::make_insn(0xff, 0, 0, 0, 0)}).kind == fault_kind::bad_opcode);
static_assert(fault_in(std::array{bpfxx::make_insn(0xb7, 0, 1, 0, 0), bpfxx::make_insn(0x95, 0, 0, 0, 0)}).kind ==
              fault_kind::bad_opcode); // mov r0, imm with src_reg set
static_assert(fault_in(std::array{bpfxx::make_insn(0xb7, 10, 0, 0, 0), bpfxx::make_insn(0x95, 0, 0, 0, 0)}).kind ==
              fault_kind::bad_register);
static_assert(fault_in(std::array{bpfxx::make_insn(0xbf, 0, 11, 0, 0), bpfxx::make_insn(0x95, 0, 0, 0, 0)}).kind ==
              fault_kind::bad_register);
static_assert(fault_in(std::array{bpfxx::make_insn(0x18, 0, 0, 0, 1)}).kind ==
              fault_kind::jump_out_of_program); // ld_imm64 without its second slot
static_assert(fault_in(std::array{bpfxx::make_insn(0x05, 0, 0, 5, 0)}).kind == fault_kind::jump_out_of_program);
// A fault names the instruction.
static_assert(vm::run_on_memory(bpfxx::assemble(mov(r0, 0), ldx<std::uint64_t>(r1, r10, -16), exit()), {}).error.pc ==
              1);

TEST_CASE("vm: a fault prints the pc, the reason and the address or helper") {
    const auto a = vm::run_on_memory(bpfxx::assemble(mov(r0, 0), ldx<std::uint64_t>(r1, r10, -16), exit()), {});
    CHECK(to_string(a.error) == "pc 1: read of uninitialised stack (8 bytes at 0x10000001f0)");
    const auto b = vm::run_on_memory(bpfxx::assemble(call(bpfxx::helper::get_current_task), exit()), {});
    CHECK(to_string(b.error) == "pc 0: helper has no model in bpfxx::vm (get_current_task, id 35)");
    CHECK(to_string(vm::fault{}) == "no fault");
    const auto c = vm::run_on_memory(bpfxx::assemble(mov(r0, r7), exit()), {});
    CHECK(to_string(c.error) == "pc 0: read of uninitialised register (r7)");
}

// Lenient machines (for conformance suites) read never-written registers and stack as zeros.
inline constexpr vm::limits lenient{.strict = false};
static_assert([] {
    vm::machine<bpfxx::type_list<>, lenient> m;
    const auto p = bpfxx::assemble(ldx<std::uint64_t>(r0, r10, -8), add(r0, r5), exit());
    const auto r = m.run_on_memory(p, {});
    return r.ok() && r.r0 == 0;
}());

// ---- maps ------------------------------------------------------------------------

using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256>;
using flows = bpfxx::hash_map<std::uint32_t, std::uint64_t, 4>;

// The design's sock_example: count IP protocols (skb->data is the IP header in a socket-filter test run).
constexpr auto count_protocols = bpfxx::assemble(
    mov(r6, r1), ld_abs<std::uint8_t>(9), stx<std::uint32_t>(r10, -4, r0), mov(r2, r10), add(r2, -4),
    ld_map<counters>(r1), call(bpfxx::helper::map_lookup_elem), jeq(r0, 0, "out"_label), mov(r1, 1),
    atomic_add<std::uint64_t>(r0, 0, r1), "out"_label, mov(r0, 0), exit());

static_assert([] {
    vm::machine_for<decltype(count_protocols)> m;
    (void)m.run_socket_filter(count_protocols, udp53);
    (void)m.run_socket_filter(count_protocols, udp53);
    (void)m.run_socket_filter(count_protocols, tcp23);
    return m.map<counters>().lookup(17) == 2u && m.map<counters>().lookup(6) == 1u &&
           m.map<counters>().lookup(1) == 0u && !m.map<counters>().lookup(256);
}());

// Hash map: update with the kernel's flags and errors, delete, lookup miss.
constexpr auto hash_ops = bpfxx::assemble(
    st<std::uint32_t>(r10, -4, 7), st<std::uint64_t>(r10, -16, 70),
    ld_map<flows>(r1), mov(r2, r10), add(r2, -4), mov(r3, r10), add(r3, -16), mov(r4, 1), // BPF_NOEXIST
    call(bpfxx::helper::map_update_elem), mov(r6, r0),
    ld_map<flows>(r1), mov(r2, r10), add(r2, -4), mov(r3, r10), add(r3, -16), mov(r4, 1),
    call(bpfxx::helper::map_update_elem), mov(r7, r0), // -EEXIST
    st<std::uint32_t>(r10, -4, 8),
    ld_map<flows>(r1), mov(r2, r10), add(r2, -4), call(bpfxx::helper::map_delete_elem), mov(r8, r0), // -ENOENT
    ld_map<flows>(r1), mov(r2, r10), add(r2, -4), call(bpfxx::helper::map_lookup_elem), mov(r9, r0), // NULL
    mov(r0, r6), add(r0, r7), add(r0, r8), add(r0, r9), exit());
static_assert([] {
    vm::machine_for<decltype(hash_ops)> m;
    const auto r = m.run_on_memory(hash_ops, {});
    return r.ok() && r.r0 == i64(0 - 17 - 2) && m.map<flows>().lookup(7) == 70u && m.map<flows>().size() == 1;
}());

// What a run reports beyond r0: where it ended and the helper calls it made
// (what the differential test counts coverage with).
static_assert([] {
    vm::machine_for<decltype(hash_ops)> m;
    const auto r = m.run_on_memory(hash_ops, {});
    return r.exit_pc == hash_ops.size() - 1 && r.helper_calls == 4 && r.map_calls == 4;
}());
static_assert([] {
    vm::machine_for<decltype(count_protocols)> m;
    const auto udp = m.run_socket_filter(count_protocols, udp53); // reaches the final exit
    return udp.exit_pc == count_protocols.size() - 1 && udp.map_calls == 1 && udp.helper_calls == 1;
}());
// an ld_abs outside the packet ends the run with r0 = 0 there, as in the kernel
static_assert([] {
    constexpr auto past_the_end = bpfxx::assemble(mov(r6, r1), ld_abs<std::uint8_t>(1000), mov(r0, 7), exit());
    const auto r = vm::run_socket_filter(past_the_end, udp53);
    return r.ok() && r.r0 == 0 && r.exit_pc == 1 && r.helper_calls == 0;
}());

TEST_CASE("vm: exit_pc, helper_calls and map_calls agree between the decoded and the general path") {
    constexpr auto early = bpfxx::assemble( // on memory of odd length: exits at slot 2; else two helper calls
        jset(r2, 1, "odd"_label), call(bpfxx::helper::ktime_get_ns), st<std::uint32_t>(r10, -4, 3),
        mov(r2, r10), add(r2, -4), ld_map<counters>(r1), call(bpfxx::helper::map_lookup_elem), mov(r0, 1), exit(),
        "odd"_label, mov(r0, 2), exit());
    static constexpr vm::limits step_by_step{.decode = false};
    vm::machine_for<decltype(early)> decoded;
    vm::machine_for<decltype(early), step_by_step> general;
    const std::array<std::uint8_t, 4> even{};
    const std::array<std::uint8_t, 3> odd{};
    for (int run = 0; run < 2; ++run) { // the second from the decoded form's cache
        CAPTURE(run);
        for (const auto& r : {decoded.run_on_memory(early, even), general.run_on_memory(early, even)}) {
            CHECK(r.r0 == 1);
            CHECK(r.exit_pc == early.size() - 3);
            CHECK(r.helper_calls == 2);
            CHECK(r.map_calls == 1);
        }
        for (const auto& r : {decoded.run_on_memory(early, odd), general.run_on_memory(early, odd)}) {
            CHECK(r.r0 == 2);
            CHECK(r.exit_pc == early.size() - 1);
            CHECK(r.helper_calls == 0);
            CHECK(r.map_calls == 0);
        }
    }
    // a fault: the slot of the faulting instruction
    constexpr auto faulting = bpfxx::assemble(mov(r0, 0), ldx<std::uint64_t>(r0, r0, 0), exit());
    for (const auto& f : {decoded.run_on_memory(faulting, even), general.run_on_memory(faulting, even)}) {
        CHECK_FALSE(f.ok());
        CHECK(f.exit_pc == 1);
        CHECK(f.error.pc == 1);
    }
}

TEST_CASE("vm: map models keep the kernel's rules") {
    SUBCASE("array") {
        vm::map_model<bpfxx::array_map<std::uint32_t, std::uint32_t, 2>> a;
        CHECK(a.lookup(1) == 0u);
        CHECK(a.update(1, 5) == 0);
        CHECK(a.update(2, 5) == vm::err::e2big);
        CHECK(a.update(1, 5, bpfxx::update_flags::noexist) == vm::err::eexist);
        CHECK(a.erase(1) == vm::err::einval);
        CHECK(a.size() == 2);
    }
    SUBCASE("hash, full") {
        vm::map_model<bpfxx::hash_map<std::uint32_t, std::uint32_t, 2>> h;
        CHECK(h.update(1, 1) == 0);
        CHECK(h.update(2, 2) == 0);
        CHECK(h.update(3, 3) == vm::err::e2big);
        CHECK(h.update(2, 9, bpfxx::update_flags::exist) == 0);
        CHECK(h.update(4, 9, bpfxx::update_flags::exist) == vm::err::enoent);
        CHECK(h.lookup(2) == 9u);
        CHECK(h.erase(1) == 0);
        CHECK(h.erase(1) == vm::err::enoent);
        CHECK(h.update(3, 3) == 0);
        CHECK(h.size() == 2);
    }
    SUBCASE("lru evicts the least recently used") {
        vm::map_model<bpfxx::lru_hash_map<std::uint32_t, std::uint32_t, 2>> l;
        CHECK(l.update(1, 1) == 0);
        CHECK(l.update(2, 2) == 0);
        CHECK(l.lookup(1) == 1u); // 2 is now the oldest
        CHECK(l.update(3, 3) == 0);
        CHECK_FALSE(l.lookup(2));
        CHECK(l.lookup(1) == 1u);
        CHECK(l.lookup(3) == 3u);
    }
    SUBCASE("lpm trie: longest prefix wins") {
        struct key {
            std::uint32_t prefixlen;
            std::array<std::uint8_t, 4> addr;
        };
        vm::map_model<bpfxx::lpm_trie<key, std::uint32_t, 8>> t;
        CHECK(t.update(key{8, {10, 0, 0, 0}}, 8) == 0);
        CHECK(t.update(key{24, {10, 1, 2, 0}}, 24) == 0);
        CHECK(t.update(key{33, {10, 1, 2, 0}}, 1) == vm::err::einval);
        CHECK(t.lookup(key{32, {10, 1, 2, 3}}) == 24u);
        CHECK(t.lookup(key{32, {10, 9, 2, 3}}) == 8u);
        CHECK_FALSE(t.lookup(key{32, {11, 1, 2, 3}}));
        CHECK(t.lookup(key{16, {10, 1, 2, 3}}) == 8u); // the key's own prefix bounds the match
    }
    SUBCASE("queue and stack") {
        vm::map_model<bpfxx::queue<std::uint32_t, 2>> q;
        CHECK(q.push(1) == 0);
        CHECK(q.push(2) == 0);
        CHECK(q.push(3) == vm::err::e2big);
        CHECK(q.push(3, bpfxx::update_flags::exist) == 0); // drops the oldest
        CHECK(q.peek() == 2u);
        CHECK(q.pop() == 2u);
        CHECK(q.pop() == 3u);
        CHECK_FALSE(q.pop());
        vm::map_model<bpfxx::stack<std::uint32_t, 2>> s;
        CHECK(s.push(1) == 0);
        CHECK(s.push(2) == 0);
        CHECK(s.pop() == 2u);
        CHECK(s.pop() == 1u);
    }
    SUBCASE("bloom filter") {
        vm::map_model<bpfxx::bloom_filter<std::uint32_t, 2>> b;
        CHECK(b.push(1) == 0);
        CHECK(b.may_contain(1));
        CHECK_FALSE(b.may_contain(2));
        CHECK(b.push(2) == 0);
        CHECK(b.push(3) == 0); // more than max_entries: saturated, "maybe" for everything
        CHECK(b.may_contain(4));
    }
}

// Queue helpers from a program: push two, pop one, peek one.
using jobs = bpfxx::queue<std::uint64_t, 4>;
static_assert([] {
    const auto p = bpfxx::assemble(
        st<std::uint64_t>(r10, -8, 11), ld_map<jobs>(r1), mov(r2, r10), add(r2, -8), mov(r3, 0),
        call(bpfxx::helper::map_push_elem), st<std::uint64_t>(r10, -8, 22), ld_map<jobs>(r1), mov(r2, r10),
        add(r2, -8), mov(r3, 0), call(bpfxx::helper::map_push_elem), ld_map<jobs>(r1), mov(r2, r10), add(r2, -16),
        call(bpfxx::helper::map_pop_elem), ldx<std::uint64_t>(r6, r10, -16), ld_map<jobs>(r1), mov(r2, r10),
        add(r2, -16), call(bpfxx::helper::map_peek_elem), ldx<std::uint64_t>(r0, r10, -16), mul(r0, 100),
        add(r0, r6), exit());
    vm::machine_for<decltype(p)> m;
    const auto r = m.run_on_memory(p, {});
    return r.ok() && r.r0 == 2211 && m.map<jobs>().size() == 1;
}());

// A map value is bounds-checked per element, and read-only for rdonly_prog maps.
using config = bpfxx::array_map<std::uint32_t, std::uint32_t, 4, bpfxx::map_options{.flags = bpfxx::map_flags::rdonly_prog}>;
static_assert([] {
    const auto p = bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), ld_map<counters>(r1), mov(r2, r10), add(r2, -4),
                                   call(bpfxx::helper::map_lookup_elem), jeq(r0, 0, "out"_label),
                                   ldx<std::uint64_t>(r0, r0, 8), "out"_label, exit()); // next element
    return vm::run_on_memory(p, {}).error.kind == fault_kind::bad_access;
}());
static_assert([] {
    const auto p = bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), ld_map<config>(r1), mov(r2, r10), add(r2, -4),
                                   call(bpfxx::helper::map_lookup_elem), jeq(r0, 0, "out"_label),
                                   st<std::uint32_t>(r0, 0, 1), "out"_label, exit());
    return vm::run_on_memory(p, {}).error.kind == fault_kind::read_only;
}());
// Direct value access (ld_map_value) addresses the value of a single-element array.
using globals = bpfxx::array_map<std::uint32_t, std::array<std::uint64_t, 2>, 1>;
static_assert([] {
    const auto p = bpfxx::assemble(ld_map_value<globals>(r1, 8), st<std::uint64_t>(r1, 0, 5), mov(r0, 0), exit());
    vm::machine_for<decltype(p)> m;
    return m.run_on_memory(p, {}).ok() && (*m.map<globals>().lookup(0))[1] == 5u;
}());
static_assert(fault_of(ld_map_value<counters>(r1, 0), mov(r0, 0), exit()) == fault_kind::bad_map_reference);

// ---- environment helpers ---------------------------------------------------

TEST_CASE("vm: clock, random numbers and CPU are deterministic and settable") {
    const auto clock = bpfxx::assemble(call(bpfxx::helper::ktime_get_ns), mov(r6, r0),
                                       call(bpfxx::helper::ktime_get_boot_ns), sub(r0, r6), exit());
    vm::machine<> m;
    m.set_clock(1000, 5);
    CHECK(m.run_on_memory(clock, {}).r0 == 5);
    const auto rnd = bpfxx::assemble(call(bpfxx::helper::get_prandom_u32), exit());
    m.set_prandom_seed(42);
    const auto a = m.run_on_memory(rnd, {}).r0;
    const auto b = m.run_on_memory(rnd, {}).r0;
    m.set_prandom_seed(42);
    CHECK(m.run_on_memory(rnd, {}).r0 == a);
    CHECK(a != b);
    CHECK(a <= 0xffffffffu);
    m.set_cpu(3);
    CHECK(m.run_on_memory(bpfxx::assemble(call(bpfxx::helper::get_smp_processor_id), exit()), {}).r0 == 3);
}

constexpr std::string_view trace_format = "n=%d x=%04x %s|";
TEST_CASE("vm: trace_printk output is captured") {
    // the format lives on the stack, where clang puts it too
    const auto p = bpfxx::assemble(
        // "hi\0" at fp-40
        st<std::uint32_t>(r10, -40, 0x00006968),
        // the format at fp-32 (up to 32 bytes)
        [] {
            std::array<bpfxx::insn, 8> s{};
            std::array<char, 32> b{};
            for (std::size_t i = 0; i < trace_format.size(); ++i) b[i] = trace_format[i];
            for (std::size_t w = 0; w < 8; ++w) {
                std::uint32_t v = 0;
                for (std::size_t k = 0; k < 4; ++k) v |= std::uint32_t{static_cast<u8>(b[w * 4 + k])} << (8 * k);
                s[w] = st<std::uint32_t>(r10, static_cast<std::int16_t>(-32 + 4 * w), static_cast<std::int32_t>(v));
            }
            return s;
        }(),
        mov(r1, r10), add(r1, -32), mov(r2, static_cast<std::int32_t>(trace_format.size() + 1)), mov(r3, -5), mov(r4, 0xab),
        mov(r5, r10), add(r5, -40), call(bpfxx::helper::trace_printk), exit());
    vm::machine<> m;
    const auto r = m.run_on_memory(p, {});
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    REQUIRE(m.trace_count() == 1);
    CHECK(m.trace_line(0) == "n=-5 x=00ab hi|");
}

// ---- ring buffers ------------------------------------------------------------

using events = bpfxx::ringbuf<4096>;
struct event {
    std::uint32_t pid;
    std::uint32_t value;
};

TEST_CASE("vm: ring buffer records are captured") {
    const auto p = bpfxx::assemble(
        // output: an 8-byte record from the stack
        st<std::uint32_t>(r10, -8, 1), st<std::uint32_t>(r10, -4, 10), ld_map<events>(r1), mov(r2, r10), add(r2, -8),
        mov(r3, 8), mov(r4, 0), call(bpfxx::helper::ringbuf_output), mov(r6, r0),
        // reserve + fill + submit
        ld_map<events>(r1), mov(r2, 8), mov(r3, 0), call(bpfxx::helper::ringbuf_reserve), jeq(r0, 0, "out"_label),
        st<std::uint32_t>(r0, 0, 2), st<std::uint32_t>(r0, 4, 20), mov(r1, r0), mov(r2, 0),
        call(bpfxx::helper::ringbuf_submit),
        // reserve + discard
        ld_map<events>(r1), mov(r2, 16), mov(r3, 0), call(bpfxx::helper::ringbuf_reserve), jeq(r0, 0, "out"_label),
        mov(r1, r0), mov(r2, 0), call(bpfxx::helper::ringbuf_discard),
        ld_map<events>(r1), mov(r2, 0), call(bpfxx::helper::ringbuf_query), add(r0, r6), "out"_label, exit());
    vm::machine_for<decltype(p)> m;
    const auto r = m.run_on_memory(p, {});
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    CHECK(r.r0 == 16 + 16 + 24); // three records with their 8-byte headers
    auto& rb = m.map<events>();
    REQUIRE(rb.submitted() == 2);
    CHECK(rb.record_as<event>(0).pid == 1);
    CHECK(rb.record_as<event>(0).value == 10);
    CHECK(rb.record_as<event>(1).pid == 2);
    CHECK(rb.record_as<event>(1).value == 20);
    rb.clear();
    CHECK(rb.submitted() == 0);
}

static_assert([] {
    // a record must be submitted or discarded before exit, and may not be touched past its end
    const auto leak = bpfxx::assemble(ld_map<events>(r1), mov(r2, 8), mov(r3, 0),
                                      call(bpfxx::helper::ringbuf_reserve), mov(r0, 0), exit());
    const auto past = bpfxx::assemble(ld_map<events>(r1), mov(r2, 8), mov(r3, 0),
                                      call(bpfxx::helper::ringbuf_reserve), jeq(r0, 0, "out"_label),
                                      st<std::uint32_t>(r0, 8, 1), mov(r1, r0), mov(r2, 0),
                                      call(bpfxx::helper::ringbuf_submit), "out"_label, mov(r0, 0), exit());
    return vm::run_on_memory(leak, {}).error.kind == fault_kind::unreleased_record &&
           vm::run_on_memory(past, {}).error.kind == fault_kind::bad_access;
}());

// ---- tail calls ------------------------------------------------------------------

using jump_table = bpfxx::prog_array<4>;
constexpr auto tail_target = bpfxx::assemble(mov(r0, 42), exit());
constexpr auto tail_caller = bpfxx::assemble(ld_map<jump_table>(r2), mov(r3, 1), call(bpfxx::helper::tail_call),
                                             mov(r0, 7), exit());
static_assert([] {
    vm::machine_for<decltype(tail_caller)> m;
    const auto miss = m.run_on_memory(tail_caller, {}).r0; // empty slot: falls through
    m.set_tail_call<jump_table>(1, tail_target);
    const auto hit = m.run_on_memory(tail_caller, {}).r0;
    return miss == 7 && hit == 42;
}());
// A chain of tail calls stops after 33.
constexpr auto self_tail = bpfxx::assemble(mov(r6, r1), ld_map<jump_table>(r2), mov(r3, 0),
                                           call(bpfxx::helper::tail_call), mov(r0, 1), exit());
TEST_CASE("vm: tail calls stop after 33 in a chain") {
    vm::machine_for<decltype(self_tail)> m;
    m.set_tail_call<jump_table>(0, self_tail);
    const auto r = m.run_on_memory(self_tail, {});
    CHECK(r.ok());
    CHECK(r.r0 == 1);
    CHECK(r.steps == 34 * 4 + 2); // 34 programs of 4 steps (ld_map is one), then mov r0, exit
}

// ---- socket filter and tc contexts ------------------------------------------------

constexpr auto read_skb = [](std::size_t off, auto width) {
    using T = decltype(width);
    return bpfxx::assemble(ldx<T>(r0, r1, static_cast<std::int16_t>(off)), exit());
};
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, len), std::uint32_t{}), udp53).r0 == 50);
static_assert(vm::run_tc(read_skb(offsetof(bpfxx::sk_buff, len), std::uint32_t{}), udp53).r0 == 64);
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, protocol), std::uint32_t{}), udp53).r0 ==
              0x0008); // htons(ETH_P_IP)
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, pkt_type), std::uint32_t{}), udp53).r0 ==
              0);                                                            // PACKET_HOST: lo's address is all zeros
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, pkt_type), std::uint32_t{}),
                                    ipv4_frame(17, 53, 0x02)).r0 == 3);      // PACKET_OTHERHOST
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, pkt_type), std::uint32_t{}),
                                    ipv4_frame(17, 53, 0x01)).r0 == 2);      // PACKET_MULTICAST
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, ifindex), std::uint32_t{}), udp53).r0 == 1);
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, mark), std::uint32_t{}), udp53,
                                    vm::skb_options{.mark = 9}).r0 == 9);
// narrow reads see the low bytes first (little endian)
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, mark) + 1, std::uint8_t{}), udp53,
                                    vm::skb_options{.mark = 0x1234}).r0 == 0x12);
// socket filters may not read the packet pointers or tc_classid; nobody may read past the struct
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, data), std::uint32_t{}), udp53).error.kind ==
              fault_kind::bad_context_access);
static_assert(vm::run_socket_filter(read_skb(offsetof(bpfxx::sk_buff, tc_classid), std::uint32_t{}), udp53)
                  .error.kind == fault_kind::bad_context_access);
static_assert(vm::run_tc(read_skb(192, std::uint32_t{}), udp53).error.kind == fault_kind::bad_context_access);
static_assert(vm::run_tc(read_skb(offsetof(bpfxx::sk_buff, mark) + 1, std::uint32_t{}), udp53).error.kind ==
              fault_kind::bad_context_access); // misaligned
static_assert(vm::run_tc(read_skb(offsetof(bpfxx::sk_buff, mark), std::uint64_t{}), udp53).error.kind ==
              fault_kind::bad_context_access); // wider than the field
// writes: socket filters only cb[], tc also mark, priority, tc_index …
static_assert(vm::run_socket_filter(bpfxx::assemble(st<std::uint32_t>(r1, offsetof(bpfxx::sk_buff, mark), 1),
                                                    mov(r0, 0), exit()),
                                    udp53).error.kind == fault_kind::bad_context_access);
TEST_CASE("vm: tc writes to the context show in skb()") {
    const auto p = bpfxx::assemble(mov(r2, 7), stx<std::uint32_t>(r1, offsetof(bpfxx::sk_buff, mark), r2),
                                   stx<std::uint32_t>(r1, offsetof(bpfxx::sk_buff, cb) + 8, r2),
                                   stx<std::uint32_t>(r1, offsetof(bpfxx::sk_buff, priority), r2), mov(r0, 0), exit());
    vm::machine<> m;
    REQUIRE(m.run_tc(p, udp53).ok());
    CHECK(m.skb().mark == 7);
    CHECK(m.skb().cb[2] == 7);
    CHECK(m.skb().priority == 7);
}

// tc: direct packet access through data/data_end, with the bounds check the verifier wants.
constexpr auto tc_port = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, offsetof(bpfxx::sk_buff, data)), ldx<std::uint32_t>(r3, r1, offsetof(bpfxx::sk_buff, data_end)),
    mov(r4, r2), add(r4, 38), mov(r0, bpfxx::tc_act::ok), jgt(r4, r3, "out"_label), ldx<std::uint16_t>(r0, r2, 36),
    be16(r0), "out"_label, exit());
static_assert(vm::run_tc(tc_port, udp53).r0 == 53);
static_assert(vm::run_tc(tc_port, std::array<u8, 20>{}).r0 == 0);
// reading past data_end faults even if the program forgot the check
static_assert(vm::run_tc(bpfxx::assemble(ldx<std::uint32_t>(r2, r1, offsetof(bpfxx::sk_buff, data)),
                                         ldx<std::uint8_t>(r0, r2, 64), exit()),
                         udp53).error.kind == fault_kind::bad_access);

// ld_abs / ld_ind read big endian relative to skb->data; out of bounds ends the program with 0.
static_assert(vm::run_socket_filter(bpfxx::assemble(mov(r6, r1), ld_abs<std::uint16_t>(22), exit()), udp53).r0 == 53);
static_assert(vm::run_tc(bpfxx::assemble(mov(r6, r1), ld_abs<std::uint16_t>(36), exit()), udp53).r0 == 53);
static_assert(vm::run_socket_filter(bpfxx::assemble(mov(r6, r1), mov(r7, 20), ld_ind<std::uint32_t>(r7, 0), exit()),
                                    udp53).r0 == 0x30390035);
static_assert(vm::run_socket_filter(bpfxx::assemble(mov(r6, r1), mov(r0, 5), ld_abs<std::uint32_t>(48), mov(r0, 9),
                                                    exit()),
                                    udp53).r0 == 0);
// SKF_LL_OFF reaches the link-layer header from a socket filter
static_assert(vm::run_socket_filter(bpfxx::assemble(mov(r6, r1), ld_abs<std::uint16_t>(-0x200000 + 12), exit()),
                                    udp53).r0 == 0x0800);
// ld_abs wants the context in r6
static_assert(vm::run_socket_filter(bpfxx::assemble(ld_abs<std::uint8_t>(0), exit()), udp53).error.kind ==
              fault_kind::uninitialized_register);

TEST_CASE("vm: skb_load_bytes, skb_store_bytes and the checksum helpers") {
    // copy the UDP ports to the stack, swap them into the packet, fix nothing else
    const auto p = bpfxx::assemble(
        mov(r6, r1), mov(r2, 34), mov(r3, r10), add(r3, -4), mov(r4, 4), call(bpfxx::helper::skb_load_bytes),
        mov(r7, r0), st<std::uint64_t>(r10, -16, -1), mov(r1, r6), mov(r2, 60), mov(r3, r10), add(r3, -16),
        mov(r4, 8), call(bpfxx::helper::skb_load_bytes), mov(r8, r0), // out of range: -EFAULT, buffer zeroed
        ldx<std::uint64_t>(r9, r10, -16), ldx<std::uint32_t>(r2, r10, -4), add(r9, r2),
        st<std::uint32_t>(r10, -8, 0x11223344), mov(r1, r6), mov(r2, 34), mov(r3, r10), add(r3, -8), mov(r4, 4),
        mov(r5, 0), call(bpfxx::helper::skb_store_bytes), add(r0, r7), add(r0, r8), add(r0, r9), exit());
    vm::machine<> m;
    const auto r = m.run_tc(p, udp53);
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    CHECK(r.r0 == i64(-14) + 0x35003930); // 0 + 0 + -EFAULT + 0 (zeroed) + the ports as loaded
    const auto out = m.packet();
    CHECK(out[34] == 0x44);
    CHECK(out[37] == 0x11);
    CHECK(vm::run_socket_filter(p, udp53).error.kind == fault_kind::helper_not_allowed); // store_bytes: tc only
}

TEST_CASE("vm: l3_csum_replace keeps the IPv4 header checksum valid") {
    // An IPv4 header with a correct checksum; change the TTL byte pair with csum_replace2.
    auto frame = ipv4_frame(17, 53);
    const auto fold = [&] {
        std::uint32_t sum = 0;
        for (std::size_t i = 14; i < 34; i += 2) sum += std::uint32_t{frame[i]} << 8 | frame[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        return static_cast<std::uint16_t>(~sum);
    };
    frame[24] = frame[25] = 0;
    const auto c = fold();
    frame[24] = static_cast<u8>(c >> 8);
    frame[25] = static_cast<u8>(c);
    REQUIRE(fold() == 0);
    // TTL:proto 0x4011 -> 0x3f11 (network order; loaded little-endian as the program sees it)
    const auto p = bpfxx::assemble(mov(r6, r1), ldx<std::uint32_t>(r2, r1, offsetof(bpfxx::sk_buff, data)),
                                   ldx<std::uint32_t>(r3, r1, offsetof(bpfxx::sk_buff, data_end)), mov(r4, r2),
                                   add(r4, 34), mov(r0, 0), jgt(r4, r3, "out"_label), ldx<std::uint16_t>(r7, r2, 22),
                                   mov(r8, r7), sub(r8, 1), stx<std::uint16_t>(r2, 22, r8), mov(r1, r6), mov(r2, 24),
                                   mov(r3, r7), mov(r4, r8), mov(r5, 2), call(bpfxx::helper::l3_csum_replace),
                                   "out"_label, exit());
    vm::machine<> m;
    const auto r = m.run_tc(p, frame);
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    CHECK(r.r0 == 0);
    std::copy(m.packet().begin(), m.packet().end(), frame.begin());
    CHECK(frame[22] == 63);
    CHECK(fold() == 0);
}

static_assert([] {
    // csum_diff (Linux 6.13+) folds its sum to 16 bits and takes sizes that are not multiples of 4
    const auto p = bpfxx::assemble(st<std::uint32_t>(r10, -4, 0x00010002), mov(r1, 0), mov(r2, 0), mov(r3, r10),
                                   add(r3, -4), mov(r4, 4), mov(r5, 0), call(bpfxx::helper::csum_diff), exit());
    const auto odd = bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), mov(r1, 0), mov(r2, 0), mov(r3, r10),
                                     add(r3, -4), mov(r4, 3), mov(r5, 0), call(bpfxx::helper::csum_diff), exit());
    return vm::run_tc(p, udp53).r0 == 3 && vm::run_tc(odd, udp53).r0 == 0;
}());

// ---- XDP ------------------------------------------------------------------------

// Drop UDP to port 53, pass the rest.
constexpr auto xdp_dns_drop = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, offsetof(bpfxx::xdp_md, data)), ldx<std::uint32_t>(r3, r1, offsetof(bpfxx::xdp_md, data_end)),
    mov(r0, bpfxx::xdp::pass), mov(r4, r2), add(r4, 38), jgt(r4, r3, "out"_label), ldx<std::uint8_t>(r5, r2, 23),
    jne(r5, 17, "out"_label), ldx<std::uint16_t>(r5, r2, 36), jne(r5, 0x3500, "out"_label), mov(r0, bpfxx::xdp::drop),
    "out"_label, exit());
static_assert(vm::run_xdp(xdp_dns_drop, udp53).r0 == bpfxx::xdp::drop);
static_assert(vm::run_xdp(xdp_dns_drop, tcp23).r0 == bpfxx::xdp::pass);
static_assert(vm::run_xdp(xdp_dns_drop, ipv4_frame<37>(17, 53)).r0 == bpfxx::xdp::pass); // truncated
static_assert(vm::run_xdp(xdp_dns_drop, std::array<u8, 10>{}).error.kind == fault_kind::bad_input);
// xdp_md: 4-byte reads only, no writes, no egress_ifindex outside devmap programs
static_assert(vm::run_xdp(bpfxx::assemble(ldx<std::uint32_t>(r0, r1, offsetof(bpfxx::xdp_md, ingress_ifindex)), exit()),
                          udp53, vm::xdp_options{.ingress_ifindex = 4}).r0 == 4);
static_assert(vm::run_xdp(bpfxx::assemble(ldx<std::uint16_t>(r0, r1, 12), exit()), udp53).error.kind ==
              fault_kind::bad_context_access);
static_assert(vm::run_xdp(bpfxx::assemble(ldx<std::uint32_t>(r0, r1, 20), exit()), udp53).error.kind ==
              fault_kind::bad_context_access);
static_assert(vm::run_xdp(bpfxx::assemble(st<std::uint32_t>(r1, 12, 0), mov(r0, 0), exit()), udp53).error.kind ==
              fault_kind::bad_context_access);

TEST_CASE("vm: XDP adjust_head, adjust_meta and adjust_tail move the packet like the kernel") {
    // pop the Ethernet header (14 bytes): data moves forward, the output starts at the IP header
    const auto pop = bpfxx::assemble(mov(r6, r1), mov(r2, 14), call(bpfxx::helper::xdp_adjust_head), mov(r7, r0),
                                     mov(r1, r6), mov(r2, -300), call(bpfxx::helper::xdp_adjust_head), mov(r8, r0),
                                     mov(r1, r6), mov(r2, -8), call(bpfxx::helper::xdp_adjust_meta), mov(r9, r0),
                                     mov(r1, r6), mov(r2, -6), call(bpfxx::helper::xdp_adjust_meta), add(r9, r0),
                                     mov(r1, r6), mov(r2, 10), call(bpfxx::helper::xdp_adjust_tail), add(r0, r7),
                                     add(r0, r8), add(r0, r9), exit());
    vm::machine<> m;
    const auto r = m.run_xdp(pop, udp53);
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    CHECK(r.r0 == i64(0 + -22 + 0 + -13 + 0)); // head ok, head too far, meta ok, meta not a multiple of 4, tail ok
    REQUIRE(m.packet().size() == 64 - 14 + 10);
    CHECK(m.packet()[0] == 0x45);
    CHECK(m.packet()[m.packet().size() - 1] == 0); // grown tail is zeroed
    CHECK(m.metadata().size() == 8);
    CHECK(m.xdp_context().data == 14);
}

static_assert([] {
    // xdp_load_bytes / xdp_store_bytes / xdp_get_buff_len
    const auto p = bpfxx::assemble(mov(r6, r1), call(bpfxx::helper::xdp_get_buff_len), mov(r7, r0), mov(r1, r6),
                                   mov(r2, 36), mov(r3, r10), add(r3, -2), mov(r4, 2),
                                   call(bpfxx::helper::xdp_load_bytes), ldx<std::uint16_t>(r8, r10, -2), mov(r1, r6),
                                   mov(r2, 63), mov(r3, r10), add(r3, -2), mov(r4, 2),
                                   call(bpfxx::helper::xdp_store_bytes), mov(r9, r0), mov(r0, r7), lsh(r0, 16),
                                   or_(r0, r8), lsh(r0, 8), sub(r0, r9), exit());
    return vm::run_xdp(p, udp53).r0 == ((u64{64} << 16 | 0x3500) << 8) + 22;
}());

using ports = bpfxx::devmap<4>;
static_assert([] {
    // redirect_map: a present entry redirects, a missing one returns the low flag bits
    const auto p = bpfxx::assemble(ld_map<ports>(r1), mov(r2, 1), mov(r3, bpfxx::xdp::pass),
                                   call(bpfxx::helper::redirect_map), exit());
    vm::machine_for<decltype(p)> m;
    const auto miss = m.run_xdp(p, udp53).r0;
    (void)m.map<ports>().update(1, 3);
    const auto hit = m.run_xdp(p, udp53).r0;
    return miss == bpfxx::xdp::pass && hit == bpfxx::xdp::redirect && m.redirected()->ifindex_or_key == 1;
}());
static_assert(vm::run_xdp(bpfxx::assemble(mov(r1, 5), mov(r2, 0), call(bpfxx::helper::redirect), exit()), udp53).r0 ==
              bpfxx::xdp::redirect);
static_assert(vm::run_tc(bpfxx::assemble(mov(r1, 5), mov(r2, 2), call(bpfxx::helper::redirect), exit()), udp53).r0 ==
              static_cast<u64>(bpfxx::tc_act::shot)); // unknown flag

// ---- the same at run time -------------------------------------------------------

TEST_CASE("vm: run time and compile time agree on the result and on the instructions executed") {
    // Counted by hand along each path. xdp_dns_drop on udp53 takes no branch:
    // 2 context loads, mov, mov, add, jgt (bounds), protocol load, jne, port
    // load, jne, mov XDP_DROP, exit = 12; on tcp23 it leaves at the protocol
    // jne: 8, then exit = 9. with_call: 4 up to and with the call, 5 in the
    // callee, 4 after it = 13.
    constexpr std::uint64_t udp53_steps = 12, tcp23_steps = 9, call_steps = 13;
    static_assert(vm::run_xdp(xdp_dns_drop, udp53).steps == udp53_steps);
    static_assert(vm::run_xdp(xdp_dns_drop, tcp23).steps == tcp23_steps);
    static_assert(vm::run_on_memory(with_call, {}).steps == call_steps);
    // At run time from the decoded form (fused sequences count each instruction
    // they stand for) and instruction by instruction; twice each, the second
    // run from the machine's cache.
    static constexpr vm::limits step_by_step{.decode = false};
    vm::machine<bpfxx::type_list<>> decoded;
    vm::machine<bpfxx::type_list<>, step_by_step> general;
    for (int run = 0; run < 2; ++run) {
        CAPTURE(run);
        const auto d = decoded.run_xdp(xdp_dns_drop, udp53);
        const auto g = general.run_xdp(xdp_dns_drop, udp53);
        CHECK(d.r0 == bpfxx::xdp::drop);
        CHECK(g.r0 == bpfxx::xdp::drop);
        CHECK(d.steps == udp53_steps);
        CHECK(g.steps == udp53_steps);
        CHECK(decoded.run_xdp(xdp_dns_drop, tcp23).steps == tcp23_steps);
        CHECK(general.run_xdp(xdp_dns_drop, tcp23).steps == tcp23_steps);
        const auto dc = decoded.run_on_memory(with_call, {});
        const auto gc = general.run_on_memory(with_call, {});
        CHECK(dc.r0 == 141);
        CHECK(gc.r0 == 141);
        CHECK(dc.steps == call_steps);
        CHECK(gc.steps == call_steps);
    }
}

// ---- the remaining helper models ------------------------------------------------

using per_cpu = bpfxx::percpu_array<std::uint32_t, std::uint64_t, 2>;
static_assert([] {
    // one CPU in the model: cpu 0 finds the value, any other cpu finds nothing
    const auto p = bpfxx::assemble(st<std::uint32_t>(r10, -4, 1), ld_map<per_cpu>(r1), mov(r2, r10), add(r2, -4),
                                   mov(r3, 0), call(bpfxx::helper::map_lookup_percpu_elem), mov(r6, r0),
                                   ld_map<per_cpu>(r1), mov(r2, r10), add(r2, -4), mov(r3, 1),
                                   call(bpfxx::helper::map_lookup_percpu_elem), mov(r7, r0), mov(r0, 0),
                                   jeq(r6, 0, "out"_label), ldx<std::uint64_t>(r0, r6, 0), add(r0, r7), "out"_label,
                                   exit());
    vm::machine_for<decltype(p)> m;
    (void)m.map<per_cpu>().update(1, 33);
    return m.run_on_memory(p, {}).r0 == 33;
}());
static_assert(r0_of(call(bpfxx::helper::get_numa_node_id), exit()) == 0);

// skb_load_bytes_relative counts from the link (0) or network (1) header, whatever skb->data is.
static_assert([] {
    const auto p = bpfxx::assemble(mov(r6, r1), mov(r2, 12), mov(r3, r10), add(r3, -2), mov(r4, 2), mov(r5, 0),
                                   call(bpfxx::helper::skb_load_bytes_relative), ldx<std::uint16_t>(r7, r10, -2),
                                   mov(r1, r6), mov(r2, 9), mov(r3, r10), add(r3, -2), mov(r4, 1), mov(r5, 1),
                                   call(bpfxx::helper::skb_load_bytes_relative), ldx<std::uint8_t>(r0, r10, -2),
                                   lsh(r0, 16), or_(r0, r7), exit());
    return vm::run_socket_filter(p, udp53).r0 == (17u << 16 | 0x0008) && vm::run_tc(p, udp53).r0 == (17u << 16 | 0x0008);
}());

TEST_CASE("vm: l4_csum_replace with BPF_F_MARK_MANGLED_0 leaves a zero UDP checksum alone") {
    // UDP checksum at frame offset 40 is 0 (no checksum): with MARK_MANGLED_0 the helper does nothing
    const auto p = bpfxx::assemble(mov(r6, r1), mov(r2, 40), mov(r3, 0), mov(r4, 0x1234), mov(r5, 0x20 | 2),
                                   call(bpfxx::helper::l4_csum_replace), exit());
    vm::machine<> m;
    const auto r = m.run_tc(p, udp53);
    REQUIRE_MESSAGE(r.ok(), std::string(to_string(r.error).view()));
    CHECK(r.r0 == 0);
    CHECK(m.packet()[40] == 0);
    CHECK(m.packet()[41] == 0);
    // without the flag the checksum changes; a result of 0 would be written as 0xffff with it
    const auto q = bpfxx::assemble(mov(r6, r1), mov(r2, 40), mov(r3, 0), mov(r4, 0x1234), mov(r5, 2),
                                   call(bpfxx::helper::l4_csum_replace), exit());
    REQUIRE(m.run_tc(q, udp53).r0 == 0);
    CHECK((m.packet()[40] | m.packet()[41]) != 0);
    CHECK(vm::run_tc(q, udp53, {}).ok());
    const auto bad_flags = bpfxx::assemble(mov(r6, r1), mov(r2, 40), mov(r3, 0), mov(r4, 0), mov(r5, 0x100),
                                           call(bpfxx::helper::l4_csum_replace), exit());
    CHECK(vm::run_tc(bad_flags, udp53).r0 == static_cast<u64>(vm::err::einval));
}

// ---- the decoded form: fused sequences, the cache, the general path -------------

namespace {

inline constexpr vm::limits general_only{.decode = false};
inline constexpr vm::limits general_budget{.budget = 5, .decode = false};
inline constexpr vm::limits decoded_budget{.budget = 5};

// Ethernet, then 0x0800 at 12; bytes 14.. count up
constexpr std::array<u8, 64> counting_frame = [] {
    std::array<u8, 64> f{};
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<u8>(i);
    f[12] = 0x08;
    f[13] = 0x00;
    return f;
}();

// Every fused sequence (vm/decode.hpp), with a jump into the middle of each.
constexpr auto fused_all = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, 0), ldx<std::uint32_t>(r3, r1, 4),
    mov(r4, r2), add(r4, 14), jgt(r4, r3, "out"_label),        // bounds check: mov, add, jgt
    ldx<std::uint16_t>(r5, r2, 12), be16(r5),                  // load_swap (2)
    ldx<std::uint32_t>(r6, r2, 8), be32(r6),                   // load_swap (4)
    mov(r7, r6), sub(r7, 3),                                   // alu3 K
    mov(r8, r7), xor_(r8, r5),                                 // alu3 X
    mov(r0, 0), "loop"_label, add(r0, 5), jlt(r0, 20, "loop"_label), // add_jump K
    mov(r9, r5), lsh(r9, 8), jeq(r9, 0, "mid"_label),          // alu3 lsh, then a plain jump
    mov(r1, r8), "mid"_label, arsh(r1, 1),                     // a jump into the middle of alu3
    add(r0, r1), add(r0, r9), add(r0, r7), exit(),
    "out"_label, mov(r0, 1), exit());

// The second run of a program on one machine: it runs from the cached decoded form.
template <vm::limits L, class P, class F>
constexpr vm::run_result run_with(const P& p, const F& frame) {
    vm::machine<bpfxx::type_list<>, L> m;
    (void)m.run_xdp(p, frame);
    return m.run_xdp(p, frame);
}

constexpr bool same_run(const vm::run_result& a, const vm::run_result& b) {
    return a.r0 == b.r0 && a.steps == b.steps && a.error == b.error;
}

} // namespace

// Constant evaluation runs every instruction the general way; the run-time
// runs below take the decoded form and must give the same.
static_assert(vm::run_xdp(fused_all, counting_frame).ok());
// a budget that ends inside a fused sequence (the bounds check is slots 2-4)
static_assert(run_with<decoded_budget>(fused_all, counting_frame).error.kind == fault_kind::budget_exhausted);
static_assert(run_with<decoded_budget>(fused_all, counting_frame).error.pc == 5);

TEST_CASE("vm: the decoded form and the general path agree on every fused sequence") {
    static vm::machine<bpfxx::type_list<>> decoded;
    static vm::machine<bpfxx::type_list<>, general_only> general;
    for (std::size_t len = 14; len <= counting_frame.size(); ++len) {
        const std::span<const u8> frame(counting_frame.data(), len);
        const auto a = decoded.run_xdp(fused_all, frame);
        const auto b = general.run_xdp(fused_all, frame);
        INFO("frame of ", len, " bytes");
        CHECK(a.r0 == b.r0);
        CHECK(a.steps == b.steps);
        CHECK(a.error == b.error);
    }
    constexpr auto ct = vm::run_xdp(fused_all, counting_frame);
    CHECK(same_run(decoded.run_xdp(fused_all, counting_frame), ct));
    // a budget that ends inside a fused sequence
    constexpr auto ct_budget = run_with<decoded_budget>(fused_all, counting_frame);
    CHECK(same_run(run_with<decoded_budget>(fused_all, counting_frame), ct_budget));
    CHECK(same_run(run_with<general_budget>(fused_all, counting_frame), ct_budget));
    // a register read unset inside a fused sequence names its own slot
    static constexpr auto reads_r7 = bpfxx::assemble(mov(r4, r1), add(r4, r7), mov(r0, 0), exit());
    for (int run = 0; run < 2; ++run) {
        const auto unset = decoded.run_on_memory(reads_r7, {});
        CHECK(unset.error == vm::fault{.kind = fault_kind::uninitialized_register, .pc = 1, .size = 7});
    }
    // stack: bytes written read back; bytes never written are a fault naming the slot
    static constexpr auto half_written = bpfxx::assemble(st<std::uint32_t>(r10, -8, 7), ldx<std::uint32_t>(r0, r10, -8),
                                                         ldx<std::uint64_t>(r1, r10, -8), exit());
    static constexpr auto stack_ct = vm::run_on_memory(half_written, {});
    static_assert(stack_ct.error.kind == fault_kind::uninitialized_stack && stack_ct.error.pc == 2);
    for (int run = 0; run < 2; ++run) CHECK(same_run(decoded.run_on_memory(half_written, {}), stack_ct));
    static constexpr auto stack_rw = bpfxx::assemble(mov(r2, 0x1234), stx<std::uint16_t>(r10, -2, r2),
                                                     st<std::uint8_t>(r10, -3, -1), ldx<std::uint32_t>(r0, r10, -4), exit());
    static constexpr auto rw_ct = vm::run_on_memory(stack_rw, {}); // -4 was never written: a fault
    for (int run = 0; run < 2; ++run) CHECK(same_run(decoded.run_on_memory(stack_rw, {}), rw_ct));
    static constexpr auto stack_ok = bpfxx::assemble(mov(r2, 0x1234), stx<std::uint16_t>(r10, -2, r2),
                                                     st<std::uint16_t>(r10, -4, -2), ldx<std::uint32_t>(r0, r10, -4), exit());
    static_assert(vm::run_on_memory(stack_ok, {}).r0 == 0x1234fffe);
    for (int run = 0; run < 2; ++run) CHECK(decoded.run_on_memory(stack_ok, {}).r0 == 0x1234fffe);
    // a load_swap that is not a packet load (here of the context) takes the general path
    static constexpr auto loads_ctx = bpfxx::assemble(ldx<std::uint16_t>(r0, r1, 0), be16(r0), exit());
    for (int run = 0; run < 2; ++run)
        CHECK(decoded.run_xdp(loads_ctx, counting_frame).error.kind == fault_kind::bad_context_access);
}

TEST_CASE("vm: a program changed in place between runs is decoded again") {
    constexpr auto original = bpfxx::assemble(mov(r0, 1), add(r0, 2), exit());
    std::vector<bpfxx::insn> code(original.span().begin(), original.span().end());
    vm::machine<bpfxx::type_list<>> m;
    CHECK(m.run_on_memory(std::span<const bpfxx::insn>(code), {}).r0 == 3); // decoded
    CHECK(m.run_on_memory(std::span<const bpfxx::insn>(code), {}).r0 == 3); // from the cache
    code[1] = sub(r0, 2); // same address, same size
    CHECK(m.run_on_memory(std::span<const bpfxx::insn>(code), {}).r0 == u64(-1));
    code[1] = bpfxx::insn{}; // opcode 0: not executable
    CHECK(m.run_on_memory(std::span<const bpfxx::insn>(code), {}).error.kind == fault_kind::bad_opcode);
}

// ---- regressions: what fuzzing and the audit of issue 12 found -------------------

namespace {

// Runs `p` on no memory twice on a decoding machine (the second run takes the
// cached decoded form) and twice instruction by instruction; each run must
// agree with its counterpart. The first run's result.
template <class P>
vm::run_result agreed_run_on_memory(const P& p) {
    vm::machine_for<P> decoded;
    vm::machine_for<P, general_only> general;
    const auto first = decoded.run_on_memory(p, {});
    const auto plain = general.run_on_memory(p, {});
    CHECK(same_run(first, plain));
    CHECK(same_run(decoded.run_on_memory(p, {}), general.run_on_memory(p, {})));
    return plain;
}

} // namespace

// The fast path's stack bound was computed in 32 bits: an offset near 2^32
// (r10 - 520 in a callee borrows from the frame number; w2 = -520 added to r10
// at depth 0) wrapped to a small end and reached 4 GiB past the stack arrays.
constexpr auto callee_reads_below_frame = bpfxx::assemble(call_local(1), exit(), ldx<std::uint64_t>(r0, r10, -520), exit());
constexpr auto callee_writes_below_frame =
    bpfxx::assemble(call_local(1), exit(), st<std::uint64_t>(r10, -520, 1), mov(r0, 0), exit());
constexpr auto wrapped_offset_read =
    bpfxx::assemble(mov32(r2, -520), mov(r1, r10), add(r1, r2), ldx<std::uint64_t>(r0, r1, 0), exit());
constexpr auto wrapped_offset_write =
    bpfxx::assemble(mov32(r2, -520), mov(r1, r10), add(r1, r2), mov(r3, 7), stx<std::uint32_t>(r1, 0, r3), mov(r0, 0),
                    exit());
static_assert(vm::run_on_memory(callee_reads_below_frame, {}).error ==
              vm::fault{.kind = fault_kind::bad_access, .pc = 2, .address = 0x10fffffff8, .size = 8});
static_assert(vm::run_on_memory(wrapped_offset_read, {}).error ==
              vm::fault{.kind = fault_kind::bad_access, .pc = 3, .address = 0x10fffffff8, .size = 8});

TEST_CASE("vm: a stack offset near 2^32 is a fault on both paths") {
    CHECK(agreed_run_on_memory(callee_reads_below_frame).error ==
          vm::fault{.kind = fault_kind::bad_access, .pc = 2, .address = 0x10fffffff8, .size = 8});
    CHECK(agreed_run_on_memory(callee_writes_below_frame).error ==
          vm::fault{.kind = fault_kind::bad_access, .pc = 2, .address = 0x10fffffff8, .size = 8});
    CHECK(agreed_run_on_memory(wrapped_offset_read).error ==
          vm::fault{.kind = fault_kind::bad_access, .pc = 3, .address = 0x10fffffff8, .size = 8});
    CHECK(agreed_run_on_memory(wrapped_offset_write).error ==
          vm::fault{.kind = fault_kind::bad_access, .pc = 4, .address = 0x10fffffff8, .size = 4});
}

// bpf_ringbuf_reserve with a size near 2^64: rounding it up wrapped to a small
// record, which then claimed 4 GiB of the ring. The kernel returns NULL.
constexpr auto reserve_huge = bpfxx::assemble(
    ld_map<events>(r1), mov(r2, -15), mov(r3, 0), call(bpfxx::helper::ringbuf_reserve), mov(r6, r0),
    jeq(r0, 0, "out"_label), add(r0, 0x20000), st<std::uint32_t>(r0, 0, 1), mov(r1, r6), mov(r2, 0),
    call(bpfxx::helper::ringbuf_submit), "out"_label, mov(r0, r6), exit());
// one byte more than the ring holds, and exactly what it holds with the header
constexpr auto reserve_sizes = bpfxx::assemble(
    ld_map<events>(r1), mov(r2, 4097), mov(r3, 0), call(bpfxx::helper::ringbuf_reserve), mov(r6, r0),
    ld_map<events>(r1), mov(r2, 4088), mov(r3, 0), call(bpfxx::helper::ringbuf_reserve), jeq(r0, 0, "out"_label),
    st<std::uint64_t>(r0, 4080, 1), mov(r1, r0), mov(r2, 0), call(bpfxx::helper::ringbuf_submit), mov(r0, r6),
    "out"_label, exit());
static_assert([] {
    const auto r = vm::run_on_memory(reserve_huge, {});
    return r.ok() && r.r0 == 0;
}());
static_assert([] {
    vm::machine_for<decltype(reserve_sizes)> m;
    const auto r = m.run_on_memory(reserve_sizes, {});
    return r.ok() && r.r0 == 0 && m.map<events>().submitted() == 1 && m.map<events>().record(0).size == 4088;
}());
TEST_CASE("vm: ringbuf_reserve of more than the ring holds returns NULL") {
    CHECK(agreed_run_on_memory(reserve_huge).r0 == 0);
    CHECK(agreed_run_on_memory(reserve_sizes).ok());
    vm::model_of<events> ring;
    CHECK(!ring.reserve(~u64{0} - 14));
    CHECK(!ring.reserve(~u64{0}));
    CHECK(!ring.reserve(u64{1} << 32));
    CHECK(ring.reserve(8) == 8u);
}

namespace {
// Stores `text` and its NUL at fp-32 (32 bytes at most), for trace_printk.
template <std::size_t N>
constexpr std::array<bpfxx::insn, 8> format_on_stack(const char (&text)[N]) {
    static_assert(N <= 32);
    std::array<bpfxx::insn, 8> s{};
    for (std::size_t w = 0; w < 8; ++w) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k)
            if (w * 4 + k < N) v |= std::uint32_t{static_cast<u8>(text[w * 4 + k])} << (8 * k);
        s[w] = st<std::uint32_t>(r10, static_cast<std::int16_t>(-32 + 4 * w), static_cast<std::int32_t>(v));
    }
    return s;
}
template <std::size_t N>
constexpr auto printk_of(const char (&format)[N], std::int32_t arg) {
    return bpfxx::assemble(format_on_stack(format), mov(r1, r10), add(r1, -32), mov(r2, static_cast<std::int32_t>(N)),
                           mov(r3, arg), call(bpfxx::helper::trace_printk), exit());
}
constexpr auto printk_wide = printk_of("%4294967295d|", 5);
constexpr auto printk_wide_left = printk_of("%-4294967295d|", 5);
constexpr auto printk_wider = printk_of("%99999999999999999999x", 0xab);
} // namespace

// trace_printk padded a width of 2^32 - 1 one character at a time long after
// its 128-character line was full: seconds in one helper call, outside the
// instruction budget. Padding stops at the line (and this runs in constant
// evaluation, whose loop limits the old code exceeded).
static_assert([] {
    vm::machine<> m;
    const auto r = m.run_on_memory(printk_wide, {});
    return r.ok() && r.r0 == 128 && m.trace_line(0).size() == 128 && m.trace_line(0).back() == '5' &&
           m.trace_line(0).front() == ' ';
}());
TEST_CASE("vm: trace_printk's padding ends with its line") {
    vm::machine<> m;
    REQUIRE(m.run_on_memory(printk_wide, {}).r0 == 128);
    CHECK(m.trace_line(0) == std::string(127, ' ') + "5");
    REQUIRE(m.run_on_memory(printk_wide_left, {}).r0 == 128);
    CHECK(m.trace_line(1) == "5" + std::string(127, ' '));
    REQUIRE(m.run_on_memory(printk_wider, {}).r0 == 128);
    CHECK(m.trace_line(2) == std::string(126, ' ') + "ab");
}

// A conditional jump in the last slot that is not taken leaves the program:
// the general path faults at the jump (pc 1, 2 steps); the decoded form ran
// one step more and faulted at pc 2.
constexpr std::array<bpfxx::insn, 2> jump_in_last_slot{mov(r0, 0), jeq(r0, 1, -2)};
constexpr std::array<bpfxx::insn, 3> fused_jump_in_last_slot{mov(r0, 0), add(r0, 1), jne(r0, 5, -2)};
static_assert(vm::run_on_memory(jump_in_last_slot, {}).error ==
              vm::fault{.kind = fault_kind::jump_out_of_program, .pc = 1});
TEST_CASE("vm: a jump in the last slot that falls through faults at the jump on both paths") {
    const auto r = agreed_run_on_memory(jump_in_last_slot);
    CHECK(r.steps == 2);
    CHECK(r.error == vm::fault{.kind = fault_kind::jump_out_of_program, .pc = 1});
    const auto loop = agreed_run_on_memory(fused_jump_in_last_slot); // add + jeq in the last two slots: loops to 5
    CHECK(loop.steps == 1 + 2 * 5);
    CHECK(loop.error == vm::fault{.kind = fault_kind::jump_out_of_program, .pc = 2});
}

// addr_space_cast (Linux 6.9) is an instruction static_check accepts; the
// interpreter models no arena, so it is `unsupported`, not `bad_opcode` (found
// by tests/fuzz/check.cpp: a checked program must not hold a bad encoding).
constexpr std::array<bpfxx::insn, 3> arena_cast{mov(r0, 0), bpfxx::make_insn(0xbf, 1, 10, 1, 1), exit()};
constexpr std::array<bpfxx::insn, 3> arena_cast_back{mov(r0, 0), bpfxx::make_insn(0xbf, 1, 10, 1, 1 << 16), exit()};
static_assert(vm::run_on_memory(arena_cast, {}).error == vm::fault{.kind = fault_kind::unsupported, .pc = 1});
static_assert(vm::run_on_memory(arena_cast_back, {}).error.kind == fault_kind::unsupported);
// other offsets of a register mov are still bad encodings
static_assert(vm::run_on_memory(std::array{mov(r0, 0), bpfxx::make_insn(0xbf, 1, 10, 1, 2), exit()}, {}).error.kind ==
              fault_kind::bad_opcode);
TEST_CASE("vm: addr_space_cast is unsupported on both paths") {
    CHECK(agreed_run_on_memory(arena_cast).error.kind == fault_kind::unsupported);
}

// ---- expectations for static_assert ------------------------------------------------------

// vm::expect holds for a run that exits with the value; its failures are
// compile-fail tests (tests/compile_fail/vm_expect_*.cpp).
constexpr auto returns_42 = bpfxx::assemble(mov(r0, 42), exit());
static_assert(vm::expect<vm::run_on_memory(returns_42, {}), 42>());
static_assert(vm::expect<vm::run_on_memory(bpfxx::assemble(mov(r0, -1), exit()), {}), -1>());
static_assert(vm::expect<vm::run_xdp(bpfxx::assemble(mov(r0, bpfxx::xdp::drop), exit()), std::array<u8, 64>{}),
                         bpfxx::xdp::drop>());
constexpr auto loads_past_the_buffer = bpfxx::assemble(mov(r0, 0), ldx<std::uint8_t>(r2, r1, 0), exit());
static_assert(vm::expect_fault<vm::run_on_memory(loads_past_the_buffer, {}), fault_kind::bad_access>());
static_assert(vm::expect_fault<vm::run_on_memory(returns_42, {}), fault_kind::none>());

TEST_CASE("vm: the runs expect and expect_fault checked give the same result at run time") {
    // the same runs at run time: what expect<> checked holds there too
    const auto r = vm::run_on_memory(returns_42, {});
    CHECK(r.ok());
    CHECK(r.r0 == 42);
    const auto f = vm::run_on_memory(loads_past_the_buffer, {});
    CHECK(f.error.kind == fault_kind::bad_access);
    CHECK(f.error.pc == 1);
}

// ---- tracing contexts and the current task ----------------------------------------------------

namespace {

constexpr vm::task test_task{.pid = 4343, .tgid = 4242, .uid = 1000, .gid = 100, .comm = "bpfxx-test"};

// A run of `p` on context C, on a machine with the test's task and clock.
template <class C, vm::limits L = vm::limits{}, class P, class... In>
constexpr vm::run_result traced(const P& p, const In&... in) {
    vm::machine_for<P, L> m;
    m.set_task(test_task);
    m.set_clock(1'000'000, 10);
    return m.template run<C>(p, in...);
}

// The same run on the decoded path (run time) and the general one.
template <class C, class P, class... In>
vm::run_result traced_both(const P& p, const In&... in) {
    const auto a = traced<C>(p, in...);
    const auto b = traced<C, vm::limits{.decode = false}>(p, in...);
    CHECK(a.r0 == b.r0);
    CHECK(a.error == b.error);
    CHECK(a.steps == b.steps);
    return a;
}

constexpr bpfxx::pt_regs probe_regs = [] {
    bpfxx::pt_regs r{};
#if defined(__aarch64__)
    r.regs[0] = 7;
    r.regs[1] = 9;
#else
    r.di = 7;
    r.si = 9;
    r.ax = 0x1122334455667788u;
#endif
    return r;
}();

// arguments 0 and 1 of the probed function (x86-64: di, si; arm64: x0, x1)
#if defined(__aarch64__)
constexpr std::int16_t arg0 = 0, arg1 = 8;
#else
constexpr std::int16_t arg0 = offsetof(bpfxx::pt_regs, di), arg1 = offsetof(bpfxx::pt_regs, si);
#endif
constexpr auto sum_args = bpfxx::assemble(ldx<std::uint64_t>(r0, r1, arg0), ldx<std::uint64_t>(r2, r1, arg1),
                                          add(r0, r2), exit());
template <class T>
constexpr auto read_ctx(std::int16_t off) {
    return bpfxx::assemble(ldx<T>(r0, r1, off), exit());
}
constexpr auto write_ctx = bpfxx::assemble(mov(r0, 0), st<std::uint64_t>(r1, 8, 1), exit());

constexpr std::array<std::uint64_t, 3> raw_args{11, 22, 33};
struct switch_record { // sched/sched_switch, shortened
    std::uint64_t common;
    std::int32_t prev_pid;
    std::int32_t next_pid;
};
constexpr auto tp_record = std::bit_cast<std::array<u8, sizeof(switch_record)>>(switch_record{~0ull, 17, 19});

constexpr auto pid_tgid = bpfxx::assemble(call(bpfxx::helper::get_current_pid_tgid), exit());
constexpr auto uid_gid = bpfxx::assemble(call(bpfxx::helper::get_current_uid_gid), exit());
// bpf_get_current_comm into 16 bytes of 0xff on the stack; r0: the first 8 (or the
// second 8 when `high`), or -1 when the helper did not return 0
constexpr auto comm_into(std::int32_t size, bool high) {
    return bpfxx::assemble(st<std::uint64_t>(r10, -16, -1), st<std::uint64_t>(r10, -8, -1), mov(r1, r10), add(r1, -16),
                           mov(r2, size), call(bpfxx::helper::get_current_comm), mov(r6, r0),
                           ldx<std::uint64_t>(r0, r10, high ? -8 : -16), jeq(r6, 0, "out"_label), mov(r0, -1),
                           "out"_label, exit());
}

} // namespace

// kprobes and uprobes: pt_regs, read-only, aligned reads of 1 to 8 bytes inside it
static_assert(vm::expect<vm::run_kprobe(sum_args, probe_regs), 16>());
static_assert(vm::expect_fault<vm::run_kprobe(read_ctx<std::uint64_t>(4), probe_regs), fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_kprobe(read_ctx<std::uint64_t>(sizeof(bpfxx::pt_regs)), probe_regs),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_kprobe(read_ctx<std::uint32_t>(-4), probe_regs), fault_kind::bad_access>());
static_assert(vm::expect_fault<vm::run_kprobe(write_ctx, probe_regs), fault_kind::bad_context_access>());
static_assert(vm::expect<vm::run_kprobe(read_ctx<std::uint32_t>(sizeof(bpfxx::pt_regs) - 4), probe_regs), 0>());
// raw tracepoints: u64 args[], only as many as the tracepoint has
static_assert(vm::expect<vm::run_raw_tracepoint(read_ctx<std::uint64_t>(16), raw_args), 33>());
static_assert(vm::expect<vm::run_raw_tracepoint(read_ctx<std::uint32_t>(12), raw_args), 0>());
static_assert(vm::expect_fault<vm::run_raw_tracepoint(read_ctx<std::uint64_t>(24), raw_args),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_raw_tracepoint(read_ctx<std::uint64_t>(4), raw_args),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_raw_tracepoint(write_ctx, raw_args), fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_raw_tracepoint(read_ctx<std::uint64_t>(0), std::array<std::uint64_t, 13>{}),
                               fault_kind::bad_input>());
// tracepoints: the record from byte 8 on (the common fields are not readable), read-only, in bounds
static_assert(vm::expect<vm::run_tracepoint(read_ctx<std::uint32_t>(offsetof(switch_record, next_pid)), tp_record),
                         19>());
static_assert(vm::expect<vm::run_tracepoint(read_ctx<std::uint64_t>(8), tp_record), (19ull << 32) | 17>());
static_assert(vm::expect_fault<vm::run_tracepoint(read_ctx<std::uint32_t>(0), tp_record),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_tracepoint(read_ctx<std::uint32_t>(sizeof(switch_record)), tp_record),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_tracepoint(read_ctx<std::uint32_t>(10), tp_record),
                               fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_tracepoint(write_ctx, tp_record), fault_kind::bad_context_access>());
static_assert(vm::expect_fault<vm::run_tracepoint(read_ctx<std::uint8_t>(0), std::array<u8, 7>{}),
                               fault_kind::bad_input>());
// the current task, as the test set it; uid_gid and comm in tracing contexts only
static_assert(vm::expect<traced<vm::contexts::pt_regs>(pid_tgid, probe_regs), (4242ull << 32) | 4343>());
static_assert(vm::expect<traced<vm::contexts::tracepoint>(uid_gid, tp_record), (100ull << 32) | 1000>());
static_assert(vm::expect<traced<vm::contexts::raw_tracepoint>(comm_into(16, false), raw_args),
                         0x65742d7878667062ull>()); // "bpfxx-te"
static_assert(vm::expect<traced<vm::contexts::raw_tracepoint>(comm_into(16, true), raw_args),
                         0x7473ull>()); // "st", NUL-padded
// a short buffer gets size - 1 bytes and a NUL; the bytes after it are not touched
static_assert(vm::expect<traced<vm::contexts::pt_regs>(comm_into(4, false), probe_regs), 0xffffffff00667062ull>());
static_assert(vm::expect<traced<vm::contexts::pt_regs>(comm_into(1, false), probe_regs), 0xffffffffffffff00ull>());
static_assert(vm::expect_fault<traced<vm::contexts::pt_regs>(comm_into(0, false), probe_regs),
                               fault_kind::bad_helper_argument>());
static_assert(vm::expect_fault<traced<vm::contexts::pt_regs>(comm_into(17, false), probe_regs),
                               fault_kind::bad_access>());
static_assert(vm::expect_fault<vm::run_xdp(uid_gid, counting_frame), fault_kind::helper_not_allowed>());
static_assert(vm::expect_fault<vm::run_xdp(comm_into(16, false), counting_frame), fault_kind::helper_not_allowed>());
// get_current_pid_tgid is every program type's (Linux 6.10 on)
static_assert(vm::expect<traced<vm::contexts::xdp>(pid_tgid, counting_frame), (4242ull << 32) | 4343>());
static_assert(vm::expect_fault<vm::run_on_memory(uid_gid, {}), fault_kind::helper_not_allowed>());

TEST_CASE("vm: tracing contexts read what the run was given, on both paths") {
    CHECK(traced_both<vm::contexts::pt_regs>(sum_args, probe_regs).r0 == 16);
#if !defined(__aarch64__)
    CHECK(traced_both<vm::contexts::pt_regs>(read_ctx<std::uint32_t>(offsetof(bpfxx::pt_regs, ax) + 4), probe_regs)
              .r0 == 0x11223344u);
    CHECK(traced_both<vm::contexts::pt_regs>(read_ctx<std::uint16_t>(offsetof(bpfxx::pt_regs, ax)), probe_regs).r0 ==
          0x7788u);
#endif
    const auto misaligned = traced_both<vm::contexts::pt_regs>(read_ctx<std::uint64_t>(4), probe_regs);
    CHECK(misaligned.error.kind == fault_kind::bad_context_access);
    CHECK(misaligned.error.pc == 0);
    CHECK(traced_both<vm::contexts::pt_regs>(write_ctx, probe_regs).error.pc == 1);

    CHECK(traced_both<vm::contexts::raw_tracepoint>(read_ctx<std::uint64_t>(8), raw_args).r0 == 22);
    CHECK(traced_both<vm::contexts::raw_tracepoint>(read_ctx<std::uint64_t>(0), std::span<const std::uint64_t>{})
              .error.kind == fault_kind::bad_context_access);
    CHECK(traced_both<vm::contexts::raw_tracepoint>(read_ctx<std::uint64_t>(88), std::array<std::uint64_t, 12>{})
              .ok());

    CHECK(traced_both<vm::contexts::tracepoint>(read_ctx<std::uint32_t>(8), tp_record).r0 == 17);
    CHECK(traced_both<vm::contexts::tracepoint>(read_ctx<std::uint64_t>(0), tp_record).error.kind ==
          fault_kind::bad_context_access);

    vm::machine<> m;
    REQUIRE(m.run_tracepoint(read_ctx<std::uint8_t>(8), tp_record).ok());
    CHECK(std::vector<u8>(m.packet().begin(), m.packet().end()) == std::vector<u8>(tp_record.begin(), tp_record.end()));
    REQUIRE(m.run_kprobe(sum_args, probe_regs).ok());
    CHECK(m.context<vm::contexts::pt_regs>().si == 9);
    CHECK(m.packet().empty());
}

TEST_CASE("vm: get_current_pid_tgid, uid_gid and comm return the task the test set, on both paths") {
    CHECK(traced_both<vm::contexts::pt_regs>(pid_tgid, probe_regs).r0 == ((4242ull << 32) | 4343));
    CHECK(traced_both<vm::contexts::raw_tracepoint>(uid_gid, raw_args).r0 == ((100ull << 32) | 1000));
    CHECK(traced_both<vm::contexts::tracepoint>(comm_into(16, false), tp_record).r0 == 0x65742d7878667062ull);
    CHECK(traced_both<vm::contexts::tracepoint>(comm_into(8, false), tp_record).r0 == 0x00742d7878667062ull);
    CHECK(traced_both<vm::contexts::tracepoint>(comm_into(0, false), tp_record).error.helper_id ==
          static_cast<std::int32_t>(bpfxx::helper::get_current_comm));
    CHECK(traced_both<vm::contexts::tc>(uid_gid, counting_frame).error.kind == fault_kind::helper_not_allowed);
    CHECK(traced_both<vm::contexts::socket_filter>(pid_tgid, counting_frame).r0 == ((4242ull << 32) | 4343));

    vm::machine<> m;
    m.set_task({.pid = 1, .tgid = 1, .comm = "a-name-longer-than-fifteen"});
    CHECK(m.run_kprobe(pid_tgid, probe_regs).r0 == ((1ull << 32) | 1));
    // 15 bytes of the name and the NUL: "onger-t\0" in the second half
    CHECK(m.run_kprobe(comm_into(16, true), probe_regs).r0 == 0x00742d7265676e6full);
    // the clock is every context's
    m.set_clock(500, 0);
    CHECK(m.run_tracepoint(bpfxx::assemble(call(bpfxx::helper::ktime_get_ns), exit()), tp_record).r0 == 500);
}
