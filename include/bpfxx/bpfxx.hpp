#pragma once
// Everything bpfxx offers. Each layer also has its own umbrella header
// (`bpfxx/isa.hpp`, `bpfxx/asm.hpp`, `bpfxx/text.hpp` ...), so a unit test of
// a program can include only what it needs; `bpfxx/asm.hpp`,
// `bpfxx/text.hpp`, `bpfxx/check.hpp`, `bpfxx/descriptors.hpp` and `bpfxx/vm.hpp` build on any OS, the rest
// needs Linux.

#include <bpfxx/isa.hpp>
#include <bpfxx/asm.hpp>
#include <bpfxx/text.hpp>
#include <bpfxx/check.hpp>
#include <bpfxx/descriptors.hpp>
#include <bpfxx/vm.hpp>

// Linux: maps, loading, probing, attaching, events.
#include <bpfxx/maps.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/probe.hpp>
#include <bpfxx/attach.hpp>
#include <bpfxx/events.hpp>
