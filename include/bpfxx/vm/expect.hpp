#pragma once
// Expectations on a run for static_assert whose failure says what happened.
// `static_assert(run_xdp(p, pkt).r0 == xdp::drop)` shows neither the fault
// nor the value, and a run that faulted with r0 = 0 passes `!= drop`. Here
// the run is a template argument, so a failed expectation ends constant
// evaluation in a call whose template arguments carry the fault, its pc and
// r0 — the compiler prints them:
//
//     static_assert(vm::expect<vm::run_xdp(p, pkt), xdp::drop>());
//     // g++:     call to non-'constexpr' function 'void bpfxx::vm::expectation::
//     //          the_run_faulted() [with fault_kind Fault = fault_kind::bad_access;
//     //          Pc = at_pc<3>; R0 = got_r0<0>]'
//     // clang++: non-constexpr function 'the_run_faulted<bpfxx::vm::fault_kind::
//     //          bad_access, at_pc<3>, got_r0<0>>' cannot be used in a constant expression
//
//     static_assert(vm::expect_fault<vm::run_on_memory(p, {}), vm::fault_kind::read_only>());

#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/input.hpp>

#include <cstdint>

namespace bpfxx::vm {

/// The names a failed expectation shows in the compiler's message. The
/// functions are not constexpr on purpose: reaching one ends the constant
/// evaluation with a diagnostic that prints its template arguments.
namespace expectation {
// types rather than values: clang prints a class value as `{3}`, a type with its name
template <std::uint32_t Pc>
struct at_pc {};
template <std::uint64_t R0>
struct got_r0 {};
template <std::uint64_t R0>
struct expected_r0 {};

template <fault_kind Fault, class Pc, class R0>
void the_run_faulted() noexcept {}
template <class Want, class R0, class ExitPc>
void the_run_returned_another_r0() noexcept {}
template <fault_kind Want, fault_kind Fault, class Pc, class R0>
void the_run_did_not_fault_as_expected() noexcept {}
} // namespace expectation

/// True when run R ended without a fault and with r0 == Want; otherwise not a
/// constant expression, and the compiler names the fault, its pc and r0.
template <run_result R, auto Want>
[[nodiscard]] consteval bool expect() noexcept {
    if constexpr (R.error.kind != fault_kind::none) {
        expectation::the_run_faulted<R.error.kind, expectation::at_pc<R.error.pc>, expectation::got_r0<R.r0>>();
        return false;
    } else if constexpr (R.r0 != static_cast<std::uint64_t>(Want)) {
        expectation::the_run_returned_another_r0<expectation::expected_r0<static_cast<std::uint64_t>(Want)>,
                                                 expectation::got_r0<R.r0>, expectation::at_pc<R.exit_pc>>();
        return false;
    } else {
        return true;
    }
}

/// True when run R ended with a fault of kind Want; otherwise not a constant
/// expression, and the compiler names the fault it got (or none), its pc and r0.
template <run_result R, fault_kind Want>
[[nodiscard]] consteval bool expect_fault() noexcept {
    if constexpr (R.error.kind != Want) {
        expectation::the_run_did_not_fault_as_expected<Want, R.error.kind, expectation::at_pc<R.exit_pc>,
                                                       expectation::got_r0<R.r0>>();
        return false;
    } else {
        return true;
    }
}

} // namespace bpfxx::vm
