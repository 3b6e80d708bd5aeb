#pragma once
// What `static_check` may let pass. The defaults are strict: each option
// relaxes one check for programs that the kernel accepts anyway.

namespace bpfxx {

/// Relaxations of `static_check`. A structural type, so it can also be a
/// template argument (`bpfxx::checked<prog, {.allow_back_edges = true}>`).
struct check_options {
    /// Loops: the kernel verifies bounded loops (Linux 5.3+) and `may_goto`
    /// (6.9+). With loops allowed, the data-flow checks iterate to a fixed point.
    bool allow_back_edges = false;
    /// Dead code: the kernel rejects it for unprivileged loads only.
    bool allow_unreachable = false;
    /// Reading stack bytes not written first: recent kernels let privileged
    /// loads do it.
    bool allow_uninitialized_stack = false;
    /// Helper ids above the SDK's list (a kernel newer than the SDK).
    bool allow_unknown_helpers = false;

    friend constexpr bool operator==(const check_options&, const check_options&) = default;
};

} // namespace bpfxx
