#pragma once
// Map types of Linux 6.18 (`enum bpf_map_type`), the SDK's own copy, and
// what the kernel knows of each: its name (`to_string`), whether it is
// per-CPU or LRU, and the creation flags it takes.

#include <bpfxx/isa/map_flags.hpp>
#include <bpfxx/isa/names.hpp>

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

/// The names the kernel and bpftool give the map types ("hash",
/// "percpu_array" … : `to_string(map_type)`).
template <>
struct enum_names<map_type> {
    static constexpr enum_name<map_type> table[] = {
        {map_type::unspec, "unspec"},
        {map_type::hash, "hash"},
        {map_type::array, "array"},
        {map_type::prog_array, "prog_array"},
        {map_type::perf_event_array, "perf_event_array"},
        {map_type::percpu_hash, "percpu_hash"},
        {map_type::percpu_array, "percpu_array"},
        {map_type::stack_trace, "stack_trace"},
        {map_type::cgroup_array, "cgroup_array"},
        {map_type::lru_hash, "lru_hash"},
        {map_type::lru_percpu_hash, "lru_percpu_hash"},
        {map_type::lpm_trie, "lpm_trie"},
        {map_type::array_of_maps, "array_of_maps"},
        {map_type::hash_of_maps, "hash_of_maps"},
        {map_type::devmap, "devmap"},
        {map_type::sockmap, "sockmap"},
        {map_type::cpumap, "cpumap"},
        {map_type::xskmap, "xskmap"},
        {map_type::sockhash, "sockhash"},
        {map_type::cgroup_storage, "cgroup_storage"},
        {map_type::reuseport_sockarray, "reuseport_sockarray"},
        {map_type::percpu_cgroup_storage, "percpu_cgroup_storage"},
        {map_type::queue, "queue"},
        {map_type::stack, "stack"},
        {map_type::sk_storage, "sk_storage"},
        {map_type::devmap_hash, "devmap_hash"},
        {map_type::struct_ops, "struct_ops"},
        {map_type::ringbuf, "ringbuf"},
        {map_type::inode_storage, "inode_storage"},
        {map_type::task_storage, "task_storage"},
        {map_type::bloom_filter, "bloom_filter"},
        {map_type::user_ringbuf, "user_ringbuf"},
        {map_type::cgrp_storage, "cgrp_storage"},
        {map_type::arena, "arena"},
    };
};

/// Another name for `to_string(t)`, kept for code that uses it.
[[nodiscard]] constexpr std::string_view map_type_name(map_type t) noexcept { return to_string(t); }

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
