#pragma once
// What every map handle has, typed (`map<M>`) or not (`raw_map`): the fd,
// the map's size and name for error messages, an optional mmap of its
// values, and the element syscalls with their errors. Linux only.

#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/maps/options.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace bpfxx {

/// What the kernel reports about a map (BPF_OBJ_GET_INFO_BY_FD).
struct map_info {
    map_type type = map_type::unspec;
    std::uint32_t id = 0;
    std::string name;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0; ///< of one value (per-CPU maps hold one per possible CPU)
    std::uint32_t max_entries = 0;
    map_flags flags = map_flags::none;
    std::uint64_t map_extra = 0;
    std::uint32_t ifindex = 0; ///< offloaded to this device (0: not offloaded)
    std::uint32_t btf_id = 0;
    std::uint32_t btf_key_type_id = 0;
    std::uint32_t btf_value_type_id = 0;
};

namespace detail {

[[nodiscard]] constexpr std::size_t round_up8(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }

/// Bytes the kernel reads or writes for one value of a map: per-CPU maps
/// hold one value per possible CPU, each rounded up to 8 bytes.
[[nodiscard]] inline std::size_t value_buffer_size(map_type t, std::uint32_t value_size) {
    return is_percpu(t) ? round_up8(value_size) * sys::possible_cpus() : value_size;
}

[[nodiscard]] inline std::string_view c_name(const char (&name)[16]) noexcept {
    std::size_t n = 0;
    while (n < 16 && name[n] != '\0') ++n;
    return {name, n};
}

[[nodiscard]] inline map_info to_map_info(const sys::map_info& raw) {
    map_info info;
    info.type = static_cast<map_type>(raw.type);
    info.id = raw.id;
    info.name = std::string(c_name(raw.name));
    info.key_size = raw.key_size;
    info.value_size = raw.value_size;
    info.max_entries = raw.max_entries;
    info.flags = static_cast<map_flags>(raw.map_flags);
    info.map_extra = raw.map_extra;
    info.ifindex = raw.ifindex;
    info.btf_id = raw.btf_id;
    info.btf_key_type_id = raw.btf_key_type_id;
    info.btf_value_type_id = raw.btf_value_type_id;
    return info;
}

/// One element command (lookup, update, delete, lookup-and-delete,
/// get-next-key): 0 or the errno. `value` is `next_key` for get-next-key.
[[nodiscard]] inline int elem_call(sys::cmd c, int fd, const void* key, const void* value,
                                   std::uint64_t flags = 0) noexcept {
    sys::map_elem_attr attr{};
    attr.map_fd = static_cast<std::uint32_t>(fd);
    attr.key = sys::ptr(key);
    attr.value = sys::ptr(value);
    attr.flags = flags;
    return sys::call(c, attr) < 0 ? errno : 0;
}

/// A map as error messages name it: its name, or its type and fd.
[[nodiscard]] inline std::string map_label(std::string_view name, map_type type, int fd) {
    if (!name.empty()) return std::string(name);
    std::string s(map_type_name(type));
    s += " map";
    if (fd >= 0) s += " (fd " + std::to_string(fd) + ')';
    return s;
}

/// ENOTSUPP from a map operation means the map's type lacks it, not the kernel: say so.
[[nodiscard]] inline std::string explain_errno(int err, std::string detail) {
    if (err == enotsupp) {
        if (!detail.empty()) detail += "; ";
        detail += "ENOTSUPP: this map type does not support the operation";
    }
    return detail;
}

/// Stores trivially copyable values, which need not be default-constructible.
template <class T>
[[nodiscard]] inline T from_bytes(const std::byte* p) noexcept {
    std::array<std::byte, sizeof(T)> raw;
    std::memcpy(raw.data(), p, sizeof(T));
    return std::bit_cast<T>(raw);
}

/// The part of a map handle that does not depend on its descriptor.
class map_object {
public:
    /// The map's fd, owned by this handle (-1 when empty or moved from).
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    /// max_entries as the kernel has it (after run-time overrides).
    [[nodiscard]] std::uint32_t max_entries() const noexcept { return max_entries_; }
    /// The name the map was created or opened with (at most 15 characters; may be empty).
    [[nodiscard]] std::string_view name() const noexcept { return c_name(name_); }

    /// The kernel's description of the map.
    [[nodiscard]] map_info info() const {
        return to_map_info(raw_info("BPF_OBJ_GET_INFO_BY_FD"));
    }

    /// Pins the map at a bpffs path (mounting /sys/fs/bpf when needed). The
    /// pin keeps the map alive after this handle closes; remove it with unlink().
    void pin(const std::string& path) const {
        if (!fd_) fail(EBADF, "BPF_OBJ_PIN", "the map handle is empty");
        try {
            sys::pin(fd(), path);
        } catch (const error& e) {
            throw error(e.errnum(), e.operation(), label(),
                        "pinning at " + path + (e.detail().empty() ? std::string{} : ": " + e.detail()));
        }
    }

    /// Gives up the fd (the caller must close it). Unmaps the values, if mapped.
    [[nodiscard]] unique_fd release() noexcept {
        unmap();
        return std::move(fd_);
    }

protected:
    map_object() noexcept = default;
    map_object(unique_fd fd, map_type type, std::uint32_t max_entries, std::string_view name) noexcept
        : fd_(std::move(fd)), max_entries_(max_entries), type_(type) {
        sys::copy_name(name_, name);
    }
    map_object(map_object&& other) noexcept
        : fd_(std::move(other.fd_)), max_entries_(other.max_entries_), type_(other.type_),
          mapping_(std::exchange(other.mapping_, nullptr)), mapping_size_(std::exchange(other.mapping_size_, 0)),
          mapping_writable_(other.mapping_writable_) {
        std::memcpy(name_, other.name_, sizeof name_);
    }
    map_object& operator=(map_object&& other) noexcept {
        if (this != &other) {
            unmap();
            fd_ = std::move(other.fd_);
            max_entries_ = other.max_entries_;
            type_ = other.type_;
            std::memcpy(name_, other.name_, sizeof name_);
            mapping_ = std::exchange(other.mapping_, nullptr);
            mapping_size_ = std::exchange(other.mapping_size_, 0);
            mapping_writable_ = other.mapping_writable_;
        }
        return *this;
    }
    map_object(const map_object&) = delete;
    map_object& operator=(const map_object&) = delete;
    ~map_object() { unmap(); }

    [[nodiscard]] std::string label() const { return map_label(name(), type_, fd()); }

    /// Throws `bpfxx::error` for a failed operation on this map.
    [[noreturn]] void fail(int err, const char* op, std::string detail = {}) const {
        throw error(err, op, label(), explain_errno(err, std::move(detail)));
    }

    [[nodiscard]] sys::map_info raw_info(const char* op) const { return sys::info_of<sys::map_info>(fd(), op, label()); }

    /// Maps the values of an mmapable array: `bytes` of them, rounded up to
    /// pages. Read-only when the kernel refuses a writable mapping (a frozen
    /// map, or one user space may only read).
    void map_values(std::size_t bytes) {
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        const std::size_t size = (bytes + page - 1) / page * page;
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), 0);
        bool writable = true;
        if (p == MAP_FAILED && (errno == EPERM || errno == EACCES)) {
            p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd(), 0);
            writable = false;
        }
        if (p == MAP_FAILED) fail(errno, "mmap", "of " + std::to_string(size) + " bytes of values");
        unmap();
        mapping_ = static_cast<std::byte*>(p);
        mapping_size_ = size;
        mapping_writable_ = writable;
    }

    void unmap() noexcept {
        if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
        mapping_ = nullptr;
        mapping_size_ = 0;
    }

    /// BPF_MAP_FREEZE. The kernel refuses to freeze a map that has a
    /// writable mapping, so one is replaced by a read-only mapping.
    void freeze_map() {
        const bool remap = mapping_ != nullptr && mapping_writable_;
        const std::size_t size = mapping_size_;
        if (remap) unmap();
        sys::map_elem_attr attr{};
        attr.map_fd = static_cast<std::uint32_t>(fd());
        if (sys::call(sys::cmd::map_freeze, attr) < 0) {
            const int err = errno;
            if (remap) map_values(size);
            fail(err, "BPF_MAP_FREEZE");
        }
        if (remap) map_values(size);
    }

    unique_fd fd_;
    std::uint32_t max_entries_ = 0;
    map_type type_ = map_type::unspec;
    char name_[16] = {};
    std::byte* mapping_ = nullptr;
    std::size_t mapping_size_ = 0;
    bool mapping_writable_ = false;
};

} // namespace detail
} // namespace bpfxx
