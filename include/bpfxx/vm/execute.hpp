#pragma once
// The general executor: one instruction at a time from its bytes, every
// check made at every step. It runs what the fast path (vm/fast.hpp) leaves
// to it, and whole programs in constant evaluation and under
// `limits::decode = false`. The classifier (isa/classify.hpp) says whether
// an instruction is valid and what it is; this runs it, with the semantics
// of RFC 9669 and Linux 6.18: division by zero, shift masking, sign and zero
// extension, atomics, local calls with their own frames, tail calls, the
// legacy packet loads, may_goto.

#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/alu.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/vm/state.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::vm::detail {

struct general_executor {
    /// The run without a decoded form: every instruction through step().
    template <class S>
    static constexpr void run_general(S& s, run_result& result) noexcept {
        while (++s.steps <= S::config.budget) {
            if (!general_step(s, result)) return;
        }
        s.raise(fault_kind::budget_exhausted);
    }

    /// One instruction through step(); false when the run is over.
    template <class S>
    static constexpr bool general_step(S& s, run_result& result) noexcept {
        if (s.pc >= s.code->size) {
            s.raise(fault_kind::jump_out_of_program);
            return false;
        }
        return !step(s, result) && !s.error;
    }

    /// One instruction, the general way; true when the program has finished.
    /// The classifier (isa/classify.hpp) says whether it is valid and what it
    /// is; what follows runs it.
    template <class S>
    static constexpr bool step(S& s, run_result& result) noexcept {
        using F = insn_form;
        const insn& i = s.code->code[s.pc];
        insn_verdict c = validate(i);
        if (c.error == insn_error::incomplete_ld_imm64 && s.pc + 1 < s.code->size)
            c = validate(i, s.code->code[s.pc + 1]);
        if (!c.valid()) {
            refuse(s, c);
            return true;
        }
        if ((i.dst_reg == 10 || i.src_reg == 10) && (writes_of(i, c.form) & reg_bit(10))) {
            s.raise(fault_kind::bad_register, 0, 10);
            return true;
        }
        switch (c.form) {
        case F::alu:
        case F::neg:
        case F::mov:
        case F::movsx:
        case F::byte_swap: alu(s, i); break;
        case F::load:
        case F::load_sx:
        case F::load_acquire: load_insn(s, i, c.form == F::load_sx); break;
        case F::store_imm:
        case F::store:
        case F::store_release: store_insn(s, i, c.form == F::store_imm); break;
        case F::atomic:
        case F::atomic_fetch:
        case F::cmpxchg: atomic(s, i); break;
        case F::ld_abs:
        case F::ld_ind: return packet_load(s, i, c.form == F::ld_ind, result);
        case F::ld_imm64:
        case F::ld_func: return ld_imm64(s, i);
        case F::ja:
        case F::gotol: return !jump_to(s, target_of(i, c.form, s.pc));
        case F::jump_if: return jump_if(s, i);
        case F::may_goto:
            if (s.loops == 0) return !jump_to(s, target_of(i, c.form, s.pc));
            --s.loops;
            break;
        case F::call_helper:
        case F::call_local:
        case F::call_kfunc: return call(s, i, c.form);
        case F::exit: return exit(s, result);
        default: s.raise(fault_kind::unsupported); return true; // addr_space_cast, gotox, callx
        }
        ++s.pc;
        return false;
    }

    /// Ends the run on an instruction the classifier refuses.
    template <class S>
    static constexpr void refuse(S& s, const insn_verdict& c) noexcept {
        switch (c.error) {
        case insn_error::bad_register: return s.raise(fault_kind::bad_register, 0, c.error_detail);
        case insn_error::incomplete_ld_imm64: return s.raise(fault_kind::jump_out_of_program);
        default: return s.raise(fault_kind::bad_opcode);
        }
    }

    template <class S>
    static constexpr void alu(S& s, const insn& i) noexcept {
        const bool wide = code::class_of(i.code) == code::alu64;
        const bool x = code::source_of(i.code) == code::x;
        const auto op = code::op_of(i.code);
        // for END the source bit picks the byte order; there is no source register
        const std::uint64_t src =
            x && op != code::end ? s.get(i.src_reg) : static_cast<std::uint64_t>(std::int64_t{i.imm});
        const std::uint64_t dst = op == code::mov ? 0 : s.get(i.dst_reg);
        if (s.error) return;
        const unsigned bits = wide ? 64 : 32;
        const std::uint64_t mask = wide ? ~std::uint64_t{0} : 0xffffffffu;
        const std::uint64_t a = dst & mask;
        const std::uint64_t b = src & mask;
        const bool is_signed = i.off == 1;
        std::uint64_t r = 0;
        switch (op) {
        case code::add: r = alu_result<code::add>(wide, a, b); break;
        case code::sub: r = alu_result<code::sub>(wide, a, b); break;
        case code::mul: r = alu_result<code::mul>(wide, a, b); break;
        case code::or_: r = alu_result<code::or_>(wide, a, b); break;
        case code::and_: r = alu_result<code::and_>(wide, a, b); break;
        case code::xor_: r = alu_result<code::xor_>(wide, a, b); break;
        case code::lsh: r = alu_result<code::lsh>(wide, a, b); break;
        case code::rsh: r = alu_result<code::rsh>(wide, a, b); break;
        case code::arsh: r = alu_result<code::arsh>(wide, a, b); break;
        case code::neg: r = alu_result<code::neg>(wide, a, b); break;
        case code::mov:
            r = i.off == 0 ? b : sext(b, static_cast<unsigned>(i.off));
            break;
        case code::div:
            if (!is_signed) {
                r = b == 0 ? 0 : a / b;
            } else {
                const auto sa = sext(a, bits), sb = sext(b, bits);
                if (b == 0) r = 0;
                else if (sb == (~std::uint64_t{0})) r = 0 - sa;
                else r = static_cast<std::uint64_t>(static_cast<std::int64_t>(sa) / static_cast<std::int64_t>(sb));
            }
            break;
        case code::mod:
            if (!is_signed) {
                r = b == 0 ? a : a % b;
            } else {
                const auto sa = sext(a, bits), sb = sext(b, bits);
                if (b == 0) r = a;
                else if (sb == (~std::uint64_t{0})) r = 0;
                else r = static_cast<std::uint64_t>(static_cast<std::int64_t>(sa) % static_cast<std::int64_t>(sb));
            }
            break;
        default: // end
            s.set(i.dst_reg, byte_order(dst, static_cast<std::uint64_t>(i.imm),
                                        wide || code::source_of(i.code) == code::to_be));
            return;
        }
        s.set(i.dst_reg, r & mask);
    }

    template <class S>
    [[nodiscard]] static constexpr bool jump_to(S& s, std::int64_t target) noexcept {
        if (target < 0 || target >= std::int64_t{s.code->size}) {
            s.raise(fault_kind::jump_out_of_program);
            return false;
        }
        s.pc = static_cast<std::uint32_t>(target);
        return true;
    }

    /// A conditional jump.
    template <class S>
    static constexpr bool jump_if(S& s, const insn& i) noexcept {
        const bool wide = code::class_of(i.code) == code::jmp;
        const bool x = code::source_of(i.code) == code::x;
        const std::uint64_t a = s.get(i.dst_reg);
        const std::uint64_t b = x ? s.get(i.src_reg) : static_cast<std::uint64_t>(std::int64_t{i.imm});
        if (s.error) return true;
        bool taken = false;
        switch (code::op_of(i.code)) {
        case code::jeq: taken = jump_taken<code::jeq>(wide, a, b); break;
        case code::jne: taken = jump_taken<code::jne>(wide, a, b); break;
        case code::jgt: taken = jump_taken<code::jgt>(wide, a, b); break;
        case code::jge: taken = jump_taken<code::jge>(wide, a, b); break;
        case code::jlt: taken = jump_taken<code::jlt>(wide, a, b); break;
        case code::jle: taken = jump_taken<code::jle>(wide, a, b); break;
        case code::jset: taken = jump_taken<code::jset>(wide, a, b); break;
        case code::jsgt: taken = jump_taken<code::jsgt>(wide, a, b); break;
        case code::jsge: taken = jump_taken<code::jsge>(wide, a, b); break;
        case code::jslt: taken = jump_taken<code::jslt>(wide, a, b); break;
        default: taken = jump_taken<code::jsle>(wide, a, b); break;
        }
        const std::int64_t next = std::int64_t{s.pc} + 1;
        return !jump_to(s, taken ? next + i.off : next);
    }

    template <class S>
    static constexpr bool call(S& s, const insn& i, insn_form form) noexcept {
        if (form == insn_form::call_local) {
            if (s.depth + 1 >= max_frames) {
                s.raise(fault_kind::call_depth);
                return true;
            }
            const std::int64_t target = std::int64_t{s.pc} + 1 + i.imm;
            if (target < 0 || target >= std::int64_t{s.code->size}) {
                s.raise(fault_kind::jump_out_of_program);
                return true;
            }
            auto& f = s.frames[s.depth];
            f.code = s.code;
            f.return_pc = s.pc + 1;
            for (unsigned r = 0; r < 4; ++r) f.saved[r] = s.regs[6 + r];
            f.saved_init = s.init;
            ++s.depth;
            const auto base = std::size_t{s.depth} * stack_size;
            for (std::size_t k = base / 64; k < (base + stack_size) / 64; ++k) s.stack_init[k] = 0;
            // the callee sees r1–r5 and its own frame pointer; r0, r6–r9 are not its to read
            if (S::config.strict) s.init &= 0x3e;
            s.set(10, make_address(region::stack + s.depth, stack_size));
            s.pc = static_cast<std::uint32_t>(target);
            return false;
        }
        if (form == insn_form::call_kfunc) {
            s.raise(fault_kind::unsupported);
            return true;
        }
        if (!call_helper(s, i.imm)) return true;
        if (s.tail_target != nullptr) {
            s.code = s.tail_target;
            s.tail_target = nullptr;
            s.pc = 0;
            const auto base = std::size_t{s.depth} * stack_size;
            for (std::size_t k = base / 64; k < (base + stack_size) / 64; ++k) s.stack_init[k] = 0;
            if (S::config.strict) s.init = static_cast<std::uint16_t>((1u << 1) | (1u << 10));
            return false;
        }
        s.clobber_args();
        ++s.pc;
        return false;
    }

    template <class S>
    static constexpr bool exit(S& s, run_result& result) noexcept {
        const auto r0 = s.get(0);
        if (s.error) return true;
        if (s.depth == 0) {
            if (s.pending_record()) {
                s.raise(fault_kind::unreleased_record);
                return true;
            }
            result.r0 = r0;
            return true;
        }
        --s.depth;
        const auto& f = s.frames[s.depth];
        s.code = f.code;
        s.pc = f.return_pc;
        for (unsigned r = 0; r < 4; ++r) s.regs[6 + r] = f.saved[r];
        s.init = static_cast<std::uint16_t>((f.saved_init & ~0x3fu) | 1u);
        s.regs[10] = make_address(region::stack + s.depth, stack_size);
        return false;
    }


    /// ldx (`sign_extend`: memsx) and load-acquire.
    template <class S>
    static constexpr void load_insn(S& s, const insn& i, bool sign_extend) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto base = s.get(i.src_reg);
        if (s.error) return;
        std::uint64_t v = 0;
        if (!load(s, base + static_cast<std::uint64_t>(std::int64_t{i.off}), n, v)) return;
        s.set(i.dst_reg, sign_extend ? sext(v, n * 8) : v);
    }

    /// st (`immediate`), stx and store-release.
    template <class S>
    static constexpr void store_insn(S& s, const insn& i, bool immediate) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto base = s.get(i.dst_reg);
        const auto v = immediate ? static_cast<std::uint64_t>(std::int64_t{i.imm}) : s.get(i.src_reg);
        if (s.error) return;
        (void)store(s, base + static_cast<std::uint64_t>(std::int64_t{i.off}), n, v, immediate);
    }

    /// The atomic read-modify-writes.
    template <class S>
    static constexpr void atomic(S& s, const insn& i) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto op = i.imm;
        const auto plain = op & ~atomic_op::fetch;
        const auto base = s.get(i.dst_reg);
        const auto src = s.get(i.src_reg);
        const auto expected = op == atomic_op::cmpxchg ? s.get(0) : 0;
        if (s.error) return;
        const auto addr = base + static_cast<std::uint64_t>(std::int64_t{i.off});
        if (region_of(addr) == region::context) return s.raise(fault_kind::bad_context_access, addr, n);
        auto* p = resolve(s, addr, n, access::atomic);
        if (p == nullptr) return;
        const std::uint64_t mask = n == 8 ? ~std::uint64_t{0} : 0xffffffffu;
        const auto old = load_le(p, n);
        std::uint64_t r = old;
        switch (op == atomic_op::xchg || op == atomic_op::cmpxchg ? op : plain) {
        case atomic_op::add: r = old + src; break;
        case atomic_op::or_: r = old | src; break;
        case atomic_op::and_: r = old & src; break;
        case atomic_op::xor_: r = old ^ src; break;
        case atomic_op::xchg: r = src; break;
        default: r = (old == (expected & mask)) ? src : old; break; // cmpxchg
        }
        store_le(p, n, r & mask);
        if (op == atomic_op::cmpxchg) s.set(0, old);
        else if (op & atomic_op::fetch) s.set(i.src_reg, old);
    }

    /// ld_abs, ld_ind (`indirect`): the legacy packet loads.
    template <class S>
    static constexpr bool packet_load(S& s, const insn& i, bool indirect, run_result& result) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        if (!s.caps.legacy_packet_loads) {
            s.raise(fault_kind::insn_not_allowed);
            return true;
        }
        if (s.get(6) != make_address(region::context, 0)) {
            if (!s.error) s.raise(fault_kind::bad_context_access, s.regs[6], n);
            return true;
        }
        std::int64_t k = i.imm;
        if (indirect) {
            const auto src = s.get(i.src_reg);
            if (s.error) return true;
            k = static_cast<std::int32_t>(static_cast<std::uint32_t>(src) + static_cast<std::uint32_t>(i.imm));
        }
        // negative offsets: SKF_NET_OFF / SKF_LL_OFF address the network and link headers
        std::int64_t from = 0;
        if (k >= 0) from = std::int64_t{s.data} + k;
        else if (k >= -0x100000) from = k >= -0x1000 ? -1 : std::int64_t{s.net} + (k + 0x100000);
        else if (k >= -0x200000) from = std::int64_t{s.mac} + (k + 0x200000);
        else from = -1;
        if (from < 0 || from + n > s.end || (k >= 0 && from < s.data)) {
            // the kernel ends the program with r0 = 0 when the load fails
            result.r0 = 0;
            return true;
        }
        s.set(0, load_be(&s.pkt[static_cast<std::size_t>(from)], n));
        s.clobber_args();
        ++s.pc;
        return false;
    }

    template <class S>
    static constexpr bool ld_imm64(S& s, const insn& i) noexcept {
        const insn& hi = s.code->code[s.pc + 1]; // the classifier checked it
        std::uint64_t v = 0;
        switch (i.src_reg) {
        case 0:
            v = static_cast<std::uint32_t>(i.imm) | (std::uint64_t{static_cast<std::uint32_t>(hi.imm)} << 32);
            break;
        case pseudo::map_idx:
        case pseudo::map_idx_value: {
            const auto idx = static_cast<std::uint32_t>(i.imm);
            const auto m = s.code->remapped ? (idx < 64 ? s.code->remap[idx] : 255u) : idx;
            if (idx >= 64 || m >= S::map_count || (!s.code->remapped && false)) {
                s.raise(fault_kind::bad_map_reference);
                return true;
            }
            if (i.src_reg == pseudo::map_idx) {
                v = make_address(region::map_object + m, 0);
                break;
            }
            bool ok = false;
            s.with_map(m, [&](auto& model) {
                using model_t = std::remove_reference_t<decltype(model)>;
                if constexpr (requires { model_t::value_size; }) {
                    // as the kernel: only single-element arrays give direct value addresses
                    ok = model_t::descriptor::type == map_type::array && model_t::capacity == 1 &&
                         static_cast<std::uint32_t>(hi.imm) < model_t::value_size;
                }
            });
            if (!ok) {
                s.raise(fault_kind::bad_map_reference);
                return true;
            }
            v = map_value_address(m, 0, 0, static_cast<std::uint32_t>(hi.imm));
            break;
        }
        case pseudo::func: {
            const std::int64_t target = std::int64_t{s.pc} + 1 + i.imm;
            if (target < 0 || target >= std::int64_t{s.code->size}) {
                s.raise(fault_kind::jump_out_of_program);
                return true;
            }
            v = make_address(region::function, static_cast<std::uint32_t>(target));
            break;
        }
        case pseudo::btf_id: s.raise(fault_kind::unsupported); return true;
        default: s.raise(fault_kind::bad_map_reference); return true; // by fd: the machine has no fds
        }
        s.set(i.dst_reg, v);
        s.pc += 2;
        return false;
    }
};

} // namespace bpfxx::vm::detail
