#pragma once
// Text: the disassembler, in the syntax of `llvm-objdump -d` (see
// bpfxx/text/disasm.hpp for the exact rules). Portable: no operating-system
// headers.
//
//     static_assert(bpfxx::to_string(mov(r1, 2)) == "r1 = 2");
//     std::puts(bpfxx::listing(prog, {.label_names = true}).c_str());

#include <bpfxx/text/disasm.hpp>
#include <bpfxx/text/insn_text.hpp>
#include <bpfxx/text/listing.hpp>
#include <bpfxx/text/write_listing.hpp>
