#pragma once
// The flags of maps (Linux 6.18 `BPF_F_*`), the SDK's own copy: creation,
// update and lookup flags. Which creation flags each map type takes is
// `valid_map_flags` (isa/map_types.hpp).

#include <cstdint>

namespace bpfxx {

/// Flags of BPF_MAP_CREATE (`map_flags` of `union bpf_attr`), with the
/// kernel's values. Which ones a map type accepts is checked at compile time
/// by the descriptors (`bpfxx/descriptors/maps.hpp`).
enum class map_flags : std::uint32_t {
    none = 0,
    no_prealloc = 1u << 0,       ///< hash maps, lpm_trie: allocate elements on update
    no_common_lru = 1u << 1,     ///< LRU hash maps: one LRU list per CPU
    numa_node = 1u << 2,         ///< set by `create_options::numa_node`
    rdonly = 1u << 3,            ///< user space may only read (also an open flag)
    wronly = 1u << 4,            ///< user space may only write (also an open flag)
    stack_build_id = 1u << 5,    ///< stack trace maps
    zero_seed = 1u << 6,         ///< hash maps, bloom filters: no random hash seed
    rdonly_prog = 1u << 7,       ///< programs may only read
    wronly_prog = 1u << 8,       ///< programs may only write
    clone = 1u << 9,             ///< socket storage: clone on accept
    mmapable = 1u << 10,         ///< arrays: user space may mmap the values
    preserve_elems = 1u << 11,   ///< perf_event_array: keep events after the fd is closed
    inner_map = 1u << 12,        ///< may be an inner map with another max_entries
    link = 1u << 13,             ///< struct_ops maps registered by a link
    path_fd = 1u << 14,          ///< BPF_OBJ_PIN/GET: the path is relative to a dir fd
    vtype_btf_obj_fd = 1u << 15, ///< struct_ops: value type from a module's BTF
    token_fd = 1u << 16,         ///< a BPF token is passed
    segv_on_fault = 1u << 17,    ///< arena: SIGSEGV instead of faulting pages in
    no_user_conv = 1u << 18,     ///< arena: no pointer translation for user space
};

[[nodiscard]] constexpr map_flags operator|(map_flags a, map_flags b) noexcept {
    return static_cast<map_flags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
[[nodiscard]] constexpr map_flags operator&(map_flags a, map_flags b) noexcept {
    return static_cast<map_flags>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
[[nodiscard]] constexpr map_flags operator~(map_flags a) noexcept {
    return static_cast<map_flags>(~static_cast<std::uint32_t>(a));
}
constexpr map_flags& operator|=(map_flags& a, map_flags b) noexcept { return a = a | b; }
/// Whether every flag of `wanted` is set in `f`.
[[nodiscard]] constexpr bool has(map_flags f, map_flags wanted) noexcept { return (f & wanted) == wanted; }

/// Flags of BPF_MAP_UPDATE_ELEM (and of batch updates).
enum class update_flags : std::uint64_t {
    any = 0,     ///< BPF_ANY: create or replace
    noexist = 1, ///< BPF_NOEXIST: create only (EEXIST if present)
    exist = 2,   ///< BPF_EXIST: replace only (ENOENT if absent); for queues: overwrite the oldest when full
    lock = 4,    ///< BPF_F_LOCK: update under the value's bpf_spin_lock
};
[[nodiscard]] constexpr update_flags operator|(update_flags a, update_flags b) noexcept {
    return static_cast<update_flags>(static_cast<std::uint64_t>(a) | static_cast<std::uint64_t>(b));
}

/// Flags of BPF_MAP_LOOKUP_ELEM.
enum class lookup_flags : std::uint64_t {
    none = 0,
    lock = 4, ///< BPF_F_LOCK: copy the value under its bpf_spin_lock (maps with BTF, `bpfxx::with_btf`)
};

} // namespace bpfxx
