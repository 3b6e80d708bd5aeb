#pragma once
// The instruction set: instructions, opcode fields, registers, helper ids and signatures,
// and the classifier every other layer asks about an instruction.
// Portable: no operating-system or kernel headers.

#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/errors.hpp>
#include <bpfxx/isa/helper_signature.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/map_flags.hpp>
#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/isa/names.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/isa/registers.hpp>
