#pragma once
// Helper model: get_prandom_u32, from a xorshift64* generator the test seeds
// (`machine::set_prandom_seed`): same seed, same numbers.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>

#include <cstdint>

namespace bpfxx::vm::detail {

struct random_helpers {
    static constexpr helper_use helpers[] = {{helper::get_prandom_u32}};

    template <class S>
    static constexpr bool call(S& s, helper) noexcept {
        // xorshift64*: deterministic, seedable, good enough for a test double
        s.prandom ^= s.prandom >> 12;
        s.prandom ^= s.prandom << 25;
        s.prandom ^= s.prandom >> 27;
        s.ret(((s.prandom * 0x2545f4914f6cdd1dull) >> 32) & 0xffffffffu);
        return true;
    }
};

} // namespace bpfxx::vm::detail
