#pragma once
// The compile-time assembler: `using namespace bpfxx::ops;` brings in the
// registers, every instruction builder and `_label`; `bpfxx::assemble(...)`
// turns them into a program. Portable: no operating-system headers.

#include <bpfxx/isa.hpp>

#include <bpfxx/asm/alu.hpp>
#include <bpfxx/asm/assemble.hpp>
#include <bpfxx/asm/items.hpp>
#include <bpfxx/asm/jump.hpp>
#include <bpfxx/asm/label.hpp>
#include <bpfxx/asm/load64.hpp>
#include <bpfxx/asm/memory.hpp>
#include <bpfxx/asm/operands.hpp>
#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>

namespace bpfxx::ops {
using namespace bpfxx::regs;
using namespace bpfxx::literals;
using bpfxx::helper;
} // namespace bpfxx::ops
