#pragma once
// Map descriptors: one class template per map type, naming the key, the
// value, the number of entries and the options of a map, with the kernel's
// rules checked at compile time. Programs reference them (`ld_map<M>`), the
// interpreter models them (bpfxx/vm.hpp), and on Linux the kernel handles
// create and open maps through them (bpfxx/maps.hpp). Portable: no OS headers.

#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/descriptors/options.hpp>
#include <bpfxx/isa/map_flags.hpp>
