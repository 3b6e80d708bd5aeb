// Map descriptors without a kernel: what each one tells a program and the
// kernel, the SDK's flag values against <linux/bpf.h>, and descriptors used
// by the assembler. Only portable headers (plus the CPU-list parser).
#include <bpfxx/asm.hpp>
#include <bpfxx/maps/descriptors.hpp>
#include <bpfxx/sys/cpus.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define BPFXX_HAVE_LINUX_BPF_H 1
#endif

using namespace bpfxx;
using namespace std::string_view_literals;

namespace {
struct lpm_v4_key {
    std::uint32_t prefixlen;
    std::uint8_t addr[4];
};
struct flow {
    std::uint32_t saddr, daddr;
    std::uint16_t sport, dport;
    std::uint8_t proto;
    std::uint8_t pad[3];
};
struct stats {
    std::uint64_t packets, bytes;
};

using counters = array_map<std::uint32_t, std::uint64_t, 256,
                           map_options{.flags = map_flags::mmapable, .name = "counters"}>;
using flows = lru_hash_map<flow, stats, 65536, map_options{.flags = map_flags::no_common_lru, .name = "flows"}>;
using routes = lpm_trie<lpm_v4_key, std::uint32_t, 1024>;
using events = ringbuf<1u << 16>;
using inner = array_map<std::uint32_t, std::uint32_t, 4, map_options{.flags = map_flags::inner_map}>;

template <class M, map_type T, std::uint32_t K, std::uint32_t V, std::uint32_t N>
constexpr bool describes = map_descriptor<M> && M::type == T && M::key_size == K && M::value_size == V &&
                           M::max_entries == N;
} // namespace

TEST_CASE("each descriptor states type, sizes and max_entries as the kernel wants them") {
    static_assert(describes<counters, map_type::array, 4, 8, 256>);
    static_assert(describes<percpu_array<std::uint32_t, std::uint32_t, 8>, map_type::percpu_array, 4, 4, 8>);
    static_assert(describes<hash_map<flow, stats, 100>, map_type::hash, 16, 16, 100>);
    static_assert(describes<flows, map_type::lru_hash, 16, 16, 65536>);
    static_assert(describes<percpu_hash<std::uint64_t, stats, 10>, map_type::percpu_hash, 8, 16, 10>);
    static_assert(describes<lru_percpu_hash<std::uint64_t, stats, 10>, map_type::lru_percpu_hash, 8, 16, 10>);
    static_assert(describes<routes, map_type::lpm_trie, 8, 4, 1024>);
    static_assert(describes<prog_array<8>, map_type::prog_array, 4, 4, 8>);
    static_assert(describes<events, map_type::ringbuf, 0, 0, 65536>);
    static_assert(describes<perf_event_array<>, map_type::perf_event_array, 4, 4, 0>);
    static_assert(describes<queue<stats, 32>, map_type::queue, 0, 16, 32>);
    static_assert(describes<stack<std::uint32_t, 32>, map_type::stack, 0, 4, 32>);
    static_assert(describes<bloom_filter<std::uint64_t, 1000>, map_type::bloom_filter, 0, 8, 1000>);
    static_assert(describes<array_of_maps<inner, 4>, map_type::array_of_maps, 4, 4, 4>);
    static_assert(describes<hash_of_maps<std::uint64_t, inner, 4>, map_type::hash_of_maps, 8, 4, 4>);
    static_assert(describes<devmap<64>, map_type::devmap, 4, 4, 64>);
    static_assert(describes<devmap<64, devmap_value>, map_type::devmap, 4, 8, 64>);
    static_assert(describes<devmap_hash<64, devmap_value>, map_type::devmap_hash, 4, 8, 64>);
    static_assert(describes<cpumap<4, cpumap_value>, map_type::cpumap, 4, 8, 4>);
    static_assert(describes<xskmap<4>, map_type::xskmap, 4, 4, 4>);
    static_assert(describes<sockmap<4, std::uint64_t>, map_type::sockmap, 4, 8, 4>);
    static_assert(describes<sockhash<flow, 4>, map_type::sockhash, 16, 4, 4>);

    // Types and options beyond the concept.
    static_assert(std::is_same_v<counters::key_type, std::uint32_t>);
    static_assert(std::is_same_v<counters::value_type, std::uint64_t>);
    static_assert(std::is_same_v<queue<stats, 32>::key_type, no_key>);
    static_assert(std::is_same_v<events::value_type, no_value>);
    static_assert(std::is_same_v<array_of_maps<inner, 4>::inner_type, inner>);
    static_assert(counters::flags == map_flags::mmapable && counters::name == "counters");
    static_assert(flows::name == "flows" && hash_map<flow, stats, 1>::name.empty());
    static_assert(routes::flags == map_flags::no_prealloc); // the default the kernel requires
    static_assert(bloom_filter<std::uint64_t, 1000>::map_extra == 5);
    static_assert(bloom_filter<std::uint64_t, 1000, 3>::map_extra == 3);
    static_assert(counters::map_extra == 0);
    // Options make distinct map types, so a program can use two of the same shape.
    static_assert(!std::is_same_v<array_map<std::uint32_t, std::uint64_t, 256>, counters>);
    static_assert(std::is_same_v<counters, array_map<std::uint32_t, std::uint64_t, 256,
                                                     map_options{.flags = map_flags::mmapable, .name = "counters"}>>);
    CHECK(counters::name == "counters"sv);
}

TEST_CASE("descriptors are what ld_map references") {
    using namespace bpfxx::ops;
    constexpr auto prog = assemble(ld_map<counters>(r1), ld_map<flows>(r2), ld_map<counters>(r3), mov(r0, 0), exit());
    static_assert(std::is_same_v<decltype(prog)::maps, type_list<counters, flows>>);
    static_assert(prog.size() == 8);
    static_assert(prog[0].src_reg == pseudo::map_idx && prog[0].imm == 0);
    static_assert(prog[2].imm == 1 && prog[4].imm == 0);
    CHECK(prog[2].dst_reg == 2);
}

TEST_CASE("map_name: 15 characters of [A-Za-z0-9_.]") {
    constexpr map_name n = "abc_DEF.123";
    static_assert(n.view() == "abc_DEF.123" && !n.empty());
    static_assert(map_name("123456789012345").view().size() == 15);
    static_assert(map_name{}.empty() && map_name{}.view().empty());
    static_assert(detail::valid_map_name_char('_') && !detail::valid_map_name_char('-') &&
                  !detail::valid_map_name_char(' '));
    CHECK(n.view() == "abc_DEF.123");
}

TEST_CASE("map flags: operators and the per-type table") {
    constexpr auto f = map_flags::rdonly_prog | map_flags::mmapable;
    static_assert(has(f, map_flags::mmapable) && has(f, map_flags::rdonly_prog) && !has(f, map_flags::rdonly));
    static_assert((f & map_flags::mmapable) == map_flags::mmapable);
    static_assert((f & ~map_flags::mmapable) == map_flags::rdonly_prog);
    static_assert(static_cast<std::uint64_t>(update_flags::exist | update_flags::lock) == 6);

    static_assert(has(valid_map_flags(map_type::array), map_flags::mmapable));
    static_assert(!has(valid_map_flags(map_type::percpu_array), map_flags::mmapable));
    static_assert(!has(valid_map_flags(map_type::percpu_hash), map_flags::numa_node)); // per-CPU: no NUMA node
    static_assert(has(valid_map_flags(map_type::lru_hash), map_flags::no_common_lru));
    static_assert(!has(valid_map_flags(map_type::lru_hash), map_flags::no_prealloc));
    static_assert(valid_map_flags(map_type::ringbuf) == map_flags::numa_node);
    static_assert(valid_map_flags(map_type::arena) == map_flags::none); // no descriptor
    static_assert(is_percpu(map_type::lru_percpu_hash) && !is_percpu(map_type::array));
    CHECK(map_type_name(map_type::lru_percpu_hash) == "lru_percpu_hash");
    CHECK(map_type_name(map_type::arena) == "arena");
    CHECK(map_type_name(static_cast<map_type>(999)).empty());
}

TEST_CASE("possible-CPU lists as the kernel writes them") {
    static_assert(sys::detail::count_cpu_list("0\n") == 1);
    static_assert(sys::detail::count_cpu_list("0-3\n") == 4);
    static_assert(sys::detail::count_cpu_list("0-3,8-11,16") == 9);
    static_assert(sys::detail::count_cpu_list("") == 0);
    static_assert(sys::detail::count_cpu_list("0-") == 0);
    static_assert(sys::detail::count_cpu_list("3-1") == 0);
    static_assert(sys::detail::count_cpu_list("x") == 0);
    CHECK(sys::detail::count_cpu_list("0-127\n") == 128);
}

#ifdef BPFXX_HAVE_LINUX_BPF_H
TEST_CASE("flag values match <linux/bpf.h>") {
    // The SDK's own copy must agree with the kernel's header where the
    // (possibly older) header has the flag.
    static_assert(static_cast<std::uint32_t>(map_flags::no_prealloc) == BPF_F_NO_PREALLOC);
    static_assert(static_cast<std::uint32_t>(map_flags::no_common_lru) == BPF_F_NO_COMMON_LRU);
    static_assert(static_cast<std::uint32_t>(map_flags::numa_node) == BPF_F_NUMA_NODE);
    static_assert(static_cast<std::uint32_t>(map_flags::rdonly) == BPF_F_RDONLY);
    static_assert(static_cast<std::uint32_t>(map_flags::wronly) == BPF_F_WRONLY);
    static_assert(static_cast<std::uint32_t>(map_flags::stack_build_id) == BPF_F_STACK_BUILD_ID);
    static_assert(static_cast<std::uint32_t>(map_flags::zero_seed) == BPF_F_ZERO_SEED);
    static_assert(static_cast<std::uint32_t>(map_flags::rdonly_prog) == BPF_F_RDONLY_PROG);
    static_assert(static_cast<std::uint32_t>(map_flags::wronly_prog) == BPF_F_WRONLY_PROG);
    static_assert(static_cast<std::uint32_t>(map_flags::clone) == BPF_F_CLONE);
    static_assert(static_cast<std::uint32_t>(map_flags::mmapable) == BPF_F_MMAPABLE);
    static_assert(static_cast<std::uint32_t>(map_flags::preserve_elems) == BPF_F_PRESERVE_ELEMS);
    static_assert(static_cast<std::uint32_t>(map_flags::inner_map) == BPF_F_INNER_MAP);
    static_assert(static_cast<std::uint64_t>(update_flags::any) == BPF_ANY);
    static_assert(static_cast<std::uint64_t>(update_flags::noexist) == BPF_NOEXIST);
    static_assert(static_cast<std::uint64_t>(update_flags::exist) == BPF_EXIST);
    static_assert(static_cast<std::uint64_t>(update_flags::lock) == BPF_F_LOCK);
    // Map types of the descriptors.
    static_assert(static_cast<int>(counters::type) == BPF_MAP_TYPE_ARRAY);
    static_assert(static_cast<int>(routes::type) == BPF_MAP_TYPE_LPM_TRIE);
    static_assert(static_cast<int>(events::type) == BPF_MAP_TYPE_RINGBUF);
    static_assert(static_cast<int>(bloom_filter<int, 1>::type) == BPF_MAP_TYPE_BLOOM_FILTER);
    static_assert(static_cast<int>(devmap_hash<1>::type) == BPF_MAP_TYPE_DEVMAP_HASH);
    // Value layouts the kernel defines.
    static_assert(sizeof(devmap_value) == sizeof(bpf_devmap_val));
    static_assert(offsetof(devmap_value, prog) == offsetof(bpf_devmap_val, bpf_prog));
    static_assert(sizeof(cpumap_value) == sizeof(bpf_cpumap_val));
    static_assert(offsetof(cpumap_value, prog) == offsetof(bpf_cpumap_val, bpf_prog));
    static_assert(sizeof(lpm_v4_key) == sizeof(bpf_lpm_trie_key) + 4);
    CHECK(BPF_F_MMAPABLE == 1u << 10);
}
#endif
