#pragma once
// What the helper models share: the shape of a helper family, and the
// arguments the verifier would have typed for them (a map, the context).
// A family (vm/helpers/*.hpp) is a type with
//   helpers[]                  the helpers it models, each with what it needs
//                              of the program's context (`helper_use`)
//   call(s, h) -> bool         runs helper h on machine state s: reads its
//                              arguments with s.get(), returns with s.ret();
//                              false ends the run (after raising a fault)
// and is listed in `helper_families` (vm/helpers.hpp).

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/context/traits.hpp>
#include <bpfxx/vm/fault.hpp>

#include <cstdint>

namespace bpfxx::vm::detail {

/// A helper a family models, and what it needs of the program's context.
struct helper_use {
    helper id;
    context_needs needs = context_needs::any;
};

/// Argument `r`, which must point to one of the machine's maps (what ld_map
/// put there): the map's index, or -1 after raising a fault.
template <class S>
[[nodiscard]] constexpr std::int64_t map_arg(S& s, unsigned r, std::int32_t id) noexcept {
    const auto v = s.get(r);
    if (s.error) return -1;
    const auto reg = region_of(v);
    if (reg < region::map_object || reg >= region::map_object + S::map_count || offset_of(v) != 0) {
        s.raise_helper(fault_kind::bad_helper_argument, id);
        return -1;
    }
    return reg - region::map_object;
}

/// Whether r1 is the context pointer, as helpers taking the skb or the
/// xdp_buff need (false after raising a fault).
template <class S>
[[nodiscard]] constexpr bool context_arg(S& s, std::int32_t id) noexcept {
    const auto ctx = s.get(1);
    if (s.error) return false;
    if (ctx != make_address(region::context, 0)) {
        s.raise_helper(fault_kind::bad_helper_argument, id);
        return false;
    }
    return true;
}

} // namespace bpfxx::vm::detail
