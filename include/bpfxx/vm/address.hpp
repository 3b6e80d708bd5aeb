#pragma once
// The interpreter's address space. A pointer the program holds is a plain
// 64-bit number: the region it points into in bits 32–47, the offset in that
// region in bits 0–31 (and, for map values, the element in bits 48–63).
// Pointer arithmetic is integer arithmetic, comparing data with data_end
// works, and every access is checked against the region it names — host
// memory is never reachable from the program.

#include <cstdint>

namespace bpfxx::vm {

/// Region numbers (bits 32–47 of an address).
namespace region {
inline constexpr std::uint32_t context = 0x1;
inline constexpr std::uint32_t packet = 0x2;
inline constexpr std::uint32_t memory = 0x3;       ///< the plain buffer of `run_on_memory`
inline constexpr std::uint32_t stack = 0x10;       ///< + frame number (0–7)
inline constexpr std::uint32_t map_value = 0x100;  ///< + map index: the map's value slots
inline constexpr std::uint32_t map_object = 0x200; ///< + map index: what ld_map puts in a register
inline constexpr std::uint32_t ringbuf = 0x300;    ///< + map index: a ring buffer's data area
inline constexpr std::uint32_t function = 0x400;   ///< offset: slot of a subprogram (ld_func)
} // namespace region

[[nodiscard]] constexpr std::uint64_t make_address(std::uint32_t region, std::uint32_t offset) noexcept {
    return (std::uint64_t{region} << 32) | offset;
}
[[nodiscard]] constexpr std::uint32_t region_of(std::uint64_t address) noexcept {
    return static_cast<std::uint32_t>(address >> 32) & 0xffffu;
}
[[nodiscard]] constexpr std::uint32_t offset_of(std::uint64_t address) noexcept {
    return static_cast<std::uint32_t>(address);
}

// A pointer to a map value carries the element it was made for in bits
// 48–63, so that running off the end of one element into the next is a
// fault, as the verifier would make it, not a silent read of a neighbour.
[[nodiscard]] constexpr std::uint64_t slot_tag(std::uint32_t slot) noexcept { return slot % 0xffffu + 1; }
[[nodiscard]] constexpr std::uint64_t slot_tag_of(std::uint64_t address) noexcept { return address >> 48; }
/// The address of byte `in` of element `slot` of map `map` (values of `value_size` bytes).
[[nodiscard]] constexpr std::uint64_t map_value_address(std::uint32_t map, std::uint32_t slot,
                                                        std::uint32_t value_size, std::uint32_t in = 0) noexcept {
    return slot_tag(slot) << 48 | make_address(region::map_value + map, slot * value_size + in);
}

/// Bytes of stack per frame, as in the kernel (MAX_BPF_STACK).
inline constexpr std::uint32_t stack_size = 512;
/// Nested frames a program may use (MAX_CALL_FRAMES).
inline constexpr std::uint32_t max_frames = 8;
/// Tail calls in a chain (MAX_TAIL_CALL_CNT).
inline constexpr std::uint32_t max_tail_calls = 33;

} // namespace bpfxx::vm
