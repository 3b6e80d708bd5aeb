#pragma once
// The fast executor. At run time programs run from their decoded form
// (vm/decode.hpp), cached per program: the instructions packet filters are
// made of run inline below on locals the compiler keeps in registers; the
// others, and any instruction that would fault, go through the general
// executor (vm/execute.hpp) with the machine's state brought up to date. Both
// ways give the same results, and both compute with the same alu_result and
// jump_taken (vm/alu.hpp; the tests run programs both ways: limits::decode =
// false is the general executor alone). Constant evaluation always takes the
// general executor: there decoding a program costs the compiler about twice
// what running it once does, and compilers limit those costs.

#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/alu.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/decode.hpp>
#include <bpfxx/vm/execute.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/vm/state.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::vm::detail {

struct fast_executor {
    /// A run from the slot and registers the machine is at: ops the fast
    /// path takes run here, the others (and the whole run in constant
    /// evaluation, or without a decoded form) in the general executor.
    template <class S>
    static constexpr void run(S& s, run_result& result) noexcept {
        const op* ops = S::config.decode && !std::is_constant_evaluated() ? decoded(s, *s.code) : nullptr;
        if (ops == nullptr) return general_executor::run_general(s, result);
        const code_ref* running = s.code;
        fast_state f{ops, ops, 0, s.init, s.caps.direct_packet};
        for (;;) {
            if (++f.steps > S::config.budget) {
                s.pc = static_cast<std::uint32_t>(f.p - f.ops);
                s.raise(fault_kind::budget_exhausted);
                break;
            }
            if (initialised(s, f.init, f.p->need) && fast_step(s, f)) continue;
            s.pc = static_cast<std::uint32_t>(f.p - f.ops);
            s.init = f.init;
            if (!general_executor::general_step(s, result)) break;
            if (s.code != running) {
                running = s.code;
                f.ops = decoded(s, *s.code);
                if (f.ops == nullptr) {
                    s.steps = f.steps;
                    return general_executor::run_general(s, result);
                }
            }
            f.p = f.ops + s.pc;
            f.init = s.init;
        }
        s.steps = f.steps;
    }

    /// The decoded form of `ref`'s program, from the cache when it holds the
    /// program as it is now (checked once per run), else decoded into the
    /// least recently used entry; nullptr when there is no memory for it.
    template <class S>
    [[nodiscard]] static const op* decoded(S& s, const code_ref& ref) noexcept {
        decoded_program* slot = nullptr;
        for (auto& d : s.decoded) {
            if (d.holds(ref.code, ref.size)) {
                if (d.last_run == s.runs || d.matches(ref.code)) {
                    d.last_run = s.runs;
                    return d.ops.data();
                }
                slot = &d; // changed since: decode it again
                break;
            }
            if (slot == nullptr || d.last_run < slot->last_run) slot = &d;
        }
        slot->last_run = s.runs;
        return slot->assign(ref.code, ref.size) ? slot->ops.data() : nullptr;
    }

    /// Whether every register in `mask` holds a value.
    template <class S>
    [[nodiscard, gnu::always_inline]] static constexpr bool initialised(const S&, std::uint16_t init,
                                                                       unsigned mask) noexcept {
        return !S::config.strict || (init & mask) == mask;
    }

    /// Packet bytes for a load of N at `addr` by an XDP or tc program; the
    /// rest (stack, context, maps, faults) is the general path's.
    template <unsigned N, class S>
    [[nodiscard, gnu::always_inline]] static constexpr std::uint8_t* fast_packet(S& s, std::uint64_t addr) noexcept {
        if (region_of(addr) != region::packet || slot_tag_of(addr) != 0) return nullptr;
        const auto off = offset_of(addr);
        if (off < s.meta || std::uint64_t{off} + N > s.end) return nullptr;
        return &s.pkt[off];
    }

    /// What one fast op works with.
    struct fast_state {
        const op* ops;
        const op* p;
        std::uint64_t steps;
        std::uint16_t init;
        bool packet;
    };

    // The pieces of fast ops: `n` is the number of slots an op stands for.
    template <class S>
    [[gnu::always_inline]] static constexpr bool put(S& s, fast_state& f, const op& o, std::uint64_t v,
                                              unsigned n = 1) noexcept {
        s.regs[o.dst] = v;
        f.init = static_cast<std::uint16_t>(f.init | 1u << o.dst);
        f.p += n;
        return true;
    }
    [[gnu::always_inline]] static constexpr bool go(fast_state& f, const op& o, bool taken) noexcept {
        f.p = taken ? f.ops + o.target : f.p + 1;
        return true;
    }
    /// Whether the further slots of a fused op fit in the budget (they count too).
    template <class S>
    [[gnu::always_inline]] static constexpr bool fits(const S&, fast_state& f, unsigned extra) noexcept {
        if (f.steps + extra > S::config.budget) return false;
        f.steps += extra;
        return true;
    }
    /// Stack bytes for an aligned access of N at `addr` in any live frame,
    /// marked written for a store; nullptr for a read of bytes never written
    /// (the general path names the fault) and for anything but the stack.
    template <unsigned N, bool Write, class S>
    [[nodiscard, gnu::always_inline]] static constexpr std::uint8_t* fast_stack(S& s, std::uint64_t addr) noexcept {
        const auto reg = region_of(addr);
        const auto off = offset_of(addr);
        // off + N in 64 bits: an offset near 2^32 (r10 - 520 in a callee) must not wrap to a small end
        if (reg < region::stack || reg > region::stack + s.depth || off % N != 0 || std::uint64_t{off} + N > stack_size)
            return nullptr;
        const std::size_t base = std::size_t{reg - region::stack} * stack_size + off;
        // aligned, the N bytes' bits lie in one word of s.stack_init
        const std::uint64_t bits = (N == 8 ? 0xffu : (std::uint64_t{1} << N) - 1) << (base % 64);
        auto& word = s.stack_init[base / 64];
        if constexpr (Write) word |= bits;
        else if (S::config.strict && (word & bits) != bits) return nullptr;
        return &s.stack[base];
    }

    template <unsigned N, class S>
    [[gnu::always_inline]] static constexpr bool fast_load(S& s, fast_state& f, const op& o) noexcept {
        const std::uint64_t addr = s.regs[o.src] + o.imm;
        if (const auto* bytes = f.packet ? fast_packet<N>(s, addr) : nullptr) return put(s, f, o, load_le(bytes, N));
        if (const auto* bytes = fast_stack<N, false>(s, addr)) return put(s, f, o, load_le(bytes, N));
        // xdp_md, whose packet pointers every XDP program starts with
        std::uint64_t v = 0;
        if (region_of(addr) != region::context || !context_load(s, addr, N, v))
            return false;
        return put(s, f, o, v);
    }
    /// st/stx [rd + off] to the packet or the stack
    template <unsigned N, bool Imm, class S>
    [[gnu::always_inline]] static constexpr bool fast_store(S& s, fast_state& f, const op& o) noexcept {
        const std::uint64_t addr = s.regs[o.dst] + o.imm;
        std::uint8_t* bytes = f.packet ? fast_packet<N>(s, addr) : nullptr;
        if (bytes == nullptr) bytes = fast_stack<N, true>(s, addr);
        if (bytes == nullptr) return false;
        store_le(bytes, N, Imm ? o.imm2 : s.regs[o.src]);
        ++f.p;
        return true;
    }

    /// ldx rd, [rs + off]; be rd
    template <unsigned N, class S>
    [[gnu::always_inline]] static constexpr bool fast_load_swap(S& s, fast_state& f, const op& o) noexcept {
        const auto* bytes = f.packet ? fast_packet<N>(s, s.regs[o.src] + o.imm) : nullptr;
        return bytes != nullptr && fits(s, f, 1) && put(s, f, o, load_be(bytes, N), 2);
    }
    /// mov rd, rs; op rd, K|rt
    template <std::uint8_t Op, bool X, class S>
    [[gnu::always_inline]] static constexpr bool fast_alu3(S& s, fast_state& f, const op& o) noexcept {
        return fits(s, f, 1) && put(s, f, o, alu_result<Op, true>(s.regs[o.src], X ? s.regs[o.src2] : o.imm), 2);
    }
    /// rd = v; if (rd op K|rt) goto target; the op stands for n slots
    template <std::uint8_t Op, bool X, class S>
    [[gnu::always_inline]] static constexpr bool fast_fused_jump(S& s, fast_state& f, const op& o, std::uint64_t v,
                                                          unsigned n) noexcept {
        if (!fits(s, f, n - 1)) return false;
        s.regs[o.dst] = v;
        f.init = static_cast<std::uint16_t>(f.init | 1u << o.dst);
        f.p = jump_taken<Op, true>(v, X ? s.regs[o.src2] : o.imm2) ? f.ops + o.target : f.p + n;
        return true;
    }
    /// add rd, K; jcc rd, K|rt
    template <std::uint8_t Op, bool X, class S>
    [[gnu::always_inline]] static constexpr bool fast_add_jump(S& s, fast_state& f, const op& o) noexcept {
        return fast_fused_jump<Op, X>(s, f, o, s.regs[o.dst] + o.imm, 2);
    }
    /// mov rd, rs; add rd, K; jcc rd, K|rt
    template <std::uint8_t Op, bool X, class S>
    [[gnu::always_inline]] static constexpr bool fast_bounds(S& s, fast_state& f, const op& o) noexcept {
        return fast_fused_jump<Op, X>(s, f, o, s.regs[o.src] + o.imm, 3);
    }

    /// Runs the op at `f.p` and moves `f.p` on; false leaves it, untouched,
    /// to the general path. The registers it reads hold values (the caller checked).
    template <class S>
    [[gnu::always_inline]] static constexpr bool fast_step(S& s, fast_state& f) noexcept {
        const op& o = *f.p;
        const std::uint64_t dst = s.regs[o.dst];
        const std::uint64_t src = s.regs[o.src];
        using fused::add_jump;
        using fused::alu3;
        using fused::bounds;
        using fused::load_swap;
        switch (o.code) {
        case code::alu64 | code::k | code::add: return put(s, f, o, alu_result<code::add, true>(dst, o.imm));
        case code::alu64 | code::x | code::add: return put(s, f, o, alu_result<code::add, true>(dst, src));
        case code::alu64 | code::k | code::sub: return put(s, f, o, alu_result<code::sub, true>(dst, o.imm));
        case code::alu64 | code::x | code::sub: return put(s, f, o, alu_result<code::sub, true>(dst, src));
        case code::alu64 | code::k | code::mul: return put(s, f, o, alu_result<code::mul, true>(dst, o.imm));
        case code::alu64 | code::x | code::mul: return put(s, f, o, alu_result<code::mul, true>(dst, src));
        case code::alu64 | code::k | code::or_: return put(s, f, o, alu_result<code::or_, true>(dst, o.imm));
        case code::alu64 | code::x | code::or_: return put(s, f, o, alu_result<code::or_, true>(dst, src));
        case code::alu64 | code::k | code::and_: return put(s, f, o, alu_result<code::and_, true>(dst, o.imm));
        case code::alu64 | code::x | code::and_: return put(s, f, o, alu_result<code::and_, true>(dst, src));
        case code::alu64 | code::k | code::xor_: return put(s, f, o, alu_result<code::xor_, true>(dst, o.imm));
        case code::alu64 | code::x | code::xor_: return put(s, f, o, alu_result<code::xor_, true>(dst, src));
        case code::alu64 | code::k | code::lsh: return put(s, f, o, alu_result<code::lsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::lsh: return put(s, f, o, alu_result<code::lsh, true>(dst, src));
        case code::alu64 | code::k | code::rsh: return put(s, f, o, alu_result<code::rsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::rsh: return put(s, f, o, alu_result<code::rsh, true>(dst, src));
        case code::alu64 | code::k | code::arsh: return put(s, f, o, alu_result<code::arsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::arsh: return put(s, f, o, alu_result<code::arsh, true>(dst, src));
        case code::alu64 | code::k | code::neg: return put(s, f, o, alu_result<code::neg, true>(dst, 0));
        case code::alu64 | code::k | code::mov: return put(s, f, o, o.imm);
        case code::alu64 | code::x | code::mov: return put(s, f, o, src);
        case code::alu | code::k | code::add: return put(s, f, o, alu_result<code::add, false>(dst, o.imm));
        case code::alu | code::x | code::add: return put(s, f, o, alu_result<code::add, false>(dst, src));
        case code::alu | code::k | code::sub: return put(s, f, o, alu_result<code::sub, false>(dst, o.imm));
        case code::alu | code::x | code::sub: return put(s, f, o, alu_result<code::sub, false>(dst, src));
        case code::alu | code::k | code::mul: return put(s, f, o, alu_result<code::mul, false>(dst, o.imm));
        case code::alu | code::x | code::mul: return put(s, f, o, alu_result<code::mul, false>(dst, src));
        case code::alu | code::k | code::or_: return put(s, f, o, alu_result<code::or_, false>(dst, o.imm));
        case code::alu | code::x | code::or_: return put(s, f, o, alu_result<code::or_, false>(dst, src));
        case code::alu | code::k | code::and_: return put(s, f, o, alu_result<code::and_, false>(dst, o.imm));
        case code::alu | code::x | code::and_: return put(s, f, o, alu_result<code::and_, false>(dst, src));
        case code::alu | code::k | code::xor_: return put(s, f, o, alu_result<code::xor_, false>(dst, o.imm));
        case code::alu | code::x | code::xor_: return put(s, f, o, alu_result<code::xor_, false>(dst, src));
        case code::alu | code::k | code::lsh: return put(s, f, o, alu_result<code::lsh, false>(dst, o.imm));
        case code::alu | code::x | code::lsh: return put(s, f, o, alu_result<code::lsh, false>(dst, src));
        case code::alu | code::k | code::rsh: return put(s, f, o, alu_result<code::rsh, false>(dst, o.imm));
        case code::alu | code::x | code::rsh: return put(s, f, o, alu_result<code::rsh, false>(dst, src));
        case code::alu | code::k | code::arsh: return put(s, f, o, alu_result<code::arsh, false>(dst, o.imm));
        case code::alu | code::x | code::arsh: return put(s, f, o, alu_result<code::arsh, false>(dst, src));
        case code::alu | code::k | code::neg: return put(s, f, o, alu_result<code::neg, false>(dst, 0));
        case code::alu | code::k | code::mov: return put(s, f, o, o.imm);
        case code::alu | code::x | code::mov: return put(s, f, o, src & 0xffffffffu);
        case code::alu | code::to_le | code::end: return put(s, f, o, byte_order(dst, o.imm, false));
        case code::alu | code::to_be | code::end: return put(s, f, o, byte_order(dst, o.imm, true));
        case code::alu64 | code::to_le | code::end: return put(s, f, o, byte_order(dst, o.imm, true));
        case code::jmp | code::k | code::ja: return go(f, o, true);
        case code::jmp | code::k | code::jeq: return go(f, o, jump_taken<code::jeq, true>(dst, o.imm));
        case code::jmp | code::x | code::jeq: return go(f, o, jump_taken<code::jeq, true>(dst, src));
        case code::jmp | code::k | code::jne: return go(f, o, jump_taken<code::jne, true>(dst, o.imm));
        case code::jmp | code::x | code::jne: return go(f, o, jump_taken<code::jne, true>(dst, src));
        case code::jmp | code::k | code::jgt: return go(f, o, jump_taken<code::jgt, true>(dst, o.imm));
        case code::jmp | code::x | code::jgt: return go(f, o, jump_taken<code::jgt, true>(dst, src));
        case code::jmp | code::k | code::jge: return go(f, o, jump_taken<code::jge, true>(dst, o.imm));
        case code::jmp | code::x | code::jge: return go(f, o, jump_taken<code::jge, true>(dst, src));
        case code::jmp | code::k | code::jlt: return go(f, o, jump_taken<code::jlt, true>(dst, o.imm));
        case code::jmp | code::x | code::jlt: return go(f, o, jump_taken<code::jlt, true>(dst, src));
        case code::jmp | code::k | code::jle: return go(f, o, jump_taken<code::jle, true>(dst, o.imm));
        case code::jmp | code::x | code::jle: return go(f, o, jump_taken<code::jle, true>(dst, src));
        case code::jmp | code::k | code::jset: return go(f, o, jump_taken<code::jset, true>(dst, o.imm));
        case code::jmp | code::x | code::jset: return go(f, o, jump_taken<code::jset, true>(dst, src));
        case code::jmp | code::k | code::jsgt: return go(f, o, jump_taken<code::jsgt, true>(dst, o.imm));
        case code::jmp | code::x | code::jsgt: return go(f, o, jump_taken<code::jsgt, true>(dst, src));
        case code::jmp | code::k | code::jsge: return go(f, o, jump_taken<code::jsge, true>(dst, o.imm));
        case code::jmp | code::x | code::jsge: return go(f, o, jump_taken<code::jsge, true>(dst, src));
        case code::jmp | code::k | code::jslt: return go(f, o, jump_taken<code::jslt, true>(dst, o.imm));
        case code::jmp | code::x | code::jslt: return go(f, o, jump_taken<code::jslt, true>(dst, src));
        case code::jmp | code::k | code::jsle: return go(f, o, jump_taken<code::jsle, true>(dst, o.imm));
        case code::jmp | code::x | code::jsle: return go(f, o, jump_taken<code::jsle, true>(dst, src));
        case code::jmp32 | code::k | code::jeq: return go(f, o, jump_taken<code::jeq, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jeq: return go(f, o, jump_taken<code::jeq, false>(dst, src));
        case code::jmp32 | code::k | code::jne: return go(f, o, jump_taken<code::jne, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jne: return go(f, o, jump_taken<code::jne, false>(dst, src));
        case code::jmp32 | code::k | code::jgt: return go(f, o, jump_taken<code::jgt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jgt: return go(f, o, jump_taken<code::jgt, false>(dst, src));
        case code::jmp32 | code::k | code::jge: return go(f, o, jump_taken<code::jge, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jge: return go(f, o, jump_taken<code::jge, false>(dst, src));
        case code::jmp32 | code::k | code::jlt: return go(f, o, jump_taken<code::jlt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jlt: return go(f, o, jump_taken<code::jlt, false>(dst, src));
        case code::jmp32 | code::k | code::jle: return go(f, o, jump_taken<code::jle, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jle: return go(f, o, jump_taken<code::jle, false>(dst, src));
        case code::jmp32 | code::k | code::jset: return go(f, o, jump_taken<code::jset, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jset: return go(f, o, jump_taken<code::jset, false>(dst, src));
        case code::jmp32 | code::k | code::jsgt: return go(f, o, jump_taken<code::jsgt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsgt: return go(f, o, jump_taken<code::jsgt, false>(dst, src));
        case code::jmp32 | code::k | code::jsge: return go(f, o, jump_taken<code::jsge, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsge: return go(f, o, jump_taken<code::jsge, false>(dst, src));
        case code::jmp32 | code::k | code::jslt: return go(f, o, jump_taken<code::jslt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jslt: return go(f, o, jump_taken<code::jslt, false>(dst, src));
        case code::jmp32 | code::k | code::jsle: return go(f, o, jump_taken<code::jsle, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsle: return go(f, o, jump_taken<code::jsle, false>(dst, src));
        case code::ldx | code::mem | code::b: return fast_load<1>(s, f, o);
        case code::ldx | code::mem | code::h: return fast_load<2>(s, f, o);
        case code::ldx | code::mem | code::w: return fast_load<4>(s, f, o);
        case code::ldx | code::mem | code::dw: return fast_load<8>(s, f, o);
        case code::stx | code::mem | code::b: return fast_store<1, false>(s, f, o);
        case code::stx | code::mem | code::h: return fast_store<2, false>(s, f, o);
        case code::stx | code::mem | code::w: return fast_store<4, false>(s, f, o);
        case code::stx | code::mem | code::dw: return fast_store<8, false>(s, f, o);
        case code::st | code::mem | code::b: return fast_store<1, true>(s, f, o);
        case code::st | code::mem | code::h: return fast_store<2, true>(s, f, o);
        case code::st | code::mem | code::w: return fast_store<4, true>(s, f, o);
        case code::st | code::mem | code::dw: return fast_store<8, true>(s, f, o);
        case load_swap(2): return fast_load_swap<2>(s, f, o);
        case load_swap(4): return fast_load_swap<4>(s, f, o);
        case alu3(code::add, false): return fast_alu3<code::add, false>(s, f, o);
        case alu3(code::add, true): return fast_alu3<code::add, true>(s, f, o);
        case alu3(code::sub, false): return fast_alu3<code::sub, false>(s, f, o);
        case alu3(code::sub, true): return fast_alu3<code::sub, true>(s, f, o);
        case alu3(code::mul, false): return fast_alu3<code::mul, false>(s, f, o);
        case alu3(code::mul, true): return fast_alu3<code::mul, true>(s, f, o);
        case alu3(code::or_, false): return fast_alu3<code::or_, false>(s, f, o);
        case alu3(code::or_, true): return fast_alu3<code::or_, true>(s, f, o);
        case alu3(code::and_, false): return fast_alu3<code::and_, false>(s, f, o);
        case alu3(code::and_, true): return fast_alu3<code::and_, true>(s, f, o);
        case alu3(code::xor_, false): return fast_alu3<code::xor_, false>(s, f, o);
        case alu3(code::xor_, true): return fast_alu3<code::xor_, true>(s, f, o);
        case alu3(code::lsh, false): return fast_alu3<code::lsh, false>(s, f, o);
        case alu3(code::lsh, true): return fast_alu3<code::lsh, true>(s, f, o);
        case alu3(code::rsh, false): return fast_alu3<code::rsh, false>(s, f, o);
        case alu3(code::rsh, true): return fast_alu3<code::rsh, true>(s, f, o);
        case alu3(code::arsh, false): return fast_alu3<code::arsh, false>(s, f, o);
        case alu3(code::arsh, true): return fast_alu3<code::arsh, true>(s, f, o);
        case add_jump(code::jeq, false): return fast_add_jump<code::jeq, false>(s, f, o);
        case add_jump(code::jeq, true): return fast_add_jump<code::jeq, true>(s, f, o);
        case add_jump(code::jne, false): return fast_add_jump<code::jne, false>(s, f, o);
        case add_jump(code::jne, true): return fast_add_jump<code::jne, true>(s, f, o);
        case add_jump(code::jgt, false): return fast_add_jump<code::jgt, false>(s, f, o);
        case add_jump(code::jgt, true): return fast_add_jump<code::jgt, true>(s, f, o);
        case add_jump(code::jge, false): return fast_add_jump<code::jge, false>(s, f, o);
        case add_jump(code::jge, true): return fast_add_jump<code::jge, true>(s, f, o);
        case add_jump(code::jlt, false): return fast_add_jump<code::jlt, false>(s, f, o);
        case add_jump(code::jlt, true): return fast_add_jump<code::jlt, true>(s, f, o);
        case add_jump(code::jle, false): return fast_add_jump<code::jle, false>(s, f, o);
        case add_jump(code::jle, true): return fast_add_jump<code::jle, true>(s, f, o);
        case bounds(code::jeq, false): return fast_bounds<code::jeq, false>(s, f, o);
        case bounds(code::jeq, true): return fast_bounds<code::jeq, true>(s, f, o);
        case bounds(code::jne, false): return fast_bounds<code::jne, false>(s, f, o);
        case bounds(code::jne, true): return fast_bounds<code::jne, true>(s, f, o);
        case bounds(code::jgt, false): return fast_bounds<code::jgt, false>(s, f, o);
        case bounds(code::jgt, true): return fast_bounds<code::jgt, true>(s, f, o);
        case bounds(code::jge, false): return fast_bounds<code::jge, false>(s, f, o);
        case bounds(code::jge, true): return fast_bounds<code::jge, true>(s, f, o);
        case bounds(code::jlt, false): return fast_bounds<code::jlt, false>(s, f, o);
        case bounds(code::jlt, true): return fast_bounds<code::jlt, true>(s, f, o);
        case bounds(code::jle, false): return fast_bounds<code::jle, false>(s, f, o);
        case bounds(code::jle, true): return fast_bounds<code::jle, true>(s, f, o);
        default: return false;
        }
    }
};

} // namespace bpfxx::vm::detail
