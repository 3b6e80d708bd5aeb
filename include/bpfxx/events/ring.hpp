#pragma once
// `ring`: one BPF ring buffer (BPF_MAP_TYPE_RINGBUF) mapped into this process,
// read in place. The kernel's layout (kernel/bpf/ringbuf.c):
//
//   offset 0          consumer page: consumer_pos (u64), ours to write
//   offset page       producer page: producer_pos (u64), read-only to us
//   offset 2 * page   data, max_entries bytes, mapped twice in a row so that
//                     a record that wraps around the end is contiguous
//
// Each record starts with an 8-byte header: u32 length with two flag bits
// (busy: still being written; discard: dropped by the program), u32 page
// offset for the kernel. Records are 8-byte aligned.
//
//     bpfxx::events::ring r(events_map);           // any handle with fd() and max_entries()
//     r.consume([](std::span<const std::byte> rec) { ... });
//     for (const auto& e : r.records<exec_event>()) { ... }   // a range, consumed as it advances

#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/maps/descriptors.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace bpfxx::events {

namespace detail {

inline constexpr std::uint32_t busy_bit = 1u << 31;    // BPF_RINGBUF_BUSY_BIT
inline constexpr std::uint32_t discard_bit = 1u << 30; // BPF_RINGBUF_DISCARD_BIT
inline constexpr std::uint32_t header_size = 8;        // BPF_RINGBUF_HDR_SZ

[[nodiscard]] inline std::uint64_t load_acquire(const void* p) noexcept {
    // The producer page is mapped read-only; an acquire load only reads.
    return std::atomic_ref<std::uint64_t>(*static_cast<std::uint64_t*>(const_cast<void*>(p)))
        .load(std::memory_order_acquire);
}
[[nodiscard]] inline std::uint32_t load_acquire32(const void* p) noexcept {
    return std::atomic_ref<std::uint32_t>(*static_cast<std::uint32_t*>(const_cast<void*>(p)))
        .load(std::memory_order_acquire);
}

/// What a record callback may return: nothing (go on), or bool (false: stop
/// after this record).
template <class F, class Arg>
[[nodiscard]] bool call_record(F& f, Arg&& a) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, Arg>>) {
        f(std::forward<Arg>(a));
        return true;
    } else {
        return static_cast<bool>(f(std::forward<Arg>(a)));
    }
}

/// Throws EMSGSIZE unless `rec` (a `what`) holds a T.
template <class T>
void require_record_of(std::span<const std::byte> rec, const char* what) {
    static_assert(std::is_trivially_copyable_v<T>, "bpfxx::events: a record type must be trivially copyable");
    if (rec.size() < sizeof(T))
        throw error(EMSGSIZE, what, {},
                    std::to_string(rec.size()) + " bytes are too few for a record type of " +
                        std::to_string(sizeof(T)));
}

/// The kernel's description of map `fd`, which must be a map of type `want`
/// (EINVAL naming the type it is: a reader of the wrong type of map would
/// read its values as records).
inline sys::map_info require_map_type(int fd, map_type want, const char* op) {
    const std::string what = "map fd " + std::to_string(fd);
    const auto info = sys::info_of<sys::map_info>(fd, op, what);
    if (info.type != static_cast<std::uint32_t>(want))
        throw error(EINVAL, op, what,
                    "the map's type is " + std::string(map_type_name(static_cast<map_type>(info.type))) + ", not " +
                        std::string(map_type_name(want)));
    return info;
}

/// A record's bytes as `const T&`, checked: records are 8-byte aligned, so
/// any T of alignment up to 8 may be viewed in place.
template <class T>
[[nodiscard]] const T& view_as(std::span<const std::byte> rec) {
    static_assert(alignof(T) <= 8, "bpfxx::events: records are 8-byte aligned; a record type may not need more");
    require_record_of<T>(rec, "ring buffer record");
    return *std::launder(reinterpret_cast<const T*>(rec.data()));
}

} // namespace detail

/// One ring buffer, mapped. Move-only; unmaps on destruction. It does not
/// own the map's fd (the map handle does), but the mapping keeps the map
/// alive in the kernel even after that fd is closed.
class ring {
public:
    ring() noexcept = default;

    /// Maps the ring buffer map `map_fd`. Any other kind of map, or object, is
    /// refused (EINVAL), as is an empty fd (EBADF).
    explicit ring(int map_fd) : fd_(map_fd) {
        const auto info = detail::require_map_type(map_fd, map_type::ringbuf, "ring buffer");
        size_ = info.max_entries;
        mask_ = size_ - 1;
        if (size_ == 0 || (size_ & (size_ - 1)) != 0) // the kernel allows no other; a reader relies on it
            throw error(EINVAL, "ring buffer", "map fd " + std::to_string(map_fd),
                        "max_entries " + std::to_string(size_) + " is not a power of two");
        page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        const std::uint32_t size = size_;
        void* c = ::mmap(nullptr, page_, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
        if (c == MAP_FAILED) detail_throw("mmap consumer page");
        void* p = ::mmap(nullptr, page_ + 2 * std::size_t{size}, PROT_READ, MAP_SHARED, map_fd,
                         static_cast<off_t>(page_));
        if (p == MAP_FAILED) {
            const int err = errno;
            ::munmap(c, page_);
            errno = err;
            detail_throw("mmap producer pages");
        }
        consumer_ = static_cast<std::byte*>(c);
        producer_ = static_cast<const std::byte*>(p);
        data_ = producer_ + page_;
    }

    /// Maps the ring buffer behind a map handle (`map<ringbuf<N>>`, `raw_map` …).
    template <class Map>
        requires requires(const Map& m) {
            { m.fd() } -> std::convertible_to<int>;
        }
    explicit ring(const Map& m) : ring(static_cast<int>(m.fd())) {}

    ring(ring&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)), size_(o.size_), mask_(o.mask_), page_(o.page_),
          consumer_(std::exchange(o.consumer_, nullptr)), producer_(std::exchange(o.producer_, nullptr)),
          data_(std::exchange(o.data_, nullptr)) {}
    ring& operator=(ring&& o) noexcept {
        if (this != &o) {
            unmap();
            fd_ = std::exchange(o.fd_, -1);
            size_ = o.size_;
            mask_ = o.mask_;
            page_ = o.page_;
            consumer_ = std::exchange(o.consumer_, nullptr);
            producer_ = std::exchange(o.producer_, nullptr);
            data_ = std::exchange(o.data_, nullptr);
        }
        return *this;
    }
    ring(const ring&) = delete;
    ring& operator=(const ring&) = delete;
    ~ring() { unmap(); }

    /// Whether it maps a ring (not default-constructed or moved from); the
    /// operations below throw EBADF when it does not.
    [[nodiscard]] explicit operator bool() const noexcept { return consumer_ != nullptr; }
    /// The map's fd (not owned): what to poll for readiness.
    [[nodiscard]] int fd() const noexcept { return fd_; }
    /// Data bytes of the ring (the map's max_entries).
    [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
    /// Bytes written by programs and not yet consumed (headers included).
    [[nodiscard]] std::uint64_t pending_bytes() const {
        require_mapped("pending_bytes");
        return detail::load_acquire(producer_) - consumer_pos();
    }

    /// Calls `f(std::span<const std::byte>)` for every record ready now, in
    /// order, skipping discarded ones; each record's space goes back to the
    /// kernel once `f` returns. `f` may return bool: false stops after that
    /// record. Returns how many records `f` saw.
    template <class F>
    std::size_t consume(F&& f) {
        require_mapped("consume");
        std::size_t n = 0;
        std::span<const std::byte> rec;
        std::uint64_t next = 0;
        while (peek(rec, next)) {
            ++n;
            const bool go_on = detail::call_record(f, rec);
            set_consumer_pos(next);
            if (!go_on) break;
        }
        return n;
    }

    /// As consume(f), with each record viewed as `const T&` (a record shorter
    /// than T throws `bpfxx::error` with EMSGSIZE, leaving it unconsumed).
    template <class T, class F>
    std::size_t consume_as(F&& f) {
        return consume([&](std::span<const std::byte> rec) {
            const T& v = detail::view_as<T>(rec);
            return detail::call_record(f, v);
        });
    }

    /// The records ready now as an input range of `std::span<const std::byte>`
    /// (or `const T&` with records<T>()). A record is handed back to the
    /// kernel when the iterator moves past it, so the one in hand stays valid.
    template <class T = void>
    class record_range;
    template <class T = void>
    [[nodiscard]] record_range<T> records() {
        require_mapped("records");
        return record_range<T>(*this);
    }

private:
    void require_mapped(const char* op) const {
        if (consumer_ == nullptr)
            throw error(EBADF, op, "ring buffer", "the reader is empty (default-constructed or moved from)");
    }
    [[noreturn]] void detail_throw(const char* op) const {
        bpfxx::detail::throw_errno(op, "ring buffer fd " + std::to_string(fd_));
    }
    [[nodiscard]] static constexpr std::uint64_t round_up8(std::uint64_t v) noexcept { return (v + 7) & ~std::uint64_t{7}; }
    [[nodiscard]] std::uint64_t consumer_pos() const noexcept {
        return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(consumer_))
            .load(std::memory_order_relaxed);
    }
    void set_consumer_pos(std::uint64_t v) noexcept {
        // release: the kernel may reuse the space once it sees the new position
        std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(consumer_))
            .store(v, std::memory_order_release);
    }
    void unmap() noexcept {
        if (consumer_ != nullptr) ::munmap(consumer_, page_);
        if (producer_ != nullptr) ::munmap(const_cast<std::byte*>(producer_), page_ + 2 * std::size_t{size_});
        consumer_ = nullptr;
        producer_ = nullptr;
        data_ = nullptr;
    }

    /// The next submitted record at or after the consumer position (skipping
    /// and handing back discarded ones), or an empty span at the end. A
    /// record that does not fit in the ring, or runs past what the producer
    /// has written, is refused (EPROTO): its bytes would lie outside the mapping.
    [[nodiscard]] bool peek(std::span<const std::byte>& out, std::uint64_t& next) {
        std::uint64_t cons = consumer_pos();
        for (;;) {
            const std::uint64_t prod = detail::load_acquire(producer_);
            if (cons >= prod) return false;
            const std::byte* hdr = data_ + (cons & mask_);
            const std::uint32_t len = detail::load_acquire32(hdr);
            if (len & detail::busy_bit) return false;
            const std::uint32_t bytes = len & ~(detail::busy_bit | detail::discard_bit);
            next = cons + round_up8(std::uint64_t{bytes} + detail::header_size);
            if (std::uint64_t{bytes} + detail::header_size > size_ || next > prod)
                throw error(EPROTO, "ring buffer", "map fd " + std::to_string(fd_),
                            "a record of " + std::to_string(bytes) + " bytes at position " + std::to_string(cons) +
                                " does not fit in a ring of " + std::to_string(size_) + " bytes written up to " +
                                std::to_string(prod));
            if (!(len & detail::discard_bit)) {
                out = std::span<const std::byte>(hdr + detail::header_size, bytes);
                return true;
            }
            cons = next;
            set_consumer_pos(cons);
        }
    }

    int fd_ = -1;
    std::uint32_t size_ = 0;
    std::uint64_t mask_ = 0;
    std::size_t page_ = 0;
    std::byte* consumer_ = nullptr;
    const std::byte* producer_ = nullptr;
    const std::byte* data_ = nullptr;
};

template <class T>
class ring::record_range {
public:
    using value_type = std::conditional_t<std::is_void_v<T>, std::span<const std::byte>, T>;
    using reference = std::conditional_t<std::is_void_v<T>, std::span<const std::byte>, const value_type&>;

    struct sentinel {};
    class iterator {
    public:
        using value_type = record_range::value_type;
        using reference = record_range::reference;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;

        iterator() = default;
        explicit iterator(ring* r) : ring_(r) { fetch(); }
        iterator(iterator&&) noexcept = default;
        iterator& operator=(iterator&&) noexcept = default;

        [[nodiscard]] reference operator*() const {
            if constexpr (std::is_void_v<T>) return current_;
            else return detail::view_as<T>(current_);
        }
        iterator& operator++() {
            ring_->set_consumer_pos(next_); // the record in hand goes back to the kernel
            fetch();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, sentinel) noexcept { return !it.valid_; }

    private:
        void fetch() { valid_ = ring_ != nullptr && ring_->peek(current_, next_); }

        ring* ring_ = nullptr;
        std::span<const std::byte> current_{};
        std::uint64_t next_ = 0;
        bool valid_ = false;
    };

    explicit record_range(ring& r) noexcept : ring_(&r) {}
    [[nodiscard]] iterator begin() { return iterator(ring_); }
    [[nodiscard]] sentinel end() const noexcept { return {}; }

private:
    ring* ring_;
};

} // namespace bpfxx::events
