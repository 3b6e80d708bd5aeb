#pragma once
// Map types of Linux 6.18 (`enum bpf_map_type`), the SDK's own copy, and
// what the kernel knows of each: its name, whether it is per-CPU or LRU, and
// the creation flags it takes.

#include <bpfxx/isa/map_flags.hpp>

#include <cstdint>
#include <string_view>

namespace bpfxx {

enum class map_type : std::uint32_t {
    unspec = 0,
    hash = 1,
    array = 2,
    prog_array = 3,
    perf_event_array = 4,
    percpu_hash = 5,
    percpu_array = 6,
    stack_trace = 7,
    cgroup_array = 8,
    lru_hash = 9,
    lru_percpu_hash = 10,
    lpm_trie = 11,
    array_of_maps = 12,
    hash_of_maps = 13,
    devmap = 14,
    sockmap = 15,
    cpumap = 16,
    xskmap = 17,
    sockhash = 18,
    cgroup_storage = 19,
    reuseport_sockarray = 20,
    percpu_cgroup_storage = 21,
    queue = 22,
    stack = 23,
    sk_storage = 24,
    devmap_hash = 25,
    struct_ops = 26,
    ringbuf = 27,
    inode_storage = 28,
    task_storage = 29,
    bloom_filter = 30,
    user_ringbuf = 31,
    cgrp_storage = 32,
    arena = 33,
};

/// The name the kernel and bpftool give a map type ("hash", "percpu_array" …).
[[nodiscard]] constexpr std::string_view map_type_name(map_type t) noexcept {
    switch (t) {
    case map_type::unspec: return "unspec";
    case map_type::hash: return "hash";
    case map_type::array: return "array";
    case map_type::prog_array: return "prog_array";
    case map_type::perf_event_array: return "perf_event_array";
    case map_type::percpu_hash: return "percpu_hash";
    case map_type::percpu_array: return "percpu_array";
    case map_type::stack_trace: return "stack_trace";
    case map_type::cgroup_array: return "cgroup_array";
    case map_type::lru_hash: return "lru_hash";
    case map_type::lru_percpu_hash: return "lru_percpu_hash";
    case map_type::lpm_trie: return "lpm_trie";
    case map_type::array_of_maps: return "array_of_maps";
    case map_type::hash_of_maps: return "hash_of_maps";
    case map_type::devmap: return "devmap";
    case map_type::sockmap: return "sockmap";
    case map_type::cpumap: return "cpumap";
    case map_type::xskmap: return "xskmap";
    case map_type::sockhash: return "sockhash";
    case map_type::cgroup_storage: return "cgroup_storage";
    case map_type::reuseport_sockarray: return "reuseport_sockarray";
    case map_type::percpu_cgroup_storage: return "percpu_cgroup_storage";
    case map_type::queue: return "queue";
    case map_type::stack: return "stack";
    case map_type::sk_storage: return "sk_storage";
    case map_type::devmap_hash: return "devmap_hash";
    case map_type::struct_ops: return "struct_ops";
    case map_type::ringbuf: return "ringbuf";
    case map_type::inode_storage: return "inode_storage";
    case map_type::task_storage: return "task_storage";
    case map_type::bloom_filter: return "bloom_filter";
    case map_type::user_ringbuf: return "user_ringbuf";
    case map_type::cgrp_storage: return "cgrp_storage";
    case map_type::arena: return "arena";
    }
    return {};
}

/// Whether a map type keeps one value per possible CPU (lookups return all of them).
[[nodiscard]] constexpr bool is_percpu(map_type t) noexcept {
    return t == map_type::percpu_hash || t == map_type::percpu_array || t == map_type::lru_percpu_hash ||
           t == map_type::percpu_cgroup_storage;
}

/// The creation flags each map type accepts in Linux 6.18 (what its
/// map_alloc_check lets through; BPF_F_TOKEN_FD, which every type takes
/// with a token, is left out). Map types the SDK has no descriptor for
/// answer `none`. The kernel tier checks this table against the running kernel.
[[nodiscard]] constexpr map_flags valid_map_flags(map_type t) noexcept {
    using enum map_flags;
    constexpr map_flags access = rdonly | wronly;
    constexpr map_flags prog_access = rdonly_prog | wronly_prog;
    switch (t) {
    case map_type::hash:
    case map_type::hash_of_maps: return no_prealloc | numa_node | access | zero_seed | prog_access;
    case map_type::percpu_hash: return no_prealloc | access | zero_seed | prog_access;
    case map_type::lru_hash: return no_common_lru | numa_node | access | zero_seed | prog_access;
    case map_type::lru_percpu_hash: return no_common_lru | access | zero_seed | prog_access;
    case map_type::array: return numa_node | access | prog_access | mmapable | inner_map;
    case map_type::percpu_array: return access | prog_access;
    case map_type::prog_array:
    case map_type::array_of_maps:
    case map_type::devmap:
    case map_type::devmap_hash:
    case map_type::sockmap:
    case map_type::sockhash:
    case map_type::xskmap: return numa_node | access;
    case map_type::perf_event_array: return numa_node | access | preserve_elems;
    case map_type::lpm_trie: return no_prealloc | numa_node | access | prog_access;
    case map_type::queue:
    case map_type::stack: return numa_node | access | prog_access;
    case map_type::bloom_filter: return numa_node | access | zero_seed | prog_access;
    case map_type::cpumap:
    case map_type::ringbuf: return numa_node;
    default: return none;
    }
}

namespace detail {
[[nodiscard]] constexpr bool is_lru(map_type t) noexcept {
    return t == map_type::lru_hash || t == map_type::lru_percpu_hash;
}
} // namespace detail

} // namespace bpfxx
