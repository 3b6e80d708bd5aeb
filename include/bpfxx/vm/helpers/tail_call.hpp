#pragma once
// Helper model: bpf_tail_call, to the programs the test put into a
// prog_array (`machine::set_tail_call`). A failed tail call falls through;
// a chain is at most 33 calls long (MAX_TAIL_CALL_CNT).

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

struct tail_call_helpers {
    static constexpr helper_use helpers[] = {{helper::tail_call}};

    template <class S>
    static constexpr bool call(S& s, helper) noexcept {
        const auto ctx = s.get(1);
        const auto index = map_arg(s, 2, static_cast<std::int32_t>(helper::tail_call));
        const auto slot = s.get(3);
        if (s.error || index < 0) return false;
        (void)ctx;
        std::uint32_t target = 0;
        s.with_map(static_cast<std::size_t>(index), [&](auto& m) {
            using model = std::remove_reference_t<decltype(m)>;
            if constexpr (keyed_model<model>) {
                if constexpr (model::descriptor::type == map_type::prog_array) {
                    const auto key = to_bytes(static_cast<std::uint32_t>(slot));
                    if (const auto found = m.find(key.data())) target = load_u32(m.value_bytes(*found));
                    return;
                }
            }
            s.raise_helper(fault_kind::bad_helper_argument, static_cast<std::int32_t>(helper::tail_call));
        });
        if (s.error) return false;
        // a failed tail call falls through to the next instruction
        if (target == 0 || target > s.programs_used || s.tail_calls >= max_tail_calls) return true;
        ++s.tail_calls;
        s.tail_target = &s.programs[target - 1];
        return true;
}
};

} // namespace bpfxx::vm::detail
