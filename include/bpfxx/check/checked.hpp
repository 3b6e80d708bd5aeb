#pragma once
// `static_check` as a compile-time assertion whose error says what is wrong.
// A static_assert message cannot be computed in C++20, so the report is
// spelled as template arguments instead: a program that fails instantiates
// `check_failed<problem, pc, register, detail>`, and GCC and Clang both print
//     bpfxx::check_failed<bpfxx::check_problem::r10_written, 3, 10, 0>
// next to the assertion's message.
//
//     constexpr auto prog = bpfxx::assemble(...);
//     static_assert(bpfxx::checked<prog>);
//     static_assert(bpfxx::checked<loop, bpfxx::check_options{.allow_back_edges = true}>);

#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/static_check.hpp>

namespace bpfxx {

namespace detail::checking {
// Named, so that Clang prints "requirement 'passes<problem>'".
template <check_problem Problem>
inline constexpr bool passes = Problem == check_problem::none;
} // namespace detail::checking

/// Instantiated only for a program that fails: its arguments are the report
/// (`Register` is -1 when the problem concerns no register).
template <check_problem Problem, int Pc, int Register, int Detail>
struct check_failed {
    static_assert(detail::checking::passes<Problem>,
                  "bpfxx: static_check rejects this program; see check_failed<problem, pc, register, detail>");
    static constexpr bool value = detail::checking::passes<Problem>;
};

/// True when `Program` (a `program<...>` or `std::array<insn, N>` with static
/// storage duration) passes `static_check`; otherwise a compile error that
/// names the problem.
template <const auto& Program, check_options Options = check_options{}>
consteval bool assert_checked() {
    constexpr check_report report = static_check(Program, Options);
    if constexpr (report.ok()) {
        return true;
    } else {
        constexpr int reg = report.reg == check_report::no_register ? -1 : report.reg;
        return check_failed<report.problem, static_cast<int>(report.pc), reg, report.detail>::value;
    }
}

/// `static_assert(bpfxx::checked<prog>)`: as `assert_checked`.
template <const auto& Program, check_options Options = check_options{}>
inline constexpr bool checked = assert_checked<Program, Options>();

} // namespace bpfxx
