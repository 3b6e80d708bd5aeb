// The interpreter on random programs, memory and contexts. Memory safety and
// the budget are the sanitizers' and the step count's to hold; on top, the
// decoded form (run twice: decoded, then from the cache) and the general path
// (limits::decode = false) must agree on everything a run leaves: r0, steps,
// the fault with its pc, the packet or memory, the context, the maps, the
// trace lines and the redirect. Any disagreement is a crash.
//
// Input: a mode byte (bit 0: shape the instructions into mostly valid ones;
// bits 1-2: memory, socket filter, tc or XDP; bit 3: lenient machines;
// bits 4-5, when not 0, instead: kprobe (pt_regs from the input), raw
// tracepoint (up to 13 arguments from the input) or tracepoint (the input as
// the record)), a length byte (slots), the instructions, then the memory,
// frame, registers, arguments or record.
#include "fuzz.hpp"

#include <bpfxx/asm.hpp>
#include <bpfxx/maps/descriptors.hpp>
#include <bpfxx/vm.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

// the machine's maps, by index (ld_map_idx of a span of instructions names them directly)
using jump_table = bpfxx::prog_array<2>;
using maps = bpfxx::type_list<bpfxx::array_map<u32, u64, 4>, bpfxx::hash_map<u32, u64, 4>, bpfxx::ringbuf<4096>,
                              bpfxx::queue<u64, 4>, bpfxx::lru_hash_map<u32, u32, 2>, jump_table,
                              bpfxx::percpu_array<u32, u64, 2>, bpfxx::stack<u32, 3>, bpfxx::array_map<u32, u64, 1>>;
constexpr u32 map_count = 9;

constexpr u64 budget = 1u << 12; // loops run to it: small keeps the fuzzer fast
constexpr bpfxx::vm::limits decoded_limits{.budget = budget, .programs = 2, .trace_lines = 4};
constexpr bpfxx::vm::limits general_limits{.budget = budget, .programs = 2, .trace_lines = 4, .decode = false};
constexpr bpfxx::vm::limits lenient_decoded{.budget = budget, .programs = 2, .trace_lines = 4, .strict = false};
constexpr bpfxx::vm::limits lenient_general{
    .budget = budget, .programs = 2, .trace_lines = 4, .strict = false, .decode = false};

constexpr auto tail_target = [] {
    using namespace bpfxx::ops;
    return bpfxx::assemble(mov(r0, 7), exit());
}();

// ---- shaping random bytes into mostly valid instructions ------------------------

constexpr std::array<u8, 144> valid_codes = [] {
    std::array<u8, 144> c{};
    std::size_t n = 0;
    namespace code = bpfxx::code;
    for (const u8 cls : {code::alu, code::alu64})
        for (u8 op = 0; op <= code::end; op = static_cast<u8>(op + 0x10))
            for (const u8 src : {code::k, code::x}) c[n++] = static_cast<u8>(cls | op | src);
    for (const u8 cls : {code::jmp, code::jmp32})
        for (u8 op = 0; op <= code::jcond; op = static_cast<u8>(op + 0x10))
            for (const u8 src : {code::k, code::x})
                if (cls == code::jmp || (op != code::call && op != code::exit && op != code::jcond)) c[n++] = static_cast<u8>(cls | op | src);
    for (const u8 size : {code::w, code::h, code::b, code::dw}) {
        c[n++] = static_cast<u8>(code::ldx | code::mem | size);
        if (size != code::dw) c[n++] = static_cast<u8>(code::ldx | code::memsx | size);
        c[n++] = static_cast<u8>(code::st | code::mem | size);
        c[n++] = static_cast<u8>(code::stx | code::mem | size);
        c[n++] = static_cast<u8>(code::stx | code::atomic | size);
    }
    c[n++] = code::ld | code::imm | code::dw;
    for (const u8 size : {code::w, code::h, code::b}) {
        c[n++] = static_cast<u8>(code::ld | code::abs | size);
        c[n++] = static_cast<u8>(code::ld | code::ind | size);
    }
    while (n < c.size()) c[n++] = code::jmp | code::exit; // more exits: more programs end
    return c;
}();

constexpr std::array<std::int32_t, 11> atomic_ops{0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100};

bpfxx::insn shaped(const bpfxx::insn& raw) {
    namespace code = bpfxx::code;
    bpfxx::insn i = raw;
    const auto b = raw.bytes();
    const auto byte = [&](std::size_t k) { return std::to_integer<u8>(b[k]); };
    i.code = valid_codes[byte(0) % valid_codes.size()];
    i.dst_reg = static_cast<u8>((byte(1) & 0x0f) % 11);
    i.src_reg = static_cast<u8>((byte(1) >> 4) % 11);
    const auto cls = code::class_of(i.code);
    const auto op = code::op_of(i.code);
    const bool x = code::source_of(i.code) == code::x;
    if (cls == code::jmp || cls == code::jmp32) {
        i.off = static_cast<std::int8_t>(byte(2)) / 8; // nearby
        if (!x) i.src_reg = 0;
        if (op == code::call) {
            i.dst_reg = 0;
            i.off = 0;
            i.src_reg = static_cast<u8>(byte(3) % 8 == 0 ? bpfxx::pseudo::call : 0);
            i.imm = i.src_reg ? static_cast<std::int8_t>(byte(4)) / 8 : byte(4) % bpfxx::helper_count;
        } else if (op == code::exit || op == code::jcond) {
            i.dst_reg = i.src_reg = 0;
            i.imm = 0;
        } else if (op == code::ja) {
            i.dst_reg = i.src_reg = 0;
            if (cls == code::jmp32) i.imm = i.off, i.off = 0;
            else i.imm = 0;
        } else if (x) {
            i.imm = 0;
        }
    } else if (cls == code::alu || cls == code::alu64) {
        i.off = 0;
        if (x) i.imm = 0;
        else i.src_reg = 0;
        if (op == code::end) i.imm = std::array{16, 32, 64}[byte(4) % 3], i.src_reg = 0;
        if (op == code::neg) i.imm = 0, i.src_reg = 0;
        if ((op == code::div || op == code::mod) && (byte(3) & 1)) i.off = 1; // signed
        if (op == code::mov && x && (byte(3) & 2)) i.off = std::array<std::int16_t, 3>{8, 16, 32}[byte(3) % 3];
        if ((op == code::lsh || op == code::rsh || op == code::arsh) && !x) i.imm &= 63;
    } else if (cls == code::ldx || cls == code::st || cls == code::stx) {
        i.off = static_cast<std::int16_t>(static_cast<std::int8_t>(byte(2)) * ((byte(3) & 1) ? 8 : 1));
        if (cls == code::ldx) i.imm = 0;
        if (cls == code::st) i.src_reg = 0;
        if (cls == code::stx && code::mode_of(i.code) == code::atomic) i.imm = atomic_ops[byte(4) % atomic_ops.size()];
        else if (cls == code::stx) i.imm = 0;
    } else if (bpfxx::is_ld_imm64(i)) {
        i.off = 0;
        i.src_reg = static_cast<u8>(byte(3) % 7);
        if (i.src_reg == bpfxx::pseudo::map_idx || i.src_reg == bpfxx::pseudo::map_idx_value)
            i.imm = byte(4) % (map_count + 1);
        if (i.src_reg == bpfxx::pseudo::func) i.imm = static_cast<std::int8_t>(byte(4)) / 8;
    } else { // ld_abs / ld_ind
        i.dst_reg = 0;
        i.off = 0;
        if (code::mode_of(i.code) == code::abs) i.src_reg = 0;
        i.imm = static_cast<std::int16_t>(byte(4) | byte(5) << 8) % 128;
    }
    return i;
}

std::vector<bpfxx::insn> shape(std::vector<bpfxx::insn> prog) {
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        prog[pc] = shaped(prog[pc]);
        if (prog[pc].code == (bpfxx::code::ld | bpfxx::code::imm | bpfxx::code::dw) && pc + 1 < prog.size()) {
            const auto imm = prog[pc + 1].imm;
            prog[pc + 1] = bpfxx::insn{};
            prog[pc + 1].imm = prog[pc].src_reg == bpfxx::pseudo::map_idx_value ? imm & 7 : imm;
            ++pc;
        }
    }
    return prog;
}

// ---- running both ways and comparing -----------------------------------------------

template <class M>
bpfxx::vm::run_result run(M& m, int kind, std::span<const bpfxx::insn> prog, std::span<const u8> input) {
    switch (kind) {
    case 0: return m.run_on_memory(prog, input.first(std::min<std::size_t>(input.size(), 4096)));
    case 1: return m.run_socket_filter(prog, input);
    case 2: return m.run_tc(prog, input);
    case 3: return m.run_xdp(prog, input);
    case 4: {
        bpfxx::pt_regs regs{};
        if (!input.empty()) std::memcpy(&regs, input.data(), std::min(input.size(), sizeof regs));
        return m.run_kprobe(prog, regs);
    }
    case 5: {
        std::array<u64, 13> args{}; // 13: one more than a raw tracepoint has, refused
        const std::size_t n = std::min<std::size_t>(input.size() / 8, args.size());
        if (n != 0) std::memcpy(args.data(), input.data(), n * 8);
        return m.run_raw_tracepoint(prog, std::span<const u64>(args).first(n));
    }
    default: return m.run_tracepoint(prog, input);
    }
}

template <class A, class B>
void same_state(A& a, B& b, int kind) {
    const auto same_bytes = [](std::span<const u8> x, std::span<const u8> y) {
        return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
    };
    bpfxx_fuzz::require(same_bytes(kind == 0 ? a.memory() : a.packet(), kind == 0 ? b.memory() : b.packet()),
                        "the two paths leave different packets or memory");
    if (kind == 4) {
        const auto x = a.template context<bpfxx::vm::contexts::pt_regs>();
        const auto y = b.template context<bpfxx::vm::contexts::pt_regs>();
        bpfxx_fuzz::require(std::memcmp(&x, &y, sizeof x) == 0, "the two paths leave different pt_regs");
    }
    if (kind == 3) {
        bpfxx_fuzz::require(same_bytes(a.metadata(), b.metadata()), "the two paths leave different metadata");
        const auto x = a.xdp_context(), y = b.xdp_context();
        bpfxx_fuzz::require(std::memcmp(&x, &y, sizeof x) == 0, "the two paths leave different xdp_md");
    }
    if (kind == 1 || kind == 2) {
        const auto x = a.skb(), y = b.skb();
        bpfxx_fuzz::require(std::memcmp(&x, &y, sizeof x) == 0, "the two paths leave different __sk_buff");
    }
    bpfxx_fuzz::require(a.redirected() == b.redirected(), "the two paths redirect differently");
    bpfxx_fuzz::require(a.trace_count() == b.trace_count(), "the two paths print different trace lines");
    for (std::size_t i = 0; i < a.trace_count(); ++i)
        bpfxx_fuzz::require(a.trace_line(i) == b.trace_line(i), "the two paths print different trace lines");
    [&]<class... Ms>(bpfxx::type_list<Ms...>) {
        (
            [&] {
                auto& x = a.template map<Ms>();
                auto& y = b.template map<Ms>();
                if constexpr (requires { x.value_area(); }) {
                    bpfxx_fuzz::require(x.size() == y.size(), "the two paths leave maps of different sizes");
                    bpfxx_fuzz::require(std::memcmp(x.value_bytes(0), y.value_bytes(0), x.value_area()) == 0,
                                        "the two paths leave different map values");
                } else {
                    bpfxx_fuzz::require(x.available() == y.available() && x.submitted() == y.submitted(),
                                        "the two paths leave different ring buffers");
                    bpfxx_fuzz::require(std::memcmp(x.data(), y.data(), Ms::max_entries) == 0,
                                        "the two paths leave different ring buffer bytes");
                }
            }(),
            ...);
    }(maps{});
}

template <bpfxx::vm::limits Decoded, bpfxx::vm::limits General>
void differential(int kind, std::span<const bpfxx::insn> prog, std::span<const u8> input) {
    using decoded_machine = bpfxx::vm::machine<maps, Decoded>;
    using general_machine = bpfxx::vm::machine<maps, General>;
    auto a = std::make_unique<decoded_machine>();
    auto b = std::make_unique<general_machine>();
    a->template set_tail_call<jump_table>(1, tail_target);
    b->template set_tail_call<jump_table>(1, tail_target);
    (void)a->template map<bpfxx::array_map<u32, u64, 4>>().update(1, 5);
    (void)b->template map<bpfxx::array_map<u32, u64, 4>>().update(1, 5);
    constexpr bpfxx::vm::task task{.pid = 11, .tgid = 10, .uid = 1000, .gid = 100, .comm = "fuzz"};
    a->set_task(task);
    b->set_task(task);
    for (int round = 0; round < 2; ++round) { // the second run takes the cached decoded form
        const auto x = run(*a, kind, prog, input);
        const auto y = run(*b, kind, prog, input);
        bpfxx_fuzz::require(x.steps <= budget + 1 && y.steps <= budget + 1, "a run went past its budget");
        bpfxx_fuzz::require(x.error == y.error, "the two paths fault differently");
        bpfxx_fuzz::require(x.steps == y.steps, "the two paths count different steps");
        bpfxx_fuzz::require(x.exit_pc == y.exit_pc, "the two paths end at different slots");
        bpfxx_fuzz::require(x.helper_calls == y.helper_calls && x.map_calls == y.map_calls,
                            "the two paths count different helper calls");
        bpfxx_fuzz::require(!x.ok() || x.r0 == y.r0, "the two paths return different r0");
        same_state(*a, *b, kind);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const u8 mode = data[0];
    const std::size_t slots = data[1] % 64 + 1;
    if (size < 2 + slots * 8) return 0;
    auto prog = bpfxx_fuzz::insns_of({data + 2, slots * 8});
    if (mode & 1) prog = shape(std::move(prog));
    const std::span<const u8> input(data + 2 + slots * 8, size - 2 - slots * 8);
    const int kind = (mode >> 4) & 3 ? 3 + ((mode >> 4) & 3) : (mode >> 1) & 3;
    if (mode & 8) differential<lenient_decoded, lenient_general>(kind, prog, input);
    else differential<decoded_limits, general_limits>(kind, prog, input);
    return 0;
}
