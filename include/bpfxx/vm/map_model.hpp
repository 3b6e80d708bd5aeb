#pragma once
// In-memory models of the map types programs use, for the interpreter. The
// storage is fixed by the descriptor (no allocation), so a machine with its
// maps is a constant-expression value. Byte-level operations serve the
// helpers; the typed ones serve the test that seeds a map before a run and
// inspects it after:
//
//     vm.map<counters>().update(6, 0);
//     vm.run_skb(prog, packet);
//     CHECK(vm.map<counters>().lookup(6) == 1);
//
// What differs from the kernel, on purpose: one CPU (per-CPU maps hold one
// value), LRU maps evict the least recently used entry exactly, a bloom
// filter is exact until it holds more than max_entries values and then
// answers "maybe" to everything.

#include <bpfxx/isa/errors.hpp>
#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/isa/map_flags.hpp>
#include <bpfxx/vm/bytes.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

namespace bpfxx::vm {

/// Negative errno values the helpers return, as the kernel's do.
namespace err {
inline constexpr std::int64_t enoent = -2;
inline constexpr std::int64_t e2big = -7;
inline constexpr std::int64_t eagain = -11;
inline constexpr std::int64_t efault = -14;
inline constexpr std::int64_t eexist = -17;
inline constexpr std::int64_t einval = -22;
inline constexpr std::int64_t enospc = -28;
inline constexpr std::int64_t erange = -34;
inline constexpr std::int64_t enotsupp = -bpfxx::enotsupp;
} // namespace err

namespace detail {

enum class model_kind { array, sparse_array, hash, lpm, queue, stack, bloom, ringbuf, none };

[[nodiscard]] constexpr model_kind kind_of(map_type t) noexcept {
    switch (t) {
    case map_type::array:
    case map_type::percpu_array: return model_kind::array;
    case map_type::prog_array:
    case map_type::devmap:
    case map_type::cpumap:
    case map_type::xskmap: return model_kind::sparse_array;
    case map_type::hash:
    case map_type::percpu_hash:
    case map_type::lru_hash:
    case map_type::lru_percpu_hash:
    case map_type::devmap_hash: return model_kind::hash;
    case map_type::lpm_trie: return model_kind::lpm;
    case map_type::queue: return model_kind::queue;
    case map_type::stack: return model_kind::stack;
    case map_type::bloom_filter: return model_kind::bloom;
    case map_type::ringbuf: return model_kind::ringbuf;
    default: return model_kind::none;
    }
}

/// Models with elements (not ring buffers), and ring buffers.
template <class Model>
concept keyed_model = requires { Model::kind; };
template <class Model>
concept ring_model = requires { Model::header_size; };

} // namespace detail

/// Whether the interpreter has a model of map type `t`.
[[nodiscard]] constexpr bool has_model(map_type t) noexcept { return detail::kind_of(t) != detail::model_kind::none; }

/// A record a program put into a ring buffer model.
struct ringbuf_record {
    std::uint32_t offset = 0; ///< of the data in the model's storage
    std::uint32_t size = 0;
    enum class state : std::uint8_t { reserved, submitted, discarded } status = state::reserved;
};

/// The model of map descriptor M: every type but ring buffers.
template <class M>
class map_model {
    static_assert(has_model(M::type), "bpfxx::vm: the interpreter has no model of this map type");

public:
    using descriptor = M;
    using key_type = typename bpfxx::detail::key_type_of<M>::type;
    using value_type = typename bpfxx::detail::value_type_of<M>::type;
    static constexpr detail::model_kind kind = detail::kind_of(M::type);
    static constexpr std::uint32_t key_size = M::key_size;
    static constexpr std::uint32_t value_size = M::value_size;
    static constexpr std::uint32_t capacity = M::max_entries;

    // ---- byte level (the helpers) ---------------------------------------

    /// The slot holding `key`, if any (array kinds: the index, if in range and present).
    [[nodiscard]] constexpr std::optional<std::uint32_t> find(const std::uint8_t* key) noexcept {
        if constexpr (kind == detail::model_kind::array || kind == detail::model_kind::sparse_array) {
            const auto i = detail::load_u32(key);
            if (i >= capacity || !present_[i]) return std::nullopt;
            return i;
        } else if constexpr (kind == detail::model_kind::lpm) {
            return longest_match(key);
        } else {
            const auto s = exact_slot(key);
            if (s && bpfxx::detail::is_lru(M::type)) stamp_[*s] = ++clock_;
            return s;
        }
    }

    [[nodiscard]] constexpr std::int64_t update_bytes(const std::uint8_t* key, const std::uint8_t* value,
                                                      std::uint64_t flags) noexcept {
        // BPF_F_LOCK (4) needs a bpf_spin_lock in the value, which no model
        // has: -EINVAL, as from the kernel (arrays check it after E2BIG/EEXIST)
        const bool lock = (flags & 4u) != 0;
        const auto mode = flags & ~std::uint64_t{4};
        if (mode > 2) return err::einval;
        if constexpr (kind == detail::model_kind::array || kind == detail::model_kind::sparse_array) {
            const auto i = detail::load_u32(key);
            if (i >= capacity) return err::e2big;
            if (mode == 1 && present_[i]) return err::eexist;
            if (lock) return err::einval;
            if (mode == 2 && !present_[i]) return err::enoent;
            store(i, key, value);
            return 0;
        } else if constexpr (kind == detail::model_kind::hash || kind == detail::model_kind::lpm) {
            if (lock) return err::einval;
            if constexpr (kind == detail::model_kind::lpm) {
                if (detail::load_u32(key) > (key_size - 4) * 8) return err::einval;
            }
            if (const auto s = exact_slot(key)) {
                if (mode == 1) return err::eexist;
                store(*s, key, value);
                return 0;
            }
            if (mode == 2) return err::enoent;
            auto s = free_slot();
            if (!s) {
                if constexpr (bpfxx::detail::is_lru(M::type)) s = least_recent();
                else return kind == detail::model_kind::lpm ? err::enospc : err::e2big;
            }
            store(*s, key, value);
            return 0;
        } else {
            return err::einval;
        }
    }

    [[nodiscard]] constexpr std::int64_t erase_bytes(const std::uint8_t* key) noexcept {
        if constexpr (kind == detail::model_kind::array) {
            return err::einval;
        } else if constexpr (kind == detail::model_kind::sparse_array) {
            const auto i = detail::load_u32(key);
            if (i >= capacity) return err::e2big;
            if (!present_[i]) return err::enoent;
            present_[i] = false;
            return 0;
        } else if constexpr (kind == detail::model_kind::hash || kind == detail::model_kind::lpm) {
            const auto s = exact_slot(key);
            if (!s) return err::enoent;
            present_[*s] = false;
            --size_;
            return 0;
        } else {
            return err::einval;
        }
    }

    /// map_push_elem (queue, stack, bloom filter).
    [[nodiscard]] constexpr std::int64_t push_bytes(const std::uint8_t* value, std::uint64_t flags) noexcept {
        if constexpr (kind == detail::model_kind::bloom) {
            if (flags != 0) return err::einval;
            if (contains(value)) return 0;
            const auto s = free_slot();
            if (!s) {
                saturated_ = true;
                return 0;
            }
            store(*s, value, value);
            return 0;
        } else if constexpr (kind == detail::model_kind::queue || kind == detail::model_kind::stack) {
            if (flags != 0 && flags != 2) return err::einval;
            if (size_ == capacity) {
                if (flags != 2) return err::e2big;
                // BPF_EXIST: drop the oldest to make room
                head_ = (head_ + 1) % capacity;
                --size_;
            }
            const auto slot = (head_ + size_) % capacity;
            detail::copy_bytes(&values_[std::size_t{slot} * value_size], value, value_size);
            ++size_;
            return 0;
        } else {
            return err::einval;
        }
    }

    /// map_pop_elem / map_peek_elem (queue, stack; bloom filters peek).
    [[nodiscard]] constexpr std::int64_t pop_bytes(std::uint8_t* out, bool remove) noexcept {
        if constexpr (kind == detail::model_kind::bloom) {
            if (remove) return err::einval;
            return saturated_ || contains(out) ? 0 : err::enoent;
        } else if constexpr (kind == detail::model_kind::queue || kind == detail::model_kind::stack) {
            if (size_ == 0) return err::enoent;
            const auto slot = kind == detail::model_kind::queue ? head_ : (head_ + size_ - 1) % capacity;
            detail::copy_bytes(out, &values_[std::size_t{slot} * value_size], value_size);
            if (remove) {
                if (kind == detail::model_kind::queue) head_ = (head_ + 1) % capacity;
                --size_;
            }
            return 0;
        } else {
            return err::einval;
        }
    }

    /// The value bytes of a slot, for the program's pointers into it.
    [[nodiscard]] constexpr std::uint8_t* value_bytes(std::uint32_t slot) noexcept {
        return &values_[std::size_t{slot} * value_size];
    }
    [[nodiscard]] static constexpr std::size_t value_area() noexcept { return std::size_t{capacity} * value_size; }

    // ---- typed (the test) -------------------------------------------------

    /// The value under `key`, if present.
    [[nodiscard]] constexpr std::optional<value_type> lookup(const key_type& key) noexcept
        requires(kind != detail::model_kind::queue && kind != detail::model_kind::stack &&
                 kind != detail::model_kind::bloom)
    {
        const auto k = detail::to_bytes(key);
        const auto s = find(k.data());
        if (!s) return std::nullopt;
        return detail::from_bytes<value_type>(value_bytes(*s));
    }

    /// Creates or replaces (flags as `map<M>::update`); 0 or a negative errno.
    constexpr std::int64_t update(const key_type& key, const value_type& value,
                                  update_flags flags = update_flags::any) noexcept
        requires(kind != detail::model_kind::queue && kind != detail::model_kind::stack &&
                 kind != detail::model_kind::bloom)
    {
        const auto k = detail::to_bytes(key);
        const auto v = detail::to_bytes(value);
        return update_bytes(k.data(), v.data(), static_cast<std::uint64_t>(flags));
    }

    /// Removes `key`; 0 or a negative errno (-ENOENT when absent).
    constexpr std::int64_t erase(const key_type& key) noexcept {
        const auto k = detail::to_bytes(key);
        return erase_bytes(k.data());
    }

    /// Queue, stack, bloom filter: adds a value.
    constexpr std::int64_t push(const value_type& value, update_flags flags = update_flags::any) noexcept {
        const auto v = detail::to_bytes(value);
        return push_bytes(v.data(), static_cast<std::uint64_t>(flags));
    }
    /// Queue, stack: removes and returns the next value.
    constexpr std::optional<value_type> pop() noexcept { return take(true); }
    /// Queue, stack: the next value, left in place.
    [[nodiscard]] constexpr std::optional<value_type> peek() noexcept { return take(false); }
    /// Bloom filter: whether the value may have been added.
    [[nodiscard]] constexpr bool may_contain(const value_type& value) noexcept {
        auto v = detail::to_bytes(value);
        return pop_bytes(v.data(), false) == 0;
    }

    /// Entries present (arrays: max_entries).
    [[nodiscard]] constexpr std::uint32_t size() const noexcept {
        if constexpr (kind == detail::model_kind::array) return capacity;
        else return size_;
    }

    /// Forgets every entry (arrays: zeroes every value).
    constexpr void clear() noexcept { *this = map_model{}; }

    constexpr map_model() noexcept {
        if constexpr (kind == detail::model_kind::array) {
            for (auto& p : present_) p = true;
        }
    }

private:
    static constexpr bool keyed = kind == detail::model_kind::hash || kind == detail::model_kind::lpm ||
                                  kind == detail::model_kind::bloom;
    static constexpr std::size_t key_area = keyed ? std::size_t{capacity} * (kind == detail::model_kind::bloom ? value_size : key_size) : 0;
    static constexpr std::size_t slot_key_size = kind == detail::model_kind::bloom ? value_size : key_size;

    constexpr std::optional<value_type> take(bool remove) noexcept {
        std::array<std::uint8_t, sizeof(value_type)> out{};
        if (pop_bytes(out.data(), remove) != 0) return std::nullopt;
        return std::bit_cast<value_type>(out);
    }

    constexpr void store(std::uint32_t s, const std::uint8_t* key, const std::uint8_t* value) noexcept {
        if constexpr (keyed) {
            detail::copy_bytes(&keys_[std::size_t{s} * slot_key_size], key, slot_key_size);
            if (!present_[s]) ++size_;
        } else {
            if (!present_[s] && kind == detail::model_kind::sparse_array) ++size_;
        }
        present_[s] = true;
        if constexpr (kind != detail::model_kind::bloom) detail::copy_bytes(value_bytes(s), value, value_size);
        if constexpr (bpfxx::detail::is_lru(M::type)) stamp_[s] = ++clock_;
    }

    [[nodiscard]] constexpr bool same_key(std::uint32_t s, const std::uint8_t* key) const noexcept {
        const auto* k = &keys_[std::size_t{s} * slot_key_size];
        if constexpr (kind != detail::model_kind::lpm) {
            return detail::equal_bytes(k, key, slot_key_size);
        } else {
            const auto len = detail::load_u32(key);
            return detail::load_u32(k) == len && prefix_equal(k + 4, key + 4, len);
        }
    }

    [[nodiscard]] static constexpr bool prefix_equal(const std::uint8_t* a, const std::uint8_t* b,
                                                     std::uint32_t bits) noexcept {
        std::uint32_t i = 0;
        for (; bits >= 8; bits -= 8, ++i)
            if (a[i] != b[i]) return false;
        if (bits == 0) return true;
        const auto mask = static_cast<std::uint8_t>(0xffu << (8 - bits));
        return (a[i] & mask) == (b[i] & mask);
    }

    [[nodiscard]] constexpr std::optional<std::uint32_t> exact_slot(const std::uint8_t* key) const noexcept {
        for (std::uint32_t s = 0; s < capacity; ++s)
            if (present_[s] && same_key(s, key)) return s;
        return std::nullopt;
    }

    [[nodiscard]] constexpr bool contains(const std::uint8_t* key) const noexcept {
        return exact_slot(key).has_value();
    }

    // The entry whose prefix covers the key's first `prefixlen` bits, longest first.
    [[nodiscard]] constexpr std::optional<std::uint32_t> longest_match(const std::uint8_t* key) const noexcept {
        const auto limit = detail::load_u32(key);
        std::optional<std::uint32_t> best;
        std::uint32_t best_len = 0;
        for (std::uint32_t s = 0; s < capacity; ++s) {
            if (!present_[s]) continue;
            const auto* k = &keys_[std::size_t{s} * key_size];
            const auto len = detail::load_u32(k);
            if (len > limit || (best && len <= best_len)) continue;
            if (prefix_equal(k + 4, key + 4, len)) {
                best = s;
                best_len = len;
            }
        }
        return best;
    }

    [[nodiscard]] constexpr std::optional<std::uint32_t> free_slot() const noexcept {
        for (std::uint32_t s = 0; s < capacity; ++s)
            if (!present_[s]) return s;
        return std::nullopt;
    }

    [[nodiscard]] constexpr std::uint32_t least_recent() noexcept {
        std::uint32_t victim = 0;
        for (std::uint32_t s = 1; s < capacity; ++s)
            if (stamp_[s] < stamp_[victim]) victim = s;
        present_[victim] = false;
        --size_;
        return victim;
    }

    std::array<std::uint8_t, std::size_t{capacity} * value_size> values_{};
    std::array<std::uint8_t, key_area> keys_{};
    std::array<bool, capacity> present_{};
    std::array<std::uint64_t, bpfxx::detail::is_lru(M::type) ? capacity : 0> stamp_{};
    std::uint64_t clock_ = 0;
    std::uint32_t size_ = 0;
    std::uint32_t head_ = 0;
    bool saturated_ = false;
};

/// The model of a ring buffer: records are laid out one after another in
/// the descriptor's number of bytes (8-byte header, 8-byte aligned, as the
/// kernel does) until the test consumes them with `clear()`.
template <class M, std::size_t MaxRecords = 64>
class ringbuf_model {
    static_assert(M::type == map_type::ringbuf);

public:
    using descriptor = M;
    static constexpr std::uint32_t capacity = M::max_entries;
    static constexpr std::uint32_t header_size = 8;

    /// Space for a record of `size` bytes: the offset of its data, or nothing.
    [[nodiscard]] constexpr std::optional<std::uint32_t> reserve(std::uint64_t size) noexcept {
        // size is the program's 64-bit r2: refuse what cannot fit before rounding it up, which could wrap
        if (size == 0 || size > capacity || count_ == MaxRecords) return std::nullopt;
        const auto total = (size + header_size + 7) & ~std::uint64_t{7};
        if (total > capacity - used_) return std::nullopt;
        const auto off = used_ + header_size;
        records_[count_++] = ringbuf_record{off, static_cast<std::uint32_t>(size), ringbuf_record::state::reserved};
        used_ += static_cast<std::uint32_t>(total);
        return off;
    }

    /// The reserved record whose data starts at `offset`, if any.
    [[nodiscard]] constexpr ringbuf_record* reserved_at(std::uint32_t offset) noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (records_[i].offset == offset && records_[i].status == ringbuf_record::state::reserved)
                return &records_[i];
        return nullptr;
    }

    /// Whether [off, end) lies in the data of one reserved record.
    [[nodiscard]] constexpr bool reserved_covers(std::uint32_t off, std::uint64_t end) const noexcept {
        for (std::size_t i = 0; i < count_; ++i) {
            const auto& r = records_[i];
            if (r.status == ringbuf_record::state::reserved && off >= r.offset && end <= std::uint64_t{r.offset} + r.size)
                return true;
        }
        return false;
    }

    /// Whether a record is reserved and not yet submitted or discarded.
    [[nodiscard]] constexpr bool has_pending() const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (records_[i].status == ringbuf_record::state::reserved) return true;
        return false;
    }

    /// Bytes written and not consumed (BPF_RB_AVAIL_DATA).
    [[nodiscard]] constexpr std::uint32_t available() const noexcept { return used_; }

    [[nodiscard]] constexpr std::uint8_t* data() noexcept { return storage_.data(); }
    [[nodiscard]] constexpr const std::uint8_t* data() const noexcept { return storage_.data(); }

    /// Submitted records, oldest first; `get(i)` their bytes.
    [[nodiscard]] constexpr std::size_t submitted() const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0; i < count_; ++i) n += records_[i].status == ringbuf_record::state::submitted;
        return n;
    }
    /// The i-th submitted record.
    [[nodiscard]] constexpr ringbuf_record record(std::size_t i) const noexcept {
        for (std::size_t k = 0; k < count_; ++k) {
            if (records_[k].status != ringbuf_record::state::submitted) continue;
            if (i-- == 0) return records_[k];
        }
        return {};
    }
    /// The i-th submitted record as a T (its first sizeof(T) bytes; zeros past its end).
    template <class T>
    [[nodiscard]] constexpr T record_as(std::size_t i) const noexcept {
        const auto r = record(i);
        std::array<std::uint8_t, sizeof(T)> b{};
        for (std::size_t k = 0; k < sizeof(T) && k < r.size; ++k) b[k] = storage_[r.offset + k];
        return std::bit_cast<T>(b);
    }
    /// The byte k of the i-th submitted record.
    [[nodiscard]] constexpr std::uint8_t record_byte(std::size_t i, std::size_t k) const noexcept {
        const auto r = record(i);
        return k < r.size ? storage_[r.offset + k] : 0;
    }

    /// Consumes everything.
    constexpr void clear() noexcept { *this = ringbuf_model{}; }

private:
    std::array<std::uint8_t, capacity> storage_{};
    std::array<ringbuf_record, MaxRecords> records_{};
    std::size_t count_ = 0;
    std::uint32_t used_ = 0;
};

namespace detail {
template <class M, std::size_t R>
struct model_for {
    using type = map_model<M>;
};
template <class M, std::size_t R>
    requires(M::type == map_type::ringbuf)
struct model_for<M, R> {
    using type = ringbuf_model<M, R>;
};
} // namespace detail

/// The model the interpreter keeps for descriptor M.
template <class M, std::size_t RingbufRecords = 64>
using model_of = typename detail::model_for<M, RingbufRecords>::type;

} // namespace bpfxx::vm
