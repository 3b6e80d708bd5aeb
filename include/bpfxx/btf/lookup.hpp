#pragma once
// What programs need from the kernel's BTF, by name: a kernel function's or
// kfunc's type id (fentry/fexit/LSM targets, `call_kfunc`), the prototype of
// a BTF-enabled tracepoint (tp_btf arguments), and where a member of a
// kernel struct lies (`task_struct.pid`, `sk_buff.cb`, through anonymous
// members and nested structs). Portable: they search any `btf::types`.
//
//     const auto& k = bpfxx::btf::kernel();
//     auto acquire = bpfxx::btf::function_id(k, "bpf_task_from_pid");   // for call_kfunc
//     auto pid = bpfxx::btf::member_at(k, "task_struct", "pid");        // byte 2464 …

#include <bpfxx/btf/types.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfxx::btf {

/// The FUNC named `name` (a kernel function or kfunc).
[[nodiscard]] inline std::optional<type> function(const types& t, std::string_view name) {
    return t.find(name, kind::func);
}

/// The BTF id of FUNC `name`: what `call_kfunc(id)` and load_options::attach_btf_id take.
[[nodiscard]] inline std::optional<std::uint32_t> function_id(const types& t, std::string_view name) {
    const auto f = function(t, name);
    return f ? std::optional<std::uint32_t>(f->id()) : std::nullopt;
}

/// The prototype of tracepoint `name` as tp_btf programs see it: the
/// FUNC_PROTO behind the kernel's `typedef void (*btf_trace_<name>)(void *, args…)`.
/// Its first parameter is the tracepoint's private data; a program's context
/// holds the other arguments, 8 bytes each.
[[nodiscard]] inline std::optional<type> tracepoint_proto(const types& t, std::string_view name) {
    const auto td = t.find("btf_trace_" + std::string(name), kind::typedef_);
    if (!td) return std::nullopt;
    const auto p = td->target().resolved();
    if (p.kind() != kind::ptr) return std::nullopt;
    const auto proto = p.target().resolved();
    if (proto.kind() != kind::func_proto) return std::nullopt;
    return proto;
}

/// Where a member lies in its outermost struct.
struct member_location {
    std::uint32_t bit_offset = 0;    ///< from the start of the struct
    std::uint32_t bitfield_size = 0; ///< 0: not a bitfield
    btf::type type;                  ///< the member's type
    [[nodiscard]] std::uint32_t byte_offset() const noexcept { return bit_offset / 8; }
};

namespace detail {
/// Member `name` of struct/union `s`, looking inside anonymous members too.
[[nodiscard]] inline std::optional<member_location> direct_member(const type& s, std::string_view name, int depth = 0) {
    if (depth > max_chain) return std::nullopt;
    for (const member& m : s.members()) {
        if (m.name == name) return member_location{m.bit_offset, m.bitfield_size, m.type};
        if (m.anonymous()) {
            const auto inner = m.type.resolved();
            if (inner.kind() != kind::struct_ && inner.kind() != kind::union_) continue;
            if (auto found = direct_member(inner, name, depth + 1)) {
                found->bit_offset += m.bit_offset;
                return found;
            }
        }
    }
    return std::nullopt;
}
} // namespace detail

/// The member at `path` ("pid", "se.vruntime", "thread.sp") of struct or
/// union `s`, through typedefs and anonymous members; nullopt if there is none.
[[nodiscard]] inline std::optional<member_location> member_at(const type& s, std::string_view path) {
    member_location at{0, 0, s};
    while (!path.empty()) {
        const auto dot = path.find('.');
        const auto name = path.substr(0, dot);
        const auto outer = at.type.resolved();
        if (outer.kind() != kind::struct_ && outer.kind() != kind::union_) return std::nullopt;
        const auto m = detail::direct_member(outer, name);
        if (!m) return std::nullopt;
        at = {at.bit_offset + m->bit_offset, m->bitfield_size, m->type};
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return at;
}

/// The member at `path` of the STRUCT (or UNION) named `struct_name`.
[[nodiscard]] inline std::optional<member_location> member_at(const types& t, std::string_view struct_name,
                                                              std::string_view path) {
    auto s = t.find(struct_name, kind::struct_);
    if (!s) s = t.find(struct_name, kind::union_);
    if (!s) return std::nullopt;
    return member_at(*s, path);
}

} // namespace bpfxx::btf
