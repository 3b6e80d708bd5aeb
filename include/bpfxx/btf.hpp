#pragma once
// The BTF layer: reading BTF (the kernel's, a module's, a map's or program's,
// an object file's), writing BTF for C++ types at compile time, and using it
// for maps and programs.
//
// Portable: the format, the reader, the writer and the C++ type mapping
// (Boost.Hana for member names is used here and nowhere else in bpfxx).
// Linux: sysfs files, BTF objects in the kernel.

#include <bpfxx/btf/describe.hpp>
#include <bpfxx/btf/fields.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/rules.hpp>
#include <bpfxx/btf/special_fields.hpp>
#include <bpfxx/btf/types.hpp>
#include <bpfxx/btf/writer.hpp>

#if defined(__linux__)
#include <bpfxx/btf/kernel.hpp>
#include <bpfxx/btf/sysfs.hpp>
#endif
