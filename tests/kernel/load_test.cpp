// The load layer against the running kernel: loading, the verifier's verdict
// on rejected programs, test runs, info/ids/pins, feature probes, socket
// filters with real traffic, and no file descriptor left behind.
#include "../common/fds.hpp"
#include "../common/kernel_env.hpp"

#include <doctest/doctest.h>

#include <bpfxx/asm.hpp>
#include <bpfxx/attach.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/probe.hpp>
#include <bpfxx/testing/net.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bpf.h> // offsets of __sk_buff for the context tests

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace bpfxx::ops;
using bpfxx::prog_type;

namespace {

// Map descriptors of the tests. The typed maps of bpfxx/maps.hpp provide
// these; the tests make their maps with raw bpf() calls so that the load
// layer is tested on its own.
struct array_of_u64 {
    static constexpr auto type = bpfxx::map_type::array;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 4;
};
struct hash_of_u64 {
    static constexpr auto type = bpfxx::map_type::hash;
    static constexpr std::uint32_t key_size = 4;
    static constexpr std::uint32_t value_size = 8;
    static constexpr std::uint32_t max_entries = 4;
};

/// The smallest map handle `load` accepts: a descriptor type and an fd.
template <class M>
struct raw_map {
    using descriptor = M;
    bpfxx::unique_fd owned;

    raw_map() {
        bpfxx::sys::map_create_attr a{};
        a.map_type = static_cast<std::uint32_t>(M::type);
        a.key_size = M::key_size;
        a.value_size = M::value_size;
        a.max_entries = M::max_entries;
        owned = bpfxx::sys::call_fd(bpfxx::sys::cmd::map_create, a, "BPF_MAP_CREATE");
    }
    [[nodiscard]] int fd() const noexcept { return owned.get(); }

    void put(std::uint32_t key, std::uint64_t value) const {
        bpfxx::sys::map_elem_attr a{};
        a.map_fd = static_cast<std::uint32_t>(fd());
        a.key = bpfxx::sys::ptr(&key);
        a.value = bpfxx::sys::ptr(&value);
        bpfxx::sys::call_ok(bpfxx::sys::cmd::map_update_elem, a, "BPF_MAP_UPDATE_ELEM");
    }
    [[nodiscard]] std::uint32_t id() const { return bpfxx::sys::info_of<bpfxx::sys::map_info>(fd(), "info", "map").id; }
};

/// An Ethernet + IPv4 + UDP packet of `size` bytes, 127.0.0.1 to itself
/// (packet programs' test runs refuse IPv4 packets without a whole header).
std::vector<std::byte> packet(std::size_t size) {
    REQUIRE(size >= 14 + 20 + 8);
    std::vector<std::byte> p(size);
    for (std::size_t i = 0; i < size; ++i) p[i] = std::byte(static_cast<unsigned char>(i));
    const auto put = [&](std::size_t at, std::initializer_list<unsigned> bytes) {
        for (const unsigned b : bytes) p[at++] = std::byte(static_cast<unsigned char>(b));
    };
    const unsigned ip_len = static_cast<unsigned>(size - 14);
    const unsigned udp_len = ip_len - 20;
    put(12, {0x08, 0x00});                                                  // ETH_P_IP
    put(14, {0x45, 0, ip_len >> 8, ip_len & 0xff, 0, 0, 0, 0, 64, 17, 0, 0}); // IPv4, UDP
    put(26, {127, 0, 0, 1, 127, 0, 0, 1});
    put(34, {0x30, 0x39, 0x30, 0x39, udp_len >> 8, udp_len & 0xff, 0, 0});  // port 12345 to 12345
    return p;
}

using bpfxx_test::open_fds;

constexpr auto returns_42 = bpfxx::assemble(mov(r0, 42), exit());

// Exits without setting r0: "R0 !read_ok" at slot 2.
constexpr auto no_r0 = bpfxx::assemble(mov(r1, 1), add(r1, 2), exit());

// Returns 16 * A[0] + B[0], or 0xffff when a lookup fails: only right when
// each map went to its own fd_array slot.
constexpr auto two_maps = bpfxx::assemble(
    mov(r1, 0),
    stx<std::uint32_t>(r10, -4, r1),
    mov(r2, r10), add(r2, -4),
    ld_map<array_of_u64>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "fail"_label),
    ldx<std::uint64_t>(r6, r0, 0),
    mul(r6, 16),
    mov(r2, r10), add(r2, -4),
    ld_map<hash_of_u64>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "fail"_label),
    ldx<std::uint64_t>(r7, r0, 0),
    add(r6, r7),
    mov(r0, r6),
    exit(),
    "fail"_label,
    mov(r0, 0xffff),
    exit());

// The verifier's verdict, read from logs as the kernel writes them.
static_assert(bpfxx::read_verdict("0: R1=ctx() R10=fp0\n0: (b7) r1 = 1 ; R1_w=1\n1: (95) exit\nR0 !read_ok\n"
                                  "processed 2 insns (limit 1000000)\n")
                  .insn == 1);
static_assert(bpfxx::read_verdict("1: (95) exit\nR0 !read_ok\nprocessed 2 insns\n").reason == "R0 !read_ok");
static_assert(bpfxx::read_verdict("unreachable insn 3\nprocessed 0 insns\n").insn == 3);
static_assert(!bpfxx::read_verdict("processed 2 insns\n").insn);

} // namespace

TEST_CASE("load: a valid socket filter loads, and test_run returns its r0") {
    const auto p = bpfxx::load<prog_type::socket_filter>(returns_42, {.name = "returns_42"});
    CHECK(p.fd() >= 0);
    CHECK(p.type() == prog_type::socket_filter);
    CHECK(p.name() == "returns_42");
    CHECK(p.verifier_log().empty());

    const auto pkt = packet(64);
    const auto r = bpfxx::test_run(p, {.data = pkt});
    CHECK(r.retval == 42);
    // The packet comes back, but a program that does not see the link layer
    // (socket filters start at the network header) gets it zeroed.
    REQUIRE(r.data_out.size() == pkt.size());
    CHECK(std::all_of(r.data_out.begin(), r.data_out.begin() + 14, [](std::byte b) { return b == std::byte{0}; }));
    CHECK(std::equal(r.data_out.begin() + 14, r.data_out.end(), pkt.begin() + 14));
    CHECK(r.ctx_out.empty());
}

TEST_CASE("load: a program built at run time, with explicit fds") {
    const raw_map<array_of_u64> a;
    a.put(0, 5);
    std::vector<bpfxx::insn> insns;
    const auto add_items = [&](auto... items) {
        const auto piece = bpfxx::assemble(items...);
        insns.insert(insns.end(), piece.begin(), piece.end());
    };
    add_items(mov(r1, 0), stx<std::uint32_t>(r10, -4, r1), mov(r2, r10), add(r2, -4), ld_map_idx(r1, 0),
              call(helper::map_lookup_elem), jeq(r0, 0, +2), ldx<std::uint64_t>(r0, r0, 0), exit(), mov(r0, 99),
              exit());
    const std::array fds{a.fd()};
    const auto p = bpfxx::load(prog_type::socket_filter, insns, fds);
    CHECK(bpfxx::test_run(p, {.data = packet(64)}).retval == 5);
    const auto q = bpfxx::load<prog_type::socket_filter>(insns, fds, {.name = "runtime"});
    CHECK(q.name() == "runtime");
}

TEST_CASE("load: options reach the kernel; a requested log is kept") {
    const auto p = bpfxx::load<prog_type::socket_filter>(returns_42, {.name = "logged", .license = "Dual BSD/GPL",
                                                                       .log_level = 1});
    CHECK(p.verifier_log().find("processed 2 insns") != std::string::npos);
    const auto info = p.info();
    CHECK(info.gpl_compatible);
    CHECK(info.name == "logged");

    const auto proprietary = bpfxx::load<prog_type::socket_filter>(returns_42, {.license = "Proprietary"});
    CHECK_FALSE(proprietary.info().gpl_compatible);

    // Names follow the kernel's rules, checked before the call.
    for (const std::string_view bad : {"has space", "sixteen_chars_xx", "dash-ed"}) {
        CAPTURE(bad);
        try {
            (void)bpfxx::load<prog_type::socket_filter>(returns_42, {.name = bad});
            FAIL("an invalid name was accepted");
        } catch (const bpfxx::error& e) {
            CHECK(e.errnum() == EINVAL);
            CHECK(std::string_view(e.detail()).find("15 characters") != std::string_view::npos);
        }
    }
    CHECK(bpfxx::load<prog_type::socket_filter>(returns_42, {.name = "fifteen_chars.x"}).name() == "fifteen_chars.x");
}

TEST_CASE("load: a rejected program gives the verifier's words and our listing, marked") {
    try {
        (void)bpfxx::load<prog_type::socket_filter>(no_r0, {.name = "no_r0"});
        FAIL("the verifier accepted a program that never sets r0");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == EACCES);
        CHECK(e.operation() == "BPF_PROG_LOAD");
        CHECK(e.object() == "no_r0");
        const std::string_view what = e.what();
        const std::string_view detail = e.detail();
        CHECK(what.find("R0 !read_ok") != std::string_view::npos);
        CHECK(detail.starts_with("verifier: R0 !read_ok (instruction 2)\n"));
        CHECK(detail.find("--- verifier log ---\n") != std::string_view::npos);
        CHECK(detail.find("2: (95) exit") != std::string_view::npos); // the kernel's own text
        // Our listing, exit marked and nothing else.
        CHECK(detail.find("        0: r1 = 1\n") != std::string_view::npos);
        CHECK(detail.find("        1: r1 += 2\n") != std::string_view::npos);
        CHECK(detail.find(">>>     2: exit\n") != std::string_view::npos);
        CHECK(detail.find("\n>>> ") == detail.rfind("\n>>> ")); // one line marked
        CHECK(detail.find("verifier log") < detail.find(">>>     2: exit")); // log first, then the listing
    }

    // An uninitialised source register, in a program with a label.
    constexpr auto reads_r2 = bpfxx::assemble(mov(r0, 0), jeq(r1, 0, "out"_label), add(r0, r2), "out"_label, exit());
    try {
        (void)bpfxx::load<prog_type::socket_filter>(reads_r2);
        FAIL("the verifier accepted a read of r2");
    } catch (const bpfxx::error& e) {
        const std::string_view detail = e.detail();
        CHECK(e.object() == "socket_filter"); // no name given: the type
        CHECK(detail.find("R2 !read_ok") != std::string_view::npos);
        CHECK(detail.find(">>>     2: r0 += r2\n") != std::string_view::npos);
        CHECK(detail.find("    out:\n") != std::string_view::npos);
    }
}

TEST_CASE("load: a program referencing two maps gets both, in its own order") {
    const raw_map<array_of_u64> a;
    const raw_map<hash_of_u64> b;
    a.put(0, 7);
    b.put(0, 3);
    // Handles in the opposite order to the program's map list.
    const auto p = bpfxx::load<prog_type::socket_filter>(two_maps, b, a);
    CHECK(bpfxx::test_run(p, {.data = packet(64)}).retval == 7 * 16 + 3);
    const auto p2 = bpfxx::load<prog_type::socket_filter>(two_maps, {.name = "two_maps"}, a, b);
    CHECK(bpfxx::test_run(p2, {.data = packet(64)}).retval == 7 * 16 + 3);

    auto ids = p.info().map_ids;
    std::sort(ids.begin(), ids.end());
    std::vector<std::uint32_t> expected{a.id(), b.id()};
    std::sort(expected.begin(), expected.end());
    CHECK(ids == expected);

    // An empty handle is named before the kernel sees it.
    raw_map<hash_of_u64> moved;
    const auto keep = std::move(moved.owned);
    try {
        (void)bpfxx::load<prog_type::socket_filter>(two_maps, a, moved);
        FAIL("an empty map handle was accepted");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == EBADF);
        CHECK(std::string_view(e.detail()).find("fd_array[1]") != std::string_view::npos);
    }
}

TEST_CASE("load: map fds written into a copy where fd_array is missing, the same program otherwise") {
    const raw_map<array_of_u64> a;
    const raw_map<hash_of_u64> b;
    a.put(0, 5);
    b.put(0, 6);
    const auto before = two_maps.insns;
    const std::size_t fds = open_fds();
    for (const auto mode : {bpfxx::map_refs::patched, bpfxx::map_refs::automatic}) {
        const auto p = bpfxx::load<prog_type::socket_filter>(two_maps, {.map_references = mode}, b, a);
        CHECK(bpfxx::test_run(p, {.data = packet(64)}).retval == 5 * 16 + 6);
        auto ids = p.info().map_ids;
        std::sort(ids.begin(), ids.end());
        std::vector<std::uint32_t> expected{a.id(), b.id()};
        std::sort(expected.begin(), expected.end());
        CHECK(ids == expected);
    }
    CHECK(two_maps.insns == before); // the constant holds no fd
    CHECK(open_fds() == fds);

    // What the kernel saw, and what a rejection lists: the fds, not the indexes.
    constexpr auto bad = bpfxx::assemble(ld_map<array_of_u64>(r1), exit()); // exit without r0
    try {
        (void)bpfxx::load<prog_type::socket_filter>(bad, {.map_references = bpfxx::map_refs::patched}, a);
        FAIL("a program without r0 loaded");
    } catch (const bpfxx::error& e) {
        CHECK(e.detail().find("map_fd " + std::to_string(a.fd())) != std::string::npos);
        CHECK(e.detail().find("map_idx") == std::string::npos);
    }
    // An index beyond the maps given is refused before the kernel sees it.
    const std::vector<bpfxx::insn> dangling{bpfxx::make_insn(0x18, 1, bpfxx::pseudo::map_idx, 0, 3),
                                     bpfxx::make_insn(0, 0, 0, 0, 0), bpfxx::make_insn(0xb7, 0, 0, 0, 0),
                                     bpfxx::make_insn(0x95, 0, 0, 0, 0)};
    const int one[] = {a.fd()};
    try {
        (void)bpfxx::load(prog_type::socket_filter, dangling, one, {.map_references = bpfxx::map_refs::patched});
        FAIL("a reference to map 3 of 1 loaded");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == EINVAL);
        CHECK(std::string(e.what()).find("refers to map 3, but the load has 1 maps") != std::string::npos);
    }
    CHECK(open_fds() == fds);
}

TEST_CASE("load: the whole verifier log arrives, however long") {
    // 20,000 instructions, each one line or more at log level 2, then an exit
    // without r0: a log of megabytes, far beyond the first buffer.
    constexpr std::size_t n = 20000;
    std::vector<bpfxx::insn> insns;
    insns.push_back(mov(r1, 0));
    for (std::size_t i = 0; i < n; ++i) insns.push_back(add(r1, 1));
    insns.push_back(exit());
    try {
        (void)bpfxx::load<prog_type::socket_filter>(insns, {}, {.log_level = 2});
        FAIL("the verifier accepted a program that never sets r0");
    } catch (const bpfxx::error& e) {
        const std::string_view detail = e.detail();
        const auto log_begin = detail.find("--- verifier log ---\n");
        const auto log_end = detail.find("--- program");
        REQUIRE(log_begin != std::string_view::npos);
        REQUIRE(log_end != std::string_view::npos);
        const auto log = detail.substr(log_begin, log_end - log_begin);
        MESSAGE("verifier log of " << log.size() << " bytes");
        CHECK(log.size() > 1'000'000);
        // The head survived (the kernel keeps the tail of a short buffer) ...
        CHECK(log.find("0: (b7) r1 = 0") != std::string_view::npos);
        // ... every instruction is in it ...
        std::size_t lines = 0;
        for (auto at = log.find(": (07) r1 += 1"); at != std::string_view::npos; at = log.find(": (07) r1 += 1", at + 1))
            ++lines;
        CHECK(lines == n);
        // ... and so is the verdict, at the last slot.
        CHECK(log.find("R0 !read_ok") != std::string_view::npos);
        CHECK(detail.starts_with("verifier: R0 !read_ok (instruction 20001)"));
        CHECK(detail.find(">>> 20001: exit\n") != std::string_view::npos);
    }

    // From a first buffer of 200 bytes, too, the whole log arrives.
    try {
        (void)bpfxx::load<prog_type::socket_filter>(insns, {}, {.log_level = 1, .log_size_hint = 200});
        FAIL("accepted");
    } catch (const bpfxx::error& e) {
        const std::string_view detail = e.detail();
        CHECK(detail.find("--- verifier log ---\n0: R1=ctx() R10=fp0\n") != std::string_view::npos);
        CHECK(detail.find("R0 !read_ok") != std::string_view::npos);
    }
}

TEST_CASE("test_run: data out, context in and out, repeat and duration") {
    // A tc program that writes 0xab into byte 0 of the packet through direct
    // packet access and returns the mark from its context, plus one.
    constexpr int data = offsetof(__sk_buff, data);
    constexpr int data_end = offsetof(__sk_buff, data_end);
    constexpr int mark = offsetof(__sk_buff, mark);
    constexpr auto writes = bpfxx::assemble(
        ldx<std::uint32_t>(r6, r1, mark),
        ldx<std::uint32_t>(r2, r1, data),
        ldx<std::uint32_t>(r3, r1, data_end),
        mov(r4, r2), add(r4, 1),
        jgt(r4, r3, "out"_label),
        st<std::uint8_t>(r2, 0, 0xab),
        mov(r5, 9),
        stx<std::uint32_t>(r1, mark, r5),
        "out"_label,
        mov(r0, r6), add(r0, 1),
        exit());
    const auto p = bpfxx::load<prog_type::sched_cls>(writes, {.name = "writes"});

    auto pkt = packet(100);
    __sk_buff ctx{};
    ctx.mark = 41;
    const auto r = bpfxx::test_run(p, {.data = pkt, .ctx = std::as_bytes(std::span(&ctx, 1))});
    CHECK(r.retval == 42);
    REQUIRE(r.data_out.size() == pkt.size());
    CHECK(r.data_out[0] == std::byte{0xab});
    CHECK(std::equal(r.data_out.begin() + 1, r.data_out.end(), pkt.begin() + 1));
    REQUIRE(r.ctx_out.size() == sizeof(__sk_buff));
    __sk_buff out{};
    std::memcpy(&out, r.ctx_out.data(), sizeof out);
    CHECK(out.mark == 9);

    // Room too small for the packet: the kernel says how much it needs.
    const auto small = bpfxx::test_run(p, {.data = pkt, .data_out_size = 10});
    CHECK(small.data_out.size() == pkt.size());
    CHECK(small.data_out[0] == std::byte{0xab});

    // socket_filter returning skb->len, many times.
    constexpr auto len = bpfxx::assemble(ldx<std::uint32_t>(r0, r1, offsetof(__sk_buff, len)), exit());
    const auto lp = bpfxx::load<prog_type::socket_filter>(len);
    const auto many = bpfxx::test_run(lp, {.data = packet(77), .repeat = 100000});
    CHECK(many.retval == 77 - 14); // socket filters see the packet from its network header
    CHECK(many.duration.count() > 0);
    CHECK(many.duration.count() < 1'000'000);

    // The kernel's refusals are errors: a packet shorter than an Ethernet header.
    try {
        (void)bpfxx::test_run(lp, {.data = std::vector<std::byte>(5)});
        FAIL("a 5-byte packet was accepted");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == EINVAL);
        CHECK(e.operation() == "BPF_PROG_TEST_RUN");
    }
}

TEST_CASE("test_run: context-only program types, on a chosen CPU") {
    // raw_tracepoint: the context is the tracepoint's arguments; no context
    // comes back, and the run may be pinned to a CPU.
    constexpr auto first_arg = bpfxx::assemble(ldx<std::uint64_t>(r0, r1, 0), exit());
    if (bpfxx_test::kernel_allows(prog_type::raw_tracepoint)) {
        const auto rt = bpfxx::load<prog_type::raw_tracepoint>(first_arg);
        const std::array<std::uint64_t, 2> args{7, 8};
        const auto r = bpfxx::test_run(rt, {.ctx = std::as_bytes(std::span(args)), .cpu = 0});
        CHECK(r.retval == 7);
        CHECK(r.ctx_out.empty());
        CHECK(r.data_out.empty());
    }

    // syscall: the program may write its context, which comes back in
    // ctx_out; the caller's input stays as it was.
    constexpr auto writes_ctx = bpfxx::assemble(ldx<std::uint32_t>(r2, r1, 4), st<std::uint32_t>(r1, 0, 5),
                                                mov(r0, r2), exit());
    if (!bpfxx_test::kernel_allows(prog_type::syscall)) return;
    const auto sc = bpfxx::load<prog_type::syscall>(writes_ctx, {.prog_flags = bpfxx::prog_flags::sleepable});
    const std::array<std::uint32_t, 2> in{1, 2};
    const auto s = bpfxx::test_run(sc, {.ctx = std::as_bytes(std::span(in))});
    CHECK(s.retval == 2);
    REQUIRE(s.ctx_out.size() == sizeof in);
    std::array<std::uint32_t, 2> out{};
    std::memcpy(out.data(), s.ctx_out.data(), sizeof out);
    CHECK(out == std::array<std::uint32_t, 2>{5, 2});
    CHECK(in == std::array<std::uint32_t, 2>{1, 2});
}

TEST_CASE("prog: info, from_id, pin and open_pinned") {
    const raw_map<array_of_u64> a;
    const raw_map<hash_of_u64> b;
    const auto p = bpfxx::load<prog_type::socket_filter>(two_maps, {.name = "round_trip"}, a, b);
    const auto info = p.info();
    CHECK(info.id != 0);
    CHECK(info.id == p.id());
    CHECK(info.type == prog_type::socket_filter);
    CHECK(info.name == "round_trip");
    CHECK(info.xlated_size > 0);
    CHECK(info.xlated_size % 8 == 0);
    CHECK(info.jited_size > 0);
    CHECK(info.map_ids.size() == 2);
    CHECK(info.verified_insns > 0);
    REQUIRE(info.tag_hex.size() == 16);
    CHECK(info.tag_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(info.tag != std::array<std::byte, 8>{});
    std::string hex;
    for (const auto byte : info.tag) {
        hex += "0123456789abcdef"[std::to_integer<int>(byte) >> 4];
        hex += "0123456789abcdef"[std::to_integer<int>(byte) & 15];
    }
    CHECK(info.tag_hex == hex);

    const auto again = bpfxx::prog::from_id(info.id);
    CHECK(again.fd() != p.fd());
    CHECK(again.info().id == info.id);
    CHECK(again.name() == "round_trip");
    CHECK(again.type() == prog_type::socket_filter);
    CHECK(again.info().tag_hex == info.tag_hex);

    const std::string path = std::string(bpfxx::bpffs_root) + "/bpfxx_load_test_" + std::to_string(::getpid());
    p.pin(path);
    {
        const auto pinned = bpfxx::prog::open_pinned(path);
        CHECK(pinned.info().id == info.id);
        CHECK(pinned.name() == "round_trip");
        CHECK(bpfxx::test_run(pinned, {.data = packet(64)}).retval == 0xffff); // the hash map is empty
    }
    ::unlink(path.c_str());

    // A pinned map is not a program.
    const std::string map_path = path + "_map";
    bpfxx::sys::pin(a.fd(), map_path);
    CHECK_THROWS_WITH_AS((void)bpfxx::prog::open_pinned(map_path), doctest::Contains("not a BPF program"),
                         bpfxx::error);
    ::unlink(map_path.c_str());

    try {
        (void)bpfxx::prog::open_pinned(path);
        FAIL("opened a removed pin");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == ENOENT);
    }
    try {
        (void)bpfxx::prog::from_id(0xfffffff0u);
        FAIL("opened a program that does not exist");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == ENOENT);
    }

    // Move-only handle.
    auto moved = bpfxx::prog::from_id(info.id);
    const int fd = moved.fd();
    bpfxx::prog target = std::move(moved);
    CHECK(target.fd() == fd);
    CHECK(moved.fd() == -1); // NOLINT(bugprone-use-after-move): a moved-from handle is empty
    CHECK_FALSE(moved);
}

TEST_CASE("load: more than 1,000,000 instructions is E2BIG naming the limit, without a listing") {
    // The kernel's answer came with its log and our listing: 19 MB, and no word of the limit.
    std::vector<bpfxx::insn> insns(bpfxx::detail::loading::max_insns + 1, mov(r0, 0));
    insns.back() = exit();
    try {
        (void)bpfxx::load(prog_type::socket_filter, insns, {});
        FAIL("loaded");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == E2BIG);
        CHECK(std::string_view(e.what()).find("1000001 instructions") != std::string_view::npos);
        CHECK(std::string_view(e.what()).find("at most 1000000") != std::string_view::npos);
        CHECK(std::string_view(e.what()).size() < 400);
    }
}

TEST_CASE("prog: an empty handle and a path outside bpffs") {
    bpfxx::prog empty;
    for (const auto& f : std::initializer_list<std::function<void()>>{
             [&] { (void)empty.info(); }, [&] { (void)empty.id(); },
             [&] { empty.pin(std::string(bpfxx::bpffs_root) + "/bpfxx_empty_pin"); }}) {
        try {
            f();
            FAIL("no error");
        } catch (const bpfxx::error& e) {
            CHECK(e.errnum() == EBADF); // EBADFD and EINVAL from the kernel before
            CHECK(std::string_view(e.what()).find("empty") != std::string_view::npos);
        }
    }
    // /tmp is no bpffs: the kernel's EPERM (pin) and EACCES (get) say nothing of it
    const auto p = bpfxx::load<prog_type::socket_filter>(returns_42);
    const std::string outside = "/tmp/bpfxx_pin_outside_" + std::to_string(::getpid());
    ::unlink(outside.c_str());
    try {
        p.pin(outside);
        FAIL("pinned outside bpffs");
    } catch (const bpfxx::error& e) {
        CHECK(std::string_view(e.what()).find("bpffs") != std::string_view::npos);
        CHECK(std::string_view(e.what()).find("/tmp") != std::string_view::npos);
    }
    const std::string plain_file = outside + "_file";
    { std::ofstream(plain_file) << "not a pin"; }
    try {
        (void)bpfxx::prog::open_pinned(plain_file);
        FAIL("opened a plain file");
    } catch (const bpfxx::error& e) {
        CHECK(std::string_view(e.what()).find("bpffs") != std::string_view::npos);
    }
    ::unlink(plain_file.c_str());
}

TEST_CASE("probe: program types, map types and helpers") {
    namespace probe = bpfxx::probe;
    const auto sf = probe::prog_type_supported(prog_type::socket_filter);
    CHECK(sf.supported);
    CHECK_FALSE(sf.approximate);
    CHECK(sf.errnum == 0);
    CHECK(probe::prog_type_supported(prog_type::xdp));
    // Types that need an attach type or a flag to load at all: asked the way they load.
    for (const auto t : {prog_type::cgroup_sock_addr, prog_type::syscall})
        if (bpfxx_test::kernel_allows(t)) CHECK_FALSE(probe::prog_type_supported(t).approximate);

    const auto nonsense = probe::prog_type_supported(static_cast<prog_type>(9999));
    CHECK_FALSE(nonsense);
    CHECK(nonsense.errnum == EINVAL);
    CHECK(nonsense.approximate); // a value bpfxx does not know
    CHECK(nonsense.reason.find("EINVAL") != std::string::npos);
    CHECK_FALSE(probe::prog_type_supported(prog_type::unspec));

    CHECK(probe::map_type_supported(bpfxx::map_type::array));
    // Each map type is asked with parameters it accepts: an answer is either
    // yes, exactly, or a refusal with the kernel's errno in its words.
    for (const auto t : {bpfxx::map_type::ringbuf, bpfxx::map_type::queue, bpfxx::map_type::lpm_trie,
                         bpfxx::map_type::array_of_maps, bpfxx::map_type::sk_storage, bpfxx::map_type::task_storage,
                         bpfxx::map_type::bloom_filter, bpfxx::map_type::arena, bpfxx::map_type::cgroup_storage}) {
        CAPTURE(static_cast<int>(t));
        const auto s = probe::map_type_supported(t);
        CHECK_FALSE(s.approximate);
        if (!bpfxx_test::kernel_allows(t)) {
            CHECK(s.errnum != 0);
            CHECK(s.reason.find(bpfxx::errno_name(s.errnum)) != std::string::npos);
            CHECK(s.errnum != EINVAL); // EINVAL would mean the probe's own parameters were wrong
        }
    }
    const auto struct_ops = probe::map_type_supported(bpfxx::map_type::struct_ops);
    CHECK(struct_ops.supported);
    CHECK(struct_ops.approximate);
    const auto no_map = probe::map_type_supported(static_cast<bpfxx::map_type>(9999));
    CHECK_FALSE(no_map);
    CHECK(no_map.errnum == EINVAL);

    CHECK(probe::helper_supported(prog_type::socket_filter, bpfxx::helper::map_lookup_elem));
    CHECK(probe::helper_supported(prog_type::socket_filter, bpfxx::helper::ktime_get_ns));
    CHECK(probe::helper_supported(prog_type::xdp, bpfxx::helper::xdp_adjust_head));
    const auto store = probe::helper_supported(prog_type::socket_filter, bpfxx::helper::skb_store_bytes);
    CHECK_FALSE(store);
    CHECK(store.errnum == EINVAL);
    CHECK(store.reason.find("cannot use helper bpf_skb_store_bytes") != std::string::npos);
    const auto unknown = probe::helper_supported(prog_type::socket_filter, static_cast<bpfxx::helper>(5000));
    CHECK_FALSE(unknown);
    CHECK(unknown.reason.find("invalid func") != std::string::npos);
    const auto via_bad_type = probe::helper_supported(static_cast<prog_type>(9999), bpfxx::helper::map_lookup_elem);
    CHECK_FALSE(via_bad_type);
    CHECK(via_bad_type.errnum == EINVAL);

    // Cached: the same answers again, from many threads at once.
    std::atomic<int> disagreements{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (!probe::prog_type_supported(prog_type::socket_filter)) ++disagreements;
                if (probe::helper_supported(prog_type::socket_filter, bpfxx::helper::skb_store_bytes)) ++disagreements;
                if (!probe::map_type_supported(bpfxx::map_type::hash)) ++disagreements;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(disagreements == 0);

    // Every type this SDK names gets an answer with a reason when it is no.
    for (const auto& row : probe::matrix()) {
        INFO(row.what);
        CHECK(row.result.supported == row.result.reason.empty());
    }
}

TEST_CASE("probe: load-time and link features, each shown by a real call") {
    namespace probe = bpfxx::probe;
    using bpfxx::probe::feature;
    // bpf() and test runs are what this binary runs on at all.
    CHECK(probe::feature_supported(feature::bpf_syscall));
    CHECK(probe::feature_supported(feature::test_run));
    // Each answer agrees with what the kernel does when the feature is used.
    if (bpfxx_test::kernel_allows(feature::log_true_size)) {
        bpfxx::sys::prog_load_attr attr{};
        const auto prog = returns_42.insns;
        attr.prog_type = static_cast<std::uint32_t>(prog_type::socket_filter);
        attr.insn_cnt = static_cast<std::uint32_t>(prog.size());
        attr.insns = bpfxx::sys::ptr(prog.data());
        attr.license = bpfxx::sys::ptr("GPL");
        const auto a = bpfxx::detail::loading::attempt(attr, 1, 4096);
        REQUIRE(a.fd);
        CHECK(a.log_true_size == a.log.size() + 1);
    }
    if (bpfxx_test::kernel_allows(feature::btf_load)) {
        int err = 0;
        CHECK(bpfxx::detail::probing::int_btf(err));
    }
    if (bpfxx_test::kernel_allows(feature::fd_array)) {
        const raw_map<array_of_u64> a;
        const raw_map<hash_of_u64> h;
        a.put(0, 3);
        h.put(0, 4);
        auto p = bpfxx::load<prog_type::socket_filter>(two_maps, {.map_references = bpfxx::map_refs::fd_array}, a, h);
        CHECK(bpfxx::test_run(p, {.data = packet(64)}).retval == 16 * 3 + 4);
    }
    for (const auto f : {feature::link_cgroup, feature::link_xdp, feature::link_perf_event, feature::link_tcx}) {
        const auto s = probe::feature_supported(f);
        INFO(to_string(f), ": ", s.reason);
        CHECK(s.supported == s.reason.empty());
    }
}
namespace {
struct udp_pair {
    bpfxx::unique_fd receiver;
    bpfxx::unique_fd sender;
    sockaddr_in to{};

    udp_pair() {
        receiver = bpfxx::unique_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        sender = bpfxx::unique_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        REQUIRE(receiver);
        REQUIRE(sender);
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(receiver.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
        socklen_t len = sizeof to;
        REQUIRE(::getsockname(receiver.get(), reinterpret_cast<sockaddr*>(&to), &len) == 0);
    }

    /// Sends `n` datagrams and counts those that arrive.
    int exchange(int n) const {
        const char msg[] = "bpfxx";
        for (int i = 0; i < n; ++i)
            REQUIRE(::sendto(sender.get(), msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
                    static_cast<ssize_t>(sizeof msg));
        int got = 0;
        pollfd pfd{receiver.get(), POLLIN, 0};
        // Loopback delivers at once; the wait only bounds a lost packet.
        while (got < n && ::poll(&pfd, 1, 200) == 1) {
            char buf[64];
            while (::recv(receiver.get(), buf, sizeof buf, 0) > 0) ++got;
        }
        return got;
    }
};
} // namespace

TEST_CASE("attach_socket: a filter returning 0 drops everything; detaching restores delivery") {
    const bpfxx::testing::private_netns netns; // traffic of our own, on a loopback of our own
    constexpr auto drop_all = bpfxx::assemble(mov(r0, 0), exit());
    constexpr auto keep_all = bpfxx::assemble(mov(r0, -1), exit());
    const auto drop = bpfxx::load<prog_type::socket_filter>(drop_all, {.name = "drop_all"});
    const auto keep = bpfxx::load<prog_type::socket_filter>(keep_all, {.name = "keep_all"});
    const udp_pair net;

    CHECK(net.exchange(3) == 3);
    {
        const auto link = bpfxx::attach_socket(drop, net.receiver.get());
        CHECK(link.socket() == net.receiver.get());
        CHECK(net.exchange(3) == 0);
    }
    CHECK(net.exchange(3) == 3); // destroyed: detached

    // Explicit detach, moves, and a filter that keeps packets.
    auto link = bpfxx::attach_socket(drop, net.receiver.get());
    auto moved = std::move(link);
    CHECK_FALSE(link); // NOLINT(bugprone-use-after-move)
    CHECK(net.exchange(2) == 0);
    moved.detach();
    CHECK_FALSE(moved);
    CHECK(net.exchange(2) == 2);
    moved.detach(); // twice is harmless
    {
        const auto k = bpfxx::attach_socket(keep, net.receiver.get());
        CHECK(net.exchange(2) == 2);
    }

    // The program outlives its handle while attached: the kernel holds it.
    {
        auto dropper = bpfxx::load<prog_type::socket_filter>(drop_all);
        auto l = bpfxx::attach_socket(dropper, net.receiver.get());
        dropper = bpfxx::prog{};
        CHECK(net.exchange(2) == 0);
    }
    CHECK(net.exchange(2) == 2);

    // Not a socket: a program's fd.
    try {
        (void)bpfxx::attach_socket(drop, keep.fd());
        FAIL("attached to a program fd");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == ENOTSOCK);
    }
}

TEST_CASE("attach_socket: a link whose socket was closed leaves a new socket on the same fd alone") {
    const bpfxx::testing::private_netns netns;
    constexpr auto drop_all = bpfxx::assemble(mov(r0, 0), exit());
    const auto drop = bpfxx::load<prog_type::socket_filter>(drop_all);
    udp_pair first;
    const int old_fd = first.receiver.get();
    auto stale = bpfxx::attach_socket(drop, old_fd);
    first.receiver.reset(); // the socket goes, and its filter with it
    first.sender.reset();
    udp_pair second;
    CHECK(second.receiver.get() == old_fd); // POSIX: the lowest free number
    const auto fresh = bpfxx::attach_socket(drop, second.receiver.get());
    { const auto gone = std::move(stale); } // destroyed: must not detach `fresh`'s filter
    CHECK(second.exchange(2) == 0);
}

TEST_CASE("no fd leaks across thousands of loads, rejections and failures") {
    constexpr auto drop_all = bpfxx::assemble(mov(r0, 0), exit());
    const raw_map<array_of_u64> a;
    const raw_map<hash_of_u64> b;
    bpfxx_test::expected_failures failures;
    const auto before = open_fds();
    for (int i = 0; i < 2000; ++i) {
        {
            const auto p = bpfxx::load<prog_type::socket_filter>(two_maps, b, a);
            (void)bpfxx::test_run(p, {.data = packet(64)});
        }
        failures("load of a program that never sets r0",
                 [] { (void)bpfxx::load<prog_type::socket_filter>(no_r0); });
        if (i % 10 == 0) {
            failures("load with a bad name",
                     [&] { (void)bpfxx::load<prog_type::socket_filter>(drop_all, {.name = "bad name"}); });
            const auto p = bpfxx::load<prog_type::socket_filter>(drop_all);
            failures("test_run on a 5-byte packet",
                     [&] { (void)bpfxx::test_run(p, {.data = std::vector<std::byte>(5)}); });
            failures("attach_socket to a map", [&] { (void)bpfxx::attach_socket(p, a.fd()); });
            failures("open_pinned of a missing pin",
                     [] { (void)bpfxx::prog::open_pinned("/sys/fs/bpf/bpfxx_no_such_pin"); });
            failures("from_id of an unused id", [] { (void)bpfxx::prog::from_id(0xfffffff0u); });
        }
    }
    CHECK(open_fds() == before);
    // the failures the loop relies on all happened: 2,000 rejected loads, 200 of each other kind
    CHECK(failures.unfailed() == "");
    CHECK(failures.attempts() == 2000 + 200 * 5);
}
