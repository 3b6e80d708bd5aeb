#pragma once
// The typed layer's intermediate form: what a program lambda leaves behind
// when it runs against a builder during constant evaluation. Virtual
// registers (unlimited; a few are variables, assigned more than once), the
// operations on them, structured control flow (if/else, loops, returns) and
// helper calls; `lower.hpp` turns it into instructions.
//
// Everything here is plain constexpr code over detail::buffer (transient
// allocation during constant evaluation): no recursion over types, so the
// compiler's cost grows with the program's size only.

#include <bpfxx/c/diagnostics.hpp>
#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx::c::detail {

using bpfxx::detail::buffer;

/// A virtual register: an index into the builder's register table.
using vreg = std::int32_t;
inline constexpr vreg no_reg = -1;

/// What an operand is.
enum class src : std::uint8_t {
    none,
    reg,   ///< a virtual register
    imm,   ///< a constant
    stack, ///< the address r10 + v (v < 0)
    map,   ///< the map at index v of the program's map list (ld_imm64, pseudo map_idx)
};

struct operand {
    src kind = src::none;
    std::int64_t v = 0;

    [[nodiscard]] constexpr bool is_reg() const noexcept { return kind == src::reg; }
    [[nodiscard]] constexpr bool is_imm() const noexcept { return kind == src::imm; }
    [[nodiscard]] constexpr vreg reg() const noexcept { return static_cast<vreg>(v); }
    friend constexpr bool operator==(const operand&, const operand&) = default;
};

[[nodiscard]] constexpr operand reg_op(vreg r) noexcept { return {src::reg, r}; }
[[nodiscard]] constexpr operand imm_op(std::int64_t k) noexcept { return {src::imm, k}; }
[[nodiscard]] constexpr operand stack_op(std::int32_t off) noexcept { return {src::stack, off}; }
[[nodiscard]] constexpr operand map_op(std::int32_t index) noexcept { return {src::map, index}; }

enum class op_kind : std::uint8_t {
    nop,      ///< removed by a pass
    entry,    ///< dst = the context (r1 at entry)
    mov,      ///< dst = a (wide: 64-bit copy; else mov32, which zero-extends)
    alu,      ///< dst = a <code> b
    neg,      ///< dst = -a
    bswap,    ///< dst = a with its low `code` bits byte-swapped (to big endian)
    sext,     ///< dst = a sign-extended from its low `code` bits
    load,     ///< dst = *(size *)(a + off), sign-extended when `sign`
    store,    ///< *(size *)(a + off) = b
    atomic,   ///< lock *(size *)(a + off) <code> b
    call,     ///< dst = helper x (args[off .. off + n])
    ld_abs,   ///< dst = packet bytes at off (+ a, for ld_ind): ld_abs/ld_ind, ctx in r6
    if_,      ///< if (cond x) {
    else_,    ///< } else {
    end_if,   ///< }
    loop,     ///< for (dst = 0; dst < x; ++dst) {
    end_loop, ///< }
    ret,      ///< return a
    raw,      ///< assembly: raw[off .. off + n] with args[x .. x + code] in r1..r5, dst = r0 after
};

/// One operation. Fields are shared between kinds (see op_kind).
struct op {
    op_kind kind = op_kind::nop;
    std::uint8_t code = 0; ///< ALU op (code::add …), atomic op, bits for bswap/sext, bytes for memory
    bool wide = true;      ///< 64-bit ALU or jump; false: 32-bit
    bool sign = false;     ///< load: sign-extend
    vreg dst = no_reg;
    operand a{};
    operand b{};
    std::int32_t off = 0;
    std::int32_t x = 0;
    std::int32_t n = 0;
};

/// A condition: a comparison of two operands, or a short-circuit
/// conjunction or disjunction of two conditions.
enum class cond_kind : std::uint8_t { cmp, all, any };

struct cond_node {
    cond_kind kind = cond_kind::cmp;
    std::uint8_t jop = code::jeq; ///< cmp: jump op (code::jeq …)
    bool wide = true;             ///< cmp: 64-bit (jmp) or 32-bit (jmp32) comparison
    operand a{};
    operand b{};
    std::int32_t lhs = -1, rhs = -1; ///< all/any: the two conditions
};

/// The jump op that is taken exactly when `jop` is not; code::ja when there is none (jset).
[[nodiscard]] constexpr std::uint8_t inverse_jump(std::uint8_t jop) noexcept {
    switch (jop) {
    case code::jeq: return code::jne;
    case code::jne: return code::jeq;
    case code::jgt: return code::jle;
    case code::jle: return code::jgt;
    case code::jge: return code::jlt;
    case code::jlt: return code::jge;
    case code::jsgt: return code::jsle;
    case code::jsle: return code::jsgt;
    case code::jsge: return code::jslt;
    case code::jslt: return code::jsge;
    default: return code::ja;
    }
}

/// The jump op with its operands swapped (a < b  <=>  b > a).
[[nodiscard]] constexpr std::uint8_t mirrored_jump(std::uint8_t jop) noexcept {
    switch (jop) {
    case code::jgt: return code::jlt;
    case code::jlt: return code::jgt;
    case code::jge: return code::jle;
    case code::jle: return code::jge;
    case code::jsgt: return code::jslt;
    case code::jslt: return code::jsgt;
    case code::jsge: return code::jsle;
    case code::jsle: return code::jsge;
    default: return jop; // jeq, jne, jset are symmetric
    }
}

[[nodiscard]] constexpr bool commutative(std::uint8_t alu_code) noexcept {
    return alu_code == code::add || alu_code == code::mul || alu_code == code::or_ || alu_code == code::and_ ||
           alu_code == code::xor_;
}

/// Grows x to n elements with copies of v (never shrinks it).
template <class T>
constexpr void grow(buffer<T>& x, std::size_t n, const T& v) {
    if (x.size() < n) x.resize(n, v);
}

[[nodiscard]] constexpr bool fits_s32(std::int64_t k) noexcept { return k >= INT32_MIN && k <= INT32_MAX; }

/// Context rules that allow everything (plain memory: unit tests' run_on_memory).
[[nodiscard]] constexpr bool any_access(std::int32_t, std::uint32_t, bool) noexcept { return true; }

/// What a run of the program lambda leaves: the operations and what they
/// refer to, plus the state of the path being built (which variables are
/// set, whether the current point is reachable, the open branches).
class builder {
public:
    buffer<op> ops;
    buffer<operand> args;
    buffer<cond_node> conds;
    buffer<insn> raw;
    buffer<std::uint8_t> is_var;     ///< per register: a variable (assigned more than once)
    buffer<std::int32_t> def_scope;  ///< per register: the branch it was made in
    buffer<std::uint8_t> set;        ///< per register: set on every path to this point
    std::int32_t frame = 0;               ///< stack bytes in use below r10
    bool live = true;                     ///< the current point is reachable
    bool ld_abs_used = false;
    std::int32_t open_records = 0;        ///< ring buffer records reserved and not yet submitted on this path
    /// The program type's rules for reading (write = false) or writing context bytes [off, off + size).
    /// (Never null: GCC's UBSan makes comparing function pointers non-constant.)
    bool (*context_access)(std::int32_t off, std::uint32_t size, bool write) = any_access;

    constexpr builder() {
        scopes_.push_back(0);
        ops.push_back(op{op_kind::entry, 0, true, false, new_reg(false)});
    }

    /// The register that holds the context.
    [[nodiscard]] static constexpr vreg context() noexcept { return 0; }

    // ---- registers ------------------------------------------------------

    [[nodiscard]] constexpr vreg new_reg(bool variable) {
        const auto r = static_cast<vreg>(is_var.size());
        is_var.push_back(variable ? 1 : 0);
        def_scope.push_back(scopes_.back());
        grow(set, is_var.size(), std::uint8_t{1}); // (registers made in a branch left out of its snapshots)
        set.back() = variable ? 0 : 1;
        return r;
    }

    /// Checks that a value is used only where the branch that computed it is still open.
    constexpr void use(const operand& o) const {
        if (o.kind != src::reg) return;
        if (!scope_open(def_scope[static_cast<std::size_t>(o.v)])) diagnostic::value_used_outside_the_branch_that_computed_it();
    }

    // ---- operations -----------------------------------------------------

    constexpr void emit(const op& o) {
        settle();
        use(o.a);
        use(o.b);
        if (live) ops.push_back(o);
    }

    /// dst = a <code> b in a new register.
    [[nodiscard]] constexpr vreg alu(std::uint8_t alu_code, bool wide, operand a, operand b) {
        const vreg d = new_reg(false);
        emit(op{op_kind::alu, alu_code, wide, false, d, a, b});
        return d;
    }
    [[nodiscard]] constexpr vreg unary(op_kind k, std::uint8_t bits, bool wide, operand a) {
        const vreg d = new_reg(false);
        emit(op{k, bits, wide, false, d, a});
        return d;
    }
    /// A copy of a (a variable's current value, or a constant in a register).
    [[nodiscard]] constexpr vreg copy(operand a, bool wide = true) {
        const vreg d = new_reg(false);
        emit(op{op_kind::mov, 0, wide, false, d, a});
        return d;
    }
    constexpr void assign(vreg var, operand a, bool wide = true) {
        emit(op{op_kind::mov, 0, wide, false, var, a});
        if (live) set[static_cast<std::size_t>(var)] = 1;
    }
    [[nodiscard]] constexpr vreg load(unsigned bytes, bool sign, operand base, std::int32_t off) {
        const vreg d = new_reg(false);
        emit(op{op_kind::load, static_cast<std::uint8_t>(bytes), true, sign, d, base, {}, off});
        return d;
    }
    constexpr void store(unsigned bytes, operand base, std::int32_t off, operand value) {
        if (value.is_imm() && !fits_s32(value.v)) value = reg_op(copy(value));
        emit(op{op_kind::store, static_cast<std::uint8_t>(bytes), true, false, no_reg, base, value, off});
    }
    constexpr void atomic(std::int32_t atomic_op, unsigned bytes, operand base, std::int32_t off, operand value) {
        if (!value.is_reg()) value = reg_op(copy(value));
        emit(op{op_kind::atomic, static_cast<std::uint8_t>(atomic_op), bytes == 8, false, no_reg, base, value, off,
                0, static_cast<std::int32_t>(bytes)});
    }
    /// r0 = helper(args...) in a new register.
    [[nodiscard]] constexpr vreg call(std::int32_t helper_id, std::initializer_list<operand> call_args) {
        settle();
        const auto first = static_cast<std::int32_t>(args.size());
        for (const auto& a : call_args) {
            use(a);
            args.push_back(a);
        }
        const vreg d = new_reg(false);
        if (live)
            ops.push_back(op{op_kind::call, 0, true, false, d, {}, {}, first, helper_id,
                             static_cast<std::int32_t>(call_args.size())});
        return d;
    }
    /// r0 = instructions `code` run with `call_args` in r1..r5 (a helper call's contract).
    [[nodiscard]] constexpr vreg assembly(const insn* code, std::size_t count, std::initializer_list<operand> call_args) {
        settle();
        const auto first_arg = static_cast<std::int32_t>(args.size());
        for (const auto& a : call_args) {
            use(a);
            args.push_back(a);
        }
        const auto first = static_cast<std::int32_t>(raw.size());
        for (std::size_t i = 0; i < count; ++i) raw.push_back(code[i]);
        const vreg d = new_reg(false);
        if (live)
            ops.push_back(op{op_kind::raw, static_cast<std::uint8_t>(call_args.size()), true, false, d, {}, {}, first,
                             first_arg, static_cast<std::int32_t>(count)});
        return d;
    }
    [[nodiscard]] constexpr vreg ld_abs(unsigned bytes, operand index, std::int32_t off) {
        ld_abs_used = true;
        const vreg d = new_reg(false);
        // b: the context, which ld_abs/ld_ind read implicitly from r6
        emit(op{op_kind::ld_abs, static_cast<std::uint8_t>(bytes), true, false, d, index, reg_op(context()), off});
        return d;
    }

    // ---- conditions -----------------------------------------------------

    [[nodiscard]] constexpr std::int32_t compare(std::uint8_t jop, bool wide, operand a, operand b) {
        use(a);
        use(b);
        if (a.is_imm() && !b.is_imm()) {
            std::swap(a, b);
            jop = mirrored_jump(jop);
        }
        if (a.is_imm()) a = reg_op(copy(a)); // both constant but not folded (jset): rare
        if (b.is_imm() && wide && !fits_s32(b.v)) b = reg_op(copy(b));
        conds.push_back(cond_node{cond_kind::cmp, jop, wide, a, b});
        return static_cast<std::int32_t>(conds.size() - 1);
    }
    [[nodiscard]] constexpr std::int32_t combine(cond_kind k, std::int32_t lhs, std::int32_t rhs) {
        conds.push_back(cond_node{k, 0, true, {}, {}, lhs, rhs});
        return static_cast<std::int32_t>(conds.size() - 1);
    }
    /// The condition that holds exactly when `c` does not (De Morgan for all/any).
    [[nodiscard]] constexpr std::int32_t negate(std::int32_t c) {
        const cond_node n = conds[static_cast<std::size_t>(c)];
        if (n.kind == cond_kind::cmp) {
            if (const auto inv = inverse_jump(n.jop); inv != code::ja) {
                conds.push_back(cond_node{cond_kind::cmp, inv, n.wide, n.a, n.b});
                return static_cast<std::int32_t>(conds.size() - 1);
            }
            // !(a & b): (a & b) == 0
            const vreg t = alu(code::and_, n.wide, n.a, n.b);
            return compare(code::jeq, n.wide, reg_op(t), imm_op(0));
        }
        const auto l = negate(n.lhs), r = negate(n.rhs);
        return combine(n.kind == cond_kind::all ? cond_kind::any : cond_kind::all, l, r);
    }

    // ---- control flow ---------------------------------------------------

    /// What a branch needs to restore and merge the path state.
    struct branch_state {
        std::int32_t if_op = -1;           ///< index of the if_ op (-1: the branch was not emitted)
        std::int32_t end_op = -1;          ///< index of its end_if op
        buffer<std::uint8_t> before;  ///< `set` before the branch
        buffer<std::uint8_t> then_set;
        bool live_before = false;
        bool then_live = false;
        std::int32_t records_before = 0;
        std::int32_t then_records = 0;
    };

    [[nodiscard]] constexpr branch_state begin_if(std::int32_t cond) {
        settle();
        branch_state s;
        s.before = set;
        s.live_before = live;
        s.records_before = open_records;
        if (live) {
            s.if_op = static_cast<std::int32_t>(ops.size());
            ops.push_back(op{op_kind::if_, 0, true, false, no_reg, {}, {}, 0, cond});
        }
        push_scope();
        return s;
    }
    constexpr void end_then(branch_state& s) {
        settle();
        pop_scope();
        s.then_set = set;
        s.then_live = live;
        s.then_records = open_records;
        if (s.if_op >= 0) {
            s.end_op = static_cast<std::int32_t>(ops.size());
            ops.push_back(op{op_kind::end_if});
        }
        // no else: the path that skipped the branch joins (unless an else_ follows: then
        // different records open on the two paths are settled by the else branch)
        merge(s.then_set, s.then_live, s.then_records, s.before, s.live_before, s.records_before, true);
    }
    constexpr void begin_else(branch_state& s) {
        records_unsettled_ = false;
        if (s.if_op >= 0) {
            if (s.end_op != static_cast<std::int32_t>(ops.size()) - 1) diagnostic::else_must_follow_its_if();
            ops.back().kind = op_kind::else_;
        }
        set = s.before;
        grow(set, is_var.size(), std::uint8_t{1});
        live = s.live_before;
        open_records = s.records_before;
        push_scope();
    }
    constexpr void end_else(branch_state& s) {
        pop_scope();
        if (s.if_op >= 0) ops.push_back(op{op_kind::end_if});
        const auto else_set = set;
        merge(s.then_set, s.then_live, s.then_records, else_set, live, open_records);
    }

    [[nodiscard]] constexpr vreg begin_loop(std::int32_t trips) {
        const vreg i = new_reg(true); // a variable: each trip sets it
        set[static_cast<std::size_t>(i)] = 1;
        emit(op{op_kind::loop, 0, false, false, i, {}, {}, 0, trips});
        push_scope();
        loop_entry_records_.push_back(open_records);
        return i;
    }
    constexpr void end_loop(vreg i, bool was_live) {
        settle();
        pop_scope();
        if (open_records != loop_entry_records_.back()) diagnostic::ring_buffer_record_neither_submitted_nor_discarded();
        loop_entry_records_.pop_back();
        if (was_live) ops.push_back(op{op_kind::end_loop, 0, false, false, i});
        live = was_live; // a loop body that returns still runs its trips on other paths
    }

    constexpr void ret(operand v) {
        settle();
        if (!live) return;
        if (open_records != 0) diagnostic::ring_buffer_record_neither_submitted_nor_discarded();
        emit(op{op_kind::ret, 0, true, false, no_reg, v});
        live = false;
    }

    // ---- stack ----------------------------------------------------------

    /// A new stack slot of `bytes`, aligned to `align`: its offset from r10.
    [[nodiscard]] constexpr std::int32_t stack_slot(std::uint32_t bytes, std::uint32_t align = 8) {
        auto f = static_cast<std::uint32_t>(frame) + bytes;
        f = (f + align - 1) / align * align;
        if (f > 512) diagnostic::stack_frame_exceeds_512_bytes();
        frame = static_cast<std::int32_t>(f);
        return -frame;
    }

    /// A stack slot holding the value `v` (of `bytes`), written once and
    /// reused while the branch that wrote it is open (values are immutable).
    [[nodiscard]] constexpr std::int32_t spill_value(operand v, unsigned bytes) {
        for (const auto& e : stored_)
            if (e.value == v && e.bytes == bytes && scope_open(e.scope)) return e.slot;
        const auto slot = stack_slot(bytes, bytes < 8 ? bytes : 8);
        store(bytes, stack_op(slot), 0, v);
        stored_.push_back({v, bytes, slot, scopes_.back()});
        return slot;
    }

    /// A value computed once per open branch: `bswap`/`sext` of a register.
    [[nodiscard]] constexpr vreg memo(op_kind k, std::uint8_t bits, bool wide, vreg from) {
        for (const auto& e : memo_)
            if (e.kind == k && e.bits == bits && e.from == from && scope_open(e.scope)) return e.result;
        const vreg r = unary(k, bits, wide, reg_op(from));
        memo_.push_back({k, bits, from, r, scopes_.back()});
        return r;
    }

    [[nodiscard]] constexpr std::int32_t current_scope() const noexcept { return scopes_.back(); }
    /// Whether branch `s` (a current_scope()) is still open here.
    [[nodiscard]] constexpr bool in_open_scope(std::int32_t s) const noexcept { return scope_open(s); }

private:
    struct stored {
        operand value;
        unsigned bytes;
        std::int32_t slot;
        std::int32_t scope;
    };
    struct memoized {
        op_kind kind;
        std::uint8_t bits;
        vreg from;
        vreg result;
        std::int32_t scope;
    };
    buffer<std::int32_t> scopes_;
    std::int32_t next_scope_ = 1;
    buffer<stored> stored_;
    buffer<memoized> memo_;
    buffer<std::int32_t> loop_entry_records_;

    [[nodiscard]] constexpr bool scope_open(std::int32_t s) const noexcept {
        for (auto i = scopes_.size(); i-- > 0;)
            if (scopes_[i] == s) return true;
        return false;
    }
    constexpr void push_scope() { scopes_.push_back(next_scope_++); }
    constexpr void pop_scope() { scopes_.pop_back(); }

    bool records_unsettled_ = false; ///< two paths joined with different records open; an else_ may yet fix it

    /// Raises the diagnostic for records left open on one path of an if_ that got no else_.
    constexpr void settle() {
        if (records_unsettled_) diagnostic::ring_buffer_record_neither_submitted_nor_discarded();
    }

    /// The state after two paths join: set where set on both, reachable if either is.
    constexpr void merge(const buffer<std::uint8_t>& a, bool a_live, std::int32_t a_records,
                         const buffer<std::uint8_t>& b, bool b_live, std::int32_t b_records,
                         bool else_may_follow = false) {
        grow(set, is_var.size(), std::uint8_t{0});
        for (std::size_t i = 0; i < set.size(); ++i) {
            const std::uint8_t va = i < a.size() ? a[i] : 1, vb = i < b.size() ? b[i] : 1;
            set[i] = a_live && b_live ? (va & vb) : a_live ? va : vb;
        }
        if (a_live && b_live && a_records != b_records) {
            if (!else_may_follow) diagnostic::ring_buffer_record_neither_submitted_nor_discarded();
            records_unsettled_ = true;
        }
        open_records = a_live ? a_records : b_records;
        live = a_live || b_live;
    }
};

} // namespace bpfxx::c::detail
