#pragma once
// Everything bpfxx offers. Each layer also has its own umbrella header
// (`bpfxx/isa.hpp`, `bpfxx/asm.hpp`, `bpfxx/c.hpp` ...), so a unit test of
// a program can include only what it needs; `bpfxx/asm.hpp`, `bpfxx/c.hpp`,
// `bpfxx/text.hpp`, `bpfxx/check.hpp`, `bpfxx/descriptors.hpp`, `bpfxx/vm.hpp` and
// `bpfxx/btf.hpp` (but for its Linux parts) build on any OS, the rest needs Linux.

#include <bpfxx/isa.hpp>
#include <bpfxx/asm.hpp>
#include <bpfxx/c.hpp>
#include <bpfxx/text.hpp>
#include <bpfxx/check.hpp>
#include <bpfxx/descriptors.hpp>
#include <bpfxx/vm.hpp>
#include <bpfxx/btf.hpp>

// Linux: maps, loading, probing, attaching, events.
#include <bpfxx/maps.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/probe.hpp>
#include <bpfxx/attach.hpp>
#include <bpfxx/events.hpp>
