#pragma once
// Helper models: where the program runs — get_smp_processor_id (the CPU the
// test set, `machine::set_cpu`) and get_numa_node_id (node 0).

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>

namespace bpfxx::vm::detail {

struct cpu_helpers {
    static constexpr helper_use helpers[] = {{helper::get_smp_processor_id}, {helper::get_numa_node_id}};

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        s.ret(h == helper::get_smp_processor_id ? s.cpu : 0);
        return true;
    }
};

} // namespace bpfxx::vm::detail
