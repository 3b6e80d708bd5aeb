#pragma once
// The interpreter: a machine that holds the maps of its programs, their
// environment (clock, random numbers, CPU, trace output, ring buffer
// records) and the memory of one run, and executes BPF instructions with
// the semantics of RFC 9669 and Linux 6.18. The same code runs in constant
// evaluation and at run time:
//
//     constexpr auto r = bpfxx::vm::run_xdp(filter, tcp_packet);
//     static_assert(r.r0 == bpfxx::xdp::drop);
//
//     bpfxx::vm::machine_for<decltype(prog)> vm;  // keeps its maps across runs
//     vm.map<counters>().update(6, 0);
//     CHECK(vm.run_socket_filter(prog, frame).ok());
//     CHECK(vm.map<counters>().lookup(6) == 1);
//
// Memory is a set of regions the machine owns (vm/address.hpp, checked by
// vm/memory.hpp); every access is checked and a bad one ends the run with a
// fault, never with undefined behaviour in the host. In strict mode (the
// default) reading a register or stack slot that was never written is a
// fault too: the kernel verifier refuses such programs.
//
// This header is the machine's public face: its state (vm/state.hpp), the
// contexts it gives programs (vm/contexts.hpp), the executors
// (vm/execute.hpp, vm/fast.hpp) and the helper models (vm/helpers.hpp) each
// live in their own.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/contexts.hpp>
#include <bpfxx/vm/fast.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/state.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>

namespace bpfxx::vm {

template <class Maps = type_list<>, limits L = limits{}>
class machine;

namespace detail {
template <class P>
struct maps_of {
    using type = type_list<>;
};
template <class P>
    requires requires { typename P::maps; }
struct maps_of<P> {
    using type = typename P::maps;
};
} // namespace detail

/// A machine for the maps program P references (none for a span of
/// instructions), with limits L.
template <class P, limits L = limits{}>
using machine_for = machine<typename detail::maps_of<P>::type, L>;

template <class... Ms, limits L>
class machine<type_list<Ms...>, L> {
    using state = detail::machine_state<type_list<Ms...>, L>;

public:
    using maps = type_list<Ms...>;
    static constexpr limits config = L;
    static constexpr std::size_t map_count = sizeof...(Ms);

    constexpr machine() noexcept = default;

    // ---- maps and environment ------------------------------------------

    /// The model of map M (seed it before a run, inspect it after).
    template <class M>
    [[nodiscard]] constexpr model_of<M, L.ringbuf_records>& map() noexcept {
        static_assert(contains<M, maps>, "bpfxx::vm: this machine does not hold a map of this type");
        return std::get<index_of<M, maps>>(s_.map_models);
    }
    template <class M>
    [[nodiscard]] constexpr const model_of<M, L.ringbuf_records>& map() const noexcept {
        static_assert(contains<M, maps>, "bpfxx::vm: this machine does not hold a map of this type");
        return std::get<index_of<M, maps>>(s_.map_models);
    }

    /// What bpf_ktime_get_ns (and the boot, coarse and TAI clocks) return;
    /// each read advances the clock by `step`.
    constexpr void set_clock(std::uint64_t ns, std::uint64_t step = 0) noexcept {
        s_.clock = ns;
        s_.clock_step = step;
    }
    /// Seeds bpf_get_prandom_u32 (a xorshift generator: same seed, same numbers).
    constexpr void set_prandom_seed(std::uint64_t seed) noexcept { s_.prandom = seed ? seed : 0x9e3779b97f4a7c15u; }
    /// What bpf_get_smp_processor_id returns.
    constexpr void set_cpu(std::uint32_t cpu) noexcept { s_.cpu = cpu; }
    /// The task tracing programs run in: what bpf_get_current_pid_tgid,
    /// get_current_uid_gid and get_current_comm return (the name cut to 15 bytes).
    constexpr void set_task(const task& t) noexcept {
        s_.pid = t.pid;
        s_.tgid = t.tgid;
        s_.uid = t.uid;
        s_.gid = t.gid;
        s_.comm = {};
        for (std::size_t i = 0; i < t.comm.size() && i + 1 < s_.comm.size(); ++i) s_.comm[i] = t.comm[i];
    }

    /// Puts `prog` at `index` of prog_array M, for bpf_tail_call. The program
    /// must outlive the machine's runs.
    template <class M, class P>
    constexpr void set_tail_call(std::uint32_t index, const P& prog) noexcept {
        static_assert(M::type == map_type::prog_array, "bpfxx::vm: set_tail_call needs a prog_array");
        static_assert(program_type<P>, "bpfxx::vm: set_tail_call takes an assembled program");
        if (s_.programs_used >= L.programs) return;
        s_.programs[s_.programs_used] = make_ref(prog);
        const std::uint32_t id = ++s_.programs_used;
        (void)map<M>().update(index, id);
    }

    /// Lines bpf_trace_printk wrote in this machine's runs (at most limits::trace_lines).
    [[nodiscard]] constexpr std::size_t trace_count() const noexcept { return s_.trace_used; }
    [[nodiscard]] constexpr std::string_view trace_line(std::size_t i) const noexcept {
        return i < s_.trace_used ? s_.trace[i].view() : std::string_view{};
    }
    constexpr void clear_trace() noexcept { s_.trace_used = 0; }

    /// The target of the last successful bpf_redirect/bpf_redirect_map of the last run.
    [[nodiscard]] constexpr std::optional<redirect_target> redirected() const noexcept { return s_.redirect; }

    // ---- runs ---------------------------------------------------------

    /// Runs `prog` on context C (one of vm/contexts.hpp: `vm::contexts::xdp` …)
    /// set up from `input` as that context's model says.
    template <class C, class P, class... Input>
    constexpr run_result run(const P& prog, const Input&... input) noexcept {
        static_assert(contains<C, detail::context_models>,
                      "bpfxx::vm: not a context the machine knows (see vm/contexts.hpp)");
        const auto code = make_ref(prog);
        if (!C::setup(s_, input...)) return bad_input();
        return execute<C>(code);
    }

    /// Runs `prog` with r1 = a copy of `memory`, r2 = its length (the
    /// convention of ISA conformance suites). `memory()` shows it after.
    template <class P>
    constexpr run_result run_on_memory(const P& prog, std::span<const std::uint8_t> mem) noexcept {
        return run<contexts::memory>(prog, mem);
    }

    /// Runs a socket filter on an Ethernet frame as BPF_PROG_TEST_RUN does:
    /// skb->data at the network header, skb->protocol from the frame.
    template <class P>
    constexpr run_result run_socket_filter(const P& prog, std::span<const std::uint8_t> frame,
                                           const skb_options& opts = {}) noexcept {
        return run<contexts::socket_filter>(prog, frame, opts);
    }

    /// Runs a tc (sched_cls/sched_act) program on an Ethernet frame as
    /// BPF_PROG_TEST_RUN does: skb->data at the link header.
    template <class P>
    constexpr run_result run_tc(const P& prog, std::span<const std::uint8_t> frame,
                                const skb_options& opts = {}) noexcept {
        return run<contexts::tc>(prog, frame, opts);
    }

    /// Runs an XDP program on an Ethernet frame as BPF_PROG_TEST_RUN does:
    /// 256 bytes of headroom, a 4 KiB frame.
    template <class P>
    constexpr run_result run_xdp(const P& prog, std::span<const std::uint8_t> frame,
                                 const xdp_options& opts = {}) noexcept {
        return run<contexts::xdp>(prog, frame, opts);
    }

    /// Runs a kprobe or uprobe program (or a return probe) on the probed
    /// function's registers.
    template <class P>
    constexpr run_result run_kprobe(const P& prog, const pt_regs& regs) noexcept {
        return run<contexts::pt_regs>(prog, regs);
    }

    /// Runs a raw tracepoint program on the traced call's arguments (at most 12).
    template <class P>
    constexpr run_result run_raw_tracepoint(const P& prog, std::span<const std::uint64_t> args) noexcept {
        return run<contexts::raw_tracepoint>(prog, args);
    }

    /// Runs a tracepoint program on an event's record (its bytes, common
    /// fields first; `packet()` shows it after).
    template <class P>
    constexpr run_result run_tracepoint(const P& prog, std::span<const std::uint8_t> record) noexcept {
        return run<contexts::tracepoint>(prog, record);
    }

    // ---- after a run ----------------------------------------------------

    /// The packet as BPF_PROG_TEST_RUN returns it in data_out: XDP from
    /// data to data_end (the kernel's data_out starts at data_meta: it is
    /// metadata() followed by packet()), skb programs from the link header to
    /// the end (socket filters get that header zeroed, as from the kernel).
    [[nodiscard]] constexpr std::span<const std::uint8_t> packet() const noexcept {
        std::uint32_t from = 0;
        detail::with_context(s_.context, [&]<class C>(C) { from = C::packet_begin(s_); });
        return std::span<const std::uint8_t>(s_.pkt).subspan(from, s_.end - from);
    }
    /// The metadata area of an XDP run (data_meta to data).
    [[nodiscard]] constexpr std::span<const std::uint8_t> metadata() const noexcept {
        return std::span<const std::uint8_t>(s_.pkt).subspan(s_.meta, s_.data - s_.meta);
    }
    /// The buffer of `run_on_memory`.
    [[nodiscard]] constexpr std::span<const std::uint8_t> memory() const noexcept {
        return std::span<const std::uint8_t>(s_.pkt).subspan(0, s_.end);
    }
    /// The context structure of the last run as context C shows it (its `view`).
    template <class C>
    [[nodiscard]] constexpr auto context() const noexcept {
        return C::view(s_);
    }
    /// The `__sk_buff` the program left (mark, priority, cb … as ctx_out would show them).
    [[nodiscard]] constexpr sk_buff skb() const noexcept { return context<contexts::tc>(); }
    /// The `xdp_md` view of the last XDP run (offsets relative to the frame start).
    [[nodiscard]] constexpr xdp_md xdp_context() const noexcept { return context<contexts::xdp>(); }

private:
    template <class P>
    [[nodiscard]] static constexpr detail::code_ref make_ref(const P& prog) noexcept {
        detail::code_ref r;
        if constexpr (program_type<P>) {
            r.code = prog.data();
            r.size = static_cast<std::uint32_t>(prog.size());
            r.remap = remap_of(typename P::maps{});
            r.remapped = true;
        } else {
            const std::span<const insn> s(prog);
            r.code = s.data();
            r.size = static_cast<std::uint32_t>(s.size());
        }
        return r;
    }

    template <class... Ps>
    [[nodiscard]] static constexpr std::array<std::uint8_t, 64> remap_of(type_list<Ps...>) noexcept {
        static_assert((contains<Ps, maps> && ...),
                      "bpfxx::vm: the program references a map this machine does not hold "
                      "(use vm::machine_for<decltype(prog)>, or list the map in machine<type_list<...>>)");
        return {static_cast<std::uint8_t>(index_of<Ps, maps>)...};
    }

    [[nodiscard]] static constexpr run_result bad_input() noexcept {
        run_result r;
        r.error.kind = fault_kind::bad_input;
        return r;
    }

    /// Runs `entry` on the context C set up: registers, frame, the loop, and
    /// what the run hands back.
    template <class C>
    constexpr run_result execute(const detail::code_ref& entry) noexcept {
        s_.regs = {};
        s_.init = 0;
        s_.error = {};
        s_.depth = 0;
        s_.pc = 0;
        s_.steps = 0;
        ++s_.runs;
        s_.tail_calls = 0;
        s_.helper_calls = 0;
        s_.map_calls = 0;
        s_.loops = detail::max_loops;
        s_.code = &entry;
        s_.tail_target = nullptr;
        // frame 0's bytes are unwritten; deeper frames are cleared as calls enter them
        for (std::size_t k = 0; k < stack_size / 64; ++k) s_.stack_init[k] = 0;
        if (!L.strict) s_.stack = {}; // lenient runs may read stack they never wrote: make it zeros
        C::enter(s_);
        s_.set(10, make_address(region::stack, stack_size));
        if (!L.strict) s_.init = 0x7ff;

        run_result result;
        detail::fast_executor::run(s_, result);
        result.steps = s_.steps;
        result.error = s_.error;
        result.exit_pc = s_.error ? s_.error.pc : s_.pc;
        result.helper_calls = s_.helper_calls;
        result.map_calls = s_.map_calls;
        s_.note_dirty();
        C::finish(s_);
        return result;
    }

    state s_{};
};

// ---- one-shot runs, for static_assert -----------------------------------------

/// Runs `prog` on a fresh machine; see machine::run_xdp.
template <class P>
[[nodiscard]] constexpr run_result run_xdp(const P& prog, std::span<const std::uint8_t> frame,
                                           const xdp_options& opts = {}) noexcept {
    machine_for<P> m;
    return m.run_xdp(prog, frame, opts);
}
/// Runs `prog` on a fresh machine; see machine::run_tc.
template <class P>
[[nodiscard]] constexpr run_result run_tc(const P& prog, std::span<const std::uint8_t> frame,
                                          const skb_options& opts = {}) noexcept {
    machine_for<P> m;
    return m.run_tc(prog, frame, opts);
}
/// Runs `prog` on a fresh machine; see machine::run_socket_filter.
template <class P>
[[nodiscard]] constexpr run_result run_socket_filter(const P& prog, std::span<const std::uint8_t> frame,
                                                     const skb_options& opts = {}) noexcept {
    machine_for<P> m;
    return m.run_socket_filter(prog, frame, opts);
}
/// Runs `prog` on a fresh machine; see machine::run_kprobe.
template <class P>
[[nodiscard]] constexpr run_result run_kprobe(const P& prog, const pt_regs& regs) noexcept {
    machine_for<P> m;
    return m.run_kprobe(prog, regs);
}
/// Runs `prog` on a fresh machine; see machine::run_raw_tracepoint.
template <class P>
[[nodiscard]] constexpr run_result run_raw_tracepoint(const P& prog, std::span<const std::uint64_t> args) noexcept {
    machine_for<P> m;
    return m.run_raw_tracepoint(prog, args);
}
/// Runs `prog` on a fresh machine; see machine::run_tracepoint.
template <class P>
[[nodiscard]] constexpr run_result run_tracepoint(const P& prog, std::span<const std::uint8_t> record) noexcept {
    machine_for<P> m;
    return m.run_tracepoint(prog, record);
}
/// Runs `prog` on a fresh machine; see machine::run_on_memory.
template <class P>
[[nodiscard]] constexpr run_result run_on_memory(const P& prog, std::span<const std::uint8_t> mem) noexcept {
    machine_for<P> m;
    return m.run_on_memory(prog, mem);
}

} // namespace bpfxx::vm
