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

enum class item_kind : std::uint8_t { one, two, many, label_def, ref_off, ref_imm, ref_func, ref_map };

/// An item as the layout pass sees it: its kind and size and, for labels and
/// maps, the identity of the label or map it names.
struct item_desc {
    item_kind kind = item_kind::one;
    std::uint32_t slots = 1;
    std::string_view name;      ///< a label's name, or a referenced map's type_key
    std::uint32_t hash = 0;     ///< of a label's name, for the layout's hash table
};

[[nodiscard]] constexpr std::uint32_t fnv1a(std::string_view s) noexcept {
    std::uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

/// A string that differs between types: the identity of a referenced map
/// during constant evaluation (addresses will not do: GCC's UBSan makes
/// comparing them non-constant).
template <class T>
[[nodiscard]] constexpr std::string_view type_key() noexcept {
    return __PRETTY_FUNCTION__;
}

/// The run-time part of an item, in one shape for all kinds so that a
/// single loop lays the program out.
struct payload {
    insn lo;
    insn hi;
    const insn* many = nullptr; ///< a fragment's instructions
    std::string_view name;      ///< a label's name
};

template <class T>
struct item_traits {
    static_assert(sizeof(T) == 0, "bpfxx: assemble() takes instructions, labels and the results of builders only");
};
template <> struct item_traits<insn> {
    static constexpr item_desc desc{item_kind::one, 1, {}, 0};
    static constexpr payload split(const insn& i) noexcept { return {i, {}, nullptr, {}}; }
};
template <> struct item_traits<wide_insn> {
    static constexpr item_desc desc{item_kind::two, 2, {}, 0};
    static constexpr payload split(const wide_insn& w) noexcept { return {w.lo, w.hi, nullptr, {}}; }
};
template <std::size_t K> struct item_traits<std::array<insn, K>> {
    static constexpr item_desc desc{item_kind::many, K, {}, 0};
    static constexpr payload split(const std::array<insn, K>& a) noexcept { return {{}, {}, a.data(), {}}; }
};
template <std::size_t K, std::size_t L> struct item_traits<program<K, type_list<>, L>> {
    static constexpr item_desc desc{item_kind::many, K, {}, 0};
    static constexpr payload split(const program<K, type_list<>, L>& p) noexcept { return {{}, {}, p.data(), {}}; }
};
template <std::size_t K, class... M, std::size_t L> struct item_traits<program<K, type_list<M...>, L>> {
    static_assert(sizeof...(M) == 0, "bpfxx: a program used as a fragment of another may not reference maps (yet)");
};
template <fixed_string S> struct item_traits<label<S>> {
    using label = bpfxx::label<S>;
    static constexpr item_desc desc{item_kind::label_def, 0, label::name, fnv1a(label::name)};
    static constexpr payload split(label) noexcept { return {{}, {}, nullptr, label::name}; }
};
template <label_type L> struct item_traits<label_ref<label_field::off, L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_off, 1, L::name, fnv1a(L::name)};
    static constexpr payload split(const label_ref<label_field::off, L>& r) noexcept { return {r.ins, {}, nullptr, {}}; }
};
template <label_type L> struct item_traits<label_ref<label_field::imm, L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_imm, 1, L::name, fnv1a(L::name)};
    static constexpr payload split(const label_ref<label_field::imm, L>& r) noexcept { return {r.ins, {}, nullptr, {}}; }
};
template <label_type L> struct item_traits<func_ref<L>> {
    using label = L;
    static constexpr item_desc desc{item_kind::ref_func, 2, L::name, fnv1a(L::name)};
    static constexpr payload split(const func_ref<L>& r) noexcept { return {r.ins.lo, r.ins.hi, nullptr, {}}; }
};
template <map_descriptor M> struct item_traits<map_ref<M>> {
    using map = M;
    static constexpr item_desc desc{item_kind::ref_map, 2, type_key<M>(), 0};
    static constexpr payload split(const map_ref<M>& r) noexcept { return {r.ins.lo, r.ins.hi, nullptr, {}}; }
};

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
    std::array<item_desc, K> descs{};
};

/// Open-addressing table from label identity to its slot; K items need at
/// most K entries, so 2K rounded up to a power of two keeps probes short.
template <std::size_t K>
struct label_table {
    static constexpr std::size_t capacity = [] {
        std::size_t c = 1;
        while (c < 2 * K) c *= 2;
        return c;
    }();
    struct entry {
        bool used = false; // not `id != nullptr`: GCC's UBSan makes that non-constant
        std::uint32_t hash = 0;
        std::string_view name;
        std::uint32_t pos = 0;
    };
    std::array<entry, capacity> entries{};

    /// The entry for a label: the one holding it, or the empty one it belongs in.
    /// Names identify labels: `label<S>` is one type per name.
    constexpr entry& find(std::string_view name, std::uint32_t hash) {
        std::size_t i = hash & (capacity - 1);
        // Hashes first: comparing names costs a character loop in constant evaluation.
        while (entries[i].used && (entries[i].hash != hash || entries[i].name != name)) i = (i + 1) & (capacity - 1);
        return entries[i];
    }
};

template <std::size_t K>
[[nodiscard]] constexpr layout<K> lay_out(const std::array<item_desc, K>& items) {
    layout<K> r;
    r.descs = items;
    label_table<K> labels;
    const auto fail = [&](layout_error e, std::size_t i) {
        if (r.error == layout_error::none) {
            r.error = e;
            r.error_item = static_cast<std::uint32_t>(i);
        }
    };

    for (std::size_t i = 0; i < K; ++i) {
        r.pos[i] = r.size;
        r.size += items[i].slots;
        if (items[i].kind == item_kind::label_def) {
            auto& e = labels.find(items[i].name, items[i].hash);
            if (e.used) {
                fail(layout_error::duplicate_label, i);
            } else {
                e = {true, items[i].hash, items[i].name, r.pos[i]};
                ++r.labels;
            }
        }
    }
    for (std::size_t i = 0; i < K; ++i) {
        switch (items[i].kind) {
        case item_kind::ref_off:
        case item_kind::ref_imm:
        case item_kind::ref_func:
            if (const auto& e = labels.find(items[i].name, items[i].hash); e.used) {
                const auto delta = static_cast<std::int64_t>(e.pos) - static_cast<std::int64_t>(r.pos[i]) - 1;
                if (items[i].kind == item_kind::ref_off && (delta < INT16_MIN || delta > INT16_MAX))
                    fail(layout_error::offset_out_of_range, i);
                r.patch[i] = static_cast<std::int32_t>(delta);
            } else {
                fail(layout_error::undefined_label, i);
            }
            break;
        case item_kind::ref_map: {
            std::uint32_t m = 0;
            while (m < r.maps && items[r.map_item[m]].name != items[i].name) ++m;
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

template <class... Items>
[[nodiscard]] constexpr auto lay_down(const Items&... items) {
    constexpr auto& l = layout_of<Items...>;
    using maps = typename map_list<std::make_index_sequence<l.maps>, Items...>::type;
    program<l.size, maps, l.labels> p;
    const payload parts[] = {item_traits<Items>::split(items)...};
    std::uint32_t next_label = 0;
    for (std::size_t i = 0; i < sizeof...(Items); ++i) {
        const item_desc& d = l.descs[i];
        const std::uint32_t at = l.pos[i];
        insn lo = parts[i].lo;
        switch (d.kind) {
        case item_kind::label_def: p.labels[next_label++] = {parts[i].name, at}; continue;
        case item_kind::many:
            for (std::uint32_t k = 0; k < d.slots; ++k) p.insns[at + k] = parts[i].many[k];
            continue;
        case item_kind::ref_off: lo.off = static_cast<std::int16_t>(l.patch[i]); break;
        case item_kind::ref_imm:
        case item_kind::ref_func:
        case item_kind::ref_map: lo.imm = l.patch[i]; break;
        default: break;
        }
        p.insns[at] = lo;
        if (d.slots == 2) p.insns[at + 1] = parts[i].hi;
    }
    return p;
}

} // namespace detail

/// Lays out `items` — instructions, `"name"_label`s, the results of the
/// builders in `bpfxx::ops`, and fragments (`std::array<insn, K>` or a
/// program without maps) — into a `program`, resolving every label.
/// Undefined or duplicated labels and out-of-range jumps are compile errors.
template <class... Items>
[[nodiscard]] constexpr auto assemble(const Items&... items) {
    static_assert(sizeof...(Items) > 0, "bpfxx: a program needs at least one instruction");
    if constexpr (detail::layout_of<Items...>.error != detail::layout_error::none) {
        detail::diagnose<Items...>(); // fails to compile, naming the label
        return program<0>{};
    } else {
        return detail::lay_down(items...);
    }
}

} // namespace bpfxx
