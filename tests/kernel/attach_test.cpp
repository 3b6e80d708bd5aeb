// Attach points against the kernel. Each kind: attach, see the program run
// (a counter map), detach by destruction, see it stop. Network attach points
// get real traffic on a veth pair between two namespaces the test makes
// (192.0.2.0/24, TEST-NET-1, never routed anywhere); tracing ones get
// syscalls and CPU time of this process. Failing attaches leave no fd behind.
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/cgroup.hpp>
#include <bpfxx/testing/netns.hpp>

#include "../common/fds.hpp"
#include "../common/kernel_env.hpp"

#include <doctest/doctest.h>

#include <dirent.h>

#include <functional>
#include <initializer_list>
#include <string_view>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

using namespace bpfxx::ops;

namespace {

namespace t = bpfxx::testing;

constexpr std::uint16_t test_port = 4242;

/// [0]: IPv4 UDP datagrams to test_port; [1]: every other packet.
using udp_counts = bpfxx::array_map<std::uint32_t, std::uint64_t, 2>;

/// Counts packets into udp_counts. `Data`/`End`: context offsets of the
/// packet pointers (xdp_md or __sk_buff); returns `Verdict`.
template <std::int16_t Data, std::int16_t End, std::int32_t Verdict>
constexpr auto udp_counter = bpfxx::assemble(
    ldx<std::uint32_t>(r2, r1, Data), ldx<std::uint32_t>(r3, r1, End),
    mov(r6, 1),
    mov(r4, r2), add(r4, 42), jgt(r4, r3, "count"_label),
    ldx<std::uint16_t>(r5, r2, 12), be16(r5), jne(r5, 0x0800, "count"_label),
    ldx<std::uint8_t>(r5, r2, 23), jne(r5, 17, "count"_label),
    ldx<std::uint16_t>(r5, r2, 36), be16(r5), jne(r5, test_port, "count"_label),
    mov(r6, 0),
    "count"_label,
    stx<std::uint32_t>(r10, -4, r6),
    mov(r2, r10), add(r2, -4),
    ld_map<udp_counts>(r1),
    call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),
    mov(r1, 1),
    atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label,
    mov(r0, Verdict),
    exit());

constexpr auto xdp_counter = udp_counter<0, 4, 2>;    // XDP_PASS
constexpr auto tc_counter = udp_counter<76, 80, -1>;  // TCX_NEXT / TC_ACT_UNSPEC: the next program runs too

/// [0]: the tgid to count; [1]: how often the program ran in it.
using pid_counts = bpfxx::array_map<std::uint32_t, std::uint64_t, 2>;

constexpr auto pid_counter = bpfxx::assemble(
    call(helper::get_current_pid_tgid), rsh(r0, 32), mov(r6, r0),
    st<std::uint32_t>(r10, -4, 0), mov(r2, r10), add(r2, -4),
    ld_map<pid_counts>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    ldx<std::uint64_t>(r1, r0, 0), jne(r1, r6, "out"_label),
    st<std::uint32_t>(r10, -4, 1), mov(r2, r10), add(r2, -4),
    ld_map<pid_counts>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label,
    mov(r0, 0),
    exit());

using bpfxx_test::open_fds;

/// Whether a kernel link with this id still exists.
bool link_exists(std::uint32_t id) {
    bpfxx::sys::id_attr a{};
    a.id = id;
    const long fd = bpfxx::sys::call(bpfxx::sys::cmd::link_get_fd_by_id, a);
    if (fd >= 0) ::close(static_cast<int>(fd));
    return fd >= 0;
}

/// Two hosts: this thread's namespace (bx0, 192.0.2.1) and `peer` (bx1, 192.0.2.2).
struct two_hosts {
    t::private_netns outer;
    t::netns peer;
    two_hosts() {
        t::create_veth("bx0", "bx1", peer);
        t::set_address("bx0", "192.0.2.1", 24);
        {
            t::enter_netns in(peer);
            t::link_up("bx1");
            t::set_address("bx1", "192.0.2.2", 24);
            t::wait_until_running("bx1");
        }
        t::wait_until_running("bx0");
    }
    /// `n` datagrams from the peer to 192.0.2.1:test_port; how many arrived.
    int send_to_outer(int n) {
        auto rx = t::udp_listener("192.0.2.1", test_port);
        {
            t::enter_netns in(peer);
            t::udp_send("192.0.2.1", test_port, n);
        }
        return t::udp_drain(rx.get(), n);
    }
    /// `n` datagrams from here to the peer (nobody listens there: counted on the way out).
    void send_to_peer(int n) { t::udp_send("192.0.2.2", test_port, n); }
};

/// Sends datagrams until one gets through, so that ARP is resolved (and the
/// new pair passes traffic) before a counted run.
void warm_up(two_hosts& h) {
    int tries = 0;
    while (h.send_to_outer(1) != 1) REQUIRE(++tries < 30);
}

} // namespace

TEST_CASE("attach_xdp: link on a veth, counts exactly the datagrams that arrive, stops when destroyed") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::attach_kind::xdp, bpfxx::probe::feature::link_xdp)) return;
    two_hosts h;
    warm_up(h);
    auto counts = udp_counts::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    std::uint32_t link_id = 0;
    {
        auto l = bpfxx::attach_xdp(p, "bx0");
        CHECK(l.is_kernel_link());
        CHECK(l.target().find("xdp on bx0") == 0);
        const auto info = l.info();
        link_id = info.id;
        CHECK(info.type == bpfxx::link_type::xdp);
        CHECK(info.ifindex == ::if_nametoindex("bx0"));
        CHECK(info.prog_id == p.id());
        CHECK(h.send_to_outer(40) == 40);
        CHECK(counts.lookup(0) == 40u);
        // a second program on the same interface is refused while the link holds it
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(p, "bx0"), bpfxx::error);
        CHECK(link_exists(link_id));
    }
    CHECK_FALSE(link_exists(link_id));
    CHECK(h.send_to_outer(25) == 25);
    CHECK(counts.lookup(0) == 40u);
}

TEST_CASE("attach_xdp: generic mode, by index, and the netlink path removes only its own program") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::xdp)) return;
    two_hosts h;
    warm_up(h);
    auto counts = udp_counts::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    const unsigned ifindex = ::if_nametoindex("bx0");
    {
        auto l = bpfxx::attach_xdp(p, ifindex, {.mode = bpfxx::xdp_mode::generic});
        CHECK(l.target().find("generic") != std::string::npos);
        CHECK(h.send_to_outer(10) == 10);
        CHECK(counts.lookup(0) == 10u);
    }
    {
        auto l = bpfxx::attach_xdp(p, "bx0", {.mode = bpfxx::xdp_mode::generic, .path = bpfxx::attach_path::legacy});
        CHECK_FALSE(l.is_kernel_link());
        CHECK_THROWS_AS((void)l.info(), bpfxx::error);
        CHECK_THROWS_AS(l.pin("/sys/fs/bpf/bpfxx_never"), bpfxx::error);
        CHECK(h.send_to_outer(10) == 10);
        CHECK(counts.lookup(0) == 20u);
        // without `replace`, a second netlink attach is refused
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(p, "bx0", {.mode = bpfxx::xdp_mode::generic,
                                                           .path = bpfxx::attach_path::legacy}),
                        bpfxx::error);
    }
    CHECK(h.send_to_outer(10) == 10);
    CHECK(counts.lookup(0) == 20u);
    // the interface is free again: a link can take it
    auto again = bpfxx::attach_xdp(p, "bx0");
    CHECK(h.send_to_outer(5) == 5);
    CHECK(counts.lookup(0) == 25u);
}

TEST_CASE("attach_xdp: update swaps the program atomically; detach() ends a pinned link") {
    if (!bpfxx_test::kernel_allows_all(bpfxx::attach_kind::xdp, bpfxx::probe::feature::link_xdp)) return;
    two_hosts h;
    warm_up(h);
    auto counts = udp_counts::create();
    auto first = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    auto second = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    auto l = bpfxx::attach_xdp(first, "bx0");
    l.update(second, &first);
    CHECK(l.info().prog_id == second.id());
    CHECK_THROWS_AS(l.update(first, &first), bpfxx::error); // `first` is no longer the one attached
    const std::string pin = "/sys/fs/bpf/bpfxx_test_xdp_link";
    ::unlink(pin.c_str());
    l.pin(pin);
    const auto id = l.info().id;
    {
        auto reopened = bpfxx::link::open_pinned(pin);
        CHECK(reopened.info().id == id);
    } // closing a pinned link's fd keeps it
    CHECK(link_exists(id));
    INFO("other packets seen by the program: ", counts.lookup(1).value_or(0));
    CHECK(h.send_to_outer(3) == 3);
    CHECK(counts.lookup(0) == 3u);
    l.detach();
    CHECK_FALSE(static_cast<bool>(l));
    CHECK(h.send_to_outer(3) == 3);
    CHECK(counts.lookup(0) == 3u);
    ::unlink(pin.c_str());
}

TEST_CASE("link: a pinned program is not a link; an empty link is EBADF") {
    // link::open_pinned took a pinned program, and info() read its info as a link's.
    auto counts = udp_counts::create();
    auto p = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    const std::string pin = "/sys/fs/bpf/bpfxx_test_prog_not_link_" + std::to_string(::getpid());
    ::unlink(pin.c_str());
    p.pin(pin);
    try {
        (void)bpfxx::link::open_pinned(pin);
        FAIL("opened a program as a link");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == EINVAL);
        CHECK_MESSAGE(std::string_view(e.what()).find("not a BPF link but a BPF program") != std::string_view::npos,
                      e.what());
    }
    ::unlink(pin.c_str());
    bpfxx::link empty;
    for (const auto& f : std::initializer_list<std::function<void()>>{
             [&] { (void)empty.info(); }, [&] { empty.pin(pin); }, [&] { empty.update(p); }}) {
        try {
            f();
            FAIL("no error");
        } catch (const bpfxx::error& e) {
            CHECK(e.errnum() == EBADF);
        }
    }
}

TEST_CASE("attach_tcx: ingress and egress counters on a veth, each stops when destroyed") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::tcx)) return;
    two_hosts h;
    warm_up(h);
    auto in_counts = udp_counts::create();
    auto out_counts = udp_counts::create();
    auto in_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, in_counts);
    auto out_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, out_counts);
    {
        auto in = bpfxx::attach_tcx(in_prog, "bx0", bpfxx::tc_direction::ingress);
        auto out = bpfxx::attach_tcx(out_prog, "bx0", bpfxx::tc_direction::egress);
        CHECK(in.target() == "tcx ingress on bx0 (ifindex " + std::to_string(::if_nametoindex("bx0")) + ")");
        CHECK(in.info().type == bpfxx::link_type::tcx);
        CHECK(in.info().attach_type == static_cast<std::uint32_t>(bpfxx::attach_type::tcx_ingress));
        CHECK(out.info().attach_type == static_cast<std::uint32_t>(bpfxx::attach_type::tcx_egress));
        CHECK(h.send_to_outer(30) == 30);
        h.send_to_peer(12);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        CHECK(in_counts.lookup(0) == 30u);
        CHECK(out_counts.lookup(0) == 12u);
        // a program is on a hook at most once
        CHECK_THROWS_AS((void)bpfxx::attach_tcx(in_prog, "bx0", bpfxx::tc_direction::ingress), bpfxx::error);
        // several programs per direction: another one first in line, one more right after it
        auto in_prog2 = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, in_counts);
        auto in_prog3 = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, in_counts);
        auto in2 = bpfxx::attach_tcx(in_prog2, "bx0", bpfxx::tc_direction::ingress,
                                     {.position = bpfxx::tcx_options::place::first});
        auto in3 = bpfxx::attach_tcx(in_prog3, "bx0", bpfxx::tc_direction::ingress,
                                     {.position = bpfxx::tcx_options::place::after, .relative = &in_prog2});
        CHECK(h.send_to_outer(5) == 5);
        CHECK(in_counts.lookup(0) == 45u); // all three ran on each datagram
    }
    CHECK(h.send_to_outer(7) == 7);
    h.send_to_peer(7);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(in_counts.lookup(0) == 45u);
    CHECK(out_counts.lookup(0) == 12u);
}

TEST_CASE("attach_tracepoint: syscalls/sys_enter_getppid counts this process's calls exactly") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::tracepoint)) return;
    auto counts = pid_counts::create();
    counts.update(0, static_cast<std::uint64_t>(::getpid()));
    auto p = bpfxx::load<bpfxx::prog_type::tracepoint>(pid_counter, counts);
    {
        auto l = bpfxx::attach_tracepoint(p, "syscalls/sys_enter_getppid");
        CHECK(l.target() == "tracepoint syscalls/sys_enter_getppid");
        CHECK(l.is_kernel_link() == bpfxx::probe::feature_supported(bpfxx::probe::feature::link_perf_event).supported);
        if (l.is_kernel_link()) CHECK(l.info().type == bpfxx::link_type::perf_event);
        for (int i = 0; i < 100; ++i) (void)::syscall(SYS_getppid);
        CHECK(counts.lookup(1) == 100u);
    }
    for (int i = 0; i < 100; ++i) (void)::syscall(SYS_getppid);
    CHECK(counts.lookup(1) == 100u);
    // the ioctl path does the same
    {
        auto l = bpfxx::attach_tracepoint(p, "syscalls/sys_enter_getppid", {.path = bpfxx::attach_path::legacy});
        CHECK_FALSE(l.is_kernel_link());
        for (int i = 0; i < 50; ++i) (void)::syscall(SYS_getppid);
        CHECK(counts.lookup(1) == 150u);
    }
    for (int i = 0; i < 50; ++i) (void)::syscall(SYS_getppid);
    CHECK(counts.lookup(1) == 150u);
}

TEST_CASE("attach_raw_tracepoint: sys_enter runs for this process's syscalls, and stops") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::raw_tracepoint)) return;
    auto counts = pid_counts::create();
    counts.update(0, static_cast<std::uint64_t>(::getpid()));
    auto p = bpfxx::load<bpfxx::prog_type::raw_tracepoint>(pid_counter, counts);
    {
        auto l = bpfxx::attach_raw_tracepoint(p, "sys_enter");
        CHECK(l.info().type == bpfxx::link_type::raw_tracepoint);
        for (int i = 0; i < 100; ++i) (void)::syscall(SYS_getppid);
        CHECK(counts.lookup(1).value_or(0) >= 100u);
        // Regression: a link reopened from a pin is "anon_inode:bpf-link", not
        // "bpf_link" as when created; open_pinned took it for no link at all.
        const std::string pin = "/sys/fs/bpf/bpfxx_test_raw_tp_link_" + std::to_string(::getpid());
        ::unlink(pin.c_str());
        l.pin(pin);
        {
            auto reopened = bpfxx::link::open_pinned(pin);
            CHECK(reopened.info().id == l.info().id);
            CHECK(bpfxx::sys::kind_of(reopened.fd()) == bpfxx::sys::object_kind::link);
        }
        ::unlink(pin.c_str());
    }
    const auto after = counts.lookup(1).value_or(0);
    for (int i = 0; i < 100; ++i) (void)::syscall(SYS_getppid);
    CHECK(counts.lookup(1) == after);
}

TEST_CASE("attach_cpu_clock: a perf_event program samples a busy thread on CPU 0") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::perf_event)) return;
    auto counts = pid_counts::create();
    counts.update(0, static_cast<std::uint64_t>(::getpid()));
    auto p = bpfxx::load<bpfxx::prog_type::perf_event>(pid_counter, counts);
    const auto spin_on_cpu0 = [](std::chrono::milliseconds d) {
        std::thread worker([d] {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(0, &set);
            (void)::sched_setaffinity(0, sizeof set, &set);
            const auto end = std::chrono::steady_clock::now() + d;
            volatile std::uint64_t x = 0;
            while (std::chrono::steady_clock::now() < end) x = x + 1;
        });
        worker.join();
    };
    {
        auto l = bpfxx::attach_cpu_clock(p, 0, 1000);
        CHECK(l.target() == "cpu-clock on cpu 0 at 1000 Hz");
        spin_on_cpu0(std::chrono::milliseconds(200));
        CHECK(counts.lookup(1).value_or(0) >= 20u); // 200 expected; a loaded VM steals some
    }
    const auto after = counts.lookup(1).value_or(0);
    spin_on_cpu0(std::chrono::milliseconds(100));
    CHECK(counts.lookup(1) == after);
}

TEST_CASE("attach: a program of the wrong type or an empty handle is refused before the kernel is asked") {
    auto counts = udp_counts::create();
    auto xdp = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    auto tc = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, counts);
    const bpfxx::prog empty;
    const auto refusal = [](auto&& attach) -> std::pair<int, std::string> {
        try {
            (void)attach();
        } catch (const bpfxx::error& e) {
            return {e.errnum(), e.what()};
        }
        return {0, ""};
    };
    const auto wrong = [&](auto&& attach, std::string_view expected) {
        const auto r = refusal(attach); // (not a structured binding: clang 14 cannot capture those in INFO)
        const std::string text = r.second;
        CHECK(r.first == EINVAL);
        INFO(text);
        CHECK(text.find(expected) != std::string::npos);
    };
    wrong([&] { return bpfxx::attach_xdp(tc, "lo"); }, "sched_cls program, not xdp");
    wrong([&] { return bpfxx::attach_tcx(xdp, "lo", bpfxx::tc_direction::ingress); }, "xdp program, not sched_cls");
    wrong([&] { return bpfxx::attach_tc(xdp, "lo", bpfxx::tc_direction::ingress); }, "xdp program, not sched_cls");
    wrong([&] { return bpfxx::attach_tc(xdp, "lo", bpfxx::tc_direction::ingress, {.path = bpfxx::attach_path::legacy}); },
          "xdp program, not sched_cls");
    wrong([&] { return bpfxx::attach_tracepoint(xdp, "syscalls/sys_enter_getppid"); }, "xdp program, not tracepoint");
    wrong([&] { return bpfxx::attach_uprobe(tc, "libc.so.6", "getpid"); }, "sched_cls program, not kprobe");
    wrong([&] { return bpfxx::attach_kprobe(tc, "do_sys_openat2"); }, "sched_cls program, not kprobe");
    // every allowed type is named
    wrong([&] { return bpfxx::attach_tcx(xdp, "lo", bpfxx::tc_direction::ingress); }, "not sched_cls or sched_act");
    wrong([&] { return bpfxx::attach_raw_tracepoint(xdp, "sys_enter"); },
          "xdp program, not raw_tracepoint or raw_tracepoint_writable");
    wrong([&] { return bpfxx::attach_cpu_clock(xdp, 0, 100); }, "xdp program, not perf_event, kprobe or tracepoint");
    const bpfxx::unique_fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    wrong([&] { return bpfxx::attach_socket(xdp, sock.get()); }, "xdp program, not socket_filter");
    {
        t::scratch_cgroup cg;
        wrong([&] { return bpfxx::attach_cgroup(xdp, cg.path(), bpfxx::attach_type::cgroup_inet_egress); },
              "xdp program, not cgroup_skb");
        wrong([&] { return bpfxx::attach_cgroup(xdp, cg.path(), bpfxx::attach_type::xdp); },
              "xdp is not a cgroup hook");
    }
    CHECK(refusal([&] { return bpfxx::attach_xdp(empty, "lo"); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_tcx(empty, "lo", bpfxx::tc_direction::egress); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_tc(empty, "lo", bpfxx::tc_direction::egress); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_tracepoint(empty, "syscalls/sys_enter_getppid"); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_uprobe(empty, "libc.so.6", "getpid"); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_raw_tracepoint(empty, "sys_enter"); }).first == EBADF);
    CHECK(refusal([&] { return bpfxx::attach_cpu_clock(empty, 0, 100); }).first == EBADF);
}

TEST_CASE("attach: every failing attach says why and leaves no fd behind") {
    auto counts = udp_counts::create();
    auto xdp = bpfxx::load<bpfxx::prog_type::xdp>(xdp_counter, counts);
    auto tc = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, counts);
    auto pids = pid_counts::create();
    auto tp = bpfxx::load<bpfxx::prog_type::tracepoint>(pid_counter, pids);
    t::private_netns ns;
    const auto before = open_fds();
    for (int i = 0; i < 100; ++i) {
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(xdp, "no_such_if0"), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(xdp, 9999u), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(xdp, 9999u, {.path = bpfxx::attach_path::legacy}), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_xdp(tc, "lo"), bpfxx::error); // wrong program type
        CHECK_THROWS_AS((void)bpfxx::attach_tcx(xdp, "lo", bpfxx::tc_direction::ingress), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_tcx(tc, 9999u, bpfxx::tc_direction::egress), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_tracepoint(tp, "no_such/tracepoint"), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_tracepoint(tp, "../../etc"), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_tracepoint(xdp, "syscalls/sys_enter_getppid"), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_raw_tracepoint(tp, "no_such_raw_tp"), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_raw_tracepoint(tp, "sys_enter"), bpfxx::error); // a tracepoint program
    }
    CHECK(open_fds() == before);
    try {
        (void)bpfxx::attach_tracepoint(tp, "no_such/tracepoint");
        FAIL("attaching to a tracepoint that does not exist succeeded");
    } catch (const bpfxx::error& e) {
        CHECK(e.errnum() == ENOENT);
        CHECK(std::string(e.what()).find("no such tracepoint") != std::string::npos);
    }
}

namespace {

using hits = bpfxx::array_map<std::uint32_t, std::uint64_t, 1>;

/// Counts its runs; returns 1 (allow) — right for every cgroup hook.
constexpr auto hit_counter = bpfxx::assemble(
    st<std::uint32_t>(r10, -4, 0), mov(r2, r10), add(r2, -4),
    ld_map<hits>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r1, 1), atomic_add<std::uint64_t>(r0, 0, r1),
    "out"_label,
    mov(r0, 1),
    exit());

/// Loads hit_counter as `type` for `where`, attaches it to a scratch cgroup,
/// runs `action` in the cgroup (attached) and again (detached); returns the
/// counts after each.
template <bpfxx::prog_type Type, class F>
std::pair<std::uint64_t, std::uint64_t> cgroup_hits(bpfxx::attach_type where, F action,
                                                    bpfxx::attach_path path = bpfxx::attach_path::automatic) {
    auto count = hits::create();
    auto p = bpfxx::load<Type>(hit_counter, {.expected_attach_type = where}, count);
    t::scratch_cgroup cg;
    {
        auto l = bpfxx::attach_cgroup(p, cg.path(), where, path);
        CHECK(l.target() == std::string(bpfxx::to_string(where)) + " on cgroup " + cg.path());
        if (path != bpfxx::attach_path::legacy && bpfxx_test::kernel_allows(bpfxx::probe::feature::link_cgroup))
            CHECK(l.info().type == bpfxx::link_type::cgroup);
        REQUIRE(cg.run(action) == 0);
    }
    const auto attached = count.lookup(0).value_or(0);
    REQUIRE(cg.run(action) == 0);
    return {attached, count.lookup(0).value_or(0)};
}

void udp_to_loopback(int n) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9); // discard: nobody listens, nothing comes back to the socket
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < n; ++i) (void)::sendto(s, "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(s);
}

} // namespace

TEST_CASE("attach_cgroup: skb egress counts the cgroup's packets, and stops") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::cgroup)) return;
    t::private_netns ns;
    const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_skb>(bpfxx::attach_type::cgroup_inet_egress,
                                                                      [] { udp_to_loopback(10); });
    CHECK(on == 10);
    CHECK(off == 10);
}

TEST_CASE("attach_cgroup: skb ingress, on the legacy path too") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::cgroup)) return;
    t::private_netns ns;
    const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_skb>(
        bpfxx::attach_type::cgroup_inet_ingress, [] { CHECK(t::udp_exchange(6) == 6); }, bpfxx::attach_path::legacy);
    CHECK(on == 6); // the receiving socket is the cgroup's
    CHECK(off == 6);
}

TEST_CASE("attach_cgroup: sock create, connect4, sysctl and device hooks") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::cgroup)) return;
    t::private_netns ns;
    if (bpfxx_test::kernel_allows(bpfxx::prog_type::cgroup_sock)) {
        const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_sock>(
            bpfxx::attach_type::cgroup_inet_sock_create, [] {
                for (int i = 0; i < 5; ++i) ::close(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            });
        CHECK(on == 5);
        CHECK(off == 5);
    }
    if (bpfxx_test::kernel_allows(bpfxx::prog_type::cgroup_sock_addr)) {
        const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_sock_addr>(
            bpfxx::attach_type::cgroup_inet4_connect, [] {
                const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                sockaddr_in to{};
                to.sin_family = AF_INET;
                to.sin_port = htons(9);
                to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                for (int i = 0; i < 3; ++i) (void)::connect(s, reinterpret_cast<const sockaddr*>(&to), sizeof to);
                ::close(s);
            });
        CHECK(on == 3);
        CHECK(off == 3);
    }
    if (bpfxx_test::kernel_allows(bpfxx::prog_type::cgroup_sysctl)) {
        const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_sysctl>(bpfxx::attach_type::cgroup_sysctl, [] {
            for (int i = 0; i < 4; ++i) {
                char buf[64];
                const int fd = ::open("/proc/sys/kernel/ostype", O_RDONLY | O_CLOEXEC);
                (void)!::read(fd, buf, sizeof buf);
                ::close(fd);
            }
        });
        CHECK(on == 4);
        CHECK(off == 4);
    }
    if (bpfxx_test::kernel_allows(bpfxx::prog_type::cgroup_device)) {
        const auto [on, off] = cgroup_hits<bpfxx::prog_type::cgroup_device>(bpfxx::attach_type::cgroup_device, [] {
            for (int i = 0; i < 2; ++i) ::close(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        });
        CHECK(on >= 2); // opening may check more than one access
        CHECK(off == on);
    }
}

TEST_CASE("attach_cgroup: a program of the wrong type, or a missing cgroup, is a clear error") {
    auto count = hits::create();
    auto skb = bpfxx::load<bpfxx::prog_type::cgroup_skb>(hit_counter, count);
    t::scratch_cgroup cg;
    const auto before = open_fds();
    for (int i = 0; i < 50; ++i) {
        CHECK_THROWS_AS((void)bpfxx::attach_cgroup(skb, cg.path(), bpfxx::attach_type::cgroup_sysctl), bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_cgroup(skb, cg.path() + "/missing", bpfxx::attach_type::cgroup_inet_egress),
                        bpfxx::error);
        CHECK_THROWS_AS((void)bpfxx::attach_cgroup(skb, "/proc/self", bpfxx::attach_type::cgroup_inet_egress,
                                                   bpfxx::attach_path::legacy),
                        bpfxx::error);
    }
    CHECK(open_fds() == before);
}

extern "C" [[gnu::noinline]] int bpfxx_test_uprobe_target(int x) {
    asm volatile("" ::: "memory"); // keep the call and the function
    return x * 3 + 1;
}

namespace {
int (*volatile uprobe_target)(int) = &bpfxx_test_uprobe_target;
} // namespace

TEST_CASE("elf: function symbols resolve to file offsets, in executables and shared libraries") {
    const auto self = bpfxx::elf::find_function("/proc/self/exe", "bpfxx_test_uprobe_target");
    REQUIRE(self.has_value());
    CHECK(self->size > 0);
    CHECK(self->file_offset > 0);
    CHECK_FALSE(bpfxx::elf::find_function("/proc/self/exe", "bpfxx_no_such_function").has_value());
    const auto libc = bpfxx::elf::find_library("libc.so.6");
    CHECK(libc.find("libc.so.6") != std::string::npos);
    CHECK(bpfxx::elf::function_offset(libc, "getpid") > 0);
    CHECK_THROWS_AS((void)bpfxx::elf::function_offset(libc, "bpfxx_no_such_function"), bpfxx::error);
    CHECK_THROWS_AS((void)bpfxx::elf::find_function("/proc/self/status", "x"), bpfxx::error); // not ELF
    CHECK_THROWS_AS((void)bpfxx::elf::find_library("libbpfxx_none.so.9"), bpfxx::error);
}

TEST_CASE("attach_uprobe: entry and return probes on a function of this binary count its calls") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::uprobe)) return;
    auto counts = pid_counts::create();
    counts.update(0, static_cast<std::uint64_t>(::getpid()));
    auto p = bpfxx::load<bpfxx::prog_type::kprobe>(pid_counter, counts);
    {
        auto entry = bpfxx::attach_uprobe(p, "/proc/self/exe", "bpfxx_test_uprobe_target");
        CHECK(entry.target().find("uprobe /") == 0);
        CHECK(entry.target().find(":bpfxx_test_uprobe_target") != std::string::npos);
        for (int i = 0; i < 25; ++i) CHECK(uprobe_target(i) == i * 3 + 1);
        CHECK(counts.lookup(1) == 25u);
        auto ret = bpfxx::attach_uprobe(p, "/proc/self/exe", "bpfxx_test_uprobe_target",
                                        {.retprobe = true, .pid = ::getpid()});
        CHECK(ret.target().find("uretprobe ") == 0);
        CHECK(ret.target().find(" in pid ") != std::string::npos);
        for (int i = 0; i < 10; ++i) (void)uprobe_target(i);
        CHECK(counts.lookup(1) == 45u); // entry and return: 2 each
    }
    for (int i = 0; i < 10; ++i) (void)uprobe_target(i);
    CHECK(counts.lookup(1) == 45u);
    // by offset, on a shared library: getpid in libc, this process only
    const auto libc = bpfxx::elf::find_library("libc.so.6");
    {
        auto l = bpfxx::attach_uprobe_at(p, libc, bpfxx::elf::function_offset(libc, "getpid"), {.pid = ::getpid()});
        for (int i = 0; i < 7; ++i) (void)::getpid();
        CHECK(counts.lookup(1) == 52u);
    }
    CHECK_THROWS_AS((void)bpfxx::attach_uprobe(p, "/proc/self/exe", "bpfxx_no_such_function"), bpfxx::error);
}

TEST_CASE("attach_kprobe: works where the kernel has kprobes, else says why") {
    auto counts = pid_counts::create();
    counts.update(0, static_cast<std::uint64_t>(::getpid()));
    auto p = bpfxx::load<bpfxx::prog_type::kprobe>(pid_counter, counts);
    // Decided apart from the code under test: does sysfs list a kprobe PMU?
    struct stat st{};
    const bool pmu = ::stat("/sys/bus/event_source/devices/kprobe/type", &st) == 0;
    CHECK(bpfxx::probe::attach_supported(bpfxx::attach_kind::kprobe).supported == pmu);
    if (!pmu) {
        try {
            (void)bpfxx::attach_kprobe(p, "__x64_sys_getppid");
            FAIL("attach_kprobe succeeded on a kernel without a kprobe PMU");
        } catch (const bpfxx::error& e) {
            CHECK(e.errnum() == EOPNOTSUPP);
            CHECK(std::string(e.what()).find("CONFIG_KPROBE_EVENTS") != std::string::npos);
        }
        bpfxx_test::skip("attach kprobe", "sysfs lists no kprobe PMU (/sys/bus/event_source/devices/kprobe)");
        MESSAGE("skipped: no kprobe PMU in sysfs; attach_kprobe's refusal was checked instead");
        return;
    }
    {
        auto l = bpfxx::attach_kprobe(p, "__x64_sys_getppid");
        for (int i = 0; i < 20; ++i) (void)::syscall(SYS_getppid);
        CHECK(counts.lookup(1) == 20u);
    }
    for (int i = 0; i < 20; ++i) (void)::syscall(SYS_getppid);
    CHECK(counts.lookup(1) == 20u);
}

TEST_CASE("probe::attach_supported: an answer with a reason for every attach kind") {
    for (std::size_t i = 0; i < bpfxx::attach_kind_count; ++i) {
        const auto kind = static_cast<bpfxx::attach_kind>(i);
        const auto s = bpfxx::probe::attach_supported(kind);
        INFO(bpfxx::to_string(kind), ": ", s.reason);
        CHECK(s.supported == s.reason.empty());
        CHECK_FALSE(bpfxx::to_string(kind).empty());
    }
    // The suite's baseline is there (a failure under BPFXX_REQUIRE_KERNEL=1 if not).
    using k = bpfxx::attach_kind;
    for (const auto kind : {k::socket, k::xdp, k::tc, k::tracepoint, k::uprobe, k::cgroup})
        CHECK(bpfxx_test::baseline(kind));
    (void)bpfxx_test::kernel_allows_all(k::socket, k::xdp, k::tc, k::tracepoint, k::uprobe, k::cgroup);
    CHECK_FALSE(bpfxx::probe::attach_supported(k::fentry)); // needs the BTF layer: not yet
}

namespace {
/// Whether `ifindex` has a clsact qdisc: creating one exclusively fails then
/// (and one made by the question is removed again).
bool has_clsact(unsigned ifindex) {
    namespace nl = bpfxx::sys::netlink;
    nl::request req(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
    req.put(bpfxx::detail::tc::message(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
    req.attr(TCA_KIND, "clsact");
    const auto r = nl::transact(req);
    if (r.error == EEXIST) return true;
    REQUIRE(r.error == 0);
    nl::request del(RTM_DELQDISC, 0);
    del.put(bpfxx::detail::tc::message(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
    REQUIRE(nl::transact(del).error == 0);
    return false;
}
} // namespace

TEST_CASE("attach_tc: the classic path (clsact + cls_bpf) counts, detaches and removes only what it made") {
    if (!bpfxx_test::kernel_allows(bpfxx::attach_kind::tc)) return;
    two_hosts h;
    warm_up(h);
    const unsigned ifindex = ::if_nametoindex("bx0");
    auto in_counts = udp_counts::create();
    auto out_counts = udp_counts::create();
    auto in_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, {.name = "bpfxx_in"}, in_counts);
    auto out_prog = bpfxx::load<bpfxx::prog_type::sched_cls>(tc_counter, out_counts);
    const bpfxx::tc_options classic{.path = bpfxx::attach_path::legacy};
    CHECK_FALSE(has_clsact(ifindex));
    {
        auto in = bpfxx::attach_tc(in_prog, "bx0", bpfxx::tc_direction::ingress, classic);
        auto out = bpfxx::attach_tc(out_prog, "bx0", bpfxx::tc_direction::egress, classic);
        CHECK_FALSE(in.is_kernel_link());
        CHECK(in.target().find("tc ingress on bx0") == 0);
        CHECK(in.target().find("cls_bpf priority 1") != std::string::npos);
        CHECK(h.send_to_outer(30) == 30);
        h.send_to_peer(12);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        CHECK(in_counts.lookup(0) == 30u);
        CHECK(out_counts.lookup(0) == 12u);
        // a second filter on the same hook takes the next free priority; both run (TC_ACT_UNSPEC)
        auto in2 = bpfxx::attach_tc(in_prog, "bx0", bpfxx::tc_direction::ingress, classic);
        CHECK(in2.target().find("cls_bpf priority 2") != std::string::npos);
        CHECK(h.send_to_outer(5) == 5);
        CHECK(in_counts.lookup(0) == 40u);
        // a taken priority asked for explicitly is an error
        CHECK_THROWS_AS((void)bpfxx::attach_tc(in_prog, "bx0", bpfxx::tc_direction::ingress,
                                               {.path = bpfxx::attach_path::legacy, .priority = 1}),
                        bpfxx::error);
        CHECK(has_clsact(ifindex));
    }
    CHECK(h.send_to_outer(7) == 7);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(in_counts.lookup(0) == 40u);
    CHECK_FALSE(has_clsact(ifindex)); // bpfxx made it, and removed it with its last filter

    // a qdisc that was there before stays
    {
        namespace nl = bpfxx::sys::netlink;
        nl::request req(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
        req.put(bpfxx::detail::tc::message(ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0));
        req.attr(TCA_KIND, "clsact");
        REQUIRE(nl::transact(req).error == 0);
    }
    {
        auto in = bpfxx::attach_tc(in_prog, ifindex, bpfxx::tc_direction::ingress, classic);
        CHECK(h.send_to_outer(2) == 2);
        CHECK(in_counts.lookup(0) == 42u);
    }
    CHECK(has_clsact(ifindex));
    // the automatic path is tcx where the kernel has tcx links, else classic
    auto automatic = bpfxx::attach_tc(in_prog, "bx0", bpfxx::tc_direction::ingress);
    const bool tcx = bpfxx::probe::feature_supported(bpfxx::probe::feature::link_tcx).supported;
    CHECK(automatic.is_kernel_link() == tcx);
    if (tcx) CHECK(automatic.info().type == bpfxx::link_type::tcx);
}
