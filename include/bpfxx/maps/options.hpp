#pragma once
// The run-time options of the kernel handles: what `M::create`,
// `map<M>::open_pinned` and `map<M>::from_id` take. The flags and the
// compile-time options of descriptors are portable and live below
// (isa/map_flags.hpp, descriptors/options.hpp).

#include <bpfxx/descriptors/options.hpp>
#include <bpfxx/isa/map_flags.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace bpfxx {

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
