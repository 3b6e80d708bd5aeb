#pragma once
// The interpreter's memory: the regions a program may reach (vm/address.hpp)
// and the checks of every access to them. An access names a region and an
// offset; it gets host bytes only when the region exists in this run, the
// bytes lie inside it, and the access is one the region allows (a map value
// of a read-only map is not written, a packet takes no atomics, unwritten
// stack is not read). Anything else ends the run with a fault; host memory
// is never reachable from the program.

#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/isa/map_flags.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/contexts.hpp>
#include <bpfxx/vm/fault.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::vm::detail {

/// What an access does to the bytes it reaches.
enum class access : std::uint8_t { read, write, atomic };

/// Marks stack bytes [base, base + size) of the machine's frames written.
template <class S>
constexpr void mark_stack(S& s, std::size_t base, std::size_t size) noexcept {
    for (std::size_t i = base; i < base + size; ++i) s.stack_init[i / 64] |= std::uint64_t{1} << (i % 64);
}

/// Host bytes for [addr, addr + size), or nullptr after raising a fault.
template <class S>
[[nodiscard]] constexpr std::uint8_t* resolve(S& s, std::uint64_t addr, std::uint32_t size, access a) noexcept {
    const auto reg = region_of(addr);
    const auto off = offset_of(addr);
    const std::uint64_t end = std::uint64_t{off} + size;
    std::uint8_t* p = nullptr;
    bool read_only = false;
    if (reg == region::memory && s.caps.plain_memory) {
        if (end <= s.end) p = &s.pkt[off];
    } else if (reg == region::packet && s.caps.direct_packet) {
        if (off >= s.meta && end <= s.end && a != access::atomic) p = &s.pkt[off];
    } else if (reg >= region::stack && reg <= region::stack + s.depth) {
        if (end <= stack_size) {
            const std::size_t base = std::size_t{reg - region::stack} * stack_size + off;
            if (a == access::write) {
                mark_stack(s, base, size);
            } else if (S::config.strict) {
                for (std::size_t i = 0; i < size; ++i)
                    if (!(s.stack_init[(base + i) / 64] >> ((base + i) % 64) & 1u)) {
                        s.raise(fault_kind::uninitialized_stack, addr, size);
                        return nullptr;
                    }
            }
            p = &s.stack[base];
        }
    } else if (reg >= region::map_value && reg < region::map_value + S::map_count) {
        s.with_map(reg - region::map_value, [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (requires { model::value_size; }) {
                constexpr std::uint32_t vs = model::value_size;
                if (vs != 0 && end <= model::value_area() && off / vs == (end - 1) / vs &&
                    slot_tag_of(addr) == slot_tag(off / vs)) {
                    p = m.value_bytes(0) + off;
                    using descriptor = typename model::descriptor;
                    read_only = bpfxx::has(bpfxx::detail::flags_of<descriptor>(), map_flags::rdonly_prog);
                }
            }
        });
    } else if (reg >= region::ringbuf && reg < region::ringbuf + S::map_count) {
        s.with_map(reg - region::ringbuf, [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (requires { model::header_size; }) {
                if (m.reserved_covers(off, end)) p = m.data() + off;
            }
        });
    }
    if (p == nullptr) {
        s.raise(reg == region::context ? fault_kind::bad_context_access : fault_kind::bad_access, addr, size);
        return nullptr;
    }
    if (read_only && a != access::read) {
        s.raise(fault_kind::read_only, addr, size);
        return nullptr;
    }
    return p;
}

/// A helper's buffer argument: host bytes for [addr, addr + size), or nullptr
/// after raising a fault.
template <class S>
[[nodiscard]] constexpr std::uint8_t* buffer_arg(S& s, std::uint64_t addr, std::uint64_t size, access a) noexcept {
    if (size > 0xffffffffu) {
        s.raise(fault_kind::bad_access, addr, 0xffffffffu);
        return nullptr;
    }
    return resolve(s, addr, static_cast<std::uint32_t>(size), a);
}

/// Whether `addr` points into the context region of a run whose context has
/// a structure there.
template <class S>
[[nodiscard]] constexpr bool in_context(const S& s, std::uint64_t addr) noexcept {
    if (region_of(addr) != region::context) return false;
    bool has = false;
    with_context(s.context, [&]<class C>(C) { has = has_structure<C>; });
    return has;
}

/// A read of the run's context structure at `addr` (< 64 KiB into it); false,
/// with no fault raised, where its context refuses it.
template <class S>
[[nodiscard]] constexpr bool context_load(const S& s, std::uint64_t addr, unsigned n, std::uint64_t& out) noexcept {
    if (addr > make_address(region::context, 0xffff)) return false;
    bool ok = false;
    with_context(s.context, [&]<class C>(C) {
        if constexpr (has_structure<C>) ok = C::load(s, offset_of(addr), n, out);
    });
    return ok;
}

/// A load of `n` bytes (little endian) at `addr`; false after raising a fault.
template <class S>
[[nodiscard]] constexpr bool load(S& s, std::uint64_t addr, unsigned n, std::uint64_t& out) noexcept {
    if (in_context(s, addr)) {
        if (context_load(s, addr, n, out)) return true;
        s.raise(fault_kind::bad_context_access, addr, n);
        return false;
    }
    const auto* p = resolve(s, addr, n, access::read);
    if (p == nullptr) return false;
    out = load_le(p, n);
    return true;
}

/// A store of `n` bytes (little endian) at `addr`; `immediate`: `v` is the
/// sign-extended imm of a BPF_ST. False after raising a fault.
template <class S>
[[nodiscard]] constexpr bool store(S& s, std::uint64_t addr, unsigned n, std::uint64_t v,
                                   bool immediate = false) noexcept {
    if (in_context(s, addr)) {
        bool ok = false;
        if (addr <= make_address(region::context, 0xffff)) {
            with_context(s.context, [&]<class C>(C) {
                if constexpr (has_structure<C>) ok = C::store(s, offset_of(addr), n, v, immediate);
            });
        }
        if (!ok) s.raise(fault_kind::bad_context_access, addr, n);
        return ok;
    }
    auto* p = resolve(s, addr, n, access::write);
    if (p == nullptr) return false;
    store_le(p, n, v);
    return true;
}

} // namespace bpfxx::vm::detail
