// What bpfxx reads from the system and from files, given bad input: the
// tracefs `format` parser, CPU lists, sysfs numbers and the ELF symbol reader
// answer with a bpfxx::error (or "malformed") and never with a number cut to
// its low bits, another exception type or a place outside the file.
// (tests/fuzz/ feeds the same parsers random input.) Also the small sys utilities
// they sit beside (bpfxx::callback).
#include <doctest/doctest.h>

#include "../common/elf_image.hpp"

#include <bpfxx/attach/tracepoint.hpp>
#include <bpfxx/elf/symbols.hpp>
#include <bpfxx/sys/callback.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/number.hpp>

#include <cstring>
#include <memory>
#include <string>

namespace sys = bpfxx::sys;

// ---- numbers ----------------------------------------------------------------------

static_assert(sys::detail::parse_u32("0") == 0u);
static_assert(sys::detail::parse_u32("4294967295\n") == 4294967295u);
static_assert(!sys::detail::parse_u32("4294967296"));
static_assert(!sys::detail::parse_u32("99999999999999999999999"));
static_assert(!sys::detail::parse_u32("-1"));
static_assert(!sys::detail::parse_u32(""));
static_assert(!sys::detail::parse_u32("12x"));
static_assert(!sys::detail::parse_u32(" 12"));
static_assert(sys::detail::leading_u32("12;")->length == 2);

// CPU lists: numbers past 32 bits are malformed, not wrapped, and so is a count past 32 bits.
static_assert(sys::detail::count_cpu_list("4294967296") == 0);
static_assert(sys::detail::count_cpu_list("0-4294967296") == 0);
static_assert(sys::detail::count_cpu_list("4294967295") == 1);
static_assert(sys::detail::count_cpu_list("0-4294967295") == 0); // 2^32 CPUs
static_assert(sys::detail::count_cpu_list("0-4294967294") == 4294967295u);

// ---- tracefs format ----------------------------------------------------------------

namespace {
constexpr std::string_view exec_format =
    "name: sched_process_exec\n"
    "ID: 316\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
    "\tfield:char comm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
    "\n"
    "print fmt: \"filename=%s\", __get_str(filename)\n";

std::string with_offset(std::string_view offset) {
    return "\tfield:int common_pid;\toffset:" + std::string(offset) + ";\tsize:4;\tsigned:1;\n";
}
} // namespace

TEST_CASE("parsers: a tracefs format file") {
    const auto fields = bpfxx::parse_tracepoint_format(exec_format, "sched/sched_process_exec");
    REQUIRE(fields.size() == 4);
    CHECK(fields[0].name == "common_type");
    CHECK(fields[0].type == "unsigned short");
    CHECK(fields[1].is_signed);
    CHECK(fields[2].name == "filename");
    CHECK(fields[2].type == "__data_loc char[]");
    CHECK(fields[3].name == "comm");
    CHECK(fields[3].offset == 12);
    CHECK(fields[3].size == 16);
}

TEST_CASE("parsers: tracefs numbers that are not 32-bit numbers are a bpfxx::error") {
    // std::stoul threw std::invalid_argument for these, and cut the large ones to 32 bits
    for (const char* bad : {"x", "", "-4", "4294967296", "18446744073709551616", "12 ", "0x10"}) {
        CAPTURE(bad);
        try {
            (void)bpfxx::parse_tracepoint_format(with_offset(bad), "t/t");
            FAIL("accepted");
        } catch (const bpfxx::error& e) {
            CHECK(e.code().value() == EINVAL);
            CHECK(std::string(e.what()).find("offset is not a number") != std::string::npos);
        }
    }
    CHECK(bpfxx::parse_tracepoint_format(with_offset("4294967295"), "t/t")[0].offset == 4294967295u);
    CHECK_THROWS_AS((void)bpfxx::parse_tracepoint_format("\tfield:int x;\toffset:0;\tsize:;\n", "t/t"), bpfxx::error);
    CHECK_THROWS_AS((void)bpfxx::parse_tracepoint_format("no fields here\n", "t/t"), bpfxx::error);
    CHECK_THROWS_AS((void)bpfxx::parse_tracepoint_format("", "t/t"), bpfxx::error);
}

// ---- ELF --------------------------------------------------------------------------------

namespace {
template <class T>
void poke(std::vector<std::byte>& image, std::size_t at, const T& v) {
    std::memcpy(image.data() + at, &v, sizeof v);
}
template <class T>
T peek(const std::vector<std::byte>& image, std::size_t at) {
    T v;
    std::memcpy(&v, image.data() + at, sizeof v);
    return v;
}
} // namespace

TEST_CASE("parsers: ELF function symbols") {
    const auto image = bpfxx_test::elf_image();
    const auto f = bpfxx::elf::find_function(image, "f", "image");
    REQUIRE(f);
    CHECK(f->address == bpfxx_test::elf_base + bpfxx_test::elf_code);
    CHECK(f->file_offset == bpfxx_test::elf_code);
    CHECK(bpfxx::elf::find_function(image, "main", "image")->file_offset == bpfxx_test::elf_main);
    CHECK_FALSE(bpfxx::elf::find_function(image, "g", "image"));
}

TEST_CASE("parsers: an ELF file offset lies inside the file") {
    // A segment that says it holds more bytes than the file has: the offset of a
    // function in it was returned past the end of the file.
    auto image = bpfxx_test::elf_image();
    auto ph = peek<Elf64_Phdr>(image, bpfxx_test::elf_phdr_at);
    ph.p_filesz = ph.p_memsz = 0x10000;
    poke(image, bpfxx_test::elf_phdr_at, ph);
    auto sym = peek<Elf64_Sym>(image, bpfxx_test::elf_syms_at + sizeof(Elf64_Sym));
    sym.st_value = bpfxx_test::elf_base + 0x5000;
    poke(image, bpfxx_test::elf_syms_at + sizeof(Elf64_Sym), sym);
    try {
        (void)bpfxx::elf::find_function(image, "f", "image");
        FAIL("accepted");
    } catch (const bpfxx::error& e) {
        CHECK(e.code().value() == ENOEXEC);
        CHECK(std::string(e.what()).find("past the end of the file") != std::string::npos);
    }
    // an offset near 2^64 does not wrap into the file either
    ph.p_offset = ~std::uint64_t{0} - 0x10;
    poke(image, bpfxx_test::elf_phdr_at, ph);
    CHECK_THROWS_AS((void)bpfxx::elf::find_function(image, "f", "image"), bpfxx::error);
    // a segment whose end wraps around 2^64 holds no address past it
    ph = peek<Elf64_Phdr>(bpfxx_test::elf_image(), bpfxx_test::elf_phdr_at);
    ph.p_vaddr = ~std::uint64_t{0} - 0x10;
    ph.p_filesz = 0x100;
    poke(image, bpfxx_test::elf_phdr_at, ph);
    CHECK_THROWS_AS((void)bpfxx::elf::find_function(image, "f", "image"), bpfxx::error);
}

TEST_CASE("parsers: malformed ELF images are a bpfxx::error") {
    const auto good = bpfxx_test::elf_image();
    CHECK_THROWS_AS((void)bpfxx::elf::find_function(std::span(good).first(10), "f", "image"), bpfxx::error);
    auto bad_link = good;
    auto symtab = peek<Elf64_Shdr>(good, bpfxx_test::elf_shdrs_at + sizeof(Elf64_Shdr));
    symtab.sh_link = 9;
    poke(bad_link, bpfxx_test::elf_shdrs_at + sizeof(Elf64_Shdr), symtab);
    CHECK_THROWS_AS((void)bpfxx::elf::find_function(bad_link, "f", "image"), bpfxx::error);
    auto huge_table = good;
    symtab = peek<Elf64_Shdr>(good, bpfxx_test::elf_shdrs_at + sizeof(Elf64_Shdr));
    symtab.sh_size = ~std::uint64_t{0} / 2;
    poke(huge_table, bpfxx_test::elf_shdrs_at + sizeof(Elf64_Shdr), symtab);
    CHECK_THROWS_AS((void)bpfxx::elf::find_function(huge_table, "nothing", "image"), bpfxx::error);
}

// ---- bpfxx::callback: the handles' move-only type-erased functions --------------------------

TEST_CASE("callback: calls its function with its state, moves it out, and is empty after") {
    int calls = 0;
    bpfxx::callback<int(int)> add = [&calls, total = 0](int x) mutable {
        ++calls;
        return total += x;
    };
    REQUIRE(static_cast<bool>(add));
    CHECK(add(2) == 2);
    CHECK(add(3) == 5); // the lambda's own state persists between calls
    bpfxx::callback<int(int)> moved = std::move(add);
    CHECK_FALSE(static_cast<bool>(add)); // NOLINT(bugprone-use-after-move): the point of the test
    CHECK(moved(4) == 9);
    bpfxx::callback<int(int)> assigned;
    CHECK_FALSE(static_cast<bool>(assigned));
    assigned = std::move(moved);
    CHECK_FALSE(static_cast<bool>(moved)); // NOLINT(bugprone-use-after-move)
    CHECK(assigned(1) == 10);
    CHECK(calls == 4);
    bpfxx::callback<void()> none = nullptr;
    CHECK_FALSE(static_cast<bool>(none));
}

TEST_CASE("callback: owns move-only state and destroys it once") {
    auto owned = std::make_shared<int>(7);
    std::weak_ptr<int> watch = owned;
    {
        bpfxx::callback<int()> f = [p = std::make_unique<std::shared_ptr<int>>(std::move(owned))] { return **p; };
        CHECK(f() == 7);
        auto g = std::move(f);
        CHECK(g() == 7);
        CHECK_FALSE(watch.expired());
    }
    CHECK(watch.expired());
    // a callable whose result converts: bool from int
    bpfxx::callback<bool(int)> odd = [](int x) { return x & 1; };
    CHECK(odd(3));
    CHECK_FALSE(odd(4));
}
