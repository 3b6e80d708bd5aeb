// Every builder against the instruction the kernel's include/linux/filter.h
// macro of the same name gives. The macros are transcribed below with raw
// opcode numbers (RFC 9669), independent of the SDK's own constants.
#include <bpfxx/asm.hpp>

#include <doctest/doctest.h>

#include <string_view>

#include <cstdint>
#include <type_traits>

using namespace bpfxx::ops;
using bpfxx::insn;
using bpfxx::wide_insn;

namespace filter_h {
using u8 = std::uint8_t;
constexpr insn RAW(u8 code, u8 dst, u8 src, std::int16_t off, std::int32_t imm) {
    return bpfxx::make_insn(code, dst, src, off, imm);
}
// classes, sizes, modes, sources
constexpr u8 LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
constexpr u8 W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
constexpr u8 IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
constexpr u8 K = 0x00, X = 0x08;
constexpr u8 ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
             NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0, TO_LE = 0x00, TO_BE = 0x08;
constexpr u8 JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70,
             CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0, JCOND = 0xe0;
constexpr std::int32_t FETCH = 0x01, XCHG = 0xe1, CMPXCHG = 0xf1, LOAD_ACQ = 0x100, STORE_REL = 0x110;

constexpr insn ALU64_REG_OFF(u8 op, u8 d, u8 s, std::int16_t off) { return RAW(ALU64 | op | X, d, s, off, 0); }
constexpr insn ALU64_REG(u8 op, u8 d, u8 s) { return ALU64_REG_OFF(op, d, s, 0); }
constexpr insn ALU32_REG_OFF(u8 op, u8 d, u8 s, std::int16_t off) { return RAW(ALU | op | X, d, s, off, 0); }
constexpr insn ALU32_REG(u8 op, u8 d, u8 s) { return ALU32_REG_OFF(op, d, s, 0); }
constexpr insn ALU64_IMM_OFF(u8 op, u8 d, std::int32_t imm, std::int16_t off) { return RAW(ALU64 | op | K, d, 0, off, imm); }
constexpr insn ALU64_IMM(u8 op, u8 d, std::int32_t imm) { return ALU64_IMM_OFF(op, d, imm, 0); }
constexpr insn ALU32_IMM_OFF(u8 op, u8 d, std::int32_t imm, std::int16_t off) { return RAW(ALU | op | K, d, 0, off, imm); }
constexpr insn ALU32_IMM(u8 op, u8 d, std::int32_t imm) { return ALU32_IMM_OFF(op, d, imm, 0); }
constexpr insn ENDIAN(u8 type, u8 d, std::int32_t len) { return RAW(ALU | END | type, d, 0, 0, len); }
constexpr insn BSWAP(u8 d, std::int32_t len) { return RAW(ALU64 | END | TO_LE, d, 0, 0, len); }
constexpr insn MOV64_REG(u8 d, u8 s) { return ALU64_REG(MOV, d, s); }
constexpr insn MOV32_REG(u8 d, u8 s) { return ALU32_REG(MOV, d, s); }
constexpr insn MOV64_IMM(u8 d, std::int32_t imm) { return ALU64_IMM(MOV, d, imm); }
constexpr insn MOV32_IMM(u8 d, std::int32_t imm) { return ALU32_IMM(MOV, d, imm); }
constexpr insn MOVSX64_REG(u8 d, u8 s, std::int16_t off) { return RAW(ALU64 | MOV | X, d, s, off, 0); }
constexpr insn MOVSX32_REG(u8 d, u8 s, std::int16_t off) { return RAW(ALU | MOV | X, d, s, off, 0); }
constexpr wide_insn LD_IMM64_RAW(u8 d, u8 s, std::uint64_t imm) {
    return {RAW(LD | DW | IMM, d, s, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(imm))),
            RAW(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(imm >> 32)))};
}
constexpr wide_insn LD_IMM64(u8 d, std::uint64_t imm) { return LD_IMM64_RAW(d, 0, imm); }
constexpr wide_insn LD_MAP_FD(u8 d, std::int32_t fd) { return LD_IMM64_RAW(d, 1, static_cast<std::uint32_t>(fd)); }
constexpr wide_insn LD_MAP_VALUE(u8 d, std::int32_t fd, std::int32_t off) {
    return {RAW(LD | DW | IMM, d, 2, 0, fd), RAW(0, 0, 0, 0, off)};
}
constexpr insn LD_ABS(u8 size, std::int32_t imm) { return RAW(LD | size | ABS, 0, 0, 0, imm); }
constexpr insn LD_IND(u8 size, u8 s, std::int32_t imm) { return RAW(LD | size | IND, 0, s, 0, imm); }
constexpr insn LDX_MEM(u8 size, u8 d, u8 s, std::int16_t off) { return RAW(LDX | size | MEM, d, s, off, 0); }
constexpr insn LDX_MEMSX(u8 size, u8 d, u8 s, std::int16_t off) { return RAW(LDX | size | MEMSX, d, s, off, 0); }
constexpr insn STX_MEM(u8 size, u8 d, u8 s, std::int16_t off) { return RAW(STX | size | MEM, d, s, off, 0); }
constexpr insn ST_MEM(u8 size, u8 d, std::int16_t off, std::int32_t imm) { return RAW(ST | size | MEM, d, 0, off, imm); }
constexpr insn ATOMIC_OP(u8 size, std::int32_t op, u8 d, u8 s, std::int16_t off) {
    return RAW(STX | size | ATOMIC, d, s, off, op);
}
constexpr insn JMP_REG(u8 op, u8 d, u8 s, std::int16_t off) { return RAW(JMP | op | X, d, s, off, 0); }
constexpr insn JMP_IMM(u8 op, u8 d, std::int32_t imm, std::int16_t off) { return RAW(JMP | op | K, d, 0, off, imm); }
constexpr insn JMP32_REG(u8 op, u8 d, u8 s, std::int16_t off) { return RAW(JMP32 | op | X, d, s, off, 0); }
constexpr insn JMP32_IMM(u8 op, u8 d, std::int32_t imm, std::int16_t off) { return RAW(JMP32 | op | K, d, 0, off, imm); }
constexpr insn JMP_A(std::int16_t off) { return RAW(JMP | JA, 0, 0, off, 0); }
constexpr insn JMP32_A(std::int32_t imm) { return RAW(JMP32 | JA, 0, 0, 0, imm); }
constexpr insn CALL_REL(std::int32_t imm) { return RAW(JMP | CALL, 0, 1, 0, imm); }
constexpr insn EMIT_CALL(std::int32_t func) { return RAW(JMP | CALL, 0, 0, 0, func); }
constexpr insn CALL_KFUNC(std::int16_t off, std::int32_t imm) { return RAW(JMP | CALL, 0, 2, off, imm); }
constexpr insn EXIT_INSN() { return RAW(JMP | EXIT, 0, 0, 0, 0); }
constexpr insn MAY_GOTO(std::int16_t off) { return RAW(JMP | JCOND, 0, 0, off, 0); }
} // namespace filter_h

using namespace filter_h;

// --- ALU, 64 and 32 bit, register and immediate ---------------------------------
static_assert(add(r1, r2) == ALU64_REG(ADD, 1, 2) && add(r1, -7) == ALU64_IMM(ADD, 1, -7));
static_assert(sub(r3, r4) == ALU64_REG(SUB, 3, 4) && sub(r3, 9) == ALU64_IMM(SUB, 3, 9));
static_assert(mul(r5, r6) == ALU64_REG(MUL, 5, 6) && mul(r5, 3) == ALU64_IMM(MUL, 5, 3));
static_assert(div(r7, r8) == ALU64_REG(DIV, 7, 8) && div(r7, 10) == ALU64_IMM(DIV, 7, 10));
static_assert(or_(r9, r0) == ALU64_REG(OR, 9, 0) && or_(r9, 0xff) == ALU64_IMM(OR, 9, 0xff));
static_assert(and_(r0, r1) == ALU64_REG(AND, 0, 1) && and_(r0, 0xf0) == ALU64_IMM(AND, 0, 0xf0));
static_assert(lsh(r1, r2) == ALU64_REG(LSH, 1, 2) && lsh(r1, 63) == ALU64_IMM(LSH, 1, 63));
static_assert(rsh(r2, r3) == ALU64_REG(RSH, 2, 3) && rsh(r2, 1) == ALU64_IMM(RSH, 2, 1));
static_assert(mod(r3, r4) == ALU64_REG(MOD, 3, 4) && mod(r3, 7) == ALU64_IMM(MOD, 3, 7));
static_assert(xor_(r4, r5) == ALU64_REG(XOR, 4, 5) && xor_(r4, -1) == ALU64_IMM(XOR, 4, -1));
static_assert(mov(r5, r10) == MOV64_REG(5, 10) && mov(r5, 42) == MOV64_IMM(5, 42));
static_assert(arsh(r6, r7) == ALU64_REG(ARSH, 6, 7) && arsh(r6, 3) == ALU64_IMM(ARSH, 6, 3));
static_assert(sdiv(r1, r2) == ALU64_REG_OFF(DIV, 1, 2, 1) && sdiv(r1, -3) == ALU64_IMM_OFF(DIV, 1, -3, 1));
static_assert(smod(r1, r2) == ALU64_REG_OFF(MOD, 1, 2, 1) && smod(r1, -3) == ALU64_IMM_OFF(MOD, 1, -3, 1));
static_assert(neg(r8) == ALU64_IMM(NEG, 8, 0));

static_assert(add32(r1, r2) == ALU32_REG(ADD, 1, 2) && add32(r1, -7) == ALU32_IMM(ADD, 1, -7));
static_assert(sub32(r3, r4) == ALU32_REG(SUB, 3, 4) && sub32(r3, 9) == ALU32_IMM(SUB, 3, 9));
static_assert(mul32(r5, r6) == ALU32_REG(MUL, 5, 6) && mul32(r5, 3) == ALU32_IMM(MUL, 5, 3));
static_assert(div32(r7, r8) == ALU32_REG(DIV, 7, 8) && div32(r7, 10) == ALU32_IMM(DIV, 7, 10));
static_assert(or32(r9, r0) == ALU32_REG(OR, 9, 0) && or32(r9, 0xff) == ALU32_IMM(OR, 9, 0xff));
static_assert(and32(r0, r1) == ALU32_REG(AND, 0, 1) && and32(r0, 0xf0) == ALU32_IMM(AND, 0, 0xf0));
static_assert(lsh32(r1, r2) == ALU32_REG(LSH, 1, 2) && lsh32(r1, 31) == ALU32_IMM(LSH, 1, 31));
static_assert(rsh32(r2, r3) == ALU32_REG(RSH, 2, 3) && rsh32(r2, 1) == ALU32_IMM(RSH, 2, 1));
static_assert(mod32(r3, r4) == ALU32_REG(MOD, 3, 4) && mod32(r3, 7) == ALU32_IMM(MOD, 3, 7));
static_assert(xor32(r4, r5) == ALU32_REG(XOR, 4, 5) && xor32(r4, -1) == ALU32_IMM(XOR, 4, -1));
static_assert(mov32(r5, r6) == MOV32_REG(5, 6) && mov32(r5, 42) == MOV32_IMM(5, 42));
static_assert(arsh32(r6, r7) == ALU32_REG(ARSH, 6, 7) && arsh32(r6, 3) == ALU32_IMM(ARSH, 6, 3));
static_assert(sdiv32(r1, r2) == ALU32_REG_OFF(DIV, 1, 2, 1) && sdiv32(r1, -3) == ALU32_IMM_OFF(DIV, 1, -3, 1));
static_assert(smod32(r1, r2) == ALU32_REG_OFF(MOD, 1, 2, 1) && smod32(r1, -3) == ALU32_IMM_OFF(MOD, 1, -3, 1));
static_assert(neg32(r8) == ALU32_IMM(NEG, 8, 0));

static_assert(movsx<std::int8_t>(r1, r2) == MOVSX64_REG(1, 2, 8));
static_assert(movsx<std::int16_t>(r1, r2) == MOVSX64_REG(1, 2, 16));
static_assert(movsx<std::int32_t>(r1, r2) == MOVSX64_REG(1, 2, 32));
static_assert(movsx32<std::int8_t>(r3, r4) == MOVSX32_REG(3, 4, 8));
static_assert(movsx32<std::int16_t>(r3, r4) == MOVSX32_REG(3, 4, 16));

static_assert(le16(r1) == ENDIAN(TO_LE, 1, 16) && le32(r1) == ENDIAN(TO_LE, 1, 32) && le64(r1) == ENDIAN(TO_LE, 1, 64));
static_assert(be16(r2) == ENDIAN(TO_BE, 2, 16) && be32(r2) == ENDIAN(TO_BE, 2, 32) && be64(r2) == ENDIAN(TO_BE, 2, 64));
static_assert(bswap16(r3) == BSWAP(3, 16) && bswap32(r3) == BSWAP(3, 32) && bswap64(r3) == BSWAP(3, 64));

// Immediates: the 32-bit forms take any 32-bit pattern, signed or unsigned;
// the 64-bit forms sign-extend theirs, so they take -2^31 .. 2^31 - 1 of any
// integer type (0xffffffffu would mean -1: tests/compile_fail/unsigned_immediate_sign_extended.cpp).
static_assert(mov(r1, 0x7fffffffu) == MOV64_IMM(1, INT32_MAX));
static_assert(mov(r1, std::int64_t{-2147483648LL}) == MOV64_IMM(1, INT32_MIN));
static_assert(mov32(r1, 0xffffffffu) == MOV32_IMM(1, -1));
static_assert(mov32(r1, std::uint64_t{0x80000000u}) == MOV32_IMM(1, INT32_MIN));
static_assert(jeq32(r1, 0xffffffffu, 1) == JMP32_IMM(JEQ, 1, -1, 1));
static_assert(st<std::uint32_t>(r10, -4, 0xffffffffu).imm == -1);
static_assert(st<std::uint64_t>(r10, -8, -1).imm == -1);

// --- Jumps ------------------------------------------------------------------------
static_assert(jeq(r1, r2, 3) == JMP_REG(JEQ, 1, 2, 3) && jeq(r1, 5, -3) == JMP_IMM(JEQ, 1, 5, -3));
static_assert(jne(r1, r2, 3) == JMP_REG(JNE, 1, 2, 3) && jne(r1, 5, 3) == JMP_IMM(JNE, 1, 5, 3));
static_assert(jgt(r1, r2, 3) == JMP_REG(JGT, 1, 2, 3) && jgt(r1, 5, 3) == JMP_IMM(JGT, 1, 5, 3));
static_assert(jge(r1, r2, 3) == JMP_REG(JGE, 1, 2, 3) && jge(r1, 5, 3) == JMP_IMM(JGE, 1, 5, 3));
static_assert(jlt(r1, r2, 3) == JMP_REG(JLT, 1, 2, 3) && jlt(r1, 5, 3) == JMP_IMM(JLT, 1, 5, 3));
static_assert(jle(r1, r2, 3) == JMP_REG(JLE, 1, 2, 3) && jle(r1, 5, 3) == JMP_IMM(JLE, 1, 5, 3));
static_assert(jsgt(r1, r2, 3) == JMP_REG(JSGT, 1, 2, 3) && jsgt(r1, -5, 3) == JMP_IMM(JSGT, 1, -5, 3));
static_assert(jsge(r1, r2, 3) == JMP_REG(JSGE, 1, 2, 3) && jsge(r1, -5, 3) == JMP_IMM(JSGE, 1, -5, 3));
static_assert(jslt(r1, r2, 3) == JMP_REG(JSLT, 1, 2, 3) && jslt(r1, -5, 3) == JMP_IMM(JSLT, 1, -5, 3));
static_assert(jsle(r1, r2, 3) == JMP_REG(JSLE, 1, 2, 3) && jsle(r1, -5, 3) == JMP_IMM(JSLE, 1, -5, 3));
static_assert(jset(r1, r2, 3) == JMP_REG(JSET, 1, 2, 3) && jset(r1, 8, 3) == JMP_IMM(JSET, 1, 8, 3));
static_assert(jeq32(r1, r2, 3) == JMP32_REG(JEQ, 1, 2, 3) && jeq32(r1, 5, -3) == JMP32_IMM(JEQ, 1, 5, -3));
static_assert(jne32(r1, r2, 3) == JMP32_REG(JNE, 1, 2, 3) && jne32(r1, 5, 3) == JMP32_IMM(JNE, 1, 5, 3));
static_assert(jgt32(r1, r2, 3) == JMP32_REG(JGT, 1, 2, 3) && jgt32(r1, 5, 3) == JMP32_IMM(JGT, 1, 5, 3));
static_assert(jge32(r1, r2, 3) == JMP32_REG(JGE, 1, 2, 3) && jge32(r1, 5, 3) == JMP32_IMM(JGE, 1, 5, 3));
static_assert(jlt32(r1, r2, 3) == JMP32_REG(JLT, 1, 2, 3) && jlt32(r1, 5, 3) == JMP32_IMM(JLT, 1, 5, 3));
static_assert(jle32(r1, r2, 3) == JMP32_REG(JLE, 1, 2, 3) && jle32(r1, 5, 3) == JMP32_IMM(JLE, 1, 5, 3));
static_assert(jsgt32(r1, r2, 3) == JMP32_REG(JSGT, 1, 2, 3) && jsgt32(r1, -5, 3) == JMP32_IMM(JSGT, 1, -5, 3));
static_assert(jsge32(r1, r2, 3) == JMP32_REG(JSGE, 1, 2, 3) && jsge32(r1, -5, 3) == JMP32_IMM(JSGE, 1, -5, 3));
static_assert(jslt32(r1, r2, 3) == JMP32_REG(JSLT, 1, 2, 3) && jslt32(r1, -5, 3) == JMP32_IMM(JSLT, 1, -5, 3));
static_assert(jsle32(r1, r2, 3) == JMP32_REG(JSLE, 1, 2, 3) && jsle32(r1, -5, 3) == JMP32_IMM(JSLE, 1, -5, 3));
static_assert(jset32(r1, r2, 3) == JMP32_REG(JSET, 1, 2, 3) && jset32(r1, 8, 3) == JMP32_IMM(JSET, 1, 8, 3));
static_assert(ja(-1) == JMP_A(-1) && ja(32767) == JMP_A(32767));
static_assert(gotol(100000) == JMP32_A(100000));
static_assert(may_goto(5) == MAY_GOTO(5));
static_assert(call(helper::map_lookup_elem) == EMIT_CALL(1) && call(6) == EMIT_CALL(6));
static_assert(call_local(-10) == CALL_REL(-10));
static_assert(call_kfunc(1234) == CALL_KFUNC(0, 1234) && call_kfunc(77, 2) == CALL_KFUNC(2, 77));
static_assert(exit() == EXIT_INSN());

// --- Memory -------------------------------------------------------------------------
static_assert(ldx<std::uint8_t>(r0, r1, 3) == LDX_MEM(B, 0, 1, 3));
static_assert(ldx<std::uint16_t>(r0, r1, -2) == LDX_MEM(H, 0, 1, -2));
static_assert(ldx<std::uint32_t>(r0, r1, 4) == LDX_MEM(W, 0, 1, 4));
static_assert(ldx<std::uint64_t>(r0, r10, -8) == LDX_MEM(DW, 0, 10, -8));
static_assert(ldx<std::int64_t>(r0, r10, -8) == LDX_MEM(DW, 0, 10, -8));
static_assert(ldx<std::int8_t>(r2, r3, 1) == LDX_MEMSX(B, 2, 3, 1));
static_assert(ldx<std::int16_t>(r2, r3, 2) == LDX_MEMSX(H, 2, 3, 2));
static_assert(ldx<std::int32_t>(r2, r3, 4) == LDX_MEMSX(W, 2, 3, 4));
static_assert(stx<std::uint8_t>(r10, -1, r1) == STX_MEM(B, 10, 1, -1));
static_assert(stx<std::uint16_t>(r10, -2, r1) == STX_MEM(H, 10, 1, -2));
static_assert(stx<std::uint32_t>(r10, -4, r0) == STX_MEM(W, 10, 0, -4));
static_assert(stx<std::uint64_t>(r10, -8, r9) == STX_MEM(DW, 10, 9, -8));
static_assert(st<std::uint8_t>(r10, -1, 7) == ST_MEM(B, 10, -1, 7));
static_assert(st<std::uint16_t>(r10, -2, 7) == ST_MEM(H, 10, -2, 7));
static_assert(st<std::uint32_t>(r10, -4, -7) == ST_MEM(W, 10, -4, -7));
static_assert(st<std::uint64_t>(r1, 8, 7) == ST_MEM(DW, 1, 8, 7));
static_assert(ld_abs<std::uint8_t>(23) == LD_ABS(B, 23) && ld_abs<std::uint16_t>(12) == LD_ABS(H, 12) &&
              ld_abs<std::uint32_t>(26) == LD_ABS(W, 26));
static_assert(ld_ind<std::uint8_t>(r1, 2) == LD_IND(B, 1, 2) && ld_ind<std::uint16_t>(r2, 0) == LD_IND(H, 2, 0) &&
              ld_ind<std::uint32_t>(r3, 4) == LD_IND(W, 3, 4));

static_assert(atomic_add<std::uint64_t>(r0, 0, r1) == ATOMIC_OP(DW, ADD, 0, 1, 0));
static_assert(atomic_add<std::uint32_t>(r2, -4, r3) == ATOMIC_OP(W, ADD, 2, 3, -4));
static_assert(atomic_or<std::uint64_t>(r1, 8, r2) == ATOMIC_OP(DW, OR, 1, 2, 8));
static_assert(atomic_and<std::uint32_t>(r1, 8, r2) == ATOMIC_OP(W, AND, 1, 2, 8));
static_assert(atomic_xor<std::uint64_t>(r1, 8, r2) == ATOMIC_OP(DW, XOR, 1, 2, 8));
static_assert(atomic_fetch_add<std::uint64_t>(r1, 0, r2) == ATOMIC_OP(DW, ADD | FETCH, 1, 2, 0));
static_assert(atomic_fetch_or<std::uint32_t>(r1, 0, r2) == ATOMIC_OP(W, OR | FETCH, 1, 2, 0));
static_assert(atomic_fetch_and<std::uint64_t>(r1, 0, r2) == ATOMIC_OP(DW, AND | FETCH, 1, 2, 0));
static_assert(atomic_fetch_xor<std::uint32_t>(r1, 0, r2) == ATOMIC_OP(W, XOR | FETCH, 1, 2, 0));
static_assert(atomic_xchg<std::uint64_t>(r1, 16, r2) == ATOMIC_OP(DW, XCHG, 1, 2, 16));
static_assert(atomic_cmpxchg<std::uint32_t>(r1, 16, r2) == ATOMIC_OP(W, CMPXCHG, 1, 2, 16));
static_assert(load_acquire<std::uint8_t>(r0, r1, 0) == ATOMIC_OP(B, LOAD_ACQ, 0, 1, 0));
static_assert(load_acquire<std::uint64_t>(r0, r1, 8) == ATOMIC_OP(DW, LOAD_ACQ, 0, 1, 8));
static_assert(store_release<std::uint16_t>(r1, 2, r3) == ATOMIC_OP(H, STORE_REL, 1, 3, 2));
static_assert(store_release<std::uint32_t>(r1, 4, r3) == ATOMIC_OP(W, STORE_REL, 1, 3, 4));

// --- 64-bit loads -------------------------------------------------------------------
static_assert(ld_imm64(r1, 0x1122334455667788ull) == LD_IMM64(1, 0x1122334455667788ull));
static_assert(ld_imm64(r1, 0xffffffffffffffffull) == LD_IMM64(1, ~0ull));
static_assert(ld_map_fd(r1, 7) == LD_MAP_FD(1, 7));
static_assert(ld_map_value_fd(r2, 7, 16) == LD_MAP_VALUE(2, 7, 16));
static_assert(ld_map_idx(r1, 3) == LD_IMM64_RAW(1, 5, 3));
static_assert(ld_map_idx_value(r1, 3, 8) == wide_insn{RAW(LD | DW | IMM, 1, 6, 0, 3), RAW(0, 0, 0, 0, 8)});
static_assert(ld_btf_id(r1, 99) == LD_IMM64_RAW(1, 3, 99));
static_assert(ld_func(r2, 5) == LD_IMM64_RAW(2, 4, 5));

// --- assemble -----------------------------------------------------------------------
namespace {
struct counters {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4, value_size = 8, max_entries = 256;
};
struct events {
    static constexpr auto type = bpfxx::map_type::hash;
    static constexpr std::uint32_t key_size = 8, value_size = 8, max_entries = 1024;
};

constexpr auto loop = bpfxx::assemble( //
    mov(r0, 0),                        // 0
    mov(r1, 10),                       // 1
    "top"_label,                       //
    add(r0, r1),                       // 2
    sub(r1, 1),                        // 3
    jne(r1, 0, "top"_label),           // 4: back to 2
    ja("done"_label),                  // 5: forward to 8
    ld_imm64(r2, 1),                   // 6-7
    "done"_label,                      //
    exit());                           // 8
static_assert(loop.size() == 9);
static_assert(loop[4] == jne(r1, 0, -3));
static_assert(loop[5] == ja(2));
static_assert(loop[6] == ld_imm64(r2, 1).lo && loop[7] == ld_imm64(r2, 1).hi);
static_assert(loop.labels.size() == 2 && loop.label_at(2) == "top" && loop.label_at(8) == "done");
static_assert(loop.label_at(3).empty());
static_assert(std::is_same_v<decltype(loop)::maps, bpfxx::type_list<>>);

// Local calls, function addresses, long jumps.
constexpr auto calls = bpfxx::assemble( //
    call("sub"_label),                  // 0: imm = 4 - 1 = 3
    ld_func(r2, "sub"_label),           // 1-2: imm = 4 - 2 = 2
    gotol("end"_label),                 // 3: imm = 6 - 4 = 2
    "sub"_label,                        //
    mov(r0, 1),                         // 4
    exit(),                             // 5
    "end"_label,                        //
    exit());                            // 6
static_assert(calls[0] == call_local(3));
static_assert(calls[1] == ld_func(r2, 2).lo && calls[2] == ld_func(r2, 2).hi);
static_assert(calls[3] == gotol(2));

// Maps: recorded once each, in order of first use, as fd_array indices.
constexpr auto two_maps = bpfxx::assemble( //
    ld_map<events>(r1),                   // index 0
    ld_map_value<counters>(r2, 8),        // index 1
    ld_map<events>(r3),                   // index 0 again
    mov(r0, 0), exit());
static_assert(std::is_same_v<decltype(two_maps)::maps, bpfxx::type_list<events, counters>>);
static_assert(two_maps[0] == ld_map_idx(r1, 0).lo && two_maps[1] == ld_map_idx(r1, 0).hi);
static_assert(two_maps[2] == ld_map_idx_value(r2, 1, 8).lo && two_maps[3] == ld_map_idx_value(r2, 1, 8).hi);
static_assert(two_maps[4] == ld_map_idx(r3, 0).lo);
static_assert(bpfxx::index_of<counters, decltype(two_maps)::maps> == 1);
static_assert(bpfxx::contains<events, decltype(two_maps)::maps>);

// Fragments: arrays of instructions and map-less programs splice in.
constexpr auto prologue = bpfxx::assemble(mov(r6, r1), mov(r0, 0));
constexpr std::array<insn, 2> epilogue{mov(r0, 1), exit()};
constexpr auto spliced = bpfxx::assemble(prologue, jeq(r6, 0, "out"_label), epilogue, "out"_label, exit());
static_assert(spliced.size() == 6 && spliced[1] == mov(r0, 0) && spliced[2] == jeq(r6, 0, 2) && spliced[4] == exit());

// A far jump: 33,000 slots between a label reference and its label is fine for gotol.
constexpr auto padding = [] {
    std::array<insn, 33000> a{};
    for (auto& i : a) i = mov(r0, 0);
    return a;
}();
constexpr auto far = bpfxx::assemble(gotol("far"_label), padding, "far"_label, exit());
static_assert(far[0] == gotol(33000) && far.size() == 33002);
} // namespace

TEST_CASE("a program is a range of instructions and bytes") {
    std::size_t n = 0;
    for (const insn& i : loop) {
        CHECK(i == loop.insns[n]);
        ++n;
    }
    CHECK(n == loop.size());
    std::span<const insn> s = loop;
    CHECK(s.size() == 9);
    constexpr auto bytes = loop.bytes();
    static_assert(bytes.size() == 72);
    CHECK(bytes[8 * 4] == std::byte{0x55}); // jne imm
    // Equal to the same source assembled again; unequal when one operand or one label differs.
    const auto again = bpfxx::assemble(mov(r0, 0), mov(r1, 10), "top"_label, add(r0, r1), sub(r1, 1),
                                       jne(r1, 0, "top"_label), ja("done"_label), ld_imm64(r2, 1), "done"_label, exit());
    CHECK(again == loop);
    auto other_operand = loop;
    other_operand.insns[1] = mov(r1, 11);
    CHECK_FALSE(other_operand == loop);
    auto other_label = loop;
    other_label.labels[0].name = "elsewhere";
    REQUIRE(other_label.insns == loop.insns);
    CHECK_FALSE(other_label == loop);
    CHECK(calls.size() != loop.size());
}

TEST_CASE("builders called at run time throw on operands that do not fit") {
    volatile long far_offset = 40000; // not a constant: the builder runs at run time
    CHECK_THROWS_AS((void)ja(static_cast<long>(far_offset)), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)ldx<std::uint32_t>(r0, r1, static_cast<long>(far_offset)), bpfxx::assembly_error);
    volatile std::int64_t big = 1ll << 33;
    CHECK_THROWS_AS((void)mov(r0, static_cast<std::int64_t>(big)), bpfxx::assembly_error);
    CHECK_NOTHROW((void)mov32(r0, static_cast<std::int64_t>(big) >> 2)); // 2^31 fits as an unsigned 32-bit pattern
    CHECK(mov32(r0, std::int64_t{1} << 31).imm == INT32_MIN);
    CHECK_THROWS_AS((void)mov(r0, static_cast<std::int64_t>(big) >> 2), bpfxx::assembly_error); // but would turn negative
    volatile int ok = -32768;
    CHECK(ja(static_cast<int>(ok)).off == -32768);
}

TEST_CASE("an unsigned immediate above 2^31 - 1 where it would be sign-extended does not assemble") {
    // Each of these took 0xffffffff as -1: r1 = 2^64 - 1, a jump or call back one slot, a
    // 64-bit store of -1, a compare with 2^64 - 1, a multiplication by -1, a load at offset -1.
    volatile std::uint32_t all_ones = 0xffffffffu; // not a constant: the builder runs at run time
    const std::uint32_t v = all_ones;
    CHECK_THROWS_AS((void)mov(r1, v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)gotol(v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)call_local(v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)call(v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)ld_func(r1, v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)st<std::uint64_t>(r10, -8, v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)jeq(r1, v, 1), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)mul(r1, v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)ld_abs<std::uint8_t>(v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)ld_ind<std::uint8_t>(r1, v), bpfxx::assembly_error);
    CHECK_THROWS_AS((void)mov(r1, std::uint64_t{0x80000000u}), bpfxx::assembly_error);
    try {
        (void)mov(r1, v);
    } catch (const bpfxx::assembly_error& e) {
        CHECK(std::string_view(e.what()).find("sign-extends") != std::string_view::npos);
    }
    // where the instruction takes 32 bits, the same value means what it says
    CHECK(mov32(r1, v).imm == -1);
    CHECK(jeq32(r1, v, 1).imm == -1);
    CHECK(st<std::uint32_t>(r10, -4, v).imm == -1);
    CHECK(xor32(r1, v).imm == -1);
    const std::uint32_t top = all_ones >> 1; // 2^31 - 1: fits everywhere
    CHECK(mov(r1, top).imm == INT32_MAX);
    CHECK(gotol(top).imm == INT32_MAX);
}

TEST_CASE("registers and labels") {
    static_assert(r10.index == 10 && fp.index == 10 && r0.index == 0);
    static_assert(bpfxx::writable_reg<decltype(r9)> && !bpfxx::writable_reg<decltype(r10)>);
    static_assert(decltype("a_label"_label)::name == "a_label");
    static_assert(std::is_same_v<decltype("x"_label), decltype("x"_label)>);
    static_assert(!std::is_same_v<decltype("x"_label), decltype("y"_label)>);
    CHECK(bpfxx::label<"z">::name == "z");
}
