// The SDK's own constants against the kernel's <linux/bpf.h>, where present.
#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/detail/owner.hpp>
#include <bpfxx/isa.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <vector>

#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define BPFXX_HAVE_LINUX_BPF_H 1
#endif

using namespace bpfxx;

TEST_CASE("insn: 8 bytes, trivially copyable, little-endian encoding") {
    static_assert(sizeof(insn) == 8);
    static_assert(std::is_trivially_copyable_v<insn>);
    static_assert(std::is_standard_layout_v<insn>);
    constexpr auto i = make_insn(0xb7, 3, 0xa, -2, 0x12345678);
    constexpr auto b = i.bytes();
    static_assert(b[0] == std::byte{0xb7} && b[1] == std::byte{0xa3});
    static_assert(b[2] == std::byte{0xfe} && b[3] == std::byte{0xff});
    static_assert(b[4] == std::byte{0x78} && b[7] == std::byte{0x12});
    static_assert(insn::from_bytes(b) == i);
    // The object representation is the encoding (on the little-endian hosts BPF runs on).
    insn copy = i;
    unsigned char raw[8];
    std::memcpy(raw, &copy, 8);
    for (int k = 0; k < 8; ++k) CHECK(raw[k] == std::to_integer<unsigned char>(b[k]));
}

TEST_CASE("helper names and ids") {
    static_assert(helper_name(helper::map_lookup_elem) == "map_lookup_elem");
    static_assert(helper_name(helper::cgrp_storage_delete) == "cgrp_storage_delete");
    static_assert(helper_count == 212);
    static_assert(helper_by_name("bpf_trace_printk") == helper::trace_printk);
    static_assert(!helper_by_name("no_such_helper"));
    static_assert(helper_name(-1).empty() && helper_name(helper_count).empty());
    for (std::int32_t id = 0; id < helper_count; ++id)
        CHECK(helper_by_name(helper_name(id)) == static_cast<helper>(id));
}

namespace {

/// What is wrong with the signature of helper `h`, or nothing.
const char* signature_problem(helper h) {
    const helper_signature sig = signature_of(h);
    const auto& a = sig.args;
    const std::size_t n = sig.arity();
    if (!sig.known()) return sig == helper_signature::unknown() ? nullptr : "an unknown signature with arguments";
    if (sig.result > helper_result::record_or_null) return "a result kind out of range";
    if (n > max_helper_args) return "more than 5 arguments";
    for (std::size_t k = n; k < a.size(); ++k)
        if (a[k] != helper_arg::none) return "an argument after a none";
    for (std::size_t k = 0; k < n; ++k) {
        if (a[k] > helper_arg::anything) return "an argument kind out of range";
        const helper_arg before = k == 0 ? helper_arg::none : a[k - 1];
        switch (a[k]) {
        case helper_arg::size: // the size of the memory before it (ringbuf_reserve: of the record it reserves)
            if (before != helper_arg::mem && before != helper_arg::out_mem && before != helper_arg::map)
                return "a size that follows no memory";
            break;
        case helper_arg::mem:
        case helper_arg::out_mem:
            if (k + 1 >= n || a[k + 1] != helper_arg::size) return "memory without its size";
            break;
        case helper_arg::map_key:
        case helper_arg::map_value:
        case helper_arg::map_value_out: {
            bool map_before = false;
            for (std::size_t j = 0; j < k; ++j) map_before = map_before || a[j] == helper_arg::map;
            if (!map_before) return "a key or value of no map";
            break;
        }
        default: break;
        }
    }
    const bool pointer_result =
        sig.result == helper_result::map_value_or_null || sig.result == helper_result::record_or_null;
    if (pointer_result && (n == 0 || a[0] != helper_arg::map)) return "a map value or record of no map";
    return nullptr;
}

} // namespace

TEST_CASE("helper signatures: one per row, each consistent") {
    // the table's rows are in id order (enum_names checks it at compile time), so row k is helper k
    for (std::int32_t id = 0; id < helper_count; ++id)
        REQUIRE(helper_info_of(static_cast<helper>(id))->value == static_cast<helper>(id));
    std::size_t known = 0;
    for (std::int32_t id = 0; id < helper_count; ++id) {
        const auto h = static_cast<helper>(id);
        CAPTURE(helper_name(h));
        const char* problem = signature_problem(h);
        CHECK_MESSAGE(problem == nullptr, (problem ? problem : ""));
        known += signature_of(h).known();
    }
    CHECK_FALSE(signature_of(helper::unspec).known());
    CHECK_FALSE(signature_of(static_cast<helper>(helper_count)).known());
    CHECK_FALSE(signature_of(static_cast<helper>(-1)).known());
    CHECK(known >= 100);

    // what a call reads: r1..rN of the signature, nothing when it is unknown
    static_assert(signature_of(helper::map_update_elem).arity() == 4);
    static_assert(signature_of(helper::ktime_get_ns).known() && signature_of(helper::ktime_get_ns).arity() == 0);
    static_assert(helper_argument_regs(static_cast<std::int32_t>(helper::map_update_elem)) == 0b11110);
    static_assert(helper_argument_regs(static_cast<std::int32_t>(helper::csum_diff)) == call_argument_regs);
    static_assert(helper_argument_regs(static_cast<std::int32_t>(helper::spin_lock)) == 0);
    static_assert(helper_argument_regs(-1) == 0 && helper_argument_regs(helper_count) == 0);
    constexpr auto call = [](helper h) { return make_insn(code::jmp | code::call, 0, 0, 0, static_cast<std::int32_t>(h)); };
    static_assert(classify(call(helper::map_lookup_elem)).reads == 0b110);
    static_assert(classify(call(helper::ktime_get_ns)).reads == 0);
    static_assert(classify(call(helper::spin_lock)).reads == 0);
}

#ifdef BPFXX_HAVE_LINUX_BPF_H
TEST_CASE("insn layout matches struct bpf_insn") {
    static_assert(sizeof(insn) == sizeof(bpf_insn));
    static_assert(offsetof(insn, code) == offsetof(bpf_insn, code));
    static_assert(offsetof(insn, off) == offsetof(bpf_insn, off));
    static_assert(offsetof(insn, imm) == offsetof(bpf_insn, imm));
    // Bit-fields have no offsetof: compare object representations instead.
    bpf_insn k{};
    k.code = 0x61;
    k.dst_reg = 2;
    k.src_reg = 9;
    k.off = -300;
    k.imm = -70000;
    const insn ours = make_insn(0x61, 2, 9, -300, -70000);
    CHECK(std::memcmp(&k, &ours, sizeof k) == 0);
}

TEST_CASE("opcode fields match <linux/bpf.h>") {
    static_assert(code::ld == BPF_LD && code::ldx == BPF_LDX && code::st == BPF_ST && code::stx == BPF_STX);
    static_assert(code::alu == BPF_ALU && code::jmp == BPF_JMP && code::jmp32 == BPF_JMP32 &&
                  code::alu64 == BPF_ALU64);
    static_assert(code::w == BPF_W && code::h == BPF_H && code::b == BPF_B && code::dw == BPF_DW);
    static_assert(code::imm == BPF_IMM && code::abs == BPF_ABS && code::ind == BPF_IND && code::mem == BPF_MEM &&
                  code::atomic == BPF_ATOMIC);
    static_assert(code::k == BPF_K && code::x == BPF_X);
    static_assert(code::add == BPF_ADD && code::sub == BPF_SUB && code::mul == BPF_MUL && code::div == BPF_DIV);
    static_assert(code::or_ == BPF_OR && code::and_ == BPF_AND && code::lsh == BPF_LSH && code::rsh == BPF_RSH);
    static_assert(code::neg == BPF_NEG && code::mod == BPF_MOD && code::xor_ == BPF_XOR && code::mov == BPF_MOV);
    static_assert(code::arsh == BPF_ARSH && code::end == BPF_END && code::to_le == BPF_TO_LE &&
                  code::to_be == BPF_TO_BE);
    static_assert(code::ja == BPF_JA && code::jeq == BPF_JEQ && code::jgt == BPF_JGT && code::jge == BPF_JGE);
    static_assert(code::jset == BPF_JSET && code::jne == BPF_JNE && code::jsgt == BPF_JSGT && code::jsge == BPF_JSGE);
    static_assert(code::call == BPF_CALL && code::exit == BPF_EXIT && code::jlt == BPF_JLT && code::jle == BPF_JLE);
    static_assert(code::jslt == BPF_JSLT && code::jsle == BPF_JSLE);
    static_assert(atomic_op::fetch == BPF_FETCH && atomic_op::xchg == BPF_XCHG && atomic_op::cmpxchg == BPF_CMPXCHG);
    static_assert(atomic_op::add == BPF_ADD && atomic_op::or_ == BPF_OR && atomic_op::and_ == BPF_AND &&
                  atomic_op::xor_ == BPF_XOR);
    static_assert(pseudo::map_fd == BPF_PSEUDO_MAP_FD && pseudo::map_value == BPF_PSEUDO_MAP_VALUE);
    static_assert(pseudo::btf_id == BPF_PSEUDO_BTF_ID && pseudo::func == BPF_PSEUDO_FUNC);
    static_assert(pseudo::map_idx == BPF_PSEUDO_MAP_IDX && pseudo::map_idx_value == BPF_PSEUDO_MAP_IDX_VALUE);
    static_assert(pseudo::call == BPF_PSEUDO_CALL && pseudo::kfunc_call == BPF_PSEUDO_KFUNC_CALL);
    static_assert(max_registers == MAX_BPF_REG);
    static_assert(regs::r10.index == BPF_REG_10 && regs::fp.index == BPF_REG_10);
#ifdef BPF_MEMSX
    static_assert(code::memsx == BPF_MEMSX);
#endif
#ifdef BPF_JCOND
    static_assert(code::jcond == BPF_JCOND);
#endif
#ifdef BPF_LOAD_ACQ
    static_assert(atomic_op::load_acquire == BPF_LOAD_ACQ && atomic_op::store_release == BPF_STORE_REL);
#endif
}

// Every helper the installed header names, by name and by id. The mapper
// macro's shape changed in Linux 6.2 (FN(name) -> FN(name, id, ...)): the
// variadic macro takes both.
#define BPFXX_HELPER_CHECK(name, ...) \
    {#name, static_cast<std::int32_t>(::bpfxx::helper::name), static_cast<std::int32_t>(BPF_FUNC_##name)}
struct helper_row {
    const char* name;
    std::int32_t ours;
    std::int32_t kernel;
};
static constexpr helper_row kernel_helpers[] = {__BPF_FUNC_MAPPER(BPFXX_HELPER_CHECK)};
#undef BPFXX_HELPER_CHECK

TEST_CASE("every helper id of <linux/bpf.h>") {
    static_assert(std::size(kernel_helpers) <= static_cast<std::size_t>(helper_count));
    for (const auto& h : kernel_helpers) {
        INFO(h.name);
        CHECK(h.ours == h.kernel);
        CHECK(helper_name(h.kernel) == h.name);
    }
    CHECK(std::size(kernel_helpers) >= 210); // the headers here are 6.1 or newer
    CHECK(static_cast<std::int32_t>(__BPF_FUNC_MAX_ID) <= helper_count);
}

TEST_CASE("map types match <linux/bpf.h>") {
    static_assert(map_type::hash == map_type(BPF_MAP_TYPE_HASH));
    static_assert(map_type::array == map_type(BPF_MAP_TYPE_ARRAY));
    static_assert(map_type::prog_array == map_type(BPF_MAP_TYPE_PROG_ARRAY));
    static_assert(map_type::perf_event_array == map_type(BPF_MAP_TYPE_PERF_EVENT_ARRAY));
    static_assert(map_type::percpu_hash == map_type(BPF_MAP_TYPE_PERCPU_HASH));
    static_assert(map_type::percpu_array == map_type(BPF_MAP_TYPE_PERCPU_ARRAY));
    static_assert(map_type::stack_trace == map_type(BPF_MAP_TYPE_STACK_TRACE));
    static_assert(map_type::cgroup_array == map_type(BPF_MAP_TYPE_CGROUP_ARRAY));
    static_assert(map_type::lru_hash == map_type(BPF_MAP_TYPE_LRU_HASH));
    static_assert(map_type::lru_percpu_hash == map_type(BPF_MAP_TYPE_LRU_PERCPU_HASH));
    static_assert(map_type::lpm_trie == map_type(BPF_MAP_TYPE_LPM_TRIE));
    static_assert(map_type::array_of_maps == map_type(BPF_MAP_TYPE_ARRAY_OF_MAPS));
    static_assert(map_type::hash_of_maps == map_type(BPF_MAP_TYPE_HASH_OF_MAPS));
    static_assert(map_type::devmap == map_type(BPF_MAP_TYPE_DEVMAP));
    static_assert(map_type::sockmap == map_type(BPF_MAP_TYPE_SOCKMAP));
    static_assert(map_type::cpumap == map_type(BPF_MAP_TYPE_CPUMAP));
    static_assert(map_type::xskmap == map_type(BPF_MAP_TYPE_XSKMAP));
    static_assert(map_type::sockhash == map_type(BPF_MAP_TYPE_SOCKHASH));
    static_assert(map_type::cgroup_storage == map_type(BPF_MAP_TYPE_CGROUP_STORAGE));
    static_assert(map_type::reuseport_sockarray == map_type(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY));
    static_assert(map_type::percpu_cgroup_storage == map_type(BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE));
    static_assert(map_type::queue == map_type(BPF_MAP_TYPE_QUEUE));
    static_assert(map_type::stack == map_type(BPF_MAP_TYPE_STACK));
    static_assert(map_type::sk_storage == map_type(BPF_MAP_TYPE_SK_STORAGE));
    static_assert(map_type::devmap_hash == map_type(BPF_MAP_TYPE_DEVMAP_HASH));
    static_assert(map_type::struct_ops == map_type(BPF_MAP_TYPE_STRUCT_OPS));
    static_assert(map_type::ringbuf == map_type(BPF_MAP_TYPE_RINGBUF));
    static_assert(map_type::inode_storage == map_type(BPF_MAP_TYPE_INODE_STORAGE));
    static_assert(map_type::task_storage == map_type(BPF_MAP_TYPE_TASK_STORAGE));
    static_assert(map_type::bloom_filter == map_type(BPF_MAP_TYPE_BLOOM_FILTER));
    static_assert(map_type::user_ringbuf == map_type(BPF_MAP_TYPE_USER_RINGBUF));
    CHECK(true); // all checks above are compile-time
}
#endif

// detail::buffer is the working storage of the typed layer, the BTF writer and
// the interpreter's decoded programs: its operations, during constant
// evaluation (so the compiler checks lifetimes and bounds) and at run time.
namespace {

using bpfxx::detail::buffer;

template <class T>
constexpr bool same(const buffer<T>& b, std::initializer_list<T> want) {
    return b == buffer<T>(want);
}

constexpr bool buffer_grows_keeps_and_erases() {
    buffer<int> b;
    for (int i = 0; i < 100; ++i) b.push_back(i); // several reallocations
    if (b.size() != 100 || b.front() != 0 || b.back() != 99 || b[42] != 42) return false;
    b.erase(b.begin() + 10, b.begin() + 95); // keeps the order of the rest
    if (!same(b, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 95, 96, 97, 98, 99})) return false;
    b.erase(b.begin());
    b.pop_back();
    if (!same(b, {1, 2, 3, 4, 5, 6, 7, 8, 9, 95, 96, 97, 98})) return false;
    b.resize(3);
    b.resize(5, 7);
    if (!same(b, {1, 2, 3, 7, 7})) return false;
    b.push_back(b.front()); // an element of the buffer itself, at capacity or not
    while (b.size() < 8) b.emplace_back(b[0]);
    return same(b, {1, 2, 3, 7, 7, 1, 1, 1});
}

constexpr bool buffer_copies_and_moves() {
    buffer<buffer<int>> nested(3, buffer<int>{1, 2});
    nested[1].push_back(3);
    auto copy = nested; // deep
    copy[0].clear();
    if (nested[0].size() != 2 || copy[0].size() != 0 || copy[1].size() != 3) return false;
    auto moved = std::move(copy);
    if (!copy.empty() || moved.size() != 3) return false; // NOLINT: moved-from is empty
    const auto& same_one = moved;
    moved = same_one; // self-assignment keeps it
    if (moved.size() != 3 || moved[1].back() != 3) return false;
    buffer<int> a{4, 5};
    a.assign(nested[1].begin(), nested[1].end());
    if (!same(a, {1, 2, 3}) || a == nested[0]) return false;
    a.append(nested[0].begin(), nested[0].end());
    buffer<int> b{9};
    a.swap(b);
    return same(a, {9}) && same(b, {1, 2, 3, 1, 2});
}

// detail::sort (heapsort) and detail::unique: sorted and deduplicated as
// std::sort and std::unique would, for orders that stress a heap.
constexpr bool sorts_like_std(int n, int pattern) {
    buffer<int> v;
    for (int i = 0; i < n; ++i)
        v.push_back(pattern == 0 ? i : pattern == 1 ? n - i : pattern == 2 ? (i * 7919) % 13 : (i % 2 ? i : -i));
    bpfxx::detail::sort(v.begin(), v.end());
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i - 1] > v[i]) return false;
    auto* end = bpfxx::detail::unique(v.begin(), v.end());
    if (n == 0) return end == v.begin(); // (an empty buffer has no storage to step through)
    for (auto* p = v.begin() + 1; p < end; ++p)
        if (!(p[-1] < p[0])) return false;
    return end - v.begin() == (pattern == 2 ? std::min(n, 13) : n);
}
// detail::lower_bound: the first element not below the key, for keys below, among, between and above.
constexpr bool finds_lower_bounds() {
    const int v[] = {1, 3, 3, 3, 7, 9};
    const auto at = [&](int key) {
        return bpfxx::detail::lower_bound(v, v + 6, key, [](int a, int b) { return a < b; }) - v;
    };
    return at(0) == 0 && at(1) == 0 && at(2) == 1 && at(3) == 1 && at(4) == 4 && at(9) == 5 && at(10) == 6 &&
           bpfxx::detail::lower_bound(v, v, 5, [](int a, int b) { return a < b; }) == v;
}
static_assert(finds_lower_bounds());
static_assert(sorts_like_std(0, 0) && sorts_like_std(1, 1) && sorts_like_std(2, 1));
static_assert(sorts_like_std(100, 0) && sorts_like_std(100, 1) && sorts_like_std(100, 2) && sorts_like_std(101, 3));

static_assert(buffer_grows_keeps_and_erases());
static_assert(buffer_copies_and_moves());

} // namespace

TEST_CASE("detail::buffer: the same behaviour at run time as in constant evaluation") {
    CHECK(buffer_grows_keeps_and_erases());
    CHECK(buffer_copies_and_moves());
    buffer<std::uint64_t> big;
    big.reserve(3);
    for (std::uint64_t i = 0; i < 100000; ++i) big.push_back(i * i);
    CHECK(big.size() == 100000);
    CHECK(big[99999] == 99999ull * 99999ull);
}

TEST_CASE("detail::sort and lower_bound: what std::sort and std::lower_bound give, with a custom order, on random input") {
    std::uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 200; ++round) {
        std::vector<std::pair<int, int>> v(static_cast<std::size_t>(round * 3));
        for (auto& [key, payload] : v) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            key = static_cast<int>(seed >> 58);
            payload = static_cast<int>(seed >> 40);
        }
        auto want = v;
        const auto by_key_then_payload = [](const auto& a, const auto& b) { return a < b; };
        std::sort(want.begin(), want.end(), by_key_then_payload);
        bpfxx::detail::sort(v.data(), v.data() + v.size(), by_key_then_payload);
        CHECK(v == want);
        const std::pair<int, int> probe{round % 64, 0};
        CHECK(bpfxx::detail::lower_bound(v.data(), v.data() + v.size(), probe, by_key_then_payload) - v.data() ==
              std::lower_bound(want.begin(), want.end(), probe) - want.begin());
    }
    CHECK(sorts_like_std(1000, 2));
}

TEST_CASE("detail::owner: deletes what it holds once, on reset, reassignment and destruction") {
    struct counted {
        int* deaths;
        ~counted() { ++*deaths; }
    };
    int deaths = 0;
    {
        bpfxx::detail::owner<counted> a(new counted{&deaths});
        bpfxx::detail::owner<counted> b(std::move(a));
        CHECK(!a);
        CHECK(b->deaths == &deaths);
        a.reset(new counted{&deaths});
        b = std::move(a); // the first one dies
        CHECK(deaths == 1);
        auto& self = b;
        b = std::move(self); // self-move keeps it
        CHECK(deaths == 1);
        CHECK(bool(b));
        counted* raw = b.release();
        CHECK(!b);
        delete raw;
        CHECK(deaths == 2);
        b.reset(new counted{&deaths});
    }
    CHECK(deaths == 3);
    {
        bpfxx::detail::owner<counted[]> arr(new counted[3]{{&deaths}, {&deaths}, {&deaths}});
        CHECK(arr[2].deaths == &deaths);
        bpfxx::detail::owner<counted[]> other(std::move(arr));
        CHECK(!arr);
        CHECK(deaths == 3);
    }
    CHECK(deaths == 6);
}
