// A runner for BPF ISA conformance suites, on bpfxx's interpreter.
//
// Conformance suites drive a "plugin": a program that reads the program's
// bytes as hex on stdin, takes the memory it runs on as hex in its first
// argument, and prints r0 when the program exits. This is that plugin:
//
//     echo 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00' | vm_conformance_runner
//     0x2a
//     echo '61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00' | vm_conformance_runner 'efbeadde'
//     0xdeadbeef
//
// The program runs with r1 pointing at a copy of the memory and r2 holding
// its length (`vm::machine::run_on_memory`). Hex may be spread over lines,
// separated by blanks or commas, with or without `0x` in front (so the
// `encoding: [0xb7,0x00,...]` of `llvm-mc --show-encoding` can be pasted in).
//
// Exit status: 0 with r0 in hex on stdout; 1 when the program faults (the
// fault on stderr); 2 for bad input (hex, a program that is not whole
// 8-byte instructions, a usage error). Run with no program on stdin and no
// argument (as ctest does) or with --self-check, it checks itself on a few
// built-in programs and exits 0 when they all give the expected r0.
//
// The machine is lenient (`limits::strict = false`): registers and stack read
// before they are written are zero instead of a fault. Suites for interpreters
// contain such programs (the kernel verifier would reject them, but the ISA
// gives them a meaning in the suites' reference interpreters), and a fault
// there would fail a test about something else.
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/vm.hpp>

#include <unistd.h>

#include <array>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace vm = bpfxx::vm;

constexpr vm::limits lenient{.strict = false};
using machine = vm::machine_for<std::span<const bpfxx::insn>, lenient>;

/// Hex digits to bytes. Tokens are separated by whitespace or commas; each may
/// start with 0x and must have an even number of digits. nullopt on anything else.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, std::string& why) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    auto separator = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == ',';
    };
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (separator(text[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        if (text.substr(i, 2) == "0x" || text.substr(i, 2) == "0X") i += 2;
        const std::size_t digits = i;
        while (i < text.size() && !separator(text[i])) {
            if (digit(text[i]) < 0) {
                why = "not a hex digit: '" + std::string(1, text[i]) + "' at offset " + std::to_string(i);
                return std::nullopt;
            }
            ++i;
        }
        if (i == digits || (i - digits) % 2 != 0) {
            why = "odd number of hex digits in '" + std::string(text.substr(start, i - start)) + "'";
            return std::nullopt;
        }
        for (std::size_t k = digits; k < i; k += 2)
            out.push_back(static_cast<std::uint8_t>(digit(text[k]) * 16 + digit(text[k + 1])));
    }
    return out;
}

std::vector<bpfxx::insn> to_insns(const std::vector<std::uint8_t>& bytes) {
    std::vector<bpfxx::insn> code(bytes.size() / 8);
    for (std::size_t i = 0; i < code.size(); ++i) {
        std::array<std::byte, 8> b{};
        for (std::size_t k = 0; k < 8; ++k) b[k] = std::byte{bytes[i * 8 + k]};
        code[i] = bpfxx::insn::from_bytes(b);
    }
    return code;
}

// Large (packet buffer, 8 stack frames): not for the stack of main.
machine the_machine;

vm::run_result run(std::span<const bpfxx::insn> code, std::span<const std::uint8_t> memory) {
    return the_machine.run_on_memory(code, memory);
}

// ---- self-check ------------------------------------------------------------------

struct check_case {
    std::string_view name;
    std::string_view program; ///< hex, as a suite would send it
    std::string_view memory;
    std::optional<std::uint64_t> r0; ///< nullopt: the program must fault
};

constexpr check_case self_checks[] = {
    {"mov r0, 42", "b7 00 00 00 2a 00 00 00  95 00 00 00 00 00 00 00", "", 0x2a},
    {"lddw and a 64-bit shift", "18 00 00 00 f0 de bc 9a  00 00 00 00 78 56 34 12\n"
                                "77 00 00 00 20 00 00 00  95 00 00 00 00 00 00 00", "", 0x12345678},
    {"load a word of memory, little endian", "61 10 00 00 00 00 00 00  95 00 00 00 00 00 00 00",
     "ef be ad de", 0xdeadbeef},
    {"r2 holds the memory's length", "bf 20 00 00 00 00 00 00  95 00 00 00 00 00 00 00", "00 01 02 03 04 05",
     6},
    {"a loop: 10 + 9 + ... + 1", "b7 00 00 00 00 00 00 00  b7 01 00 00 0a 00 00 00\n"
                                 "0f 10 00 00 00 00 00 00  07 01 00 00 ff ff ff ff\n"
                                 "55 01 fd ff 00 00 00 00  95 00 00 00 00 00 00 00", "", 55},
    {"32-bit ALU zero-extends", "b7 00 00 00 ff ff ff ff  04 00 00 00 02 00 00 00\n"
                                "95 00 00 00 00 00 00 00", "", 1},
    {"division by zero gives 0", "b7 00 00 00 07 00 00 00  b7 01 00 00 00 00 00 00\n"
                                 "3f 10 00 00 00 00 00 00  95 00 00 00 00 00 00 00", "", 0},
    {"lenient: an unwritten register reads 0", "bf 30 00 00 00 00 00 00  95 00 00 00 00 00 00 00", "", 0},
    {"lenient: unwritten stack reads 0", "79 a0 f8 ff 00 00 00 00  95 00 00 00 00 00 00 00", "", 0},
    {"store to memory, then load it back", "62 01 02 00 11 22 33 44  61 10 02 00 00 00 00 00\n"
                                           "95 00 00 00 00 00 00 00", "00 00 00 00 00 00", 0x44332211},
    {"a load past the memory faults", "61 10 04 00 00 00 00 00  95 00 00 00 00 00 00 00", "00 00 00 00",
     std::nullopt},
    {"falling off the end faults", "b7 00 00 00 01 00 00 00", "", std::nullopt},
};

int self_check() {
    int failed = 0;
    for (const auto& c : self_checks) {
        std::string why;
        const auto program = parse_hex(c.program, why);
        const auto memory = parse_hex(c.memory, why);
        if (!program || !memory || program->size() % 8 != 0) {
            std::printf("FAIL %-40s bad hex in the test itself\n", std::string(c.name).c_str());
            ++failed;
            continue;
        }
        const auto code = to_insns(*program);
        const auto r = run(code, *memory);
        const bool ok = c.r0 ? (r.ok() && r.r0 == *c.r0) : !r.ok();
        std::string got = r.ok() ? "r0 = 0x" : std::string(vm::to_string(r.error).view());
        if (r.ok()) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%" PRIx64, r.r0);
            got += buf;
        }
        std::printf("%s %-40s %s\n", ok ? "ok  " : "FAIL", std::string(c.name).c_str(), got.c_str());
        failed += ok ? 0 : 1;
    }
    std::printf("%s: %d of %zu failed\n", failed ? "self-check FAILED" : "self-check passed", failed,
                std::size(self_checks));
    return failed ? 1 : 0;
}

int usage() {
    std::fputs("usage: vm_conformance_runner [MEMORY_HEX] < PROGRAM_HEX\n"
               "       vm_conformance_runner --self-check\n"
               "Runs the BPF program given as hex on stdin with r1 = MEMORY, r2 = its length,\n"
               "prints r0 in hex (exit 0), or the fault on stderr (exit 1); bad input: exit 2.\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::optional<std::string_view> memory_arg;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--self-check") return self_check();
        if (a == "--help" || a == "-h") return usage(), 0;
        if ((a.size() > 1 && a[0] == '-') || memory_arg) return usage();
        memory_arg = a;
    }

    // No program on a terminal: nothing to wait for.
    std::string input;
    if (!(::isatty(STDIN_FILENO) && !memory_arg))
        input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());

    std::string why;
    const auto program = parse_hex(input, why);
    if (!program) {
        std::fprintf(stderr, "vm_conformance_runner: program: %s\n", why.c_str());
        return 2;
    }
    if (program->empty() && !memory_arg) return self_check(); // as ctest runs it
    if (program->empty() || program->size() % 8 != 0) {
        std::fprintf(stderr, "vm_conformance_runner: the program must be whole 8-byte instructions (got %zu bytes)\n",
                     program->size());
        return 2;
    }
    const auto memory = parse_hex(memory_arg.value_or(""), why);
    if (!memory) {
        std::fprintf(stderr, "vm_conformance_runner: memory: %s\n", why.c_str());
        return 2;
    }
    if (memory->size() > machine::config.frame_bytes) {
        std::fprintf(stderr, "vm_conformance_runner: memory: at most %u bytes\n", machine::config.frame_bytes);
        return 2;
    }

    const auto code = to_insns(*program);
    const auto r = run(code, *memory);
    if (!r.ok()) {
        std::fprintf(stderr, "%s\n", std::string(vm::to_string(r.error).view()).c_str());
        return 1;
    }
    std::printf("0x%" PRIx64 "\n", r.r0);
    return 0;
}
