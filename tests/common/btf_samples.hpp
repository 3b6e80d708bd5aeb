#pragma once
// BTF blobs the unit and kernel tests share: one with every kind, written by
// the writer, and a builder of raw blobs for what the writer would refuse.
#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx_test {

using bpfxx::btf::kind;

/// A blob assembled word by word, for inputs the writer would refuse.
struct raw_blob {
    std::vector<std::uint32_t> words; ///< the type section
    std::string strings{'\0'};
    bpfxx::btf::header hdr{};

    std::uint32_t str(std::string_view s) {
        const auto off = static_cast<std::uint32_t>(strings.size());
        strings += s;
        strings += '\0';
        return off;
    }
    raw_blob& rec(std::initializer_list<std::uint32_t> ws) {
        words.insert(words.end(), ws);
        return *this;
    }
    [[nodiscard]] std::vector<std::byte> bytes(bool fix_header = true) const {
        bpfxx::btf::header h = hdr;
        if (fix_header) {
            h.type_off = 0;
            h.type_len = static_cast<std::uint32_t>(words.size() * 4);
            h.str_off = h.type_len;
            h.str_len = static_cast<std::uint32_t>(strings.size());
        }
        std::vector<std::byte> out(sizeof h + words.size() * 4 + strings.size());
        std::memcpy(out.data(), &h, sizeof h);
        if (!words.empty()) std::memcpy(out.data() + sizeof h, words.data(), words.size() * 4);
        std::memcpy(out.data() + sizeof h + words.size() * 4, strings.data(), strings.size());
        return out;
    }
};

inline std::uint32_t info(kind k, std::uint32_t vlen = 0, bool kflag = false) { return bpfxx::btf::make_info(k, vlen, kflag); }

/// A blob with one of every kind, written by the writer (ids in comments).
struct every_kind {
    std::vector<std::byte> bytes;
    std::uint32_t u32, chr, ptr, arr, node, un, color, wide, fwd_s, fwd_u, td, vol, cst, rst, proto, func, var,
        sec, flt, dtag, ttag, attr_tag;
    every_kind() {
        bpfxx::btf::writer w;
        u32 = w.add_int("unsigned int", 4);
        chr = w.add_int("char", 1, bpfxx::btf::int_encoding::is_signed);
        node = w.reserve(kind::struct_, "node");
        ptr = w.add_ptr(node);
        arr = w.add_array(chr, 12);
        un = w.add_union("u", 4, {{"a", u32, 0}, {"b", chr, 0}});
        w.define(node, 32, {{"next", ptr, 0}, {"name", arr, 64}, {"lo", u32, 160, 3}, {"hi", u32, 163, 29}, {"", un, 192}});
        color = w.add_enum("color", 4, {{"red", 0}, {"minus", -5}}, true);
        wide = w.add_enum("wide", 8, {{"big", std::int64_t{1} << 40}, {"top", -1}});
        fwd_s = w.add_fwd("opaque");
        fwd_u = w.add_fwd("opaque_union", true);
        td = w.add_typedef("u32_t", u32);
        vol = w.add_volatile(td);
        cst = w.add_const(vol);
        rst = w.add_restrict(ptr);
        proto = w.add_func_proto(u32, {{"ctx", ptr}, {"n", cst}, {{}, 0}});
        func = w.add_func("handle", w.add_func_proto(u32, {{"ctx", ptr}}), bpfxx::btf::func_linkage::global);
        var = w.add_var("counter", u32, bpfxx::btf::var_linkage::global);
        sec = w.add_datasec(".data", 8, {{var, 4, 4}});
        flt = w.add_float("double", 8);
        dtag = w.add_decl_tag("hot", node, 2);
        ttag = w.add_type_tag("user", u32);
        attr_tag = w.add_decl_tag("noinline", func, -1, true);
        bytes = w.bytes();
    }
};

} // namespace bpfxx_test
