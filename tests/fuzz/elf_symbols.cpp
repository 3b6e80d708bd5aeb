// The ELF symbol reader: any bytes as an ELF file, asked for "f" and "main".
// It finds a function or nothing, or throws bpfxx::error (ENOEXEC); the
// file offset it returns lies inside the file.
#include "fuzz.hpp"

#include <bpfxx/elf/symbols.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string what = "fuzz.elf";
    const std::span<const std::byte> image(reinterpret_cast<const std::byte*>(data), size);
    for (const char* name : {"f", "main"}) {
        try {
            if (const auto f = bpfxx::elf::find_function(image, name, what))
                bpfxx_fuzz::require(f->file_offset < size, "a function's file offset lies past the end of the file");
        } catch (const bpfxx::error& e) {
            bpfxx_fuzz::require(e.code().value() == ENOEXEC, "an ELF error that is not ENOEXEC");
        }
    }
    return 0;
}
