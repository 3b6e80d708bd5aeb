#pragma once
// `bpfxx::with_btf<D>`: map descriptor D, created with BTF for its key and
// value. The kernel then knows the fields it manages in the value — a
// `btf::spin_lock` (update_flags::lock, lookup_flags::lock), a `btf::timer`,
// `btf::kptr<"…">`s — and bpftool prints keys and values with their member
// names. Linux (the BTF is loaded when the map is created).
//
//     struct counter {
//         BOOST_HANA_DEFINE_STRUCT(counter, (bpfxx::btf::spin_lock, lock), (std::uint64_t, hits));
//     };
//     using counters = bpfxx::with_btf<bpfxx::hash_map<std::uint32_t, counter, 64>>;
//     auto m = counters::create();
//     m.update(1, {{}, 10}, bpfxx::update_flags::lock);
//
// A program references the map as `ld_map<counters>`, and `load` takes the
// handle `m`: with_btf<D> is a descriptor of its own.

#include <bpfxx/btf/describe.hpp>
#include <bpfxx/btf/kernel.hpp>
#include <bpfxx/maps/options.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

namespace bpfxx {

template <class M>
class map;
struct no_key;
struct no_value;

namespace detail::btf_maps {
/// A map's key or value type as BTF sees it: none for keyless maps and ring buffers.
template <class T>
using or_void = std::conditional_t<std::is_same_v<T, no_key> || std::is_same_v<T, no_value>, void, T>;
} // namespace detail::btf_maps

/// Descriptor D with BTF for its key and value types (which must have BTF:
/// integers, enums, arrays, structs with BOOST_HANA_DEFINE_STRUCT … see btf/describe.hpp).
template <class D>
struct with_btf : D {
    using key_type = typename D::key_type;
    using value_type = typename D::value_type;
    /// The blob: the key's and the value's types.
    using btf_blob = btf::blob_of<detail::btf_maps::or_void<key_type>, detail::btf_maps::or_void<value_type>>;
    static constexpr std::uint32_t btf_key_type_id = btf_blob::ids[0];
    static constexpr std::uint32_t btf_value_type_id = btf_blob::ids[1];

    [[nodiscard]] static constexpr std::span<const std::byte> btf_bytes() noexcept { return btf_blob::span(); }
    /// BPF_BTF_LOAD of the blob (what map creation passes as btf_fd).
    [[nodiscard]] static unique_fd load_btf() { return btf::object::load(btf_bytes()).release(); }

    // Shorthands for map<with_btf>'s factories (they need <bpfxx/maps.hpp>).
    [[nodiscard]] static map<with_btf> create(const create_options& opts = {}) { return map<with_btf>::create(opts); }
    [[nodiscard]] static map<with_btf> open_pinned(const std::string& path, const open_options& opts = {}) {
        return map<with_btf>::open_pinned(path, opts);
    }
    [[nodiscard]] static map<with_btf> from_id(std::uint32_t id, const open_options& opts = {}) {
        return map<with_btf>::from_id(id, opts);
    }
};

} // namespace bpfxx
