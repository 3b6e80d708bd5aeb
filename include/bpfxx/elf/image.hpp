#pragma once
// An ELF file's bytes held in memory, read with bounds checks: every reader
// of ELF structures (sections, symbols) goes through this one class, so no
// offset from the file is trusted anywhere. Errors (ENOEXEC) name the source.

#include <bpfxx/sys/error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace bpfxx::elf::detail {

class image {
public:
    image(std::span<const std::byte> bytes, std::string_view source) : bytes_(bytes), source_(source) {}

    /// A T at byte `off` (copied: ELF offsets need not be aligned).
    template <class T>
    [[nodiscard]] T at(std::uint64_t off) const {
        if (off > bytes_.size() || bytes_.size() - off < sizeof(T)) malformed("a structure lies past the end of the file");
        T v;
        std::memcpy(&v, bytes_.data() + off, sizeof v);
        return v;
    }
    /// The `size` bytes at `off`.
    [[nodiscard]] std::span<const std::byte> range(std::uint64_t off, std::uint64_t size) const {
        if (off > bytes_.size() || size > bytes_.size() - off) malformed("a section lies past the end of the file");
        return bytes_.subspan(static_cast<std::size_t>(off), static_cast<std::size_t>(size));
    }
    /// The NUL-terminated string at byte `off` of a string table [tab, tab + tab_size).
    [[nodiscard]] std::string_view str(std::uint64_t tab, std::uint64_t tab_size, std::uint64_t off) const {
        if (tab > bytes_.size() || tab_size > bytes_.size() - tab || off >= tab_size)
            malformed("a name lies outside its string table");
        const char* s = reinterpret_cast<const char*>(bytes_.data() + tab + off);
        return {s, strnlen(s, static_cast<std::size_t>(tab_size - off))};
    }
    [[nodiscard]] std::uint64_t size() const noexcept { return bytes_.size(); }
    [[noreturn]] void malformed(const char* why) const { throw error(ENOEXEC, "elf", std::string(source_), why); }

private:
    std::span<const std::byte> bytes_;
    std::string_view source_;
};

} // namespace bpfxx::elf::detail
