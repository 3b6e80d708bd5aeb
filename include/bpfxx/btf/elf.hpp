#pragma once
// The `.BTF` section of an ELF object (what `clang -g -target bpf` emits,
// or a kernel module's). Portable: the file is given as bytes; reading one
// from disk is `btf::open_elf` (btf/sysfs.hpp).
//
//     auto t = bpfxx::btf::from_elf(file_bytes, "prog.bpf.o");

#include <bpfxx/btf/types.hpp>
#include <bpfxx/elf/sections.hpp>
#include <bpfxx/sys/error.hpp>

#include <cerrno>
#include <span>
#include <string>

namespace bpfxx::btf {

/// Parses (a copy of) the `.BTF` section of the ELF file `file`; split on
/// `base` when given (a module's). Throws `bpfxx::error`: ENOEXEC for a bad
/// ELF file, ENOENT if it has no `.BTF`, EINVAL for malformed BTF.
[[nodiscard]] inline types from_elf(std::span<const std::byte> file, const std::string& source = "ELF file",
                                    const types* base = nullptr) {
    const auto section = elf::find_section(file, ".BTF", source);
    if (!section) throw error(ENOENT, "btf::from_elf", source, "the file has no .BTF section (compiled without -g?)");
    return base != nullptr ? types::parse_split(*section, *base, source + " .BTF") : types::parse(*section, source + " .BTF");
}

} // namespace bpfxx::btf
