#pragma once
// Contexts by program type: the first parameter of a program lambda says what
// the program is and what r1 points to.
//
//   c::xdp_md ctx                         XDP: ctx.packet(), ctx->ingress_ifindex
//   c::sk_buff<prog_type::socket_filter>  socket filters: ctx.load<std::uint8_t>(off) (ld_abs), ctx->len …
//   c::sk_buff<prog_type::sched_cls>      tc: the same, and ctx.packet(); ctx->mark, priority … writable
//   c::tracepoint<Record> ctx             tracepoints: ctx[&Record::field], ctx.data_loc(&Record::f)
//   c::pt_regs ctx                        kprobes and uprobes: ctx.arg<0>(), ctx.ret()
//
// Each also carries the helpers (`ctx.ktime_get_ns()`, `ctx.get_current_comm(e[&event::comm])` …).
// Context fields follow the kernel's access rules for the program type: a
// field it may not read or write stops the build (diagnostic::context_field_…).

#include <bpfxx/c/call.hpp>
#include <bpfxx/c/control.hpp>
#include <bpfxx/c/memory.hpp>
#include <bpfxx/c/packet.hpp>
#include <bpfxx/c/value.hpp>
#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/prog_types.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bpfxx::c {

namespace detail {

/// The size of the memory behind a helper's destination argument.
template <class D>
[[nodiscard]] constexpr std::uint32_t size_of_memory() {
    if constexpr (memory<D>) {
        return sizeof(typename pointer_traits<D>::element);
    } else {
        static_assert(always_false<D>, "bpfxx: a helper argument of the wrong kind: memory (a field, a c::local, a "
                                       "pointer) is wanted here, D in the compiler's notes is not");
        return 0;
    }
}

} // namespace detail

/// What every context offers: its fields (a pointer to S in the context
/// region) and the helpers.
template <prog_type Type, class S>
class program_context : public ptr<S, region::context>, public detail::context_tag {
public:
    static constexpr prog_type type = Type;
    using record_type = S;

    constexpr explicit program_context(detail::builder* b)
        : ptr<S, region::context>(detail::address{b, detail::reg_op(detail::builder::context()), 0}) {}

    /// Any helper whose signature the SDK knows (isa/helpers.hpp), with its arguments checked; r0.
    template <helper H, class... A>
    [[nodiscard]] constexpr val<std::uint64_t> call(const A&... args) const {
        return detail::call<H>(b(), args...);
    }

    [[nodiscard]] constexpr val<std::uint64_t> ktime_get_ns() const { return call<helper::ktime_get_ns>(); }
    [[nodiscard]] constexpr val<std::uint64_t> ktime_get_boot_ns() const { return call<helper::ktime_get_boot_ns>(); }
    [[nodiscard]] constexpr val<std::uint32_t> get_prandom_u32() const {
        return narrow<std::uint32_t>(call<helper::get_prandom_u32>());
    }
    [[nodiscard]] constexpr val<std::uint32_t> get_smp_processor_id() const {
        return narrow<std::uint32_t>(call<helper::get_smp_processor_id>());
    }
    /// tgid << 32 | pid of the current task.
    [[nodiscard]] constexpr val<std::uint64_t> get_current_pid_tgid() const {
        return call<helper::get_current_pid_tgid>();
    }
    /// gid << 32 | uid of the current task.
    [[nodiscard]] constexpr val<std::uint64_t> get_current_uid_gid() const {
        return call<helper::get_current_uid_gid>();
    }
    [[nodiscard]] constexpr val<std::uint64_t> get_current_task() const { return call<helper::get_current_task>(); }
    /// The current task's comm into `dst` (a char array field, a local, a pointer).
    template <class D>
    constexpr val<std::int64_t> get_current_comm(const D& dst) const {
        return cast<std::int64_t>(call<helper::get_current_comm>(dst, detail::size_of_memory<D>()));
    }
    /// Copies sizeof(*dst) bytes of kernel memory at `src` into `dst`.
    template <class D, class A>
    constexpr val<std::int64_t> probe_read_kernel(const D& dst, const A& src) const {
        return cast<std::int64_t>(call<helper::probe_read_kernel>(dst, detail::size_of_memory<D>(), src));
    }
    /// Copies a NUL-terminated string of kernel memory at `src` into `dst` (at most its size).
    template <class D, class A>
    constexpr val<std::int64_t> probe_read_kernel_str(const D& dst, const A& src) const {
        return cast<std::int64_t>(call<helper::probe_read_kernel_str>(dst, detail::size_of_memory<D>(), src));
    }
    template <class D, class A>
    constexpr val<std::int64_t> probe_read_user(const D& dst, const A& src) const {
        return cast<std::int64_t>(call<helper::probe_read_user>(dst, detail::size_of_memory<D>(), src));
    }
    template <class D, class A>
    constexpr val<std::int64_t> probe_read_user_str(const D& dst, const A& src) const {
        return cast<std::int64_t>(call<helper::probe_read_user_str>(dst, detail::size_of_memory<D>(), src));
    }

protected:
    [[nodiscard]] constexpr detail::builder& b() const { return *this->where_().b; }
    template <class T>
    [[nodiscard]] static constexpr val<T> narrow(const val<std::uint64_t>& v) {
        // helpers that return 32-bit values zero-extend them in r0
        return val<T>(detail::access::program(v), v.operand().reg());
    }
};

// ---- context fields by name (`skb->len`, `ctx->ingress_ifindex`) -------------------
// Views over the SDK's own context structs; offsets by offsetof (cheap during
// constant evaluation, which a view pays at each `->`). Reading or writing a
// field still goes through the program type's rules.

template <> struct view<bpfxx::xdp_md, region::context> {
    using S = bpfxx::xdp_md;
    static constexpr auto R = region::context;
    detail::address at;
    constexpr explicit view(detail::address a) : at(a) {}
    ref<std::uint32_t, R> ingress_ifindex{at.plus(offsetof(S, ingress_ifindex))};
    ref<std::uint32_t, R> rx_queue_index{at.plus(offsetof(S, rx_queue_index))};
    ref<std::uint32_t, R> egress_ifindex{at.plus(offsetof(S, egress_ifindex))};
};
template <> inline constexpr bool has_view<bpfxx::xdp_md> = true;

template <> struct view<bpfxx::sk_buff, region::context> {
    using S = bpfxx::sk_buff;
    static constexpr auto R = region::context;
    detail::address at;
    constexpr explicit view(detail::address a) : at(a) {}
    ref<std::uint32_t, R> len{at.plus(offsetof(S, len))};
    ref<std::uint32_t, R> pkt_type{at.plus(offsetof(S, pkt_type))};
    ref<std::uint32_t, R> mark{at.plus(offsetof(S, mark))};
    ref<std::uint32_t, R> queue_mapping{at.plus(offsetof(S, queue_mapping))};
    ref<std::uint32_t, R> protocol{at.plus(offsetof(S, protocol))}; ///< network order, in the low 16 bits
    ref<std::uint32_t, R> vlan_present{at.plus(offsetof(S, vlan_present))};
    ref<std::uint32_t, R> vlan_tci{at.plus(offsetof(S, vlan_tci))};
    ref<std::uint32_t, R> vlan_proto{at.plus(offsetof(S, vlan_proto))};
    ref<std::uint32_t, R> priority{at.plus(offsetof(S, priority))};
    ref<std::uint32_t, R> ingress_ifindex{at.plus(offsetof(S, ingress_ifindex))};
    ref<std::uint32_t, R> ifindex{at.plus(offsetof(S, ifindex))};
    ref<std::uint32_t, R> tc_index{at.plus(offsetof(S, tc_index))};
    ref<std::uint32_t[5], R> cb{at.plus(offsetof(S, cb))};
    ref<std::uint32_t, R> hash{at.plus(offsetof(S, hash))};
    ref<std::uint32_t, R> tc_classid{at.plus(offsetof(S, tc_classid))};
    ref<std::uint32_t, R> napi_id{at.plus(offsetof(S, napi_id))};
    ref<std::uint32_t, R> family{at.plus(offsetof(S, family))};
    ref<std::uint32_t, R> remote_ip4{at.plus(offsetof(S, remote_ip4))};
    ref<std::uint32_t, R> local_ip4{at.plus(offsetof(S, local_ip4))};
    ref<std::uint32_t, R> remote_port{at.plus(offsetof(S, remote_port))};
    ref<std::uint32_t, R> local_port{at.plus(offsetof(S, local_port))};
    ref<std::uint64_t, R> tstamp{at.plus(offsetof(S, tstamp))};
    ref<std::uint32_t, R> wire_len{at.plus(offsetof(S, wire_len))};
    ref<std::uint32_t, R> gso_segs{at.plus(offsetof(S, gso_segs))};
    ref<std::uint32_t, R> gso_size{at.plus(offsetof(S, gso_size))};
};
template <> inline constexpr bool has_view<bpfxx::sk_buff> = true;

// ---- XDP ---------------------------------------------------------------------------

namespace detail {
[[nodiscard]] constexpr bool xdp_access(std::int32_t off, std::uint32_t size, bool write) {
    // data, data_end, data_meta, ingress_ifindex, rx_queue_index (egress_ifindex: devmap programs only)
    return !write && size == 4 && off >= 0 && off < 20 && off % 4 == 0;
}
} // namespace detail

/// The context of XDP programs.
class xdp_md : public program_context<prog_type::xdp, bpfxx::xdp_md> {
public:
    static constexpr auto access = detail::xdp_access;
    using program_context::program_context;

    /// A cursor at the start of the packet (loads data and data_end).
    [[nodiscard]] constexpr c::packet packet() const {
        auto& bd = b();
        const auto data = bd.load(4, false, detail::reg_op(detail::builder::context()), 0);
        const auto end = bd.load(4, false, detail::reg_op(detail::builder::context()), 4);
        return c::packet(&bd, detail::reg_op(data), detail::reg_op(end));
    }
};

// ---- __sk_buff ---------------------------------------------------------------------

namespace detail {
/// The kernel's rules for `struct __sk_buff` (sk_filter_is_valid_access,
/// tc_cls_act_is_valid_access over bpf_skb_is_valid_access), for 4-byte fields.
template <prog_type T>
[[nodiscard]] constexpr bool skb_access(std::int32_t off, std::uint32_t size, bool write) {
    constexpr auto at = [](auto m) { return c::offset_of(m); };
    const auto in = [&](std::int32_t from, std::int32_t to) { return off >= from && off < to; };
    if (off < 0 || off % static_cast<std::int32_t>(size) != 0 || off + static_cast<std::int32_t>(size) > 192) return false;
    const bool tc = T == prog_type::sched_cls || T == prog_type::sched_act;
    const bool cb = in(at(&sk_buff::cb), at(&sk_buff::hash));
    const bool pointers = in(at(&sk_buff::data), at(&sk_buff::napi_id)) || in(at(&sk_buff::data_meta), at(&sk_buff::flow_keys));
    if (write) {
        if (size != 4) return false;
        if (cb) return true;
        if (!tc) return false;
        return off == at(&sk_buff::mark) || off == at(&sk_buff::tc_index) || off == at(&sk_buff::priority) ||
               off == at(&sk_buff::tc_classid) || off == at(&sk_buff::queue_mapping);
    }
    if (in(at(&sk_buff::flow_keys), at(&sk_buff::tstamp))) return false; // flow dissector only
    if (!tc) {
        if (pointers || off == at(&sk_buff::tc_classid) || in(at(&sk_buff::family), at(&sk_buff::data_meta)) ||
            in(at(&sk_buff::tstamp), at(&sk_buff::gso_segs)) || in(at(&sk_buff::hwtstamp), 192))
            return false;
    }
    return true;
}
} // namespace detail

/// The context of socket filters (T = socket_filter) and tc programs
/// (sched_cls, sched_act): `struct __sk_buff`.
template <prog_type T>
class sk_buff : public program_context<T, bpfxx::sk_buff> {
    static_assert(T == prog_type::socket_filter || T == prog_type::sched_cls || T == prog_type::sched_act,
                  "bpfxx: c::sk_buff is the context of socket_filter, sched_cls and sched_act programs");

public:
    static constexpr auto access = detail::skb_access<T>;
    using program_context<T, bpfxx::sk_buff>::program_context;

    /// `offset` bytes into the packet (from the network header for socket
    /// filters, the link header for tc), in host order: ld_abs (1, 2 or 4 bytes;
    /// the program ends, returning 0, when the packet is shorter).
    template <class U>
    [[nodiscard]] constexpr val<U> load(std::int32_t offset) const {
        static_assert(std::is_unsigned_v<U> && sizeof(U) <= 4, "bpfxx: ld_abs loads 1, 2 or 4 bytes, unsigned");
        auto& bd = this->b();
        return val<U>(&bd, bd.ld_abs(sizeof(U), {}, offset));
    }
    /// A cursor at the start of the packet (tc: the link header).
    [[nodiscard]] constexpr c::packet packet() const {
        static_assert(T != prog_type::socket_filter,
                      "bpfxx: socket filters have no direct packet access: use load<T>(offset) (ld_abs)");
        auto& bd = this->b();
        const auto ctx = detail::reg_op(detail::builder::context());
        const auto data = bd.load(4, false, ctx, c::offset_of(&bpfxx::sk_buff::data));
        const auto end = bd.load(4, false, ctx, c::offset_of(&bpfxx::sk_buff::data_end));
        return c::packet(&bd, detail::reg_op(data), detail::reg_op(end));
    }
};

/// `tc` programs: `[](c::tc_skb skb, ...)`.
using tc_skb = sk_buff<prog_type::sched_cls>;
/// Socket filters: `[](c::socket_skb skb, ...)`.
using socket_skb = sk_buff<prog_type::socket_filter>;

// ---- tracepoints ---------------------------------------------------------------

namespace detail {
[[nodiscard]] constexpr bool tracepoint_access(std::int32_t off, std::uint32_t size, bool write) {
    return !write && off >= 0 && off % static_cast<std::int32_t>(size) == 0;
}
} // namespace detail

/// The context of tracepoint programs: a pointer to the record, laid out as
/// `Record` (the fields of /sys/kernel/tracing/events/<group>/<name>/format,
/// from offset 0: the common fields first).
template <class Record>
class tracepoint : public program_context<prog_type::tracepoint, Record> {
public:
    static constexpr auto access = detail::tracepoint_access;
    using program_context<prog_type::tracepoint, Record>::program_context;

    /// A `__data_loc` field (length << 16 | offset): the kernel address of its data.
    template <class M>
    [[nodiscard]] constexpr ptr<char, region::kernel> data_loc(M Record::*field) const {
        static_assert(sizeof(M) == 4, "bpfxx: a __data_loc field is 4 bytes (length << 16 | offset)");
        auto& bd = this->b();
        const val<std::uint32_t> loc = cast<std::uint32_t>((*this)[field]);
        const auto at = (loc & 0xffffu) + val<std::uint64_t>(&bd, bd.copy(detail::reg_op(detail::builder::context())));
        return ptr<char, region::kernel>(detail::address{&bd, at.operand(), 0});
    }
};

// ---- kprobes and uprobes -------------------------------------------------------

/// The registers of the probed function (`bpfxx::pt_regs`, isa/context.hpp).
using pt_regs_layout = bpfxx::pt_regs;

namespace detail {
[[nodiscard]] constexpr bool pt_regs_access(std::int32_t off, std::uint32_t size, bool write) {
    return !write && off >= 0 && off % static_cast<std::int32_t>(size) == 0 &&
           off + static_cast<std::int32_t>(size) <= static_cast<std::int32_t>(sizeof(pt_regs_layout));
}
} // namespace detail

/// The context of kprobe, kretprobe, uprobe and uretprobe programs.
class pt_regs : public program_context<prog_type::kprobe, pt_regs_layout> {
public:
    static constexpr auto access = detail::pt_regs_access;
    using program_context::program_context;

    /// Argument N of the probed function (calling convention of the machine).
    template <std::size_t N, class T = std::uint64_t>
    [[nodiscard]] constexpr val<T> arg() const {
        static_assert(N < 6, "bpfxx: arguments 0-5 are in registers");
#if defined(__aarch64__)
        const auto r = (*this)[&pt_regs_layout::regs][N];
#else
        constexpr std::uint64_t pt_regs_layout::*regs[] = {&pt_regs_layout::di, &pt_regs_layout::si,
                                                            &pt_regs_layout::dx, &pt_regs_layout::cx,
                                                            &pt_regs_layout::r8, &pt_regs_layout::r9};
        const auto r = (*this)[regs[N]];
#endif
        return cast<T>(r);
    }
    /// The return value (in a kretprobe or uretprobe).
    template <class T = std::uint64_t>
    [[nodiscard]] constexpr val<T> ret() const {
#if defined(__aarch64__)
        return cast<T>((*this)[&pt_regs_layout::regs][0]);
#else
        return cast<T>((*this)[&pt_regs_layout::ax]);
#endif
    }
};

} // namespace bpfxx::c
