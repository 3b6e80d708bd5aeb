// The maps layer against the running kernel: every map type created and
// used through its handle, with the exact results and errors the kernel
// gives; iteration (batch and get-next-key, with a concurrent writer);
// per-CPU values; mmapable arrays; pinning and opening; no fd or mapping
// leaks on any path.
#include <bpfxx/maps.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/pin.hpp>

#include "../common/fds.hpp"

#include "../common/kernel_env.hpp"

#include <doctest/doctest.h>

#include <range/v3/algorithm/count_if.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/transform.hpp>

#include <dirent.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace bpfxx;

namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

/// Runs `f`, which must throw bpfxx::error; gives the error (errno 0 if nothing was thrown).
template <class F>
bpfxx::error error_of(F&& f) {
    try {
        f();
    } catch (const bpfxx::error& e) {
        return e;
    }
    return bpfxx::error(0, "nothing thrown");
}

using bpfxx_test::open_fds;

/// Mappings of BPF objects in this process (mmapped maps show as
/// anon_inode:bpf-map); the allocator's own mappings come and go and are not counted.
std::size_t mappings() {
    std::ifstream maps("/proc/self/maps");
    std::size_t n = 0;
    for (std::string line; std::getline(maps, line);)
        if (line.find("anon_inode:bpf") != std::string::npos) ++n;
    return n;
}

/// A bpffs path unique to this process, unlinked at scope exit.
struct pin_path {
    std::string path;
    explicit pin_path(const std::string& name)
        : path(std::string(bpffs_root) + "/bpfxx_maps_test_" + std::to_string(::getpid()) + "_" + name) {
        ensure_bpffs();
        ::unlink(path.c_str());
    }
    ~pin_path() { ::unlink(path.c_str()); }
    pin_path(const pin_path&) = delete;
    pin_path& operator=(const pin_path&) = delete;
};

/// `r0 = 0; exit` as a socket filter, loaded with raw syscalls (the load
/// layer is tested on its own).
unique_fd trivial_socket_filter() {
    const std::uint64_t insns[2] = {0x00000000000000b7ull, 0x0000000000000095ull};
    const char license[] = "GPL";
    sys::prog_load_attr a{};
    a.prog_type = 1; // BPF_PROG_TYPE_SOCKET_FILTER
    a.insn_cnt = 2;
    a.insns = sys::ptr(insns);
    a.license = sys::ptr(license);
    return sys::call_fd(sys::cmd::prog_load, a, "BPF_PROG_LOAD");
}

std::uint32_t prog_id(int fd) { return sys::info_of<sys::prog_info>(fd, "info", "program").id; }

/// A UDP socket bound to 127.0.0.1 (sockmaps take bound UDP sockets).
unique_fd udp_socket() {
    unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return s;
}

u64 socket_cookie(int fd) {
    u64 cookie = 0;
    socklen_t len = sizeof cookie;
    REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0);
    return cookie;
}

/// A software perf event that BPF programs can write to (PERF_COUNT_SW_BPF_OUTPUT) on CPU 0.
unique_fd bpf_output_event() {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_BPF_OUTPUT;
    attr.sample_type = PERF_SAMPLE_RAW;
    const long fd = ::syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    REQUIRE(fd >= 0);
    return unique_fd(static_cast<int>(fd));
}

struct lpm_v4 {
    u32 prefixlen;
    std::uint8_t addr[4];
};

struct stats {
    u64 packets;
    u64 bytes;
    friend bool operator==(const stats&, const stats&) = default;
};

using counters = array_map<u32, u64, 16, map_options{.name = "counters"}>;
using table = hash_map<u32, u64, 64, map_options{.name = "table"}>;

} // namespace

// ---------------------------------------------------------------------------

TEST_CASE("maps: array_map") {
    auto m = counters::create();
    REQUIRE(m.fd() >= 0);
    const map_info info = m.info();
    CHECK(info.type == map_type::array);
    CHECK(info.name == "counters");
    CHECK(info.key_size == 4);
    CHECK(info.value_size == 8);
    CHECK(info.max_entries == 16);
    CHECK(info.id != 0);
    CHECK(m.name() == "counters");

    CHECK(m.lookup(0) == u64{0}); // every element exists, zeroed
    m.update(3, 42);
    CHECK(m.lookup(3) == u64{42});
    m.update(3, 43, update_flags::exist);
    CHECK(m.lookup(3) == u64{43});
    CHECK(!m.lookup(16).has_value()); // past max_entries: absent, not an error

    auto e = error_of([&] { m.update(16, 1); });
    CHECK(e.errnum() == E2BIG);
    CHECK(e.operation() == "BPF_MAP_UPDATE_ELEM");
    CHECK(e.object() == "counters");
    CHECK(std::string(e.what()).find("past max_entries") != std::string::npos);
    CHECK(error_of([&] { m.update(1, 1, update_flags::noexist); }).errnum() == EEXIST);
    CHECK(error_of([&] { m.update(1, 1, update_flags::lock); }).errnum() == EINVAL); // no spin lock in the value

    // The hot-path overloads report instead of throwing.
    std::error_code ec;
    CHECK(!m.update(16, 1, ec));
    CHECK(ec == std::errc::argument_list_too_long);
    CHECK(m.update(5, 7, ec));
    CHECK(!ec);
    CHECK(m.lookup(5, ec) == u64{7});
    CHECK(!ec);
    CHECK(!m.lookup(99, ec).has_value());
    CHECK(!ec);

    // The kernel refuses to delete array elements (map<array> has no erase()).
    auto raw = raw_map::from_id(info.id);
    const u32 key = 3;
    CHECK(error_of([&] { raw.erase(std::as_bytes(std::span(&key, 1))); }).errnum() == EINVAL);
}

TEST_CASE("maps: create options and create errors") {
    auto m = counters::create({.max_entries = 100, .name = "renamed", .flags = map_flags::rdonly_prog});
    CHECK(m.max_entries() == 100);
    const auto info = m.info();
    CHECK(info.max_entries == 100);
    CHECK(info.name == "renamed");
    CHECK(info.flags == map_flags::rdonly_prog);
    m.update(99, 1);
    CHECK(error_of([&] { m.update(100, 1); }).errnum() == E2BIG);

    auto numa = table::create({.numa_node = 0});
    CHECK(has(numa.info().flags, map_flags::numa_node));

    auto zero = error_of([] { (void)counters::create({.max_entries = 0}); });
    CHECK(zero.errnum() == EINVAL);
    CHECK(zero.operation() == "BPF_MAP_CREATE");
    CHECK(zero.object() == "counters");
    CHECK(zero.detail().find("max_entries 0") != std::string::npos);

    CHECK(error_of([] { (void)counters::create({.name = "sixteen_chars_xy"}); }).errnum() == EINVAL);
    CHECK(error_of([] { (void)counters::create({.name = "bad-name"}); }).errnum() == EINVAL); // the kernel's check
    CHECK(error_of([] { (void)counters::create({.flags = map_flags::no_prealloc}); }).errnum() == EINVAL);
    // A ring buffer of three pages is not a power of two.
    CHECK(error_of([] { (void)ringbuf<4096>::create({.max_entries = 3 * 4096}); }).errnum() == EINVAL);
    // A cpumap cannot have more entries than the kernel has CPU slots (NR_CPUS).
    CHECK(error_of([] { (void)cpumap<4>::create({.max_entries = 1u << 20}); }).errnum() == E2BIG);
    // Per-CPU maps take no NUMA node.
    CHECK(error_of([] { (void)percpu_array<u32, u64, 4>::create({.numa_node = 0}); }).errnum() == EINVAL);
}

TEST_CASE("maps: hash_map") {
    auto m = table::create();
    CHECK(!m.lookup(1).has_value());
    m.update(1, 10);
    m.update(2, 20, update_flags::noexist);
    CHECK(m.lookup(1) == u64{10});
    CHECK(m.lookup(2) == u64{20});
    CHECK(error_of([&] { m.update(2, 21, update_flags::noexist); }).errnum() == EEXIST);
    CHECK(error_of([&] { m.update(3, 30, update_flags::exist); }).errnum() == ENOENT);
    m.update(2, 22, update_flags::exist);
    CHECK(m.lookup(2) == u64{22});

    CHECK(m.erase(1));
    CHECK(!m.erase(1));
    CHECK(!m.lookup(1).has_value());
    CHECK(m.lookup_and_erase(2) == u64{22});
    CHECK(!m.lookup_and_erase(2).has_value());

    for (u32 k = 0; k < 64; ++k) m.update(k, k);
    auto full = error_of([&] { m.update(64, 0); });
    CHECK(full.errnum() == E2BIG);
    CHECK(full.detail().find("full") != std::string::npos);
    m.update(63, 630); // replacing still works when full

    auto np = hash_map<u64, stats, 8, map_options{.flags = map_flags::no_prealloc | map_flags::zero_seed}>::create();
    np.update(7, stats{1, 2});
    CHECK(np.lookup(7) == stats{1, 2});
    CHECK(np.info().flags == (map_flags::no_prealloc | map_flags::zero_seed));
}

TEST_CASE("maps: lru_hash_map evicts instead of failing when full") {
    auto m = lru_hash_map<u32, u32, 128>::create();
    for (u32 k = 0; k < 1000; ++k) m.update(k, k * 2);
    std::size_t n = 0;
    for (auto [k, v] : m.items()) {
        CHECK(v == k * 2);
        ++n;
    }
    CHECK(n > 0);
    CHECK(n <= 128);
    CHECK(m.lookup(999) == u32{1998}); // the newest survives

    auto per_cpu_lists = lru_hash_map<u32, u32, 128, map_options{.flags = map_flags::no_common_lru}>::create();
    per_cpu_lists.update(1, 1);
    CHECK(per_cpu_lists.lookup(1) == u32{1});
}

TEST_CASE("maps: per-CPU values, one per possible CPU, 8 bytes apart in the kernel") {
    const u32 cpus = sys::possible_cpus();
    REQUIRE(cpus >= 1);
    {
        // /sys/devices/system/cpu/possible, read independently.
        std::ifstream f("/sys/devices/system/cpu/possible");
        std::string list;
        std::getline(f, list);
        CHECK(sys::detail::count_cpu_list(list) == cpus);
    }
    MESSAGE("possible CPUs: " << cpus);

    // u32 values: the kernel rounds each CPU's value up to 8 bytes.
    auto a = percpu_array<u32, u32, 4>::create();
    std::vector<u32> values(cpus);
    for (u32 c = 0; c < cpus; ++c) values[c] = 100 + c;
    a.update(1, values);
    auto got = a.lookup(1);
    REQUIRE(got.has_value());
    CHECK(*got == values);
    a.update(2, 7u); // the same value on every CPU
    CHECK(*a.lookup(2) == std::vector<u32>(cpus, 7));
    CHECK(*a.lookup(0) == std::vector<u32>(cpus, 0));
    CHECK(!a.lookup(4).has_value());
    CHECK(a.value_bytes() == 8 * cpus);

    std::vector<u32> too_few(cpus + 1, 1);
    CHECK(error_of([&] { a.update(1, too_few); }).errnum() == EINVAL);

    // The raw view of the same element: every CPU's value at an 8-byte stride.
    auto raw = raw_map::from_id(a.info().id);
    CHECK(raw.percpu());
    CHECK(raw.value_bytes() == 8 * cpus);
    const u32 key = 1;
    auto bytes = raw.lookup(std::as_bytes(std::span(&key, 1)));
    REQUIRE(bytes.has_value());
    for (u32 c = 0; c < cpus; ++c) {
        u32 v = 0;
        std::memcpy(&v, bytes->data() + 8 * c, 4);
        CHECK(v == 100 + c);
    }
    std::vector<std::byte> small(8 * cpus - 1);
    CHECK(error_of([&] { raw.lookup(std::as_bytes(std::span(&key, 1)), small); }).errnum() == EINVAL);

    // Iterating gives a vector per entry.
    std::size_t n = 0;
    for (auto [k, v] : a.items()) {
        CHECK(v.size() == cpus);
        if (k == 1) CHECK(v == values);
        ++n;
    }
    CHECK(n == 4);

    auto h = percpu_hash<u64, stats, 16>::create();
    std::vector<stats> s(cpus);
    for (u32 c = 0; c < cpus; ++c) s[c] = {c, 10u * c};
    h.update(5, s);
    CHECK(*h.lookup(5) == s);
    CHECK(h.lookup_and_erase(5) == s);
    CHECK(!h.lookup(5).has_value());

    auto lru = lru_percpu_hash<u32, u64, 16>::create();
    lru.update(1, u64{9});
    CHECK(*lru.lookup(1) == std::vector<u64>(cpus, 9));

    // Batch update: keys.size() × cpus values, key by key.
    std::vector<u32> keys{10, 11};
    std::vector<stats> batch(2 * cpus);
    for (u32 i = 0; i < batch.size(); ++i) batch[i] = {i, i};
    auto hb = percpu_hash<u32, stats, 16>::create();
    hb.update_batch(keys, batch);
    CHECK(*hb.lookup(11) == std::vector<stats>(batch.begin() + cpus, batch.end()));
    auto drained = hb.lookup_and_erase_batch();
    REQUIRE(drained.size() == 2);
    for (const auto& [k, v] : drained) {
        const auto first = batch.begin() + (k == 10 ? 0 : cpus);
        CHECK(v == std::vector<stats>(first, first + cpus));
    }
    CHECK(!hb.lookup(10).has_value());
}

TEST_CASE("maps: lpm_trie") {
    if (!bpfxx_test::kernel_allows(bpfxx::map_type::lpm_trie)) return;
    auto m = lpm_trie<lpm_v4, u32, 16>::create();
    CHECK(has(m.info().flags, map_flags::no_prealloc));
    m.update(lpm_v4{8, {10, 0, 0, 0}}, 8);
    m.update(lpm_v4{16, {10, 1, 0, 0}}, 16);
    m.update(lpm_v4{24, {10, 1, 2, 0}}, 24);
    CHECK(m.lookup(lpm_v4{32, {10, 1, 2, 3}}) == u32{24});
    CHECK(m.lookup(lpm_v4{32, {10, 1, 3, 3}}) == u32{16});
    CHECK(m.lookup(lpm_v4{32, {10, 9, 9, 9}}) == u32{8});
    CHECK(!m.lookup(lpm_v4{32, {11, 0, 0, 0}}).has_value());
    CHECK(m.erase(lpm_v4{24, {10, 1, 2, 0}}));
    CHECK(m.lookup(lpm_v4{32, {10, 1, 2, 3}}) == u32{16});
    CHECK(!m.erase(lpm_v4{24, {10, 1, 2, 0}}));
    std::set<u32> prefixes;
    for (auto [k, v] : m.items()) {
        CHECK(k.prefixlen == v);
        prefixes.insert(k.prefixlen);
    }
    CHECK(prefixes == std::set<u32>{8, 16});
    CHECK(error_of([&] { m.update(lpm_v4{33, {1, 2, 3, 4}}, 1); }).errnum() == EINVAL); // prefix longer than the data
}

TEST_CASE("maps: queue and stack") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::map_type::queue, bpfxx::map_type::stack)) return;
    auto q = queue<u32, 3>::create();
    CHECK(!q.peek().has_value());
    CHECK(!q.pop().has_value());
    q.push(1);
    q.push(2);
    q.push(3);
    CHECK(error_of([&] { q.push(4); }).errnum() == E2BIG);
    q.push(4, update_flags::exist); // drops the oldest (1)
    CHECK(q.peek() == u32{2});
    CHECK(q.pop() == u32{2});
    CHECK(q.pop() == u32{3});
    CHECK(q.pop() == u32{4});
    CHECK(!q.pop().has_value());

    auto s = stack<stats, 2>::create();
    s.push(stats{1, 1});
    s.push(stats{2, 2});
    CHECK(s.peek() == stats{2, 2});
    CHECK(s.pop() == stats{2, 2});
    CHECK(s.pop() == stats{1, 1});
    CHECK(!s.pop().has_value());
    CHECK(s.info().key_size == 0);

    // A queue has no keys to walk.
    auto raw = raw_map::from_fd(queue<u32, 3>::create().release());
    CHECK(error_of([&] {
              for (auto k : raw.keys()) (void)k;
          }).errnum() == EINVAL);
}

TEST_CASE("maps: bloom_filter") {
    if (!bpfxx_test::kernel_allows(bpfxx::map_type::bloom_filter)) return;
    auto b = bloom_filter<u64, 1000, 3, map_options{.flags = map_flags::zero_seed}>::create();
    CHECK(b.info().map_extra == 3);
    for (u64 v = 0; v < 100; v += 2) b.push(v);
    for (u64 v = 0; v < 100; v += 2) CHECK(b.contains(v));
    std::size_t false_positives = 0;
    for (u64 v = 1; v < 100; v += 2) false_positives += b.contains(v) ? 1 : 0;
    CHECK(false_positives < 5); // 50 values in 1000 × 3 bits: almost never a false positive
    // Nothing can be taken out of a bloom filter.
    auto raw = raw_map::from_fd(b.release());
    CHECK(error_of([&] { raw.erase({}); }).errnum() == EOPNOTSUPP);
}

TEST_CASE("maps: ringbuf has no elements") {
    auto r = ringbuf<1u << 14>::create();
    const auto info = r.info();
    CHECK(info.type == map_type::ringbuf);
    CHECK(info.max_entries == 1u << 14);
    CHECK(info.key_size == 0);
    CHECK(info.value_size == 0);
    // The kernel answers ENOTSUPP (524, kernel-internal) to element operations.
    auto raw = raw_map::from_id(info.id);
    std::vector<std::byte> value(8);
    auto e = error_of([&] { raw.lookup({}, value); });
    CHECK(e.errnum() == bpfxx::enotsupp);
    CHECK(e.detail().find("ENOTSUPP") != std::string::npos);
    CHECK(error_of([&] { raw.update({}, {}); }).errnum() == bpfxx::enotsupp);
}

TEST_CASE("maps: prog_array holds programs, looked up as ids") {
    if (!bpfxx_test::kernel_allows(bpfxx::map_type::prog_array)) return;
    auto m = prog_array<4>::create();
    auto prog = trivial_socket_filter();
    struct prog_handle {
        int f;
        int fd() const { return f; }
    };
    m.update(1, prog_handle{prog.get()});
    CHECK(m.lookup(1) == prog_id(prog.get()));
    CHECK(!m.lookup(0).has_value());
    std::vector<u32> keys;
    for (auto k : m.keys()) keys.push_back(k);
    CHECK(keys == std::vector<u32>{0, 1, 2, 3}); // get-next-key walks every index
    std::size_t n = 0;
    for (auto [k, id] : m.items()) {
        CHECK(k == 1);
        CHECK(id == prog_id(prog.get()));
        ++n;
    }
    CHECK(n == 1); // empty slots are skipped
    CHECK(m.erase(1));
    CHECK(!m.erase(1));
    CHECK(error_of([&] { m.update(4, u32(prog.get())); }).errnum() == E2BIG);
    auto not_a_prog = table::create();
    CHECK(error_of([&] { m.update(0, not_a_prog); }).errnum() == EINVAL);
    CHECK(error_of([&] { m.update(0, u32(prog.get()), update_flags::noexist); }).errnum() == EINVAL);
}

TEST_CASE("maps: perf_event_array gets one entry per possible CPU") {
    auto m = perf_event_array<>::create();
    CHECK(m.max_entries() == sys::possible_cpus());
    CHECK(m.info().max_entries == sys::possible_cpus());
    auto event = bpf_output_event();
    m.update(0, u32(event.get()));
    CHECK(error_of([&] { (void)m.lookup(0); }).errnum() == bpfxx::enotsupp);
    CHECK(m.erase(0));
    CHECK(!m.erase(0));
    auto sized = perf_event_array<2>::create();
    CHECK(sized.max_entries() == 2);
    auto preserve = perf_event_array<0, map_options{.flags = map_flags::preserve_elems}>::create();
    CHECK(has(preserve.info().flags, map_flags::preserve_elems));
}

TEST_CASE("maps: maps of maps") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::map_type::array_of_maps, bpfxx::map_type::hash_of_maps)) return;
    using inner = array_map<u32, u64, 4>;
    auto outer = array_of_maps<inner, 4>::create();
    auto a = inner::create();
    auto b = inner::create();
    outer.update(0, a);
    outer.update(3, b);
    CHECK(outer.lookup(0) == a.info().id);
    CHECK(outer.lookup(3) == b.info().id);
    CHECK(!outer.lookup(1).has_value());
    std::map<u32, u32> seen;
    for (auto [k, id] : outer.items()) seen[k] = id;
    CHECK(seen == std::map<u32, u32>{{0, a.info().id}, {3, b.info().id}});
    CHECK(outer.erase(0));
    CHECK(!outer.lookup(0).has_value());

    // The inner map must match the inner descriptor.
    auto wrong = array_map<u32, u32, 4>::create();
    CHECK(error_of([&] { outer.update(1, wrong); }).errnum() == EINVAL);
    auto bigger = inner::create({.max_entries = 8});
    CHECK(error_of([&] { outer.update(1, bigger); }).errnum() == EINVAL);
    // … unless it was made with map_flags::inner_map, which lets max_entries differ.
    using dynamic_inner = array_map<u32, u64, 4, map_options{.flags = map_flags::inner_map}>;
    auto flexible = array_of_maps<dynamic_inner, 4>::create();
    flexible.update(0, dynamic_inner::create({.max_entries = 64}));
    CHECK(flexible.lookup(0).has_value());

    auto hashed = hash_of_maps<u64, inner, 8>::create();
    hashed.update(u64{1} << 40, a);
    CHECK(hashed.lookup(u64{1} << 40) == a.info().id);
    auto drained = hashed.lookup_and_erase_batch(); // (the kernel has no single lookup-and-delete here)
    REQUIRE(drained.size() == 1);
    CHECK(drained[0] == std::pair<u64, u32>{u64{1} << 40, a.info().id});
    CHECK(!hashed.lookup(u64{1} << 40).has_value());
}

TEST_CASE("maps: devmap, devmap_hash and cpumap") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::map_type::devmap, bpfxx::map_type::devmap_hash, bpfxx::map_type::cpumap)) return;
    const u32 lo = ::if_nametoindex("lo");
    REQUIRE(lo != 0);
    auto d = devmap<4>::create();
    d.update(0, lo);
    CHECK(d.lookup(0) == lo);
    CHECK(!d.lookup(1).has_value());
    CHECK(d.erase(0));
    CHECK(error_of([&] { d.update(1, 0xffffff); }).errnum() == EINVAL); // no such interface
    // No batch operations for devmaps in the kernel (ENOTSUPP): one by one instead.
    std::vector<u32> batch_keys{0, 1, 2}, batch_values{lo, lo, lo};
    d.update_batch(batch_keys, batch_values);
    CHECK(d.lookup(2) == lo);
    // A devmap deletes empty slots without complaint: both count as erased.
    CHECK(d.erase_batch(std::vector<u32>{2, 3}) == 2);
    std::set<u32> dkeys;
    for (auto [k, v] : d.items()) {
        CHECK(v == lo);
        dkeys.insert(k);
    }
    CHECK(dkeys == std::set<u32>{0, 1});

    auto dv = devmap<4, devmap_value>::create();
    dv.update(2, devmap_value{lo, 0});
    auto v = dv.lookup(2);
    REQUIRE(v.has_value());
    CHECK(v->ifindex == lo);
    CHECK(v->prog == 0);

    auto dh = devmap_hash<8>::create();
    dh.update(lo, lo);
    CHECK(dh.lookup(lo) == lo);
    CHECK(!dh.lookup(lo + 1).has_value());

    auto c = cpumap<4>::create();
    c.update(0, 192);
    CHECK(c.lookup(0) == u32{192});
    CHECK(!c.lookup(1).has_value());
    CHECK(c.erase(0));
    auto cv = cpumap<4, cpumap_value>::create();
    cv.update(0, cpumap_value{256, 0});
    CHECK(cv.lookup(0)->qsize == 256);
}

TEST_CASE("maps: xskmap, sockmap, sockhash") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::map_type::xskmap, bpfxx::map_type::sockmap, bpfxx::map_type::sockhash)) return;
    auto x = xskmap<4>::create();
    auto udp = udp_socket();
    // Only AF_XDP sockets go in an xskmap; user space cannot read it back.
    CHECK(error_of([&] { x.update(0, u32(udp.get())); }).errnum() == EOPNOTSUPP);
    CHECK(error_of([&] { (void)x.lookup(0); }).errnum() == EOPNOTSUPP);

    auto sm = sockmap<4, u64>::create();
    sm.update(0, u64(udp.get()));
    CHECK(sm.lookup(0) == socket_cookie(udp.get())); // 8-byte values read back as the socket's cookie
    CHECK(!sm.lookup(1).has_value());
    CHECK(sm.erase(0));
    CHECK(!sm.erase(0));

    auto sm32 = sockmap<4>::create();
    struct socket_handle {
        int f;
        int fd() const { return f; }
    };
    sm32.update(1, socket_handle{udp.get()});
    CHECK(error_of([&] { (void)sm32.lookup(1); }).errnum() == ENOSPC); // a 4-byte value cannot hold the cookie
    std::vector<u32> keys;
    for (auto k : sm32.keys()) keys.push_back(k);
    CHECK(keys.size() == 4);
    auto not_a_socket = table::create();
    CHECK(error_of([&] { sm32.update(2, u32(not_a_socket.fd())); }).errnum() == ENOTSOCK);
    CHECK(!sm32.erase(2)); // the kernel says EINVAL for an empty slot; erase() says false
    CHECK(error_of([&] { sm32.erase(4); }).errnum() == EINVAL); // past max_entries

    auto sh = sockhash<u64, 4, u64>::create();
    sh.update(77, u64(udp.get()));
    CHECK(sh.lookup(77) == socket_cookie(udp.get()));
    CHECK(sh.erase(77));
}

TEST_CASE("maps: pin, open_pinned, from_id and the descriptor check") {
    pin_path p("check");
    auto m = counters::create({.pin = p.path});
    m.update(1, 11);
    {
        auto again = counters::open_pinned(p.path);
        CHECK(again.lookup(1) == u64{11});
        again.update(2, 22);
        CHECK(m.lookup(2) == u64{22});
        CHECK(again.info().id == m.info().id);
        CHECK(again.name() == "counters");
    }
    {
        auto by_id = counters::from_id(m.info().id);
        CHECK(by_id.lookup(2) == u64{22});
    }

    auto value_size = error_of([&] { (void)array_map<u32, u32, 16>::open_pinned(p.path); });
    CHECK(value_size.errnum() == EINVAL);
    CHECK(value_size.operation() == "open_pinned");
    CHECK(value_size.object() == p.path);
    CHECK(value_size.detail() == "the map does not match the descriptor: value_size is 8, the descriptor has 4");

    auto several = error_of([&] { (void)hash_map<u64, u64, 32>::open_pinned(p.path); });
    CHECK(several.detail() == "the map does not match the descriptor: type is array, the descriptor has hash; "
                              "key_size is 4, the descriptor has 8; max_entries is 16, the descriptor has 32");

    auto entries = error_of([&] { (void)array_map<u32, u64, 8>::from_id(m.info().id); });
    CHECK(entries.operation() == "from_id");
    CHECK(entries.detail().find("max_entries is 16, the descriptor has 8") != std::string::npos);
    auto relaxed = array_map<u32, u64, 8>::open_pinned(p.path, {.check_max_entries = false});
    CHECK(relaxed.max_entries() == 16); // the kernel's, not the descriptor's
    CHECK(relaxed.lookup(1) == u64{11});

    auto mmapable = error_of([&] {
        (void)array_map<u32, u64, 16, map_options{.flags = map_flags::mmapable}>::open_pinned(p.path);
    });
    CHECK(mmapable.detail().find("mmapable is not set") != std::string::npos);

    // Read-only access: the kernel refuses writes through that fd.
    auto ro = counters::open_pinned(p.path, {.access = map_flags::rdonly});
    CHECK(ro.lookup(1) == u64{11});
    CHECK(error_of([&] { ro.update(1, 0); }).errnum() == EPERM);

    CHECK(error_of([&] { (void)counters::open_pinned(p.path + "_missing"); }).errnum() == ENOENT);
    CHECK(error_of([] { (void)counters::from_id(0xfffffff0u); }).errnum() == ENOENT);
    auto taken = error_of([&] { m.pin(p.path); }); // the path is taken
    CHECK(taken.errnum() == EEXIST);
    CHECK(taken.object() == "counters");
    CHECK(error_of([] { (void)counters::create({.pin = "/sys/fs/bpf/no_such_dir/x"}); }).errnum() == ENOENT);

    // A handle from a bare fd is checked the same way.
    auto adopted = map<counters>::from_fd(raw_map::open_pinned(p.path).release());
    CHECK(adopted.lookup(2) == u64{22});
    CHECK(error_of([&] { (void)map<table>::from_fd(raw_map::open_pinned(p.path).release()); }).operation() ==
          "from_fd");

    auto raw = raw_map::open_pinned(p.path);
    CHECK(raw.type() == map_type::array);
    CHECK(raw.key_size() == 4);
    CHECK(raw.value_size() == 8);
    CHECK(raw.max_entries() == 16);
    const u32 k = 1;
    const u64 v = 1234;
    raw.update(std::as_bytes(std::span(&k, 1)), std::as_bytes(std::span(&v, 1)));
    CHECK(m.lookup(1) == u64{1234});
    CHECK(error_of([&] { raw.update(std::as_bytes(std::span(&v, 1)), std::as_bytes(std::span(&v, 1))); }).errnum() ==
          EINVAL); // an 8-byte key for 4-byte keys
    std::size_t n = 0;
    for (auto [key, value] : raw.items()) {
        REQUIRE(key.size() == 4);
        REQUIRE(value.size() == 8);
        u32 index = 0;
        u64 stored = 0;
        std::memcpy(&index, key.data(), 4);
        std::memcpy(&stored, value.data(), 8);
        CHECK(index == n);
        CHECK(m.lookup(index) == stored);
        ++n;
    }
    CHECK(n == 16);
}

TEST_CASE("maps: freeze") {
    auto m = counters::create();
    m.update(1, 1);
    m.freeze();
    CHECK(m.lookup(1) == u64{1});
    CHECK(error_of([&] { m.update(1, 2); }).errnum() == EPERM);
    CHECK(error_of([&] { m.freeze(); }).errnum() == EPERM); // a frozen map is not writable, not even to freeze
}

TEST_CASE("maps: mmapable array") {
    using shared = array_map<u32, u64, 1024, map_options{.flags = map_flags::mmapable, .name = "shared"}>;
    auto m = shared::create();
    auto values = m.span();
    REQUIRE(values.size() == 1024);
    values[7] = 77;
    CHECK(m.lookup(7) == u64{77}); // a store is what the kernel sees
    m.update(8, 88);
    CHECK(values[8] == 88); // and an update is what the span sees
    CHECK(m.atomic_ref(9).fetch_add(5) == 0);
    CHECK(m.atomic_ref(9).load() == 5);
    CHECK(m.lookup(9) == u64{5});
    CHECK_THROWS_AS((void)m.atomic_ref(1024), std::out_of_range);

    // Moving the handle moves the mapping.
    auto moved = std::move(m);
    CHECK(moved.span().data() == values.data());
    CHECK(moved.span()[7] == 77);

    // 4-byte values: atomic_ref follows the kernel's 8-byte element stride.
    auto narrow = array_map<u32, u32, 8, map_options{.flags = map_flags::mmapable}>::create();
    narrow.atomic_ref(3).store(33);
    CHECK(narrow.lookup(3) == u32{33});
    CHECK(narrow.lookup(2) == u32{0});

    // Opened from a pin, the values are mapped again.
    pin_path p("mmap");
    moved.pin(p.path);
    auto opened = shared::open_pinned(p.path);
    CHECK(opened.span()[7] == 77);
    opened.span()[10] = 1010;
    CHECK(moved.lookup(10) == u64{1010});

    // The kernel refuses to freeze a map that has a writable mapping: another
    // handle's stops it (and the handle keeps its own, writable) …
    auto busy = error_of([&] { moved.freeze(); });
    CHECK(busy.errnum() == EBUSY);
    moved.span()[11] = 11;
    CHECK(opened.lookup(11) == u64{11});
    // … its own does not: it is replaced by a read-only one.
    opened = {};
    moved.freeze();
    CHECK(moved.span()[10] == 1010);
    CHECK(error_of([&] { moved.update(10, 0); }).errnum() == EPERM);
}

// ---------------------------------------------------------------------------
// Iteration

TEST_CASE("maps: iterating 10,000 entries by batch and by get-next-key") {
    using big = hash_map<u32, u64, 20000>;
    auto m = big::create();
    std::vector<u32> keys(10000);
    std::vector<u64> values(10000);
    for (u32 i = 0; i < 10000; ++i) {
        keys[i] = i * 7 + 1;
        values[i] = u64{i} * 1000;
    }
    m.update_batch(keys, values);

    const auto check_all = [&](iteration_options opts, iteration_method expected) {
        std::map<u32, u64> seen;
        auto items = m.items(opts);
        std::size_t n = 0;
        for (auto [k, v] : items) {
            seen[k] = v;
            ++n;
        }
        CHECK(items.method() == expected);
        CHECK(n == 10000); // no duplicates …
        CHECK(seen.size() == 10000);
        bool all = true;
        for (u32 i = 0; i < 10000; ++i) all = all && seen.count(keys[i]) == 1 && seen[keys[i]] == values[i];
        CHECK(all); // … and nothing missing
    };
    check_all({}, iteration_method::batch);
    check_all({.method = iteration_method::next_key}, iteration_method::next_key);
    // One entry per batch call: hash buckets holding more make the buffer grow (ENOSPC).
    check_all({.method = iteration_method::batch, .batch_size = 1}, iteration_method::batch);
    check_all({.method = iteration_method::next_key, .batch_size = 7}, iteration_method::next_key);

    std::set<u32> key_set;
    for (auto k : m.keys({.method = iteration_method::next_key})) key_set.insert(k);
    CHECK(key_set.size() == 10000);
    u64 sum = 0;
    for (auto v : m.values()) sum += v;
    CHECK(sum == u64{1000} * (9999u * 10000u / 2));

    // Composes with range-v3 views.
    auto even = m.items() | ranges::views::filter([](const auto& kv) { return kv.first % 2 == 0; }) |
                ranges::views::transform([](const auto& kv) { return kv.second; }) | ranges::to<std::vector>();
    CHECK(even.size() == 5000);
    CHECK(ranges::count_if(m.keys(), [](u32 k) { return k < 700; }) == 100);

    // An array: indices in order.
    auto a = array_map<u32, u32, 10000>::create();
    for (u32 i = 0; i < 10000; i += 3) a.update(i, i + 1);
    for (auto method : {iteration_method::batch, iteration_method::next_key}) {
        u32 expected = 0;
        bool ordered = true;
        for (auto [k, v] : a.items({.method = method})) {
            ordered = ordered && k == expected && v == (k % 3 == 0 ? k + 1 : 0);
            ++expected;
        }
        CHECK(ordered);
        CHECK(expected == 10000);
    }
}

TEST_CASE("maps: batch operations") {
    auto m = hash_map<u32, u32, 2048>::create();
    std::vector<u32> keys(1000), values(1000);
    for (u32 i = 0; i < 1000; ++i) keys[i] = i, values[i] = i + 5;
    m.update_batch(keys, values);
    CHECK(m.lookup(999) == u32{1004});
    // The kernel's batch update takes no noexist/exist.
    auto noexist = error_of([&] { m.update_batch(keys, values, update_flags::noexist); });
    CHECK(noexist.errnum() == EINVAL);
    CHECK(noexist.detail() == "nothing was written");
    CHECK(error_of([&] { m.update_batch(keys, std::span(values).first(10)); }).errnum() == EINVAL);

    // Deleting: absent keys are skipped and not counted.
    std::vector<u32> doomed{1, 2, 5000, 3, 6000, 7000, 4};
    CHECK(m.erase_batch(doomed) == 4);
    CHECK(!m.lookup(3).has_value());
    CHECK(m.erase_batch(doomed) == 0);

    auto drained = m.lookup_and_erase_batch();
    CHECK(drained.size() == 996);
    bool right = true;
    for (auto [k, v] : drained) right = right && v == k + 5;
    CHECK(right);
    CHECK(!m.lookup(999).has_value());
    CHECK(m.lookup_and_erase_batch().empty());

    // Arrays take batch updates too; lpm_trie takes them through the kernel's generic batch.
    auto a = array_map<u32, u64, 4>::create();
    std::vector<u32> ak{0, 3};
    std::vector<u64> av{10, 13};
    a.update_batch(ak, av);
    CHECK(a.lookup(3) == u64{13});
    CHECK(error_of([&] {
              std::vector<u32> past{4};
              a.update_batch(past, std::span(av).first(1));
          }).errnum() == E2BIG);
    auto l = lpm_trie<lpm_v4, u32, 8>::create();
    std::vector<lpm_v4> lk{{8, {10, 0, 0, 0}}, {16, {10, 1, 0, 0}}};
    std::vector<u32> lv{8, 16};
    l.update_batch(lk, lv);
    CHECK(l.lookup(lpm_v4{32, {10, 1, 1, 1}}) == u32{16});
    CHECK(l.erase_batch(lk) == 2);
}

TEST_CASE("maps: erasing each key as it is yielded drains the map, no key twice") {
    auto m = hash_map<u32, u32, 512>::create();
    for (u32 k = 0; k < 500; ++k) m.update(k, k);
    std::set<u32> seen;
    std::size_t n = 0;
    for (auto [k, v] : m.items({.method = iteration_method::next_key, .batch_size = 1})) {
        CHECK(v == k);
        seen.insert(k);
        ++n;
        m.erase(k);
    }
    CHECK(n == 500);
    CHECK(seen.size() == 500);
    CHECK(!m.lookup(0).has_value());
}

TEST_CASE("maps: iteration while another thread writes") {
    // Keys 0..4999 stay put; a writer thread adds and deletes keys
    // 5000..24999 as fast as it can. Values are always 3 × key.
    using churned = hash_map<u32, u64, 32768>;
    auto m = churned::create();
    for (u32 k = 0; k < 10000; ++k) m.update(k, u64{k} * 3);
    std::atomic<bool> stop{false};
    std::atomic<u64> writes{0};
    std::thread writer([&] {
        std::mt19937 rng(12345);
        std::uniform_int_distribution<u32> pick(5000, 24999);
        std::error_code ec;
        while (!stop.load(std::memory_order_relaxed)) {
            const u32 k = pick(rng);
            if (rng() % 2 != 0) m.update(k, u64{k} * 3, ec);
            else m.erase(k);
            writes.fetch_add(1, std::memory_order_relaxed);
        }
    });

    struct outcome {
        std::size_t items = 0, duplicates = 0, stable = 0;
        bool consistent = true;
    };
    const auto pass = [&](iteration_options opts) {
        outcome o;
        std::set<u32> seen;
        for (auto [k, v] : m.items(opts)) {
            o.consistent = o.consistent && v == u64{k} * 3;
            o.duplicates += seen.insert(k).second ? 0 : 1;
            o.stable += k < 5000 ? 1 : 0;
            ++o.items;
        }
        return o;
    };
    std::size_t fallback_stable = 0, fallback_rounds = 0, fallback_items = 0, fallback_duplicates = 0;
    for (int round = 0; round < 10; ++round) {
        for (auto opts : {iteration_options{}, iteration_options{.method = iteration_method::batch, .batch_size = 16}}) {
            const outcome o = pass(opts);
            CHECK(o.consistent);                    // every value read whole, with its key
            CHECK(o.items <= churned::max_entries); // the bound
            CHECK(o.duplicates == 0);               // batch: no key twice …
            CHECK(o.stable == 5000);                // … and every key that stayed put
        }
        for (auto opts : {iteration_options{.method = iteration_method::next_key},
                          iteration_options{.method = iteration_method::next_key, .batch_size = 1}}) {
            const outcome o = pass(opts);
            CHECK(o.consistent);
            CHECK(o.items <= churned::max_entries);
            fallback_stable += o.stable;
            fallback_items += o.items;
            fallback_duplicates += o.duplicates;
            ++fallback_rounds;
        }
    }
    // Get-next-key resumes from a surviving key when the kernel loses its
    // place: keys that stay put are (all but always) found, and a key comes
    // twice only through the kernel's own races (see iteration.hpp).
    MESSAGE("get-next-key found " << fallback_stable << " of " << fallback_rounds * 5000 << " stable keys; "
                                  << fallback_duplicates << " duplicates in " << fallback_items << " items");
    CHECK(fallback_stable >= fallback_rounds * 5000 * 99 / 100);
    CHECK(fallback_duplicates <= fallback_items / 10000);
    stop = true;
    writer.join();
    MESSAGE("concurrent writes during the iterations: " << writes.load());
    CHECK(writes.load() > 0);
}

// ---------------------------------------------------------------------------

TEST_CASE("maps: valid_map_flags agrees with the running kernel") {
    struct shape {
        map_type type;
        u32 key, value, max;
        map_flags required;
    };
    const shape shapes[] = {
        {map_type::hash, 4, 8, 4, map_flags::none},           {map_type::array, 4, 8, 4, map_flags::none},
        {map_type::prog_array, 4, 4, 4, map_flags::none},     {map_type::perf_event_array, 4, 4, 4, map_flags::none},
        {map_type::percpu_hash, 4, 8, 4, map_flags::none},    {map_type::percpu_array, 4, 8, 4, map_flags::none},
        {map_type::lru_hash, 4, 8, 4, map_flags::none},       {map_type::lru_percpu_hash, 4, 8, 4, map_flags::none},
        {map_type::lpm_trie, 8, 8, 4, map_flags::no_prealloc}, {map_type::array_of_maps, 4, 4, 4, map_flags::none},
        {map_type::hash_of_maps, 4, 4, 4, map_flags::none},   {map_type::devmap, 4, 4, 4, map_flags::none},
        {map_type::sockmap, 4, 4, 4, map_flags::none},        {map_type::cpumap, 4, 4, 2, map_flags::none},
        {map_type::xskmap, 4, 4, 4, map_flags::none},         {map_type::sockhash, 4, 4, 4, map_flags::none},
        {map_type::queue, 0, 8, 4, map_flags::none},          {map_type::stack, 0, 8, 4, map_flags::none},
        {map_type::devmap_hash, 4, 4, 4, map_flags::none},    {map_type::ringbuf, 0, 0, 4096, map_flags::none},
        {map_type::bloom_filter, 0, 8, 4, map_flags::none},
    };
    auto inner = array_map<u32, u64, 4>::create();
    for (const auto& s : shapes) {
        for (u32 bit = 0; bit <= 18; ++bit) {
            const auto flag = static_cast<map_flags>(1u << bit);
            if (flag == map_flags::token_fd) continue; // needs a BPF token
            sys::map_create_attr a{};
            a.map_type = static_cast<u32>(s.type);
            a.key_size = s.key;
            a.value_size = s.value;
            a.max_entries = s.max;
            a.map_flags = static_cast<u32>(s.required | flag);
            if (s.type == map_type::array_of_maps || s.type == map_type::hash_of_maps)
                a.inner_map_fd = static_cast<u32>(inner.fd());
            const long fd = sys::call(sys::cmd::map_create, a);
            unique_fd owned(static_cast<int>(fd));
            const bool kernel_accepts = fd >= 0;
            INFO(map_type_name(s.type) << " flag bit " << bit);
            CHECK(kernel_accepts == has(valid_map_flags(s.type), flag));
        }
    }
}

TEST_CASE("maps: a pinned program or link is not a map; an empty handle is EBADF") {
    // raw_map::open_pinned took a pinned program for a "hash map" of key_size 833221721
    // (the program's info read as a map's); typed open_pinned reported garbage sizes.
    pin_path p("a_program");
    const auto prog_fd = trivial_socket_filter();
    sys::pin(prog_fd.get(), p.path);
    const auto not_a_map = [](const bpfxx::error& e) {
        CHECK(e.errnum() == EINVAL);
        CHECK_MESSAGE(std::string_view(e.what()).find("not a map but a BPF program") != std::string_view::npos, e.what());
    };
    not_a_map(error_of([&] { (void)raw_map::open_pinned(p.path); }));
    not_a_map(error_of([&] { (void)counters::open_pinned(p.path); }));
    not_a_map(error_of([&] { (void)raw_map::from_fd(sys::get_pinned(p.path)); }));
    not_a_map(error_of([&] { (void)map<counters>::from_fd(sys::get_pinned(p.path)); }));

    map<counters> empty;
    raw_map raw_empty;
    for (const auto& e : {error_of([&] { (void)empty.info(); }), error_of([&] { (void)raw_empty.info(); }),
                          error_of([&] { empty.pin(p.path + "_empty"); }),
                          error_of([&] { raw_empty.pin(p.path + "_empty"); })}) {
        CHECK(e.errnum() == EBADF); // EBADFD (info) and EINVAL (pin) from the kernel before
        CHECK(std::string_view(e.what()).find("empty") != std::string_view::npos);
    }
    // a map pinned outside bpffs: the error names bpffs
    auto m = counters::create();
    const auto outside = error_of([&] { m.pin("/tmp/bpfxx_maps_outside_" + std::to_string(::getpid())); });
    CHECK(std::string_view(outside.what()).find("bpffs") != std::string_view::npos);
}

TEST_CASE("maps: no fd or mapping leaks, on success or on any error") {
    using shared = array_map<u32, u64, 64, map_options{.flags = map_flags::mmapable}>;
    using inner = array_map<u32, u64, 4>;
    pin_path p("leaks");
    auto pinned = counters::create({.pin = p.path});
    // Warm up what is read once and cached (possible CPUs).
    (void)sys::possible_cpus();
    bpfxx_test::expected_failures failures;
    const std::size_t fds = open_fds();
    const std::size_t maps = mappings();
    { // the count sees a mapped map, so that it can see one left behind
        auto s = shared::create();
        s.span()[0] = 1;
        CHECK(mappings() > maps);
    }
    CHECK(mappings() == maps);
    for (int i = 0; i < 2000; ++i) {
        {
            auto m = counters::create();
            m.update(1, 1);
            failures("update past max_entries", [&] { m.update(100, 1); });
            (void)m.lookup(1);
            std::error_code ec;
            failures.note("update past max_entries (error_code)", !m.update(100, 1, ec) && ec);
            for (auto [k, v] : m.items()) (void)k, (void)v;
        }
        failures("create with max_entries 0", [] { (void)counters::create({.max_entries = 0}); });
        failures("create with a bad name", [] { (void)counters::create({.name = "bad-name"}); });
        failures("create pinned in a missing directory",
                 [] { (void)counters::create({.pin = "/sys/fs/bpf/no_such_dir/x"}); });
        failures("open_pinned as another value type", [&] { (void)array_map<u32, u32, 16>::open_pinned(p.path); });
        failures("open_pinned of a missing pin", [&] { (void)counters::open_pinned(p.path + "_missing"); });
        failures("open_pinned as mmapable", [&] { (void)shared::open_pinned(p.path); });
        failures("from_id of an unused id", [] { (void)counters::from_id(0xfffffff0u); });
        failures("from_id as another map type", [&] { (void)hash_map<u32, u64, 16>::from_id(pinned.info().id); });
        (void)counters::open_pinned(p.path);
        {
            auto s = shared::create();
            s.span()[1] = 1;
            auto moved = std::move(s);
            moved.freeze();
            failures("a second freeze", [&] { moved.freeze(); });
        }
        {
            auto outer = array_of_maps<inner, 2>::create();
            failures("an inner map of another type",
                     [&] { outer.update(0, array_map<u32, u32, 4>::create()); });
        }
        failures("array_of_maps with max_entries 0", [] { (void)array_of_maps<inner, 2>::create({.max_entries = 0}); });
        {
            auto h = hash_map<u32, u32, 16>::create();
            for (auto k : h.keys({.method = iteration_method::next_key})) (void)k;
            (void)h.lookup_and_erase_batch();
            auto raw = raw_map::from_fd(h.release());
            failures("raw update with an empty key and value", [&] { raw.update({}, {}); });
        }
        failures("lookup in a ring buffer", [] {
            auto rb = raw_map::from_fd(ringbuf<4096>::create().release());
            std::vector<std::byte> v(8);
            rb.lookup({}, v);
        });
    }
    CHECK(open_fds() == fds);
    CHECK(mappings() == maps);
    // the failures the loop relies on all happened: 15 kinds, 2,000 times each
    CHECK(failures.unfailed() == "");
    CHECK(failures.attempts() == 2000 * 15);
}
