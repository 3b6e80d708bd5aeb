// The run-time static_check on arbitrary instructions, with each combination
// of options: it must not crash, must give the same report in its own
// workspaces and in a large one, must report a slot inside the program, and
// must stay linear (check_workspace::analyses: at most 2 + 533 per slot).
// A program it passes must not do, when the interpreter runs it, what the
// check rules out: read a register never written (without helper calls,
// whose arguments the check does not know), leave the program, use a
// register number past r10 or an encoding that is not an instruction.
#include "fuzz.hpp"

#include <bpfxx/check.hpp>
#include <bpfxx/vm.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace {

constexpr std::size_t max_slots = 4096;
bpfxx::check_workspace<max_slots> workspace;

bool calls_anything(std::span<const bpfxx::insn> prog) {
    for (const auto& i : prog) {
        const auto cls = bpfxx::code::class_of(i.code);
        if (i.code == (bpfxx::code::jmp | bpfxx::code::call)) return true;
        if (cls == bpfxx::code::ld && !bpfxx::is_ld_imm64(i))
            return true; // ld_abs / ld_ind: the interpreter allows them in socket filters only
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bpfxx::check_options opts{.allow_back_edges = (data[0] & 1) != 0,
                                    .allow_unreachable = (data[0] & 2) != 0,
                                    .allow_uninitialized_stack = (data[0] & 4) != 0,
                                    .allow_unknown_helpers = (data[0] & 8) != 0};
    const auto insns = bpfxx_fuzz::insns_of({data + 1, size - 1});
    if (insns.size() > max_slots) return 0;
    const std::span<const bpfxx::insn> prog(insns);

    const auto report = bpfxx::static_check(prog, workspace, opts);
    const auto analyses = workspace.analyses();
    bpfxx_fuzz::require(analyses <= (2 + 533) * prog.size(), "the data-flow stage is not linear");
    if (prog.size() <= bpfxx::static_check_max_size)
        bpfxx_fuzz::require(bpfxx::static_check(prog, opts) == report, "the report depends on the workspace");
    if (prog.empty()) {
        bpfxx_fuzz::require(report.problem == bpfxx::check_problem::empty_program, "an empty program passes");
        return 0;
    }
    bpfxx_fuzz::require(report.pc < prog.size(), "the report names a slot outside the program");
    bpfxx_fuzz::require(!report.message().empty(), "a report without a message");
    if (!report.ok() || calls_anything(prog)) return 0;

    // a program that passes, run in the interpreter on no memory
    static bpfxx::vm::machine<bpfxx::type_list<>, bpfxx::vm::limits{.budget = 1u << 16}> vm;
    const auto run = vm.run_on_memory(prog, {});
    using bpfxx::vm::fault_kind;
    bpfxx_fuzz::require(run.error.kind != fault_kind::uninitialized_register,
                        "a checked program reads a register never written");
    bpfxx_fuzz::require(run.error.kind != fault_kind::jump_out_of_program, "a checked program leaves the program");
    bpfxx_fuzz::require(run.error.kind != fault_kind::bad_register, "a checked program names a register past r10");
    bpfxx_fuzz::require(run.error.kind != fault_kind::bad_opcode, "a checked program holds a bad encoding");
    return 0;
}
