#pragma once
// The BTF layer: reading BTF (the kernel's, a module's, a map's or program's,
// an object file's), writing BTF for C++ types at compile time, and using it
// for maps (`bpfxx::with_btf`) and programs (`btf::debug_info`).
//
// Portable: the format, the reader, the writer and its rules, the C++ type
// mapping (Boost.Hana for member names is used here and nowhere else in
// bpfxx), copying, lookups, C printing, program debug info, ELF sections.
// Linux: BTF files (sysfs, objects on disk), BTF objects in the kernel,
// maps created with BTF, programs loaded with their BTF (load/debug_info.hpp:
// here rather than in bpfxx/load.hpp, so that loading alone does not compile
// the BTF layer).

#include <bpfxx/btf/copy.hpp>
#include <bpfxx/btf/describe.hpp>
#include <bpfxx/btf/elf.hpp>
#include <bpfxx/btf/fields.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/lookup.hpp>
#include <bpfxx/btf/name_index.hpp>
#include <bpfxx/btf/print.hpp>
#include <bpfxx/btf/program.hpp>
#include <bpfxx/btf/rules.hpp>
#include <bpfxx/btf/special_fields.hpp>
#include <bpfxx/btf/types.hpp>
#include <bpfxx/btf/writer.hpp>

#if defined(__linux__)
#include <bpfxx/btf/kernel.hpp>
#include <bpfxx/btf/map.hpp>
#include <bpfxx/btf/sysfs.hpp>
#include <bpfxx/load/debug_info.hpp>
#endif
