#pragma once
// `assemble(items...)`: lays out instructions, labels and symbolic map loads,
// resolving every label while the compiler evaluates the program. Layout and
// label resolution depend on the items' types only, so a bad label is a
// `static_assert` that names it.

#include <bpfxx/asm/items.hpp>
#include <bpfxx/asm/label.hpp>
#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bpfxx {
namespace detail {

enum class item_kind : std::uint8_t { one, two, label_def, ref_off, ref_imm, ref_func, ref_map };

/// An item as the layout pass sees it: its size and, for labels and maps,
/// the identity of the label or map it names.
struct item_desc {
    item_kind kind = item_kind::one;
    const void* id = nullptr;
};

template <class T>
struct type_tag {
    static constexpr char id = 0;
};

template <class T>
struct item_traits {
    static_assert(sizeof(T) == 0, "bpfxx: assemble() takes instructions, labels and the results of builders only");
};
template <> struct item_traits<insn> {
    static constexpr item_desc desc{item_kind::one};
};
template <> struct item_traits<wide_insn> {
    static constexpr item_desc desc{item_kind::two};
};
template <fixed_string S> struct item_traits<label<S>> {
    using label = bpfxx::label<S>;
    static constexpr item_desc desc{item_kind::label_def, &type_tag<label>::id};
};
template <label_type L> struct item_traits<label_ref<label_field::off, L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_off, &type_tag<L>::id};
};
template <label_type L> struct item_traits<label_ref<label_field::imm, L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_imm, &type_tag<L>::id};
};
template <label_type L> struct item_traits<func_ref<L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_func, &type_tag<L>::id};
};
template <map_descriptor M> struct item_traits<map_ref<M>> {
    using map = M;
    static constexpr item_desc desc{item_kind::ref_map, &type_tag<M>::id};
};

[[nodiscard]] constexpr std::uint32_t slots(item_kind k) noexcept {
    switch (k) {
    case item_kind::label_def: return 0;
    case item_kind::two:
    case item_kind::ref_func:
    case item_kind::ref_map: return 2;
    default: return 1;
    }
}

enum class layout_error : std::uint8_t { none, undefined_label, duplicate_label, offset_out_of_range };

template <std::size_t K>
struct layout {
    std::uint32_t size = 0;                 ///< slots in the program
    std::array<std::uint32_t, K> pos{};     ///< slot of each item
    std::array<std::int32_t, K> patch{};    ///< offset or map index to write into each reference
    std::uint32_t labels = 0;               ///< distinct labels defined
    std::uint32_t maps = 0;                 ///< distinct maps referenced
    std::array<std::uint32_t, K> map_item{}; ///< for map j: the first item referencing it
    layout_error error = layout_error::none;
    std::uint32_t error_item = 0;
};

template <std::size_t K>
[[nodiscard]] constexpr layout<K> lay_out(const std::array<item_desc, K>& items) {
    layout<K> r;
    struct def {
        const void* id;
        std::uint32_t pos;
    };
    std::array<def, K> defs{};
    const auto fail = [&](layout_error e, std::size_t i) {
        if (r.error == layout_error::none) {
            r.error = e;
            r.error_item = static_cast<std::uint32_t>(i);
        }
    };
    const auto find_def = [&](const void* id) -> const def* {
        for (std::uint32_t d = 0; d < r.labels; ++d)
            if (defs[d].id == id) return &defs[d];
        return nullptr;
    };

    for (std::size_t i = 0; i < K; ++i) {
        r.pos[i] = r.size;
        r.size += slots(items[i].kind);
        if (items[i].kind == item_kind::label_def) {
            if (find_def(items[i].id) != nullptr) fail(layout_error::duplicate_label, i);
            else defs[r.labels++] = {items[i].id, r.pos[i]};
        }
    }
    for (std::size_t i = 0; i < K; ++i) {
        switch (items[i].kind) {
        case item_kind::ref_off:
        case item_kind::ref_imm:
        case item_kind::ref_func:
            if (const def* d = find_def(items[i].id)) {
                const auto delta = static_cast<std::int64_t>(d->pos) - static_cast<std::int64_t>(r.pos[i]) - 1;
                if (items[i].kind == item_kind::ref_off && (delta < INT16_MIN || delta > INT16_MAX))
                    fail(layout_error::offset_out_of_range, i);
                r.patch[i] = static_cast<std::int32_t>(delta);
            } else {
                fail(layout_error::undefined_label, i);
            }
            break;
        case item_kind::ref_map: {
            std::uint32_t m = 0;
            while (m < r.maps && items[r.map_item[m]].id != items[i].id) ++m;
            if (m == r.maps) r.map_item[r.maps++] = static_cast<std::uint32_t>(i);
            r.patch[i] = static_cast<std::int32_t>(m);
            break;
        }
        default: break;
        }
    }
    return r;
}

template <class... Items>
inline constexpr auto layout_of = lay_out(std::array<item_desc, sizeof...(Items)>{item_traits<Items>::desc...});

// The diagnostics. Each names the label as a list of characters.
template <class T> inline constexpr bool always_false = false;
template <class Label>
constexpr void undefined_label() {
    static_assert(always_false<Label>, "bpfxx: a jump, call or ld_func names a label this program does not define");
}
template <class Label>
constexpr void duplicate_label() {
    static_assert(always_false<Label>, "bpfxx: a label is defined twice in this program");
}
template <class Label>
constexpr void offset_out_of_range() {
    static_assert(always_false<Label>,
                  "bpfxx: jump target is more than 32767 instructions away: use gotol(label) for long jumps");
}

template <std::size_t I, class... Items>
using label_of_item = spelled<typename item_traits<nth_t<I, Items...>>::label>;

template <class... Items>
constexpr void diagnose() {
    constexpr auto& l = layout_of<Items...>;
    if constexpr (l.error == layout_error::undefined_label)
        undefined_label<label_of_item<l.error_item, Items...>>();
    else if constexpr (l.error == layout_error::duplicate_label)
        duplicate_label<label_of_item<l.error_item, Items...>>();
    else if constexpr (l.error == layout_error::offset_out_of_range)
        offset_out_of_range<label_of_item<l.error_item, Items...>>();
}

template <class Seq, class... Items>
struct map_list;
template <std::size_t... J, class... Items>
struct map_list<std::index_sequence<J...>, Items...> {
    using type = type_list<typename item_traits<nth_t<layout_of<Items...>.map_item[J], Items...>>::map...>;
};

/// The run-time part of an item: its instruction slots and, for a label, its name.
struct payload {
    insn lo;
    insn hi;
    std::string_view name;
};
constexpr payload payload_of(const insn& i) noexcept { return {i, {}, {}}; }
constexpr payload payload_of(const wide_insn& w) noexcept { return {w.lo, w.hi, {}}; }
template <fixed_string S>
constexpr payload payload_of(label<S>) noexcept { return {{}, {}, label<S>::name}; }
template <label_field F, class L>
constexpr payload payload_of(const label_ref<F, L>& r) noexcept { return {r.ins, {}, {}}; }
template <class L>
constexpr payload payload_of(const func_ref<L>& r) noexcept { return {r.ins.lo, r.ins.hi, {}}; }
template <class M>
constexpr payload payload_of(const map_ref<M>& r) noexcept { return {r.ins.lo, r.ins.hi, {}}; }

} // namespace detail

/// Lays out `items` — instructions, `"name"_label`s and the results of the
/// builders in `bpfxx::ops` — into a `program`, resolving every label.
/// Undefined or duplicated labels and out-of-range jumps are compile errors.
template <class... Items>
[[nodiscard]] constexpr auto assemble(const Items&... items) {
    static_assert(sizeof...(Items) > 0, "bpfxx: a program needs at least one instruction");
    detail::diagnose<Items...>();
    constexpr auto& l = detail::layout_of<Items...>;
    using maps = typename detail::map_list<std::make_index_sequence<l.maps>, Items...>::type;

    program<l.size, maps, l.labels> p;
    const detail::payload parts[] = {detail::payload_of(items)...};
    constexpr detail::item_desc descs[] = {detail::item_traits<Items>::desc...};
    std::uint32_t next_label = 0;
    for (std::size_t i = 0; i < sizeof...(Items); ++i) {
        const auto at = l.pos[i];
        insn lo = parts[i].lo;
        switch (descs[i].kind) {
        case detail::item_kind::label_def: p.labels[next_label++] = {parts[i].name, at}; continue;
        case detail::item_kind::ref_off: lo.off = static_cast<std::int16_t>(l.patch[i]); break;
        case detail::item_kind::ref_imm:
        case detail::item_kind::ref_func:
        case detail::item_kind::ref_map: lo.imm = l.patch[i]; break;
        default: break;
        }
        p.insns[at] = lo;
        if (detail::slots(descs[i].kind) == 2) p.insns[at + 1] = parts[i].hi;
    }
    return p;
}

} // namespace bpfxx
