// The instruction classifier (bpfxx/isa/classify.hpp) and its consumers:
// every opcode byte, with the register, offset and immediate values that
// pick operations or break encodings, through the classifier, the checks,
// the disassembler, the interpreter's fast decoder and its general path. All
// must agree on whether an encoding is valid and on what each instruction
// reads and writes — the disassembler by the registers its text names, the
// interpreter by the registers it faults on when they hold no value and the
// ones that hold a value after it ran.
#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/text.hpp>
#include <bpfxx/vm.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace bpfxx;
namespace vm = bpfxx::vm;
using u8 = std::uint8_t;
using F = insn_form;

// ---- compile time ---------------------------------------------------------------

static_assert(classify(make_insn(0x61, 0, 1, 4, 0)).form == F::load);
static_assert(classify(make_insn(0x61, 0, 1, 4, 0)).reads == reg_bit(1));
static_assert(classify(make_insn(0x61, 0, 1, 4, 0)).writes == reg_bit(0));
static_assert(classify(make_insn(0xbf, 1, 2, 8, 0)).form == F::movsx);
static_assert(classify(make_insn(0xbf, 1, 2, 1, 1 << 16)).form == F::addr_space_cast);
static_assert(classify(make_insn(0xbf, 1, 2, 1, 2)).error == insn_error::bad_opcode);
static_assert(classify(make_insn(0xdb, 1, 2, 0, atomic_op::cmpxchg)).reads == (reg_bit(0) | reg_bit(1) | reg_bit(2)));
static_assert(classify(make_insn(0xdb, 1, 2, 0, atomic_op::add | atomic_op::fetch)).writes == reg_bit(2));
static_assert(classify(make_insn(0x85, 0, 0, 0, 1)).clobbers == call_argument_regs);
static_assert(classify(make_insn(0x95, 1, 0, 0, 0)).error == insn_error::reserved_field);
static_assert(classify(make_insn(0x95, 1, 0, 0, 0)).error_detail == static_cast<u8>(insn_field::dst_reg));
static_assert(classify(make_insn(0x0f, 1, 11, 0, 0)).error == insn_error::bad_register);
static_assert(classify(make_insn(0x18, 1, 0, 0, 1)).error == insn_error::incomplete_ld_imm64);
static_assert(classify(make_insn(0x18, 1, 0, 0, 1), insn{}).slots == 2);
static_assert(classify(make_insn(0x18, 1, 4, 0, 1), insn{}).target == insn_target::subprogram);
static_assert(classify(make_insn(0x18, 1, 1, 0, 1), make_insn(0, 0, 0, 0, 1)).error_detail ==
              static_cast<u8>(insn_field::next_imm));
static_assert(is_indirect(classify(make_insn(0x8d, 3, 0, 0, 0)).form));
static_assert(is_ld_imm64(make_insn(0x18, 0, 0, 0, 0)) && !is_ld_imm64(make_insn(0x10, 0, 0, 0, 0)));
static_assert(is_helper_call(ops::call(helper::map_lookup_elem)) && !is_local_call(ops::call(helper::map_lookup_elem)));

// ---- the sweep ------------------------------------------------------------------

// Registers: ordinary ones, r6 (ld_abs), r10 (read-only), above r10.
constexpr u8 sweep_regs[] = {0, 1, 6, 10, 11};
// Offsets: none, signed division and addr_space_cast, movsx widths, reserved ones.
constexpr std::int16_t sweep_offs[] = {0, 1, -1, 8, 16, 32, 64};
// Immediates: END widths and a bad one, atomic operations (with and without
// fetch, and some that are none), addr_space_cast address spaces, helpers
// with no arguments, and plain numbers.
constexpr std::int32_t sweep_imms[] = {0,    1,    -1,   2,    5,    7,     8,     16,      32,  64,
                                       0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1,  0xe0,  0xe1,    0xf1, 0x100,
                                       0x110, 0x101, 1 << 16};
// Second slots of ld_imm64: clean (with and without an upper half) and each field set.
const insn sweep_his[] = {insn{},
                          make_insn(0, 0, 0, 0, 5),
                          make_insn(1, 0, 0, 0, 0),
                          make_insn(0, 1, 0, 0, 0),
                          make_insn(0, 0, 1, 0, 0),
                          make_insn(0, 0, 0, 1, 0)};

struct encoding {
    insn lo;
    insn hi;
    bool has_hi; ///< a second slot follows (ld_imm64 only)
};

std::vector<encoding> sweep() {
    std::vector<encoding> all;
    for (int op = 0; op < 256; ++op)
        for (u8 d : sweep_regs)
            for (u8 s : sweep_regs)
                for (auto o : sweep_offs)
                    for (auto m : sweep_imms) {
                        const insn lo = make_insn(static_cast<u8>(op), d, s, o, m);
                        if (!is_ld_imm64(lo)) {
                            all.push_back({lo, insn{}, false});
                            continue;
                        }
                        all.push_back({lo, insn{}, false}); // cut off
                        for (const auto& hi : sweep_his) all.push_back({lo, hi, true});
                    }
    return all;
}

insn_info classified(const encoding& e) { return e.has_hi ? classify(e.lo, e.hi) : classify(e.lo); }

std::string describe(const encoding& e) {
    std::string s = "code " + std::to_string(e.lo.code) + " dst " + std::to_string(e.lo.dst_reg) + " src " +
                    std::to_string(e.lo.src_reg) + " off " + std::to_string(e.lo.off) + " imm " +
                    std::to_string(e.lo.imm);
    if (e.has_hi)
        s += " | next code " + std::to_string(e.hi.code) + " dst " + std::to_string(e.hi.dst_reg) + " src " +
             std::to_string(e.hi.src_reg) + " off " + std::to_string(e.hi.off) + " imm " + std::to_string(e.hi.imm);
    return s;
}

/// The registers a disassembly names (`r3`, `w3`, not `bswap16` or `u32`).
reg_set named_registers(std::string_view t) {
    reg_set named = 0;
    for (std::size_t p = 0; p + 1 < t.size(); ++p) {
        if (t[p] != 'r' && t[p] != 'w') continue;
        if (p > 0 && (std::isalnum(static_cast<unsigned char>(t[p - 1])) != 0 || t[p - 1] == '_')) continue;
        std::size_t q = p + 1;
        unsigned r = 0;
        while (q < t.size() && std::isdigit(static_cast<unsigned char>(t[q])) != 0) r = r * 10 + (t[q++] - '0');
        if (q == p + 1 || (q < t.size() && (std::isalnum(static_cast<unsigned char>(t[q])) != 0 || t[q] == '_')))
            continue;
        named = static_cast<reg_set>(named | reg_bit(r));
    }
    return named;
}

/// The registers an instruction uses without naming them: r0 of calls and
/// exit, the arguments of a helper call (r1..rN of its signature), r6 of the
/// legacy packet loads.
reg_set implicit_registers(F form, std::int32_t imm) {
    switch (form) {
    case F::call_helper: return static_cast<reg_set>(reg_bit(0) | helper_argument_regs(imm));
    case F::exit:
    case F::call_local:
    case F::call_kfunc:
    case F::callx: return reg_bit(0);
    case F::ld_abs:
    case F::ld_ind: return reg_bit(6);
    default: return 0;
    }
}

// ---- the interpreter, instruction by instruction -------------------------------

// A short budget: a jump to itself (`goto -1`) must not run long.
constexpr vm::limits general_only{.budget = 1000, .decode = false};
constexpr vm::limits decoded_too{.budget = 1000};
using machine = vm::machine<type_list<>, general_only>;

/// The encoding alone (and `exit` after it), run on memory: how the general
/// path ends on its first slot.
vm::fault first_slot_fault(machine& m, const encoding& e) {
    std::vector<insn> code{e.lo};
    if (e.has_hi) code.push_back(e.hi);
    if (e.has_hi || !is_ld_imm64(e.lo)) code.push_back(make_insn(0x95, 0, 0, 0, 0));
    const std::array<u8, 16> mem{};
    const auto r = m.run_on_memory(std::span<const insn>(code), mem);
    return r.error.pc == 0 ? r.error : vm::fault{};
}

/// Helpers the probes may call: they read no argument register.
bool reads_no_arguments(std::int32_t id) {
    const auto h = static_cast<helper>(id);
    return h == helper::ktime_get_ns || h == helper::get_prandom_u32 || h == helper::get_smp_processor_id;
}

/// A program for the tc context that gives registers `set` a value (the
/// memory access's base a pointer into zeroed stack bytes, r6 the context,
/// the others 0) and no value to the others (but r10 and, when `keep_r1`,
/// r1; otherwise a helper call unsets r1..r5 and sets r0), then runs the
/// encoding; `probe` >= 0 then reads that register (`mov r0, rN`). It exits
/// with 1234567. Returns the slot of the encoding.
std::size_t probe_program(std::vector<insn>& code, const encoding& e, const insn_info& c, reg_set set,
                          bool keep_r1, int probe) {
    code.clear();
    for (int k = 1; k <= 11; ++k) code.push_back(make_insn(0x7a, 10, 0, static_cast<std::int16_t>(-8 * k), 0));
    if (set & reg_bit(6)) code.push_back(make_insn(0xbf, 6, 1, 0, 0)); // r6 = ctx (still in r1)
    if (!keep_r1) code.push_back(make_insn(0x85, 0, 0, 0, static_cast<std::int32_t>(helper::get_prandom_u32)));
    for (unsigned k = 0; k < 10; ++k) {
        if (!(set & reg_bit(k)) || k == 6) continue;
        if (c.mem != mem_use::none && k == c.base) {
            code.push_back(make_insn(0xbf, static_cast<u8>(k), 10, 0, 0)); // rk = r10 - 80: off -1 .. 64 stay inside
            code.push_back(make_insn(0x07, static_cast<u8>(k), 0, 0, -80));
        } else {
            code.push_back(make_insn(0xb7, static_cast<u8>(k), 0, 0, 0));
        }
    }
    if (c.mem != mem_use::none && c.base == 6 && (set & reg_bit(6))) {
        code.push_back(make_insn(0xbf, 6, 10, 0, 0));
        code.push_back(make_insn(0x07, 6, 0, 0, -80));
    }
    const std::size_t at = code.size();
    code.push_back(e.lo);
    if (e.has_hi) code.push_back(e.hi);
    if (probe >= 0) code.push_back(make_insn(0xbf, 0, static_cast<u8>(probe), 0, 0));
    code.push_back(make_insn(0xb7, 0, 0, 0, 1234567));
    code.push_back(make_insn(0x95, 0, 0, 0, 0));
    return at;
}

/// A 64-byte IPv4 frame for the tc runs.
constexpr std::array<u8, 64> frame = [] {
    std::array<u8, 64> f{};
    f[12] = 0x08;
    f[14] = 0x45;
    return f;
}();

} // namespace

TEST_SUITE("classify") {

TEST_CASE("opcode table: the opcode bytes that name an instruction") {
    std::size_t alu = 0, jump = 0, memory = 0;
    for (unsigned c = 0; c < 256; ++c) {
        if (detail::classifying::opcode_table.rows[c].form == F::invalid) continue;
        const auto cls = code::class_of(static_cast<u8>(c));
        (cls == code::alu || cls == code::alu64 ? alu : cls == code::jmp || cls == code::jmp32 ? jump : memory) += 1;
    }
    // ALU: 14 operations, K and X, but neg has no X form and ALU64's END (bswap) only K: 27 + 26
    CHECK(alu == 53);
    // JMP and JMP32: 11 conditions, K and X (44); ja, gotox, gotol; call, callx; exit; may_goto
    CHECK(jump == 51);
    // ld_imm64; ld_abs and ld_ind of 1, 2, 4 bytes; ldx of 4 sizes, memsx of 3; st, stx, atomic of 4
    CHECK(memory == 26);
}

TEST_CASE("sweep: the checks, the disassembler and both interpreter decoders agree with the classifier") {
    const auto all = sweep();
    auto m = std::make_unique<machine>();
    std::size_t valid = 0, invalid = 0, failures = 0;
    const auto fail = [&](const encoding& e, const std::string& what) {
        if (failures++ < 20) FAIL_CHECK(describe(e) << ": " << what);
    };
    for (const auto& e : all) {
        const insn_info c = classified(e);
        c.valid() ? ++valid : ++invalid;

        // the checks: the classifier's verdict, and indirect jumps and calls refused
        const auto d = detail::checking::decode(e.lo, e.hi, e.has_hi, 100);
        const bool check_accepts = d.problem == check_problem::none || d.problem == check_problem::unknown_helper;
        if (check_accepts != (c.valid() && !is_indirect(c.form))) fail(e, "the checks disagree on validity");
        if (check_accepts && (d.reads != c.reads || d.writes != c.writes || d.clobbers != c.clobbers))
            fail(e, "the checks see other registers");

        // the disassembler: decodes exactly the valid encodings, and names the
        // registers read and written (but those calls, exit and ld_abs imply)
        const auto text = e.has_hi ? to_string(e.lo, e.hi) : to_string(e.lo);
        const bool text_decodes = text != unknown_insn_text;
        if (text_decodes != c.valid()) fail(e, "to_string gives \"" + std::string(text.view()) + "\"");
        const reg_set explicit_regs = static_cast<reg_set>(((c.fields & insn_uses::dst) ? reg_bit(e.lo.dst_reg) : 0) |
                                                           ((c.fields & insn_uses::src) ? reg_bit(e.lo.src_reg) : 0));
        if (text_decodes &&
            named_registers(text.view()) !=
                static_cast<reg_set>(((c.reads | c.writes) & ~implicit_registers(c.form, e.lo.imm)) | explicit_regs))
            fail(e, "\"" + std::string(text.view()) + "\" names other registers than it reads and writes");

        // the fast decoder: only valid instructions that write no r10, needing what they read
        if (!e.has_hi) {
            const auto op = vm::detail::decode(e.lo, 0, 200);
            if (op.code != vm::detail::general) {
                if (!c.valid() || (c.writes & reg_bit(10))) fail(e, "the fast decoder takes an invalid instruction");
                if (op.need != c.reads) fail(e, "the fast decoder needs other registers");
            }
        }

        // the general path: refuses exactly the invalid encodings, with the
        // classifier's reason; refuses a write of r10; does not run the
        // valid instructions it has no model of
        const auto f = first_slot_fault(*m, e);
        switch (c.error) {
        case insn_error::none:
            if (c.writes & reg_bit(10)) {
                if (f.kind != vm::fault_kind::bad_register || f.size != 10) fail(e, "the interpreter writes r10");
            } else if (f.kind == vm::fault_kind::bad_opcode || f.kind == vm::fault_kind::bad_register) {
                fail(e, "the interpreter refuses a valid instruction");
            } else if ((c.form == F::addr_space_cast || is_indirect(c.form) || c.form == F::call_kfunc) &&
                       f.kind != vm::fault_kind::unsupported) {
                fail(e, "the interpreter runs an instruction it has no model of");
            }
            break;
        case insn_error::bad_register:
            if (f.kind != vm::fault_kind::bad_register || f.size != c.error_detail)
                fail(e, "the interpreter does not refuse the register");
            break;
        case insn_error::incomplete_ld_imm64:
            if (f.kind != vm::fault_kind::jump_out_of_program) fail(e, "the interpreter runs half an ld_imm64");
            break;
        default:
            if (f.kind != vm::fault_kind::bad_opcode) fail(e, "the interpreter does not refuse the encoding");
        }
    }
    INFO(all.size() << " encodings: " << valid << " valid, " << invalid << " invalid");
    CHECK(failures == 0);
    CHECK(valid > 10000);
    CHECK(invalid > valid);
}

TEST_CASE("sweep: the interpreter reads and writes the registers the classifier names") {
    const auto all = sweep();
    auto m = std::make_unique<vm::machine<type_list<>, decoded_too>>();
    auto g = std::make_unique<machine>();
    std::vector<insn> code;
    std::size_t probed = 0, failures = 0;
    const auto fail = [&](const encoding& e, const std::string& what) {
        if (failures++ < 20) FAIL_CHECK(describe(e) << ": " << what);
    };
    for (const auto& e : all) {
        const insn_info c = classified(e);
        if (!c.valid() || (c.writes & reg_bit(10)) || c.form == F::addr_space_cast || is_indirect(c.form) ||
            c.form == F::call_kfunc || c.form == F::call_local)
            continue;
        if (c.form == F::call_helper && !reads_no_arguments(e.lo.imm)) continue; // arguments: the helper's signature
        // only the register numbers that matter: skip copies that differ in an unused field's value only
        if (e.lo.imm != 0 && e.lo.imm != 7 && e.lo.imm != 64 && e.lo.imm != 0x41 && e.lo.imm != 0xf1 &&
            e.lo.imm != 0x100 && e.lo.imm != 0x110 && e.lo.imm != 1)
            continue;
        ++probed;

        // reads: with every register but r holding a value, the instruction
        // faults on r exactly when it reads r (both ways of running it)
        for (unsigned r = 0; r < 10; ++r) {
            const bool keep_r1 = r == 0 || r > 5;
            const std::size_t at = probe_program(code, e, c, static_cast<reg_set>(0x3ff & ~reg_bit(r)), keep_r1, -1);
            for (const bool decoded : {false, true}) {
                const auto res = decoded ? m->run_tc(std::span<const insn>(code), frame)
                                         : g->run_tc(std::span<const insn>(code), frame);
                const bool faulted_on_r = res.error.kind == vm::fault_kind::uninitialized_register &&
                                          res.error.pc == at && res.error.size == r;
                if (faulted_on_r != ((c.reads & reg_bit(r)) != 0))
                    fail(e, std::string(decoded ? "decoded" : "general") + " run: r" + std::to_string(r) +
                                (faulted_on_r ? " is read" : " is not read") + " (fault: " +
                                std::string(vm::to_string(res.error).view()) + ")");
            }
        }

        // writes: after it, the registers that hold a value are those that did
        // before (less what it clobbers) and those it writes
        if (c.flow != insn_flow::next && c.flow != insn_flow::call) continue;
        for (const bool keep_r1 : {true, false}) {
            // r1 is set at the entry; r0 after the helper call that unsets r1..r5
            const reg_set before = static_cast<reg_set>(c.reads | (keep_r1 ? reg_bit(1) : reg_bit(0)));
            const reg_set after = static_cast<reg_set>((before & ~c.clobbers) | c.writes);
            for (unsigned k = 0; k < 10; ++k) {
                if (keep_r1 ? k == 1 : k == 0) continue; // set in every variant: not telling
                probe_program(code, e, c, before, keep_r1, static_cast<int>(k));
                const auto res = g->run_tc(std::span<const insn>(code), frame);
                if (!res.ok() && res.error.pc != code.size() - 3) continue; // the instruction itself ended the run
                if (res.ok() && res.r0 != 1234567) continue;              // ... or left it (a failed packet load)
                const bool holds = res.ok();
                if (holds != ((after & reg_bit(k)) != 0))
                    fail(e, "r" + std::to_string(k) + (holds ? " holds a value after it" : " holds no value after it"));
            }
        }
    }
    INFO(probed << " instructions probed");
    CHECK(failures == 0);
    CHECK(probed > 1000);
}

} // TEST_SUITE
