#pragma once
// `perf_buffer`: the reader of a perf_event_array map that programs write
// with bpf_perf_event_output. One perf ring per CPU (a PERF_COUNT_SW_BPF_OUTPUT
// event, mmapped, its fd stored in the map at the CPU's index), epoll over
// all of them, samples handed over in place (copied only when a sample
// wraps around the end of its ring), and lost samples reported by count.
// The kernel pads each sample so that it ends 8-byte aligned: a sample of
// 16 bytes arrives as 20, the program's bytes first. Lost samples are
// reported when the ring has room again, before the next sample.
//
//     bpfxx::events::perf_buffer pb(events, [](int cpu, std::span<const std::byte> s) { ... },
//                                   [](int cpu, std::uint64_t lost) { ... });
//     while (running) pb.poll(std::chrono::milliseconds(100));

#include <bpfxx/events/epoll.hpp>
#include <bpfxx/events/ring.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/callback.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <linux/perf_event.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx::events {

struct perf_buffer_options {
    /// Data pages of each CPU's ring: a power of two.
    std::uint32_t pages_per_cpu = 8;
    /// Wake the reader after this many samples (1: every sample).
    std::uint32_t wakeup_events = 1;
};

class perf_buffer {
public:
    using sample_callback = callback<void(int cpu, std::span<const std::byte> sample)>;
    using lost_callback = callback<void(int cpu, std::uint64_t lost)>;

    /// Opens a ring per CPU for the perf_event_array map `m` (any handle with
    /// fd() and max_entries()) and stores their fds in it.
    template <class Map>
    perf_buffer(const Map& m, sample_callback on_sample, lost_callback on_lost = {},
                const perf_buffer_options& o = {})
        : perf_buffer(m.fd(), m.max_entries(), std::move(on_sample), std::move(on_lost), o) {}

    perf_buffer(int map_fd, std::uint32_t max_entries, sample_callback on_sample, lost_callback on_lost = {},
                const perf_buffer_options& o = {})
        : epoll_(::epoll_create1(EPOLL_CLOEXEC)), map_fd_(map_fd), on_sample_(std::move(on_sample)),
          on_lost_(std::move(on_lost)) {
        if (!epoll_) bpfxx::detail::throw_errno("epoll_create1");
        if (o.pages_per_cpu == 0 || (o.pages_per_cpu & (o.pages_per_cpu - 1)) != 0)
            throw error(EINVAL, "perf_buffer", "map fd " + std::to_string(map_fd),
                        "pages_per_cpu must be a power of two");
        (void)detail::require_map_type(map_fd, map_type::perf_event_array, "perf_buffer");
        page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        data_size_ = page_ * o.pages_per_cpu;
        const auto online = sys::online_cpus();
        for (std::uint32_t cpu = 0; cpu < max_entries && cpu < online.size(); ++cpu)
            if (online[cpu]) open_cpu(static_cast<int>(cpu), o);
        if (rings_.empty())
            throw error(ENODEV, "perf_buffer", "map fd " + std::to_string(map_fd), "no online CPU within max_entries");
    }

    perf_buffer(perf_buffer&&) noexcept = default;
    perf_buffer& operator=(perf_buffer&&) noexcept = default;
    perf_buffer(const perf_buffer&) = delete;
    perf_buffer& operator=(const perf_buffer&) = delete;
    ~perf_buffer() = default;

    /// Waits up to `timeout` (negative: for ever) for samples on any CPU,
    /// then reads every ring that has some. Returns the samples read.
    std::size_t poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) {
        return detail::wait_and_read(
            epoll_.get(), events_, rings_.size(), timeout, "perf buffer",
            [this](std::uint32_t i) { return read_ring(rings_[i]); }, [this] { return consume(); });
    }

    /// Reads every ring without waiting. Returns the samples read.
    std::size_t consume() {
        std::size_t total = 0;
        for (auto& r : rings_) total += read_ring(r);
        return total;
    }

    /// One sample, as the range hands it over.
    struct sample {
        int cpu;
        std::span<const std::byte> data;
    };

    /// The samples ready now on every CPU, as an input range of `sample`,
    /// CPU by CPU; a sample's space goes back to the kernel when the
    /// iterator moves past it. (The sample callback is not called for them.)
    class sample_range {
    public:
        struct sentinel {};
        class iterator {
        public:
            using value_type = sample;
            using difference_type = std::ptrdiff_t;
            using iterator_concept = std::input_iterator_tag;
            iterator() = default;
            explicit iterator(perf_buffer* b) : buf_(b) { fetch(); }
            [[nodiscard]] sample operator*() const { return {buf_->rings_[ring_].cpu, current_}; }
            iterator& operator++() {
                release(buf_->rings_[ring_], tail_);
                fetch();
                return *this;
            }
            void operator++(int) { ++*this; }
            friend bool operator==(const iterator& it, sentinel) noexcept { return it.buf_ == nullptr; }

        private:
            void fetch() {
                for (; ring_ < buf_->rings_.size(); ++ring_)
                    if (buf_->next_sample(buf_->rings_[ring_], current_, tail_)) return;
                buf_ = nullptr;
            }
            perf_buffer* buf_ = nullptr;
            std::size_t ring_ = 0;
            std::span<const std::byte> current_{};
            std::uint64_t tail_ = 0;
        };
        explicit sample_range(perf_buffer& b) noexcept : buf_(&b) {}
        [[nodiscard]] iterator begin() { return iterator(buf_); }
        [[nodiscard]] sentinel end() const noexcept { return {}; }

    private:
        perf_buffer* buf_;
    };
    [[nodiscard]] sample_range samples() noexcept { return sample_range(*this); }

    /// A sample callback that hands `f(cpu, const T&)` a copy of the
    /// sample's first sizeof(T) bytes (perf samples are only 4-byte aligned,
    /// so they are not viewed in place); shorter samples throw EMSGSIZE.
    template <class T, class F>
    [[nodiscard]] static sample_callback typed(F f) {
        return [f = std::move(f)](int cpu, std::span<const std::byte> s) mutable {
            detail::require_record_of<T>(s, "perf buffer sample"); // (and T trivially copyable)
            T v;
            std::memcpy(&v, s.data(), sizeof v);
            f(cpu, static_cast<const T&>(v));
        };
    }

    /// Samples the kernel could not store (rings full) since construction.
    [[nodiscard]] std::uint64_t lost() const noexcept { return lost_; }
    /// CPUs with a ring.
    [[nodiscard]] std::size_t cpus() const noexcept { return rings_.size(); }
    [[nodiscard]] int epoll_fd() const noexcept { return epoll_.get(); }

private:
    struct cpu_ring {
        int cpu = -1;
        unique_fd event;
        std::byte* base = nullptr; ///< the metadata page, then the data pages
        std::size_t length = 0;

        cpu_ring() = default;
        cpu_ring(cpu_ring&& o) noexcept
            : cpu(o.cpu), event(std::move(o.event)), base(std::exchange(o.base, nullptr)), length(o.length) {}
        cpu_ring& operator=(cpu_ring&& o) noexcept {
            if (this != &o) {
                unmap();
                cpu = o.cpu;
                event = std::move(o.event);
                base = std::exchange(o.base, nullptr);
                length = o.length;
            }
            return *this;
        }
        ~cpu_ring() { unmap(); }
        void unmap() noexcept {
            if (base != nullptr) ::munmap(base, length);
            base = nullptr;
        }
    };

    void open_cpu(int cpu, const perf_buffer_options& o) {
        perf_event_attr attr{};
        attr.type = PERF_TYPE_SOFTWARE;
        attr.config = PERF_COUNT_SW_BPF_OUTPUT;
        attr.sample_type = PERF_SAMPLE_RAW;
        attr.sample_period = 1;
        attr.wakeup_events = o.wakeup_events == 0 ? 1 : o.wakeup_events;
        const std::string what = "bpf output of cpu " + std::to_string(cpu);
        cpu_ring r;
        r.cpu = cpu;
        r.event = sys::perf_event_open(attr, -1, cpu, what);
        r.length = page_ + data_size_;
        void* p = ::mmap(nullptr, r.length, PROT_READ | PROT_WRITE, MAP_SHARED, r.event.get(), 0);
        if (p == MAP_FAILED) bpfxx::detail::throw_errno("mmap", what);
        r.base = static_cast<std::byte*>(p);
        if (::ioctl(r.event.get(), PERF_EVENT_IOC_ENABLE, 0) != 0) bpfxx::detail::throw_errno("PERF_EVENT_IOC_ENABLE", what);
        std::uint32_t key = static_cast<std::uint32_t>(cpu);
        std::uint32_t value = static_cast<std::uint32_t>(r.event.get());
        sys::map_elem_attr a{};
        a.map_fd = static_cast<std::uint32_t>(map_fd_);
        a.key = sys::ptr(&key);
        a.value = sys::ptr(&value);
        sys::call_ok(sys::cmd::map_update_elem, a, "BPF_MAP_UPDATE_ELEM", "perf_event_array fd " + std::to_string(map_fd_));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<std::uint32_t>(rings_.size());
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, r.event.get(), &ev) != 0)
            bpfxx::detail::throw_errno("epoll_ctl(EPOLL_CTL_ADD)", what);
        rings_.push_back(std::move(r));
    }

    /// The next sample of ring `r` (lost-sample records on the way are
    /// counted, reported and handed back); false when the ring is empty.
    /// `tail` is where the ring's reader goes once the sample is done with.
    [[nodiscard]] bool next_sample(cpu_ring& r, std::span<const std::byte>& out, std::uint64_t& tail) {
        auto* meta = reinterpret_cast<perf_event_mmap_page*>(r.base);
        const std::byte* data = r.base + page_;
        using u64 = decltype(meta->data_head);
        const std::uint64_t head = std::atomic_ref<u64>(meta->data_head).load(std::memory_order_acquire);
        tail = meta->data_tail;
        while (tail < head) {
            const std::size_t at = static_cast<std::size_t>(tail % data_size_);
            perf_event_header h{};
            copy_out(data, at, &h, sizeof h);
            if (h.size < sizeof h) return false; // cannot happen with a sane kernel: stop rather than spin
            const std::byte* rec = data + at;
            if (at + h.size > data_size_) { // wraps: gather it
                scratch_.resize(h.size);
                copy_out(data, at, scratch_.data(), h.size);
                rec = scratch_.data();
            }
            tail += h.size;
            if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof h + 4) {
                std::uint32_t n = 0;
                std::memcpy(&n, rec + sizeof h, 4);
                if (n > h.size - sizeof h - 4) n = static_cast<std::uint32_t>(h.size - sizeof h - 4);
                out = std::span<const std::byte>(rec + sizeof h + 4, n);
                return true;
            }
            if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
                std::uint64_t lost = 0;
                std::memcpy(&lost, rec + sizeof h + 8, 8);
                lost_ += lost;
                if (on_lost_) on_lost_(r.cpu, lost);
            }
            release(r, tail);
        }
        return false;
    }

    /// Hands the ring's space up to `tail` back to the kernel.
    static void release(cpu_ring& r, std::uint64_t tail) noexcept {
        auto* meta = reinterpret_cast<perf_event_mmap_page*>(r.base);
        std::atomic_ref<decltype(meta->data_tail)>(meta->data_tail).store(tail, std::memory_order_release);
    }

    std::size_t read_ring(cpu_ring& r) {
        std::size_t samples = 0;
        std::span<const std::byte> s;
        std::uint64_t tail = 0;
        while (next_sample(r, s, tail)) {
            ++samples;
            if (on_sample_) on_sample_(r.cpu, s);
            release(r, tail);
        }
        return samples;
    }

    /// `n` bytes from offset `at` of the ring, across its end.
    void copy_out(const std::byte* data, std::size_t at, void* out, std::size_t n) const noexcept {
        const std::size_t first = n < data_size_ - at ? n : data_size_ - at;
        std::memcpy(out, data + at, first);
        std::memcpy(static_cast<std::byte*>(out) + first, data, n - first);
    }

    unique_fd epoll_;
    int map_fd_ = -1;
    sample_callback on_sample_;
    lost_callback on_lost_;
    std::size_t page_ = 0;
    std::size_t data_size_ = 0;
    std::vector<cpu_ring> rings_;
    std::vector<epoll_event> events_;
    std::vector<std::byte> scratch_;
    std::uint64_t lost_ = 0;
};

} // namespace bpfxx::events
