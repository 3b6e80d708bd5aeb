#pragma once
// Copying types from a parsed blob into a writer: a type and everything it
// refers to, once, with new ids (what writing back a subset of vmlinux, or
// carrying kernel types into a program's BTF, takes). Portable.
//
//     btf::writer w;
//     btf::type_copier copy(vmlinux, w);
//     const auto id = copy(vmlinux.find("iphdr", btf::kind::struct_)->id());
//     auto blob = w.bytes();

#include <bpfxx/btf/types.hpp>
#include <bpfxx/btf/writer.hpp>
#include <bpfxx/detail/buffer.hpp>

#include <cstdint>
#include <string_view>

namespace bpfxx::btf {

/// Copies types of `from` into `to`, remembering which it has copied.
/// Structs and unions are reserved first and given their members after, so
/// that types referring back to them (through pointers) copy without
/// recursing through the whole graph.
class type_copier {
public:
    type_copier(const types& from, writer& to) : from_(from), to_(to), ids_(from.size(), 0) {}

    /// The id in `to` of type `id` of `from` (0 for void), copying it and
    /// what it refers to if not done yet.
    std::uint32_t operator()(std::uint32_t id) {
        const auto r = copy(id, 0);
        drain();
        return r;
    }

    /// How many types of `from` have been copied.
    [[nodiscard]] std::size_t copied() const noexcept { return copied_; }

private:
    std::uint32_t copy(std::uint32_t id, int depth) {
        if (id == 0) return 0;
        if (id >= ids_.size()) from_.bad_type(id, "no such type");
        if (ids_[id] != 0) return ids_[id];
        if (depth > 64) to_.fail(rule::loop, 0, from_.at(id).name()); // deeper than any chain the kernel resolves
        const type t = from_.at(id);
        std::uint32_t r = 0;
        switch (t.kind()) {
        case kind::int_: {
            const auto i = t.as_int();
            r = to_.add_int(t.name(), t.size(), static_cast<int_encoding>(i.encoding), i.bits, i.offset);
            break;
        }
        case kind::float_: r = to_.add_float(t.name(), t.size()); break;
        case kind::ptr: r = to_.add_ptr(copy(t.size_or_type(), depth + 1)); break;
        case kind::typedef_: r = to_.add_typedef(t.name(), copy(t.size_or_type(), depth + 1)); break;
        case kind::volatile_: r = to_.add_volatile(copy(t.size_or_type(), depth + 1)); break;
        case kind::const_: r = to_.add_const(copy(t.size_or_type(), depth + 1)); break;
        case kind::restrict_: r = to_.add_restrict(copy(t.size_or_type(), depth + 1)); break;
        case kind::type_tag: r = to_.add_type_tag(t.name(), copy(t.size_or_type(), depth + 1), t.kind_flag()); break;
        case kind::array: {
            const auto elem = copy(t.element().id(), depth + 1);
            r = to_.add_array(elem, t.nelems(), copy(t.index_type().id(), depth + 1));
            break;
        }
        case kind::fwd: r = to_.add_fwd(t.name(), t.fwd_is_union()); break;
        case kind::enum_:
        case kind::enum64: {
            bpfxx::detail::buffer<enum_value> values;
            for (const auto& e : t.enumerators()) values.push_back({e.name, e.value});
            r = to_.add_enum(t.name(), t.size(), bpfxx::detail::as_span(values), t.kind_flag(), t.kind());
            break;
        }
        case kind::struct_:
        case kind::union_:
            r = to_.reserve(t.kind(), t.name());
            ids_[id] = r;
            ++copied_;
            pending_.push_back(id);
            return r;
        case kind::func_proto: {
            bpfxx::detail::buffer<param_spec> params;
            for (const auto& p : t.params()) params.push_back({p.name, copy(p.type.id(), depth + 1)});
            r = to_.add_func_proto(copy(t.size_or_type(), depth + 1), bpfxx::detail::as_span(params));
            break;
        }
        case kind::func: r = to_.add_func(t.name(), copy(t.size_or_type(), depth + 1), t.linkage()); break;
        case kind::var: r = to_.add_var(t.name(), copy(t.size_or_type(), depth + 1), t.var_linkage()); break;
        case kind::datasec: {
            bpfxx::detail::buffer<secinfo_spec> vars;
            for (const auto& v : t.vars()) vars.push_back({copy(v.var.id(), depth + 1), v.offset, v.size});
            r = to_.add_datasec(t.name(), t.size(), bpfxx::detail::as_span(vars));
            break;
        }
        case kind::decl_tag:
            r = to_.add_decl_tag(t.name(), copy(t.size_or_type(), depth + 1), t.component_idx(), t.kind_flag());
            break;
        case kind::void_: return 0;
        }
        ids_[id] = r;
        ++copied_;
        return r;
    }

    /// Gives every reserved struct and union its members.
    void drain() {
        while (!pending_.empty()) {
            const auto id = pending_.back();
            pending_.pop_back();
            const type t = from_.at(id);
            bpfxx::detail::buffer<member_spec> members;
            for (const member& m : t.members()) members.push_back({m.name, copy(m.type.id(), 0), m.bit_offset, m.bitfield_size});
            to_.define(ids_[id], t.size(), bpfxx::detail::as_span(members));
        }
    }

    const types& from_;
    writer& to_;
    bpfxx::detail::buffer<std::uint32_t> ids_; ///< id in `from` → id in `to` (0: not copied)
    bpfxx::detail::buffer<std::uint32_t> pending_;
    std::size_t copied_ = 0;
};

} // namespace bpfxx::btf
