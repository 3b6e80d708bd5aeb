#pragma once
// `btf::writer`: builds a BTF blob type by type, during constant evaluation
// or at run time, with one string table (each string once) and identical
// records merged. Every record is checked against the kernel's rules
// (`btf/rules.hpp`) as it is added, and the blob as a whole by `validate()`
// (references, sizes, member layout, loops), so that BPF_BTF_LOAD accepts
// what the writer produces.
//
//     constexpr auto blob = [] {
//         btf::writer w;
//         const auto u32 = w.add_int("unsigned int", 4);
//         w.add_struct("pair", 8, {{{"a", u32, 0}, {"b", u32, 32}}});
//         return w;                 // (a writer cannot leave constant evaluation:
//     };                            //  see btf::blob_of for fixed-size results)
//
// Portable: no OS headers. std::vector is used during constant evaluation;
// std::string is not (clang 14 with libstdc++ 12 cannot evaluate it).
//
// One concept: the writer and the per-record rule checks it runs as it appends;
// the rules themselves are btf/rules.hpp.

#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/rules.hpp>
#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/sys/error.hpp>

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bpfxx::btf {

/// A member of a STRUCT or UNION to add. An empty name makes an anonymous
/// member (its type should be a STRUCT or UNION).
struct member_spec {
    std::string_view name;
    std::uint32_t type = 0;
    std::uint32_t bit_offset = 0;
    std::uint32_t bitfield_size = 0; ///< 0: not a bitfield
};
/// A value of an ENUM or ENUM64.
struct enum_value {
    std::string_view name;
    std::int64_t value = 0;
};
/// A parameter of a FUNC_PROTO; type 0 with no name is `...` (last only).
struct param_spec {
    std::string_view name;
    std::uint32_t type = 0;
};
/// A variable of a DATASEC.
struct secinfo_spec {
    std::uint32_t type = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};

class writer {
public:
    /// The kernel's limits: type ids below 2^20, string offsets below 2^24.
    static constexpr std::uint32_t max_types = 0xfffff;
    static constexpr std::uint32_t max_string_bytes = 0xffffff;

    constexpr writer() {
        strings_.push_back('\0');
        records_.push_back({});
        string_slots_ = bpfxx::detail::buffer<std::uint32_t>(64, 0);
        record_slots_ = bpfxx::detail::buffer<std::uint32_t>(64, 0);
    }

    // -- strings -------------------------------------------------------------

    /// The offset of `s` in the string table, adding it if it is not there yet ("" is 0).
    constexpr std::uint32_t add_string(std::string_view s) {
        if (s.empty()) return 0;
        const std::uint32_t h = hash_chars(s);
        std::size_t i = h & (string_slots_.size() - 1);
        while (string_slots_[i] != 0) {
            if (string_at(string_slots_[i]) == s) return string_slots_[i];
            i = (i + 1) & (string_slots_.size() - 1);
        }
        const auto off = static_cast<std::uint32_t>(strings_.size());
        if (strings_.size() + s.size() + 1 > max_string_bytes) fail(rule::too_big, 0, s);
        for (const char c : s) strings_.push_back(c);
        strings_.push_back('\0');
        string_slots_[i] = off;
        if (++string_count_ * 2 > string_slots_.size()) rehash_strings();
        return off;
    }

    /// The string at `off` (as added).
    [[nodiscard]] constexpr std::string_view string_at(std::uint32_t off) const {
        std::size_t n = 0;
        while (strings_[off + n] != '\0') ++n;
        return {strings_.data() + off, n};
    }

    // -- types ---------------------------------------------------------------

    /// INT: `bits` 0 means all of `size` bytes.
    constexpr std::uint32_t add_int(std::string_view name, std::uint32_t size, int_encoding enc = int_encoding::none,
                                    std::uint32_t bits = 0, std::uint32_t bit_offset = 0) {
        if (!(size == 1 || size == 2 || size == 4 || size == 8 || size == 16)) fail(rule::int_size, 0, name);
        if (bits == 0) bits = size * 8;
        if (bits > 128 || bit_offset + bits > size * 8) fail(rule::int_bits, 0, name);
        const auto e = static_cast<std::uint32_t>(enc);
        if (e != 0 && e != 1 && e != 2 && e != 4) fail(rule::int_encoding, 0, name);
        return intern({add_string(name), make_info(kind::int_, 0, false), size, make_int_data(enc, bit_offset, bits)});
    }

    /// FLOAT of `size` bytes.
    constexpr std::uint32_t add_float(std::string_view name, std::uint32_t size) {
        if (!(size == 2 || size == 4 || size == 8 || size == 12 || size == 16)) fail(rule::float_size, 0, name);
        return intern({add_string(name), make_info(kind::float_, 0, false), size});
    }

    /// PTR to `target` (0: void *).
    constexpr std::uint32_t add_ptr(std::uint32_t target) { return add_ref(kind::ptr, {}, target); }
    constexpr std::uint32_t add_const(std::uint32_t target) { return add_ref(kind::const_, {}, target); }
    constexpr std::uint32_t add_volatile(std::uint32_t target) { return add_ref(kind::volatile_, {}, target); }
    constexpr std::uint32_t add_restrict(std::uint32_t target) { return add_ref(kind::restrict_, {}, target); }
    /// TYPEDEF `name` of `target`.
    constexpr std::uint32_t add_typedef(std::string_view name, std::uint32_t target) {
        return add_ref(kind::typedef_, name, target);
    }
    /// TYPE_TAG `value` on `target` (`attribute`: kind_flag, the tag is an __attribute__).
    constexpr std::uint32_t add_type_tag(std::string_view value, std::uint32_t target, bool attribute = false) {
        return add_ref(kind::type_tag, value, target, attribute);
    }

    /// ARRAY of `nelems` elements of `elem`, indexed by `index` (0: an INT
    /// named "__ARRAY_SIZE_TYPE__", as clang emits).
    constexpr std::uint32_t add_array(std::uint32_t elem, std::uint32_t nelems, std::uint32_t index = 0) {
        if (index == 0) index = add_int("__ARRAY_SIZE_TYPE__", 4);
        return intern({0, make_info(kind::array, 0, false), 0, elem, index, nelems});
    }

    /// FWD declaration of a struct or union.
    constexpr std::uint32_t add_fwd(std::string_view name, bool is_union = false) {
        if (name.empty()) fail(rule::name_missing, 0, name);
        check_identifier(name);
        return intern({add_string(name), make_info(kind::fwd, 0, is_union), 0});
    }

    /// ENUM of `size` bytes, or ENUM64 when a value does not fit 32 bits or
    /// `size` is 8 (unless `k` says which); `is_signed` sets kind_flag.
    constexpr std::uint32_t add_enum(std::string_view name, std::uint32_t size, std::span<const enum_value> values,
                                     bool is_signed = false, kind k = kind::void_) {
        if (!(size == 1 || size == 2 || size == 4 || size == 8)) fail(rule::enum_size, 0, name);
        if (!name.empty()) check_identifier(name);
        check_vlen(values.size(), name);
        bool wide = size == 8;
        for (const auto& v : values) {
            if (v.name.empty()) fail(rule::name_missing, 0, name);
            check_identifier(v.name);
            if (v.value < INT32_MIN || v.value > static_cast<std::int64_t>(UINT32_MAX)) wide = true;
        }
        if (k == kind::enum_ || k == kind::enum64) wide = k == kind::enum64;
        const auto n = static_cast<std::uint32_t>(values.size());
        bpfxx::detail::buffer<std::uint32_t> rec{add_string(name), make_info(wide ? kind::enum64 : kind::enum_, n, is_signed), size};
        for (const auto& v : values) {
            rec.push_back(add_string(v.name));
            const auto bits = static_cast<std::uint64_t>(v.value);
            rec.push_back(static_cast<std::uint32_t>(bits));
            if (wide) rec.push_back(static_cast<std::uint32_t>(bits >> 32));
        }
        return intern(bpfxx::detail::as_span(rec));
    }
    constexpr std::uint32_t add_enum(std::string_view name, std::uint32_t size, std::initializer_list<enum_value> values,
                                     bool is_signed = false, kind k = kind::void_) {
        return add_enum(name, size, std::span<const enum_value>(values.begin(), values.size()), is_signed, k);
    }

    /// STRUCT (or UNION, `k`) of `size` bytes with these members in order.
    /// kind_flag is set when a member is a bitfield.
    constexpr std::uint32_t add_struct(kind k, std::string_view name, std::uint32_t size,
                                       std::span<const member_spec> members) {
        const std::uint32_t id = reserve(k, name);
        define(id, size, members);
        return id;
    }
    constexpr std::uint32_t add_struct(std::string_view name, std::uint32_t size, std::span<const member_spec> members) {
        return add_struct(kind::struct_, name, size, members);
    }
    constexpr std::uint32_t add_struct(std::string_view name, std::uint32_t size,
                                       std::initializer_list<member_spec> members) {
        return add_struct(kind::struct_, name, size, std::span<const member_spec>(members.begin(), members.size()));
    }
    constexpr std::uint32_t add_union(std::string_view name, std::uint32_t size, std::span<const member_spec> members) {
        return add_struct(kind::union_, name, size, members);
    }
    constexpr std::uint32_t add_union(std::string_view name, std::uint32_t size,
                                      std::initializer_list<member_spec> members) {
        return add_struct(kind::union_, name, size, std::span<const member_spec>(members.begin(), members.size()));
    }

    /// An id for a STRUCT or UNION whose members are given later by `define`:
    /// what a type that refers to itself (through a pointer) needs.
    constexpr std::uint32_t reserve(kind k, std::string_view name) {
        if (k != kind::struct_ && k != kind::union_) fail(rule::struct_undefined, 0, name);
        if (!name.empty()) check_identifier(name);
        const auto name_off = add_string(name);
        if (records_.size() > max_types) fail(rule::too_big, 0, name);
        records_.push_back({undefined, 0});
        const auto id = static_cast<std::uint32_t>(records_.size() - 1);
        pending_.push_back({name_off, k, id});
        return id;
    }

    /// Gives a reserved STRUCT or UNION its size and members.
    constexpr void define(std::uint32_t id, std::uint32_t size, std::span<const member_spec> members) {
        const auto* p = find_pending(id);
        if (p == nullptr) fail(rule::struct_undefined, id, {});
        check_vlen(members.size(), string_at(p->name_off));
        bool bitfields = false;
        for (const auto& m : members) bitfields = bitfields || m.bitfield_size != 0;
        for (const auto& m : members) {
            if (!m.name.empty()) check_identifier(m.name);
            // with bitfields, offsets have 24 bits and sizes 8
            if (bitfields && m.bit_offset > 0xffffffu) fail(rule::member_beyond_size, id, m.name);
            if (m.bitfield_size > 255) fail(rule::bitfield_too_wide, id, m.name);
        }
        const auto start = static_cast<std::uint32_t>(words_.size());
        words_.push_back(p->name_off);
        words_.push_back(make_info(p->k, static_cast<std::uint32_t>(members.size()), bitfields));
        words_.push_back(size);
        for (const auto& m : members) {
            words_.push_back(add_string(m.name));
            words_.push_back(m.type);
            words_.push_back(bitfields ? (m.bitfield_size << 24) | m.bit_offset : m.bit_offset);
        }
        records_[id] = {start, static_cast<std::uint32_t>(words_.size() - start)};
        drop_pending(id);
    }
    constexpr void define(std::uint32_t id, std::uint32_t size, std::initializer_list<member_spec> members) {
        define(id, size, std::span<const member_spec>(members.begin(), members.size()));
    }

    /// FUNC_PROTO returning `ret` (0: void) with these parameters.
    constexpr std::uint32_t add_func_proto(std::uint32_t ret, std::span<const param_spec> params) {
        check_vlen(params.size(), {});
        bpfxx::detail::buffer<std::uint32_t> rec{0, make_info(kind::func_proto, static_cast<std::uint32_t>(params.size()), false), ret};
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto& prm = params[i];
            if (prm.type == 0 && (!prm.name.empty() || i + 1 != params.size())) fail(rule::vararg_not_last, 0, prm.name);
            if (!prm.name.empty()) check_identifier(prm.name);
            rec.push_back(add_string(prm.name));
            rec.push_back(prm.type);
        }
        return intern(bpfxx::detail::as_span(rec));
    }
    constexpr std::uint32_t add_func_proto(std::uint32_t ret, std::initializer_list<param_spec> params) {
        return add_func_proto(ret, std::span<const param_spec>(params.begin(), params.size()));
    }

    /// FUNC `name` of prototype `proto`.
    constexpr std::uint32_t add_func(std::string_view name, std::uint32_t proto, func_linkage l = func_linkage::static_) {
        if (name.empty()) fail(rule::name_missing, 0, name);
        check_identifier(name);
        if (l != func_linkage::static_ && l != func_linkage::global) fail(rule::func_linkage, 0, name);
        return intern({add_string(name), make_info(kind::func, static_cast<std::uint32_t>(l), false), proto});
    }

    /// VAR `name` of `type`.
    constexpr std::uint32_t add_var(std::string_view name, std::uint32_t type, var_linkage l = var_linkage::global) {
        if (name.empty()) fail(rule::name_missing, 0, name);
        check_identifier(name);
        if (l != var_linkage::static_ && l != var_linkage::global) fail(rule::var_linkage, 0, name);
        return intern({add_string(name), make_info(kind::var, 0, false), type, static_cast<std::uint32_t>(l)});
    }

    /// DATASEC `name` of `size` bytes holding these variables.
    constexpr std::uint32_t add_datasec(std::string_view name, std::uint32_t size, std::span<const secinfo_spec> vars) {
        if (!detail::valid_section_name(name)) fail(name.empty() ? rule::name_missing : rule::section_name_invalid, 0, name);
        check_vlen(vars.size(), name);
        bpfxx::detail::buffer<std::uint32_t> rec{add_string(name), make_info(kind::datasec, static_cast<std::uint32_t>(vars.size()), false), size};
        for (const auto& v : vars) {
            rec.push_back(v.type);
            rec.push_back(v.offset);
            rec.push_back(v.size);
        }
        return intern(bpfxx::detail::as_span(rec));
    }
    constexpr std::uint32_t add_datasec(std::string_view name, std::uint32_t size, std::initializer_list<secinfo_spec> vars) {
        return add_datasec(name, size, std::span<const secinfo_spec>(vars.begin(), vars.size()));
    }

    /// DECL_TAG `value` on `target` (-1: the type itself, else member or parameter `component`).
    constexpr std::uint32_t add_decl_tag(std::string_view value, std::uint32_t target, std::int32_t component = -1,
                                         bool attribute = false) {
        if (value.empty()) fail(rule::name_missing, 0, value);
        if (component < -1) fail(rule::decl_tag_component, 0, value);
        return intern({add_string(value), make_info(kind::decl_tag, 0, attribute), target,
                       static_cast<std::uint32_t>(component)});
    }

    // -- what was added ------------------------------------------------------

    /// The number of types (ids 1 … count()).
    [[nodiscard]] constexpr std::uint32_t count() const noexcept { return static_cast<std::uint32_t>(records_.size() - 1); }
    [[nodiscard]] constexpr kind kind_of(std::uint32_t id) const { return static_cast<kind>(info_kind(word(id, 1))); }
    /// Word `i` of type `id`'s record (0: name_off, 1: info, 2: size/type, then the kind's data).
    [[nodiscard]] constexpr std::uint32_t word(std::uint32_t id, std::uint32_t i) const {
        if (id == 0 || id >= records_.size() || records_[id].start == undefined) fail(rule::unknown_type, id, {});
        return words_[records_[id].start + i];
    }
    [[nodiscard]] constexpr std::uint32_t string_bytes() const noexcept { return static_cast<std::uint32_t>(strings_.size()); }

    // -- C++ types already added (btf/describe.hpp) --------------------------

    /// The id recorded for `key` (a type's identity), or 0.
    [[nodiscard]] constexpr std::uint32_t cached(std::string_view key) const {
        const auto h = hash_chars(key);
        for (const auto& e : cache_)
            if (e.hash == h && e.key == key) return e.id;
        return 0;
    }
    constexpr void remember(std::string_view key, std::uint32_t id) { cache_.push_back({hash_chars(key), key, id}); }

    // -- checking and writing -------------------------------------------------

    /// Checks what needs the whole blob: every referenced id exists, member
    /// layouts fit, chains do not loop, FUNCs, DATASECs and tags are well-formed.
    constexpr void validate() const {
        for (const auto& p : pending_) fail(rule::struct_undefined, p.id, string_at(p.name_off));
        for (std::uint32_t id = 1; id <= count(); ++id) check_references(id);
        check_loops();
        for (std::uint32_t id = 1; id <= count(); ++id) check_type(id);
    }

    /// Bytes of the blob: header, types, strings.
    [[nodiscard]] constexpr std::size_t byte_size() const noexcept {
        return sizeof(header) + type_bytes() + strings_.size();
    }

    /// Writes the blob (host byte order, as the kernel reads it) into `out`,
    /// which has exactly byte_size() bytes. Does not validate.
    constexpr void write(std::span<std::byte> out) const {
        std::size_t at = 0;
        const auto put16 = [&](std::uint16_t v) { put(out, at, v, 2); };
        const auto put32 = [&](std::uint32_t v) { put(out, at, v, 4); };
        put16(magic);
        out[at++] = std::byte{1}; // version
        out[at++] = std::byte{0}; // flags
        put32(sizeof(header));
        put32(0);
        put32(type_bytes());
        put32(type_bytes());
        put32(static_cast<std::uint32_t>(strings_.size()));
        for (std::uint32_t id = 1; id <= count(); ++id) {
            const auto r = records_[id];
            for (std::uint32_t i = 0; i < r.words; ++i) put32(words_[r.start + i]);
        }
        for (const char c : strings_) out[at++] = static_cast<std::byte>(c);
    }

    /// The validated blob (run time).
    [[nodiscard]] std::vector<std::byte> bytes() const {
        validate();
        std::vector<std::byte> out(byte_size());
        write(out);
        return out;
    }

    /// Throws for rule `r`; during constant evaluation, stops compilation at
    /// the function named after the rule.
    constexpr void fail(rule r, std::uint32_t id, std::string_view name) const {
        if (std::is_constant_evaluated()) {
            detail::stop_compilation(r);
            return;
        }
        std::string what = id == 0 ? std::string("new type") : "type id " + std::to_string(id);
        if (!name.empty()) what += " '" + std::string(name) + "'";
        throw error(EINVAL, "btf::writer", what, std::string(rule_text(r)));
    }

private:
    static constexpr std::uint32_t undefined = 0xffffffffu;

    struct record_ref {
        std::uint32_t start = 0;
        std::uint32_t words = 0;
    };
    struct pending_struct {
        std::uint32_t name_off = 0;
        kind k = kind::struct_;
        std::uint32_t id = 0;
    };
    struct cache_entry {
        std::uint32_t hash = 0;
        std::string_view key;
        std::uint32_t id = 0;
    };

    [[nodiscard]] static constexpr std::uint32_t hash_chars(std::string_view s) noexcept {
        std::uint32_t h = 2166136261u;
        for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
        return h;
    }
    [[nodiscard]] static constexpr std::uint32_t hash_words(std::span<const std::uint32_t> w) noexcept {
        std::uint32_t h = 2166136261u;
        for (const auto x : w) h = (h ^ x) * 16777619u + (x >> 16);
        return h;
    }

    static constexpr void put(std::span<std::byte> out, std::size_t& at, std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) {
            const int shift = std::endian::native == std::endian::little ? 8 * i : 8 * (bytes - 1 - i);
            out[at++] = static_cast<std::byte>((v >> shift) & 0xffu);
        }
    }

    [[nodiscard]] constexpr std::uint32_t type_bytes() const noexcept {
        std::uint32_t n = 0;
        for (std::size_t id = 1; id < records_.size(); ++id) n += records_[id].words * 4;
        return n;
    }

    constexpr void check_identifier(std::string_view s) const {
        if (!detail::valid_identifier(s)) fail(rule::name_not_identifier, 0, s);
    }
    constexpr void check_vlen(std::size_t n, std::string_view name) const {
        if (n > max_vlen) fail(rule::too_many_entries, 0, name);
    }

    constexpr std::uint32_t add_ref(kind k, std::string_view name, std::uint32_t target, bool kflag = false) {
        if (k == kind::typedef_) {
            if (name.empty()) fail(rule::name_missing, 0, name);
            check_identifier(name);
        } else if (k == kind::type_tag) {
            if (name.empty()) fail(rule::name_missing, 0, name);
        } // (PTR and the qualifiers take no name: their add_ functions have none to give)
        return intern({add_string(name), make_info(k, 0, kflag), target});
    }

    /// The id of a record with these words: an existing identical one, or a new one.
    constexpr std::uint32_t intern(std::span<const std::uint32_t> rec) {
        const auto h = hash_words(rec);
        std::size_t i = h & (record_slots_.size() - 1);
        while (record_slots_[i] != 0) {
            const auto id = record_slots_[i];
            const auto r = records_[id];
            if (r.words == rec.size()) {
                bool same = true;
                for (std::size_t k = 0; k < rec.size() && same; ++k) same = words_[r.start + k] == rec[k];
                if (same) return id;
            }
            i = (i + 1) & (record_slots_.size() - 1);
        }
        if (records_.size() > max_types) fail(rule::too_big, 0, {});
        const auto start = static_cast<std::uint32_t>(words_.size());
        for (const auto w : rec) words_.push_back(w);
        records_.push_back({start, static_cast<std::uint32_t>(rec.size())});
        const auto id = static_cast<std::uint32_t>(records_.size() - 1);
        record_slots_[i] = id;
        if (++record_count_ * 2 > record_slots_.size()) rehash_records();
        return id;
    }
    constexpr std::uint32_t intern(std::initializer_list<std::uint32_t> rec) {
        return intern(std::span<const std::uint32_t>(rec.begin(), rec.size()));
    }

    constexpr void rehash_strings() {
        auto slots = bpfxx::detail::buffer<std::uint32_t>(string_slots_.size() * 2, 0);
        for (const auto off : string_slots_) {
            if (off == 0) continue;
            std::size_t i = hash_chars(string_at(off)) & (slots.size() - 1);
            while (slots[i] != 0) i = (i + 1) & (slots.size() - 1);
            slots[i] = off;
        }
        string_slots_ = std::move(slots);
    }
    constexpr void rehash_records() {
        auto slots = bpfxx::detail::buffer<std::uint32_t>(record_slots_.size() * 2, 0);
        for (const auto id : record_slots_) {
            if (id == 0) continue;
            const auto r = records_[id];
            std::size_t i = hash_words(std::span<const std::uint32_t>(words_.data() + r.start, r.words)) & (slots.size() - 1);
            while (slots[i] != 0) i = (i + 1) & (slots.size() - 1);
            slots[i] = id;
        }
        record_slots_ = std::move(slots);
    }

    [[nodiscard]] constexpr const pending_struct* find_pending(std::uint32_t id) const {
        if (id < records_.size() && records_[id].start == undefined)
            for (const auto& p : pending_)
                if (p.id == id) return &p;
        return nullptr;
    }
    constexpr void drop_pending(std::uint32_t id) {
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].id == id) {
                pending_[i] = pending_.back();
                pending_.pop_back();
                return;
            }
    }

    // -- validation -----------------------------------------------------------

    [[nodiscard]] constexpr bool exists(std::uint32_t id) const noexcept {
        return id < records_.size() && (id == 0 || records_[id].start != undefined);
    }
    [[nodiscard]] constexpr std::uint32_t vlen_of(std::uint32_t id) const { return info_vlen(word(id, 1)); }
    [[nodiscard]] constexpr std::string_view name_of(std::uint32_t id) const { return string_at(word(id, 0)); }

    constexpr void need(std::uint32_t id, std::uint32_t ref, bool void_ok) const {
        if (ref == 0 ? !void_ok : !exists(ref)) fail(ref == 0 ? rule::member_without_size : rule::unknown_type, id, name_of(id));
    }

    /// Every id a record refers to exists (void only where allowed).
    constexpr void check_references(std::uint32_t id) const {
        const kind k = kind_of(id);
        switch (k) {
        case kind::ptr:
        case kind::typedef_:
        case kind::volatile_:
        case kind::const_:
        case kind::restrict_:
        case kind::type_tag: need(id, word(id, 2), true); break;
        case kind::array:
            need(id, word(id, 3), false);
            need(id, word(id, 4), false);
            break;
        case kind::struct_:
        case kind::union_:
            for (std::uint32_t i = 0; i < vlen_of(id); ++i) need(id, word(id, 4 + 3 * i), false);
            break;
        case kind::func_proto:
            need(id, word(id, 2), true);
            for (std::uint32_t i = 0; i < vlen_of(id); ++i) need(id, word(id, 4 + 2 * i), true);
            break;
        case kind::func:
        case kind::var:
        case kind::decl_tag: need(id, word(id, 2), false); break;
        case kind::datasec:
            for (std::uint32_t i = 0; i < vlen_of(id); ++i) need(id, word(id, 3 + 3 * i), false);
            break;
        default: break;
        }
    }

    /// No cycle among qualifiers and pointers (the kernel's pointer
    /// resolution) nor among qualifiers, arrays and structs by value.
    constexpr void check_loops() const {
        const auto n = records_.size();
        // 0 unvisited, 1 on the path, 2 done — once per mode.
        for (int mode = 0; mode < 2; ++mode) {
            auto state = bpfxx::detail::buffer<std::uint8_t>(n, 0);
            bpfxx::detail::buffer<std::uint32_t> stack_id, stack_next;
            for (std::uint32_t root = 1; root < n; ++root) {
                if (state[root] != 0 || !in_mode(root, mode)) continue;
                stack_id.push_back(root);
                stack_next.push_back(0);
                state[root] = 1;
                while (!stack_id.empty()) {
                    const auto id = stack_id.back();
                    const auto i = stack_next.back()++;
                    const auto next = edge(id, i, mode);
                    if (next == undefined) {
                        state[id] = 2;
                        stack_id.pop_back();
                        stack_next.pop_back();
                        continue;
                    }
                    if (next == 0 || !in_mode(next, mode)) continue;
                    if (state[next] == 1) fail(rule::loop, id, name_of(id));
                    if (state[next] == 0) {
                        state[next] = 1;
                        stack_id.push_back(next);
                        stack_next.push_back(0);
                    }
                }
            }
        }
    }
    [[nodiscard]] constexpr bool in_mode(std::uint32_t id, int mode) const {
        const kind k = kind_of(id);
        if (is_modifier(k)) return true;
        return mode == 0 ? k == kind::ptr : (k == kind::array || k == kind::struct_ || k == kind::union_);
    }
    /// The `i`-th type `id` refers to in `mode`, or `undefined` past the last.
    [[nodiscard]] constexpr std::uint32_t edge(std::uint32_t id, std::uint32_t i, int mode) const {
        const kind k = kind_of(id);
        if (is_modifier(k) || k == kind::ptr) return i == 0 ? word(id, 2) : undefined;
        if (mode == 1 && k == kind::array) return i == 0 ? word(id, 3) : undefined;
        if (mode == 1 && (k == kind::struct_ || k == kind::union_)) return i < vlen_of(id) ? word(id, 4 + 3 * i) : undefined;
        return undefined;
    }

    /// The type with typedefs and qualifiers stripped (after check_loops).
    [[nodiscard]] constexpr std::uint32_t strip(std::uint32_t id) const {
        for (int depth = 0; id != 0 && is_modifier(kind_of(id)); ++depth) {
            if (depth > 32) fail(rule::too_deep, id, name_of(id));
            id = word(id, 2);
        }
        return id;
    }

    /// sizeof the type, or -1 for types without a size (void, FWD, FUNC_PROTO, FUNC …).
    [[nodiscard]] constexpr std::int64_t size_of(std::uint32_t id, int depth = 0) const {
        if (depth > 32) fail(rule::too_deep, id, name_of(id));
        id = strip(id);
        if (id == 0) return -1;
        switch (kind_of(id)) {
        case kind::int_:
        case kind::enum_:
        case kind::enum64:
        case kind::float_:
        case kind::struct_:
        case kind::union_:
        case kind::datasec: return word(id, 2);
        case kind::ptr: return 8;
        case kind::array: {
            const auto elem = size_of(word(id, 3), depth + 1);
            if (elem < 0) return -1;
            const auto total = elem * static_cast<std::int64_t>(word(id, 5));
            if (total > static_cast<std::int64_t>(UINT32_MAX)) fail(rule::size_overflow, id, {});
            return total;
        }
        default: return -1;
        }
    }

    [[nodiscard]] constexpr bool regular_int(std::uint32_t id) const {
        if (kind_of(id) != kind::int_) return false;
        const auto d = word(id, 3);
        const auto size = word(id, 2);
        return int_data_offset(d) == 0 && int_data_bits(d) == size * 8;
    }

    constexpr void check_type(std::uint32_t id) const {
        const kind k = kind_of(id);
        const auto name = name_of(id);
        switch (k) {
        case kind::ptr:
        case kind::typedef_:
        case kind::volatile_:
        case kind::const_:
        case kind::restrict_:
        case kind::type_tag: {
            const auto target = word(id, 2);
            if (target != 0) {
                const auto t = strip(target);
                const kind tk = t == 0 ? kind::void_ : kind_of(t);
                if (t != 0 && tk != kind::fwd && tk != kind::func_proto && size_of(t) < 0)
                    fail(rule::modifier_target, id, name);
            }
            // in a chain of modifiers (PTR is none), type tags come first
            if (k != kind::ptr) {
                bool tags = k == kind::type_tag;
                for (auto t = target; t != 0 && is_modifier(kind_of(t)); t = word(t, 2)) {
                    if (kind_of(t) == kind::type_tag && !tags) fail(rule::type_tag_order, id, name);
                    if (kind_of(t) != kind::type_tag) tags = false;
                }
            }
            break;
        }
        case kind::array: {
            const auto index = strip(word(id, 4));
            if (index == 0 || !regular_int(index)) fail(rule::array_index_type, id, name);
            const auto elem = strip(word(id, 3));
            if (size_of(elem) < 0) fail(rule::member_without_size, id, name);
            if (kind_of(elem) == kind::int_ && !regular_int(elem)) fail(rule::member_without_size, id, name);
            (void)size_of(id);
            break;
        }
        case kind::struct_:
        case kind::union_: check_members(id); break;
        case kind::func: {
            const auto proto = word(id, 2);
            if (kind_of(proto) != kind::func_proto) fail(rule::func_not_proto, id, name);
            for (std::uint32_t i = 0; i < vlen_of(proto); ++i)
                if (word(proto, 3 + 2 * i) == 0 && word(proto, 4 + 2 * i) != 0) fail(rule::func_param_unnamed, id, name);
            break;
        }
        case kind::func_proto: {
            if (word(id, 2) != 0 && size_of(word(id, 2)) < 0) fail(rule::member_without_size, id, name);
            for (std::uint32_t i = 0; i < vlen_of(id); ++i) {
                const auto t = word(id, 4 + 2 * i);
                if (t != 0 && size_of(t) < 0) fail(rule::member_without_size, id, name);
            }
            break;
        }
        case kind::var:
            if (size_of(word(id, 2)) < 0) fail(rule::member_without_size, id, name);
            break;
        case kind::datasec: check_datasec(id); break;
        case kind::decl_tag: {
            const auto target = word(id, 2);
            const kind tk = kind_of(target);
            const auto comp = static_cast<std::int32_t>(word(id, 3));
            if (tk != kind::struct_ && tk != kind::union_ && tk != kind::func && tk != kind::var && tk != kind::typedef_)
                fail(rule::decl_tag_target, id, name);
            if (comp != -1) {
                if (tk == kind::var || tk == kind::typedef_) fail(rule::decl_tag_component, id, name);
                const auto n = tk == kind::func ? vlen_of(word(target, 2)) : vlen_of(target);
                if (static_cast<std::uint32_t>(comp) >= n) fail(rule::decl_tag_component, id, name);
            }
            break;
        }
        default: break;
        }
    }

    constexpr void check_members(std::uint32_t id) const {
        const bool is_union = kind_of(id) == kind::union_;
        const bool kflag = info_kind_flag(word(id, 1));
        const std::uint64_t size_bits = std::uint64_t{word(id, 2)} * 8;
        std::uint32_t last = 0;
        for (std::uint32_t i = 0; i < vlen_of(id); ++i) {
            const auto mname = string_at(word(id, 3 + 3 * i));
            const auto mtype = word(id, 4 + 3 * i);
            const auto raw = word(id, 5 + 3 * i);
            const std::uint32_t off = kflag ? raw & 0xffffffu : raw;
            const std::uint32_t bits = kflag ? raw >> 24 : 0;
            if (is_union && off != 0) fail(rule::union_member_offset, id, mname);
            if (off < last) fail(rule::member_offset_decreasing, id, mname);
            last = off;
            const auto t = strip(mtype);
            const auto tsize = size_of(t);
            if (tsize < 0) fail(rule::member_without_size, id, mname);
            const kind tk = kind_of(t);
            const std::uint64_t size_bytes = size_bits / 8;
            if (bits != 0) {
                if (tk != kind::int_ && tk != kind::enum_ && tk != kind::enum64) fail(rule::bitfield_type, id, mname);
                const std::uint32_t max = tk == kind::int_ ? int_data_bits(word(t, 3)) : 32;
                if (bits > max) fail(rule::bitfield_too_wide, id, mname);
                if ((std::uint64_t{off} + bits + 7) / 8 > size_bytes) fail(rule::member_beyond_size, id, mname);
            } else if (tk == kind::int_ && !regular_int(t)) {
                // an INT narrower than its bytes: the old bitfield encoding, any bit offset
                const auto d = word(t, 3);
                if (off / 8 + (off % 8 + int_data_offset(d) + int_data_bits(d) + 7) / 8 > size_bytes)
                    fail(rule::member_beyond_size, id, mname);
            } else {
                if (off % 8 != 0) fail(rule::member_not_aligned, id, mname);
                if (tk == kind::float_) {
                    const auto align = tsize < 8 ? tsize : 8;
                    if ((off / 8) % align != 0) fail(rule::member_not_aligned, id, mname);
                }
                if (off / 8 + static_cast<std::uint64_t>(tsize) > size_bytes) fail(rule::member_beyond_size, id, mname);
            }
        }
    }

    constexpr void check_datasec(std::uint32_t id) const {
        const auto name = name_of(id);
        const auto size = word(id, 2);
        if (size == 0) fail(rule::datasec_size, id, name);
        std::uint64_t end = 0, sum = 0;
        for (std::uint32_t i = 0; i < vlen_of(id); ++i) {
            const auto var = word(id, 3 + 3 * i);
            const auto off = word(id, 4 + 3 * i);
            const auto vsize = word(id, 5 + 3 * i);
            if (off < end || off >= size || vsize == 0 || vsize > size || std::uint64_t{off} + vsize > size)
                fail(rule::datasec_size, id, name);
            end = std::uint64_t{off} + vsize;
            sum += vsize;
            if (kind_of(var) != kind::var) fail(rule::datasec_entry, id, name);
            const auto tsize = size_of(word(var, 2));
            if (tsize < 0 || vsize < static_cast<std::uint64_t>(tsize)) fail(rule::datasec_entry, id, name);
        }
        if (sum > size) fail(rule::datasec_size, id, name);
    }

    bpfxx::detail::buffer<std::uint32_t> words_;
    bpfxx::detail::buffer<record_ref> records_; ///< by id; [0] is void
    bpfxx::detail::buffer<char> strings_;
    bpfxx::detail::buffer<std::uint32_t> string_slots_;
    std::uint32_t string_count_ = 0;
    bpfxx::detail::buffer<std::uint32_t> record_slots_;
    std::uint32_t record_count_ = 0;
    bpfxx::detail::buffer<pending_struct> pending_;
    bpfxx::detail::buffer<cache_entry> cache_;
};

} // namespace bpfxx::btf
