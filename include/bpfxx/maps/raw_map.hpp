#pragma once
// `bpfxx::raw_map`: a map whose layout is known only at run time — pinned
// or created by another program. Keys and values are byte spans, sized from
// the kernel's map info. Linux only.

#include <bpfxx/maps/iteration.hpp>
#include <bpfxx/maps/object.hpp>
#include <bpfxx/maps/options.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx {

class raw_map : public detail::map_object {
public:
    raw_map() noexcept = default;
    raw_map(raw_map&&) noexcept = default;
    raw_map& operator=(raw_map&&) noexcept = default;

    /// Opens the map pinned at `path`; `access` may be map_flags::rdonly or
    /// wronly. Another kind of object pinned there (a program, a link) is
    /// refused with EINVAL: "not a map".
    [[nodiscard]] static raw_map open_pinned(const std::string& path, map_flags access = map_flags::none) {
        return adopt(sys::get_pinned(path, static_cast<std::uint32_t>(access)), "open_pinned", path);
    }

    /// Opens the map with this id (BPF_MAP_GET_FD_BY_ID).
    [[nodiscard]] static raw_map from_id(std::uint32_t id, map_flags access = map_flags::none) {
        sys::id_attr attr{};
        attr.id = id;
        attr.open_flags = static_cast<std::uint32_t>(access);
        const long fd = sys::call(sys::cmd::map_get_fd_by_id, attr);
        if (fd < 0) detail::throw_errno("BPF_MAP_GET_FD_BY_ID", "map id " + std::to_string(id));
        return adopt(unique_fd(static_cast<int>(fd)), "from_id", "map id " + std::to_string(id));
    }

    /// Takes a map fd from elsewhere (e.g. `map<M>::release()`).
    [[nodiscard]] static raw_map from_fd(unique_fd fd) {
        std::string what = "fd " + std::to_string(fd.get());
        return adopt(std::move(fd), "from_fd", what);
    }

    [[nodiscard]] map_type type() const noexcept { return type_; }
    [[nodiscard]] std::uint32_t key_size() const noexcept { return key_size_; }
    /// The size of one value (per-CPU maps hold one per possible CPU).
    [[nodiscard]] std::uint32_t value_size() const noexcept { return value_size_; }
    [[nodiscard]] map_flags flags() const noexcept { return flags_; }
    [[nodiscard]] bool percpu() const noexcept { return is_percpu(type_); }
    /// Bytes of one element as lookup fills it: value_size, or for per-CPU
    /// maps possible CPUs × value_size rounded up to 8.
    [[nodiscard]] std::size_t value_bytes() const { return detail::value_buffer_size(type_, value_size_); }

    /// Reads the value at `key` into `value` (at least value_bytes() long);
    /// false when the key is absent. Keyless maps (queue, stack) take an
    /// empty key: their lookup is a peek.
    bool lookup(std::span<const std::byte> key, std::span<std::byte> value) const {
        check_key(key, "BPF_MAP_LOOKUP_ELEM");
        if (value.size() < value_bytes())
            fail(EINVAL, "BPF_MAP_LOOKUP_ELEM",
                 "a value buffer of " + std::to_string(value.size()) + " bytes, the map needs " +
                     std::to_string(value_bytes()));
        const int err = detail::elem_call(sys::cmd::map_lookup_elem, fd(), key_ptr(key), value.data());
        if (err == ENOENT) return false;
        if (err != 0) fail(err, "BPF_MAP_LOOKUP_ELEM");
        return true;
    }
    /// The value at `key` (value_bytes() long), or nullopt.
    [[nodiscard]] std::optional<std::vector<std::byte>> lookup(std::span<const std::byte> key) const {
        std::vector<std::byte> value(value_bytes());
        if (!lookup(key, std::span<std::byte>(value))) return std::nullopt;
        return value;
    }

    /// Writes `value` (exactly value_bytes() long) at `key`.
    void update(std::span<const std::byte> key, std::span<const std::byte> value,
                update_flags flags = update_flags::any) {
        check_key(key, "BPF_MAP_UPDATE_ELEM");
        if (value.size() != value_bytes())
            fail(EINVAL, "BPF_MAP_UPDATE_ELEM",
                 "a value of " + std::to_string(value.size()) + " bytes, the map takes " + std::to_string(value_bytes()));
        const int err = detail::elem_call(sys::cmd::map_update_elem, fd(), key_ptr(key), value.data(),
                                          static_cast<std::uint64_t>(flags));
        if (err != 0) fail(err, "BPF_MAP_UPDATE_ELEM");
    }

    /// Deletes `key`; false if it was not there.
    bool erase(std::span<const std::byte> key) {
        check_key(key, "BPF_MAP_DELETE_ELEM");
        const int err = detail::elem_call(sys::cmd::map_delete_elem, fd(), key_ptr(key), nullptr);
        if (err == 0) return true;
        if (err != ENOENT) fail(err, "BPF_MAP_DELETE_ELEM");
        return false;
    }

    /// The keys as byte spans, valid until the iterator moves on.
    [[nodiscard]] detail::map_range<detail::raw_key_projection> keys(iteration_options opts = {}) const {
        return detail::map_range<detail::raw_key_projection>(cursor(opts, false));
    }
    /// The entries as `raw_entry{key, value}` byte spans, valid until the iterator moves on.
    [[nodiscard]] detail::map_range<detail::raw_item_projection> items(iteration_options opts = {}) const {
        return detail::map_range<detail::raw_item_projection>(cursor(opts, true));
    }

    /// BPF_MAP_FREEZE: user space can no longer write the map.
    void freeze() { freeze_map(); }

private:
    raw_map(unique_fd fd, const sys::map_info& info)
        : detail::map_object(std::move(fd), static_cast<map_type>(info.type), info.max_entries, detail::c_name(info.name)),
          key_size_(info.key_size), value_size_(info.value_size), flags_(static_cast<map_flags>(info.map_flags)) {}

    [[nodiscard]] static raw_map adopt(unique_fd fd, const char* op, const std::string& what) {
        const auto info = sys::info_of<sys::map_info>(fd.get(), op, what);
        return raw_map(std::move(fd), info);
    }

    void check_key(std::span<const std::byte> key, const char* op) const {
        if (key.size() != key_size_)
            fail(EINVAL, op,
                 "a key of " + std::to_string(key.size()) + " bytes, the map's keys have " + std::to_string(key_size_));
    }
    /// Keyless maps want a null key pointer, not an empty buffer.
    [[nodiscard]] static const void* key_ptr(std::span<const std::byte> key) noexcept {
        return key.empty() ? nullptr : key.data();
    }

    [[nodiscard]] detail::map_cursor cursor(const iteration_options& opts, bool want_values) const {
        detail::map_layout layout;
        layout.fd = fd();
        layout.type = type_;
        layout.key_size = key_size_;
        layout.value_size = value_size_;
        layout.value_bytes = static_cast<std::uint32_t>(value_bytes());
        layout.cpus = percpu() ? sys::possible_cpus() : 1;
        layout.max_entries = max_entries_;
        return detail::map_cursor(layout, label(), opts, want_values);
    }

    std::uint32_t key_size_ = 0;
    std::uint32_t value_size_ = 0;
    map_flags flags_ = map_flags::none;
};

} // namespace bpfxx
