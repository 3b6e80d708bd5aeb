#pragma once
// What the typed layer knows about each helper it offers: the kind of each
// argument and of the result (the kernel's bpf_func_proto, reduced to what
// the layer checks). One table, in one place, in the shape the ISA layer's
// helper table will take: it moves to isa/ when that table has a slot for it.

#include <bpfxx/isa/helpers.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx::c {

/// What a helper argument must be.
enum class arg : std::uint8_t {
    none,
    map,       ///< a map (c::map<M>)
    map_key,   ///< readable memory holding a key of the map before it
    map_value, ///< readable memory holding a value of the map before it
    mem,       ///< readable memory (stack, map value, packet, record); its size follows
    out_mem,   ///< writable memory (stack, map value, record); its size follows
    size,      ///< the size of the memory before it
    context,   ///< the program's context
    record,    ///< a reserved ring buffer record
    scalar,    ///< an integer (flags, indices, values)
    anything,  ///< an integer or any pointer (an address to probe-read)
};

/// What a helper returns.
enum class returns : std::uint8_t {
    integer,           ///< a number (often 0 or a negative errno)
    nothing,           ///< void
    map_value_or_null, ///< a pointer to a map value, or 0
    record_or_null,    ///< a ring buffer record, or 0
};

struct signature {
    helper id = helper::unspec;
    returns result = returns::integer;
    std::array<arg, 5> args{};

    [[nodiscard]] constexpr std::size_t arity() const noexcept {
        std::size_t n = 0;
        while (n < args.size() && args[n] != arg::none) ++n;
        return n;
    }
};

/// The helpers the typed layer calls, with their signatures (Linux 6.18).
inline constexpr signature signatures[] = {
    {helper::map_lookup_elem, returns::map_value_or_null, {arg::map, arg::map_key}},
    {helper::map_update_elem, returns::integer, {arg::map, arg::map_key, arg::map_value, arg::scalar}},
    {helper::map_delete_elem, returns::integer, {arg::map, arg::map_key}},
    {helper::probe_read_kernel, returns::integer, {arg::out_mem, arg::size, arg::anything}},
    {helper::probe_read_kernel_str, returns::integer, {arg::out_mem, arg::size, arg::anything}},
    {helper::probe_read_user, returns::integer, {arg::out_mem, arg::size, arg::anything}},
    {helper::probe_read_user_str, returns::integer, {arg::out_mem, arg::size, arg::anything}},
    {helper::ktime_get_ns, returns::integer, {}},
    {helper::ktime_get_boot_ns, returns::integer, {}},
    {helper::get_prandom_u32, returns::integer, {}},
    {helper::get_smp_processor_id, returns::integer, {}},
    {helper::get_current_pid_tgid, returns::integer, {}},
    {helper::get_current_uid_gid, returns::integer, {}},
    {helper::get_current_comm, returns::integer, {arg::out_mem, arg::size}},
    {helper::get_current_task, returns::integer, {}},
    {helper::perf_event_output, returns::integer, {arg::context, arg::map, arg::scalar, arg::mem, arg::size}},
    {helper::ringbuf_output, returns::integer, {arg::map, arg::mem, arg::size, arg::scalar}},
    {helper::ringbuf_reserve, returns::record_or_null, {arg::map, arg::size, arg::scalar}},
    {helper::ringbuf_submit, returns::nothing, {arg::record, arg::scalar}},
    {helper::ringbuf_discard, returns::nothing, {arg::record, arg::scalar}},
    {helper::tail_call, returns::integer, {arg::context, arg::map, arg::scalar}},
    {helper::redirect, returns::integer, {arg::scalar, arg::scalar}},
    {helper::redirect_map, returns::integer, {arg::map, arg::scalar, arg::scalar}},
    {helper::xdp_adjust_head, returns::integer, {arg::context, arg::scalar}},
    {helper::xdp_adjust_tail, returns::integer, {arg::context, arg::scalar}},
    {helper::skb_load_bytes, returns::integer, {arg::context, arg::scalar, arg::out_mem, arg::size}},
    {helper::get_socket_cookie, returns::integer, {arg::context}},
    {helper::csum_diff, returns::integer, {arg::mem, arg::size, arg::mem, arg::size, arg::scalar}},
};

/// The signature of helper `id` (helper::unspec's, all `none`, when the layer does not offer it).
[[nodiscard]] constexpr signature signature_of(helper id) noexcept {
    for (const auto& s : signatures)
        if (s.id == id) return s;
    return {};
}

} // namespace bpfxx::c
