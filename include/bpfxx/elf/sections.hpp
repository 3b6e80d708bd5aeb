#pragma once
// The sections of a 64-bit little-endian ELF file held in memory (a BPF
// object from clang, a module): find one by name. Portable: the SDK's own
// copy of the few ELF structures it reads, every offset checked.
//
//     auto btf = bpfxx::elf::find_section(file_bytes, ".BTF");

#include <bpfxx/detail/order.hpp>
#include <bpfxx/elf/image.hpp>
#include <bpfxx/sys/error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bpfxx::elf {

namespace detail {

struct file_header { // Elf64_Ehdr
    unsigned char ident[16];
    std::uint16_t type, machine;
    std::uint32_t version;
    std::uint64_t entry, phoff, shoff;
    std::uint32_t flags;
    std::uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(file_header) == 64);

struct section_header { // Elf64_Shdr
    std::uint32_t name, type;
    std::uint64_t flags, addr, offset, size;
    std::uint32_t link, info;
    std::uint64_t addralign, entsize;
};
static_assert(sizeof(section_header) == 64);

inline constexpr std::uint32_t sht_nobits = 8;
inline constexpr std::uint16_t shn_xindex = 0xffff;

} // namespace detail

/// The contents of section `name` of the ELF file `bytes`; nullopt if it has
/// none (or it occupies no bytes in the file). Throws `bpfxx::error`
/// (ENOEXEC) for a file that is not a well-formed 64-bit little-endian ELF.
[[nodiscard]] inline std::optional<std::span<const std::byte>> find_section(std::span<const std::byte> bytes,
                                                                             std::string_view name,
                                                                             std::string_view source = "ELF file") {
    const detail::image f(bytes, source);
    const auto eh = f.at<detail::file_header>(0);
    if (std::memcmp(eh.ident, "\x7f" "ELF", 4) != 0) f.malformed("not an ELF file");
    if (eh.ident[4] != 2 || eh.ident[5] != 1) f.malformed("not a 64-bit little-endian ELF file");
    if (eh.shoff == 0) return std::nullopt;
    if (eh.shentsize != sizeof(detail::section_header)) f.malformed("unexpected section header size");
    const auto first = f.at<detail::section_header>(eh.shoff);
    // more than 0xff00 sections: the counts live in section 0
    const std::uint64_t count = eh.shnum != 0 ? eh.shnum : first.size;
    const std::uint32_t names_index = eh.shstrndx == detail::shn_xindex ? first.link : eh.shstrndx;
    if (count > (bytes.size() - bpfxx::detail::min<std::uint64_t>(bytes.size(), eh.shoff)) / sizeof(detail::section_header))
        f.malformed("the section headers run past the end of the file");
    if (names_index >= count) f.malformed("the section name table does not exist");
    const auto names_header = f.at<detail::section_header>(eh.shoff + std::uint64_t{names_index} * sizeof(detail::section_header));
    const auto names = f.range(names_header.offset, names_header.size);
    for (std::uint64_t i = 0; i < count; ++i) {
        const auto sh = f.at<detail::section_header>(eh.shoff + i * sizeof(detail::section_header));
        if (sh.name >= names.size()) f.malformed("a section name lies outside the section name table");
        const char* s = reinterpret_cast<const char*>(names.data()) + sh.name;
        const auto len = strnlen(s, names.size() - sh.name);
        if (std::string_view(s, len) != name) continue;
        if (sh.type == detail::sht_nobits) return std::nullopt;
        return f.range(sh.offset, sh.size);
    }
    return std::nullopt;
}

} // namespace bpfxx::elf
