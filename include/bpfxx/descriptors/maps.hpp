#pragma once
// Map descriptors: one class template per map type, naming the key, the
// value, the number of entries and the options of a map. A program
// references a descriptor (`ld_map<counters>`), user space creates and
// opens maps through it (`counters::create()` → `bpfxx::map<counters>`).
//
// Portable: no OS headers. Mistakes the kernel would refuse at
// BPF_MAP_CREATE (wrong key size, flag for another map type, ring buffer
// size not a power of two …) are compile errors here, each with a message
// that names the rule. The rules are those of Linux 6.18.
//
//     using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256>;
//     using flows = bpfxx::lru_hash_map<flow_key, flow_stats, 65536,
//                                       bpfxx::map_options{.name = "flows"}>;

#include <bpfxx/asm/items.hpp>
#include <bpfxx/descriptors/options.hpp>
#include <bpfxx/isa/map_flags.hpp>
#include <bpfxx/isa/map_types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace bpfxx {

/// The key type of maps that have no key (queue, stack, bloom_filter, ringbuf).
struct no_key {};
/// The value type of maps that have no value (ringbuf).
struct no_value {};

/// A map of descriptor M, owned by this process (Linux: `bpfxx/maps/map.hpp`).
template <class M>
class map;
/// The run-time options of `M::create` and `M::open_pinned` / `M::from_id`
/// (Linux: `bpfxx/maps/options.hpp`).
struct create_options;
struct open_options;

/// Value of a devmap or devmap_hash with an 8-byte value (`struct bpf_devmap_val`).
struct devmap_value {
    std::uint32_t ifindex = 0;
    std::uint32_t prog = 0; ///< update: a program fd (0: none); lookup: its id
};
/// Value of a cpumap with an 8-byte value (`struct bpf_cpumap_val`).
struct cpumap_value {
    std::uint32_t qsize = 0;
    std::uint32_t prog = 0; ///< update: a program fd (0: none); lookup: its id
};

namespace detail {
/// T, as a type that depends on Self: checked when Self's members are used.
template <class T, class Self>
struct later_type {
    using type = T;
};

template <class T> inline constexpr std::uint32_t byte_size = sizeof(T);
template <> inline constexpr std::uint32_t byte_size<no_key> = 0;
template <> inline constexpr std::uint32_t byte_size<no_value> = 0;

/// The kernel's KMALLOC_MAX_SIZE on 4 KiB-page machines: no key or value
/// may be larger (the exact limit of each type is a little lower).
inline constexpr std::uint32_t kmalloc_max_size = 4u << 20;
/// PCPU_MIN_UNIT_SIZE: the largest per-CPU value.
inline constexpr std::uint32_t max_percpu_value_size = 32u << 10;

template <class K>
inline constexpr bool is_u32_key = (std::is_integral_v<K> || std::is_enum_v<K>) && sizeof(K) == 4;

template <class T>
inline constexpr bool is_flat = std::is_trivially_copyable_v<T>;

/// Hashed keys are compared byte by byte, padding included.
template <class T>
inline constexpr bool hashes_cleanly = std::has_unique_object_representations_v<T>;

/// The rules for a key the kernel hashes and compares byte by byte, each with
/// its own diagnostic. A floating-point key: equal values may differ in their
/// bytes (0.0 and -0.0). A struct: padding bytes or floating-point members,
/// which C++ cannot tell apart. Naming `checked` instantiates the checks.
template <class K>
struct hashed_key_rules {
    static constexpr bool floating = std::is_floating_point_v<std::remove_all_extents_t<K>>;
    static_assert(!floating, "bpfxx: a hashed key must not be floating-point (equal values such as 0.0 and -0.0 "
                             "differ in their bytes, and the kernel compares keys byte by byte): use an integer key");
    static_assert(floating || hashes_cleanly<K>,
                  "bpfxx: a hashed key must have no padding bytes and no floating-point members (the kernel "
                  "compares keys byte by byte): add explicit padding members");
    static constexpr bool checked = true;
};

/// The members every descriptor has. `Self` is the descriptor itself, so
/// that `create` can return `map<Self>`.
template <class Self, map_type T, class K, class V, std::uint32_t N, map_options O, std::uint64_t Extra = 0>
struct descriptor_base {
    static constexpr map_type type = T;
    using key_type = K;
    using value_type = V;
    static constexpr std::uint32_t key_size = byte_size<K>;
    static constexpr std::uint32_t value_size = byte_size<V>;
    static constexpr std::uint32_t max_entries = N;
    static constexpr map_flags flags = O.flags;
    static constexpr std::string_view name = O.name.view();
    static constexpr std::uint64_t map_extra = Extra;

    static_assert(is_flat<K>, "bpfxx: a map key must be trivially copyable (the kernel copies keys as bytes)");
    static_assert(is_flat<V>, "bpfxx: a map value must be trivially copyable (the kernel copies values as bytes)");
    static_assert(key_size <= kmalloc_max_size && value_size <= kmalloc_max_size,
                  "bpfxx: map keys and values are at most 4 MiB (KMALLOC_MAX_SIZE)");
    static_assert(!is_percpu(T) || value_size <= max_percpu_value_size,
                  "bpfxx: a per-CPU value is at most 32 KiB (PCPU_MIN_UNIT_SIZE)");
    static_assert(!(has(flags, map_flags::rdonly) && has(flags, map_flags::wronly)),
                  "bpfxx: map_flags::rdonly and map_flags::wronly exclude each other");
    static_assert(!(has(flags, map_flags::rdonly_prog) && has(flags, map_flags::wronly_prog)),
                  "bpfxx: map_flags::rdonly_prog and map_flags::wronly_prog exclude each other");
    static_assert(!has(flags, map_flags::numa_node),
                  "bpfxx: choose the NUMA node at run time with create_options::numa_node, not as a descriptor flag");
    static_assert(!has(flags, map_flags::mmapable) || T == map_type::array,
                  "bpfxx: map_flags::mmapable is only valid for array_map");
    static_assert(!has(flags, map_flags::no_prealloc) || !is_lru(T),
                  "bpfxx: LRU hash maps always preallocate: map_flags::no_prealloc is not valid for them");
    static_assert(!has(flags, map_flags::no_prealloc) ||
                      (T == map_type::hash || T == map_type::percpu_hash || T == map_type::hash_of_maps ||
                       T == map_type::lpm_trie || is_lru(T)),
                  "bpfxx: map_flags::no_prealloc is only valid for hash_map, percpu_hash, hash_of_maps and lpm_trie");
    static_assert(!has(flags, map_flags::no_common_lru) || is_lru(T),
                  "bpfxx: map_flags::no_common_lru is only valid for lru_hash_map and lru_percpu_hash");
    static_assert((flags & ~valid_map_flags(T)) == map_flags::none,
                  "bpfxx: a flag in map_options is not valid for this map type (see bpfxx::valid_map_flags)");
    static_assert(N > 0 || T == map_type::perf_event_array,
                  "bpfxx: max_entries must be at least 1 (the kernel refuses empty maps)");

    // Shorthands for map<Self>'s factories (they need <bpfxx/maps.hpp>, Linux).
    // The options are only named here, so that descriptors stay portable;
    // `later` makes their types (and default arguments) wait for Self.
    template <class Options>
    using later = typename later_type<Options, Self>::type;

    /// Creates a map of this type.
    static map<Self> create(const later<create_options>& opts = {}) { return map<Self>::create(opts); }
    /// Opens a pinned map, checking that it is of this type.
    static map<Self> open_pinned(const std::string& path, const later<open_options>& opts = {}) {
        return map<Self>::open_pinned(path, opts);
    }
    /// Opens a map by id, checking that it is of this type.
    static map<Self> from_id(std::uint32_t id, const later<open_options>& opts = {}) {
        return map<Self>::from_id(id, opts);
    }
};

template <class M>
concept map_in_map = map_descriptor<M> && (M::type == map_type::array_of_maps || M::type == map_type::hash_of_maps);

// What a descriptor may leave out. The templates below define everything;
// a hand-written descriptor with only the four members of `map_descriptor`
// still works with `map<M>`, its keys and values then being byte arrays.
template <class M>
struct key_type_of {
    using type = std::conditional_t<M::key_size == 0, no_key, std::array<std::byte, M::key_size>>;
};
template <class M>
    requires requires { typename M::key_type; }
struct key_type_of<M> {
    using type = typename M::key_type;
};
template <class M>
struct value_type_of {
    using type = std::conditional_t<M::value_size == 0, no_value, std::array<std::byte, M::value_size>>;
};
template <class M>
    requires requires { typename M::value_type; }
struct value_type_of<M> {
    using type = typename M::value_type;
};
template <class M>
[[nodiscard]] consteval map_flags flags_of() {
    if constexpr (requires { M::flags; }) return static_cast<map_flags>(M::flags);
    else return map_flags::none;
}
template <class M>
[[nodiscard]] consteval std::string_view name_of() {
    if constexpr (requires { M::name; }) return std::string_view(M::name);
    else return {};
}
template <class M>
[[nodiscard]] consteval std::uint64_t map_extra_of() {
    if constexpr (requires { M::map_extra; }) return M::map_extra;
    else return 0;
}
} // namespace detail

// ---------------------------------------------------------------------------
// Arrays: keys are indices 0 … max_entries-1, all of them always present.

/// BPF_MAP_TYPE_ARRAY. With `map_flags::mmapable`, user space can also map
/// the values into memory (`map<M>::span()`).
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct array_map : detail::descriptor_base<array_map<K, V, N, O>, map_type::array, K, V, N, O> {
    static_assert(detail::is_u32_key<K>,
                  "bpfxx: array_map keys must be a 32-bit integer type (the kernel indexes arrays by u32)");
};

/// BPF_MAP_TYPE_PERCPU_ARRAY: one value per possible CPU at each index.
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct percpu_array : detail::descriptor_base<percpu_array<K, V, N, O>, map_type::percpu_array, K, V, N, O> {
    static_assert(detail::is_u32_key<K>,
                  "bpfxx: percpu_array keys must be a 32-bit integer type (the kernel indexes arrays by u32)");
};

/// BPF_MAP_TYPE_PROG_ARRAY: tail-call targets. Update with a program fd;
/// a lookup from user space gives the program's id.
template <std::uint32_t N, map_options O = map_options{}>
struct prog_array
    : detail::descriptor_base<prog_array<N, O>, map_type::prog_array, std::uint32_t, std::uint32_t, N, O> {};

/// BPF_MAP_TYPE_PERF_EVENT_ARRAY: perf event fds, usually one per CPU.
/// N = 0 means "one entry per possible CPU", filled in at create.
template <std::uint32_t N = 0, map_options O = map_options{}>
struct perf_event_array : detail::descriptor_base<perf_event_array<N, O>, map_type::perf_event_array,
                                                  std::uint32_t, std::uint32_t, N, O> {};

// ---------------------------------------------------------------------------
// Hash maps: any flat key.

/// BPF_MAP_TYPE_HASH.
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct hash_map : detail::descriptor_base<hash_map<K, V, N, O>, map_type::hash, K, V, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
};

/// BPF_MAP_TYPE_LRU_HASH: a full map evicts its least recently used entry.
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct lru_hash_map : detail::descriptor_base<lru_hash_map<K, V, N, O>, map_type::lru_hash, K, V, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
};

/// BPF_MAP_TYPE_PERCPU_HASH.
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct percpu_hash : detail::descriptor_base<percpu_hash<K, V, N, O>, map_type::percpu_hash, K, V, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
};

/// BPF_MAP_TYPE_LRU_PERCPU_HASH.
template <class K, class V, std::uint32_t N, map_options O = map_options{}>
struct lru_percpu_hash
    : detail::descriptor_base<lru_percpu_hash<K, V, N, O>, map_type::lru_percpu_hash, K, V, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
};

/// BPF_MAP_TYPE_LPM_TRIE: longest-prefix match. K is the key struct: a
/// 32-bit prefix length in bits, then the data (1 to 256 bytes, network
/// order), as `struct bpf_lpm_trie_key_u8`. The kernel requires
/// `map_flags::no_prealloc`, which the default options set.
template <class K, class V, std::uint32_t N, map_options O = map_options{.flags = map_flags::no_prealloc}>
struct lpm_trie : detail::descriptor_base<lpm_trie<K, V, N, O>, map_type::lpm_trie, K, V, N, O> {
    static_assert(sizeof(K) >= 5 && sizeof(K) <= 260,
                  "bpfxx: an lpm_trie key is a 32-bit prefixlen followed by 1 to 256 bytes of data");
    static_assert(detail::hashes_cleanly<K>,
                  "bpfxx: an lpm_trie key must have no padding bytes (the kernel compares keys byte by byte)");
    static_assert(has(O.flags, map_flags::no_prealloc),
                  "bpfxx: lpm_trie requires map_flags::no_prealloc in its map_options");
};

// ---------------------------------------------------------------------------
// Keyless maps.

/// BPF_MAP_TYPE_QUEUE: FIFO of values (push, pop, peek).
template <class V, std::uint32_t N, map_options O = map_options{}>
struct queue : detail::descriptor_base<queue<V, N, O>, map_type::queue, no_key, V, N, O> {};

/// BPF_MAP_TYPE_STACK: LIFO of values (push, pop, peek).
template <class V, std::uint32_t N, map_options O = map_options{}>
struct stack : detail::descriptor_base<stack<V, N, O>, map_type::stack, no_key, V, N, O> {};

/// BPF_MAP_TYPE_BLOOM_FILTER: "maybe present" / "certainly absent" for
/// values. `Hashes` hash functions (1 to 15) are passed as map_extra.
template <class V, std::uint32_t N, std::uint32_t Hashes = 5, map_options O = map_options{}>
struct bloom_filter
    : detail::descriptor_base<bloom_filter<V, N, Hashes, O>, map_type::bloom_filter, no_key, V, N, O, Hashes> {
    static_assert(Hashes >= 1 && Hashes <= 15, "bpfxx: a bloom filter uses 1 to 15 hash functions");
    static_assert(detail::hashes_cleanly<V>,
                  "bpfxx: a bloom filter value must have no padding bytes (the kernel hashes it byte by byte)");
};

/// BPF_MAP_TYPE_RINGBUF of `Bytes` bytes of data: read with the events
/// layer. No elements to look up.
template <std::uint32_t Bytes, map_options O = map_options{}>
struct ringbuf : detail::descriptor_base<ringbuf<Bytes, O>, map_type::ringbuf, no_key, no_value, Bytes, O> {
    static_assert(Bytes != 0 && (Bytes & (Bytes - 1)) == 0 && Bytes % 4096 == 0,
                  "bpfxx: a ring buffer's size must be a power of two and a multiple of the page size (4096)");
};

// ---------------------------------------------------------------------------
// Maps of maps. Inner is the descriptor every inner map must match; the
// kernel wants an example inner map at create, which `create` makes and
// closes again. Update with an inner map's fd; a lookup gives its id.

/// BPF_MAP_TYPE_ARRAY_OF_MAPS.
template <class Inner, std::uint32_t N, map_options O = map_options{}>
struct array_of_maps : detail::descriptor_base<array_of_maps<Inner, N, O>, map_type::array_of_maps, std::uint32_t,
                                               std::uint32_t, N, O> {
    static_assert(map_descriptor<Inner>, "bpfxx: the inner map of array_of_maps must be a map descriptor");
    static_assert(!detail::map_in_map<Inner>, "bpfxx: maps of maps do not nest (the kernel allows one level)");
    using inner_type = Inner;
};

/// BPF_MAP_TYPE_HASH_OF_MAPS.
template <class K, class Inner, std::uint32_t N, map_options O = map_options{}>
struct hash_of_maps
    : detail::descriptor_base<hash_of_maps<K, Inner, N, O>, map_type::hash_of_maps, K, std::uint32_t, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
    static_assert(map_descriptor<Inner>, "bpfxx: the inner map of hash_of_maps must be a map descriptor");
    static_assert(!detail::map_in_map<Inner>, "bpfxx: maps of maps do not nest (the kernel allows one level)");
    using inner_type = Inner;
};

// ---------------------------------------------------------------------------
// Redirect and socket maps. Their values are interface indices, CPUs'
// queue sizes or fds; with an 8-byte value they also name a program.

/// BPF_MAP_TYPE_DEVMAP: XDP redirect to interfaces. V: ifindex (u32) or devmap_value.
template <std::uint32_t N, class V = std::uint32_t, map_options O = map_options{}>
struct devmap : detail::descriptor_base<devmap<N, V, O>, map_type::devmap, std::uint32_t, V, N, O> {
    static_assert(sizeof(V) == 4 || sizeof(V) == 8,
                  "bpfxx: a devmap value is 4 bytes (ifindex) or 8 bytes (bpfxx::devmap_value)");
};

/// BPF_MAP_TYPE_DEVMAP_HASH: as devmap, keyed by any u32 (usually the ifindex).
template <std::uint32_t N, class V = std::uint32_t, map_options O = map_options{}>
struct devmap_hash : detail::descriptor_base<devmap_hash<N, V, O>, map_type::devmap_hash, std::uint32_t, V, N, O> {
    static_assert(sizeof(V) == 4 || sizeof(V) == 8,
                  "bpfxx: a devmap value is 4 bytes (ifindex) or 8 bytes (bpfxx::devmap_value)");
};

/// BPF_MAP_TYPE_CPUMAP: XDP redirect to CPUs (key: CPU). V: queue size (u32) or cpumap_value.
template <std::uint32_t N, class V = std::uint32_t, map_options O = map_options{}>
struct cpumap : detail::descriptor_base<cpumap<N, V, O>, map_type::cpumap, std::uint32_t, V, N, O> {
    static_assert(sizeof(V) == 4 || sizeof(V) == 8,
                  "bpfxx: a cpumap value is 4 bytes (queue size) or 8 bytes (bpfxx::cpumap_value)");
};

/// BPF_MAP_TYPE_XSKMAP: AF_XDP sockets (value: the socket's fd).
template <std::uint32_t N, map_options O = map_options{}>
struct xskmap : detail::descriptor_base<xskmap<N, O>, map_type::xskmap, std::uint32_t, std::uint32_t, N, O> {};

/// BPF_MAP_TYPE_SOCKMAP: sockets by index. V: u32 (update with a socket
/// fd) or u64 (then a lookup gives the socket's cookie).
template <std::uint32_t N, class V = std::uint32_t, map_options O = map_options{}>
struct sockmap : detail::descriptor_base<sockmap<N, V, O>, map_type::sockmap, std::uint32_t, V, N, O> {
    static_assert(sizeof(V) == 4 || sizeof(V) == 8,
                  "bpfxx: a sockmap value is 4 bytes (fd) or 8 bytes (fd on update, socket cookie on lookup)");
};

/// BPF_MAP_TYPE_SOCKHASH: sockets by any key.
template <class K, std::uint32_t N, class V = std::uint32_t, map_options O = map_options{}>
struct sockhash : detail::descriptor_base<sockhash<K, N, V, O>, map_type::sockhash, K, V, N, O> {
    static_assert(detail::hashed_key_rules<K>::checked);
    static_assert(sizeof(K) <= 512, "bpfxx: a sockhash key is at most 512 bytes");
    static_assert(sizeof(V) == 4 || sizeof(V) == 8,
                  "bpfxx: a sockhash value is 4 bytes (fd) or 8 bytes (fd on update, socket cookie on lookup)");
};

} // namespace bpfxx
