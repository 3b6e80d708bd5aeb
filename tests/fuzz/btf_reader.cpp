// libFuzzer target: the BTF reader on untrusted bytes. Any input must parse
// or be refused with bpfxx::error; every view of what parses — names,
// members, values, parameters, chains of references, sizes, C printing,
// lookups by name — must work or be refused the same way. Anything else
// (a crash, a sanitizer report, another exception, a hang) is a bug.
//
// The first byte chooses whether the rest is read on its own or as split
// BTF on a small base blob (which the split input may refer to).
#include <bpfxx/btf/lookup.hpp>
#include <bpfxx/btf/print.hpp>
#include <bpfxx/btf/types.hpp>
#include <bpfxx/btf/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

namespace btf = bpfxx::btf;

const btf::types& base() {
    static const std::vector<std::byte> blob = [] {
        btf::writer w;
        const auto i = w.add_int("int", 4, btf::int_encoding::is_signed);
        const auto s = w.reserve(btf::kind::struct_, "base_s");
        w.define(s, 16, {{"next", w.add_ptr(s), 0}, {"v", i, 64}});
        return w.bytes();
    }();
    static const btf::types t = btf::types::parse_in_place(blob, "fuzz base");
    return t;
}

template <class F>
void guarded(F&& f) {
    try {
        f();
    } catch (const bpfxx::error&) {
    }
}

void visit(const btf::types& t) {
    std::size_t sink = 0;
    for (std::uint32_t id = t.first_id(); id < t.size(); ++id) {
        const btf::type ty = t.at(id);
        sink += ty.name().size() + ty.vlen() + ty.size() + static_cast<std::size_t>(ty.kind());
        guarded([&] { sink += ty.target().id(); });
        guarded([&] { sink += ty.resolved().id() + ty.unqualified().id(); });
        guarded([&] { sink += ty.byte_size(); });
        guarded([&] {
            for (const auto& m : ty.members()) sink += m.name.size() + m.bit_offset + m.bitfield_size + m.type.id();
        });
        guarded([&] {
            for (const auto& e : ty.enumerators()) sink += e.name.size() + static_cast<std::size_t>(e.value);
        });
        guarded([&] {
            for (const auto& p : ty.params()) sink += p.name.size() + p.type.id();
            sink += ty.return_type().id();
        });
        guarded([&] {
            for (const auto& v : ty.vars()) sink += v.var.id() + v.offset + v.size;
        });
        guarded([&] { sink += static_cast<std::size_t>(ty.component_idx()); });
        guarded([&] { sink += ty.as_int().bits + ty.nelems() + ty.element().id() + ty.index_type().id(); });
        guarded([&] { sink += btf::print(ty).size() + btf::declaration(ty, "x").size(); });
        guarded([&] {
            if (const auto found = t.find(ty.name(), ty.kind())) sink += found->id();
            sink += t.find_all(ty.name()).size();
        });
        guarded([&] {
            if (const auto m = btf::member_at(ty, "a.b")) sink += m->bit_offset;
        });
    }
    guarded([&] { sink += t.find("bpfxx_fuzz_missing").has_value() ? 1 : 0; });
    guarded([&] { sink += btf::tracepoint_proto(t, "x").has_value() ? 1 : 0; });
    if (sink == 0xdeadbeef) __builtin_trap(); // keeps the work from being optimised away
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool split = (data[0] & 1) != 0;
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
    guarded([&] {
        const auto t = split ? btf::types::parse_split(bytes, base(), "fuzz") : btf::types::parse_in_place(bytes, "fuzz");
        visit(t);
    });
    return 0;
}
