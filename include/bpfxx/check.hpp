#pragma once
// Static checks: constexpr analysis of a program's encoding, control flow
// and data flow, usable in a static_assert and at run time (see
// bpfxx/check/static_check.hpp for what it proves and what it does not).
// Portable: no operating-system headers.
//
//     static_assert(bpfxx::static_check(prog));
//     static_assert(bpfxx::checked<prog>); // a failure names problem and slot

#include <bpfxx/check/cfg.hpp>
#include <bpfxx/check/checked.hpp>
#include <bpfxx/check/dataflow.hpp>
#include <bpfxx/check/decode.hpp>
#include <bpfxx/check/frame_state.hpp>
#include <bpfxx/check/options.hpp>
#include <bpfxx/check/report.hpp>
#include <bpfxx/check/static_check.hpp>
#include <bpfxx/check/workspace.hpp>
