#pragma once
// `static_check` as a compile-time assertion whose error says what is wrong.
// A static_assert message cannot be computed in C++20, so the report is
// spelled as template arguments instead: a program that fails instantiates
// `check_failed<problem, pc, register, detail>`, and GCC and Clang both print
//     bpfxx::check_failed<bpfxx::check_problem::r10_written, 3, 10, 0>
// next to the assertion's message. A helper argument register unset at a
// call names the helper too, as `helper_argument_unset_at<pc, register, helper>`:
//     bpfxx::helper_argument_unset_at<5, 2, bpfxx::helper::map_update_elem>
//
//     constexpr auto prog = bpfxx::assemble(...);
//     static_assert(bpfxx::checked<prog>);
//     static_assert(bpfxx::checked<loop, bpfxx::check_options{.allow_back_edges = true}>);

#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/static_check.hpp>
#include <bpfxx/isa/helpers.hpp>

namespace bpfxx {

namespace detail::checking {
// Named, so that Clang prints "requirement 'passes<problem>'".
template <check_problem Problem>
inline constexpr bool passes = Problem == check_problem::none;
// False for every helper (a dependent false: the assertion fires only when
// instantiated); named, so that Clang prints "requirement 'arguments_set<helper::...>'".
template <helper Helper>
inline constexpr bool arguments_set = false;
} // namespace detail::checking

/// Instantiated only for a program that fails: its arguments are the report
/// (`Register` is -1 when the problem concerns no register).
template <check_problem Problem, int Pc, int Register, int Detail>
struct check_failed {
    static_assert(detail::checking::passes<Problem>,
                  "bpfxx: static_check rejects this program; see check_failed<problem, pc, register, detail>");
    static constexpr bool value = detail::checking::passes<Problem>;
};

/// Instantiated only for a program in which register `Register`, an argument
/// of the call of `Helper` at slot `Pc`, is unset on some path
/// (`check_problem::helper_argument_unset`).
template <int Pc, int Register, helper Helper>
struct helper_argument_unset_at {
    static_assert(detail::checking::arguments_set<Helper>,
                  "bpfxx: static_check rejects this program: an argument register of a helper call is unset on "
                  "some path (a call leaves r1..r5 unset); see helper_argument_unset_at<pc, register, helper>");
    static constexpr bool value = detail::checking::arguments_set<Helper>;
};

/// True when `Program` (a `program<...>` or `std::array<insn, N>` with static
/// storage duration) passes `static_check`; otherwise a compile error that
/// names the problem.
template <const auto& Program, check_options Options = check_options{}>
consteval bool assert_checked() {
    constexpr check_report report = static_check(Program, Options);
    if constexpr (report.ok()) {
        return true;
    } else if constexpr (report.problem == check_problem::helper_argument_unset) {
        return helper_argument_unset_at<static_cast<int>(report.pc), report.reg,
                                        static_cast<helper>(report.detail)>::value;
    } else {
        constexpr int reg = report.reg == check_report::no_register ? -1 : report.reg;
        return check_failed<report.problem, static_cast<int>(report.pc), reg, report.detail>::value;
    }
}

/// `static_assert(bpfxx::checked<prog>)`: as `assert_checked`.
template <const auto& Program, check_options Options = check_options{}>
inline constexpr bool checked = assert_checked<Program, Options>();

} // namespace bpfxx
