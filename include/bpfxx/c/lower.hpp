#pragma once
// From the intermediate form to instructions, during constant evaluation:
//
//  1. copies: a copy of a value that does not change while the copy lives is
//     replaced by the value (reading a variable makes a copy);
//  2. `t = expr; var = t` becomes `var = expr`;
//  3. values nobody reads are dropped;
//  4. a value stored to the stack is stored as soon as it is computed;
//  5. live ranges, in the order of the code, extended over loops;
//  6. linear-scan register allocation: values live across a helper call get
//     r6-r9, the others r0-r9, each where it will be needed next (an
//     argument in its r1-r5, a result in r0) when that register is free; a
//     value that finds no register lives on the stack and is loaded where it
//     is used (and allocation starts again);
//  7. instructions: conditions become compare-and-branch, returns of one
//     constant share one `r0 = k; exit`, arguments move into r1-r5 as one
//     parallel copy.
//
// One concept: the lowering pipeline — its passes share one intermediate form
// and run in this order.

#include <bpfxx/c/ir.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>

#include <cstdint>

namespace bpfxx::c::detail {

inline constexpr int no_phys = -1;

/// Calls f(operand&) for every operand `o` reads (for end_loop: its index).
template <class F>
constexpr void for_each_use(builder& b, op& o, F&& f) {
    const auto tree = [&](auto&& self, std::int32_t c) -> void {
        auto& n = b.conds[static_cast<std::size_t>(c)];
        if (n.kind == cond_kind::cmp) {
            f(n.a);
            f(n.b);
        } else {
            self(self, n.lhs);
            self(self, n.rhs);
        }
    };
    switch (o.kind) {
    case op_kind::mov:
    case op_kind::alu:
    case op_kind::neg:
    case op_kind::bswap:
    case op_kind::sext:
    case op_kind::load:
    case op_kind::store:
    case op_kind::atomic:
    case op_kind::ld_abs:
    case op_kind::ret:
        f(o.a);
        f(o.b);
        break;
    case op_kind::call:
        for (std::int32_t i = 0; i < o.n; ++i) f(b.args[static_cast<std::size_t>(o.off + i)]);
        break;
    case op_kind::raw:
        for (std::int32_t i = 0; i < o.code; ++i) f(b.args[static_cast<std::size_t>(o.x + i)]);
        break;
    case op_kind::if_: tree(tree, o.x); break;
    case op_kind::end_loop: {
        operand idx = reg_op(o.dst);
        f(idx);
        o.dst = idx.reg();
        break;
    }
    default: break;
    }
}

/// Whether dropping `o` (when nobody reads its result) changes nothing else.
[[nodiscard]] constexpr bool pure(const op& o) noexcept {
    switch (o.kind) {
    case op_kind::mov:
    case op_kind::alu:
    case op_kind::neg:
    case op_kind::bswap:
    case op_kind::sext:
    case op_kind::load: return true;
    default: return false;
    }
}

/// Definitions and uses of every register, as op indices.
struct usage {
    buffer<std::int32_t> first_def, last_def, last_use, defs, uses;
    buffer<std::int32_t> loop_begin, loop_end; ///< matching loop/end_loop op indices
};

[[nodiscard]] constexpr usage analyse(builder& b) {
    const auto n = b.is_var.size();
    usage u;
    u.first_def = buffer<std::int32_t>(n, -1);
    u.last_def = buffer<std::int32_t>(n, -1);
    u.last_use = buffer<std::int32_t>(n, -1);
    u.defs = buffer<std::int32_t>(n, 0);
    u.uses = buffer<std::int32_t>(n, 0);
    buffer<std::int32_t> open;
    for (std::size_t i = 0; i < b.ops.size(); ++i) {
        auto& o = b.ops[i];
        const auto at = static_cast<std::int32_t>(i);
        for_each_use(b, o, [&](operand& x) {
            if (!x.is_reg()) return;
            const auto r = static_cast<std::size_t>(x.v);
            u.last_use[r] = at;
            ++u.uses[r];
        });
        if (o.kind == op_kind::loop) open.push_back(at);
        if (o.kind == op_kind::end_loop) {
            u.loop_begin.push_back(open.back());
            u.loop_end.push_back(at);
            open.pop_back();
        }
        if (o.dst != no_reg && o.kind != op_kind::nop) {
            const auto r = static_cast<std::size_t>(o.dst);
            if (u.first_def[r] < 0) u.first_def[r] = at;
            u.last_def[r] = at;
            ++u.defs[r];
        }
    }
    return u;
}

/// The last op index at which register r must still hold its value: its last
/// use, pushed to the end of every loop it is live into from outside.
[[nodiscard]] constexpr std::int32_t live_end(const usage& u, std::size_t r) {
    std::int32_t end = (u.last_use[r] > u.last_def[r] ? u.last_use[r] : u.last_def[r]);
    bool grew = true;
    while (grew) {
        grew = false;
        for (std::size_t l = 0; l < u.loop_begin.size(); ++l)
            if (u.first_def[r] < u.loop_begin[l] && end > u.loop_begin[l] && end < u.loop_end[l]) {
                end = u.loop_end[l];
                grew = true;
            }
    }
    return end;
}

/// Each if_ gets its own condition tree, so that passes may rewrite its operands.
constexpr void unshare_conditions(builder& b) {
    const auto clone = [&](auto&& self, std::int32_t c) -> std::int32_t {
        cond_node n = b.conds[static_cast<std::size_t>(c)];
        if (n.kind != cond_kind::cmp) {
            n.lhs = self(self, n.lhs);
            n.rhs = self(self, n.rhs);
        }
        b.conds.push_back(n);
        return static_cast<std::int32_t>(b.conds.size() - 1);
    };
    for (auto& o : b.ops)
        if (o.kind == op_kind::if_) o.x = clone(clone, o.x);
}

/// Pass 1: a copy of a value that does not change while the copy is live
/// becomes that value.
constexpr void propagate_copies(builder& b) {
    const auto u = analyse(b);
    const auto n = b.is_var.size();
    buffer<vreg> alias;
    for (std::size_t r = 0; r < n; ++r) alias.push_back(static_cast<vreg>(r));
    const auto resolve = [&](vreg r) {
        while (alias[static_cast<std::size_t>(r)] != r) r = alias[static_cast<std::size_t>(r)];
        return r;
    };
    // a variable's definitions, to check that none falls inside a copy's life
    buffer<buffer<std::int32_t>> var_defs;
    for (std::size_t r = 0; r < n; ++r) var_defs.emplace_back();
    for (std::size_t i = 0; i < b.ops.size(); ++i)
        if (const auto d = b.ops[i].dst; d != no_reg && b.is_var[static_cast<std::size_t>(d)] &&
                                         b.ops[i].kind != op_kind::nop)
            var_defs[static_cast<std::size_t>(d)].push_back(static_cast<std::int32_t>(i));

    for (std::size_t i = 0; i < b.ops.size(); ++i) {
        auto& o = b.ops[i];
        if (o.kind != op_kind::mov || !o.wide || !o.a.is_reg() || b.is_var[static_cast<std::size_t>(o.dst)]) continue;
        const vreg from = resolve(o.a.reg());
        if (b.is_var[static_cast<std::size_t>(from)]) {
            const auto end = live_end(u, static_cast<std::size_t>(o.dst));
            bool redefined = false;
            for (const auto d : var_defs[static_cast<std::size_t>(from)])
                redefined = redefined || (d > static_cast<std::int32_t>(i) && d <= end);
            if (redefined) continue;
        }
        alias[static_cast<std::size_t>(o.dst)] = from;
        o.kind = op_kind::nop;
    }
    for (auto& o : b.ops)
        for_each_use(b, o, [&](operand& x) {
            if (x.is_reg()) x.v = resolve(x.reg());
        });
}

/// Pass 2: `t = expr; var = t` (t read only there) becomes `var = expr`.
constexpr void retarget_assignments(builder& b) {
    const auto u = analyse(b);
    std::int32_t prev = -1;
    for (std::size_t i = 0; i < b.ops.size(); ++i) {
        auto& o = b.ops[i];
        if (o.kind == op_kind::nop) continue;
        const auto here = prev;
        prev = static_cast<std::int32_t>(i);
        if (o.kind != op_kind::mov || !o.wide || !o.a.is_reg() || here < 0) continue;
        const auto t = static_cast<std::size_t>(o.a.v);
        if (!b.is_var[static_cast<std::size_t>(o.dst)] || b.is_var[t] || u.defs[t] != 1 || u.uses[t] != 1) continue;
        auto& def = b.ops[static_cast<std::size_t>(here)];
        if (def.dst != o.a.reg()) continue;
        switch (def.kind) {
        case op_kind::mov:
        case op_kind::alu:
        case op_kind::neg:
        case op_kind::bswap:
        case op_kind::sext:
        case op_kind::load:
        case op_kind::call:
        case op_kind::ld_abs: break;
        default: continue;
        }
        // dst == b for a non-commutative operation would need a scratch register
        if (def.kind == op_kind::alu && !commutative(def.code) && def.b == reg_op(o.dst) && def.a != reg_op(o.dst))
            continue;
        def.dst = o.dst;
        o.kind = op_kind::nop;
        prev = here;
    }
}

/// Pass 3: drop pure operations whose results nobody reads.
constexpr void drop_unused(builder& b) {
    auto u = analyse(b);
    for (std::size_t i = b.ops.size(); i-- > 0;) {
        auto& o = b.ops[i];
        if (!pure(o) || o.dst == no_reg || u.uses[static_cast<std::size_t>(o.dst)] > 0) continue;
        for_each_use(b, o, [&](operand& x) {
            if (x.is_reg()) --u.uses[static_cast<std::size_t>(x.v)];
        });
        o.kind = op_kind::nop;
    }
}

[[nodiscard]] constexpr bool call_like(op_kind k) noexcept {
    return k == op_kind::call || k == op_kind::ld_abs || k == op_kind::raw;
}

/// Pass 4: a value stored to a stack slot is stored right after it is
/// computed, when nothing in between touches the stack or branches: it then
/// need not live across the helper calls in between (`t = f(); u = g();
/// key = t; value = u` becomes `t = f(); key = t; u = g(); value = u`).
constexpr void hoist_stores(builder& b) {
    const auto u = analyse(b); // (counts only: positions move below)
    const auto barrier = [&](op& o) {
        if (o.kind == op_kind::if_ || o.kind == op_kind::else_ || o.kind == op_kind::end_if ||
            o.kind == op_kind::loop || o.kind == op_kind::end_loop || o.kind == op_kind::ret || o.kind == op_kind::entry)
            return true;
        bool stack = false;
        for_each_use(b, o, [&](operand& x) { stack = stack || x.kind == src::stack; });
        return stack;
    };
    for (std::size_t j = 0; j < b.ops.size(); ++j) {
        const op s = b.ops[j];
        if (s.kind != op_kind::store || s.a.kind != src::stack || !s.b.is_reg()) continue;
        const auto v = static_cast<std::size_t>(s.b.v);
        if (b.is_var[v] || u.defs[v] != 1) continue;
        // back to the definition, through operations that leave the stack and the flow alone
        std::size_t d = j;
        while (d > 0 && b.ops[d - 1].dst != s.b.reg() && !barrier(b.ops[d - 1])) --d;
        if (d == 0 || b.ops[d - 1].dst != s.b.reg() || d == j) continue;
        for (std::size_t k = j; k > d; --k) b.ops[k] = b.ops[k - 1];
        b.ops[d] = s;
    }
}

/// The result of register allocation: a machine register per virtual one,
/// or the register to spill.
struct allocation {
    buffer<int> phys;
    vreg spill = no_reg;
};

/// Pass 6: linear scan. Positions: op i reads at 2i and writes at 2i + 1.
[[nodiscard]] constexpr allocation allocate(builder& b, const buffer<std::uint8_t>& unspillable) {
    const auto u = analyse(b);
    const auto n = b.is_var.size();
    allocation out;
    out.phys = buffer<int>(n, no_phys);

    auto start = buffer<std::int32_t>(n, -1), end = buffer<std::int32_t>(n, -1);
    auto crosses = buffer<std::uint8_t>(n, 0);
    auto use_hint = buffer<int>(n, no_phys), def_hint = buffer<int>(n, no_phys);
    buffer<std::int32_t> calls;
    for (std::size_t i = 0; i < b.ops.size(); ++i)
        if (call_like(b.ops[i].kind)) calls.push_back(static_cast<std::int32_t>(i));
    buffer<vreg> order;
    for (std::size_t r = 0; r < n; ++r) {
        if (u.first_def[r] < 0 || u.uses[r] == 0) continue; // (a result nobody reads needs no register)
        start[r] = 2 * u.first_def[r] + 1;
        end[r] = 2 * live_end(u, r) > 2 * u.last_def[r] + 1 ? 2 * live_end(u, r) : 2 * u.last_def[r] + 1;
        for (const auto c : calls) crosses[r] = crosses[r] || (start[r] < 2 * c && end[r] > 2 * c + 1);
        order.push_back(static_cast<vreg>(r));
    }
    // where each value is wanted next
    for (std::size_t i = 0; i < b.ops.size(); ++i) {
        auto& o = b.ops[i];
        const auto at = static_cast<std::int32_t>(i);
        if (o.kind == op_kind::ret && o.a.is_reg() && use_hint[static_cast<std::size_t>(o.a.v)] == no_phys)
            use_hint[static_cast<std::size_t>(o.a.v)] = 0;
        if (o.kind == op_kind::call || o.kind == op_kind::raw) {
            const auto first = o.kind == op_kind::call ? o.off : o.x;
            const auto count = o.kind == op_kind::call ? o.n : o.code;
            for (std::int32_t k = 0; k < count; ++k) {
                const auto& a = b.args[static_cast<std::size_t>(first + k)];
                if (a.is_reg() && u.last_use[static_cast<std::size_t>(a.v)] == at &&
                    use_hint[static_cast<std::size_t>(a.v)] == no_phys)
                    use_hint[static_cast<std::size_t>(a.v)] = k + 1;
            }
        }
        if (call_like(o.kind) && o.dst != no_reg) def_hint[static_cast<std::size_t>(o.dst)] = 0;
    }
    const bool pin_context = b.ld_abs_used;
    def_hint[static_cast<std::size_t>(builder::context())] = 1;

    // by start (counting sort: starts are positions, 2 per operation)
    {
        auto count = buffer<std::int32_t>(2 * b.ops.size() + 2, 0);
        for (const vreg v : order) ++count[static_cast<std::size_t>(start[static_cast<std::size_t>(v)]) + 1];
        for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
        auto sorted = buffer<vreg>(order.size(), 0);
        for (const vreg v : order) sorted[static_cast<std::size_t>(count[static_cast<std::size_t>(start[static_cast<std::size_t>(v)])]++)] = v;
        order = sorted;
    }
    // the operations that define each register (CSR: def_ops[def_at[r] .. def_at[r + 1]])
    auto def_at = buffer<std::int32_t>(n + 1, 0);
    for (const auto& o : b.ops)
        if (o.dst != no_reg && o.kind != op_kind::nop) ++def_at[static_cast<std::size_t>(o.dst) + 1];
    for (std::size_t r = 0; r < n; ++r) def_at[r + 1] += def_at[r];
    auto def_ops = buffer<std::int32_t>(static_cast<std::size_t>(def_at[n]), 0);
    {
        auto fill = def_at;
        for (std::size_t i = 0; i < b.ops.size(); ++i)
            if (const auto& o = b.ops[i]; o.dst != no_reg && o.kind != op_kind::nop)
                def_ops[static_cast<std::size_t>(fill[static_cast<std::size_t>(o.dst)]++)] = static_cast<std::int32_t>(i);
    }
    buffer<vreg> active;
    for (const vreg v : order) {
        const auto vi = static_cast<std::size_t>(v);
        std::size_t kept = 0;
        for (const vreg a : active)
            if (end[static_cast<std::size_t>(a)] >= start[vi]) active[kept++] = a;
        while (active.size() > kept) active.pop_back();
        unsigned allowed = crosses[vi] ? 0x3c0u : 0x3ffu; // r6-r9, or r0-r9
        if (pin_context && v == builder::context()) allowed = 1u << 6;
        for (const vreg a : active) allowed &= ~(1u << out.phys[static_cast<std::size_t>(a)]);
        // `dst = a - b` cannot put dst in b's register (unless a is there too)
        int two_address = no_phys;
        for (auto k = def_at[vi]; k < def_at[vi + 1]; ++k) {
            const auto i = static_cast<std::size_t>(def_ops[static_cast<std::size_t>(k)]);
            const auto& o = b.ops[i];
            if (o.kind == op_kind::alu && !commutative(o.code) && o.b.is_reg()) {
                const int pb = out.phys[static_cast<std::size_t>(o.b.v)];
                const int pa = o.a.is_reg() ? out.phys[static_cast<std::size_t>(o.a.v)] : no_phys;
                if (pb != no_phys && pb != pa) allowed &= ~(1u << pb);
            }
            const bool unary_or_alu = o.kind == op_kind::alu || o.kind == op_kind::mov || o.kind == op_kind::neg ||
                                      o.kind == op_kind::bswap || o.kind == op_kind::sext;
            if (two_address == no_phys && unary_or_alu && o.a.is_reg() &&
                end[static_cast<std::size_t>(o.a.v)] == 2 * static_cast<std::int32_t>(i))
                two_address = out.phys[static_cast<std::size_t>(o.a.v)];
            if (two_address == no_phys && o.kind == op_kind::load && o.a.is_reg() &&
                end[static_cast<std::size_t>(o.a.v)] == 2 * static_cast<std::int32_t>(i))
                two_address = out.phys[static_cast<std::size_t>(o.a.v)];
        }
        int pick = no_phys;
        const int preferred[] = {use_hint[vi], two_address, def_hint[vi], 1, 2, 3, 4, 5, 0, 6, 7, 8, 9};
        for (const int p : preferred)
            if (p != no_phys && (allowed & (1u << p)) != 0) {
                pick = p;
                break;
            }
        if (pick == no_phys) {
            // spill the value that lives longest among those in the way
            vreg victim = unspillable[vi] ? no_reg : v;
            const unsigned cls = crosses[vi] ? 0x3c0u : 0x3ffu;
            for (const vreg a : active) {
                const auto ai = static_cast<std::size_t>(a);
                if (unspillable[ai] || (cls & (1u << out.phys[ai])) == 0) continue;
                if (victim == no_reg || end[ai] > end[static_cast<std::size_t>(victim)]) victim = a;
            }
            if (victim == no_reg) diagnostic::too_many_values_live_across_helper_calls();
            out.spill = victim;
            return out;
        }
        out.phys[vi] = pick;
        active.push_back(v);
    }
    return out;
}

/// Rewrites the program so that register v lives in a stack slot: loaded
/// into a fresh register before each use, stored after each definition.
constexpr void spill(builder& b, vreg v, buffer<std::uint8_t>& unspillable) {
    const auto slot = b.stack_slot(8);
    buffer<op> out;
    out.reserve(b.ops.size() + 8);
    for (auto o : b.ops) {
        vreg loaded = no_reg;
        for_each_use(b, o, [&](operand& x) {
            if (!x.is_reg() || x.reg() != v) return;
            if (loaded == no_reg) {
                loaded = b.new_reg(false);
                out.push_back(op{op_kind::load, 8, true, false, loaded, stack_op(slot)});
            }
            x = reg_op(loaded);
        });
        vreg defined = no_reg;
        if (o.dst == v && o.kind != op_kind::nop) {
            defined = b.new_reg(false);
            o.dst = defined;
        }
        out.push_back(o);
        if (defined != no_reg) out.push_back(op{op_kind::store, 8, true, false, no_reg, stack_op(slot), reg_op(defined)});
    }
    b.ops = out;
    grow(unspillable, b.is_var.size(), std::uint8_t{1}); // the new registers live for one operation
}

// ---- emission ---------------------------------------------------------------

class emitter {
public:
    constexpr emitter(builder& b, const buffer<int>& phys) : b_(b), phys_(phys) {}

    [[nodiscard]] constexpr buffer<insn> run() {
        plan_returns();
        buffer<frame> stack;
        for (std::size_t i = 0; i < b_.ops.size(); ++i) {
            const op& o = b_.ops[i];
            switch (o.kind) {
            case op_kind::nop: break;
            case op_kind::entry:
                if (R(o.dst) != no_phys && R(o.dst) != 1) mov_reg(R(o.dst), 1, true);
                break;
            case op_kind::if_: {
                if (const auto r = return_branch(i); r >= 0) {
                    // `if (c) return k;`: a jump to the shared `r0 = k; exit`
                    jump_if(o.x, true, tail(b_.ops[static_cast<std::size_t>(r)].a.v));
                    stack.push_back(frame{true, -1, -1});
                    i = static_cast<std::size_t>(r); // on to the else_/end_if
                    break;
                }
                const auto otherwise = new_label();
                jump_if(o.x, false, otherwise);
                stack.push_back(frame{false, otherwise, -1});
                break;
            }
            case op_kind::else_: {
                auto& f = stack.back();
                if (f.jumped) break; // the then-branch is a jump: the else-branch falls through
                if (reachable_) {
                    f.end = new_label();
                    jump(f.end);
                }
                place(f.otherwise);
                f.otherwise = -1;
                break;
            }
            case op_kind::end_if: {
                const auto f = stack.back();
                stack.pop_back();
                if (f.otherwise >= 0) place(f.otherwise); // no else_
                if (f.end >= 0) place(f.end);
                break;
            }
            case op_kind::loop: {
                emit(make_insn(code::alu | code::mov | code::k, reg(o.dst), 0, 0, 0));
                const auto top = new_label();
                place(top);
                stack.push_back(frame{false, top, -1});
                break;
            }
            case op_kind::end_loop: {
                const auto f = stack.back();
                stack.pop_back();
                const auto i_reg = reg(o.dst);
                emit(make_insn(code::alu | code::add | code::k, i_reg, 0, 0, 1));
                const auto trips = b_.ops[static_cast<std::size_t>(loop_op_of(i))].x;
                emit_jump(make_insn(code::jmp32 | code::jlt | code::k, i_reg, 0, 0, trips), f.otherwise);
                reachable_ = true;
                break;
            }
            case op_kind::ret: emit_return(o, i); break;
            default: emit_op(o); break;
            }
        }
        for (auto& t : tails_)
            if (!t.placed && t.used) { // after the program
                place(t.label);
                emit_constant_return(t.value);
            }
        for (const auto& f : fixups_) {
            const auto delta = label_pos_[static_cast<std::size_t>(f.label)] - f.at - 1;
            if (delta < INT16_MIN || delta > INT16_MAX) diagnostic::program_too_long_for_a_16_bit_jump();
            out_[static_cast<std::size_t>(f.at)].off = static_cast<std::int16_t>(delta);
        }
        return out_;
    }

private:
    struct frame {
        bool jumped;            ///< the then-branch was folded into a jump to a shared return
        std::int32_t otherwise; ///< if: the else label; loop: the top
        std::int32_t end;       ///< if with else: the end label
    };
    struct fixup {
        std::int32_t at;
        std::int32_t label;
    };
    struct return_tail {
        std::int64_t value;
        std::int32_t label;
        int sites = 0;       ///< returns of this constant (a jump counts as two)
        bool used = false;   ///< jumped to
        bool placed = false; ///< its `r0 = k; exit` is emitted
    };

    builder& b_;
    const buffer<int>& phys_;
    buffer<insn> out_;
    buffer<std::int32_t> label_pos_;
    buffer<fixup> fixups_;
    buffer<return_tail> tails_;
    std::size_t last_op_ = 0;
    bool reachable_ = true;

    [[nodiscard]] constexpr int R(vreg v) const { return v == no_reg ? no_phys : phys_[static_cast<std::size_t>(v)]; }
    [[nodiscard]] constexpr std::uint8_t reg(vreg v) const { return static_cast<std::uint8_t>(R(v)); }

    [[nodiscard]] constexpr std::size_t next_op(std::size_t i) const {
        ++i;
        while (i < b_.ops.size() && b_.ops[i].kind == op_kind::nop) ++i;
        return i < b_.ops.size() ? i : b_.ops.size() - 1;
    }
    [[nodiscard]] constexpr std::int32_t loop_op_of(std::size_t end_at) const {
        int depth = 0;
        for (std::size_t i = end_at; i-- > 0;) {
            if (b_.ops[i].kind == op_kind::end_loop) ++depth;
            if (b_.ops[i].kind == op_kind::loop && depth-- == 0) return static_cast<std::int32_t>(i);
        }
        return 0;
    }

    constexpr void emit(const insn& i) {
        out_.push_back(i);
        reachable_ = true;
    }
    [[nodiscard]] constexpr std::int32_t new_label() {
        label_pos_.push_back(-1);
        return static_cast<std::int32_t>(label_pos_.size() - 1);
    }
    [[nodiscard]] constexpr bool label_at(std::int32_t pos) const {
        for (const auto p : label_pos_)
            if (p == pos) return true;
        return false;
    }
    constexpr void place(std::int32_t label) {
        // a jump to the very next instruction is no jump
        while (!out_.empty() && !fixups_.empty() && fixups_.back().label == label &&
               fixups_.back().at == static_cast<std::int32_t>(out_.size()) - 1 &&
               out_.back().code == (code::jmp | code::ja) &&
               !label_at(static_cast<std::int32_t>(out_.size()) - 1)) {
            out_.pop_back();
            fixups_.pop_back();
        }
        label_pos_[static_cast<std::size_t>(label)] = static_cast<std::int32_t>(out_.size());
        for (const auto& f : fixups_)
            if (f.label == label) reachable_ = true;
    }
    constexpr void emit_jump(const insn& i, std::int32_t label) {
        fixups_.push_back({static_cast<std::int32_t>(out_.size()), label});
        out_.push_back(i);
    }
    constexpr void jump(std::int32_t label) {
        emit_jump(make_insn(code::jmp | code::ja, 0, 0, 0, 0), label);
        reachable_ = false;
    }

    /// Jumps to `label` when condition c is `sense`, falls through otherwise.
    constexpr void jump_if(std::int32_t c, bool sense, std::int32_t label) {
        const cond_node n = b_.conds[static_cast<std::size_t>(c)];
        if (n.kind == cond_kind::cmp) {
            auto jop = sense ? n.jop : inverse_jump(n.jop);
            const std::uint8_t cls = n.wide ? code::jmp : code::jmp32;
            const bool negated_test = jop == code::ja; // !(a & b): no such jump
            if (negated_test) jop = code::jset;
            insn j = n.b.is_reg()
                         ? make_insn(static_cast<std::uint8_t>(cls | jop | code::x), reg(n.a.reg()), reg(n.b.reg()), 0, 0)
                         : make_insn(static_cast<std::uint8_t>(cls | jop | code::k), reg(n.a.reg()), 0, 0,
                                     static_cast<std::int32_t>(static_cast<std::uint32_t>(n.b.v)));
            if (negated_test) {
                j.off = 1;
                out_.push_back(j);
                jump(label);
                reachable_ = true;
            } else {
                emit_jump(j, label);
            }
            return;
        }
        const bool all = n.kind == cond_kind::all;
        if (all == sense) { // (a && b) true, or (a || b) false: both must hold
            const auto skip = new_label();
            jump_if(n.lhs, !sense, skip);
            jump_if(n.rhs, sense, label);
            place(skip);
        } else {
            jump_if(n.lhs, sense, label);
            jump_if(n.rhs, sense, label);
        }
    }

    // ---- returns ------------------------------------------------------------

    /// For an if_ at i whose then-branch is only `return k` (and nothing
    /// else before its else_/end_if): the index of that return; else -1.
    [[nodiscard]] constexpr std::int32_t return_branch(std::size_t i) const {
        const auto body = next_op(i);
        const auto after = next_op(body);
        const op& r = b_.ops[body];
        if (r.kind == op_kind::ret && r.a.is_imm() &&
            (b_.ops[after].kind == op_kind::end_if || b_.ops[after].kind == op_kind::else_))
            return static_cast<std::int32_t>(body);
        return -1;
    }

    /// Returns of one constant from several places share one `r0 = k; exit`:
    /// at the last return if that returns k, else after the program.
    constexpr void plan_returns() {
        for (std::size_t i = 0; i < b_.ops.size(); ++i)
            if (b_.ops[i].kind != op_kind::nop) last_op_ = i;
        for (std::size_t i = 0; i < b_.ops.size(); ++i) {
            const op& o = b_.ops[i];
            if (o.kind == op_kind::if_) {
                if (const auto r = return_branch(i); r >= 0) {
                    tail_entry(b_.ops[static_cast<std::size_t>(r)].a.v).sites += 2; // a jump needs the tail
                    i = static_cast<std::size_t>(r);
                }
            } else if (o.kind == op_kind::ret && o.a.is_imm()) {
                tail_entry(o.a.v).sites += 1;
            }
        }
    }
    [[nodiscard]] constexpr return_tail& tail_entry(std::int64_t k) {
        for (auto& t : tails_)
            if (t.value == k) return t;
        tails_.push_back({k, new_label()});
        return tails_.back();
    }
    [[nodiscard]] constexpr std::int32_t tail(std::int64_t k) {
        auto& t = tail_entry(k);
        t.used = true;
        return t.label;
    }
    constexpr void emit_return(const op& o, std::size_t at) {
        if (o.a.is_imm()) {
            auto& t = tail_entry(o.a.v);
            if (t.sites > 1 && !t.placed && at == last_op_) {
                t.placed = t.used = true;
                place(t.label);
            } else if (t.sites > 1) {
                t.used = true;
                jump(t.label);
                return;
            }
            emit_constant_return(o.a.v);
            return;
        }
        if (R(o.a.reg()) != 0) mov_reg(0, reg(o.a.reg()), true);
        emit(make_insn(code::jmp | code::exit, 0, 0, 0, 0));
        reachable_ = false;
    }
    constexpr void emit_constant_return(std::int64_t k) {
        set_constant(0, k, true);
        emit(make_insn(code::jmp | code::exit, 0, 0, 0, 0));
        reachable_ = false;
    }

    // ---- plain operations ---------------------------------------------------

    constexpr void mov_reg(int dst, int from, bool wide) {
        emit(make_insn(static_cast<std::uint8_t>((wide ? code::alu64 : code::alu) | code::mov | code::x),
                       static_cast<std::uint8_t>(dst), static_cast<std::uint8_t>(from), 0, 0));
    }
    constexpr void set_constant(int dst, std::int64_t k, bool wide) {
        const auto d = static_cast<std::uint8_t>(dst);
        if (!wide) {
            emit(make_insn(code::alu | code::mov | code::k, d, 0, 0,
                           static_cast<std::int32_t>(static_cast<std::uint32_t>(k))));
        } else if (fits_s32(k)) {
            emit(make_insn(code::alu64 | code::mov | code::k, d, 0, 0, static_cast<std::int32_t>(k)));
        } else if (k >= 0 && k <= INT64_C(0xffffffff)) { // mov32 zero-extends
            emit(make_insn(code::alu | code::mov | code::k, d, 0, 0,
                           static_cast<std::int32_t>(static_cast<std::uint32_t>(k))));
        } else {
            const auto u = static_cast<std::uint64_t>(k);
            emit(make_insn(code::ld | code::dw | code::imm, d, 0, 0,
                           static_cast<std::int32_t>(static_cast<std::uint32_t>(u))));
            emit(make_insn(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(u >> 32))));
        }
    }
    /// dst = operand (any kind).
    constexpr void materialise(int dst, const operand& a, bool wide) {
        switch (a.kind) {
        case src::reg:
            if (R(a.reg()) != dst || !wide) mov_reg(dst, R(a.reg()), wide);
            break;
        case src::imm: set_constant(dst, a.v, wide); break;
        case src::stack:
            mov_reg(dst, 10, true);
            emit(make_insn(code::alu64 | code::add | code::k, static_cast<std::uint8_t>(dst), 0, 0,
                           static_cast<std::int32_t>(a.v)));
            break;
        case src::map:
            emit(make_insn(code::ld | code::dw | code::imm, static_cast<std::uint8_t>(dst), pseudo::map_idx, 0,
                           static_cast<std::int32_t>(a.v)));
            emit(make_insn(0, 0, 0, 0, 0));
            break;
        case src::none: break;
        }
    }

    /// The base register and offset of a memory operand.
    [[nodiscard]] constexpr std::uint8_t base_of(const operand& a) const {
        return a.kind == src::stack ? 10 : reg(a.reg());
    }
    [[nodiscard]] static constexpr std::int16_t offset_of(const operand& a, std::int32_t off) {
        return static_cast<std::int16_t>(a.kind == src::stack ? a.v + off : off);
    }
    [[nodiscard]] static constexpr std::uint8_t size_code(unsigned bytes) {
        return bytes == 1 ? code::b : bytes == 2 ? code::h : bytes == 4 ? code::w : code::dw;
    }

    /// dst <code>= x; `sign`: signed division or modulo (off 1, cpu v4).
    constexpr void alu_with(std::uint8_t alu_code, bool wide, int dst, const operand& x, bool sign = false) {
        const std::uint8_t cls = wide ? code::alu64 : code::alu;
        const std::int16_t off = sign ? 1 : 0;
        if (x.is_reg())
            emit(make_insn(static_cast<std::uint8_t>(cls | alu_code | code::x), static_cast<std::uint8_t>(dst),
                           reg(x.reg()), off, 0));
        else
            emit(make_insn(static_cast<std::uint8_t>(cls | alu_code | code::k), static_cast<std::uint8_t>(dst), 0, off,
                           static_cast<std::int32_t>(static_cast<std::uint32_t>(x.v))));
    }

    constexpr void emit_op(const op& o) {
        const int d = R(o.dst);
        switch (o.kind) {
        case op_kind::mov: materialise(d, o.a, o.wide); break;
        case op_kind::alu:
            if (o.a.is_reg() && R(o.a.reg()) == d) {
                alu_with(o.code, o.wide, d, o.b, o.sign);
            } else if (commutative(o.code) && o.b.is_reg() && R(o.b.reg()) == d) {
                alu_with(o.code, o.wide, d, o.a);
            } else {
                materialise(d, o.a, o.wide);
                alu_with(o.code, o.wide, d, o.b, o.sign);
            }
            break;
        case op_kind::neg:
            if (!(o.a.is_reg() && R(o.a.reg()) == d)) materialise(d, o.a, o.wide);
            emit(make_insn(static_cast<std::uint8_t>((o.wide ? code::alu64 : code::alu) | code::neg),
                           static_cast<std::uint8_t>(d), 0, 0, 0));
            break;
        case op_kind::bswap:
            if (!(o.a.is_reg() && R(o.a.reg()) == d)) materialise(d, o.a, true);
            emit(make_insn(code::alu | code::end | code::to_be, static_cast<std::uint8_t>(d), 0, 0, o.code));
            break;
        case op_kind::sext:
            if (!(o.a.is_reg() && R(o.a.reg()) == d)) materialise(d, o.a, true);
            emit(make_insn(code::alu64 | code::lsh | code::k, static_cast<std::uint8_t>(d), 0, 0, 64 - o.code));
            emit(make_insn(code::alu64 | code::arsh | code::k, static_cast<std::uint8_t>(d), 0, 0, 64 - o.code));
            break;
        case op_kind::load:
            emit(make_insn(static_cast<std::uint8_t>(code::ldx | (o.sign ? code::memsx : code::mem) | size_code(o.code)),
                           static_cast<std::uint8_t>(d), base_of(o.a), offset_of(o.a, o.off), 0));
            break;
        case op_kind::store:
            if (o.b.is_reg())
                emit(make_insn(static_cast<std::uint8_t>(code::stx | code::mem | size_code(o.code)), base_of(o.a),
                               reg(o.b.reg()), offset_of(o.a, o.off), 0));
            else
                emit(make_insn(static_cast<std::uint8_t>(code::st | code::mem | size_code(o.code)), base_of(o.a), 0,
                               offset_of(o.a, o.off), static_cast<std::int32_t>(o.b.v)));
            break;
        case op_kind::atomic:
            emit(make_insn(static_cast<std::uint8_t>(code::stx | code::atomic | size_code(static_cast<unsigned>(o.n))),
                           base_of(o.a), reg(o.b.reg()), offset_of(o.a, o.off), o.code));
            break;
        case op_kind::call:
            pass_arguments(o.off, o.n);
            emit(make_insn(code::jmp | code::call, 0, 0, 0, o.x));
            if (d != no_phys && d != 0) mov_reg(d, 0, true);
            break;
        case op_kind::raw:
            pass_arguments(o.x, o.code);
            for (std::int32_t k = 0; k < o.n; ++k) emit(b_.raw[static_cast<std::size_t>(o.off + k)]);
            if (d != no_phys && d != 0) mov_reg(d, 0, true);
            break;
        case op_kind::ld_abs:
            if (o.a.is_reg())
                emit(make_insn(static_cast<std::uint8_t>(code::ld | code::ind | size_code(o.code)), 0,
                               reg(o.a.reg()), 0, o.off));
            else
                emit(make_insn(static_cast<std::uint8_t>(code::ld | code::abs | size_code(o.code)), 0, 0, 0, o.off));
            if (d != no_phys && d != 0) mov_reg(d, 0, true);
            break;
        default: break;
        }
    }

    /// Moves arguments into r1..r5 as one parallel copy: registers first (a
    /// cycle is broken through r0, or by xor-swaps when r0 is a source),
    /// then constants and stack addresses, then maps.
    constexpr void pass_arguments(std::int32_t first, std::int32_t count) {
        struct move {
            int to, from;
        };
        buffer<move> moves;
        for (std::int32_t k = 0; k < count; ++k) {
            const auto& a = b_.args[static_cast<std::size_t>(first + k)];
            if (a.is_reg() && R(a.reg()) != k + 1) moves.push_back({k + 1, R(a.reg())});
        }
        while (!moves.empty()) {
            bool progressed = false;
            for (std::size_t m = 0; m < moves.size(); ++m) {
                bool blocked = false;
                for (std::size_t o = 0; o < moves.size(); ++o)
                    blocked = blocked || (o != m && moves[o].from == moves[m].to);
                if (blocked) continue;
                mov_reg(moves[m].to, moves[m].from, true);
                moves.erase(moves.begin() + static_cast<std::ptrdiff_t>(m));
                progressed = true;
                break;
            }
            if (progressed) continue;
            // only cycles left: free one destination
            const int to = moves.front().to;
            bool r0_busy = false;
            for (const auto& m : moves) r0_busy = r0_busy || m.from == 0;
            if (!r0_busy) {
                mov_reg(0, to, true);
                for (auto& m : moves)
                    if (m.from == to) m.from = 0;
            } else { // swap `to` with its source, then everything that read either follows
                const int from = moves.front().from;
                for (const int pair : {0, 1, 0}) {
                    const int d = pair == 0 ? to : from, s = pair == 0 ? from : to;
                    emit(make_insn(code::alu64 | code::xor_ | code::x, static_cast<std::uint8_t>(d),
                                   static_cast<std::uint8_t>(s), 0, 0));
                }
                moves.erase(moves.begin());
                for (auto& m : moves) m.from = m.from == to ? from : m.from == from ? to : m.from;
            }
        }
        for (const bool maps : {false, true}) // maps last, as the kernel's samples write it
            for (std::int32_t k = 0; k < count; ++k) {
                const auto& a = b_.args[static_cast<std::size_t>(first + k)];
                if (!a.is_reg() && (a.kind == src::map) == maps) materialise(k + 1, a, true);
            }
    }
};

/// The whole pipeline: the program's instructions.
[[nodiscard]] constexpr buffer<insn> lower(builder& b) {
    unshare_conditions(b);
    propagate_copies(b);
    retarget_assignments(b);
    drop_unused(b);
    hoist_stores(b);
    auto unspillable = buffer<std::uint8_t>(b.is_var.size(), 0);
    for (const auto& o : b.ops)
        if (o.kind == op_kind::loop) unspillable[static_cast<std::size_t>(o.dst)] = 1;
    if (b.ld_abs_used) unspillable[static_cast<std::size_t>(builder::context())] = 1;
    for (int round = 0;; ++round) {
        auto a = allocate(b, unspillable);
        if (a.spill == no_reg) return emitter(b, a.phys).run();
        if (round > 64) diagnostic::too_many_values_live_across_helper_calls();
        spill(b, a.spill, unspillable);
    }
}

} // namespace bpfxx::c::detail
