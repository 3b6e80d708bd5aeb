#pragma once
// Helper models: bpf_redirect (tc and XDP) and bpf_redirect_map (XDP: devmap,
// devmap_hash, cpumap, xskmap). The machine notes where the packet went
// (`machine::redirected()`).

#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/vm/context/traits.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::vm::detail {

struct redirect_helpers {
    static constexpr helper_use helpers[] = {
        {helper::redirect, context_needs::skb_writes_or_xdp},
        {helper::redirect_map, context_needs::xdp},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        if (h == helper::redirect_map) return redirect_map(s);
        const auto ifindex = s.get(1), flags = s.get(2);
        if (s.error) return false;
        if (s.caps.xdp) {
            if (flags != 0) return s.ret(xdp::aborted), true;
            s.redirect = redirect_target{ifindex & 0xffffffffu, flags, -1};
            return s.ret(xdp::redirect), true;
        }
        if (flags & ~std::uint64_t{1}) return s.ret(static_cast<std::uint32_t>(tc_act::shot)), true;
        s.redirect = redirect_target{ifindex & 0xffffffffu, flags, -1};
        return s.ret(static_cast<std::uint32_t>(tc_act::redirect)), true;
    }

    template <class S>
    static constexpr bool redirect_map(S& s) noexcept {
        const auto id = static_cast<std::int32_t>(helper::redirect_map);
        const auto index = map_arg(s, 1, id);
        const auto key = s.get(2), flags = s.get(3);
        if (s.error || index < 0) return false;
        s.with_map(static_cast<std::size_t>(index), [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (keyed_model<model>) {
                constexpr auto t = model::descriptor::type;
                if constexpr (t == map_type::devmap || t == map_type::devmap_hash || t == map_type::cpumap ||
                              t == map_type::xskmap) {
                    const std::uint64_t extra = t == map_type::devmap || t == map_type::devmap_hash ? 0x18u : 0u;
                    if (flags & ~(std::uint64_t{3} | extra)) return s.ret(xdp::aborted);
                    const auto k = to_bytes(static_cast<std::uint32_t>(key));
                    if (!m.find(k.data()) && !(flags & 0x8u)) return s.ret(flags & 3u);
                    s.redirect = redirect_target{key, flags, static_cast<std::int32_t>(index)};
                    return s.ret(xdp::redirect);
                }
            }
            s.raise_helper(fault_kind::bad_helper_argument, id);
        });
        return !s.error;
    }
};

} // namespace bpfxx::vm::detail
