#pragma once
// Iterating a map's entries: `keys()`, `values()`, `items()` of a map handle
// are input ranges (single pass) that are views both for std::ranges and
// for range-v3, so `m.items() | ranges::views::filter(...)` works.
//
// How entries are read. `iteration_method::automatic` reads them with
// BPF_MAP_LOOKUP_BATCH, `batch_size` entries per call (the buffer grows when
// a hash bucket holds more than fits), and falls back to
// BPF_MAP_GET_NEXT_KEY plus one BPF_MAP_LOOKUP_ELEM per key when the kernel
// has no batch lookup for the map type (EINVAL, ENOTSUPP, EOPNOTSUPP) or
// gives up on it (EINTR: an element vanished under the kernel's own
// get-next-key loop, as empty slots of fd arrays do). `batch` and
// `next_key` force one method (`batch` throws where the kernel has none).
//
// What happens when the map changes during iteration (another thread or a
// BPF program writes it). The kernel gives no snapshot; bpfxx guarantees:
// - The iteration ends: it never yields more than the map's max_entries
//   items, and every loop in it is bounded.
// - Every yielded key was in the map when it was read, with the value it
//   had at that moment (keys deleted between get-next-key and lookup are
//   skipped). A value is read as a whole by one syscall, but BPF programs
//   may write it concurrently (unless they use a spin lock).
// - Batch method: the kernel walks hash buckets (or indices) in order, so
//   no key is yielded twice, and every key present during the whole
//   iteration is yielded; keys added or deleted meanwhile may or may not be.
// - Get-next-key method: bpfxx remembers the last max(batch_size, 256)
//   keys read and never yields one of them again. When the key the kernel
//   continues from has been deleted, the kernel restarts from the first key
//   of the map; bpfxx notices (it meets a key it remembers, or one of the
//   iteration's first 32 keys) and continues from the latest remembered key
//   still in the map instead, so keys present throughout are not missed. If
//   none of them is left, or the kernel loses its place more than 64 times
//   within one batch, the iteration ends early. Rarely, under heavy
//   concurrent deletion, a key read longer ago can come again: a restart
//   that lands past all 32 first keys goes unnoticed, and the kernel's own
//   walk is not atomic (a preallocated hash map reuses a deleted element
//   at once, even while get-next-key follows it). The max_entries bound
//   holds regardless. Deleting each key as it is yielded drains the map,
//   each key once.
// Without concurrent changes both methods yield every entry exactly once.

#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/maps/object.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>

// range-v3 counts a type as a view when it derives from its own view_base.
#if __has_include(<range/v3/range_fwd.hpp>)
#include <range/v3/range_fwd.hpp>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx {

/// How to read a map's entries (see bpfxx/maps/iteration.hpp).
enum class iteration_method : std::uint8_t {
    automatic, ///< batch lookups, falling back to get-next-key where the kernel has none
    batch,     ///< BPF_MAP_LOOKUP_BATCH only
    next_key,  ///< BPF_MAP_GET_NEXT_KEY and BPF_MAP_LOOKUP_ELEM
};

struct iteration_options {
    iteration_method method = iteration_method::automatic;
    /// Entries read per syscall (batch) or per restart-checked group (get-next-key).
    std::uint32_t batch_size = 256;
};

/// One entry of an untyped map: views of bytes in the iteration's buffer,
/// valid until the iterator moves on.
struct raw_entry {
    std::span<const std::byte> key;
    std::span<const std::byte> value; ///< per-CPU maps: all CPUs' values, each rounded up to 8 bytes
};

namespace detail {

/// What the cursor needs to know about the map it walks.
struct map_layout {
    int fd = -1;
    map_type type = map_type::unspec;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;  ///< of one value
    std::uint32_t value_bytes = 0; ///< of one element in kernel buffers (per-CPU: every CPU's value)
    std::uint32_t cpus = 1;        ///< values per element
    std::uint32_t max_entries = 0;
};

/// A set of keys stored in a buffer the caller owns (`keys`, key_size
/// apart), by index: the keys of one get-next-key batch, the first keys of
/// an iteration. Open addressing, no allocation after reset().
class batch_key_set {
public:
    void reset(std::size_t capacity) {
        std::size_t slots = 16;
        while (slots < capacity * 2) slots *= 2;
        slots_.clear();
        slots_.resize(slots, 0);
    }
    /// Adds key `index` of `keys`; false if an equal key is already there.
    bool insert(const std::byte* keys, std::uint32_t index, std::size_t key_size) {
        const std::byte* key = keys + index * key_size;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(key, key_size) & mask;; i = (i + 1) & mask) {
            if (slots_[i] == 0) {
                slots_[i] = index + 1;
                return true;
            }
            if (std::memcmp(keys + (slots_[i] - 1) * key_size, key, key_size) == 0) return false;
        }
    }
    /// Whether `key` equals one of the keys added.
    [[nodiscard]] bool contains(const std::byte* keys, const std::byte* key, std::size_t key_size) const {
        if (slots_.empty()) return false;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(key, key_size) & mask;; i = (i + 1) & mask) {
            if (slots_[i] == 0) return false;
            if (std::memcmp(keys + (slots_[i] - 1) * key_size, key, key_size) == 0) return true;
        }
    }

private:
    static std::size_t hash(const std::byte* p, std::size_t n) noexcept {
        std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
        for (std::size_t i = 0; i < n; ++i) h = (h ^ std::to_integer<std::uint64_t>(p[i])) * 0x100000001b3ull;
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
    bpfxx::detail::buffer<std::uint32_t> slots_;
};

/// Walks a map's entries batch by batch; the engine behind every range.
class map_cursor {
public:
    map_cursor() = default;
    map_cursor(const map_layout& layout, std::string label, iteration_options opts, bool want_values)
        : layout_(layout), label_(std::move(label)), opts_(opts), want_values_(want_values),
          method_(opts.method == iteration_method::next_key ? iteration_method::next_key : iteration_method::batch) {
        capacity_ = bpfxx::detail::max<std::uint32_t>(1, bpfxx::detail::min(opts.batch_size, bpfxx::detail::max<std::uint32_t>(1, layout.max_entries)));
        keys_.resize(std::size_t{capacity_} * layout_.key_size);
        values_.resize(std::size_t{capacity_} * layout_.value_bytes);
        // Batch tokens: a u32 bucket for hash maps, a key for the others.
        in_token_.resize(bpfxx::detail::max<std::size_t>(layout_.key_size, 8));
        out_token_.resize(in_token_.size());
    }

    /// Reads the first batch (once; later calls do nothing).
    void start() {
        if (started_) return;
        started_ = true;
        fill();
    }
    [[nodiscard]] bool done() const noexcept { return pos_ >= count_; }
    void advance() {
        if (++pos_ >= count_ && !finished_) fill();
    }

    [[nodiscard]] std::span<const std::byte> key() const noexcept {
        return {keys_.data() + std::size_t{pos_} * layout_.key_size, layout_.key_size};
    }
    [[nodiscard]] std::span<const std::byte> value() const noexcept {
        return {values_.data() + std::size_t{pos_} * layout_.value_bytes, layout_.value_bytes};
    }
    [[nodiscard]] const map_layout& layout() const noexcept { return layout_; }
    /// The method in use: `batch` or `next_key` (automatic resolves to one of them).
    [[nodiscard]] iteration_method method() const noexcept { return method_; }

private:
    void fill() {
        last_count_ = count_;
        pos_ = 0;
        count_ = 0;
        while (count_ == 0 && !finished_) {
            // Yielded max_entries, or read twice as many keys (most of them
            // deleted before their values could be read): the map is churning
            // faster than it can be walked, and the walk ends.
            if (fetched_ >= layout_.max_entries || read_ >= 2 * std::uint64_t{layout_.max_entries}) {
                finished_ = true;
                break;
            }
            if (method_ == iteration_method::batch) {
                if (!fill_batch()) {
                    method_ = iteration_method::next_key;
                    continue;
                }
            } else {
                fill_next_key();
            }
            const std::uint64_t room = layout_.max_entries - fetched_;
            if (count_ > room) {
                count_ = static_cast<std::uint32_t>(room);
                finished_ = true;
            }
            fetched_ += count_;
        }
    }

    void grow() {
        capacity_ = bpfxx::detail::min(capacity_ * 2, bpfxx::detail::max<std::uint32_t>(capacity_ + 1, layout_.max_entries));
        keys_.resize(std::size_t{capacity_} * layout_.key_size);
        values_.resize(std::size_t{capacity_} * layout_.value_bytes);
    }

    /// Remembers one of the first keys of the iteration (up to max_anchors):
    /// get-next-key giving one of them again means the kernel restarted.
    void add_anchor(const std::byte* key) {
        if (anchor_count_ >= max_anchors) return;
        const std::size_t ks = layout_.key_size;
        if (anchors_.empty()) {
            anchors_.resize(max_anchors * ks);
            anchor_set_.reset(max_anchors);
        }
        std::memcpy(anchors_.data() + anchor_count_ * ks, key, ks);
        if (anchor_set_.insert(anchors_.data(), anchor_count_, ks)) ++anchor_count_;
    }
    [[nodiscard]] bool is_anchor(const std::byte* key) const {
        return anchor_count_ > 0 && anchor_set_.contains(anchors_.data(), key, layout_.key_size);
    }

    /// After a batch: where get-next-key would continue, and the first keys seen.
    void note_keys() {
        if (count_ == 0) return;
        const std::size_t ks = layout_.key_size;
        for (std::uint32_t i = 0; i < count_ && anchor_count_ < max_anchors; ++i) add_anchor(keys_.data() + i * ks);
        const auto last = keys_.begin() + static_cast<std::ptrdiff_t>((count_ - 1) * ks);
        cursor_key_.assign(last, last + static_cast<std::ptrdiff_t>(ks));
        has_cursor_ = true;
    }

    /// Whether `key` is (still) in the map; true when the kernel cannot tell
    /// (maps that user space cannot read).
    [[nodiscard]] bool exists(const std::byte* key) {
        probe_.resize(bpfxx::detail::max<std::size_t>(layout_.value_bytes, 8));
        return elem_call(sys::cmd::map_lookup_elem, layout_.fd, key, probe_.data()) != ENOENT;
    }

    /// One BPF_MAP_LOOKUP_BATCH; false when the kernel cannot do it for this
    /// map and the caller should go on with get-next-key.
    bool fill_batch() {
        for (;;) {
            sys::map_batch_attr attr{};
            attr.in_batch = has_token_ ? sys::ptr(in_token_.data()) : 0;
            attr.out_batch = sys::ptr(out_token_.data());
            attr.keys = sys::ptr(keys_.data());
            attr.values = sys::ptr(values_.data());
            attr.count = capacity_;
            attr.map_fd = static_cast<std::uint32_t>(layout_.fd);
            if (sys::call(sys::cmd::map_lookup_batch, attr) == 0) {
                count_ = attr.count;
                if (count_ == 0) finished_ = true; // no progress: end rather than spin
                in_token_.swap(out_token_);
                has_token_ = true;
                break;
            }
            const int err = errno;
            if (err == ENOENT) { // the last batch
                count_ = attr.count;
                finished_ = true;
                break;
            }
            if (err == ENOSPC && attr.count == 0 && capacity_ < layout_.max_entries) {
                grow(); // a hash bucket holds more entries than fit
                continue;
            }
            if (opts_.method == iteration_method::automatic) {
                if (err == EINTR) {
                    // The kernel's generic batch stops at an element that
                    // vanished under it; what it copied before is good.
                    count_ = attr.count;
                    method_ = iteration_method::next_key;
                    note_keys();
                    return count_ > 0;
                }
                if (!has_token_ && (err == EINVAL || err == enotsupp || err == EOPNOTSUPP)) return false;
            }
            throw error(err, "BPF_MAP_LOOKUP_BATCH", label_, explain_errno(err, {}));
        }
        note_keys();
        return true;
    }

    /// Where to go on after the kernel lost its place: the latest key read
    /// (of this batch's first `n`, then of the recent ones) that is still in
    /// the map, copied to step_. False if none is. Within one loss of place
    /// each call starts below the key the previous call chose: a key read
    /// after an unnoticed restart sits at the start of the map, and going on
    /// from it would only lead back to keys already read.
    bool find_resume_point(std::uint32_t n, std::size_t limit = std::numeric_limits<std::size_t>::max()) {
        const std::size_t ks = layout_.key_size;
        const std::size_t recent = recent_.size() / ks;
        const std::size_t end = bpfxx::detail::min(n + recent, tried_ + bpfxx::detail::min(limit, n + recent));
        for (std::size_t c = tried_; c < end; ++c) {
            const std::byte* key = c < n ? keys_.data() + (n - 1 - c) * ks : recent_.data() + (recent - 1 - (c - n)) * ks;
            if (exists(key)) {
                tried_ = c + 1;
                step_.assign(key, key + ks);
                return true;
            }
        }
        tried_ = end;
        return false;
    }

    /// Adds the previous batch (still in keys_) to the recent keys, which
    /// keep the last max(batch size, min_recent) keys read.
    void remember_previous_batch() {
        const std::size_t ks = layout_.key_size;
        recent_.append(keys_.data(), keys_.data() + std::size_t{last_count_} * ks);
        const std::size_t keep = bpfxx::detail::max<std::size_t>(capacity_, min_recent) * ks;
        if (recent_.size() > keep) recent_.erase(recent_.begin(), recent_.end() - static_cast<std::ptrdiff_t>(keep));
        const auto count = static_cast<std::uint32_t>(recent_.size() / ks);
        recent_set_.reset(count);
        for (std::uint32_t j = 0; j < count; ++j) recent_set_.insert(recent_.data(), j, ks);
    }

    void fill_next_key() {
        const std::size_t ks = layout_.key_size;
        if (ks == 0) { // keyless maps (queue, stack …): let the kernel say what it thinks of this
            std::byte none[8] = {};
            const int err = elem_call(sys::cmd::map_get_next_key, layout_.fd, nullptr, none);
            if (err != 0 && err != ENOENT) throw error(err, "BPF_MAP_GET_NEXT_KEY", label_, explain_errno(err, {}));
            finished_ = true;
            return;
        }
        remember_previous_batch();
        seen_.reset(capacity_);

        // When the key get-next-key continues from has been deleted, the
        // kernel restarts from the first key of the map. Instead, bpfxx goes
        // on from the latest key of this batch or of the recent ones that is
        // still there, passing over the keys it has already read.
        std::uint32_t n = 0;
        const std::byte* prev = has_cursor_ ? cursor_key_.data() : nullptr;
        bool passing_over = false;
        // Checked before asking the kernel, a few keys back only: when a
        // caller deletes what it has read, none will be left, and the
        // kernel's restart is then just right.
        tried_ = 0;
        if (prev != nullptr && last_count_ > 0 && !exists(prev) && find_resume_point(0, 4)) {
            prev = step_.data();
            passing_over = true;
        }
        std::uint32_t resumes = 0;
        std::uint64_t passed = 0;
        while (n < capacity_) {
            std::byte* slot = keys_.data() + n * ks;
            const int err = elem_call(sys::cmd::map_get_next_key, layout_.fd, prev, slot);
            if (err == ENOENT) {
                finished_ = true;
                break;
            }
            if (err != 0) throw error(err, "BPF_MAP_GET_NEXT_KEY", label_, explain_errno(err, {}));
            const bool known =
                seen_.contains(keys_.data(), slot, ks) || recent_set_.contains(recent_.data(), slot, ks);
            if (passing_over && known && ++passed <= layout_.max_entries) {
                step_.assign(slot, slot + ks);
                prev = step_.data();
                continue;
            }
            passing_over = false;
            // A key read before, or one of the iteration's first keys: the
            // kernel restarted. Go on from a surviving key, or end here.
            if (known || is_anchor(slot)) {
                if (++resumes <= max_resumes && find_resume_point(n)) {
                    prev = step_.data();
                    passing_over = true;
                    continue;
                }
                finished_ = true;
                break;
            }
            seen_.insert(keys_.data(), n, ks);
            add_anchor(slot);
            tried_ = 0; // progress: the next loss of place searches from the newest key again
            prev = slot;
            ++n;
        }
        count_ = n;
        read_ += n;
        note_keys();
        if (!want_values_) return;
        std::uint32_t kept = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::byte* key = keys_.data() + i * ks;
            const int err = elem_call(sys::cmd::map_lookup_elem, layout_.fd, key,
                                      values_.data() + std::size_t{kept} * layout_.value_bytes);
            if (err == ENOENT) continue; // deleted since get-next-key
            if (err != 0) throw error(err, "BPF_MAP_LOOKUP_ELEM", label_, explain_errno(err, {}));
            if (kept != i) std::memmove(keys_.data() + kept * ks, key, ks);
            ++kept;
        }
        count_ = kept;
    }

    map_layout layout_{};
    std::string label_;
    iteration_options opts_{};
    bool want_values_ = true;
    iteration_method method_ = iteration_method::batch;

    std::uint32_t capacity_ = 0;
    bpfxx::detail::buffer<std::byte> keys_;
    bpfxx::detail::buffer<std::byte> values_;
    std::uint32_t count_ = 0; ///< entries in the buffers
    std::uint32_t last_count_ = 0; ///< entries of the previous batch (still in keys_ while filling)
    std::uint32_t pos_ = 0;   ///< the current one
    std::uint64_t fetched_ = 0; ///< entries yielded or buffered
    std::uint64_t read_ = 0;    ///< keys read by get-next-key
    bool started_ = false;
    bool finished_ = false; ///< no more batches to read

    bpfxx::detail::buffer<std::byte> in_token_, out_token_;
    bool has_token_ = false;

    static constexpr std::uint32_t max_anchors = 32;
    static constexpr std::uint32_t max_resumes = 64; ///< per batch; then the iteration ends
    std::size_t tried_ = 0; ///< resume candidates used up since the last progress
    bpfxx::detail::buffer<std::byte> cursor_key_;
    bool has_cursor_ = false;
    bpfxx::detail::buffer<std::byte> anchors_;
    std::uint32_t anchor_count_ = 0;
    batch_key_set anchor_set_;
    batch_key_set seen_;
    static constexpr std::size_t min_recent = 256;
    bpfxx::detail::buffer<std::byte> recent_, step_, probe_;
    batch_key_set recent_set_;
};

/// A map's value as user space sees it: one value, or one per possible CPU
/// (the kernel lays those out 8 bytes apart).
template <class V, bool PerCpu>
using element_t = std::conditional_t<PerCpu, std::vector<V>, V>;

template <class V, bool PerCpu>
[[nodiscard]] element_t<V, PerCpu> element_from_bytes(const std::byte* p, std::uint32_t cpus) {
    if constexpr (PerCpu) {
        std::vector<V> values;
        values.reserve(cpus);
        for (std::uint32_t cpu = 0; cpu < cpus; ++cpu) values.push_back(from_bytes<V>(p + cpu * round_up8(sizeof(V))));
        return values;
    } else {
        (void)cpus;
        return from_bytes<V>(p);
    }
}

template <class K>
struct key_projection {
    using value_type = K;
    value_type operator()(const map_cursor& c) const { return from_bytes<K>(c.key().data()); }
};
template <class V, bool PerCpu>
struct value_projection {
    using value_type = element_t<V, PerCpu>;
    value_type operator()(const map_cursor& c) const {
        return element_from_bytes<V, PerCpu>(c.value().data(), c.layout().cpus);
    }
};
template <class K, class V, bool PerCpu>
struct item_projection {
    using value_type = std::pair<K, element_t<V, PerCpu>>;
    value_type operator()(const map_cursor& c) const {
        return {from_bytes<K>(c.key().data()), element_from_bytes<V, PerCpu>(c.value().data(), c.layout().cpus)};
    }
};
struct raw_key_projection {
    using value_type = std::span<const std::byte>;
    value_type operator()(const map_cursor& c) const { return c.key(); }
};
struct raw_item_projection {
    using value_type = raw_entry;
    value_type operator()(const map_cursor& c) const { return {c.key(), c.value()}; }
};

/// An input range over a map's entries, each made by `Proj` from the
/// cursor. Owns its buffers; the map handle must outlive it.
template <class Proj>
class map_range : public std::ranges::view_base
#if __has_include(<range/v3/range_fwd.hpp>)
    , public ranges::view_base
#endif
{
public:
    class iterator {
    public:
        using value_type = typename Proj::value_type;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;
        using iterator_category = std::input_iterator_tag;

        iterator() = default;
        value_type operator*() const { return Proj{}(range_->cursor_); }
        iterator& operator++() {
            range_->cursor_.advance();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.at_end(); }

    private:
        [[nodiscard]] bool at_end() const noexcept { return range_->cursor_.done(); }
        friend class map_range;
        explicit iterator(map_range* r) noexcept : range_(r) {}
        map_range* range_ = nullptr;
    };

    map_range() = default;
    explicit map_range(map_cursor cursor) : cursor_(std::move(cursor)) {}

    /// Reads the first batch. A second call continues where the first
    /// iteration stopped (an input range is single-pass).
    iterator begin() {
        cursor_.start();
        return iterator(this);
    }
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    /// The method the iteration uses (known after begin()).
    [[nodiscard]] iteration_method method() const noexcept { return cursor_.method(); }

private:
    map_cursor cursor_;
};

} // namespace detail
} // namespace bpfxx
