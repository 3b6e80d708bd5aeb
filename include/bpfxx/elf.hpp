#pragma once
// The ELF layer: function symbols of executables and shared libraries and
// where their code lies in the file (what uprobes are placed by).

#include <bpfxx/elf/symbols.hpp>
