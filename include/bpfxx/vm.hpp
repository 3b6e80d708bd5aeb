#pragma once
// The interpreter: run programs as constants, at compile time or in unit
// tests, with no kernel. Portable: no operating-system headers.
//
//     static_assert(bpfxx::vm::run_xdp(filter, packet).r0 == bpfxx::xdp::drop);

#include <bpfxx/asm.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/checksum.hpp>
#include <bpfxx/vm/contexts.hpp>
#include <bpfxx/vm/expect.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/machine.hpp>
#include <bpfxx/vm/map_model.hpp>
