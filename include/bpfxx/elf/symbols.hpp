#pragma once
// Function symbols of an ELF file (an executable or a shared library), and
// where their code lies in the file: what a uprobe is placed by.
//
//     auto off = bpfxx::elf::function_offset("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc");

#include <bpfxx/elf/image.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/file.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/// A read-only mapping of a whole file.
class mapped_file {
public:
    explicit mapped_file(const std::string& path) {
        unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) bpfxx::detail::throw_errno("open", path);
        struct stat st{};
        if (::fstat(fd.get(), &st) != 0) bpfxx::detail::throw_errno("fstat", path);
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ < sizeof(Elf64_Ehdr)) throw error(ENOEXEC, "elf", path, "too small to be an ELF file");
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (p == MAP_FAILED) bpfxx::detail::throw_errno("mmap", path);
        data_ = static_cast<const std::byte*>(p);
    }
    mapped_file(const mapped_file&) = delete;
    mapped_file& operator=(const mapped_file&) = delete;
    ~mapped_file() { ::munmap(const_cast<std::byte*>(data_), size_); }

    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

private:
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

/// The first section of type `type` (the ELF format allows one symbol table
/// and one dynamic symbol table), if any.
[[nodiscard]] inline std::optional<Elf64_Shdr> section_of_type(const image& f, const Elf64_Ehdr& eh, std::uint32_t type) {
    for (std::uint16_t s = 0; s < eh.e_shnum; ++s) {
        const auto sh = f.at<Elf64_Shdr>(eh.e_shoff + std::uint64_t{s} * sizeof(Elf64_Shdr));
        if (sh.sh_type == type) return sh;
    }
    return std::nullopt;
}

} // namespace detail

/// A function symbol: its address as linked, its size, and the file offset
/// of its first instruction (what uprobes take).
struct function_symbol {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    std::uint64_t file_offset = 0; ///< inside the file: less than its size
};

/// Finds function `name` in the symbol tables (.symtab, then .dynsym) of the
/// 64-bit little-endian ELF file whose bytes are `bytes` (`what` names it in
/// errors). nullopt when it has no such defined function; `bpfxx::error`
/// (ENOEXEC) when the file is malformed.
[[nodiscard]] inline std::optional<function_symbol> find_function(std::span<const std::byte> bytes, std::string_view name,
                                                                  const std::string& what) {
    const detail::image f(bytes, what);
    if (f.size() < sizeof(Elf64_Ehdr)) f.malformed("too small to be an ELF file");
    const auto eh = f.at<Elf64_Ehdr>(0);
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) f.malformed("not an ELF file");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        f.malformed("not a 64-bit little-endian ELF file");
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_phentsize != sizeof(Elf64_Phdr))
        f.malformed("unexpected section or program header size");

    std::optional<function_symbol> found;
    for (const std::uint32_t wanted : {std::uint32_t{SHT_SYMTAB}, std::uint32_t{SHT_DYNSYM}}) {
        const auto sh = detail::section_of_type(f, eh, wanted);
        if (!sh || sh->sh_entsize != sizeof(Elf64_Sym)) continue;
        if (sh->sh_link >= eh.e_shnum) f.malformed("a symbol table names a string table that does not exist");
        const auto strtab = f.at<Elf64_Shdr>(eh.e_shoff + std::uint64_t{sh->sh_link} * sizeof(Elf64_Shdr));
        for (std::uint64_t k = 0; k < sh->sh_size / sizeof(Elf64_Sym); ++k) {
            const auto sym = f.at<Elf64_Sym>(sh->sh_offset + k * sizeof(Elf64_Sym));
            const auto type = ELF64_ST_TYPE(sym.st_info);
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF) continue;
            if (f.str(strtab.sh_offset, strtab.sh_size, sym.st_name) != name) continue;
            found = function_symbol{sym.st_value, sym.st_size, 0};
            break;
        }
        if (found) break;
    }
    if (!found) return std::nullopt;
    // the segment that holds the address gives its place in the file
    for (std::uint16_t p = 0; p < eh.e_phnum; ++p) {
        const auto ph = f.at<Elf64_Phdr>(eh.e_phoff + std::uint64_t{p} * sizeof(Elf64_Phdr));
        if (ph.p_type != PT_LOAD || found->address < ph.p_vaddr || found->address - ph.p_vaddr >= ph.p_filesz)
            continue;
        // the segment's bytes must be in the file, or the offset would lie past its end
        if (ph.p_offset > f.size() || ph.p_filesz > f.size() - ph.p_offset)
            f.malformed("a loadable segment lies past the end of the file");
        found->file_offset = ph.p_offset + (found->address - ph.p_vaddr);
        return found;
    }
    // relocatable objects have no segments: the address is section-relative
    if (eh.e_type == ET_REL) f.malformed("a relocatable object cannot be probed: link it first");
    f.malformed("the function lies in no loadable segment");
}

/// Finds function `name` in the ELF file at `path` (see above).
[[nodiscard]] inline std::optional<function_symbol> find_function(const std::string& path, std::string_view name) {
    const detail::mapped_file f(path);
    return find_function(f.bytes(), name, path);
}

/// The file offset of function `name` in `path`; throws `bpfxx::error`
/// (ENOENT) when the file defines no such function.
[[nodiscard]] inline std::uint64_t function_offset(const std::string& path, std::string_view name) {
    const auto s = find_function(path, name);
    if (!s) throw error(ENOENT, "elf symbol", path, "no defined function '" + std::string(name) + "' in its symbol tables");
    return s->file_offset;
}

/// A library by file name ("libc.so.6") as this process has it mapped, or
/// in the usual library directories; a path with a '/' is returned as is.
[[nodiscard]] inline std::string find_library(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const std::string maps = sys::try_read_file("/proc/self/maps").value_or(std::string());
    for (std::string_view rest = maps; !rest.empty();) {
        const auto eol = rest.find('\n');
        const auto line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
        const auto slash = line.find('/');
        if (slash == std::string_view::npos) continue;
        const auto file = line.substr(slash);
        if (file.substr(file.rfind('/') + 1) == name) return std::string(file);
    }
    for (const char* dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                            "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
                            "/usr/local/lib"}) {
        const std::string candidate = std::string(dir) + "/" + name;
        if (::access(candidate.c_str(), R_OK) == 0) return candidate;
    }
    throw error(ENOENT, "find_library", name, "neither mapped in this process nor in the usual library directories");
}

} // namespace bpfxx::elf
