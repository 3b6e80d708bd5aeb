#pragma once
// The knobs of a map: creation flags (`BPF_F_*`), update flags, the map's
// name, and the options a descriptor fixes at compile time (`map_options`)
// or that `create`, `open_pinned` and `from_id` take at run time. Portable:
// no OS headers, the kernel's values are the SDK's own copy.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfxx {

/// Flags of BPF_MAP_CREATE (`map_flags` of `union bpf_attr`), with the
/// kernel's values. Which ones a map type accepts is checked at compile time
/// by the descriptors (`bpfxx/maps/descriptors.hpp`).
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

namespace detail {
// Not constexpr on purpose: reaching it while the compiler evaluates a map
// name stops compilation with this function's name as the diagnostic.
inline void map_name_may_only_contain_letters_digits_underscores_and_dots() {}

[[nodiscard]] constexpr bool valid_map_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}
} // namespace detail

/// A map's name as the kernel keeps it: at most 15 characters of
/// [A-Za-z0-9_.]. A structural type, so it can be part of a descriptor's
/// `map_options`; a string literal converts to it, checked at compile time.
struct map_name {
    char chars[16] = {};

    constexpr map_name() noexcept = default;
    template <std::size_t N>
    consteval map_name(const char (&s)[N]) { // NOLINT: implicit by design ("counters")
        static_assert(N <= 16, "bpfxx: a map name has at most 15 characters (the kernel's BPF_OBJ_NAME_LEN is 16)");
        for (std::size_t i = 0; i + 1 < N; ++i) {
            if (!detail::valid_map_name_char(s[i]))
                detail::map_name_may_only_contain_letters_digits_underscores_and_dots();
            chars[i] = s[i];
        }
    }

    [[nodiscard]] constexpr std::string_view view() const noexcept {
        std::size_t n = 0;
        while (n < 16 && chars[n] != '\0') ++n;
        return {chars, n};
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return chars[0] == '\0'; }
};

/// What a descriptor fixes at compile time, as its trailing template
/// argument: `array_map<u32, u64, 256, map_options{.flags = map_flags::mmapable, .name = "counters"}>`.
/// Two descriptors that differ only in options are different map types, so a
/// program can reference both.
struct map_options {
    map_flags flags = map_flags::none;
    map_name name = {};
};

/// Run-time choices of `M::create(...)`; each overrides or adds to what the
/// descriptor says.
struct create_options {
    /// Replaces the descriptor's max_entries (0 is passed on, and the kernel refuses it).
    std::optional<std::uint32_t> max_entries{};
    /// Replaces the descriptor's name when not empty; the kernel checks it.
    std::string name{};
    /// Added to the descriptor's flags. (map_flags::mmapable given here makes
    /// an mmapable map, but only a descriptor with it gets `span()`.)
    map_flags flags = map_flags::none;
    /// Allocate on this NUMA node (sets `map_flags::numa_node`).
    std::optional<std::uint32_t> numa_node{};
    /// Pin the new map at this bpffs path (e.g. "/sys/fs/bpf/counters");
    /// /sys/fs/bpf is mounted when it is not. Empty: do not pin.
    std::string pin{};
};

/// Run-time choices of `map<M>::open_pinned` and `map<M>::from_id`.
struct open_options {
    /// Whether the kernel object's max_entries must equal the descriptor's.
    bool check_max_entries = true;
    /// `map_flags::rdonly` or `map_flags::wronly`: open for reading or
    /// writing only (the fd's access mode); `none`: both.
    map_flags access = map_flags::none;
};

} // namespace bpfxx
