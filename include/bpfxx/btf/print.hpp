#pragma once
// BTF types as C: `btf::print(type)` writes a definition — a struct or union
// with its members (bitfields, nested anonymous types inline), an enum with
// its values, a typedef, a function's prototype, a variable — as
// `bpftool btf dump format c` would for that one type; `btf::declaration`
// writes how a type declares a name (`int (*handler)(void *, int)`).
// Portable.
//
//     std::puts(bpfxx::btf::print(*bpfxx::btf::kernel().find("iphdr", bpfxx::btf::kind::struct_)).c_str());

#include <bpfxx/btf/types.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bpfxx::btf {

std::string declaration(const type& t, std::string_view declarator = {});

namespace detail::c {

inline constexpr int max_depth = 32;
/// How many types one print may expand: depth alone does not bound the work,
/// since a prototype whose parameters point back at it (or an anonymous
/// struct whose members do) expands k^depth times.
inline constexpr int max_expansions = 1 << 12;

/// What one print may still do.
struct walk {
    int expansions_left = max_expansions;
    /// Counts one expansion; false once the budget is spent.
    [[nodiscard]] bool take() noexcept {
        if (expansions_left == 0) return false;
        --expansions_left;
        return true;
    }
};

inline void indent(std::string& out, int level) { out.append(static_cast<std::size_t>(level), '\t'); }

inline void definition(std::string& out, const type& t, int level, int depth, walk& w);
inline std::string declaration_at(const type& t, std::string_view inner, int level, int depth, walk& w);

/// How `t` is named where it is used: "int", "struct sock", a typedef's name,
/// or (for an anonymous struct, union or enum) its whole definition.
inline std::string base_name(const type& t, int level, int depth, walk& w) {
    switch (t.kind()) {
    case kind::void_: return "void";
    case kind::struct_:
    case kind::union_:
    case kind::enum_:
    case kind::enum64:
        if (t.name().empty()) {
            std::string inline_def;
            definition(inline_def, t, level, depth + 1, w);
            return inline_def;
        }
        return std::string(t.kind() == kind::struct_ ? "struct " : t.kind() == kind::union_ ? "union " : "enum ") +
               std::string(t.name());
    case kind::fwd: return std::string(t.fwd_is_union() ? "union " : "struct ") + std::string(t.name());
    default: return std::string(t.name());
    }
}

inline std::string params(const type& proto, int level, int depth, walk& w) {
    std::string s = "(";
    const auto ps = proto.params();
    if (ps.empty()) return "(void)";
    bool first = true;
    for (const param& p : ps) {
        if (!first) s += ", ";
        first = false;
        if (p.type.is_void() && p.name.empty()) {
            s += "...";
            continue;
        }
        s += declaration_at(p.type, p.name, level, depth + 1, w);
    }
    return s + ")";
}

/// The C declarator algorithm: qualifiers, pointers, arrays and functions
/// wrap the declarator from the inside out.
inline std::string declaration_at(const type& t, std::string_view inner, int level, int depth, walk& w) {
    if (depth > max_depth) return "/* nested too deep */ " + std::string(inner);
    if (!w.take()) return "/* too large */ " + std::string(inner);
    const auto with = [&](std::string base) {
        if (!inner.empty()) {
            base += ' ';
            base += inner;
        }
        return base;
    };
    switch (t.kind()) {
    case kind::ptr: {
        const auto target = t.target();
        std::string d = "*" + std::string(inner);
        const auto k = target.unqualified().kind();
        if (k == kind::array || k == kind::func_proto) d = "(" + d + ")";
        return declaration_at(target, d, level, depth + 1, w);
    }
    case kind::array: return declaration_at(t.element(), std::string(inner) + "[" + std::to_string(t.nelems()) + "]", level, depth + 1, w);
    case kind::func_proto: return declaration_at(t.return_type(), std::string(inner) + params(t, level, depth, w), level, depth + 1, w);
    case kind::const_:
    case kind::volatile_:
    case kind::restrict_: {
        const char* q = t.kind() == kind::const_ ? "const" : t.kind() == kind::volatile_ ? "volatile" : "restrict";
        const auto target = t.target();
        if (target.kind() == kind::ptr) return declaration_at(target, std::string(q) + " " + std::string(inner), level, depth + 1, w);
        return std::string(q) + " " + declaration_at(target, inner, level, depth + 1, w);
    }
    case kind::type_tag:
        return declaration_at(t.target(), "__attribute__((btf_type_tag(\"" + std::string(t.name()) + "\"))) " +
                                              std::string(inner), level, depth + 1, w);
    case kind::func: return declaration_at(t.target(), std::string(t.name()), level, depth + 1, w);
    case kind::var: return declaration_at(t.target(), t.name(), level, depth + 1, w);
    default: return with(base_name(t, level, depth, w));
    }
}

inline void members(std::string& out, const type& t, int level, int depth, walk& w) {
    for (const member& m : t.members()) {
        indent(out, level + 1);
        out += declaration_at(m.type, m.name, level + 1, depth + 1, w);
        if (m.bitfield_size != 0) out += ": " + std::to_string(m.bitfield_size);
        out += ";\n";
    }
}

inline void enumerators(std::string& out, const type& t, int level) {
    const bool is_signed = t.is_signed_enum();
    const bool wide = t.kind() == kind::enum64;
    for (const enumerator& e : t.enumerators()) {
        indent(out, level + 1);
        out += e.name;
        out += " = ";
        if (is_signed) out += std::to_string(e.value);
        else if (wide) out += std::to_string(static_cast<std::uint64_t>(e.value)) + "ULL";
        else out += std::to_string(static_cast<std::uint64_t>(e.value));
        out += ",\n";
    }
}

/// A struct, union or enum with its body.
inline void definition(std::string& out, const type& t, int level, int depth, walk& w) {
    if (depth > max_depth) {
        out += "/* nested too deep */";
        return;
    }
    if (!w.take()) {
        out += "/* too large */";
        return;
    }
    switch (t.kind()) {
    case kind::struct_:
    case kind::union_:
        out += t.kind() == kind::struct_ ? "struct" : "union";
        if (!t.name().empty()) {
            out += ' ';
            out += t.name();
        }
        out += " {\n";
        members(out, t, level, depth, w);
        indent(out, level);
        out += "}";
        break;
    case kind::enum_:
    case kind::enum64:
        out += "enum";
        if (!t.name().empty()) {
            out += ' ';
            out += t.name();
        }
        out += " {\n";
        enumerators(out, t, level);
        indent(out, level);
        out += "}";
        break;
    default: out += declaration_at(t, {}, level, depth, w);
    }
}

} // namespace detail::c

/// How `t` declares `declarator` in C (empty: the type's own spelling, as in a cast).
inline std::string declaration(const type& t, std::string_view declarator) {
    detail::c::walk w;
    return detail::c::declaration_at(t, declarator, 0, 0, w);
}

/// `t` as C: the definition of a struct, union or enum; `typedef …;`; a
/// function's prototype; a variable's declaration; for the other kinds their
/// spelling. Each definition ends with ";\n".
inline std::string print(const type& t) {
    namespace c = detail::c;
    c::walk w;
    std::string out;
    switch (t.kind()) {
    case kind::struct_:
    case kind::union_:
    case kind::enum_:
    case kind::enum64: c::definition(out, t, 0, 0, w); break;
    case kind::typedef_: out = "typedef " + declaration(t.target(), t.name()); break;
    case kind::func:
        if (t.linkage() == func_linkage::static_) out = "static ";
        else if (t.linkage() == func_linkage::extern_) out = "extern ";
        out += declaration(t);
        break;
    case kind::var:
        if (t.var_linkage() == var_linkage::static_) out = "static ";
        else if (t.var_linkage() == var_linkage::extern_) out = "extern ";
        out += declaration(t);
        break;
    case kind::fwd: out = c::base_name(t, 0, 0, w); break;
    case kind::datasec:
        out = "/* section " + std::string(t.name()) + ", " + std::to_string(t.size()) + " bytes */\n";
        for (const section_var& v : t.vars())
            out += "/* +" + std::to_string(v.offset) + " */ " +
                   (v.var.kind() == kind::var || v.var.kind() == kind::func ? declaration(v.var)
                                                                          : "/* type " + std::to_string(v.var.id()) + " */") +
                   ";\n";
        return out;
    case kind::decl_tag:
        return "/* " + std::string(t.name()) + " on type " + std::to_string(t.target().id()) +
               (t.component_idx() >= 0 ? " member " + std::to_string(t.component_idx()) : std::string{}) + " */\n";
    default: return declaration(t) + "\n";
    }
    return out + ";\n";
}

} // namespace bpfxx::btf
