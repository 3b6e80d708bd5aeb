#pragma once
// Helper models: the clocks (ktime_get_ns and the boot, coarse and TAI
// clocks), which read the machine's clock (`machine::set_clock`); each read
// advances it by the step the test set.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>

namespace bpfxx::vm::detail {

struct time_helpers {
    static constexpr helper_use helpers[] = {
        {helper::ktime_get_ns},
        {helper::ktime_get_boot_ns},
        {helper::ktime_get_coarse_ns},
        {helper::ktime_get_tai_ns},
    };

    template <class S>
    static constexpr bool call(S& s, helper) noexcept {
        s.ret(s.clock);
        s.clock += s.clock_step;
        return true;
    }
};

} // namespace bpfxx::vm::detail
