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
// Memory is a set of regions the machine owns (vm/address.hpp); every
// access is checked and a bad one ends the run with a fault, never with
// undefined behaviour in the host. In strict mode (the default) reading a
// register or stack slot that was never written is a fault too: the kernel
// verifier refuses such programs.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/checksum.hpp>
#include <bpfxx/vm/decode.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/input.hpp>
#include <bpfxx/vm/map_model.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace bpfxx::vm {

/// Where a redirect helper sent the packet.
struct redirect_target {
    std::uint64_t ifindex_or_key = 0; ///< bpf_redirect: ifindex; bpf_redirect_map: the key
    std::uint64_t flags = 0;
    std::int32_t map = -1; ///< index of the map of bpf_redirect_map, -1 for bpf_redirect
    friend constexpr bool operator==(const redirect_target&, const redirect_target&) = default;
};

namespace detail {

/// A program as the machine runs it: its slots, and how its map indices
/// (the fd_array indices `ld_map<M>` emits) map to the machine's maps.
struct code_ref {
    const insn* code = nullptr;
    std::uint32_t size = 0;
    std::array<std::uint8_t, 64> remap{};
    bool remapped = false;
};

struct frame_state {
    const code_ref* code = nullptr;
    std::uint32_t return_pc = 0;
    std::array<std::uint64_t, 4> saved{}; ///< r6–r9 of the caller
    std::uint16_t saved_init = 0;
};

inline constexpr std::uint32_t xdp_headroom = 256;  // XDP_PACKET_HEADROOM
inline constexpr std::uint32_t skb_headroom = 64;   // NET_SKB_PAD
inline constexpr std::uint32_t tailroom = 320;      // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
inline constexpr std::uint32_t xdp_frame_size = 40; // sizeof(struct xdp_frame), kept free at the head
inline constexpr std::uint32_t eth_hlen = 14;
inline constexpr std::uint32_t max_loops = 8u << 20; // BPF_MAX_LOOPS: the may_goto budget

[[nodiscard]] constexpr std::uint64_t sext(std::uint64_t v, unsigned bits) noexcept {
    const std::uint64_t m = std::uint64_t{1} << (bits - 1);
    v &= (bits == 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << bits) - 1);
    return (v ^ m) - m;
}
[[nodiscard]] constexpr std::uint64_t bswap(std::uint64_t v, unsigned bits) noexcept {
    std::uint64_t r = 0;
    for (unsigned i = 0; i < bits / 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xffu);
    return r;
}
[[nodiscard]] constexpr std::uint64_t load_le(const std::uint8_t* p, unsigned n) noexcept {
    std::uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}
constexpr void store_le(std::uint8_t* p, unsigned n, std::uint64_t v) noexcept {
    for (unsigned i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
[[nodiscard]] constexpr std::uint64_t load_be(const std::uint8_t* p, unsigned n) noexcept {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

} // namespace detail

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
    static_assert(sizeof...(Ms) <= 64, "bpfxx::vm: a program uses at most 64 maps (MAX_USED_MAPS)");
    static_assert(L.frame_bytes >= detail::xdp_headroom + detail::tailroom + 64,
                  "bpfxx::vm: limits::frame_bytes is too small to hold a packet");

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
        return std::get<index_of<M, maps>>(maps_);
    }
    template <class M>
    [[nodiscard]] constexpr const model_of<M, L.ringbuf_records>& map() const noexcept {
        static_assert(contains<M, maps>, "bpfxx::vm: this machine does not hold a map of this type");
        return std::get<index_of<M, maps>>(maps_);
    }

    /// What bpf_ktime_get_ns (and the boot, coarse and TAI clocks) return;
    /// each read advances the clock by `step`.
    constexpr void set_clock(std::uint64_t ns, std::uint64_t step = 0) noexcept {
        clock_ = ns;
        clock_step_ = step;
    }
    /// Seeds bpf_get_prandom_u32 (a xorshift generator: same seed, same numbers).
    constexpr void set_prandom_seed(std::uint64_t seed) noexcept { prandom_ = seed ? seed : 0x9e3779b97f4a7c15u; }
    /// What bpf_get_smp_processor_id returns.
    constexpr void set_cpu(std::uint32_t cpu) noexcept { cpu_ = cpu; }

    /// Puts `prog` at `index` of prog_array M, for bpf_tail_call. The program
    /// must outlive the machine's runs.
    template <class M, class P>
    constexpr void set_tail_call(std::uint32_t index, const P& prog) noexcept {
        static_assert(M::type == map_type::prog_array, "bpfxx::vm: set_tail_call needs a prog_array");
        static_assert(program_type<P>, "bpfxx::vm: set_tail_call takes an assembled program");
        if (programs_used_ >= L.programs) return;
        programs_[programs_used_] = make_ref(prog);
        const std::uint32_t id = ++programs_used_;
        (void)map<M>().update(index, id);
    }

    /// Lines bpf_trace_printk wrote in this machine's runs (at most limits::trace_lines).
    [[nodiscard]] constexpr std::size_t trace_count() const noexcept { return trace_used_; }
    [[nodiscard]] constexpr std::string_view trace_line(std::size_t i) const noexcept {
        return i < trace_used_ ? trace_[i].view() : std::string_view{};
    }
    constexpr void clear_trace() noexcept { trace_used_ = 0; }

    /// The target of the last successful bpf_redirect/bpf_redirect_map of the last run.
    [[nodiscard]] constexpr std::optional<redirect_target> redirected() const noexcept { return redirect_; }

    // ---- runs ---------------------------------------------------------

    /// Runs `prog` with r1 = a copy of `memory`, r2 = its length (the
    /// convention of ISA conformance suites). `memory()` shows it after.
    template <class P>
    constexpr run_result run_on_memory(const P& prog, std::span<const std::uint8_t> mem) noexcept {
        const auto code = make_ref(prog);
        if (!reset(context_kind::memory, mem.size(), 0)) return bad_input();
        for (std::size_t i = 0; i < mem.size(); ++i) pkt_[i] = mem[i];
        return execute(code, make_address(region::memory, 0), mem.size());
    }

    /// Runs a socket filter on an Ethernet frame as BPF_PROG_TEST_RUN does:
    /// skb->data at the network header, skb->protocol from the frame.
    template <class P>
    constexpr run_result run_socket_filter(const P& prog, std::span<const std::uint8_t> frame,
                                           const skb_options& opts = {}) noexcept {
        const auto code = make_ref(prog);
        if (!setup_skb(context_kind::socket_filter, frame, opts)) return bad_input();
        return execute(code, make_address(region::context, 0), 0);
    }

    /// Runs a tc (sched_cls/sched_act) program on an Ethernet frame as
    /// BPF_PROG_TEST_RUN does: skb->data at the link header.
    template <class P>
    constexpr run_result run_tc(const P& prog, std::span<const std::uint8_t> frame,
                                const skb_options& opts = {}) noexcept {
        const auto code = make_ref(prog);
        if (!setup_skb(context_kind::tc, frame, opts)) return bad_input();
        return execute(code, make_address(region::context, 0), 0);
    }

    /// Runs an XDP program on an Ethernet frame as BPF_PROG_TEST_RUN does:
    /// 256 bytes of headroom, a 4 KiB frame.
    template <class P>
    constexpr run_result run_xdp(const P& prog, std::span<const std::uint8_t> frame,
                                 const xdp_options& opts = {}) noexcept {
        const auto code = make_ref(prog);
        if (frame.size() < detail::eth_hlen || frame.size() > L.frame_bytes - detail::xdp_headroom - detail::tailroom)
            return bad_input();
        reset(context_kind::xdp, 0, detail::xdp_headroom);
        for (std::size_t i = 0; i < frame.size(); ++i) pkt_[detail::xdp_headroom + i] = frame[i];
        meta_ = data_ = detail::xdp_headroom;
        end_ = detail::xdp_headroom + static_cast<std::uint32_t>(frame.size());
        xdp_ingress_ = opts.ingress_ifindex;
        xdp_queue_ = opts.rx_queue_index;
        return execute(code, make_address(region::context, 0), 0);
    }

    // ---- after a run ----------------------------------------------------

    /// The packet as BPF_PROG_TEST_RUN returns it in data_out: XDP from
    /// data to data_end (the kernel's data_out starts at data_meta: it is
    /// metadata() followed by packet()), skb programs from the link header to
    /// the end (socket filters get that header zeroed, as from the kernel).
    [[nodiscard]] constexpr std::span<const std::uint8_t> packet() const noexcept {
        const auto from = kind_ == context_kind::xdp ? data_ : mac_;
        return std::span<const std::uint8_t>(pkt_).subspan(from, end_ - from);
    }
    /// The metadata area of an XDP run (data_meta to data).
    [[nodiscard]] constexpr std::span<const std::uint8_t> metadata() const noexcept {
        return std::span<const std::uint8_t>(pkt_).subspan(meta_, data_ - meta_);
    }
    /// The buffer of `run_on_memory`.
    [[nodiscard]] constexpr std::span<const std::uint8_t> memory() const noexcept {
        return std::span<const std::uint8_t>(pkt_).subspan(0, end_);
    }
    /// The `__sk_buff` the program left (mark, priority, cb … as ctx_out would show them).
    [[nodiscard]] constexpr sk_buff skb() const noexcept { return std::bit_cast<sk_buff>(ctx_); }
    /// The `xdp_md` view of the last XDP run (offsets relative to the frame start).
    [[nodiscard]] constexpr xdp_md xdp_context() const noexcept {
        return xdp_md{data_ - detail::xdp_headroom, end_ - detail::xdp_headroom, meta_ - detail::xdp_headroom,
                      xdp_ingress_, xdp_queue_, 0};
    }

private:
    // ---- setup ----------------------------------------------------------

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

    [[nodiscard]] constexpr run_result bad_input() noexcept {
        run_result r;
        r.error.kind = fault_kind::bad_input;
        return r;
    }

    constexpr bool reset(context_kind k, std::size_t mem_size, std::uint32_t) noexcept {
        kind_ = k;
        ctx_ = {};
        // only what earlier runs touched: a run costs its packet, not the buffer
        // a local bound: byte stores could alias the member and force a reload per byte
        for (std::uint32_t k = 0, n = pkt_dirty_; k < n; ++k) pkt_[k] = 0;
        pkt_dirty_ = 0;
        // (setup copies the input packet in and sets end_; execute notes it)
        meta_ = data_ = end_ = mac_ = net_ = 0;
        redirect_.reset();
        if (k == context_kind::memory) {
            if (mem_size > L.frame_bytes) return false;
            end_ = static_cast<std::uint32_t>(mem_size);
        }
        return true;
    }

    constexpr bool setup_skb(context_kind k, std::span<const std::uint8_t> frame, const skb_options& o) noexcept {
        reset(k, 0, 0);
        const auto room = L.frame_bytes - detail::skb_headroom - detail::tailroom;
        if (frame.size() < detail::eth_hlen || frame.size() > room) return false;
        if (o.gso_segs > 0xffff) return false; // more than GSO_MAX_SEGS: the kernel refuses the context
        // and it refuses IPv4 and IPv6 frames too short for the network header they announce
        const auto type = static_cast<unsigned>(frame[12]) << 8 | frame[13];
        if ((type == 0x0800 && frame.size() < detail::eth_hlen + 20) ||
            (type == 0x86dd && frame.size() < detail::eth_hlen + 40))
            return false;
        for (std::size_t i = 0; i < frame.size(); ++i) pkt_[detail::skb_headroom + i] = frame[i];
        mac_ = detail::skb_headroom;
        net_ = mac_ + detail::eth_hlen;
        end_ = mac_ + static_cast<std::uint32_t>(frame.size());
        data_ = meta_ = (k == context_kind::tc) ? mac_ : net_;
        // eth_type_trans on the loopback device (address and broadcast 00:00:00:00:00:00)
        const std::uint8_t* eth = &pkt_[mac_];
        std::uint32_t pkt_type = 0;
        bool zero_dst = true;
        for (int i = 0; i < 6; ++i) zero_dst = zero_dst && eth[i] == 0;
        if (!zero_dst) pkt_type = (eth[0] & 1u) ? 2u /* PACKET_MULTICAST */ : 3u /* PACKET_OTHERHOST */;
        const auto proto = static_cast<std::uint16_t>(detail::load_be(eth + 12, 2));
        std::uint16_t protocol = proto;
        if (proto < 0x600) {
            const bool raw_802_3 = frame.size() >= 16 && eth[14] == 0xff && eth[15] == 0xff;
            protocol = raw_802_3 ? 0x0001 : 0x0004;
        }
        set_ctx(offsetof(sk_buff, len), end_ - data_);
        set_ctx(offsetof(sk_buff, pkt_type), pkt_type);
        set_ctx(offsetof(sk_buff, mark), o.mark);
        set_ctx(offsetof(sk_buff, queue_mapping), o.queue_mapping);
        set_ctx(offsetof(sk_buff, protocol), detail::bswap(protocol, 16));
        set_ctx(offsetof(sk_buff, priority), o.priority);
        set_ctx(offsetof(sk_buff, ingress_ifindex), o.ingress_ifindex);
        set_ctx(offsetof(sk_buff, ifindex), o.ifindex);
        for (std::size_t i = 0; i < 5; ++i) set_ctx(offsetof(sk_buff, cb) + 4 * i, o.cb[i]);
        set_ctx(offsetof(sk_buff, hash), o.hash);
        set_ctx(offsetof(sk_buff, tstamp), o.tstamp, 8);
        // qdisc_skb_cb->pkt_len: skb->len when the context is set up, so without the
        // link header for socket filters
        set_ctx(offsetof(sk_buff, wire_len), end_ - data_);
        set_ctx(offsetof(sk_buff, gso_segs), o.gso_segs);
        set_ctx(offsetof(sk_buff, gso_size), o.gso_size & 0xffffu); // skb_shared_info::gso_size is 16 bits
        return true;
    }

    constexpr void set_ctx(std::size_t off, std::uint64_t v, unsigned n = 4) noexcept {
        detail::store_le(&ctx_[off], n, v);
    }

    // ---- faults and registers --------------------------------------------

    constexpr void raise(fault_kind k, std::uint64_t addr = 0, std::uint32_t size = 0) noexcept {
        if (fault_) return;
        fault_.kind = k;
        fault_.pc = pc_;
        fault_.address = addr;
        fault_.size = size;
    }
    constexpr void raise_helper(fault_kind k, std::int32_t id) noexcept {
        raise(k);
        fault_.helper_id = id;
    }

    [[nodiscard]] constexpr std::uint64_t get(unsigned r) noexcept {
        if (L.strict && !(init_ & (1u << r))) raise(fault_kind::uninitialized_register, 0, r);
        return regs_[r];
    }
    constexpr void set(unsigned r, std::uint64_t v) noexcept {
        regs_[r] = v;
        init_ |= static_cast<std::uint16_t>(1u << r);
    }
    constexpr void clobber_args() noexcept { init_ &= static_cast<std::uint16_t>(~0x3eu); }

    // ---- memory ---------------------------------------------------------

    enum class access : std::uint8_t { read, write, atomic };

    template <class F, std::size_t... Is>
    constexpr void visit_map(std::size_t i, F& f, std::index_sequence<Is...>) noexcept {
        ((i == Is ? (f(std::get<Is>(maps_)), 0) : 0), ...);
    }
    /// Calls f(model) with the model of the machine's map `i`.
    template <class F>
    constexpr void with_map(std::size_t i, F&& f) noexcept {
        visit_map(i, f, std::index_sequence_for<Ms...>{});
    }

    /// Host bytes for [addr, addr + size), or nullptr after raising a fault.
    [[nodiscard]] constexpr std::uint8_t* resolve(std::uint64_t addr, std::uint32_t size, access a) noexcept {
        const auto reg = region_of(addr);
        const auto off = offset_of(addr);
        const std::uint64_t end = std::uint64_t{off} + size;
        std::uint8_t* p = nullptr;
        bool read_only = false;
        if (reg == region::memory && kind_ == context_kind::memory) {
            if (end <= end_) p = &pkt_[off];
        } else if (reg == region::packet && (kind_ == context_kind::xdp || kind_ == context_kind::tc)) {
            if (off >= meta_ && end <= end_ && a != access::atomic) p = &pkt_[off];
        } else if (reg >= region::stack && reg <= region::stack + depth_) {
            if (end <= stack_size) {
                const std::size_t base = std::size_t{reg - region::stack} * stack_size + off;
                if (a == access::write) {
                    mark_stack(base, size);
                } else if (L.strict) {
                    for (std::size_t i = 0; i < size; ++i)
                        if (!(stack_init_[(base + i) / 64] >> ((base + i) % 64) & 1u)) {
                            raise(fault_kind::uninitialized_stack, addr, size);
                            return nullptr;
                        }
                }
                p = &stack_[base];
            }
        } else if (reg >= region::map_value && reg < region::map_value + map_count) {
            with_map(reg - region::map_value, [&](auto& m) {
                using model = std::remove_reference_t<decltype(m)>;
                if constexpr (requires { model::value_size; }) {
                    constexpr std::uint32_t vs = model::value_size;
                    if (vs != 0 && end <= model::value_area() && off / vs == (end - 1) / vs &&
                        slot_tag_of(addr) == slot_tag(off / vs)) {
                        p = m.value_bytes(0) + off;
                        read_only = bpfxx::has(bpfxx::detail::flags_of<typename model::descriptor>(),
                                               map_flags::rdonly_prog);
                    }
                }
            });
        } else if (reg >= region::ringbuf && reg < region::ringbuf + map_count) {
            with_map(reg - region::ringbuf, [&](auto& m) {
                using model = std::remove_reference_t<decltype(m)>;
                if constexpr (requires { model::header_size; }) {
                    if (m.reserved_covers(off, end)) p = m.data() + off;
                }
            });
        }
        if (p == nullptr) {
            raise(reg == region::context ? fault_kind::bad_context_access : fault_kind::bad_access, addr, size);
            return nullptr;
        }
        if (read_only && a != access::read) {
            raise(fault_kind::read_only, addr, size);
            return nullptr;
        }
        return p;
    }

    // every byte a run writes lies below the largest end_ it had
    constexpr void note_dirty() noexcept {
        if (end_ > pkt_dirty_) pkt_dirty_ = end_;
    }

    constexpr void mark_stack(std::size_t base, std::size_t size) noexcept {
        for (std::size_t i = base; i < base + size; ++i) stack_init_[i / 64] |= std::uint64_t{1} << (i % 64);
    }

    [[nodiscard]] constexpr bool load(std::uint64_t addr, unsigned n, std::uint64_t& out) noexcept {
        if (region_of(addr) == region::context && kind_ != context_kind::memory) return ctx_load(addr, n, out);
        const auto* p = resolve(addr, n, access::read);
        if (p == nullptr) return false;
        out = detail::load_le(p, n);
        return true;
    }
    /// `immediate`: the value is the sign-extended imm of a BPF_ST.
    [[nodiscard]] constexpr bool store(std::uint64_t addr, unsigned n, std::uint64_t v, bool immediate = false) noexcept {
        if (region_of(addr) == region::context && kind_ != context_kind::memory)
            return ctx_store(addr, n, v, immediate);
        auto* p = resolve(addr, n, access::write);
        if (p == nullptr) return false;
        detail::store_le(p, n, v);
        return true;
    }

    // ---- context --------------------------------------------------------

    // Which __sk_buff accesses the verifier accepts (sk_filter_is_valid_access,
    // tc_cls_act_is_valid_access, bpf_skb_is_valid_access of Linux 6.18).
    [[nodiscard]] constexpr bool skb_access_ok(std::uint32_t off, unsigned n, bool write) const noexcept {
        const bool tc = kind_ == context_kind::tc;
        if (off >= sizeof(sk_buff) || off % n != 0) return false;
        if (off >= offsetof(sk_buff, cb) && off < offsetof(sk_buff, hash))
            return off + n <= offsetof(sk_buff, hash);
        const auto field8 = off & ~7u;
        if (field8 == offsetof(sk_buff, flow_keys) || field8 == offsetof(sk_buff, sk)) return false;
        if (field8 == offsetof(sk_buff, tstamp))
            return tc && off == field8 && n == 8;
        if (field8 == offsetof(sk_buff, hwtstamp)) return tc && !write && off == field8 && n == 8;
        const auto field = off & ~3u;
        if (n > 4) return false;
        if (field >= offsetof(sk_buff, family) && field <= offsetof(sk_buff, local_port)) return false;
        // tc may read tstamp_type, a byte (BPF_SKB_TSTAMP_UNSPEC: the model never sets it)
        if (field == offsetof(sk_buff, tstamp_type)) return tc && !write && off == field && n == 1;
        if (field == offsetof(sk_buff, data) || field == offsetof(sk_buff, data_end) ||
            field == offsetof(sk_buff, data_meta))
            return tc && !write && n == 4;
        if (field == offsetof(sk_buff, tc_classid) || field == offsetof(sk_buff, wire_len)) {
            if (!tc) return false;
        }
        if (!write) return true;
        if (!tc || n != 4) return false;
        return field == offsetof(sk_buff, mark) || field == offsetof(sk_buff, tc_index) ||
               field == offsetof(sk_buff, priority) || field == offsetof(sk_buff, tc_classid) ||
               field == offsetof(sk_buff, queue_mapping);
    }

    [[nodiscard]] constexpr bool ctx_load(std::uint64_t addr, unsigned n, std::uint64_t& out) noexcept {
        const auto off = offset_of(addr);
        if (region_of(addr) != region::context || addr > make_address(region::context, 0xffff)) {
            raise(fault_kind::bad_context_access, addr, n);
            return false;
        }
        if (kind_ == context_kind::xdp) {
            if (n != 4 || !xdp_field(off, out)) {
                raise(fault_kind::bad_context_access, addr, n);
                return false;
            }
            return true;
        }
        if (!skb_access_ok(off, n, false)) {
            raise(fault_kind::bad_context_access, addr, n);
            return false;
        }
        switch (off) {
        case offsetof(sk_buff, data): out = make_address(region::packet, data_); return true;
        case offsetof(sk_buff, data_end): out = make_address(region::packet, end_); return true;
        case offsetof(sk_buff, data_meta): out = make_address(region::packet, meta_); return true;
        default: break;
        }
        // The verifier turns a narrow read of a field into a read of the
        // kernel's own field and shifts and masks the result only when the read
        // is narrower than that field: a byte of pkt_type (one byte in the
        // kernel) at any offset gives pkt_type, two bytes of tc_index at +2
        // give tc_index.
        const auto field = off & ~3u;
        const auto target = skb_field_bytes(field);
        if (n < 4 && target != 0 && n >= target) {
            out = detail::load_le(&ctx_[field], target);
            return true;
        }
        out = detail::load_le(&ctx_[off], n);
        return true;
    }

    /// The xdp_md field at `off`, when it is one an XDP program may read
    /// (4 bytes; egress_ifindex is not: XDP programs run on ingress).
    [[nodiscard]] constexpr bool xdp_field(std::uint32_t off, std::uint64_t& out) const noexcept {
        switch (off) {
        case offsetof(xdp_md, data): out = make_address(region::packet, data_); return true;
        case offsetof(xdp_md, data_end): out = make_address(region::packet, end_); return true;
        case offsetof(xdp_md, data_meta): out = make_address(region::packet, meta_); return true;
        case offsetof(xdp_md, ingress_ifindex): out = xdp_ingress_; return true;
        case offsetof(xdp_md, rx_queue_index): out = xdp_queue_; return true;
        default: return false;
        }
    }

    // Bytes of the kernel field behind a 32-bit __sk_buff field that narrow
    // reads may use (bpf_convert_ctx_access's target_size); 0 for the others.
    [[nodiscard]] static constexpr unsigned skb_field_bytes(std::uint32_t field) noexcept {
        switch (field) {
        case offsetof(sk_buff, pkt_type):
        case offsetof(sk_buff, vlan_present): return 1;
        case offsetof(sk_buff, queue_mapping):
        case offsetof(sk_buff, protocol):
        case offsetof(sk_buff, vlan_tci):
        case offsetof(sk_buff, vlan_proto):
        case offsetof(sk_buff, tc_index):
        case offsetof(sk_buff, tc_classid):
        case offsetof(sk_buff, gso_segs):
        case offsetof(sk_buff, gso_size): return 2;
        case offsetof(sk_buff, len):
        case offsetof(sk_buff, mark):
        case offsetof(sk_buff, priority):
        case offsetof(sk_buff, ingress_ifindex):
        case offsetof(sk_buff, ifindex):
        case offsetof(sk_buff, hash):
        case offsetof(sk_buff, napi_id):
        case offsetof(sk_buff, wire_len): return 4;
        default: return 0;
        }
    }

    [[nodiscard]] constexpr bool ctx_store(std::uint64_t addr, unsigned n, std::uint64_t v, bool immediate) noexcept {
        const auto off = offset_of(addr);
        if (kind_ == context_kind::xdp || region_of(addr) != region::context || off >= 0x10000 ||
            !skb_access_ok(off, n, true)) {
            raise(fault_kind::bad_context_access, addr, n);
            return false;
        }
        // queue_mapping keeps its value when given NO_QUEUE_MAPPING (0xffff) or more: the
        // verifier compares a register's 64 bits unsigned, a BPF_ST's imm as a signed
        // 32-bit number (a negative imm is stored, cut to 16 bits)
        if (off == offsetof(sk_buff, queue_mapping) &&
            (immediate ? static_cast<std::int64_t>(v) >= 0xffff : v >= 0xffff))
            return true;
        // queue_mapping, tc_index and tc_classid are 16-bit fields in the kernel: the store keeps the low half
        if (skb_field_bytes(off & ~3u) == 2) v &= 0xffffu;
        detail::store_le(&ctx_[off], n, v);
        return true;
    }

    // ---- the interpreter ---------------------------------------------------

    constexpr run_result execute(const detail::code_ref& entry, std::uint64_t r1, std::uint64_t r2) noexcept {
        regs_ = {};
        init_ = 0;
        fault_ = {};
        depth_ = 0;
        pc_ = 0;
        steps_ = 0;
        ++runs_;
        tail_calls_ = 0;
        loops_ = detail::max_loops;
        code_ = &entry;
        tail_target_ = nullptr;
        // frame 0's bytes are unwritten; deeper frames are cleared as calls enter them
        for (std::size_t k = 0; k < stack_size / 64; ++k) stack_init_[k] = 0;
        if (!L.strict) stack_ = {}; // lenient runs may read stack they never wrote: make it zeros
        set(1, r1);
        if (kind_ == context_kind::memory) set(2, r2);
        set(10, make_address(region::stack, stack_size));
        if (!L.strict) init_ = 0x7ff;

        run_result result;
        run(result);
        result.steps = steps_;
        result.error = fault_;
        note_dirty();
        // BPF_PROG_TEST_RUN hands a socket filter's packet back with the link
        // header it never saw zeroed (bpf_prog_test_run_skb: !is_l2)
        if (kind_ == context_kind::socket_filter)
            for (std::uint32_t k = mac_; k < net_; ++k) pkt_[k] = 0;
        return result;
    }

    // ---- the loop ---------------------------------------------------------
    //
    // At run time programs run from their decoded form (vm/decode.hpp),
    // cached per program: the instructions packet filters are made of run
    // inline below on locals the compiler keeps in registers; the others, and
    // any instruction that would fault, go through step() with the machine's
    // members brought up to date. Both ways give the same results, and both
    // compute with the same alu_result and jump_taken (the tests run programs
    // both ways: limits::decode = false is step() alone). Constant evaluation
    // always takes step(): there decoding a program costs the compiler about
    // twice what running it once does, and compilers limit those costs.

    constexpr void run(run_result& result) noexcept {
        const detail::op* ops = L.decode && !std::is_constant_evaluated() ? decoded(*code_) : nullptr;
        if (ops == nullptr) return run_general(result);
        const detail::code_ref* running = code_;
        fast_state f{ops, ops, 0, init_, kind_ == context_kind::xdp || kind_ == context_kind::tc};
        for (;;) {
            if (++f.steps > L.budget) {
                pc_ = static_cast<std::uint32_t>(f.p - f.ops);
                raise(fault_kind::budget_exhausted);
                break;
            }
            if (initialised(f.init, f.p->need) && fast_step(f)) continue;
            pc_ = static_cast<std::uint32_t>(f.p - f.ops);
            init_ = f.init;
            if (!general_step(result)) break;
            if (code_ != running) {
                running = code_;
                f.ops = decoded(*code_);
                if (f.ops == nullptr) {
                    steps_ = f.steps;
                    return run_general(result);
                }
            }
            f.p = f.ops + pc_;
            f.init = init_;
        }
        steps_ = f.steps;
    }

    /// The run without a decoded form: every instruction through step().
    constexpr void run_general(run_result& result) noexcept {
        while (++steps_ <= L.budget) {
            if (!general_step(result)) return;
        }
        raise(fault_kind::budget_exhausted);
    }

    /// One instruction through step(); false when the run is over.
    constexpr bool general_step(run_result& result) noexcept {
        if (pc_ >= code_->size) {
            raise(fault_kind::jump_out_of_program);
            return false;
        }
        return !step(result) && !fault_;
    }

    // One instruction, the general way; true when the program has finished.
    // The classifier (isa/classify.hpp) says whether it is valid and what it
    // is; what follows runs it.
    constexpr bool step(run_result& result) noexcept {
        using F = insn_form;
        const insn& i = code_->code[pc_];
        insn_verdict c = validate(i);
        if (c.error == insn_error::incomplete_ld_imm64 && pc_ + 1 < code_->size) c = validate(i, code_->code[pc_ + 1]);
        if (!c.valid()) {
            refuse(c);
            return true;
        }
        if ((i.dst_reg == 10 || i.src_reg == 10) && (writes_of(i, c.form) & reg_bit(10))) {
            raise(fault_kind::bad_register, 0, 10);
            return true;
        }
        switch (c.form) {
        case F::alu:
        case F::neg:
        case F::mov:
        case F::movsx:
        case F::byte_swap: alu(i); break;
        case F::load:
        case F::load_sx:
        case F::load_acquire: load_insn(i, c.form == F::load_sx); break;
        case F::store_imm:
        case F::store:
        case F::store_release: store_insn(i, c.form == F::store_imm); break;
        case F::atomic:
        case F::atomic_fetch:
        case F::cmpxchg: atomic(i); break;
        case F::ld_abs:
        case F::ld_ind: return packet_load(i, c.form == F::ld_ind, result);
        case F::ld_imm64:
        case F::ld_func: return ld_imm64(i);
        case F::ja:
        case F::gotol: return !jump_to(target_of(i, c.form, pc_));
        case F::jump_if: return jump_if(i);
        case F::may_goto:
            if (loops_ == 0) return !jump_to(target_of(i, c.form, pc_));
            --loops_;
            break;
        case F::call_helper:
        case F::call_local:
        case F::call_kfunc: return call(i, c.form);
        case F::exit: return exit(result);
        default: raise(fault_kind::unsupported); return true; // addr_space_cast, gotox, callx
        }
        ++pc_;
        return false;
    }

    /// Ends the run on an instruction the classifier refuses.
    constexpr void refuse(const insn_verdict& c) noexcept {
        switch (c.error) {
        case insn_error::bad_register: return raise(fault_kind::bad_register, 0, c.error_detail);
        case insn_error::incomplete_ld_imm64: return raise(fault_kind::jump_out_of_program);
        default: return raise(fault_kind::bad_opcode);
        }
    }

    // ---- the decoded forms ------------------------------------------------

    /// The decoded form of `ref`'s program, from the cache when it holds the
    /// program as it is now (checked once per run), else decoded into the
    /// least recently used entry; nullptr when there is no memory for it.
    [[nodiscard]] const detail::op* decoded(const detail::code_ref& ref) noexcept {
        detail::decoded_program* slot = nullptr;
        for (auto& d : decoded_) {
            if (d.holds(ref.code, ref.size)) {
                if (d.last_run == runs_ || d.matches(ref.code)) {
                    d.last_run = runs_;
                    return d.ops.data();
                }
                slot = &d; // changed since: decode it again
                break;
            }
            if (slot == nullptr || d.last_run < slot->last_run) slot = &d;
        }
        slot->last_run = runs_;
        return slot->assign(ref.code, ref.size) ? slot->ops.data() : nullptr;
    }

    // ---- the fast path ----------------------------------------------------

    /// Whether every register in `mask` holds a value.
    [[nodiscard, gnu::always_inline]] static constexpr bool initialised(std::uint16_t init, unsigned mask) noexcept {
        return !L.strict || (init & mask) == mask;
    }

    template <std::uint8_t Op, bool Wide>
    [[nodiscard, gnu::always_inline]] static constexpr std::uint64_t alu_result(std::uint64_t a, std::uint64_t b) noexcept {
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
            const auto s = static_cast<std::int64_t>(detail::sext(a, bits)) >> (b & (bits - 1));
            return static_cast<std::uint64_t>(s) & mask;
        } else if constexpr (Op == code::neg) return (0 - a) & mask;
        else return b; // mov
    }

    template <std::uint8_t Op, bool Wide>
    [[nodiscard, gnu::always_inline]] static constexpr bool jump_taken(std::uint64_t a, std::uint64_t b) noexcept {
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
            const auto sa = static_cast<std::int64_t>(detail::sext(a, bits));
            const auto sb = static_cast<std::int64_t>(detail::sext(b, bits));
            if constexpr (Op == code::jsgt) return sa > sb;
            else if constexpr (Op == code::jsge) return sa >= sb;
            else if constexpr (Op == code::jslt) return sa < sb;
            else return sa <= sb; // jsle
        }
    }

    // The same of a width known at run time (the general path).
    template <std::uint8_t Op>
    [[nodiscard]] static constexpr std::uint64_t alu_result(bool wide, std::uint64_t a, std::uint64_t b) noexcept {
        return wide ? alu_result<Op, true>(a, b) : alu_result<Op, false>(a, b);
    }
    template <std::uint8_t Op>
    [[nodiscard]] static constexpr bool jump_taken(bool wide, std::uint64_t a, std::uint64_t b) noexcept {
        return wide ? jump_taken<Op, true>(a, b) : jump_taken<Op, false>(a, b);
    }

    /// BPF_END: to big endian, or on BPF_ALU64 unconditionally, swaps the
    /// bytes; to little endian (this machine's order) only truncates.
    template <bool Swap>
    [[nodiscard, gnu::always_inline]] static constexpr std::uint64_t byte_swap(std::uint64_t v, std::uint64_t bits) noexcept {
        switch (bits) {
        case 16: return Swap ? __builtin_bswap16(static_cast<std::uint16_t>(v)) : v & 0xffffu;
        case 32: return Swap ? __builtin_bswap32(static_cast<std::uint32_t>(v)) : v & 0xffffffffu;
        default: return Swap ? __builtin_bswap64(v) : v;
        }
    }

    /// Packet bytes for a load of N at `addr` by an XDP or tc program; the
    /// rest (stack, context, maps, faults) is the general path's.
    template <unsigned N>
    [[nodiscard, gnu::always_inline]] constexpr std::uint8_t* fast_packet(std::uint64_t addr) noexcept {
        if (region_of(addr) != region::packet || slot_tag_of(addr) != 0) return nullptr;
        const auto off = offset_of(addr);
        if (off < meta_ || std::uint64_t{off} + N > end_) return nullptr;
        return &pkt_[off];
    }

    /// What one fast op works with.
    struct fast_state {
        const detail::op* ops;
        const detail::op* p;
        std::uint64_t steps;
        std::uint16_t init;
        bool packet;
    };

    // The pieces of fast ops: `n` is the number of slots an op stands for.
    [[gnu::always_inline]] constexpr bool put(fast_state& f, const detail::op& o, std::uint64_t v,
                                              unsigned n = 1) noexcept {
        regs_[o.dst] = v;
        f.init = static_cast<std::uint16_t>(f.init | 1u << o.dst);
        f.p += n;
        return true;
    }
    [[gnu::always_inline]] static constexpr bool go(fast_state& f, const detail::op& o, bool taken) noexcept {
        f.p = taken ? f.ops + o.target : f.p + 1;
        return true;
    }
    /// Whether the further slots of a fused op fit in the budget (they count too).
    [[gnu::always_inline]] static constexpr bool fits(fast_state& f, unsigned extra) noexcept {
        if (f.steps + extra > L.budget) return false;
        f.steps += extra;
        return true;
    }
    /// Stack bytes for an aligned access of N at `addr` in any live frame,
    /// marked written for a store; nullptr for a read of bytes never written
    /// (the general path names the fault) and for anything but the stack.
    template <unsigned N, bool Write>
    [[nodiscard, gnu::always_inline]] constexpr std::uint8_t* fast_stack(std::uint64_t addr) noexcept {
        const auto reg = region_of(addr);
        const auto off = offset_of(addr);
        // off + N in 64 bits: an offset near 2^32 (r10 - 520 in a callee) must not wrap to a small end
        if (reg < region::stack || reg > region::stack + depth_ || off % N != 0 || std::uint64_t{off} + N > stack_size)
            return nullptr;
        const std::size_t base = std::size_t{reg - region::stack} * stack_size + off;
        // aligned, the N bytes' bits lie in one word of stack_init_
        const std::uint64_t bits = (N == 8 ? 0xffu : (std::uint64_t{1} << N) - 1) << (base % 64);
        auto& word = stack_init_[base / 64];
        if constexpr (Write) word |= bits;
        else if (L.strict && (word & bits) != bits) return nullptr;
        return &stack_[base];
    }

    template <unsigned N>
    [[gnu::always_inline]] constexpr bool fast_load(fast_state& f, const detail::op& o) noexcept {
        const std::uint64_t addr = regs_[o.src] + o.imm;
        if (const auto* bytes = f.packet ? fast_packet<N>(addr) : nullptr) return put(f, o, detail::load_le(bytes, N));
        if (const auto* bytes = fast_stack<N, false>(addr)) return put(f, o, detail::load_le(bytes, N));
        // xdp_md, whose packet pointers every XDP program starts with
        std::uint64_t v = 0;
        if (N != 4 || kind_ != context_kind::xdp || (addr >> 16) != (make_address(region::context, 0) >> 16) ||
            !xdp_field(offset_of(addr), v))
            return false;
        return put(f, o, v);
    }
    /// st/stx [rd + off] to the packet or the stack
    template <unsigned N, bool Imm>
    [[gnu::always_inline]] constexpr bool fast_store(fast_state& f, const detail::op& o) noexcept {
        const std::uint64_t addr = regs_[o.dst] + o.imm;
        std::uint8_t* bytes = f.packet ? fast_packet<N>(addr) : nullptr;
        if (bytes == nullptr) bytes = fast_stack<N, true>(addr);
        if (bytes == nullptr) return false;
        detail::store_le(bytes, N, Imm ? o.imm2 : regs_[o.src]);
        ++f.p;
        return true;
    }

    /// ldx rd, [rs + off]; be rd
    template <unsigned N>
    [[gnu::always_inline]] constexpr bool fast_load_swap(fast_state& f, const detail::op& o) noexcept {
        const auto* bytes = f.packet ? fast_packet<N>(regs_[o.src] + o.imm) : nullptr;
        return bytes != nullptr && fits(f, 1) && put(f, o, detail::load_be(bytes, N), 2);
    }
    /// mov rd, rs; op rd, K|rt
    template <std::uint8_t Op, bool X>
    [[gnu::always_inline]] constexpr bool fast_alu3(fast_state& f, const detail::op& o) noexcept {
        return fits(f, 1) && put(f, o, alu_result<Op, true>(regs_[o.src], X ? regs_[o.src2] : o.imm), 2);
    }
    /// rd = v; if (rd op K|rt) goto target; the op stands for n slots
    template <std::uint8_t Op, bool X>
    [[gnu::always_inline]] constexpr bool fast_fused_jump(fast_state& f, const detail::op& o, std::uint64_t v,
                                                          unsigned n) noexcept {
        if (!fits(f, n - 1)) return false;
        regs_[o.dst] = v;
        f.init = static_cast<std::uint16_t>(f.init | 1u << o.dst);
        f.p = jump_taken<Op, true>(v, X ? regs_[o.src2] : o.imm2) ? f.ops + o.target : f.p + n;
        return true;
    }
    /// add rd, K; jcc rd, K|rt
    template <std::uint8_t Op, bool X>
    [[gnu::always_inline]] constexpr bool fast_add_jump(fast_state& f, const detail::op& o) noexcept {
        return fast_fused_jump<Op, X>(f, o, regs_[o.dst] + o.imm, 2);
    }
    /// mov rd, rs; add rd, K; jcc rd, K|rt
    template <std::uint8_t Op, bool X>
    [[gnu::always_inline]] constexpr bool fast_bounds(fast_state& f, const detail::op& o) noexcept {
        return fast_fused_jump<Op, X>(f, o, regs_[o.src] + o.imm, 3);
    }

    /// Runs the op at `f.p` and moves `f.p` on; false leaves it, untouched,
    /// to the general path. The registers it reads hold values (the caller checked).
    [[gnu::always_inline]] constexpr bool fast_step(fast_state& f) noexcept {
        const detail::op& o = *f.p;
        const std::uint64_t dst = regs_[o.dst];
        const std::uint64_t src = regs_[o.src];
        using detail::fused::add_jump;
        using detail::fused::alu3;
        using detail::fused::bounds;
        using detail::fused::load_swap;
        switch (o.code) {
        case code::alu64 | code::k | code::add: return put(f, o, alu_result<code::add, true>(dst, o.imm));
        case code::alu64 | code::x | code::add: return put(f, o, alu_result<code::add, true>(dst, src));
        case code::alu64 | code::k | code::sub: return put(f, o, alu_result<code::sub, true>(dst, o.imm));
        case code::alu64 | code::x | code::sub: return put(f, o, alu_result<code::sub, true>(dst, src));
        case code::alu64 | code::k | code::mul: return put(f, o, alu_result<code::mul, true>(dst, o.imm));
        case code::alu64 | code::x | code::mul: return put(f, o, alu_result<code::mul, true>(dst, src));
        case code::alu64 | code::k | code::or_: return put(f, o, alu_result<code::or_, true>(dst, o.imm));
        case code::alu64 | code::x | code::or_: return put(f, o, alu_result<code::or_, true>(dst, src));
        case code::alu64 | code::k | code::and_: return put(f, o, alu_result<code::and_, true>(dst, o.imm));
        case code::alu64 | code::x | code::and_: return put(f, o, alu_result<code::and_, true>(dst, src));
        case code::alu64 | code::k | code::xor_: return put(f, o, alu_result<code::xor_, true>(dst, o.imm));
        case code::alu64 | code::x | code::xor_: return put(f, o, alu_result<code::xor_, true>(dst, src));
        case code::alu64 | code::k | code::lsh: return put(f, o, alu_result<code::lsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::lsh: return put(f, o, alu_result<code::lsh, true>(dst, src));
        case code::alu64 | code::k | code::rsh: return put(f, o, alu_result<code::rsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::rsh: return put(f, o, alu_result<code::rsh, true>(dst, src));
        case code::alu64 | code::k | code::arsh: return put(f, o, alu_result<code::arsh, true>(dst, o.imm));
        case code::alu64 | code::x | code::arsh: return put(f, o, alu_result<code::arsh, true>(dst, src));
        case code::alu64 | code::k | code::neg: return put(f, o, alu_result<code::neg, true>(dst, 0));
        case code::alu64 | code::k | code::mov: return put(f, o, o.imm);
        case code::alu64 | code::x | code::mov: return put(f, o, src);
        case code::alu | code::k | code::add: return put(f, o, alu_result<code::add, false>(dst, o.imm));
        case code::alu | code::x | code::add: return put(f, o, alu_result<code::add, false>(dst, src));
        case code::alu | code::k | code::sub: return put(f, o, alu_result<code::sub, false>(dst, o.imm));
        case code::alu | code::x | code::sub: return put(f, o, alu_result<code::sub, false>(dst, src));
        case code::alu | code::k | code::mul: return put(f, o, alu_result<code::mul, false>(dst, o.imm));
        case code::alu | code::x | code::mul: return put(f, o, alu_result<code::mul, false>(dst, src));
        case code::alu | code::k | code::or_: return put(f, o, alu_result<code::or_, false>(dst, o.imm));
        case code::alu | code::x | code::or_: return put(f, o, alu_result<code::or_, false>(dst, src));
        case code::alu | code::k | code::and_: return put(f, o, alu_result<code::and_, false>(dst, o.imm));
        case code::alu | code::x | code::and_: return put(f, o, alu_result<code::and_, false>(dst, src));
        case code::alu | code::k | code::xor_: return put(f, o, alu_result<code::xor_, false>(dst, o.imm));
        case code::alu | code::x | code::xor_: return put(f, o, alu_result<code::xor_, false>(dst, src));
        case code::alu | code::k | code::lsh: return put(f, o, alu_result<code::lsh, false>(dst, o.imm));
        case code::alu | code::x | code::lsh: return put(f, o, alu_result<code::lsh, false>(dst, src));
        case code::alu | code::k | code::rsh: return put(f, o, alu_result<code::rsh, false>(dst, o.imm));
        case code::alu | code::x | code::rsh: return put(f, o, alu_result<code::rsh, false>(dst, src));
        case code::alu | code::k | code::arsh: return put(f, o, alu_result<code::arsh, false>(dst, o.imm));
        case code::alu | code::x | code::arsh: return put(f, o, alu_result<code::arsh, false>(dst, src));
        case code::alu | code::k | code::neg: return put(f, o, alu_result<code::neg, false>(dst, 0));
        case code::alu | code::k | code::mov: return put(f, o, o.imm);
        case code::alu | code::x | code::mov: return put(f, o, src & 0xffffffffu);
        case code::alu | code::to_le | code::end: return put(f, o, byte_swap<false>(dst, o.imm));
        case code::alu | code::to_be | code::end: return put(f, o, byte_swap<true>(dst, o.imm));
        case code::alu64 | code::to_le | code::end: return put(f, o, byte_swap<true>(dst, o.imm));
        case code::jmp | code::k | code::ja: return go(f, o, true);
        case code::jmp | code::k | code::jeq: return go(f, o, jump_taken<code::jeq, true>(dst, o.imm));
        case code::jmp | code::x | code::jeq: return go(f, o, jump_taken<code::jeq, true>(dst, src));
        case code::jmp | code::k | code::jne: return go(f, o, jump_taken<code::jne, true>(dst, o.imm));
        case code::jmp | code::x | code::jne: return go(f, o, jump_taken<code::jne, true>(dst, src));
        case code::jmp | code::k | code::jgt: return go(f, o, jump_taken<code::jgt, true>(dst, o.imm));
        case code::jmp | code::x | code::jgt: return go(f, o, jump_taken<code::jgt, true>(dst, src));
        case code::jmp | code::k | code::jge: return go(f, o, jump_taken<code::jge, true>(dst, o.imm));
        case code::jmp | code::x | code::jge: return go(f, o, jump_taken<code::jge, true>(dst, src));
        case code::jmp | code::k | code::jlt: return go(f, o, jump_taken<code::jlt, true>(dst, o.imm));
        case code::jmp | code::x | code::jlt: return go(f, o, jump_taken<code::jlt, true>(dst, src));
        case code::jmp | code::k | code::jle: return go(f, o, jump_taken<code::jle, true>(dst, o.imm));
        case code::jmp | code::x | code::jle: return go(f, o, jump_taken<code::jle, true>(dst, src));
        case code::jmp | code::k | code::jset: return go(f, o, jump_taken<code::jset, true>(dst, o.imm));
        case code::jmp | code::x | code::jset: return go(f, o, jump_taken<code::jset, true>(dst, src));
        case code::jmp | code::k | code::jsgt: return go(f, o, jump_taken<code::jsgt, true>(dst, o.imm));
        case code::jmp | code::x | code::jsgt: return go(f, o, jump_taken<code::jsgt, true>(dst, src));
        case code::jmp | code::k | code::jsge: return go(f, o, jump_taken<code::jsge, true>(dst, o.imm));
        case code::jmp | code::x | code::jsge: return go(f, o, jump_taken<code::jsge, true>(dst, src));
        case code::jmp | code::k | code::jslt: return go(f, o, jump_taken<code::jslt, true>(dst, o.imm));
        case code::jmp | code::x | code::jslt: return go(f, o, jump_taken<code::jslt, true>(dst, src));
        case code::jmp | code::k | code::jsle: return go(f, o, jump_taken<code::jsle, true>(dst, o.imm));
        case code::jmp | code::x | code::jsle: return go(f, o, jump_taken<code::jsle, true>(dst, src));
        case code::jmp32 | code::k | code::jeq: return go(f, o, jump_taken<code::jeq, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jeq: return go(f, o, jump_taken<code::jeq, false>(dst, src));
        case code::jmp32 | code::k | code::jne: return go(f, o, jump_taken<code::jne, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jne: return go(f, o, jump_taken<code::jne, false>(dst, src));
        case code::jmp32 | code::k | code::jgt: return go(f, o, jump_taken<code::jgt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jgt: return go(f, o, jump_taken<code::jgt, false>(dst, src));
        case code::jmp32 | code::k | code::jge: return go(f, o, jump_taken<code::jge, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jge: return go(f, o, jump_taken<code::jge, false>(dst, src));
        case code::jmp32 | code::k | code::jlt: return go(f, o, jump_taken<code::jlt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jlt: return go(f, o, jump_taken<code::jlt, false>(dst, src));
        case code::jmp32 | code::k | code::jle: return go(f, o, jump_taken<code::jle, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jle: return go(f, o, jump_taken<code::jle, false>(dst, src));
        case code::jmp32 | code::k | code::jset: return go(f, o, jump_taken<code::jset, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jset: return go(f, o, jump_taken<code::jset, false>(dst, src));
        case code::jmp32 | code::k | code::jsgt: return go(f, o, jump_taken<code::jsgt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsgt: return go(f, o, jump_taken<code::jsgt, false>(dst, src));
        case code::jmp32 | code::k | code::jsge: return go(f, o, jump_taken<code::jsge, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsge: return go(f, o, jump_taken<code::jsge, false>(dst, src));
        case code::jmp32 | code::k | code::jslt: return go(f, o, jump_taken<code::jslt, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jslt: return go(f, o, jump_taken<code::jslt, false>(dst, src));
        case code::jmp32 | code::k | code::jsle: return go(f, o, jump_taken<code::jsle, false>(dst, o.imm));
        case code::jmp32 | code::x | code::jsle: return go(f, o, jump_taken<code::jsle, false>(dst, src));
        case code::ldx | code::mem | code::b: return fast_load<1>(f, o);
        case code::ldx | code::mem | code::h: return fast_load<2>(f, o);
        case code::ldx | code::mem | code::w: return fast_load<4>(f, o);
        case code::ldx | code::mem | code::dw: return fast_load<8>(f, o);
        case code::stx | code::mem | code::b: return fast_store<1, false>(f, o);
        case code::stx | code::mem | code::h: return fast_store<2, false>(f, o);
        case code::stx | code::mem | code::w: return fast_store<4, false>(f, o);
        case code::stx | code::mem | code::dw: return fast_store<8, false>(f, o);
        case code::st | code::mem | code::b: return fast_store<1, true>(f, o);
        case code::st | code::mem | code::h: return fast_store<2, true>(f, o);
        case code::st | code::mem | code::w: return fast_store<4, true>(f, o);
        case code::st | code::mem | code::dw: return fast_store<8, true>(f, o);
        case load_swap(2): return fast_load_swap<2>(f, o);
        case load_swap(4): return fast_load_swap<4>(f, o);
        case alu3(code::add, false): return fast_alu3<code::add, false>(f, o);
        case alu3(code::add, true): return fast_alu3<code::add, true>(f, o);
        case alu3(code::sub, false): return fast_alu3<code::sub, false>(f, o);
        case alu3(code::sub, true): return fast_alu3<code::sub, true>(f, o);
        case alu3(code::mul, false): return fast_alu3<code::mul, false>(f, o);
        case alu3(code::mul, true): return fast_alu3<code::mul, true>(f, o);
        case alu3(code::or_, false): return fast_alu3<code::or_, false>(f, o);
        case alu3(code::or_, true): return fast_alu3<code::or_, true>(f, o);
        case alu3(code::and_, false): return fast_alu3<code::and_, false>(f, o);
        case alu3(code::and_, true): return fast_alu3<code::and_, true>(f, o);
        case alu3(code::xor_, false): return fast_alu3<code::xor_, false>(f, o);
        case alu3(code::xor_, true): return fast_alu3<code::xor_, true>(f, o);
        case alu3(code::lsh, false): return fast_alu3<code::lsh, false>(f, o);
        case alu3(code::lsh, true): return fast_alu3<code::lsh, true>(f, o);
        case alu3(code::rsh, false): return fast_alu3<code::rsh, false>(f, o);
        case alu3(code::rsh, true): return fast_alu3<code::rsh, true>(f, o);
        case alu3(code::arsh, false): return fast_alu3<code::arsh, false>(f, o);
        case alu3(code::arsh, true): return fast_alu3<code::arsh, true>(f, o);
        case add_jump(code::jeq, false): return fast_add_jump<code::jeq, false>(f, o);
        case add_jump(code::jeq, true): return fast_add_jump<code::jeq, true>(f, o);
        case add_jump(code::jne, false): return fast_add_jump<code::jne, false>(f, o);
        case add_jump(code::jne, true): return fast_add_jump<code::jne, true>(f, o);
        case add_jump(code::jgt, false): return fast_add_jump<code::jgt, false>(f, o);
        case add_jump(code::jgt, true): return fast_add_jump<code::jgt, true>(f, o);
        case add_jump(code::jge, false): return fast_add_jump<code::jge, false>(f, o);
        case add_jump(code::jge, true): return fast_add_jump<code::jge, true>(f, o);
        case add_jump(code::jlt, false): return fast_add_jump<code::jlt, false>(f, o);
        case add_jump(code::jlt, true): return fast_add_jump<code::jlt, true>(f, o);
        case add_jump(code::jle, false): return fast_add_jump<code::jle, false>(f, o);
        case add_jump(code::jle, true): return fast_add_jump<code::jle, true>(f, o);
        case bounds(code::jeq, false): return fast_bounds<code::jeq, false>(f, o);
        case bounds(code::jeq, true): return fast_bounds<code::jeq, true>(f, o);
        case bounds(code::jne, false): return fast_bounds<code::jne, false>(f, o);
        case bounds(code::jne, true): return fast_bounds<code::jne, true>(f, o);
        case bounds(code::jgt, false): return fast_bounds<code::jgt, false>(f, o);
        case bounds(code::jgt, true): return fast_bounds<code::jgt, true>(f, o);
        case bounds(code::jge, false): return fast_bounds<code::jge, false>(f, o);
        case bounds(code::jge, true): return fast_bounds<code::jge, true>(f, o);
        case bounds(code::jlt, false): return fast_bounds<code::jlt, false>(f, o);
        case bounds(code::jlt, true): return fast_bounds<code::jlt, true>(f, o);
        case bounds(code::jle, false): return fast_bounds<code::jle, false>(f, o);
        case bounds(code::jle, true): return fast_bounds<code::jle, true>(f, o);
        default: return false;
        }
    }

    constexpr void alu(const insn& i) noexcept {
        const bool wide = code::class_of(i.code) == code::alu64;
        const bool x = code::source_of(i.code) == code::x;
        const auto op = code::op_of(i.code);
        // for END the source bit picks the byte order; there is no source register
        const std::uint64_t src = x && op != code::end ? get(i.src_reg) : static_cast<std::uint64_t>(std::int64_t{i.imm});
        const std::uint64_t dst = op == code::mov ? 0 : get(i.dst_reg);
        if (fault_) return;
        const unsigned bits = wide ? 64 : 32;
        const std::uint64_t mask = wide ? ~std::uint64_t{0} : 0xffffffffu;
        const std::uint64_t a = dst & mask;
        const std::uint64_t b = src & mask;
        const bool is_signed = i.off == 1;
        std::uint64_t r = 0;
        switch (op) {
        case code::add: r = alu_result<code::add>(wide, a, b); break;
        case code::sub: r = alu_result<code::sub>(wide, a, b); break;
        case code::mul: r = alu_result<code::mul>(wide, a, b); break;
        case code::or_: r = alu_result<code::or_>(wide, a, b); break;
        case code::and_: r = alu_result<code::and_>(wide, a, b); break;
        case code::xor_: r = alu_result<code::xor_>(wide, a, b); break;
        case code::lsh: r = alu_result<code::lsh>(wide, a, b); break;
        case code::rsh: r = alu_result<code::rsh>(wide, a, b); break;
        case code::arsh: r = alu_result<code::arsh>(wide, a, b); break;
        case code::neg: r = alu_result<code::neg>(wide, a, b); break;
        case code::mov:
            r = i.off == 0 ? b : detail::sext(b, static_cast<unsigned>(i.off));
            break;
        case code::div:
            if (!is_signed) {
                r = b == 0 ? 0 : a / b;
            } else {
                const auto sa = detail::sext(a, bits), sb = detail::sext(b, bits);
                if (b == 0) r = 0;
                else if (sb == (~std::uint64_t{0})) r = 0 - sa;
                else r = static_cast<std::uint64_t>(static_cast<std::int64_t>(sa) / static_cast<std::int64_t>(sb));
            }
            break;
        case code::mod:
            if (!is_signed) {
                r = b == 0 ? a : a % b;
            } else {
                const auto sa = detail::sext(a, bits), sb = detail::sext(b, bits);
                if (b == 0) r = a;
                else if (sb == (~std::uint64_t{0})) r = 0;
                else r = static_cast<std::uint64_t>(static_cast<std::int64_t>(sa) % static_cast<std::int64_t>(sb));
            }
            break;
        default: { // end
            const auto n = static_cast<unsigned>(i.imm);
            if (wide || code::source_of(i.code) == code::to_be) r = detail::bswap(dst, n);
            else r = n == 64 ? dst : dst & ((std::uint64_t{1} << n) - 1);
            set(i.dst_reg, r);
            return;
        }
        }
        set(i.dst_reg, r & mask);
    }

    [[nodiscard]] constexpr bool jump_to(std::int64_t target) noexcept {
        if (target < 0 || target >= std::int64_t{code_->size}) {
            raise(fault_kind::jump_out_of_program);
            return false;
        }
        pc_ = static_cast<std::uint32_t>(target);
        return true;
    }

    /// A conditional jump.
    constexpr bool jump_if(const insn& i) noexcept {
        const bool wide = code::class_of(i.code) == code::jmp;
        const bool x = code::source_of(i.code) == code::x;
        const std::uint64_t a = get(i.dst_reg);
        const std::uint64_t b = x ? get(i.src_reg) : static_cast<std::uint64_t>(std::int64_t{i.imm});
        if (fault_) return true;
        bool taken = false;
        switch (code::op_of(i.code)) {
        case code::jeq: taken = jump_taken<code::jeq>(wide, a, b); break;
        case code::jne: taken = jump_taken<code::jne>(wide, a, b); break;
        case code::jgt: taken = jump_taken<code::jgt>(wide, a, b); break;
        case code::jge: taken = jump_taken<code::jge>(wide, a, b); break;
        case code::jlt: taken = jump_taken<code::jlt>(wide, a, b); break;
        case code::jle: taken = jump_taken<code::jle>(wide, a, b); break;
        case code::jset: taken = jump_taken<code::jset>(wide, a, b); break;
        case code::jsgt: taken = jump_taken<code::jsgt>(wide, a, b); break;
        case code::jsge: taken = jump_taken<code::jsge>(wide, a, b); break;
        case code::jslt: taken = jump_taken<code::jslt>(wide, a, b); break;
        default: taken = jump_taken<code::jsle>(wide, a, b); break;
        }
        const std::int64_t next = std::int64_t{pc_} + 1;
        return !jump_to(taken ? next + i.off : next);
    }

    constexpr bool call(const insn& i, insn_form form) noexcept {
        if (form == insn_form::call_local) {
            if (depth_ + 1 >= max_frames) {
                raise(fault_kind::call_depth);
                return true;
            }
            const std::int64_t target = std::int64_t{pc_} + 1 + i.imm;
            if (target < 0 || target >= std::int64_t{code_->size}) {
                raise(fault_kind::jump_out_of_program);
                return true;
            }
            auto& f = frames_[depth_];
            f.code = code_;
            f.return_pc = pc_ + 1;
            for (unsigned r = 0; r < 4; ++r) f.saved[r] = regs_[6 + r];
            f.saved_init = init_;
            ++depth_;
            const auto base = std::size_t{depth_} * stack_size;
            for (std::size_t k = base / 64; k < (base + stack_size) / 64; ++k) stack_init_[k] = 0;
            // the callee sees r1–r5 and its own frame pointer; r0, r6–r9 are not its to read
            if (L.strict) init_ &= 0x3e;
            set(10, make_address(region::stack + depth_, stack_size));
            pc_ = static_cast<std::uint32_t>(target);
            return false;
        }
        if (form == insn_form::call_kfunc) {
            raise(fault_kind::unsupported);
            return true;
        }
        if (!call_helper(i.imm)) return true;
        if (tail_target_ != nullptr) {
            code_ = tail_target_;
            tail_target_ = nullptr;
            pc_ = 0;
            const auto base = std::size_t{depth_} * stack_size;
            for (std::size_t k = base / 64; k < (base + stack_size) / 64; ++k) stack_init_[k] = 0;
            if (L.strict) init_ = static_cast<std::uint16_t>((1u << 1) | (1u << 10));
            return false;
        }
        clobber_args();
        ++pc_;
        return false;
    }

    constexpr bool exit(run_result& result) noexcept {
        const auto r0 = get(0);
        if (fault_) return true;
        if (depth_ == 0) {
            if (pending_record()) {
                raise(fault_kind::unreleased_record);
                return true;
            }
            result.r0 = r0;
            return true;
        }
        --depth_;
        const auto& f = frames_[depth_];
        code_ = f.code;
        pc_ = f.return_pc;
        for (unsigned r = 0; r < 4; ++r) regs_[6 + r] = f.saved[r];
        init_ = static_cast<std::uint16_t>((f.saved_init & ~0x3fu) | 1u);
        regs_[10] = make_address(region::stack + depth_, stack_size);
        return false;
    }

    [[nodiscard]] constexpr bool pending_record() noexcept {
        bool pending = false;
        for (std::size_t m = 0; m < map_count; ++m)
            with_map(m, [&](auto& model) {
                if constexpr (requires { model.has_pending(); }) pending = pending || model.has_pending();
            });
        return pending;
    }

    /// ldx (`sign_extend`: memsx) and load-acquire.
    constexpr void load_insn(const insn& i, bool sign_extend) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto base = get(i.src_reg);
        if (fault_) return;
        std::uint64_t v = 0;
        if (!load(base + static_cast<std::uint64_t>(std::int64_t{i.off}), n, v)) return;
        set(i.dst_reg, sign_extend ? detail::sext(v, n * 8) : v);
    }

    /// st (`immediate`), stx and store-release.
    constexpr void store_insn(const insn& i, bool immediate) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto base = get(i.dst_reg);
        const auto v = immediate ? static_cast<std::uint64_t>(std::int64_t{i.imm}) : get(i.src_reg);
        if (fault_) return;
        (void)store(base + static_cast<std::uint64_t>(std::int64_t{i.off}), n, v, immediate);
    }

    /// The atomic read-modify-writes.
    constexpr void atomic(const insn& i) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        const auto op = i.imm;
        const auto plain = op & ~atomic_op::fetch;
        const auto base = get(i.dst_reg);
        const auto src = get(i.src_reg);
        const auto expected = op == atomic_op::cmpxchg ? get(0) : 0;
        if (fault_) return;
        const auto addr = base + static_cast<std::uint64_t>(std::int64_t{i.off});
        if (region_of(addr) == region::context) return raise(fault_kind::bad_context_access, addr, n);
        auto* p = resolve(addr, n, access::atomic);
        if (p == nullptr) return;
        const std::uint64_t mask = n == 8 ? ~std::uint64_t{0} : 0xffffffffu;
        const auto old = detail::load_le(p, n);
        std::uint64_t r = old;
        switch (op == atomic_op::xchg || op == atomic_op::cmpxchg ? op : plain) {
        case atomic_op::add: r = old + src; break;
        case atomic_op::or_: r = old | src; break;
        case atomic_op::and_: r = old & src; break;
        case atomic_op::xor_: r = old ^ src; break;
        case atomic_op::xchg: r = src; break;
        default: r = (old == (expected & mask)) ? src : old; break; // cmpxchg
        }
        detail::store_le(p, n, r & mask);
        if (op == atomic_op::cmpxchg) set(0, old);
        else if (op & atomic_op::fetch) set(i.src_reg, old);
    }

    /// ld_abs, ld_ind (`indirect`): the legacy packet loads.
    constexpr bool packet_load(const insn& i, bool indirect, run_result& result) noexcept {
        const unsigned n = code::bytes_of_size(i.code);
        if (kind_ != context_kind::socket_filter && kind_ != context_kind::tc) {
            raise(fault_kind::insn_not_allowed);
            return true;
        }
        if (get(6) != make_address(region::context, 0)) {
            if (!fault_) raise(fault_kind::bad_context_access, regs_[6], n);
            return true;
        }
        std::int64_t k = i.imm;
        if (indirect) {
            const auto s = get(i.src_reg);
            if (fault_) return true;
            k = static_cast<std::int32_t>(static_cast<std::uint32_t>(s) + static_cast<std::uint32_t>(i.imm));
        }
        // negative offsets: SKF_NET_OFF / SKF_LL_OFF address the network and link headers
        std::int64_t from = 0;
        if (k >= 0) from = std::int64_t{data_} + k;
        else if (k >= -0x100000) from = k >= -0x1000 ? -1 : std::int64_t{net_} + (k + 0x100000);
        else if (k >= -0x200000) from = std::int64_t{mac_} + (k + 0x200000);
        else from = -1;
        if (from < 0 || from + n > end_ || (k >= 0 && from < data_)) {
            // the kernel ends the program with r0 = 0 when the load fails
            result.r0 = 0;
            return true;
        }
        set(0, detail::load_be(&pkt_[static_cast<std::size_t>(from)], n));
        clobber_args();
        ++pc_;
        return false;
    }

    constexpr bool ld_imm64(const insn& i) noexcept {
        const insn& hi = code_->code[pc_ + 1]; // the classifier checked it
        std::uint64_t v = 0;
        switch (i.src_reg) {
        case 0:
            v = static_cast<std::uint32_t>(i.imm) | (std::uint64_t{static_cast<std::uint32_t>(hi.imm)} << 32);
            break;
        case pseudo::map_idx:
        case pseudo::map_idx_value: {
            const auto idx = static_cast<std::uint32_t>(i.imm);
            const auto m = code_->remapped ? (idx < 64 ? code_->remap[idx] : 255u) : idx;
            if (idx >= 64 || m >= map_count || (!code_->remapped && false)) {
                raise(fault_kind::bad_map_reference);
                return true;
            }
            if (i.src_reg == pseudo::map_idx) {
                v = make_address(region::map_object + m, 0);
                break;
            }
            bool ok = false;
            with_map(m, [&](auto& model) {
                using model_t = std::remove_reference_t<decltype(model)>;
                if constexpr (requires { model_t::value_size; }) {
                    // as the kernel: only single-element arrays give direct value addresses
                    ok = model_t::descriptor::type == map_type::array && model_t::capacity == 1 &&
                         static_cast<std::uint32_t>(hi.imm) < model_t::value_size;
                }
            });
            if (!ok) {
                raise(fault_kind::bad_map_reference);
                return true;
            }
            v = map_value_address(m, 0, 0, static_cast<std::uint32_t>(hi.imm));
            break;
        }
        case pseudo::func: {
            const std::int64_t target = std::int64_t{pc_} + 1 + i.imm;
            if (target < 0 || target >= std::int64_t{code_->size}) {
                raise(fault_kind::jump_out_of_program);
                return true;
            }
            v = make_address(region::function, static_cast<std::uint32_t>(target));
            break;
        }
        case pseudo::btf_id: raise(fault_kind::unsupported); return true;
        default: raise(fault_kind::bad_map_reference); return true; // by fd: the machine has no fds
        }
        set(i.dst_reg, v);
        pc_ += 2;
        return false;
    }

    // ---- helpers (vm/helpers.hpp) --------------------------------------------

    [[nodiscard]] constexpr bool call_helper(std::int32_t id) noexcept;

    // Helper arguments: a map reference, a readable or writable buffer.
    [[nodiscard]] constexpr std::int64_t map_arg(unsigned r, std::int32_t id) noexcept;
    [[nodiscard]] constexpr std::uint8_t* buffer_arg(std::uint64_t addr, std::uint64_t size, access a) noexcept {
        if (size > 0xffffffffu) {
            raise(fault_kind::bad_access, addr, 0xffffffffu);
            return nullptr;
        }
        return resolve(addr, static_cast<std::uint32_t>(size), a);
    }
    constexpr void ret(std::uint64_t v) noexcept { set(0, v); }

    template <class Model>
    constexpr std::uint64_t lookup_in(Model& m, std::size_t index, const std::uint8_t* key) noexcept;

    constexpr bool map_helper(std::int32_t id) noexcept;
    constexpr bool ringbuf_helper(std::int32_t id) noexcept;
    constexpr bool skb_helper(std::int32_t id) noexcept;
    constexpr bool xdp_helper(std::int32_t id) noexcept;
    constexpr bool trace_printk() noexcept;
    constexpr bool tail_call() noexcept;
    constexpr bool csum_helper(std::int32_t id) noexcept;

    [[nodiscard]] constexpr std::uint64_t next_random() noexcept {
        // xorshift64*: deterministic, seedable, good enough for a test double
        prandom_ ^= prandom_ >> 12;
        prandom_ ^= prandom_ << 25;
        prandom_ ^= prandom_ >> 27;
        return (prandom_ * 0x2545f4914f6cdd1dull) >> 32;
    }

    // ---- state ---------------------------------------------------------------

    std::tuple<model_of<Ms, L.ringbuf_records>...> maps_{};
    std::array<detail::code_ref, L.programs> programs_{};
    std::uint32_t programs_used_ = 0;

    std::array<fixed_text<128>, L.trace_lines> trace_{};
    std::size_t trace_used_ = 0;
    std::uint64_t clock_ = 0;
    std::uint64_t clock_step_ = 0;
    std::uint64_t prandom_ = 0x9e3779b97f4a7c15u;
    std::uint32_t cpu_ = 0;

    // one run
    context_kind kind_ = context_kind::memory;
    std::array<std::uint8_t, L.frame_bytes> pkt_{};
    std::uint32_t meta_ = 0, data_ = 0, end_ = 0, mac_ = 0, net_ = 0;
    std::uint32_t pkt_dirty_ = 0; ///< pkt_ bytes [0, pkt_dirty_) may be non-zero
    std::uint32_t xdp_ingress_ = 0, xdp_queue_ = 0;
    std::array<std::uint8_t, sizeof(sk_buff)> ctx_{};
    std::array<std::uint8_t, std::size_t{stack_size} * max_frames> stack_{};
    std::array<std::uint64_t, std::size_t{stack_size} * max_frames / 64> stack_init_{}; ///< bit per byte written
    std::array<detail::frame_state, max_frames> frames_{};
    std::array<std::uint64_t, 11> regs_{};
    std::uint16_t init_ = 0;
    std::uint32_t depth_ = 0;
    std::uint32_t pc_ = 0;
    std::uint64_t steps_ = 0;
    std::uint64_t runs_ = 0;
    std::array<detail::decoded_program, L.programs + 1> decoded_{}; ///< the entry program and tail call targets
    std::uint32_t tail_calls_ = 0;
    std::uint32_t loops_ = 0;
    const detail::code_ref* code_ = nullptr;
    const detail::code_ref* tail_target_ = nullptr;
    std::optional<redirect_target> redirect_{};
    fault fault_{};
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
/// Runs `prog` on a fresh machine; see machine::run_on_memory.
template <class P>
[[nodiscard]] constexpr run_result run_on_memory(const P& prog, std::span<const std::uint8_t> mem) noexcept {
    machine_for<P> m;
    return m.run_on_memory(prog, mem);
}

} // namespace bpfxx::vm

#include <bpfxx/vm/helpers.hpp>
