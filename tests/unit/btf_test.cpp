// The BTF layer without a kernel: the reader on well-formed and malformed
// blobs (every rule of the header and the records, split BTF), the writer
// (every kind round-trips; every rule of the kernel it enforces refuses with
// its text), C++ types to BTF (member names from Boost.Hana, field lists with
// bitfields and anonymous members, enums, special fields, offsets checked
// against the compiler's), lookups, C printing, program debug info, ELF
// sections, and the fidelity of bpfxx's BTF to clang's for a corpus of C types.
#include <bpfxx/btf.hpp>
#include <bpfxx/asm.hpp>
#include "../common/btf_samples.hpp"
#include "../common/errors.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace btf = bpfxx::btf;
using btf::kind;
using bpfxx_test::contains;
using bpfxx_test::error_of;
using bpfxx_test::every_kind;
using bpfxx_test::raw_blob;
using bpfxx_test::info;

namespace {

} // namespace

// ---------------------------------------------------------------------------
// The reader.

TEST_CASE("btf reader: every kind, as the writer wrote it") {
    const every_kind b;
    const auto t = btf::types::parse(b.bytes);
    CHECK(t.first_id() == 1);
    CHECK(t.size() == b.attr_tag + 1);

    CHECK(t[b.u32].kind() == kind::int_);
    CHECK(t[b.u32].name() == "unsigned int");
    CHECK(t[b.u32].size() == 4);
    CHECK(t[b.u32].as_int().bits == 32);
    CHECK_FALSE(t[b.u32].as_int().is_signed());
    CHECK(t[b.chr].as_int().is_signed());

    CHECK(t[b.ptr].kind() == kind::ptr);
    CHECK(t[b.ptr].target() == t[b.node]);
    CHECK(t[b.arr].nelems() == 12);
    CHECK(t[b.arr].element() == t[b.chr]);
    CHECK(t[b.arr].index_type().name() == "__ARRAY_SIZE_TYPE__");

    const auto node = t[b.node];
    CHECK(node.kind() == kind::struct_);
    CHECK(node.kind_flag()); // bitfields
    CHECK(node.size() == 32);
    REQUIRE(node.members().size() == 5);
    const auto m = node.members();
    CHECK(m[0].name == "next");
    CHECK(m[0].type == t[b.ptr]);
    CHECK(m[1].bit_offset == 64);
    CHECK(m[2].bit_offset == 160);
    CHECK(m[2].bitfield_size == 3);
    CHECK(m[3].bit_offset == 163);
    CHECK(m[3].bitfield_size == 29);
    CHECK(m[4].anonymous());
    CHECK(m[4].type.kind() == kind::union_);
    CHECK(t[b.un].members()[1].bit_offset == 0);

    const auto color = t[b.color].enumerators();
    REQUIRE(color.size() == 2);
    CHECK(t[b.color].kind() == kind::enum_);
    CHECK(t[b.color].is_signed_enum());
    CHECK(color[1].name == "minus");
    CHECK(color[1].value == -5);
    const auto wide = t[b.wide].enumerators();
    CHECK(t[b.wide].kind() == kind::enum64);
    CHECK(wide[0].value == std::int64_t{1} << 40);
    CHECK(static_cast<std::uint64_t>(wide[1].value) == UINT64_MAX); // unsigned ENUM64: the bits

    CHECK(t[b.fwd_s].kind() == kind::fwd);
    CHECK_FALSE(t[b.fwd_s].fwd_is_union());
    CHECK(t[b.fwd_u].fwd_is_union());
    CHECK(t[b.cst].kind() == kind::const_);
    CHECK(t[b.cst].resolved() == t[b.u32]);   // through volatile and the typedef
    CHECK(t[b.cst].unqualified() == t[b.td]); // qualifiers only
    CHECK(t[b.rst].kind() == kind::restrict_);
    CHECK(t[b.cst].byte_size() == 4);
    CHECK(t[b.arr].byte_size() == 12);
    CHECK(t[b.node].byte_size() == 32);
    CHECK(t[b.ptr].byte_size() == 8);

    const auto params = t[b.proto].params();
    REQUIRE(params.size() == 3);
    CHECK(params[0].name == "ctx");
    CHECK(params[1].type == t[b.cst]);
    CHECK(params[2].type.is_void()); // ...
    CHECK(t[b.proto].return_type() == t[b.u32]);
    CHECK(t[b.func].linkage() == btf::func_linkage::global);
    CHECK(t[b.func].params()[0].name == "ctx");
    CHECK(t[b.var].var_linkage() == btf::var_linkage::global);
    CHECK(t[b.var].target() == t[b.u32]);
    const auto vars = t[b.sec].vars();
    REQUIRE(vars.size() == 1);
    CHECK(vars[0].var == t[b.var]);
    CHECK(vars[0].offset == 4);
    CHECK(t[b.flt].kind() == kind::float_);
    CHECK(t[b.flt].size() == 8);
    CHECK(t[b.dtag].component_idx() == 2);
    CHECK(t[b.dtag].target() == t[b.node]);
    CHECK(t[b.ttag].kind() == kind::type_tag);
    CHECK(t[b.ttag].name() == "user");
    CHECK(t[b.attr_tag].kind_flag());

    // iteration visits every id once, in order
    std::uint32_t expect = 1;
    for (const auto ty : t) CHECK(ty.id() == expect++);
    CHECK(expect == t.size());
}

TEST_CASE("btf reader: lookups by name and kind") {
    btf::writer w;
    const auto a = w.add_int("int", 4, btf::int_encoding::is_signed);
    const auto s1 = w.add_struct("dup", 4, {{"x", a, 0}});
    const auto t1 = w.add_typedef("dup", a);
    const auto s2 = w.add_struct("dup", 8, {{"x", a, 0}, {"y", a, 32}});
    const auto blob = w.bytes();
    const auto t = btf::types::parse(blob);

    CHECK(t.find("int")->id() == a);
    CHECK(t.find("dup")->id() == s1);                     // the lowest id of any kind
    CHECK(t.find("dup", kind::typedef_)->id() == t1);
    CHECK(t.find("dup", kind::struct_)->id() == s1);      // the first of its kind
    CHECK_FALSE(t.find("dup", kind::union_));
    CHECK_FALSE(t.find("missing"));
    CHECK_FALSE(t.find(""));
    CHECK_FALSE(t.find("du"));
    CHECK_FALSE(t.find("dup2"));
    const auto all = t.find_all("dup");
    REQUIRE(all.size() == 3);
    CHECK(all[0].id() == s1);
    CHECK(all[1].id() == t1);
    CHECK(all[2].id() == s2);

    // names of every length hash alike from the table and from a lookup
    btf::writer w2;
    std::vector<std::string> names;
    for (int n = 1; n <= 40; ++n) names.push_back(std::string(static_cast<std::size_t>(n), static_cast<char>('a' + n % 26)));
    for (const auto& n : names) w2.add_typedef(n, 0);
    const auto blob2 = w2.bytes();
    const auto t2 = btf::types::parse(blob2);
    for (std::size_t i = 0; i < names.size(); ++i) {
        INFO("name length " << names[i].size());
        REQUIRE(t2.find(names[i], kind::typedef_));
        CHECK(t2.find(names[i], kind::typedef_)->id() == i + 1);
        CHECK_FALSE(t2.find(names[i] + "x"));
    }
}

TEST_CASE("btf reader: the name index is built once, by concurrent lookups too") {
    btf::writer w;
    for (int i = 0; i < 500; ++i) w.add_typedef("t" + std::to_string(i), 0);
    const auto blob = w.bytes();
    const auto t = btf::types::parse(blob);
    std::vector<std::thread> threads;
    std::array<int, 4> found{};
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&, k] {
            for (int i = 0; i < 500; ++i) found[static_cast<std::size_t>(k)] += t.find("t" + std::to_string(i)) ? 1 : 0;
        });
    for (auto& th : threads) th.join();
    for (int f : found) CHECK(f == 500);
}

TEST_CASE("btf reader: records are walked once, as far as lookups need them") {
    raw_blob r;
    const auto name = r.str("first");
    r.rec({name, info(kind::typedef_), 0});
    for (int i = 0; i < 10000; ++i) r.rec({r.str("t" + std::to_string(i)), info(kind::typedef_), 1});
    r.rec({0, 0x1f000000u, 0}); // kind 31, at the very end
    const auto blob = r.bytes();
    const auto t = btf::types::parse(blob); // the header only
    CHECK(t.walked() == 0);
    CHECK(t.find("first", kind::typedef_)->id() == 1);
    CHECK(t.walked() < 10001);
    CHECK(t.at(5000).name() == "t4998");
    CHECK(contains(error_of([&] { t.check(); }).detail(), "the record of type id 10002: unknown kind 31"));
    CHECK(contains(error_of([&] { (void)t.size(); }).detail(), "unknown kind 31"));
    CHECK(contains(error_of([&] { (void)t.find("missing", kind::typedef_); }).detail(), "unknown kind 31"));
    CHECK(t.find("t9999", kind::typedef_)->id() == 10001); // what comes before the bad record stays usable

    // readers and lookups from several threads on a fresh blob
    raw_blob big;
    for (int i = 0; i < 20000; ++i) big.rec({big.str("n" + std::to_string(i)), info(kind::typedef_), 0});
    const auto big_blob = big.bytes();
    const auto b = btf::types::parse(big_blob);
    std::array<int, 4> ok{};
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&, k] {
            for (int i = 19999 - k; i >= 0; i -= 97) {
                const auto id = static_cast<std::uint32_t>(i + 1);
                ok[static_cast<std::size_t>(k)] += b.at(id).name() == "n" + std::to_string(i) ? 1 : 0;
                ok[static_cast<std::size_t>(k)] += b.find("n" + std::to_string(i), kind::typedef_)->id() == id ? 1 : 0;
            }
        });
    for (auto& th : threads) th.join();
    for (std::size_t k = 0; k < 4; ++k) CHECK(ok[k] == 2 * ((19999 - static_cast<int>(k)) / 97 + 1));
    CHECK(b.size() == 20001);
}

TEST_CASE("btf reader: malformed headers are errors naming the byte and the rule") {
    raw_blob good;
    good.rec({good.str("int"), info(kind::int_), 4, btf::make_int_data(btf::int_encoding::is_signed, 0, 32)});
    const auto base = good.bytes();
    REQUIRE(btf::types::parse(base).size() == 2);

    const auto refused = [](std::vector<std::byte> b, std::string_view where, std::string_view rule) {
        const auto e = error_of([&] { (void)btf::types::parse(b, "test blob"); });
        INFO(std::string(e.what()));
        CHECK(e.errnum() == EINVAL);
        CHECK(e.object() == "test blob");
        CHECK(contains(e.detail(), where));
        CHECK(contains(e.detail(), rule));
    };
    auto b = base;
    refused(std::vector<std::byte>(base.begin(), base.begin() + 20), "byte 0", "shorter than the 24-byte BTF header");
    b = base;
    b[0] = std::byte{0x12};
    refused(b, "byte 0", "bad magic");
    b = base;
    std::swap(b[0], b[1]);
    refused(b, "byte 0", "other byte order");
    b = base;
    b[2] = std::byte{2};
    refused(b, "byte 2", "unsupported version");
    b = base;
    b[3] = std::byte{1};
    refused(b, "byte 3", "unsupported flags");

    const auto with_header = [&](auto change) {
        raw_blob r = good;
        btf::header h{};
        h.type_off = 0;
        h.type_len = static_cast<std::uint32_t>(r.words.size() * 4);
        h.str_off = h.type_len;
        h.str_len = static_cast<std::uint32_t>(r.strings.size());
        change(h);
        r.hdr = h;
        return r.bytes(false);
    };
    refused(with_header([](btf::header& h) { h.hdr_len = 8; }), "byte 4", "hdr_len");
    refused(with_header([](btf::header& h) { h.hdr_len = 4096; }), "byte 4", "hdr_len");
    refused(with_header([](btf::header& h) { h.type_off = 2; }), "byte 8", "type_off is not a multiple of 4");
    refused(with_header([](btf::header& h) { h.type_len = 18; }), "byte 12", "type_len is not a multiple of 4");
    refused(with_header([](btf::header& h) { h.type_len = 4000; }), "byte 12", "type section runs past the end");
    refused(with_header([](btf::header& h) { h.str_len = 4000; }), "byte 20", "string section runs past the end");
    refused(with_header([](btf::header& h) { h.str_off = 4; }), "byte 16", "overlap");
    refused(with_header([](btf::header& h) { h.str_len = 0; }), "", "string section is empty");

    raw_blob s = good;
    s.strings[0] = 'x';
    refused(s.bytes(), "byte 40", "does not start with \\0");
    s = good;
    s.strings.back() = 'x';
    refused(s.bytes(), "byte 44", "does not end with \\0");
}

TEST_CASE("btf reader: malformed records are errors naming the byte, the type and the rule") {
    const auto refused = [](const raw_blob& r, std::string_view where, std::string_view rule) {
        const auto b = r.bytes();
        const auto e = error_of([&] { btf::types::parse(b).check(); }); // records are checked as they are walked
        INFO(std::string(e.what()));
        CHECK(e.errnum() == EINVAL);
        CHECK(contains(e.detail(), where));
        CHECK(contains(e.detail(), rule));
    };
    raw_blob r;
    r.rec({r.str("int"), info(kind::int_), 4, 32});
    r.rec({0, 0x14000000u, 0}); // kind 20
    refused(r, "byte 44", "unknown kind 20");

    raw_blob z;
    z.rec({0, 0, 0}); // kind 0
    refused(z, "byte 28", "type id 1: unknown kind 0");

    raw_blob c;
    c.rec({c.str("s"), info(kind::struct_, 2), 8, 0, 0, 0}); // two members announced, one given
    refused(c, "byte 24", "runs past the end of the type section");

    raw_blob n;
    n.rec({999, info(kind::int_), 4, 32});
    refused(n, "byte 24", "name offset past the string section");

    raw_blob cut;
    cut.rec({cut.str("x"), info(kind::ptr), 0, 7});
    cut.words.pop_back();
    cut.words.pop_back(); // 4 bytes of a 12-byte header
    refused(cut, "byte 24", "cut off by the end of the type section");
}

TEST_CASE("btf reader: references are checked when followed") {
    raw_blob r;
    r.rec({0, info(kind::ptr), 42});                               // 1: PTR to nothing
    r.rec({r.str("a"), info(kind::typedef_), 3});                  // 2: typedef a → b
    r.rec({r.str("b"), info(kind::typedef_), 2});                  // 3: typedef b → a (a loop)
    r.rec({0, info(kind::array), 0, 4, 5, 2});                     // 4: int[2]… of itself
    r.rec({r.str("int"), info(kind::int_), 4, 32});                // 5
    const auto blob = r.bytes();
    const auto t = btf::types::parse(blob);
    const auto dangling = error_of([&] { (void)t[1].target(); });
    CHECK(contains(dangling.detail(), "type id 1: refers to type id 42, which does not exist"));
    CHECK(contains(error_of([&] { (void)t.at(6); }).detail(), "type id 6: no such type"));
    CHECK(contains(error_of([&] { (void)t[2].resolved(); }).detail(), "longer than 32 (a loop?)"));
    CHECK(contains(error_of([&] { (void)t[4].byte_size(); }).detail(), "deeper than 32"));
    CHECK(contains(error_of([&] { (void)t[5].members(); }).detail(), "is INT, not STRUCT or UNION"));
}

TEST_CASE("btf reader: split BTF continues its base's ids and strings") {
    btf::writer w;
    const auto i = w.add_int("int", 4, btf::int_encoding::is_signed);
    w.add_struct("base_s", 4, {{"v", i, 0}});
    const auto base_blob = w.bytes();
    const auto base = btf::types::parse(base_blob);
    REQUIRE(base.size() == 3);

    // ids from 3 on; strings after the base's
    raw_blob split;
    split.strings.clear();
    const auto base_strings = base.strings_size();
    const auto name = base_strings + split.str("mod_s");
    const auto member = base_strings + split.str("ref");
    // 3: struct mod_s { ptr-to-itself ref; int (anonymous) at bit 64 }, 4: PTR → 3
    split.rec({name, info(kind::struct_, 2), 16, member, 4, 0, 0, 1, 64});
    split.rec({0, info(kind::ptr), 3});
    const auto blob = split.bytes();
    const auto t = btf::types::parse_split(blob, base, "module");
    CHECK(t.first_id() == 3);
    CHECK(t.size() == 5);
    CHECK(t[3].name() == "mod_s");
    CHECK(t[3].members()[0].name == "ref");
    CHECK(t[3].members()[0].type == t[4]);
    CHECK(t[3].members()[1].type.name() == "int"); // a base type, by its base string
    CHECK(t[1].name() == "int");
    CHECK(t[4].target() == t[3]);
    CHECK(t.find("base_s")->id() == 2);
    CHECK(t.find("mod_s", kind::struct_)->id() == 3);
    CHECK(t.find_all("int").size() == 1);
    std::uint32_t n = 0;
    for (const auto ty : t) n += ty.id();
    CHECK(n == 3 + 4); // iteration: the split blob's own types
}

// ---------------------------------------------------------------------------
// The writer.

TEST_CASE("btf writer: strings are stored once, identical records merged") {
    btf::writer w;
    const auto a = w.add_int("int", 4, btf::int_encoding::is_signed);
    CHECK(w.add_int("int", 4, btf::int_encoding::is_signed) == a);
    CHECK(w.add_int("int", 4) != a); // another encoding, another type
    const auto p = w.add_ptr(a);
    CHECK(w.add_ptr(a) == p);
    CHECK(w.add_string("int") == w.add_string("int"));
    const auto before = w.string_bytes();
    w.add_typedef("int", a); // the name is there already
    CHECK(w.string_bytes() == before);
    for (int i = 0; i < 300; ++i) w.add_string("s" + std::to_string(i)); // through rehashing
    for (int i = 0; i < 300; ++i) CHECK(w.string_at(w.add_string("s" + std::to_string(i))) == "s" + std::to_string(i));
}

TEST_CASE("btf writer: read(write(x)) is x, and writing it again gives the same bytes") {
    const every_kind b;
    const auto t = btf::types::parse(b.bytes);
    btf::writer w;
    btf::type_copier copy(t, w);
    for (std::uint32_t id = 1; id < t.size(); ++id) copy(id);
    CHECK(copy.copied() == t.size() - 1);
    const auto again = w.bytes();
    const auto t2 = btf::types::parse(again);
    REQUIRE(t2.size() == t.size());
    // same records under a renumbering: compare the printed C of every type and every kind
    std::multiset<std::string> a, c;
    for (const auto ty : t) a.insert(std::string(btf::kind_name(ty.kind())) + " " + btf::print(ty));
    for (const auto ty : t2) c.insert(std::string(btf::kind_name(ty.kind())) + " " + btf::print(ty));
    CHECK(a == c);
    btf::writer w3;
    btf::type_copier copy3(t2, w3);
    for (std::uint32_t id = 1; id < t2.size(); ++id) copy3(id);
    CHECK(w3.bytes() == again);
}

namespace {
/// Runs a writer build that must be refused with `r`.
template <class F>
void refuses(btf::rule r, F build) {
    const auto e = error_of([&] {
        btf::writer w;
        build(w);
        w.validate();
    });
    INFO(std::string(e.what()));
    CHECK(e.errnum() == EINVAL);
    CHECK(e.operation() == "btf::writer");
    CHECK(e.detail() == btf::rule_text(r));
}
} // namespace

TEST_CASE("btf writer: every rule of the kernel it checks refuses with the rule's text") {
    using btf::rule;
    using W = btf::writer;
    refuses(rule::name_not_identifier, [](W& w) { w.add_struct("two words", 0, {}); });
    refuses(rule::name_not_identifier, [](W& w) { w.add_typedef("9lives", 0); });
    refuses(rule::name_not_identifier, [](W& w) { w.add_enum("e", 4, {{"a-b", 1}}); });
    refuses(rule::name_not_identifier, [](W& w) { w.add_struct("s", 4, {{"bad name", w.add_int("int", 4), 0}}); });
    refuses(rule::name_missing, [](W& w) { w.add_typedef("", 0); });
    refuses(rule::name_missing, [](W& w) { w.add_fwd(""); });
    refuses(rule::name_missing, [](W& w) { w.add_func("", 0); });
    refuses(rule::name_missing, [](W& w) { w.add_type_tag("", 0); });
    refuses(rule::name_missing, [](W& w) { w.add_enum("e", 4, {{"", 1}}); });
    refuses(rule::section_name_invalid, [](W& w) { w.add_datasec(".da\nta", 4, {}); });
    refuses(rule::int_size, [](W& w) { w.add_int("int", 3); });
    refuses(rule::int_bits, [](W& w) { w.add_int("int", 4, btf::int_encoding::none, 33); });
    refuses(rule::int_encoding, [](W& w) { w.add_int("int", 4, static_cast<btf::int_encoding>(3)); });
    refuses(rule::float_size, [](W& w) { w.add_float("f", 6); });
    refuses(rule::enum_size, [](W& w) { w.add_enum("e", 3, {}); });
    refuses(rule::too_many_entries, [](W& w) {
        std::vector<btf::member_spec> m(70000, {"", w.add_int("char", 1), 0});
        w.add_struct("huge", 1, m);
    });
    refuses(rule::member_offset_decreasing, [](W& w) {
        const auto i = w.add_int("int", 4);
        w.add_struct("s", 8, {{"a", i, 32}, {"b", i, 0}});
    });
    refuses(rule::union_member_offset, [](W& w) { w.add_union("u", 8, {{"a", w.add_int("int", 4), 32}}); });
    refuses(rule::member_beyond_size, [](W& w) { w.add_struct("s", 4, {{"a", w.add_int("int", 4), 8}}); });
    refuses(rule::member_beyond_size, [](W& w) { w.add_struct("s", 1, {{"a", w.add_int("int", 4), 4, 5}}); });
    refuses(rule::member_not_aligned, [](W& w) { w.add_struct("s", 8, {{"a", w.add_array(w.add_int("char", 1), 2), 4}}); });
    refuses(rule::member_not_aligned, [](W& w) { w.add_struct("s", 16, {{"a", w.add_float("double", 8), 32}}); });
    refuses(rule::bitfield_type, [](W& w) { w.add_struct("s", 8, {{"a", w.add_ptr(0), 0, 3}}); });
    refuses(rule::bitfield_too_wide, [](W& w) { w.add_struct("s", 8, {{"a", w.add_int("int", 4), 0, 33}}); });
    refuses(rule::member_without_size, [](W& w) { w.add_struct("s", 8, {{"a", w.add_fwd("f"), 0}}); });
    refuses(rule::member_without_size, [](W& w) { w.add_var("v", w.add_func_proto(0, {})); });
    refuses(rule::unknown_type, [](W& w) { w.add_ptr(7); });
    refuses(rule::unknown_type, [](W& w) { w.add_struct("s", 4, {{"a", 99, 0}}); });
    refuses(rule::array_index_type, [](W& w) { w.add_array(w.add_int("char", 1), 4, w.add_float("float", 4)); });
    refuses(rule::size_overflow, [](W& w) { w.add_array(w.add_array(w.add_int("int", 4), 1u << 20), 1u << 20); });
    refuses(rule::func_not_proto, [](W& w) { w.add_func("f", w.add_int("int", 4)); });
    refuses(rule::func_linkage, [](W& w) { w.add_func("f", w.add_func_proto(0, {}), btf::func_linkage::extern_); });
    refuses(rule::func_param_unnamed, [](W& w) { w.add_func("f", w.add_func_proto(0, {{{}, w.add_int("int", 4)}})); });
    refuses(rule::vararg_not_last, [](W& w) { w.add_func_proto(0, {{{}, 0}, {"x", w.add_int("int", 4)}}); });
    refuses(rule::var_linkage, [](W& w) { w.add_var("v", w.add_int("int", 4), btf::var_linkage::extern_); });
    refuses(rule::datasec_size, [](W& w) { w.add_datasec(".data", 0, {}); });
    refuses(rule::datasec_size, [](W& w) {
        const auto v = w.add_var("v", w.add_int("int", 4));
        w.add_datasec(".data", 8, {{v, 4, 4}, {v, 0, 4}});
    });
    refuses(rule::datasec_entry, [](W& w) { w.add_datasec(".data", 8, {{w.add_int("int", 4), 0, 4}}); });
    refuses(rule::datasec_entry, [](W& w) { w.add_datasec(".data", 8, {{w.add_var("v", w.add_int("long", 8)), 0, 4}}); });
    refuses(rule::decl_tag_target, [](W& w) { w.add_decl_tag("t", w.add_int("int", 4)); });
    refuses(rule::decl_tag_component, [](W& w) { w.add_decl_tag("t", w.add_struct("s", 0, {}), 0); });
    refuses(rule::decl_tag_component, [](W& w) { w.add_decl_tag("t", w.add_var("v", w.add_int("int", 4)), 0); });
    refuses(rule::type_tag_order, [](W& w) { w.add_const(w.add_type_tag("user", w.add_int("int", 4))); });
    refuses(rule::modifier_target, [](W& w) { w.add_const(w.add_func("f", w.add_func_proto(0, {}))); });
    refuses(rule::loop, [](W& w) {
        const auto a = w.reserve(kind::struct_, "a");
        w.define(a, 4, {{"self", w.add_array(a, 1), 0}});
    });
    refuses(rule::loop, [](W& w) { w.add_typedef("t", 2); w.add_const(1); });
    refuses(rule::struct_undefined, [](W& w) { w.reserve(kind::struct_, "never"); });
    refuses(rule::too_big, [](W& w) {
        const std::string huge(btf::writer::max_string_bytes, 'x');
        (void)w.add_string(huge);
    });
    refuses(rule::too_deep, [](W& w) {
        std::uint32_t t = w.add_int("int", 4);
        for (int i = 0; i < 40; ++i) t = w.add_typedef(i % 2 ? "a" : "b", t);
        w.add_var("v", t);
    });
    refuses(rule::struct_undefined, [](W& w) { w.define(5, 4, {}); });
}

TEST_CASE("btf writer: what the rules allow") {
    btf::writer w;
    const auto i = w.add_int("int", 4, btf::int_encoding::is_signed);
    const auto self = w.reserve(kind::struct_, "list");
    w.define(self, 16, {{"next", w.add_ptr(self), 0}, {"prev", w.add_ptr(w.add_const(self)), 64}}); // cycles through pointers
    w.add_struct("zero_len", 4, {{"n", i, 0}, {"tail", w.add_array(i, 0), 32}});                // char tail[0] at the end
    w.add_typedef("void_t", 0);
    w.add_ptr(w.add_func_proto(0, {{"a", i}, {{}, 0}}));
    w.add_ptr(w.add_type_tag("user", w.add_const(i)));                                       // tags before qualifiers
    w.add_struct("old_bits", 4, {{"f", w.add_int("int", 4, btf::int_encoding::none, 3), 5}}); // an INT narrower than its bytes
    w.add_struct("x.y", 0, {});                                                                // '.' is allowed (compiler names)
    CHECK_NOTHROW(w.validate());
    const auto blob = w.bytes();
    CHECK(btf::types::parse(blob).size() == w.count() + 1);
}

// ---------------------------------------------------------------------------
// C++ types.

namespace cxx {
enum class colour : std::uint8_t { red, green = 5, blue = 200 };
enum plain { first, second = -3 };
struct leaf {
    BOOST_HANA_DEFINE_STRUCT(leaf, (std::uint16_t, a), (colour, c));
};
using visitor = int (*)(void*, long);
struct tree {
    BOOST_HANA_DEFINE_STRUCT(tree, (tree*, left), (tree*, right), (leaf, value), (std::array<std::uint64_t, 3>, hist),
                             (const char*, label), (double, weight), (bool, dirty), (plain, mode), (visitor, visit));
};
struct adapted {
    std::int8_t x;
    std::uint32_t y;
    std::int64_t z;
};
struct flags {
    std::uint32_t kind : 3;
    std::uint32_t level : 5;
    std::uint8_t tag;
    union {
        std::uint32_t ip4;
        std::uint8_t ip6[16];
    };
    std::uint64_t wide : 40;
    std::int32_t small : 7;
};
template <class A, class B>
struct pair {
    BOOST_HANA_DEFINE_STRUCT(pair, (A, first), (B, second));
};
struct special {
    BOOST_HANA_DEFINE_STRUCT(special, (bpfxx::btf::spin_lock, lock), (bpfxx::btf::timer, t),
                             (bpfxx::btf::kptr<"task_struct">, task), (std::uint64_t, n));
};
} // namespace cxx

BOOST_HANA_ADAPT_STRUCT(cxx::adapted, x, y, z);

template <>
inline constexpr auto bpfxx::btf::description<cxx::flags> = bpfxx::btf::fields(
    bpfxx::btf::bits<std::uint32_t>("kind", 3), bpfxx::btf::bits<std::uint32_t>("level", 5),
    bpfxx::btf::field<std::uint8_t>("tag"),
    bpfxx::btf::anonymous_union(bpfxx::btf::field<std::uint32_t>("ip4"), bpfxx::btf::field<std::uint8_t[16]>("ip6")),
    bpfxx::btf::bits<std::uint64_t>("wide", 40), bpfxx::btf::bits<std::int32_t>("small", 7));

namespace {
using cxx_blob = btf::blob_of<cxx::tree, cxx::adapted, cxx::flags, cxx::pair<int, std::uint8_t>, cxx::special, void>;
// The blob is a constant: BPF_BTF_LOAD can take it straight from .rodata.
static_assert(cxx_blob::bytes[0] == std::byte{0x9f} && cxx_blob::bytes[1] == std::byte{0xeb});
static_assert(cxx_blob::ids[5] == 0);
static_assert(btf::type_name<cxx::pair<int, std::uint8_t>> == "pair_int_unsigned_char");
static_assert(btf::type_name<cxx::tree> == "tree");
static_assert(btf::enumerators<cxx::colour>.size() == 3 && btf::enumerators<cxx::colour>[2].value == 200);
static_assert(btf::enumerators<cxx::plain>.size() == 2 && btf::enumerators<cxx::plain>[0].name == "second");

/// Finds bitfield `set` by setting it in a zeroed object: the lowest bit set (little-endian).
template <class T, class Set>
std::uint32_t bit_of(Set set) {
    T v{};
    std::memset(static_cast<void*>(&v), 0, sizeof v);
    set(v);
    std::array<unsigned char, sizeof(T)> raw{};
    std::memcpy(raw.data(), &v, sizeof v);
    for (std::uint32_t i = 0; i < sizeof(T) * 8; ++i)
        if ((raw[i / 8] >> (i % 8)) & 1u) return i;
    return ~0u;
}
} // namespace

TEST_CASE("btf for C++ types: members, offsets and names as the compiler lays them out") {
    const auto t = btf::types::parse(cxx_blob::bytes);
    const auto tree = t[cxx_blob::ids[0]];
    CHECK(tree.name() == "tree");
    CHECK(tree.size() == sizeof(cxx::tree));
    const auto m = tree.members();
    REQUIRE(m.size() == 9);
    const std::array<std::size_t, 9> offsets{offsetof(cxx::tree, left),   offsetof(cxx::tree, right), offsetof(cxx::tree, value),
                                             offsetof(cxx::tree, hist),   offsetof(cxx::tree, label), offsetof(cxx::tree, weight),
                                             offsetof(cxx::tree, dirty),  offsetof(cxx::tree, mode),  offsetof(cxx::tree, visit)};
    const std::array<std::string_view, 9> names{"left", "right", "value", "hist", "label", "weight", "dirty", "mode", "visit"};
    for (std::size_t i = 0; i < 9; ++i) {
        CHECK(m[i].name == names[i]);
        CHECK(m[i].bit_offset == offsets[i] * 8);
    }
    CHECK(m[0].type.target() == tree); // a pointer back to the struct being described
    CHECK(m[2].type.name() == "leaf");
    CHECK(m[2].type.members()[1].type.kind() == kind::enum_);
    CHECK(m[2].type.members()[1].type.size() == 1);
    CHECK(m[3].type.kind() == kind::array);
    CHECK(m[3].type.nelems() == 3);
    CHECK(m[3].type.element().name() == "unsigned long");
    CHECK(btf::declaration(m[4].type) == "const char *");
    CHECK(m[5].type.kind() == kind::float_);
    CHECK(m[6].type.name() == "_Bool");
    CHECK(m[6].type.as_int().is_bool());
    CHECK(m[7].type.is_signed_enum());
    CHECK(btf::declaration(m[8].type, "visit") == "int (*visit)(void *, long)");

    const auto adapted = t[cxx_blob::ids[1]];
    CHECK(adapted.name() == "adapted");
    CHECK(adapted.members()[1].bit_offset == offsetof(cxx::adapted, y) * 8);
    CHECK(adapted.members()[2].bit_offset == offsetof(cxx::adapted, z) * 8);
    CHECK(adapted.members()[0].type.name() == "signed char");

    const auto flags = t[cxx_blob::ids[2]];
    CHECK(flags.size() == sizeof(cxx::flags));
    CHECK(flags.kind_flag());
    const auto f = flags.members();
    REQUIRE(f.size() == 6);
    CHECK(f[0].bit_offset == bit_of<cxx::flags>([](cxx::flags& v) { v.kind = 1; }));
    CHECK(f[1].bit_offset == bit_of<cxx::flags>([](cxx::flags& v) { v.level = 1; }));
    CHECK(f[1].bitfield_size == 5);
    CHECK(f[2].bit_offset == offsetof(cxx::flags, tag) * 8);
    CHECK(f[3].anonymous());
    CHECK(f[3].bit_offset == offsetof(cxx::flags, ip4) * 8);
    CHECK(f[3].type.kind() == kind::union_);
    CHECK(f[3].type.members()[1].type.nelems() == 16);
    CHECK(f[4].bit_offset == bit_of<cxx::flags>([](cxx::flags& v) { v.wide = 1; }));
    CHECK(f[4].bitfield_size == 40);
    CHECK(f[5].bit_offset == bit_of<cxx::flags>([](cxx::flags& v) { v.small = 1; }));
    CHECK(f[5].type.name() == "int");

    const auto special = t[cxx_blob::ids[4]];
    const auto s = special.members();
    CHECK(s[0].type.name() == "bpf_spin_lock");
    CHECK(s[0].type.size() == 4);
    CHECK(s[1].type.name() == "bpf_timer");
    CHECK(s[1].type.size() == 16);
    CHECK(s[1].bit_offset == offsetof(cxx::special, t) * 8);
    CHECK(btf::declaration(s[2].type, "task") == "struct task_struct __attribute__((btf_type_tag(\"kptr\"))) *task");
    CHECK(s[2].type.target().kind() == kind::type_tag);
    CHECK(s[2].type.target().target().kind() == kind::struct_);
}

TEST_CASE("btf for C++ types: enumerators, found or given") {
    const auto t = btf::types::parse(btf::blob_of<cxx::colour, cxx::plain>::bytes);
    const auto colour = t.find("colour", kind::enum_);
    REQUIRE(colour);
    const auto e = colour->enumerators();
    REQUIRE(e.size() == 3);
    CHECK(e[0].name == "red");
    CHECK(e[1].value == 5);
    CHECK(e[2].name == "blue");
    const auto plain = t.find("plain", kind::enum_);
    REQUIRE(plain);
    CHECK(plain->enumerators()[0].value == -3);
    CHECK(plain->is_signed_enum());
}

// ---------------------------------------------------------------------------
// Printing and lookups.

TEST_CASE("btf print: definitions in C") {
    const auto t = btf::types::parse(cxx_blob::bytes);
    CHECK(btf::print(*t.find("flags", kind::struct_)) ==
          "struct flags {\n"
          "\tunsigned int kind: 3;\n"
          "\tunsigned int level: 5;\n"
          "\tunsigned char tag;\n"
          "\tunion {\n"
          "\t\tunsigned int ip4;\n"
          "\t\tunsigned char ip6[16];\n"
          "\t};\n"
          "\tunsigned long wide: 40;\n"
          "\tint small: 7;\n"
          "};\n");
    CHECK(btf::print(*t.find("colour")) == "enum colour {\n\tred = 0,\n\tgreen = 5,\n\tblue = 200,\n};\n");
    const every_kind b;
    const auto k = btf::types::parse(b.bytes);
    CHECK(btf::print(k[b.td]) == "typedef unsigned int u32_t;\n");
    CHECK(btf::print(k[b.func]) == "unsigned int handle(struct node *ctx);\n");
    CHECK(btf::print(k[b.var]) == "unsigned int counter;\n");
    CHECK(btf::declaration(k[b.proto], "f") == "unsigned int f(struct node *ctx, const volatile u32_t n, ...)");
    CHECK(btf::declaration(k[b.rst], "p") == "struct node *restrict p");
    CHECK(btf::print(k[b.fwd_u]) == "union opaque_union;\n");
    CHECK(btf::print(k[b.node]) ==
          "struct node {\n\tstruct node *next;\n\tchar name[12];\n\tunsigned int lo: 3;\n\tunsigned int hi: 29;\n"
          "\tunion u;\n};\n");
    CHECK(btf::print(k[b.wide]) == "enum wide {\n\tbig = 1099511627776ULL,\n\ttop = 18446744073709551615ULL,\n};\n");
}

TEST_CASE("btf print: types that expand exponentially stop at a budget (fuzz regression)") {
    // An anonymous struct inlines where it is used; if its members point back
    // at it, each level of nesting multiplies the work by the member count
    // (the fuzzer found a 169-byte blob that printed for over 20 s).
    btf::writer w;
    const auto self = w.reserve(kind::struct_, "");
    const auto p = w.add_ptr(self);
    w.define(self, 32, {{"a", p, 0}, {"b", p, 64}, {"c", p, 128}, {"d", p, 192}});
    const auto holder = w.add_struct("holder", 8, {{"root", p, 0}});
    const auto t = btf::types::parse(w.bytes());
    const auto out = btf::print(t[holder]);
    CHECK(out.starts_with("struct holder {\n\tstruct {\n"));
    CHECK(out.find("/* too large */") != std::string::npos);
    CHECK(out.size() < 4u << 20);
    // every kind of entry is bounded the same way: a declaration, and a prototype whose parameters do it
    CHECK(btf::declaration(t[p], "x").find("/* too large */") != std::string::npos);
}

TEST_CASE("btf lookups: functions, tracepoint prototypes, member paths") {
    btf::writer w;
    const auto i = w.add_int("int", 4, btf::int_encoding::is_signed);
    const auto inner = w.add_struct("inner", 8, {{"a", i, 0}, {"b", i, 32}});
    const auto anon = w.add_union("", 4, {{"x", i, 0}, {"y", i, 0}});
    const auto outer = w.add_struct("outer", 16, {{"in", inner, 0}, {"", anon, 64}, {"bits", i, 96, 4}});
    const auto proto = w.add_func_proto(0, {{{}, w.add_ptr(0)}, {{}, w.add_ptr(outer)}});
    w.add_typedef("btf_trace_my_event", w.add_ptr(proto));
    w.add_func("my_kfunc", w.add_func_proto(i, {{"o", w.add_ptr(outer)}}), btf::func_linkage::global);
    const auto blob = w.bytes();
    const auto t = btf::types::parse(blob);

    CHECK(btf::function_id(t, "my_kfunc") == t.find("my_kfunc")->id());
    CHECK_FALSE(btf::function_id(t, "outer"));
    const auto tp = btf::tracepoint_proto(t, "my_event");
    REQUIRE(tp);
    CHECK(tp->params().size() == 2);
    CHECK(tp->params()[1].type.target().name() == "outer");
    CHECK_FALSE(btf::tracepoint_proto(t, "no_event"));
    CHECK(btf::member_at(t, "outer", "in.b")->byte_offset() == 4);
    CHECK(btf::member_at(t, "outer", "y")->byte_offset() == 8); // inside the anonymous union
    CHECK(btf::member_at(t, "outer", "bits")->bitfield_size == 4);
    CHECK_FALSE(btf::member_at(t, "outer", "in.c"));
    CHECK_FALSE(btf::member_at(t, "outer", "x.y"));
    CHECK_FALSE(btf::member_at(t, "nothing", "a"));
}

// ---------------------------------------------------------------------------
// Programs.

TEST_CASE("btf debug info: a FUNC per subprogram, a line per instruction") {
    using namespace bpfxx::ops;
    constexpr auto prog = bpfxx::assemble(
        mov(r6, r1), call("helper_fn"_label), ld_func(r2, "callback"_label), ld_imm64(r3, 1ll << 40), mov(r0, 0), exit(),
        "helper_fn"_label, mov(r0, 1), exit(),
        "callback"_label, mov(r0, 0), exit());
    const auto dbg = btf::debug_info(prog, {.name = "entry"});
    REQUIRE(dbg.funcs.size() == 3);
    CHECK(dbg.funcs[0].insn_off == 0);
    CHECK(dbg.funcs[1].insn_off == 8);
    CHECK(dbg.funcs[2].insn_off == 10);
    CHECK(dbg.names == std::vector<std::string>{"entry", "helper_fn", "callback"});
    const auto t = btf::types::parse(dbg.blob);
    CHECK(t[dbg.funcs[0].type_id].name() == "entry");
    CHECK(t[dbg.funcs[0].type_id].linkage() == btf::func_linkage::global);
    CHECK(t[dbg.funcs[1].type_id].linkage() == btf::func_linkage::static_);
    CHECK(btf::print(t[dbg.funcs[0].type_id]) == "int entry(void *ctx);\n");
    // one record per instruction, none on an ld_imm64's second slot
    REQUIRE(dbg.lines.size() == prog.size() - 2);
    CHECK(dbg.lines[0].insn_off == 0);
    CHECK(dbg.lines[3].insn_off == 4);
    CHECK(t.string(dbg.lines[0].line_off) == "r6 = r1");
    CHECK(contains(t.string(dbg.lines[1].line_off), "helper_fn"));
    CHECK(t.string(dbg.lines[6].line_off) == "helper_fn: r0 = 1");
    CHECK(contains(t.string(dbg.lines[0].file_name_off), "btf_test.cpp"));
    CHECK((dbg.lines[0].line_col >> 10) > 0);
    const auto unnamed = btf::debug_info(prog, {.name = "not valid!", .lines = false});
    CHECK(unnamed.names[0] == "main");
    CHECK(unnamed.lines.size() == 3);
}

// ---------------------------------------------------------------------------
// Object files and clang.

namespace {
bool have(const char* tool) { return tool[0] != '\0'; }

std::vector<std::byte> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(c.size());
    std::memcpy(out.data(), c.data(), c.size());
    return out;
}

/// clang's .BTF of tests/data/btf_fidelity.c, or empty without clang.
std::vector<std::byte> clang_object() {
    if (!have(BPFXX_CLANG)) return {};
    const std::string obj = std::string(BPFXX_BINARY_DIR) + "/btf_fidelity_" + std::to_string(::getpid()) + ".o";
    const std::string cmd = std::string(BPFXX_CLANG) + " -g -O2 -target bpf -c " BPFXX_SOURCE_DIR
                            "/tests/data/btf_fidelity.c -o " + obj;
    if (std::system(cmd.c_str()) != 0) return {};
    auto bytes = read_bytes(obj);
    std::remove(obj.c_str());
    return bytes;
}

bool skip_without_clang(const std::vector<std::byte>& obj) {
    if (!obj.empty()) return false;
    const char* require = std::getenv("BPFXX_REQUIRE_LLVM");
    if (require != nullptr && std::string(require) == "1") FAIL("clang not found or failed");
    MESSAGE("clang not found: skipped");
    return true;
}
} // namespace

TEST_CASE("btf from ELF: the .BTF section of an object, and malformed files") {
    const auto obj = clang_object();
    if (skip_without_clang(obj)) return;
    const auto t = btf::from_elf(obj, "btf_fidelity.o");
    CHECK(t.find("packet", kind::struct_));
    CHECK(t.find("g_packet", kind::var));

    auto bad = obj;
    bad[4] = std::byte{1}; // 32-bit
    CHECK(error_of([&] { (void)btf::from_elf(bad); }).errnum() == ENOEXEC);
    CHECK(error_of([&] { (void)btf::from_elf(std::span(obj).first(40)); }).errnum() == ENOEXEC);
    std::vector<std::byte> not_elf(64, std::byte{0});
    CHECK(contains(error_of([&] { (void)btf::from_elf(not_elf); }).detail(), "not an ELF file"));
    bad = obj;
    std::memset(bad.data() + 40, 0xff, 8); // e_shoff past the end
    CHECK(error_of([&] { (void)btf::from_elf(bad); }).errnum() == ENOEXEC);
    CHECK(bpfxx::elf::find_section(obj, ".text")); // (empty here, but present)
    CHECK_FALSE(bpfxx::elf::find_section(obj, ".no_such_section"));
    CHECK(error_of([&] {
              auto stripped = obj;
              // rename .BTF so that the file has none
              const auto at = std::search(stripped.begin(), stripped.end(), std::begin(".BTF"), std::end(".BTF"),
                                          [](std::byte b, char c) { return b == static_cast<std::byte>(c); });
              REQUIRE(at != stripped.end());
              at[1] = std::byte{'X'};
              (void)btf::from_elf(stripped);
          }).errnum() == ENOENT);
}

// The C++ twins of tests/data/btf_fidelity.c.
namespace fidelity {
enum color : unsigned int { RED, GREEN = 5, BLUE = 200 };
enum level : int { LOW = -2, MID = 0, HIGH = 7 };
struct point {
    BOOST_HANA_DEFINE_STRUCT(point, (int, x), (int, y));
};
struct line {
    BOOST_HANA_DEFINE_STRUCT(line, (point, a), (point, b), (unsigned char, tag));
};
union value {
    unsigned int u;
    float f;
    unsigned char bytes[4];
};
struct packet { // a layout twin (C++ has no anonymous structs); the description below is what BTF says
    unsigned int head; // kind, level, tag
    unsigned int ip[4];
    unsigned short ports[2];
    unsigned long long flags : 40;
    int signed_bits : 7;
};
struct node {
    node* next;
    const char* name;
    unsigned long values[3];
    color c;
    void* opaque;
    volatile int counter;
};
using on_event_fn = int (*)(void*, int);
using make_fn = point* (*)();
struct handlers {
    BOOST_HANA_DEFINE_STRUCT(handlers, (on_event_fn, on_event), (make_fn, make));
};
struct matrix {
    short cells[2][3];
    double scale;
};
struct padded {
    BOOST_HANA_DEFINE_STRUCT(padded, (char, c), (long long, v), (char, d));
};
struct scalars {
    BOOST_HANA_DEFINE_STRUCT(scalars, (bool, on), (char, c), (signed char, sc), (short, s), (unsigned short, us), (long, l),
                             (unsigned long, ul), (long long, ll), (float, f), (std::uint32_t, typed));
};
} // namespace fidelity

template <>
inline constexpr auto bpfxx::btf::description<fidelity::value> = bpfxx::btf::union_fields(
    bpfxx::btf::field<unsigned int>("u"), bpfxx::btf::field<float>("f"), bpfxx::btf::field<unsigned char[4]>("bytes"));
template <>
inline constexpr auto bpfxx::btf::description<fidelity::packet> = bpfxx::btf::fields(
    bpfxx::btf::bits<unsigned int>("kind", 3), bpfxx::btf::bits<unsigned int>("level", 5),
    bpfxx::btf::field<unsigned char>("tag"),
    bpfxx::btf::anonymous_union(bpfxx::btf::field<unsigned int>("ip4"), bpfxx::btf::field<unsigned char[16]>("ip6")),
    bpfxx::btf::anonymous_struct(bpfxx::btf::field<unsigned short>("sport"), bpfxx::btf::field<unsigned short>("dport")),
    bpfxx::btf::bits<unsigned long long>("flags", 40), bpfxx::btf::bits<int>("signed_bits", 7));
template <>
inline constexpr auto bpfxx::btf::description<fidelity::matrix> =
    bpfxx::btf::fields(bpfxx::btf::field<short[2][3]>("cells"), bpfxx::btf::field<double>("scale"));
// C's `struct node` names its member `color`, which in C++ would hide the type
template <>
inline constexpr auto bpfxx::btf::description<fidelity::node> = bpfxx::btf::fields(
    bpfxx::btf::self_pointer("next"), bpfxx::btf::field<const char*>("name"),
    bpfxx::btf::field<unsigned long[3]>("values"), bpfxx::btf::field<fidelity::color>("color"),
    bpfxx::btf::field<void*>("opaque"), bpfxx::btf::field<volatile int>("counter"));

namespace {
/// Whether two types describe the same C type: kinds, names, sizes,
/// encodings, members (names, offsets, bitfields) and what they refer to,
/// with typedefs looked through (C++ has none to compare) and cycles cut.
struct same_types {
    std::set<std::pair<std::uint32_t, std::uint32_t>> assumed;
    std::string why;

    bool differ(std::string what) {
        why = std::move(what);
        return false;
    }

    static btf::type skip_typedefs(btf::type t) {
        while (t.kind() == kind::typedef_) t = t.target();
        return t;
    }

    bool operator()(btf::type a, btf::type b) {
        a = skip_typedefs(a);
        b = skip_typedefs(b);
        if (!assumed.insert({a.id(), b.id()}).second) return true;
        const std::string here = std::string(btf::kind_name(a.kind())) + " '" + std::string(a.name()) + "'";
        if (a.kind() != b.kind()) return differ(here + ": kind " + std::string(btf::kind_name(b.kind())));
        if (a.name() != b.name()) return differ(here + ": name '" + std::string(b.name()) + "'");
        if (a.size() != b.size()) return differ(here + ": size " + std::to_string(b.size()));
        switch (a.kind()) {
        case kind::int_:
            if (a.as_int().bits != b.as_int().bits || a.as_int().encoding != b.as_int().encoding)
                return differ(here + ": encoding");
            return true;
        case kind::ptr:
        case kind::const_:
        case kind::volatile_:
        case kind::restrict_: return (*this)(a.target(), b.target());
        case kind::array:
            if (a.nelems() != b.nelems()) return differ(here + ": elements");
            return (*this)(a.element(), b.element());
        case kind::struct_:
        case kind::union_: {
            const auto ma = a.members(), mb = b.members();
            if (ma.size() != mb.size()) return differ(here + ": " + std::to_string(mb.size()) + " members");
            for (std::size_t i = 0; i < ma.size(); ++i) {
                const auto x = ma[i], y = mb[i];
                const std::string mem = here + " member '" + std::string(x.name) + "'";
                if (x.name != y.name) return differ(mem + ": name '" + std::string(y.name) + "'");
                if (x.bit_offset != y.bit_offset) return differ(mem + ": bit offset " + std::to_string(y.bit_offset));
                if (x.bitfield_size != y.bitfield_size) return differ(mem + ": bitfield size");
                if (!(*this)(x.type, y.type)) return false;
            }
            return true;
        }
        case kind::enum_: {
            const auto ea = a.enumerators(), eb = b.enumerators();
            if (ea.size() != eb.size()) return differ(here + ": values");
            for (std::size_t i = 0; i < ea.size(); ++i)
                if (ea[i].name != eb[i].name || static_cast<std::uint32_t>(ea[i].value) != static_cast<std::uint32_t>(eb[i].value))
                    return differ(here + ": value " + std::string(ea[i].name)); // (clang 14 sets no signedness: compare the bits)
            return true;
        }
        case kind::func_proto: {
            if (!(*this)(a.return_type(), b.return_type())) return false;
            const auto pa = a.params(), pb = b.params();
            if (pa.size() != pb.size()) return differ(here + ": parameters");
            for (std::size_t i = 0; i < pa.size(); ++i)
                if (!(*this)(pa[i].type, pb[i].type)) return false;
            return true;
        }
        default: return true;
        }
    }
};
} // namespace

TEST_CASE("btf fidelity: bpfxx's BTF of the C++ twins describes what clang's .BTF describes") {
    const auto obj = clang_object();
    if (skip_without_clang(obj)) return;
    const auto theirs = btf::from_elf(obj, "btf_fidelity.o");
    using ours_blob = btf::blob_of<fidelity::point, fidelity::line, fidelity::value, fidelity::packet, fidelity::node,
                                   fidelity::handlers, fidelity::matrix, fidelity::padded, fidelity::scalars, fidelity::level>;
    const auto ours = btf::types::parse(ours_blob::bytes);
    std::size_t compared = 0;
    for (const auto t : theirs) {
        const auto k = t.kind();
        if ((k != kind::struct_ && k != kind::union_ && k != kind::enum_) || t.name().empty()) continue;
        INFO("clang's " << btf::kind_name(k) << " " << t.name());
        const auto mine = ours.find(t.name(), k);
        REQUIRE(mine);
        same_types same;
        CHECK_MESSAGE(same(t, *mine), same.why);
        ++compared;
    }
    CHECK(compared == 11); // 8 structs, 1 union, 2 enums
    // and nothing more: every named aggregate of ours is one of clang's
    for (const auto t : ours)
        if ((t.kind() == kind::struct_ || t.kind() == kind::union_ || t.kind() == kind::enum_) && !t.name().empty())
            CHECK_MESSAGE(theirs.find(t.name(), t.kind()), t.name());
}
