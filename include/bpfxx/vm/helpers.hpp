#pragma once
// The helper models of bpfxx::vm, by family (vm/helpers/*.hpp): what each
// helper the interpreter knows does to the registers, the memory and the
// maps, with the kernel's return values (Linux 6.18, net/core/filter.c and
// kernel/bpf/helpers.c) for every error case. A helper without a model ends
// the run with a fault that names it.
//
// To model another helper: add it to the family it belongs to, or write a
// new family (the shape is in vm/helpers/arguments.hpp), include it here and
// list it in `helper_families`. A helper is modelled by one family only: a
// static_assert below says so.

#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/context/traits.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/helpers/checksum.hpp>
#include <bpfxx/vm/helpers/cpu.hpp>
#include <bpfxx/vm/helpers/maps.hpp>
#include <bpfxx/vm/helpers/packet.hpp>
#include <bpfxx/vm/helpers/printk.hpp>
#include <bpfxx/vm/helpers/random.hpp>
#include <bpfxx/vm/helpers/redirect.hpp>
#include <bpfxx/vm/helpers/ringbuf.hpp>
#include <bpfxx/vm/helpers/tail_call.hpp>
#include <bpfxx/vm/helpers/task.hpp>
#include <bpfxx/vm/helpers/time.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

/// Every family of helper models.
using helper_families = type_list<map_helpers, ringbuf_helpers, time_helpers, random_helpers, cpu_helpers,
                                  printk_helpers, tail_call_helpers, packet_helpers, checksum_helpers,
                                  redirect_helpers, task_helpers>;

/// For each helper id: the family that models it (its index + 1; 0: none)
/// and what it needs of the context.
struct helper_table {
    std::array<std::uint8_t, helper_count> family{};
    std::array<context_needs, helper_count> needs{};
    bool unique = true; ///< no helper is modelled twice
};

template <class... Fs>
[[nodiscard]] consteval helper_table make_helper_table(type_list<Fs...>) {
    helper_table t;
    std::uint8_t k = 0;
    const auto add = [&t](std::uint8_t family, const auto& uses) {
        for (const helper_use& u : uses) {
            const auto i = static_cast<std::size_t>(u.id);
            t.unique = t.unique && t.family[i] == 0;
            t.family[i] = family;
            t.needs[i] = u.needs;
        }
    };
    (add(++k, Fs::helpers), ...);
    return t;
}

inline constexpr helper_table helper_models = make_helper_table(helper_families{});
/// The family number of map_helpers in helper_models (what run_result::map_calls counts).
inline constexpr std::uint8_t map_family = helper_models.family[static_cast<std::size_t>(helper::map_lookup_elem)];
static_assert(helper_models.unique, "bpfxx::vm: a helper is modelled by two families in helper_families");

/// Whether every helper the interpreter models has a signature (isa/helpers.hpp):
/// the static checks then know which argument registers its calls read.
[[nodiscard]] consteval bool every_model_has_a_signature() {
    for (std::size_t i = 0; i < named_count<helper>; ++i)
        if (helper_models.family[i] != 0 && !signature_of(static_cast<helper>(i)).known()) return false;
    return true;
}
static_assert(every_model_has_a_signature(),
              "bpfxx::vm: a helper the interpreter models needs its signature in its row of isa/helpers.hpp");

template <class S, class... Fs>
constexpr bool call_family(S& s, std::uint8_t family, helper h, type_list<Fs...>) noexcept {
    bool ok = false;
    std::uint8_t k = 0;
    ((++k == family ? (ok = Fs::call(s, h), 0) : 0), ...);
    return ok;
}

/// Runs helper `id` on the machine state `s`; false when the run is over
/// (after raising a fault).
template <class S>
[[nodiscard]] constexpr bool call_helper(S& s, std::int32_t id) noexcept {
    if (id <= 0 || id >= helper_count) {
        s.raise_helper(fault_kind::unknown_helper, id);
        return false;
    }
    s.init &= static_cast<std::uint16_t>(~1u); // void helpers leave r0 unset
    ++s.helper_calls;
    const auto family = helper_models.family[static_cast<std::size_t>(id)];
    if (family == 0) {
        s.raise_helper(fault_kind::unmodelled_helper, id);
        return false;
    }
    if (!allows(s.caps, helper_models.needs[static_cast<std::size_t>(id)])) {
        s.raise_helper(fault_kind::helper_not_allowed, id);
        return false;
    }
    if (family == map_family) ++s.map_calls;
    const bool ok = call_family(s, family, static_cast<helper>(id), helper_families{});
    if (s.error) {
        if (s.error.kind == fault_kind::bad_helper_argument || s.error.kind == fault_kind::unmodelled_helper)
            s.error.helper_id = id;
        return false;
    }
    return ok;
}

} // namespace bpfxx::vm::detail
