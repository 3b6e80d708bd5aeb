#pragma once
// Helper models: the element operations on maps (lookup, update, delete;
// push, pop and peek of queues, stacks and bloom filters; per-CPU lookup),
// with the kernel's return values for every error case.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::vm::detail {

struct map_helpers {
    static constexpr helper_use helpers[] = {
        {helper::map_lookup_elem}, {helper::map_update_elem}, {helper::map_delete_elem},
        {helper::map_push_elem},   {helper::map_pop_elem},    {helper::map_peek_elem},
        {helper::map_lookup_percpu_elem},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        const auto id = static_cast<std::int32_t>(h);
        const auto index = map_arg(s, 1, id);
        if (index < 0) return false;
        s.with_map(static_cast<std::size_t>(index), [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (!keyed_model<model>) {
                s.raise_helper(fault_kind::bad_helper_argument, id); // ring buffers take no element operations
            } else {
                using K = model_kind;
                constexpr auto kind = model::kind;
                constexpr bool keyed = kind == K::array || kind == K::sparse_array || kind == K::hash || kind == K::lpm;
                constexpr bool fifo = kind == K::queue || kind == K::stack;
                constexpr bool prog_array = model::descriptor::type == map_type::prog_array;
                const auto value_addr = [&](std::uint32_t slot) {
                    return map_value_address(static_cast<std::uint32_t>(index), slot, model::value_size);
                };
                if (h == helper::map_lookup_elem || h == helper::map_lookup_percpu_elem) {
                    if (!keyed || prog_array) return s.raise_helper(fault_kind::bad_helper_argument, id);
                    if (h == helper::map_lookup_percpu_elem && !is_percpu(model::descriptor::type))
                        return s.raise_helper(fault_kind::bad_helper_argument, id);
                    const auto* key = buffer_arg(s, s.get(2), model::key_size, access::read);
                    if (key == nullptr) return;
                    if (h == helper::map_lookup_percpu_elem) {
                        const auto cpu = s.get(3);
                        if (s.error) return;
                        if (cpu != 0) return s.ret(0); // one CPU in the model
                    }
                    const auto slot = m.find(key);
                    return s.ret(slot ? value_addr(*slot) : 0);
                }
                if (h == helper::map_update_elem) {
                    if (!(kind == K::array || kind == K::hash || kind == K::lpm) ||
                        model::descriptor::type == map_type::devmap_hash)
                        return s.raise_helper(fault_kind::bad_helper_argument, id);
                    const auto key_addr = s.get(2), value = s.get(3), flags = s.get(4);
                    if (s.error) return;
                    const auto* k = buffer_arg(s, key_addr, model::key_size, access::read);
                    if (k == nullptr) return;
                    const auto* v = buffer_arg(s, value, model::value_size, access::read);
                    if (v == nullptr) return;
                    return s.ret(static_cast<std::uint64_t>(m.update_bytes(k, v, flags)));
                }
                if (h == helper::map_delete_elem) {
                    if (!(kind == K::array || kind == K::hash || kind == K::lpm) ||
                        model::descriptor::type == map_type::devmap_hash)
                        return s.raise_helper(fault_kind::bad_helper_argument, id);
                    const auto* k = buffer_arg(s, s.get(2), model::key_size, access::read);
                    if (k == nullptr) return;
                    return s.ret(static_cast<std::uint64_t>(m.erase_bytes(k)));
                }
                if (h == helper::map_push_elem) {
                    if (!fifo && kind != K::bloom) return s.raise_helper(fault_kind::bad_helper_argument, id);
                    const auto value = s.get(2), flags = s.get(3);
                    if (s.error) return;
                    const auto* v = buffer_arg(s, value, model::value_size, access::read);
                    if (v == nullptr) return;
                    return s.ret(static_cast<std::uint64_t>(m.push_bytes(v, flags)));
                }
                // pop, peek
                if (!fifo && !(kind == K::bloom && h == helper::map_peek_elem))
                    return s.raise_helper(fault_kind::bad_helper_argument, id);
                auto* out = buffer_arg(s, s.get(2), model::value_size, kind == K::bloom ? access::read : access::write);
                if (out == nullptr) return;
                return s.ret(static_cast<std::uint64_t>(m.pop_bytes(out, h == helper::map_pop_elem)));
            }
        });
        return !s.error;
}
};

} // namespace bpfxx::vm::detail
