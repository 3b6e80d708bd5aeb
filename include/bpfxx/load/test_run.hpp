#pragma once
// `test_run(prog, options)`: runs a loaded program in the kernel on a given
// packet and context (BPF_PROG_TEST_RUN) without attaching it anywhere.
//
//     const std::array<std::uint8_t, 64> packet{...};
//     auto r = bpfxx::test_run(p, {.data = std::as_bytes(std::span(packet)), .repeat = 1000});
//     CHECK(r.retval == 2);  // r.data_out: the packet after the program; r.duration: per run

#include <bpfxx/load/prog.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bpfxx {

/// Input of `test_run`. Which fields a program type accepts is the kernel's
/// rule: packet programs (socket_filter, sched_cls, xdp …) need `data` of at
/// least an Ethernet header (and a whole IPv4/IPv6 header when the Ethernet
/// type says so); raw_tracepoint and syscall programs take only `ctx`, and
/// neither `repeat` nor a context out.
struct test_run_options {
    std::span<const std::byte> data{}; ///< the packet (data_in); `std::as_bytes(std::span(arr))`
    std::span<const std::byte> ctx{};  ///< the context in (`__sk_buff`, `xdp_md`, arguments …)
    /// Room for the packet out. 0: the input's size plus 256 bytes. When the
    /// program's output is bigger the kernel says so, and the program runs
    /// again with room enough: size it to avoid running twice.
    std::size_t data_out_size = 0;
    /// Room for the context out. 0: as big as `ctx`, for the program types
    /// that give a context back (not raw_tracepoint, tracing, lsm or
    /// struct_ops, which refuse one). Grown like `data_out_size`.
    std::size_t ctx_out_size = 0;
    std::uint32_t repeat = 0; ///< runs (0: once); the duration is their mean
    std::uint32_t flags = 0;  ///< BPF_F_TEST_* (the CPU flag is set by `cpu`)
    /// Run on this CPU (BPF_F_TEST_RUN_ON_CPU; raw_tracepoint programs only).
    std::optional<std::uint32_t> cpu{};
    std::uint32_t batch_size = 0; ///< XDP with BPF_F_TEST_XDP_LIVE_FRAMES: frames per batch
};

/// Output of `test_run`.
struct test_run_result {
    std::uint32_t retval = 0;          ///< r0 at exit (of the last run)
    std::vector<std::byte> data_out;   ///< the packet after the program (empty without `data`)
    /// The context after the program (empty without a context). For syscall
    /// programs, which write to their context, the context they left.
    std::vector<std::byte> ctx_out;
    std::chrono::nanoseconds duration{}; ///< mean time of one run, as the kernel measured it
};

namespace detail::test_runs {
inline constexpr std::uint32_t on_cpu = 1u << 0; // BPF_F_TEST_RUN_ON_CPU
inline constexpr std::size_t headroom = 256;

/// Program types whose test runs refuse a context out.
[[nodiscard]] constexpr bool refuses_ctx_out(prog_type t) noexcept {
    return t == prog_type::raw_tracepoint || t == prog_type::raw_tracepoint_writable || t == prog_type::tracing ||
           t == prog_type::lsm || t == prog_type::struct_ops || t == prog_type::syscall;
}
} // namespace detail::test_runs

/// Runs `p` once, or `opts.repeat` times, in the kernel (BPF_PROG_TEST_RUN).
/// Throws `bpfxx::error` when the kernel refuses (EINVAL: input the program
/// type does not take, ENOTSUPP (524): a type without test runs).
[[nodiscard]] inline test_run_result test_run(const prog& p, const test_run_options& opts = {}) {
    test_run_result r;
    // A syscall program's context is written back where it came from: give
    // the kernel a copy, which becomes the context out.
    const bool ctx_in_place = p.type() == prog_type::syscall;
    std::size_t data_room = opts.data.empty() ? opts.data_out_size
                            : opts.data_out_size != 0 ? opts.data_out_size
                                                      : opts.data.size() + detail::test_runs::headroom;
    std::size_t ctx_room = opts.ctx_out_size != 0 ? opts.ctx_out_size
                           : detail::test_runs::refuses_ctx_out(p.type()) ? 0
                                                                        : opts.ctx.size();
    if (opts.data.size() > UINT32_MAX || opts.ctx.size() > UINT32_MAX || data_room > UINT32_MAX ||
        ctx_room > UINT32_MAX)
        throw error(E2BIG, "BPF_PROG_TEST_RUN", p.name(), "input or output larger than 4 GiB");

    // Two rounds at most: the kernel reports the sizes it needed with ENOSPC.
    for (int round = 0;; ++round) {
        r.data_out.assign(data_room, std::byte{0});
        if (ctx_in_place) r.ctx_out.assign(opts.ctx.begin(), opts.ctx.end());
        else r.ctx_out.assign(ctx_room, std::byte{0});
        sys::test_run_attr attr{};
        attr.prog_fd = static_cast<std::uint32_t>(p.fd());
        attr.data_in = opts.data.empty() ? 0u : sys::ptr(opts.data.data());
        attr.data_size_in = static_cast<std::uint32_t>(opts.data.size());
        attr.data_out = data_room == 0 ? 0u : sys::ptr(r.data_out.data());
        attr.data_size_out = static_cast<std::uint32_t>(data_room);
        attr.ctx_in = opts.ctx.empty() ? 0u : ctx_in_place ? sys::ptr(r.ctx_out.data()) : sys::ptr(opts.ctx.data());
        attr.ctx_size_in = static_cast<std::uint32_t>(opts.ctx.size());
        attr.ctx_out = ctx_room == 0 ? 0u : sys::ptr(r.ctx_out.data());
        attr.ctx_size_out = static_cast<std::uint32_t>(ctx_room);
        attr.repeat = opts.repeat;
        attr.flags = opts.flags | (opts.cpu ? detail::test_runs::on_cpu : 0u);
        attr.cpu = opts.cpu.value_or(0);
        attr.batch_size = opts.batch_size;
        if (sys::call(sys::cmd::prog_test_run, attr) == 0) {
            r.retval = attr.retval;
            r.data_out.resize(data_room == 0 ? 0 : attr.data_size_out);
            if (!ctx_in_place) r.ctx_out.resize(ctx_room == 0 ? 0 : attr.ctx_size_out);
            r.duration = std::chrono::nanoseconds(attr.duration);
            return r;
        }
        const int errnum = errno;
        const bool grow = errnum == ENOSPC && round == 0 &&
                          (attr.data_size_out > data_room || attr.ctx_size_out > ctx_room);
        if (!grow) {
            errno = errnum;
            detail::throw_errno("BPF_PROG_TEST_RUN", p.name());
        }
        if (attr.data_size_out > data_room) data_room = attr.data_size_out;
        if (attr.ctx_size_out > ctx_room) ctx_room = attr.ctx_size_out;
    }
}

} // namespace bpfxx
