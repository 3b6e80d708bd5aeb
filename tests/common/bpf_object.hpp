#pragma once
// The C twins of the typed examples (examples/c/*.bpf.c), for tests: compiled
// with `clang -O2 -g -target bpf`, their programs read from the ELF object
// (one per executable section) with the map each ld_imm64 relocation names.
// Enough ELF for clang's BPF objects: ELF64, little endian, SHT_REL.
#include <bpfxx/isa.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx_test {

/// One program of an object: its section, instructions and map references.
struct c_program {
    std::string section;
    std::vector<bpfxx::insn> insns;
    std::vector<std::pair<std::size_t, std::string>> map_refs; ///< slot of an ld_imm64, name of the map

    /// The instructions with each map reference turned into an fd_array index
    /// (pseudo map_idx): `order` lists the map names in fd_array order.
    [[nodiscard]] std::vector<bpfxx::insn> with_map_indices(const std::vector<std::string>& order) const {
        auto out = insns;
        for (const auto& [slot, name] : map_refs)
            for (std::size_t i = 0; i < order.size(); ++i)
                if (order[i] == name) {
                    out[slot].src_reg = bpfxx::pseudo::map_idx;
                    out[slot].imm = static_cast<std::int32_t>(i);
                }
        return out;
    }
};

/// Whether `path` names a tool that is there (the CMake-found paths are empty when not).
inline bool have_tool(const char* path) { return path != nullptr && path[0] != '\0'; }

/// Compiles examples/c/<name>.bpf.c into <dir>/<name>.bpf.o; the object's path, or nothing.
inline std::optional<std::string> compile_c_twin(const std::string& clang, const std::string& source_dir,
                                                 const std::string& multiarch_include, const std::string& out_dir,
                                                 const std::string& name) {
    const std::string obj = out_dir + "/" + name + ".bpf.o";
    const std::string cmd = clang + " -O2 -g -target bpf -I" + multiarch_include + " -c " + source_dir +
                            "/examples/c/" + name + ".bpf.c -o " + obj;
    if (std::system(cmd.c_str()) != 0) return std::nullopt;
    return obj;
}

namespace detail {
template <class T>
T read_at(const std::vector<char>& f, std::size_t off) {
    T v{};
    if (off + sizeof(T) <= f.size()) std::memcpy(&v, f.data() + off, sizeof(T));
    return v;
}
inline std::string string_at(const std::vector<char>& f, std::size_t off) {
    std::string s;
    while (off < f.size() && f[off] != '\0') s += f[off++];
    return s;
}
} // namespace detail

/// The programs of a clang BPF object (executable sections with code).
inline std::vector<c_program> read_c_programs(const std::string& path) {
    using detail::read_at;
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<c_program> out;
    if (f.size() < 64 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0 || f[4] != 2 || f[5] != 1) return out;
    const auto shoff = read_at<std::uint64_t>(f, 0x28);
    const auto shentsize = read_at<std::uint16_t>(f, 0x3a);
    const auto shnum = read_at<std::uint16_t>(f, 0x3c);
    const auto shstrndx = read_at<std::uint16_t>(f, 0x3e);
    struct section {
        std::string name;
        std::uint32_t type;
        std::uint64_t flags, offset, size;
        std::uint32_t link, info;
        std::uint64_t entsize;
    };
    std::vector<section> sections;
    const auto header = [&](std::size_t i) { return shoff + i * shentsize; };
    const auto names = read_at<std::uint64_t>(f, header(shstrndx) + 0x18);
    for (std::size_t i = 0; i < shnum; ++i) {
        const auto h = header(i);
        sections.push_back({detail::string_at(f, names + read_at<std::uint32_t>(f, h)), read_at<std::uint32_t>(f, h + 4),
                            read_at<std::uint64_t>(f, h + 8), read_at<std::uint64_t>(f, h + 0x18),
                            read_at<std::uint64_t>(f, h + 0x20), read_at<std::uint32_t>(f, h + 0x28),
                            read_at<std::uint32_t>(f, h + 0x2c), read_at<std::uint64_t>(f, h + 0x38)});
    }
    constexpr std::uint64_t shf_execinstr = 4;
    constexpr std::uint32_t sht_rel = 9;
    std::vector<int> program_of(sections.size(), -1);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& s = sections[i];
        if (!(s.flags & shf_execinstr) || s.size == 0) continue;
        c_program p;
        p.section = s.name;
        for (std::uint64_t k = 0; k + 8 <= s.size; k += 8) {
            std::array<std::byte, 8> b{};
            std::memcpy(b.data(), f.data() + s.offset + k, 8);
            p.insns.push_back(bpfxx::insn::from_bytes(b));
        }
        program_of[i] = static_cast<int>(out.size());
        out.push_back(std::move(p));
    }
    for (const auto& r : sections) {
        if (r.type != sht_rel || r.info >= sections.size() || program_of[r.info] < 0) continue;
        const auto& symtab = sections[r.link];
        const auto& strtab = sections[symtab.link];
        for (std::uint64_t k = 0; k + 16 <= r.size; k += 16) {
            const auto offset = read_at<std::uint64_t>(f, r.offset + k);
            const auto info = read_at<std::uint64_t>(f, r.offset + k + 8);
            const auto sym = symtab.offset + (info >> 32) * 24;
            const auto name = detail::string_at(f, strtab.offset + read_at<std::uint32_t>(f, sym));
            out[static_cast<std::size_t>(program_of[r.info])].map_refs.emplace_back(offset / 8, name);
        }
    }
    return out;
}

/// The program in section `section` of `programs` (empty when there is none).
inline c_program program_in(const std::vector<c_program>& programs, const std::string& section) {
    for (const auto& p : programs)
        if (p.section == section) return p;
    return {};
}

/// Lines of a program's source that count: not blank, not a comment, not a
/// preprocessor line, not a namespace line (an include guard, a namespace
/// alias or a namespace's braces are not the program).
inline std::size_t program_lines(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::size_t n = 0;
    bool in_comment = false;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        const std::string t = line.substr(first);
        if (in_comment) {
            if (t.find("*/") != std::string::npos) in_comment = false;
            continue;
        }
        if (t.rfind("/*", 0) == 0) {
            in_comment = t.find("*/") == std::string::npos;
            continue;
        }
        if (t.rfind("//", 0) == 0 || t.rfind("#", 0) == 0 || t.rfind("namespace ", 0) == 0 ||
            t.rfind("} // namespace", 0) == 0)
            continue;
        ++n;
    }
    return n;
}

} // namespace bpfxx_test
