#pragma once
// `bpfxx::map<M>`: a map of descriptor M, owned through its fd. Made by
// `M::create()`, `map<M>::open_pinned(path)` or `map<M>::from_id(id)`; the
// last two check that the kernel object is what M says. Its operations are
// those the map type has: lookup/update/erase for keyed maps, push/pop/peek
// for queues and stacks, push/contains for bloom filters, span() for
// mmapable arrays. Linux only.
//
// Errors: every failing syscall throws `bpfxx::error` (errno, the
// operation, the map's name). Absence is not an error: lookup, pop and peek
// return std::nullopt, erase returns false. lookup/update also have
// `std::error_code&` overloads that do not throw, for hot paths; like every
// operation on a map that is not per-CPU, they do not allocate.
//
// One concept: the class template map<M>; its members are the kernel's map
// operations, each enabled for the map types that have it.

#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/maps/iteration.hpp>
#include <bpfxx/maps/object.hpp>
#include <bpfxx/maps/options.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/unique_fd.hpp>
#include <bpfxx/text/insn_text.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bpfxx {

namespace detail {
template <class M>
concept keyed_map = M::key_size > 0 && M::value_size > 0;
template <class M>
concept queue_like_map = M::type == map_type::queue || M::type == map_type::stack;
template <class M>
concept bloom_map = M::type == map_type::bloom_filter;
/// Array elements always exist: the kernel refuses to delete them (EINVAL).
template <class M>
concept erasable_map = keyed_map<M> && M::type != map_type::array && M::type != map_type::percpu_array;
/// Hash tables: the kernel can take elements out and give their values
/// (lookup-and-delete, one by one or in batches; maps of maps only in batches).
template <class M>
concept hash_table_map = M::type == map_type::hash || M::type == map_type::lru_hash ||
                         M::type == map_type::percpu_hash || M::type == map_type::lru_percpu_hash ||
                         M::type == map_type::hash_of_maps;
/// Maps whose values are written as fds of other objects.
template <class M>
concept fd_valued_map = M::type == map_type::prog_array || M::type == map_type::perf_event_array ||
                        M::type == map_type::array_of_maps || M::type == map_type::hash_of_maps ||
                        M::type == map_type::sockmap || M::type == map_type::sockhash ||
                        M::type == map_type::xskmap;
template <class M>
concept mmapable_array = M::type == map_type::array && has(flags_of<M>(), map_flags::mmapable);
/// Anything that has an fd: a map, a program, a socket wrapper …
template <class H>
concept fd_owner = requires(const H& h) {
    { h.fd() } -> std::convertible_to<int>;
};

/// A descriptor that carries BTF for its key and value (`bpfxx::with_btf`,
/// bpfxx/btf/map.hpp): its map is created with them, so that the kernel
/// knows the fields it manages (spin locks, timers, kptrs) and tools can
/// print the values by name.
template <class M>
concept btf_described = requires {
    { M::load_btf() } -> std::same_as<unique_fd>;
    { M::btf_key_type_id } -> std::convertible_to<std::uint32_t>;
    { M::btf_value_type_id } -> std::convertible_to<std::uint32_t>;
};

/// max_entries when neither the descriptor nor the caller gives one:
/// perf_event_array<0> gets one entry per possible CPU.
template <class M>
[[nodiscard]] std::uint32_t default_max_entries() {
    if constexpr (M::type == map_type::perf_event_array && M::max_entries == 0) return sys::possible_cpus();
    else return M::max_entries;
}

[[nodiscard]] inline std::string hex32(std::uint32_t v) {
    return std::string(fixed_text<10>("0x").append_hex(v, 1).view());
}

[[nodiscard]] inline std::string describe_create(const sys::map_create_attr& a) {
    std::string s(map_type_name(static_cast<map_type>(a.map_type)));
    s += " map: key " + std::to_string(a.key_size) + " bytes, value " + std::to_string(a.value_size) +
         " bytes, max_entries " + std::to_string(a.max_entries) + ", flags " + hex32(a.map_flags);
    if (a.map_extra != 0) s += ", map_extra " + std::to_string(a.map_extra);
    return s;
}

/// BPF_MAP_CREATE for descriptor M. Maps of maps get a temporary inner map
/// made from their inner descriptor, closed again once the kernel has copied
/// what it needs from it.
template <class M>
[[nodiscard]] unique_fd create_map_fd(const create_options& opts, std::uint32_t max_entries, std::string_view name) {
    if (name.size() > 15)
        throw error(EINVAL, "BPF_MAP_CREATE", std::string(name), "a map name has at most 15 characters");
    sys::map_create_attr a{};
    a.map_type = static_cast<std::uint32_t>(M::type);
    a.key_size = M::key_size;
    a.value_size = M::value_size;
    a.max_entries = max_entries;
    map_flags flags = flags_of<M>() | opts.flags;
    if (opts.numa_node) {
        flags |= map_flags::numa_node;
        a.numa_node = *opts.numa_node;
    }
    a.map_flags = static_cast<std::uint32_t>(flags);
    a.map_extra = map_extra_of<M>();
    sys::copy_name(a.map_name, name);
    unique_fd btf; // the map takes its own reference: this fd closes after the create
    if constexpr (btf_described<M>) {
        btf = M::load_btf();
        a.btf_fd = static_cast<std::uint32_t>(btf.get());
        a.btf_key_type_id = M::btf_key_type_id;
        a.btf_value_type_id = M::btf_value_type_id;
    }
    unique_fd inner;
    if constexpr (map_in_map<M>) {
        static_assert(requires { typename M::inner_type; },
                      "bpfxx: a map-of-maps descriptor names its inner map's descriptor as inner_type");
        using inner_type = typename M::inner_type;
        inner = create_map_fd<inner_type>({}, default_max_entries<inner_type>(), name_of<inner_type>());
        a.inner_map_fd = static_cast<std::uint32_t>(inner.get());
    }
    const long fd = sys::call(sys::cmd::map_create, a);
    if (fd < 0) {
        const int err = errno;
        throw error(err, "BPF_MAP_CREATE", map_label(name, M::type, -1), explain_errno(err, describe_create(a)));
    }
    return unique_fd(static_cast<int>(fd));
}

/// What differs between a kernel map and descriptor M ("" if nothing does).
template <class M>
[[nodiscard]] std::string descriptor_mismatch(const sys::map_info& info, const open_options& opts) {
    std::string s;
    const auto differs = [&](const char* what, const std::string& is, const std::string& expected) {
        s += s.empty() ? "the map does not match the descriptor: " : "; ";
        s += what;
        s += " is ";
        s += is;
        s += ", the descriptor has ";
        s += expected;
    };
    if (info.type != static_cast<std::uint32_t>(M::type))
        differs("type", std::string(map_type_name(static_cast<map_type>(info.type))), std::string(map_type_name(M::type)));
    if (info.key_size != M::key_size) differs("key_size", std::to_string(info.key_size), std::to_string(M::key_size));
    if (info.value_size != M::value_size)
        differs("value_size", std::to_string(info.value_size), std::to_string(M::value_size));
    if (opts.check_max_entries) {
        const std::uint32_t expected = default_max_entries<M>();
        if (info.max_entries != expected)
            differs("max_entries", std::to_string(info.max_entries), std::to_string(expected));
    }
    if constexpr (mmapable_array<M>) {
        if (!has(static_cast<map_flags>(info.map_flags), map_flags::mmapable))
            differs("mmapable", "not set", "map_flags::mmapable");
    }
    return s;
}

[[nodiscard]] inline std::string update_error_detail(int err, update_flags f) {
    if (err == E2BIG) return "the map is full, or the index is past max_entries";
    if (err == EEXIST && f == update_flags::noexist) return "the key exists (update_flags::noexist)";
    if (err == ENOENT && f == update_flags::exist) return "the key does not exist (update_flags::exist)";
    return {};
}
} // namespace detail

template <class M>
class map : public detail::map_object {
    static_assert(map_descriptor<M>, "bpfxx::map<M>: M must be a map descriptor (bpfxx::array_map<...> …)");

public:
    using descriptor = M;
    using key_type = typename detail::key_type_of<M>::type;
    using value_type = typename detail::value_type_of<M>::type;
    /// Whether the map holds one value per possible CPU.
    static constexpr bool percpu = is_percpu(M::type);
    /// What a lookup gives: the value, or for per-CPU maps one per possible CPU.
    using element_type = detail::element_t<value_type, percpu>;

    /// An empty handle (`fd() == -1`).
    map() noexcept = default;
    map(map&&) noexcept = default;
    map& operator=(map&&) noexcept = default;

    // -- making and opening ------------------------------------------------

    /// BPF_MAP_CREATE with M's parameters, as `opts` overrides them; pins the
    /// map when `opts.pin` names a path. Throws `bpfxx::error` (no fd leaks).
    [[nodiscard]] static map create(const create_options& opts = {}) {
        const std::uint32_t n = opts.max_entries.value_or(detail::default_max_entries<M>());
        const std::string_view name = opts.name.empty() ? detail::name_of<M>() : std::string_view(opts.name);
        map m(detail::create_map_fd<M>(opts, n, name), n, name);
        if (!opts.pin.empty()) m.pin(opts.pin);
        return m;
    }

    /// Opens the map pinned at `path` and checks it against M: type, key
    /// size, value size and (unless `opts` says not to) max_entries. A
    /// mismatch throws `bpfxx::error` (EINVAL) naming each difference.
    [[nodiscard]] static map open_pinned(const std::string& path, const open_options& opts = {}) {
        return adopt(sys::get_pinned(path, static_cast<std::uint32_t>(opts.access)), opts, "open_pinned", path);
    }

    /// Opens the map with this id (BPF_MAP_GET_FD_BY_ID) and checks it as open_pinned does.
    [[nodiscard]] static map from_id(std::uint32_t id, const open_options& opts = {}) {
        sys::id_attr attr{};
        attr.id = id;
        attr.open_flags = static_cast<std::uint32_t>(opts.access);
        const long fd = sys::call(sys::cmd::map_get_fd_by_id, attr);
        if (fd < 0) detail::throw_errno("BPF_MAP_GET_FD_BY_ID", "map id " + std::to_string(id));
        return adopt(unique_fd(static_cast<int>(fd)), opts, "from_id", "map id " + std::to_string(id));
    }

    /// Takes a map fd from elsewhere and checks it as open_pinned does.
    [[nodiscard]] static map from_fd(unique_fd fd, const open_options& opts = {}) {
        std::string what = "fd " + std::to_string(fd.get());
        return adopt(std::move(fd), opts, "from_fd", what);
    }

    // -- keyed maps ----------------------------------------------------------

    /// The value at `key`, or nullopt when there is none.
    [[nodiscard]] std::optional<element_type> lookup(const key_type& key) const
        requires detail::keyed_map<M>
    {
        if constexpr (percpu) {
            std::vector<std::byte> buf(value_bytes());
            const int err = detail::elem_call(sys::cmd::map_lookup_elem, fd(), &key, buf.data());
            if (err == ENOENT) return std::nullopt;
            if (err != 0) fail(err, "BPF_MAP_LOOKUP_ELEM");
            return detail::element_from_bytes<value_type, true>(buf.data(), sys::possible_cpus());
        } else {
            std::error_code ec;
            auto v = lookup(key, ec);
            if (ec) fail(ec.value(), "BPF_MAP_LOOKUP_ELEM");
            return v;
        }
    }

    /// As lookup(key), but a failure sets `ec` (and gives nullopt) instead of
    /// throwing; absence leaves `ec` clear.
    [[nodiscard]] std::optional<value_type> lookup(const key_type& key, std::error_code& ec) const noexcept
        requires detail::keyed_map<M> && (!percpu)
    {
        std::array<std::byte, sizeof(value_type)> raw;
        const int err = detail::elem_call(sys::cmd::map_lookup_elem, fd(), &key, raw.data());
        ec.clear();
        if (err == 0) return std::bit_cast<value_type>(raw);
        if (err != ENOENT) ec.assign(err, std::generic_category());
        return std::nullopt;
    }

    /// The value at `key` with lookup flags: `lookup_flags::lock` copies it
    /// under its bpf_spin_lock (the lock itself reads as zero).
    [[nodiscard]] std::optional<value_type> lookup(const key_type& key, lookup_flags flags) const
        requires detail::keyed_map<M> && (!percpu)
    {
        std::array<std::byte, sizeof(value_type)> raw;
        const int err = detail::elem_call(sys::cmd::map_lookup_elem, fd(), &key, raw.data(), static_cast<std::uint64_t>(flags));
        if (err == ENOENT) return std::nullopt;
        if (err != 0) fail(err, "BPF_MAP_LOOKUP_ELEM");
        return std::bit_cast<value_type>(raw);
    }

    /// Writes `value` at `key` (per-CPU maps: for every CPU).
    void update(const key_type& key, const value_type& value, update_flags flags = update_flags::any)
        requires detail::keyed_map<M>
    {
        if constexpr (percpu) {
            std::vector<std::byte> buf(value_bytes());
            const std::size_t stride = detail::round_up8(sizeof(value_type));
            for (std::size_t off = 0; off < buf.size(); off += stride) std::memcpy(buf.data() + off, &value, sizeof value);
            update_bytes(key, buf.data(), flags);
        } else {
            update_bytes(key, &value, flags);
        }
    }

    /// Per-CPU maps: writes `values[cpu]` for each possible CPU (exactly that many values).
    void update(const key_type& key, std::span<const value_type> values, update_flags flags = update_flags::any)
        requires detail::keyed_map<M> && percpu
    {
        update_bytes(key, percpu_buffer(values, 1).data(), flags);
    }

    /// Maps of fds (prog_array, maps of maps, perf_event_array, sockets):
    /// stores `object.fd()` (a program, a map, any handle with fd()).
    template <detail::fd_owner H>
    void update(const key_type& key, const H& object, update_flags flags = update_flags::any)
        requires detail::keyed_map<M> && detail::fd_valued_map<M>
    {
        const auto value = static_cast<value_type>(object.fd());
        update_bytes(key, &value, flags);
    }

    /// As update(key, value, flags), but a failure sets `ec` and returns
    /// false instead of throwing.
    bool update(const key_type& key, const value_type& value, update_flags flags, std::error_code& ec) noexcept
        requires detail::keyed_map<M> && (!percpu)
    {
        const int err = detail::elem_call(sys::cmd::map_update_elem, fd(), &key, &value, static_cast<std::uint64_t>(flags));
        if (err == 0) {
            ec.clear();
            return true;
        }
        ec.assign(err, std::generic_category());
        return false;
    }
    bool update(const key_type& key, const value_type& value, std::error_code& ec) noexcept
        requires detail::keyed_map<M> && (!percpu)
    {
        return update(key, value, update_flags::any, ec);
    }

    /// Deletes `key`; false if it was not there. (Not for arrays, whose
    /// elements always exist. devmap and cpumap slots are cleared whether
    /// set or not: the kernel reports success, so erase() says true.)
    bool erase(const key_type& key)
        requires detail::erasable_map<M>
    {
        const int err = detail::elem_call(sys::cmd::map_delete_elem, fd(), &key, nullptr);
        if (err == 0) return true;
        if (err == ENOENT) return false;
        // A sockmap says EINVAL for an empty slot (and for an index past
        // max_entries, which stays an error).
        if constexpr (M::type == map_type::sockmap)
            if (err == EINVAL && static_cast<std::uint32_t>(key) < max_entries_) return false;
        fail(err, "BPF_MAP_DELETE_ELEM");
    }

    /// Deletes `key` and gives the value it had (nullopt if it was not
    /// there). Hash tables only: the kernel has no lookup-and-delete for the
    /// other keyed maps (ENOTSUPP), maps of maps included.
    [[nodiscard]] std::optional<element_type> lookup_and_erase(const key_type& key)
        requires detail::hash_table_map<M> && (M::type != map_type::hash_of_maps)
    {
        if constexpr (percpu) {
            std::vector<std::byte> buf(value_bytes());
            const int err = detail::elem_call(sys::cmd::map_lookup_and_delete_elem, fd(), &key, buf.data());
            if (err == ENOENT) return std::nullopt;
            if (err != 0) fail(err, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
            return detail::element_from_bytes<value_type, true>(buf.data(), sys::possible_cpus());
        } else {
            std::array<std::byte, sizeof(value_type)> raw;
            const int err = detail::elem_call(sys::cmd::map_lookup_and_delete_elem, fd(), &key, raw.data());
            if (err == ENOENT) return std::nullopt;
            if (err != 0) fail(err, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
            return std::bit_cast<value_type>(raw);
        }
    }

    // -- iteration (see bpfxx/maps/iteration.hpp for what changes during it do)

    /// The keys, as an input range.
    [[nodiscard]] detail::map_range<detail::key_projection<key_type>> keys(iteration_options opts = {}) const
        requires detail::keyed_map<M>
    {
        return detail::map_range<detail::key_projection<key_type>>(cursor(opts, false));
    }
    /// The values (per-CPU maps: a vector per entry), as an input range.
    [[nodiscard]] detail::map_range<detail::value_projection<value_type, percpu>> values(iteration_options opts = {}) const
        requires detail::keyed_map<M>
    {
        return detail::map_range<detail::value_projection<value_type, percpu>>(cursor(opts, true));
    }
    /// (key, value) pairs, as an input range: `for (auto [k, v] : m.items())`.
    [[nodiscard]] detail::map_range<detail::item_projection<key_type, value_type, percpu>>
    items(iteration_options opts = {}) const
        requires detail::keyed_map<M>
    {
        return detail::map_range<detail::item_projection<key_type, value_type, percpu>>(cursor(opts, true));
    }

    // -- batches -------------------------------------------------------------

    /// Writes `values[i]` at `keys[i]` in one BPF_MAP_UPDATE_BATCH (one
    /// update per key where the kernel has no batch update for the map
    /// type). Per-CPU maps take keys.size() × possible CPUs values, key by
    /// key. The kernel's batch takes update_flags::any or lock only (EINVAL
    /// otherwise). On failure the error says how many entries were written.
    void update_batch(std::span<const key_type> keys, std::span<const value_type> values,
                      update_flags flags = update_flags::any)
        requires detail::keyed_map<M>
    {
        const std::size_t per_key = percpu ? sys::possible_cpus() : 1;
        if (values.size() != keys.size() * per_key)
            fail(EINVAL, "BPF_MAP_UPDATE_BATCH",
                 std::to_string(keys.size()) + " keys need " + std::to_string(keys.size() * per_key) + " values, not " +
                     std::to_string(values.size()));
        if (keys.empty()) return;
        std::vector<std::byte> repacked;
        const void* value_data = values.data();
        if constexpr (percpu) {
            repacked = percpu_buffer(values, keys.size());
            value_data = repacked.data();
        }
        sys::map_batch_attr attr{};
        attr.keys = sys::ptr(keys.data());
        attr.values = sys::ptr(value_data);
        attr.count = static_cast<std::uint32_t>(keys.size());
        attr.map_fd = static_cast<std::uint32_t>(fd());
        attr.elem_flags = static_cast<std::uint64_t>(flags);
        if (sys::call(sys::cmd::map_update_batch, attr) == 0) return;
        const int err = errno;
        if (err == enotsupp) { // no batch update for this map type: nothing was written
            const auto* bytes = static_cast<const std::byte*>(value_data);
            for (std::size_t i = 0; i < keys.size(); ++i)
                update_bytes(keys[i], bytes + i * value_bytes(), flags);
            return;
        }
        // The kernel counts the entries it wrote, except when it refuses the
        // whole batch up front: then the count is still the one passed in.
        fail(err, "BPF_MAP_UPDATE_BATCH",
             attr.count == keys.size()
                 ? std::string("nothing was written")
                 : std::to_string(attr.count) + " of " + std::to_string(keys.size()) + " entries were written");
    }

    /// Deletes these keys (BPF_MAP_DELETE_BATCH, or one by one where the
    /// kernel has no batch delete); keys not in the map are skipped. Gives
    /// the number deleted.
    std::size_t erase_batch(std::span<const key_type> keys)
        requires detail::erasable_map<M>
    {
        std::size_t done = 0, erased = 0;
        while (done < keys.size()) {
            sys::map_batch_attr attr{};
            attr.keys = sys::ptr(keys.data() + done);
            attr.count = static_cast<std::uint32_t>(keys.size() - done);
            attr.map_fd = static_cast<std::uint32_t>(fd());
            const std::uint32_t passed = attr.count;
            const bool ok = sys::call(sys::cmd::map_delete_batch, attr) == 0;
            const int err = errno;
            if (!ok && err == enotsupp) { // no batch delete for this map type: nothing was deleted
                for (; done < keys.size(); ++done) erased += erase(keys[done]) ? 1 : 0;
                break;
            }
            // A batch refused up front leaves the count as it was passed.
            erased += ok || attr.count < passed ? attr.count : 0;
            if (ok) break;
            if (err == ENOENT) { // keys[done + count] is not in the map: skip it
                done += std::size_t{attr.count} + 1;
                continue;
            }
            fail(err, "BPF_MAP_DELETE_BATCH", std::to_string(erased) + " entries were deleted");
        }
        return erased;
    }

    /// Empties a hash table with BPF_MAP_LOOKUP_AND_DELETE_BATCH and gives
    /// what it held. Entries added meanwhile behind the kernel's cursor stay.
    [[nodiscard]] std::vector<std::pair<key_type, element_type>> lookup_and_erase_batch()
        requires detail::hash_table_map<M>
    {
        std::vector<std::pair<key_type, element_type>> out;
        std::uint32_t capacity = bpfxx::detail::min<std::uint32_t>(256, bpfxx::detail::max<std::uint32_t>(1, max_entries_));
        std::vector<std::byte> keys, values;
        // Batch tokens: a u32 bucket for hash maps, a key for the others.
        std::array<std::byte, 8 + sizeof(key_type)> in{}, token{};
        bool has_in = false;
        for (;;) {
            keys.resize(std::size_t{capacity} * sizeof(key_type));
            values.resize(std::size_t{capacity} * value_bytes());
            sys::map_batch_attr attr{};
            attr.in_batch = has_in ? sys::ptr(in.data()) : 0;
            attr.out_batch = sys::ptr(token.data());
            attr.keys = sys::ptr(keys.data());
            attr.values = sys::ptr(values.data());
            attr.count = capacity;
            attr.map_fd = static_cast<std::uint32_t>(fd());
            const bool ok = sys::call(sys::cmd::map_lookup_and_delete_batch, attr) == 0;
            const int err = errno;
            if (!ok && err == ENOSPC && attr.count == 0 && capacity < max_entries_) {
                capacity *= 2; // a hash bucket holds more entries than fit
                continue;
            }
            if (!ok && err != ENOENT)
                fail(err, "BPF_MAP_LOOKUP_AND_DELETE_BATCH", std::to_string(out.size()) + " entries were deleted");
            for (std::uint32_t i = 0; i < attr.count; ++i)
                out.emplace_back(detail::from_bytes<key_type>(keys.data() + i * sizeof(key_type)),
                                 detail::element_from_bytes<value_type, percpu>(values.data() + i * value_bytes(), cpus()));
            if (!ok || attr.count == 0) break; // ENOENT: that was the last batch
            in = token;
            has_in = true;
        }
        return out;
    }

    // -- queues and stacks ---------------------------------------------------

    /// Adds a value. A full queue or stack refuses it (E2BIG) unless `flags`
    /// is update_flags::exist, which drops the oldest value to make room.
    /// Bloom filters: adds the value to the set.
    void push(const value_type& value, update_flags flags = update_flags::any)
        requires detail::queue_like_map<M> || detail::bloom_map<M>
    {
        const int err =
            detail::elem_call(sys::cmd::map_update_elem, fd(), nullptr, &value, static_cast<std::uint64_t>(flags));
        if (err != 0) fail(err, "BPF_MAP_UPDATE_ELEM", err == E2BIG ? "full (push with update_flags::exist to overwrite)" : "");
    }
    /// Removes and gives the next value (queue: the oldest, stack: the newest); nullopt when empty.
    [[nodiscard]] std::optional<value_type> pop()
        requires detail::queue_like_map<M>
    {
        return take(sys::cmd::map_lookup_and_delete_elem, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
    }
    /// The value pop() would give, left in place; nullopt when empty.
    [[nodiscard]] std::optional<value_type> peek() const
        requires detail::queue_like_map<M>
    {
        return take(sys::cmd::map_lookup_elem, "BPF_MAP_LOOKUP_ELEM");
    }

    // -- bloom filters -------------------------------------------------------

    /// false: `value` was certainly never pushed; true: it probably was.
    [[nodiscard]] bool contains(const value_type& value) const
        requires detail::bloom_map<M>
    {
        value_type copy = value; // the kernel's lookup takes the value as input
        const int err = detail::elem_call(sys::cmd::map_lookup_elem, fd(), nullptr, &copy);
        if (err == 0) return true;
        if (err != ENOENT) fail(err, "BPF_MAP_LOOKUP_ELEM");
        return false;
    }

    // -- mmapable arrays -----------------------------------------------------

    /// The values in place, through a shared mapping of the map that this
    /// handle owns (made at create/open, unmapped with the handle). Reads
    /// and writes are plain memory accesses that programs see at once; the
    /// span stays valid while the handle lives and until freeze(), which
    /// maps the values read-only. The kernel lays elements out 8 bytes apart,
    /// so the value size must be a multiple of 8 (else use atomic_ref(i)).
    [[nodiscard]] std::span<value_type> span() const
        requires detail::mmapable_array<M>
    {
        static_assert(sizeof(value_type) % 8 == 0,
                      "bpfxx: span() needs a value size that is a multiple of 8 (the kernel places array elements 8 "
                      "bytes apart): pad the value type, or use atomic_ref(i)");
        ensure_mapped();
        return {std::launder(reinterpret_cast<value_type*>(mapping_)), max_entries_};
    }

    /// An atomic view of value `index`, for counters shared with programs
    /// (which update them with BPF atomics). Throws std::out_of_range past max_entries.
    [[nodiscard]] std::atomic_ref<value_type> atomic_ref(std::uint32_t index) const
        requires detail::mmapable_array<M>
    {
        static_assert(std::atomic_ref<value_type>::required_alignment <= 8,
                      "bpfxx: atomic_ref(i) needs a value type that std::atomic_ref accepts at 8-byte alignment");
        if (index >= max_entries_)
            throw std::out_of_range("bpfxx::map::atomic_ref: index " + std::to_string(index) + " is past max_entries " +
                                    std::to_string(max_entries_));
        ensure_mapped();
        auto* p = mapping_ + std::size_t{index} * detail::round_up8(sizeof(value_type));
        return std::atomic_ref<value_type>(*std::launder(reinterpret_cast<value_type*>(p)));
    }

    // -- the map as a whole --------------------------------------------------

    /// BPF_MAP_FREEZE: user space can no longer write the map (programs
    /// still can, unless the map is rdonly_prog). An mmapable array's
    /// mapping becomes read-only (a new address: earlier spans are invalid).
    void freeze() { freeze_map(); }

    /// Bytes of one element as the kernel copies it (per-CPU: every CPU's value).
    [[nodiscard]] static std::size_t value_bytes() { return detail::value_buffer_size(M::type, M::value_size); }
    /// Values per element: possible CPUs for per-CPU maps, else 1.
    [[nodiscard]] static std::uint32_t cpus() { return percpu ? sys::possible_cpus() : 1; }

private:
    map(unique_fd fd, std::uint32_t max_entries, std::string_view name)
        : detail::map_object(std::move(fd), M::type, max_entries, name) {
        if constexpr (detail::mmapable_array<M>)
            map_values(std::size_t{max_entries} * detail::round_up8(M::value_size));
    }

    [[nodiscard]] static map adopt(unique_fd fd, const open_options& opts, const char* op, const std::string& what) {
        const auto info = sys::info_of<sys::map_info>(fd.get(), op, what); // "not a map" first
        if (auto mismatch = detail::descriptor_mismatch<M>(info, opts); !mismatch.empty())
            throw error(EINVAL, op, what, std::move(mismatch));
        return map(std::move(fd), info.max_entries, detail::c_name(info.name));
    }

    void ensure_mapped() const {
        if (mapping_ == nullptr) throw error(EBADF, "span", label(), "the handle is empty or its mapping is gone");
    }

    [[nodiscard]] detail::map_cursor cursor(const iteration_options& opts, bool want_values) const {
        detail::map_layout layout;
        layout.fd = fd();
        layout.type = M::type;
        layout.key_size = M::key_size;
        layout.value_size = M::value_size;
        layout.value_bytes = static_cast<std::uint32_t>(value_bytes());
        layout.cpus = cpus();
        layout.max_entries = max_entries_;
        return detail::map_cursor(layout, label(), opts, want_values);
    }

    void update_bytes(const key_type& key, const void* value, update_flags flags) {
        const int err = detail::elem_call(sys::cmd::map_update_elem, fd(), &key, value, static_cast<std::uint64_t>(flags));
        if (err != 0) fail(err, "BPF_MAP_UPDATE_ELEM", detail::update_error_detail(err, flags));
    }

    /// `keys` elements' per-CPU values laid out as the kernel wants them.
    [[nodiscard]] std::vector<std::byte> percpu_buffer(std::span<const value_type> values, std::size_t keys) const {
        const std::size_t n = cpus();
        if (values.size() != n * keys)
            fail(EINVAL, "BPF_MAP_UPDATE_ELEM",
                 "a per-CPU map takes one value per possible CPU (" + std::to_string(n) + "), not " +
                     std::to_string(values.size()));
        const std::size_t stride = detail::round_up8(sizeof(value_type));
        std::vector<std::byte> buf(stride * values.size());
        for (std::size_t i = 0; i < values.size(); ++i) std::memcpy(buf.data() + i * stride, &values[i], sizeof(value_type));
        return buf;
    }

    [[nodiscard]] std::optional<value_type> take(sys::cmd c, const char* op) const {
        std::array<std::byte, sizeof(value_type)> raw;
        const int err = detail::elem_call(c, fd(), nullptr, raw.data());
        if (err == ENOENT) return std::nullopt;
        if (err != 0) fail(err, op);
        return std::bit_cast<value_type>(raw);
    }
};

} // namespace bpfxx
