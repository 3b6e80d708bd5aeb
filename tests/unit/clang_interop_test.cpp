// The assembler against clang: the C version of samples/bpf/sock_example.c
// (bench/bpf/sock_example.bpf.c), compiled by `clang -target bpf`, must be
// the very instructions bpfxx assembles from the C++ constant — except the
// map load, which clang leaves for a relocation (src 0) and bpfxx resolves
// to an fd_array index (src BPF_PSEUDO_MAP_IDX).
#include <bpfxx/asm.hpp>
#include <bpfxx/text.hpp>
#include "../common/sock_example.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>


namespace {
using bpfxx_test::sock_example;

bool tool(const char* path) { return path[0] != '\0'; }
} // namespace

TEST_CASE("clang -target bpf compiles sock_example to bpfxx's instructions") {
    if (!tool(BPFXX_CLANG) || !tool(BPFXX_LLVM_OBJCOPY)) {
        const char* require = std::getenv("BPFXX_REQUIRE_LLVM");
        if (require != nullptr && std::string(require) == "1") FAIL("clang or llvm-objcopy not found");
        MESSAGE("clang or llvm-objcopy not found: skipped");
        return;
    }
    const std::string dir = BPFXX_BINARY_DIR;
    const std::string obj = dir + "/clang_sock_example.o", bin = dir + "/clang_sock_example.bin";
    const std::string compile = std::string(BPFXX_CLANG) + " -O2 -g0 -target bpf -I" BPFXX_MULTIARCH_INCLUDE " -c " +
                                BPFXX_SOURCE_DIR "/bench/bpf/sock_example.bpf.c -o " + obj;
    REQUIRE(std::system(compile.c_str()) == 0);
    const std::string extract = std::string(BPFXX_LLVM_OBJCOPY) + " -O binary --only-section=socket " + obj + " " + bin;
    REQUIRE(std::system(extract.c_str()) == 0);

    std::ifstream in(bin, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(obj.c_str());
    std::remove(bin.c_str());
    REQUIRE(bytes.size() == sock_example.size() * 8);
    for (std::size_t i = 0; i < sock_example.size(); ++i) {
        std::array<std::byte, 8> b{};
        for (std::size_t k = 0; k < 8; ++k) b[k] = static_cast<std::byte>(bytes[i * 8 + k]);
        auto clang_insn = bpfxx::insn::from_bytes(b);
        if (i == 5) clang_insn.src_reg = bpfxx::pseudo::map_idx; // the relocation bpfxx needs no ELF for
        INFO("slot " << i << ": clang " << bpfxx::to_string(clang_insn).view() << ", bpfxx "
                     << bpfxx::to_string(sock_example[i]).view());
        CHECK(clang_insn == sock_example[i]);
    }
}
