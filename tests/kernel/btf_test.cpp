// The BTF layer against the running kernel: BPF_BTF_LOAD takes every blob
// the writer writes and refuses what the writer refuses; the kernel's own
// BTF read from sysfs and by id, written back (a 500-type subset, and all of
// it) and loaded; maps with BTF — a spin lock, a timer and a kptr, each end
// to end with programs — printed by bpftool with their member names;
// programs with BTF, shown by bpftool with their functions and lines; no fd
// left behind on any error path.
#include <bpfxx/asm.hpp>
#include <bpfxx/btf.hpp>
#include <bpfxx/load.hpp>
#include <bpfxx/maps.hpp>
#include <bpfxx/sys/bpf.hpp>

#include "../common/btf_samples.hpp"
#include "../common/errors.hpp"
#include "../common/fds.hpp"

#include <doctest/doctest.h>

#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace btf = bpfxx::btf;
using btf::kind;
using namespace bpfxx::ops;
using bpfxx_test::contains;
using bpfxx_test::error_of;
using bpfxx_test::open_fds;

namespace {

/// The output of a shell command, or nullopt if it failed.
std::optional<std::string> run(const std::string& cmd) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr) return std::nullopt;
    std::string out;
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    return ::pclose(p) == 0 ? std::optional<std::string>(out) : std::nullopt;
}

bool have_bpftool() { return std::system("bpftool version > /dev/null 2>&1") == 0; }

const std::array<std::byte, 64> packet{};

/// Whether the kernel refused a feature (rather than the test being wrong):
/// then the case is skipped with the kernel's answer.
bool refused_feature(const bpfxx::error& e) {
    return e.errnum() == EINVAL || e.errnum() == EOPNOTSUPP || e.errnum() == 524 || e.errnum() == EPERM ||
           e.errnum() == EACCES;
}

} // namespace

static_assert(sizeof(btf::detail::btf_info) == sizeof(bpf_btf_info));
static_assert(sizeof(btf::func_info) == sizeof(bpf_func_info));
static_assert(sizeof(btf::line_info) == sizeof(bpf_line_info));
static_assert(BPF_F_LOCK == static_cast<unsigned>(bpfxx::lookup_flags::lock));

// ---------------------------------------------------------------------------
// Loading blobs.

TEST_CASE("btf: BPF_BTF_LOAD accepts what the writer writes, and gives it back") {
    const bpfxx_test::every_kind b;
    const auto obj = btf::object::load(b.bytes);
    const auto info = obj.info();
    CHECK(info.id != 0);
    CHECK(info.size == b.bytes.size());
    CHECK_FALSE(info.kernel);
    CHECK(obj.bytes() == b.bytes);
    const auto back = btf::object::from_id(info.id).read();
    CHECK(back.size() == btf::types::parse(b.bytes).size());
    CHECK(back.find("node", kind::struct_));
}

TEST_CASE("btf: what the writer refuses, the kernel refuses too") {
    using bpfxx_test::info;
    struct bad_case {
        const char* what;
        bpfxx_test::raw_blob blob;
        btf::rule rule;
    };
    std::vector<bad_case> cases;
    {
        bpfxx_test::raw_blob r;
        const auto i = r.str("int");
        r.rec({i, info(kind::int_), 4, 32});
        r.rec({r.str("s"), info(kind::struct_, 1), 4, r.str("m"), 1, 8}); // 4 bytes at byte 1 of 4
        cases.push_back({"member beyond size", r, btf::rule::member_beyond_size});
    }
    {
        bpfxx_test::raw_blob r;
        r.rec({r.str("int"), info(kind::int_), 4, 32});
        r.rec({r.str("s"), info(kind::struct_, 2), 8, r.str("a"), 1, 32, r.str("b"), 1, 0});
        cases.push_back({"decreasing offsets", r, btf::rule::member_offset_decreasing});
    }
    {
        bpfxx_test::raw_blob r;
        r.rec({r.str("int"), info(kind::int_), 4, 32});
        r.rec({r.str("bad name"), info(kind::typedef_), 1});
        cases.push_back({"bad name", r, btf::rule::name_not_identifier});
    }
    {
        bpfxx_test::raw_blob r;
        r.rec({r.str("a"), info(kind::typedef_), 2});
        r.rec({0, info(kind::const_), 1});
        cases.push_back({"loop", r, btf::rule::loop});
    }
    {
        bpfxx_test::raw_blob r;
        r.rec({r.str("int"), info(kind::int_), 4, 32});
        r.strings[0] = 'x';
        cases.push_back({"string section start", r, btf::rule::name_missing});
    }
    const auto before = open_fds();
    for (const auto& c : cases) {
        INFO(c.what);
        const auto bytes = c.blob.bytes();
        const auto e = error_of([&] { (void)btf::object::load(bytes); });
        CHECK((e.errnum() == EINVAL || (c.rule == btf::rule::loop && e.errnum() == EEXIST))); // "Loop detected" is EEXIST
        CHECK(contains(e.detail(), "--- BTF log ---"));
        // the writer: copying the blob's types into it runs its checks (the
        // last case is refused by the reader already)
        if (std::string_view(c.what) == "string section start") {
            CHECK(error_of([&] { (void)btf::types::parse(bytes); }).errnum() == EINVAL);
            continue;
        }
        const auto t = btf::types::parse(bytes);
        const auto w = error_of([&] {
            btf::writer out;
            btf::type_copier copy(t, out);
            for (std::uint32_t id = 1; id < t.size(); ++id) copy(id);
            out.validate();
        });
        CHECK(w.detail() == btf::rule_text(c.rule));
    }
    CHECK(open_fds() == before);
}

// ---------------------------------------------------------------------------
// The kernel's own BTF.

TEST_CASE("btf: vmlinux from sysfs and by id are the same; lookups work on it") {
    const auto v = btf::vmlinux();
    REQUIRE(v.size() > 1000);
    const auto task = v.find("task_struct", kind::struct_);
    REQUIRE(task);
    CHECK(task->size() > 1000);
    CHECK_FALSE(v.find("bpfxx_no_such_type"));

    // the kernel's BTF objects: vmlinux first
    std::optional<btf::object> kernel;
    for (std::uint32_t id = 0;;) {
        bpfxx::sys::id_attr a{};
        a.id = id;
        if (bpfxx::sys::call(bpfxx::sys::cmd::btf_get_next_id, a) < 0) break;
        id = a.next_id;
        auto obj = btf::object::from_id(id);
        if (obj.info().name == "vmlinux") {
            kernel = std::move(obj);
            break;
        }
    }
    REQUIRE(kernel);
    CHECK(kernel->info().kernel);
    const auto bytes = kernel->bytes();
    REQUIRE(bytes.size() == v.bytes().size());
    CHECK(std::equal(bytes.begin(), bytes.end(), v.bytes().begin()));

    const auto& k = btf::kernel();
    const auto from_pid = btf::function_id(k, "bpf_task_from_pid");
    REQUIRE(from_pid);
    CHECK(btf::print(k[*from_pid]) == "static struct task_struct *bpf_task_from_pid(s32 pid);\n");
    const auto tp = btf::tracepoint_proto(k, "sched_switch");
    REQUIRE(tp);
    REQUIRE(tp->params().size() >= 4);
    CHECK(btf::declaration(tp->params()[2].type) == "struct task_struct *");
    const auto pid = btf::member_at(k, "task_struct", "pid");
    REQUIRE(pid);
    CHECK(pid->type.resolved().name() == "int");
    CHECK(pid->byte_offset() > 0);
    CHECK(btf::member_at(k, "sk_buff", "len")); // inside sk_buff's anonymous unions
    CHECK(btf::print(*k.find("iphdr", kind::struct_)).starts_with("struct iphdr {\n"));
}

TEST_CASE("btf: the kernel's types written back — a 500-type subset, and all of them — load") {
    const auto& k = btf::kernel();
    {
        btf::writer w;
        btf::type_copier copy(k, w);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> picked;
        const std::uint32_t stride = k.size() / 500;
        for (std::uint32_t id = 1; picked.size() < 500; id += stride) picked.emplace_back(id, copy(id));
        const auto blob = w.bytes();
        MESSAGE("500 types of vmlinux with what they refer to: " << w.count() << " types, " << blob.size() << " bytes");
        const auto obj = btf::object::load(blob);
        CHECK(obj.id() != 0);
        const auto back = btf::types::parse(blob);
        for (const auto& pick : picked) {
            INFO("vmlinux type " << pick.first); // (no structured binding: clang 14 cannot capture one in INFO)
            CHECK(btf::print(back[pick.second]) == btf::print(k[pick.first]));
        }
    }
    btf::writer all;
    btf::type_copier copy(k, all);
    for (std::uint32_t id = 1; id < k.size(); ++id) copy(id);
    const auto blob = all.bytes();
    const auto obj = btf::object::load(blob);
    CHECK(obj.id() != 0);
    CHECK(all.count() == k.size() - 1);
}

// ---------------------------------------------------------------------------
// Maps with BTF.

namespace {
struct counter {
    BOOST_HANA_DEFINE_STRUCT(counter, (btf::spin_lock, lock), (std::uint64_t, hits));
};
using locked = bpfxx::with_btf<bpfxx::hash_map<std::uint32_t, counter, 4, bpfxx::map_options{.name = "bpfxx_locked"}>>;
using unlocked = bpfxx::hash_map<std::uint32_t, counter, 4>;

constexpr auto lock_and_count = bpfxx::assemble(
    mov(r1, 0), stx<std::uint32_t>(r10, -4, r1), mov(r2, r10), add(r2, -4),
    ld_map<locked>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r6, r0),
    mov(r1, r6), call(helper::spin_lock),
    ldx<std::uint64_t>(r1, r6, 8), add(r1, 1), stx<std::uint64_t>(r6, 8, r1),
    mov(r1, r6), call(helper::spin_unlock),
    "out"_label, mov(r0, 0), exit());
} // namespace

TEST_CASE("btf maps: a bpf_spin_lock in the value — update and lookup under it, a program taking it") {
    static_assert(locked::btf_key_type_id != 0 && locked::btf_value_type_id != 0);
    // without BTF the kernel knows of no lock in the value
    auto plain = unlocked::create();
    CHECK(error_of([&] { plain.update(0, counter{}, bpfxx::update_flags::lock); }).errnum() == EINVAL);

    auto m = locked::create();
    const auto info = m.info();
    CHECK(info.btf_id != 0);
    CHECK(info.btf_key_type_id == locked::btf_key_type_id);
    CHECK(info.btf_value_type_id == locked::btf_value_type_id);
    m.update(0, counter{{}, 5}, bpfxx::update_flags::lock);
    CHECK(m.lookup(0, bpfxx::lookup_flags::lock)->hits == 5);

    auto p = bpfxx::load<bpfxx::prog_type::sched_cls>(lock_and_count, m);
    std::thread user([&] {
        for (int i = 0; i < 200; ++i) (void)m.lookup(0, bpfxx::lookup_flags::lock); // concurrently, under the lock
    });
    const auto r = bpfxx::test_run(p, {.data = packet, .repeat = 1000});
    user.join();
    CHECK(r.retval == 0);
    const auto v = m.lookup(0, bpfxx::lookup_flags::lock);
    REQUIRE(v);
    CHECK(v->hits == 1005);
    CHECK(v->lock.val == 0); // the kernel hides the lock

    // the map's BTF, read back by id
    const auto t = btf::object::from_id(info.btf_id).read();
    CHECK(t[info.btf_value_type_id].name() == "counter");
    CHECK(btf::print(t[info.btf_value_type_id]) == "struct counter {\n\tstruct bpf_spin_lock lock;\n\tunsigned long hits;\n};\n");

    if (!have_bpftool()) {
        MESSAGE("bpftool not found: its dump is not checked");
        return;
    }
    const auto dump = run("bpftool map dump id " + std::to_string(info.id));
    REQUIRE(dump);
    INFO(*dump);
    CHECK(contains(*dump, "\"hits\": 1005"));
    CHECK(contains(*dump, "\"lock\""));
}

namespace {
struct timed {
    BOOST_HANA_DEFINE_STRUCT(timed, (btf::timer, t), (std::uint64_t, fired));
};
using timers = bpfxx::with_btf<bpfxx::array_map<std::uint32_t, timed, 1, bpfxx::map_options{.name = "bpfxx_timers"}>>;

constexpr auto arm_timer = bpfxx::assemble(
    mov(r1, 0), stx<std::uint32_t>(r10, -4, r1), mov(r2, r10), add(r2, -4),
    ld_map<timers>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
    mov(r6, r0),
    mov(r1, r6), ld_map<timers>(r2), mov(r3, 1), call(helper::timer_init), // CLOCK_MONOTONIC
    mov(r1, r6), ld_func(r2, "fire"_label), call(helper::timer_set_callback),
    mov(r1, r6), mov(r2, 1000), mov(r3, 0), call(helper::timer_start), // in 1 µs
    "out"_label, mov(r0, 0), exit(),
    "fire"_label, // (map, key, value)
    mov(r1, 42), stx<std::uint64_t>(r3, 16, r1), mov(r0, 0), exit());
} // namespace

TEST_CASE("btf maps: a bpf_timer in the value, armed by a program, fires its callback") {
    std::optional<bpfxx::map<timers>> m;
    std::optional<bpfxx::prog> p;
    const auto dbg = btf::debug_info(arm_timer, {.name = "arm"});
    try {
        m = timers::create();
        p = bpfxx::load<bpfxx::prog_type::sched_cls>(arm_timer, dbg, {.name = "arm"}, *m);
    } catch (const bpfxx::error& e) {
        if (!refused_feature(e)) throw;
        MESSAGE("the kernel refuses bpf_timer here: " << e.what());
        return;
    }
    CHECK(bpfxx::test_run(*p, {.data = packet}).retval == 0);
    bool fired = false;
    for (int i = 0; i < 1000 && !fired; ++i) {
        fired = m->lookup(0)->fired == 42;
        if (!fired) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(fired);
    CHECK(m->lookup(0)->t.opaque[0] == 0); // the kernel hides the timer
}

namespace {
struct held {
    BOOST_HANA_DEFINE_STRUCT(held, (btf::kptr<"task_struct">, task), (std::uint64_t, stored));
};
using kptrs = bpfxx::with_btf<bpfxx::array_map<std::uint32_t, held, 1, bpfxx::map_options{.name = "bpfxx_kptrs"}>>;
// the kernel takes no spin lock in per-CPU values
using percpu_locked = bpfxx::with_btf<bpfxx::percpu_array<std::uint32_t, counter, 1>>;

/// Takes a reference to task `pid` (bpf_task_from_pid) and moves it into the
/// map (bpf_kptr_xchg), releasing what was there; returns 1 if stored.
auto store_task(std::int32_t from_pid, std::int32_t release, std::int32_t pid) {
    return bpfxx::assemble(
        mov(r1, 0), stx<std::uint32_t>(r10, -4, r1), mov(r2, r10), add(r2, -4),
        ld_map<kptrs>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "out"_label),
        mov(r6, r0),
        mov(r1, pid), call_kfunc(from_pid), jeq(r0, 0, "out"_label),
        mov(r2, r0), mov(r1, r6), call(helper::kptr_xchg),
        jeq(r0, 0, "stored"_label),
        mov(r1, r0), call_kfunc(release),
        "stored"_label, mov(r0, 1), exit(),
        "out"_label, mov(r0, 0), exit());
}
/// Moves the task out of the map; returns its pid (read at the offset the
/// kernel's BTF gives), or 0xffff if the map held none.
auto take_task(std::int32_t release, std::int16_t pid_offset) {
    return bpfxx::assemble(
        mov(r1, 0), stx<std::uint32_t>(r10, -4, r1), mov(r2, r10), add(r2, -4),
        ld_map<kptrs>(r1), call(helper::map_lookup_elem), jeq(r0, 0, "none"_label),
        mov(r1, r0), mov(r2, 0), call(helper::kptr_xchg),
        jeq(r0, 0, "none"_label),
        mov(r6, r0), ldx<std::uint32_t>(r7, r6, pid_offset),
        mov(r1, r6), call_kfunc(release), mov(r0, r7), exit(),
        "none"_label, mov(r0, 0xffff), exit());
}
} // namespace

TEST_CASE("btf maps: a kptr in the value, filled and emptied by programs with bpf_kptr_xchg") {
    const auto& k = btf::kernel();
    const auto from_pid = btf::function_id(k, "bpf_task_from_pid");
    const auto release = btf::function_id(k, "bpf_task_release");
    const auto pid = btf::member_at(k, "task_struct", "pid");
    if (!from_pid || !release || !pid) {
        MESSAGE("this kernel's BTF has no bpf_task_from_pid/bpf_task_release: skipped");
        return;
    }
    std::optional<bpfxx::map<kptrs>> m;
    std::optional<bpfxx::prog> store, take;
    try {
        m = kptrs::create();
        store = bpfxx::load<bpfxx::prog_type::sched_cls>(
            store_task(static_cast<std::int32_t>(*from_pid), static_cast<std::int32_t>(*release), ::getpid()), *m);
        take = bpfxx::load<bpfxx::prog_type::sched_cls>(
            take_task(static_cast<std::int32_t>(*release), static_cast<std::int16_t>(pid->byte_offset())), *m);
    } catch (const bpfxx::error& e) {
        if (!refused_feature(e)) throw;
        MESSAGE("the kernel refuses kptrs (or these kfuncs in tc programs) here: " << e.what());
        return;
    }
    CHECK(bpfxx::test_run(*store, {.data = packet}).retval == 1);
    if (have_bpftool()) {
        const auto dump = run("bpftool map dump id " + std::to_string(m->info().id));
        REQUIRE(dump);
        INFO(*dump);
        CHECK(contains(*dump, "\"task\""));
        CHECK(contains(*dump, "\"stored\""));
    }
    CHECK(bpfxx::test_run(*take, {.data = packet}).retval == static_cast<std::uint32_t>(::getpid()));
    CHECK(bpfxx::test_run(*take, {.data = packet}).retval == 0xffff); // taken: the map holds none
    CHECK(bpfxx::test_run(*store, {.data = packet}).retval == 1);       // the map releases it when freed
}

TEST_CASE("btf maps: no fd is left behind when creating a map with BTF fails") {
    const auto before = open_fds();
    // the BTF loads, the map does not
    CHECK(error_of([] { (void)locked::create({.max_entries = 0}); }).errnum() == EINVAL);
    // the BTF loads, the kernel refuses a lock in a per-CPU value
    const auto e = error_of([] { (void)percpu_locked::create(); });
    CHECK(e.errnum() != 0);
    CHECK(e.operation() == "BPF_MAP_CREATE");
    CHECK(error_of([] {
              const std::array<std::byte, 8> junk{};
              (void)btf::object::load(junk);
          }).errnum() == EINVAL);
    CHECK(open_fds() == before);
}

// ---------------------------------------------------------------------------
// Programs with BTF.

namespace {
constexpr auto with_subprograms = bpfxx::assemble(
    mov(r6, r1),
    call("twice"_label),
    mov(r1, r0), call("twice"_label),
    exit(),
    "twice"_label, mov(r0, 21), add(r0, r0), exit());
} // namespace

TEST_CASE("btf programs: func_info and line_info, as the kernel keeps them and bpftool prints them") {
    const auto dbg = btf::debug_info(with_subprograms, {.name = "entry"});
    const auto p = bpfxx::load<bpfxx::prog_type::socket_filter>(with_subprograms, dbg, {.name = "entry"});
    CHECK(bpfxx::test_run(p, {.data = packet}).retval == 42);
    const auto info = p.info();
    CHECK(info.btf_id != 0);
    const auto raw = bpfxx::sys::info_of<bpfxx::sys::prog_info>(p.fd(), "BPF_OBJ_GET_INFO_BY_FD", "prog");
    CHECK(raw.nr_func_info == 2);
    CHECK(raw.nr_line_info == dbg.lines.size());
    const auto t = btf::object::from_id(info.btf_id).read();
    CHECK(t.find("entry", kind::func));
    CHECK(t.find("twice", kind::func));

    if (!have_bpftool()) {
        MESSAGE("bpftool not found: its output is not checked");
        return;
    }
    const auto show = run("bpftool prog show id " + std::to_string(info.id));
    REQUIRE(show);
    CHECK(contains(*show, "btf_id " + std::to_string(info.btf_id)));
    const auto xlated = run("bpftool prog dump xlated id " + std::to_string(info.id));
    REQUIRE(xlated);
    INFO(*xlated);
    CHECK(contains(*xlated, "int entry(void * ctx):"));
    CHECK(contains(*xlated, "int twice():"));
    CHECK(contains(*xlated, "; r6 = r1"));
    CHECK(contains(*xlated, "; twice: r0 = 21"));
    const auto linum = run("bpftool prog dump xlated id " + std::to_string(info.id) + " linum");
    REQUIRE(linum);
    CHECK(contains(*linum, "btf_test.cpp"));
}

TEST_CASE("btf programs: a rejected load with BTF leaves no fd behind") {
    constexpr auto bad = bpfxx::assemble(mov(r0, r2), exit()); // r2 is not initialised
    const auto dbg = btf::debug_info(bad);
    const auto before = open_fds();
    const auto e = error_of([&] { (void)bpfxx::load<bpfxx::prog_type::socket_filter>(bad, dbg, {}); });
    CHECK(e.errnum() == EACCES);
    CHECK(open_fds() == before);
}
