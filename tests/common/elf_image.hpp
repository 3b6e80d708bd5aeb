#pragma once
// A minimal 64-bit ELF executable in memory, for the ELF reader's tests and
// its fuzz harness's seeds: one loadable segment over the whole file, a symbol
// table and its string table, and functions "f" and "main" in 16 bytes of code.
//
//   0x000 ELF header   0x040 program header   0x100 code (16 bytes)
//   0x110 strings      0x120 symbols (null, f, main)   0x170 section headers (null, .symtab, .strtab)

#include <elf.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bpfxx_test {

inline constexpr std::uint64_t elf_base = 0x400000;  ///< where the segment is linked
inline constexpr std::uint64_t elf_code = 0x100;     ///< file offset of "f"
inline constexpr std::uint64_t elf_main = 0x108;     ///< file offset of "main"
inline constexpr std::size_t elf_phdr_at = 0x40, elf_syms_at = 0x120, elf_shdrs_at = 0x170, elf_size = 0x230;

inline std::vector<std::byte> elf_image() {
    std::vector<std::byte> out(elf_size);
    const auto put = [&](std::size_t at, const auto& v) { std::memcpy(out.data() + at, &v, sizeof v); };
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = elf_base + elf_code;
    eh.e_phoff = elf_phdr_at;
    eh.e_shoff = elf_shdrs_at;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 1;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    put(0, eh);
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_X;
    ph.p_vaddr = ph.p_paddr = elf_base;
    ph.p_filesz = ph.p_memsz = elf_size;
    ph.p_align = 0x1000;
    put(elf_phdr_at, ph);
    for (std::size_t i = 0; i < 16; ++i) out[elf_code + i] = std::byte{0xc3}; // ret
    constexpr char strings[] = "\0f\0main";
    std::memcpy(out.data() + 0x110, strings, sizeof strings);
    const auto function = [](std::uint32_t name, std::uint64_t offset, std::uint64_t size) {
        Elf64_Sym s{};
        s.st_name = name;
        s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
        s.st_shndx = 1;
        s.st_value = elf_base + offset;
        s.st_size = size;
        return s;
    };
    put(elf_syms_at + sizeof(Elf64_Sym), function(1, elf_code, 8));
    put(elf_syms_at + 2 * sizeof(Elf64_Sym), function(3, elf_main, 8));
    Elf64_Shdr symtab{};
    symtab.sh_type = SHT_SYMTAB;
    symtab.sh_offset = elf_syms_at;
    symtab.sh_size = 3 * sizeof(Elf64_Sym);
    symtab.sh_link = 2;
    symtab.sh_entsize = sizeof(Elf64_Sym);
    put(elf_shdrs_at + sizeof(Elf64_Shdr), symtab);
    Elf64_Shdr strtab{};
    strtab.sh_type = SHT_STRTAB;
    strtab.sh_offset = 0x110;
    strtab.sh_size = 16;
    put(elf_shdrs_at + 2 * sizeof(Elf64_Shdr), strtab);
    return out;
}

} // namespace bpfxx_test
