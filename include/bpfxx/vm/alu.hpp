#pragma once
// The arithmetic of ALU operations and conditional jumps, by operation and
// width: what both executors (vm/execute.hpp, vm/fast.hpp) compute with, so
// that they give the same results.

#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/vm/bytes.hpp>

#include <cstdint>

namespace bpfxx::vm::detail {

template <std::uint8_t Op, bool Wide>
[[nodiscard, gnu::always_inline]] constexpr std::uint64_t alu_result(std::uint64_t a, std::uint64_t b) noexcept {
    constexpr std::uint64_t mask = Wide ? ~std::uint64_t{0} : 0xffffffffu;
    constexpr unsigned bits = Wide ? 64 : 32;
    a &= mask;
    b &= mask;
    if constexpr (Op == code::add) return (a + b) & mask;
    else if constexpr (Op == code::sub) return (a - b) & mask;
    else if constexpr (Op == code::mul) return (a * b) & mask;
    else if constexpr (Op == code::or_) return a | b;
    else if constexpr (Op == code::and_) return a & b;
    else if constexpr (Op == code::xor_) return a ^ b;
    else if constexpr (Op == code::lsh) return (a << (b & (bits - 1))) & mask;
    else if constexpr (Op == code::rsh) return a >> (b & (bits - 1));
    else if constexpr (Op == code::arsh) {
        // C++20: >> of a negative value is arithmetic
        const auto s = static_cast<std::int64_t>(sext(a, bits)) >> (b & (bits - 1));
        return static_cast<std::uint64_t>(s) & mask;
    } else if constexpr (Op == code::neg) return (0 - a) & mask;
    else return b; // mov
}

template <std::uint8_t Op, bool Wide>
[[nodiscard, gnu::always_inline]] constexpr bool jump_taken(std::uint64_t a, std::uint64_t b) noexcept {
    constexpr std::uint64_t mask = Wide ? ~std::uint64_t{0} : 0xffffffffu;
    constexpr unsigned bits = Wide ? 64 : 32;
    a &= mask;
    b &= mask;
    if constexpr (Op == code::jeq) return a == b;
    else if constexpr (Op == code::jne) return a != b;
    else if constexpr (Op == code::jgt) return a > b;
    else if constexpr (Op == code::jge) return a >= b;
    else if constexpr (Op == code::jlt) return a < b;
    else if constexpr (Op == code::jle) return a <= b;
    else if constexpr (Op == code::jset) return (a & b) != 0;
    else {
        const auto sa = static_cast<std::int64_t>(sext(a, bits));
        const auto sb = static_cast<std::int64_t>(sext(b, bits));
        if constexpr (Op == code::jsgt) return sa > sb;
        else if constexpr (Op == code::jsge) return sa >= sb;
        else if constexpr (Op == code::jslt) return sa < sb;
        else return sa <= sb; // jsle
    }
}

// The same of a width known at run time (the general path).
template <std::uint8_t Op>
[[nodiscard]] constexpr std::uint64_t alu_result(bool wide, std::uint64_t a, std::uint64_t b) noexcept {
    return wide ? alu_result<Op, true>(a, b) : alu_result<Op, false>(a, b);
}
template <std::uint8_t Op>
[[nodiscard]] constexpr bool jump_taken(bool wide, std::uint64_t a, std::uint64_t b) noexcept {
    return wide ? jump_taken<Op, true>(a, b) : jump_taken<Op, false>(a, b);
}

} // namespace bpfxx::vm::detail
