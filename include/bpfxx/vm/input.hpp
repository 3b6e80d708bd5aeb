#pragma once
// What a run starts from: the machine's limits, the packet and context of
// each program type, and what a run returns.

#include <bpfxx/vm/fault.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace bpfxx::vm {

/// Fixed capacities of a machine (nothing is allocated at run time).
struct limits {
    std::uint64_t budget = 1u << 20;      ///< instructions one run may execute
    std::uint32_t frame_bytes = 4096;     ///< packet buffer: headroom + packet + tailroom
    std::uint32_t programs = 8;           ///< programs a prog_array can refer to
    std::uint32_t trace_lines = 32;       ///< trace_printk lines kept
    std::uint32_t ringbuf_records = 64;   ///< records kept per ring buffer
    bool strict = true; ///< fault on reads of registers and stack never written (the verifier refuses them)
    /// Run programs from a decoded form cached per program (vm/decode.hpp);
    /// false runs each instruction from its bytes. The results are the same.
    bool decode = true;
};

/// The packet fields of a run that BPF_PROG_TEST_RUN lets a caller set
/// (through ctx_in), and their defaults there.
struct skb_options {
    std::uint32_t mark = 0;
    std::uint32_t priority = 0;
    std::uint32_t ifindex = 1; ///< the loopback device, as in BPF_PROG_TEST_RUN
    std::uint32_t ingress_ifindex = 0;
    std::array<std::uint32_t, 5> cb{};
    std::uint64_t tstamp = 0;
    std::uint32_t gso_segs = 0;
    std::uint32_t gso_size = 0;
    std::uint32_t queue_mapping = 0;
    std::uint32_t hash = 0;
};

struct xdp_options {
    std::uint32_t ingress_ifindex = 1; ///< the loopback device, as in BPF_PROG_TEST_RUN
    std::uint32_t rx_queue_index = 0;
};

/// The task a tracing program runs in: what bpf_get_current_pid_tgid,
/// bpf_get_current_uid_gid and bpf_get_current_comm return
/// (`machine::set_task`). The kernel's pid is the thread's id, tgid the process's.
struct task {
    std::uint32_t pid = 0;
    std::uint32_t tgid = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::string_view comm = {}; ///< at most 15 bytes are kept (TASK_COMM_LEN is 16 with its NUL)
};

/// Where a redirect helper sent the packet.
struct redirect_target {
    std::uint64_t ifindex_or_key = 0; ///< bpf_redirect: ifindex; bpf_redirect_map: the key
    std::uint64_t flags = 0;
    std::int32_t map = -1; ///< index of the map of bpf_redirect_map, -1 for bpf_redirect
    friend constexpr bool operator==(const redirect_target&, const redirect_target&) = default;
};

/// How a run ended.
struct run_result {
    std::uint64_t r0 = 0;    ///< the return value (meaningful when ok())
    fault error{};           ///< what stopped the program, if it did not exit
    std::uint64_t steps = 0; ///< instructions executed
    /// The slot of the instruction that ended the run, in the program running
    /// last (a tail call's target, after one): the `exit` of the entry
    /// function, an ld_abs/ld_ind outside the packet (the kernel's `return
    /// 0`), or the faulting instruction. What a test asks to know whether a
    /// run got past its early exits.
    std::uint32_t exit_pc = 0;
    std::uint32_t helper_calls = 0; ///< helper calls made, the failed one included
    /// Calls of the map element helpers (lookup, update, delete, push, pop,
    /// peek, lookup_percpu: the family vm/helpers/maps.hpp models), whatever
    /// they returned.
    std::uint32_t map_calls = 0;

    [[nodiscard]] constexpr bool ok() const noexcept { return !error; }
    [[nodiscard]] constexpr explicit operator bool() const noexcept { return ok(); }
    /// r0 as the 32-bit value the kernel hands to the hook.
    [[nodiscard]] constexpr std::uint32_t retval() const noexcept { return static_cast<std::uint32_t>(r0); }
};

} // namespace bpfxx::vm
