// Ring buffers against the kernel: an XDP program driven by test_run with
// `repeat` writes numbered records; the readers must see exactly those, in
// order, with their contents — through the callback, the typed range, and
// the epoll reader over several rings.
#include <bpfxx/bpfxx.hpp>

#include "../common/fds.hpp"

#include <doctest/doctest.h>

#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sched.h>

#include <array>
#include <string_view>
#include <cstring>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

using namespace bpfxx::ops;

namespace {

struct record {
    std::uint64_t seq;
    std::uint64_t tag;
};

using seq_counter = bpfxx::array_map<std::uint32_t, std::uint64_t, 1>;
using events_a = bpfxx::ringbuf<1u << 16>;
using events_b = bpfxx::ringbuf<1u << 14>;

/// Every run: seq = counter++ (atomically), then a record {seq, Tag} to ring R,
/// submitted with `flags` (0: wake the reader as the kernel sees fit).
template <class R, std::int32_t Tag, std::int32_t Bytes = 16>
constexpr auto numbered_records = bpfxx::assemble(
    st<std::uint32_t>(r10, -4, 0),
    mov(r2, r10), add(r2, -4),
    ld_map<seq_counter>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),
    mov(r1, 1),
    atomic_fetch_add<std::uint64_t>(r0, 0, r1),    // r1 = the old value
    stx<std::uint64_t>(r10, -24, r1),
    mov(r2, Tag), stx<std::uint64_t>(r10, -16, r2),
    ld_map<R>(r1),
    mov(r2, r10), add(r2, -24),
    mov(r3, Bytes),
    mov(r4, 0),
    call(helper::ringbuf_output),
    "out"_label,
    mov(r0, 2),
    exit());

const std::array<std::uint8_t, 64> frame{};

void drive(const bpfxx::prog& p, std::uint32_t runs) {
    const auto r = bpfxx::test_run(p, {.data = std::as_bytes(std::span(frame)), .repeat = runs});
    REQUIRE(r.retval == 2);
}

using bpfxx_test::open_fds;

} // namespace

TEST_CASE("ring: a program's records arrive exactly once, in order, with their contents") {
    auto seq = seq_counter::create();
    auto rb = events_a::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_a, 7>, seq, rb);
    bpfxx::events::ring ring(rb);
    CHECK(ring.size() == (1u << 16));
    CHECK(ring.pending_bytes() == 0);
    CHECK(ring.consume([](std::span<const std::byte>) { FAIL("no record yet"); }) == 0);

    constexpr std::uint32_t n = 1000; // 24 bytes each: 24,000 of 65,536
    drive(p, n);
    CHECK(ring.pending_bytes() == n * 24);
    std::uint64_t expect = 0;
    const auto got = ring.consume_as<record>([&](const record& r) {
        CHECK(r.seq == expect);
        CHECK(r.tag == 7);
        ++expect;
    });
    CHECK(got == n);
    CHECK(expect == n);
    CHECK(ring.pending_bytes() == 0);
    CHECK(ring.consume([](std::span<const std::byte>) {}) == 0);
}

TEST_CASE("ring: records as a range; the space of consumed records is reused across the wrap") {
    auto seq = seq_counter::create();
    auto rb = events_b::create(); // 16 KiB: 682 records fill it
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_b, 9>, seq, rb);
    bpfxx::events::ring ring(rb);
    std::uint64_t expect = 0;
    for (int round = 0; round < 20; ++round) { // 20 * 500 * 24 bytes: the ring wraps 14 times
        drive(p, 500);
        std::size_t in_round = 0;
        for (const record& r : ring.records<record>()) {
            CHECK(r.seq == expect);
            CHECK(r.tag == 9);
            ++expect;
            ++in_round;
        }
        CHECK(in_round == 500);
    }
    CHECK(expect == 10'000);
    // a full ring refuses records (the program sees the error): nothing is torn
    drive(p, 1000);
    std::size_t kept = 0;
    for (auto rec : ring.records()) {
        CHECK(rec.size() == 16);
        ++kept;
    }
    CHECK(kept == (16384 / 24));
}

TEST_CASE("ring: a callback that returns false stops after that record, and the rest stays") {
    auto seq = seq_counter::create();
    auto rb = events_a::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_a, 1>, seq, rb);
    bpfxx::events::ring ring(rb);
    drive(p, 10);
    std::uint64_t last = 99;
    CHECK(ring.consume_as<record>([&](const record& r) {
        last = r.seq;
        return r.seq < 3;
    }) == 4);
    CHECK(last == 3);
    CHECK(ring.consume_as<record>([&](const record& r) { last = r.seq; }) == 6);
    CHECK(last == 9);
}

TEST_CASE("ring: a record shorter than the record type is an error, not a read past it") {
    auto seq = seq_counter::create();
    auto rb = events_a::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_a, 1, 8>, seq, rb);
    bpfxx::events::ring ring(rb);
    drive(p, 1);
    CHECK_THROWS_AS(ring.consume_as<record>([](const record&) {}), bpfxx::error);
    CHECK(ring.consume([](std::span<const std::byte> rec) { CHECK(rec.size() == 8); }) == 1);
}

TEST_CASE("ring_buffer: poll wakes for records in any of several rings and dispatches by ring") {
    auto seq = seq_counter::create();
    auto a = events_a::create();
    auto b = events_b::create();
    auto pa = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_a, 1>, seq, a);
    auto pb = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_b, 2>, seq, b);

    std::vector<record> from_a, from_b;
    bpfxx::events::ring_buffer reader;
    reader.add_as<record>(a, [&](const record& r) { from_a.push_back(r); })
        .add(b, [&](std::span<const std::byte> rec) {
            REQUIRE(rec.size() == sizeof(record));
            from_b.push_back(bpfxx::events::detail::view_as<record>(rec));
        });
    CHECK(reader.size() == 2);
    CHECK(reader.poll(std::chrono::milliseconds(0)) == 0); // nothing yet: a timeout

    // a producer on another thread while this one waits
    std::thread producer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        drive(pa, 30);
        drive(pb, 20);
    });
    std::size_t total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (total < 50 && std::chrono::steady_clock::now() < deadline) total += reader.poll(std::chrono::milliseconds(500));
    producer.join();
    total += reader.consume();
    CHECK(total == 50);
    REQUIRE(from_a.size() == 30);
    REQUIRE(from_b.size() == 20);
    for (const auto& r : from_a) CHECK(r.tag == 1);
    for (const auto& r : from_b) CHECK(r.tag == 2);
    for (std::size_t i = 1; i < from_a.size(); ++i) CHECK(from_a[i].seq > from_a[i - 1].seq);
    for (std::size_t i = 1; i < from_b.size(); ++i) CHECK(from_b[i].seq > from_b[i - 1].seq);
}

TEST_CASE("ring: failures leave no fd or mapping behind") {
    auto not_a_ring = seq_counter::create();
    const auto before = open_fds();
    for (int i = 0; i < 200; ++i) {
        CHECK_THROWS_AS(bpfxx::events::ring(not_a_ring.fd()), bpfxx::error); // an array, not a ring buffer
        CHECK_THROWS_AS(bpfxx::events::ring(-1), bpfxx::error);
        CHECK_THROWS_AS(bpfxx::events::ring{not_a_ring}, bpfxx::error);
    }
    CHECK(open_fds() == before);
    {
        auto rb = events_a::create();
        bpfxx::events::ring_buffer reader;
        reader.add(rb, [](std::span<const std::byte>) {});
        CHECK_THROWS_AS(reader.add(not_a_ring, [](std::span<const std::byte>) {}), bpfxx::error);
        CHECK(reader.size() == 1);
    }
    CHECK(open_fds() == before);
}

namespace {

using perf_events = bpfxx::perf_event_array<0>; // one entry per possible CPU

/// Every run: seq = counter++, then bpf_perf_event_output(ctx, perf_events,
/// BPF_F_CURRENT_CPU, {seq, 5}, 16).
constexpr auto perf_records = bpfxx::assemble(
    mov(r6, r1),
    st<std::uint32_t>(r10, -4, 0),
    mov(r2, r10), add(r2, -4),
    ld_map<seq_counter>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),
    mov(r1, 1),
    atomic_fetch_add<std::uint64_t>(r0, 0, r1),
    stx<std::uint64_t>(r10, -24, r1),
    mov(r2, 5), stx<std::uint64_t>(r10, -16, r2),
    mov(r1, r6),
    ld_map<perf_events>(r2),
    mov32(r3, -1), // BPF_F_CURRENT_CPU, zero-extended: no context bytes appended
    mov(r4, r10), add(r4, -24),
    mov(r5, 16),
    call(helper::perf_event_output),
    "out"_label,
    mov(r0, 2),
    exit());

/// Keeps the calling thread on one CPU (test_run runs the program where it
/// is called), and lets it go again.
class on_one_cpu {
public:
    on_one_cpu() {
        REQUIRE(::sched_getaffinity(0, sizeof saved_, &saved_) == 0);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(::sched_getcpu(), &one);
        REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
    }
    on_one_cpu(const on_one_cpu&) = delete;
    on_one_cpu& operator=(const on_one_cpu&) = delete;
    ~on_one_cpu() { (void)::sched_setaffinity(0, sizeof saved_, &saved_); }

private:
    cpu_set_t saved_{};
};

} // namespace

TEST_CASE("perf_buffer: every sample arrives once, in order per CPU, with its contents") {
    auto seq = seq_counter::create();
    auto events = perf_events::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(perf_records, seq, events);
    std::vector<std::vector<record>> per_cpu(bpfxx::sys::possible_cpus());
    std::uint64_t lost_reported = 0;
    bpfxx::events::perf_buffer pb(
        events,
        [&](int cpu, std::span<const std::byte> s) {
            REQUIRE(s.size() == 20); // 16 bytes, padded by the kernel to end 8-byte aligned
            record r;
            std::memcpy(&r, s.data(), sizeof r);
            per_cpu.at(static_cast<std::size_t>(cpu)).push_back(r);
        },
        [&](int, std::uint64_t n) { lost_reported += n; });
    CHECK(pb.cpus() >= 1);
    CHECK(pb.poll(std::chrono::milliseconds(0)) == 0);
    drive(p, 200);
    std::size_t total = 0;
    for (int i = 0; i < 10 && total < 200; ++i) total += pb.poll(std::chrono::milliseconds(200));
    CHECK(total == 200);
    CHECK(pb.lost() == 0);
    CHECK(lost_reported == 0);
    std::vector<bool> seen(200);
    for (const auto& cpu : per_cpu) {
        for (std::size_t i = 0; i < cpu.size(); ++i) {
            CHECK(cpu[i].tag == 5);
            REQUIRE(cpu[i].seq < 200);
            CHECK_FALSE(seen[cpu[i].seq]);
            seen[cpu[i].seq] = true;
            if (i > 0) CHECK(cpu[i].seq > cpu[i - 1].seq);
        }
    }
}

TEST_CASE("perf_buffer: an overflowing ring reports what it lost; samples plus lost add up") {
    auto seq = seq_counter::create();
    auto events = perf_events::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(perf_records, seq, events);
    // the loss is reported on the ring that lost, at its next sample: all on one CPU
    const on_one_cpu pinned;
    std::size_t received = 0;
    std::uint64_t lost_reported = 0;
    // one 4 KiB page per CPU holds about 120 samples of 32 bytes; the reader waits until all are written
    bpfxx::events::perf_buffer pb(
        events, [&](int, std::span<const std::byte>) { ++received; }, [&](int, std::uint64_t n) { lost_reported += n; },
        {.pages_per_cpu = 1, .wakeup_events = 1});
    drive(p, 1000);
    while (pb.poll(std::chrono::milliseconds(200)) > 0) {
    }
    const auto first = received;
    CHECK(first < 1000);
    // once read, the ring takes samples again; the kernel first reports what it lost
    drive(p, 10);
    while (pb.poll(std::chrono::milliseconds(200)) > 0) {
    }
    INFO("received ", received, ", lost ", lost_reported);
    CHECK(received == first + 10);
    CHECK(lost_reported == 1000 - first);
    CHECK(pb.lost() == lost_reported);
    CHECK(received + lost_reported == 1010);
}

TEST_CASE("perf_buffer: bad options and maps are errors that leave nothing open") {
    auto not_perf = seq_counter::create();
    auto events = perf_events::create();
    const auto before = open_fds();
    for (int i = 0; i < 50; ++i) {
        CHECK_THROWS_AS(bpfxx::events::perf_buffer(events, {}, {}, {.pages_per_cpu = 3}), bpfxx::error);
        CHECK_THROWS_AS(bpfxx::events::perf_buffer(not_perf, {}), bpfxx::error); // not a perf_event_array
    }
    CHECK(open_fds() == before);
}

TEST_CASE("perf_buffer: typed callbacks, and the samples as a range") {
    auto seq = seq_counter::create();
    auto events = perf_events::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(perf_records, seq, events);
    const on_one_cpu pinned;
    std::vector<std::uint64_t> typed_seqs;
    bpfxx::events::perf_buffer pb(events, bpfxx::events::perf_buffer::typed<record>([&](int, const record& r) {
        CHECK(r.tag == 5);
        typed_seqs.push_back(r.seq);
    }));
    drive(p, 50);
    while (pb.poll(std::chrono::milliseconds(100)) > 0) {
    }
    REQUIRE(typed_seqs.size() == 50);
    for (std::size_t i = 0; i < 50; ++i) CHECK(typed_seqs[i] == i);

    drive(p, 30);
    std::uint64_t expect = 50;
    std::size_t n = 0;
    for (const auto s : pb.samples()) {
        REQUIRE(s.data.size() >= sizeof(record));
        record r;
        std::memcpy(&r, s.data.data(), sizeof r);
        CHECK(r.seq == expect++);
        ++n;
    }
    CHECK(n == 30);
    CHECK(pb.consume() == 0); // the range handed every sample back
}

namespace {
template <class F>
void check_error(F&& f, int errnum, std::string_view text) {
    try {
        f();
        FAIL("no error");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == errnum);
        CHECK_MESSAGE(std::string_view(e.what()).find(text) != std::string_view::npos, e.what());
    }
}
} // namespace

TEST_CASE("ring: only a ring buffer map is read as one") {
    // An mmapable array of 4096 u64 was taken for a ring: its values read as a
    // record header made a 1 GiB "record" and a crash; a hash map was refused
    // with ENOTSUPP, "not supported by this kernel".
    using mmapable = bpfxx::array_map<std::uint32_t, std::uint64_t, 4096, bpfxx::map_options{.flags = bpfxx::map_flags::mmapable}>;
    auto array = mmapable::create();
    auto hash = bpfxx::hash_map<std::uint32_t, std::uint64_t, 16>::create();
    auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(bpfxx::assemble(mov(r0, 0), exit()));
    check_error([&] { bpfxx::events::ring r(array); }, EINVAL, "the map's type is array, not ringbuf");
    check_error([&] { bpfxx::events::ring r(hash); }, EINVAL, "type is hash, not ringbuf");
    check_error([&] { bpfxx::events::ring r(prog.fd()); }, EINVAL, "not a map but a BPF program");
    check_error([&] { bpfxx::events::ring r(-1); }, EBADF, "empty");
    check_error([&] { bpfxx::events::perf_buffer pb(array, [](int, std::span<const std::byte>) {}); }, EINVAL,
                "not perf_event_array");
    auto rb = events_a::create();
    bpfxx::events::ring from_fd(rb.fd());
    CHECK(from_fd.size() == (1u << 16));
}

TEST_CASE("ring: an empty reader throws EBADF") {
    bpfxx::events::ring empty;
    CHECK_FALSE(empty);
    const auto nothing = [](std::span<const std::byte>) {};
    check_error([&] { (void)empty.consume(nothing); }, EBADF, "the reader is empty");
    check_error([&] { (void)empty.pending_bytes(); }, EBADF, "the reader is empty");
    check_error([&] { (void)empty.consume_as<record>([](const record&) {}); }, EBADF, "the reader is empty");
    check_error([&] { for (auto rec : empty.records()) (void)rec; }, EBADF, "the reader is empty");
    auto rb = events_a::create();
    bpfxx::events::ring full(rb);
    bpfxx::events::ring moved_to(std::move(full));
    CHECK(moved_to);
    CHECK(moved_to.pending_bytes() == 0);
    check_error([&] { (void)full.consume(nothing); }, EBADF, "the reader is empty"); // NOLINT: moved from on purpose
    check_error([&] { (void)full.pending_bytes(); }, EBADF, "the reader is empty");
}

TEST_CASE("ring: a header claiming more than the ring holds is refused, not read") {
    // The kernel writes sound headers; what the reader finds at its consumer
    // position is still checked against the ring and the producer. Here a
    // consumer position moved into a record's payload (through a mapping of
    // our own) lands on a "length" of 0x0fff0000 bytes in a 64 KiB ring.
    auto seq = seq_counter::create();
    auto rb = events_a::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(numbered_records<events_a, 0x0fff0000>, seq, rb);
    bpfxx::events::ring ring(rb);
    drive(p, 1);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* consumer = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, rb.fd(), 0);
    REQUIRE(consumer != MAP_FAILED);
    *static_cast<volatile std::uint64_t*>(consumer) = 16; // header (8) + seq (8): the tag is read as a header
    std::size_t touched = 0;
    check_error([&] {
        (void)ring.consume([&](std::span<const std::byte> rec) {
            for (const auto b : rec) touched += std::to_integer<std::size_t>(b);
        });
    }, EPROTO, "does not fit in a ring of 65536 bytes");
    CHECK(touched == 0);
    *static_cast<volatile std::uint64_t*>(consumer) = 0; // back to the record's start: it reads as written
    CHECK(ring.consume_as<record>([](const record& r) { CHECK(r.tag == 0x0fff0000u); }) == 1);
    ::munmap(consumer, page);
}
