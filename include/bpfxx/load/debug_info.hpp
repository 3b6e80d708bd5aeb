#pragma once
// Loading a program with its BTF: function names and one source line per
// instruction for bpftool and the verifier's log (bpfxx/btf/program.hpp
// says what the records hold). Linux only.
//
//     auto p = bpfxx::load<bpfxx::prog_type::sched_cls>(prog, bpfxx::btf::debug_info(prog), {.name = "count"}, map);

#include <bpfxx/asm/program.hpp>
#include <bpfxx/btf/kernel.hpp>
#include <bpfxx/btf/program.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/load.hpp>
#include <bpfxx/load/prog.hpp>

namespace bpfxx {

/// `load<T>(program, opts, maps...)` with the program's BTF: the blob of
/// `debug` is loaded (BPF_BTF_LOAD, closed again once the program holds it)
/// and its func_info / line_info go with the program.
template <prog_type T, program_type P, map_handle... H>
[[nodiscard]] prog load(const P& program, const btf::program_debug& debug, load_options opts, const H&... maps) {
    const auto object = btf::object::load(debug.blob);
    opts.prog_btf_fd = object.fd();
    opts.func_info = debug.funcs;
    opts.line_info = debug.lines;
    return load<T>(program, opts, maps...);
}

} // namespace bpfxx
