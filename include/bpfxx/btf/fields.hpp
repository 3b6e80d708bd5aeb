#pragma once
// Describing a C++ struct or union field by field, for the BTF writer: what
// member names alone (BOOST_HANA_DEFINE_STRUCT) cannot say — bitfields,
// anonymous structs and unions, types written differently from C++.
//
//     template <> inline constexpr auto bpfxx::btf::description<flags> = bpfxx::btf::fields(
//         bpfxx::btf::bits<std::uint32_t>("kind", 3),
//         bpfxx::btf::bits<std::uint32_t>("level", 5),
//         bpfxx::btf::field<std::uint8_t>("tag"),
//         bpfxx::btf::anonymous_union(bpfxx::btf::field<std::uint32_t>("ip4"),
//                                     bpfxx::btf::field<std::uint8_t[16]>("ip6")));
//
// Offsets are not written down: they follow from the fields in order, by the
// System V rules that GCC and clang use for x86-64 and BPF (a bitfield that
// would straddle a unit of its type starts a new unit; an unnamed
// zero-width bitfield closes the unit). `btf::add_type<T>` then checks the
// result against sizeof(T) and alignof(T) at compile time.

#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/writer.hpp>
#include <bpfxx/detail/buffer.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace bpfxx::btf {

template <class T>
constexpr std::uint32_t add_type(writer& w);

namespace detail {

using emit_fn = std::uint32_t (*)(writer&);

enum class item_kind : std::uint8_t { field, bitfield, self_pointer, open_struct, open_union, close };

/// One entry of a field list: a member, or the start or end of an anonymous group.
struct field_item {
    item_kind what = item_kind::field;
    std::string_view name;
    emit_fn emit = nullptr;    ///< adds the member's type, gives its id
    std::uint32_t size = 0;    ///< sizeof the member's type
    std::uint32_t align = 1;   ///< alignof the member's type
    std::uint32_t bits = 0;    ///< a bitfield's width
};

/// Where each item of a group lies and what the group measures.
struct group_layout {
    std::uint32_t size = 0;  ///< bytes
    std::uint32_t align = 1; ///< bytes
    std::size_t end = 0;     ///< index after the group's close (or the end of the list)
};

[[nodiscard]] constexpr std::uint64_t round_up(std::uint64_t v, std::uint64_t to) noexcept {
    return to == 0 ? v : (v + to - 1) / to * to;
}

/// Lays out the group starting at `begin` (a struct, or a union if
/// `is_union`); writes each item's bit offset, relative to the group, to
/// `offsets` (indexed like `items`) when given.
constexpr group_layout measure(std::span<const field_item> items, std::size_t begin, bool is_union,
                               std::uint64_t* offsets) {
    std::uint64_t cur = 0, end_bits = 0;
    std::uint32_t align = 1;
    std::size_t i = begin;
    while (i < items.size() && items[i].what != item_kind::close) {
        const field_item& f = items[i];
        std::uint64_t off = 0, width = 0;
        std::uint32_t a = f.align;
        std::size_t next = i + 1;
        if (f.what == item_kind::open_struct || f.what == item_kind::open_union) {
            const auto g = measure(items, i + 1, f.what == item_kind::open_union, offsets);
            a = g.align;
            width = std::uint64_t{g.size} * 8;
            off = is_union ? 0 : round_up(cur, std::uint64_t{a} * 8);
            next = g.end;
        } else if (f.what == item_kind::bitfield) {
            const std::uint64_t unit = std::uint64_t{f.size} * 8;
            if (f.bits == 0) { // unnamed zero-width: the next field starts a new unit
                if (!is_union) cur = round_up(cur, unit);
                i = next;
                continue;
            }
            off = is_union ? 0 : cur;
            if (!is_union && off / unit != (off + f.bits - 1) / unit) off = round_up(off, unit);
            width = f.bits;
            if (f.name.empty()) a = 1; // unnamed bitfields do not align the struct
        } else {
            off = is_union ? 0 : round_up(cur, std::uint64_t{a} * 8);
            width = std::uint64_t{f.size} * 8;
        }
        if (offsets != nullptr) offsets[i] = off;
        if (a > align) align = a;
        if (!is_union) cur = off + width;
        if (off + width > end_bits) end_bits = off + width;
        i = next;
    }
    const auto bytes = round_up(round_up(end_bits, 8) / 8, align);
    return {static_cast<std::uint32_t>(bytes), align, i < items.size() ? i + 1 : i};
}

/// Adds the group starting at `begin` as a STRUCT or UNION named `name`
/// (empty: anonymous) under id `id` (reserved by the caller, or 0 to reserve
/// here); `self` is the described type's id (for self_pointer).
constexpr std::uint32_t emit_group(writer& w, std::span<const field_item> items, std::size_t begin, bool is_union,
                                   std::string_view name, std::uint32_t id, std::uint32_t self = 0) {
    bpfxx::detail::buffer<std::uint64_t> offsets(items.size(), 0);
    const auto g = measure(items, begin, is_union, offsets.data());
    if (id == 0) id = w.reserve(is_union ? kind::union_ : kind::struct_, name);
    if (self == 0) self = id;
    bpfxx::detail::buffer<member_spec> members;
    std::size_t i = begin;
    while (i < items.size() && items[i].what != item_kind::close) {
        const field_item& f = items[i];
        if (f.what == item_kind::open_struct || f.what == item_kind::open_union) {
            const auto nested = emit_group(w, items, i + 1, f.what == item_kind::open_union, {}, 0, self);
            members.push_back({{}, nested, static_cast<std::uint32_t>(offsets[i]), 0});
            i = measure(items, i + 1, f.what == item_kind::open_union, nullptr).end;
            continue;
        }
        if (!(f.what == item_kind::bitfield && (f.bits == 0 || f.name.empty()))) { // unnamed bitfields are padding
            const auto t = f.what == item_kind::self_pointer ? w.add_ptr(self) : f.emit(w);
            members.push_back({f.name, t, static_cast<std::uint32_t>(offsets[i]),
                               f.what == item_kind::bitfield ? f.bits : 0});
        }
        ++i;
    }
    w.define(id, g.size, bpfxx::detail::as_span(members));
    return id;
}

} // namespace detail

/// The fields of a struct (or union) in declaration order.
template <std::size_t N>
struct field_list {
    std::array<detail::field_item, N> items{};
    kind k = kind::struct_;
};

/// A member of type T named `name`.
template <class T>
[[nodiscard]] constexpr field_list<1> field(std::string_view name) {
    return {{detail::field_item{detail::item_kind::field, name, &add_type<T>, sizeof(T), alignof(T), 0}}};
}

/// A bitfield of declared type T (an integer or enum), `width` bits wide.
/// An empty name with width 0 closes the current unit, as `T : 0;` in C.
template <class T>
[[nodiscard]] constexpr field_list<1> bits(std::string_view name, std::uint32_t width) {
    return {{detail::field_item{detail::item_kind::bitfield, name, &add_type<T>, sizeof(T), alignof(T), width}}};
}

/// A pointer to the type being described (`struct node *next;`). In a
/// description of T, write this rather than `field<T*>`: T's description
/// cannot name T* while it is being defined (clang 14 checks it too early).
[[nodiscard]] constexpr field_list<1> self_pointer(std::string_view name) {
    return {{detail::field_item{detail::item_kind::self_pointer, name, nullptr, sizeof(void*), alignof(void*), 0}}};
}

namespace detail {
template <std::size_t... N>
[[nodiscard]] constexpr auto concat(const field_list<N>&... parts) {
    field_list<(std::size_t{0} + ... + N)> out;
    std::size_t i = 0;
    ((void)[&] {
        for (const auto& it : parts.items) out.items[i++] = it;
    }(), ...);
    return out;
}
template <std::size_t... N>
[[nodiscard]] constexpr auto group(item_kind open, const field_list<N>&... parts) {
    return concat(field_list<1>{{field_item{open, {}, nullptr, 0, 1, 0}}}, parts...,
                  field_list<1>{{field_item{item_kind::close, {}, nullptr, 0, 1, 0}}});
}
} // namespace detail

/// The fields of a struct.
template <std::size_t... N>
[[nodiscard]] constexpr auto fields(const field_list<N>&... parts) {
    return detail::concat(parts...);
}
/// The fields of a union (each at offset 0).
template <std::size_t... N>
[[nodiscard]] constexpr auto union_fields(const field_list<N>&... parts) {
    auto out = detail::concat(parts...);
    out.k = kind::union_;
    return out;
}
/// An anonymous struct member: its fields belong to the enclosing type in C.
template <std::size_t... N>
[[nodiscard]] constexpr auto anonymous_struct(const field_list<N>&... parts) {
    return detail::group(detail::item_kind::open_struct, parts...);
}
/// An anonymous union member.
template <std::size_t... N>
[[nodiscard]] constexpr auto anonymous_union(const field_list<N>&... parts) {
    return detail::group(detail::item_kind::open_union, parts...);
}

namespace detail {
/// What `description<T>` is when nobody described T.
struct not_described {};
} // namespace detail

/// The fields of T, for types the writer cannot take apart by itself:
/// specialise it with `btf::fields(...)` or `btf::union_fields(...)`. Types
/// defined with BOOST_HANA_DEFINE_STRUCT or adapted with
/// BOOST_HANA_ADAPT_STRUCT need no description (`btf/describe.hpp`).
template <class T>
inline constexpr auto description = detail::not_described{};

} // namespace bpfxx::btf
