#pragma once
// The BTF encoding (the kernel's include/uapi/linux/btf.h and
// Documentation/bpf/btf.rst, Linux 6.18): the header, the kinds, the records
// that follow a type, and the func_info / line_info records of programs.
// Portable: the SDK's own copy, so that no kernel header is needed.

#include <cstdint>
#include <string_view>

namespace bpfxx::btf {

/// A type's kind (BTF_KIND_*). The trailing underscores avoid C++ keywords.
enum class kind : std::uint8_t {
    void_ = 0, ///< BTF_KIND_UNKN: id 0 is `void`; no record has this kind
    int_ = 1,
    ptr = 2,
    array = 3,
    struct_ = 4,
    union_ = 5,
    enum_ = 6,
    fwd = 7,
    typedef_ = 8,
    volatile_ = 9,
    const_ = 10,
    restrict_ = 11,
    func = 12,
    func_proto = 13,
    var = 14,
    datasec = 15,
    float_ = 16,
    decl_tag = 17,
    type_tag = 18,
    enum64 = 19,
};
/// The highest kind Linux 6.18 knows.
inline constexpr kind max_kind = kind::enum64;

/// The name bpftool prints for a kind ("STRUCT", "FUNC_PROTO" …).
[[nodiscard]] constexpr std::string_view kind_name(kind k) noexcept {
    switch (k) {
    case kind::void_: return "UNKN";
    case kind::int_: return "INT";
    case kind::ptr: return "PTR";
    case kind::array: return "ARRAY";
    case kind::struct_: return "STRUCT";
    case kind::union_: return "UNION";
    case kind::enum_: return "ENUM";
    case kind::fwd: return "FWD";
    case kind::typedef_: return "TYPEDEF";
    case kind::volatile_: return "VOLATILE";
    case kind::const_: return "CONST";
    case kind::restrict_: return "RESTRICT";
    case kind::func: return "FUNC";
    case kind::func_proto: return "FUNC_PROTO";
    case kind::var: return "VAR";
    case kind::datasec: return "DATASEC";
    case kind::float_: return "FLOAT";
    case kind::decl_tag: return "DECL_TAG";
    case kind::type_tag: return "TYPE_TAG";
    case kind::enum64: return "ENUM64";
    }
    return "?";
}

/// `struct btf_header`: at the start of every blob. The sections' offsets
/// count from the end of the header (`hdr_len`).
struct header {
    std::uint16_t magic = 0xeb9f;
    std::uint8_t version = 1;
    std::uint8_t flags = 0;
    std::uint32_t hdr_len = 24;
    std::uint32_t type_off = 0;
    std::uint32_t type_len = 0;
    std::uint32_t str_off = 0;
    std::uint32_t str_len = 0;
};
static_assert(sizeof(header) == 24);
inline constexpr std::uint16_t magic = 0xeb9f;

/// `struct btf_type`: the 12 bytes every type record starts with.
struct type_header {
    std::uint32_t name_off = 0;
    /// bits 0-15 vlen, 24-28 kind, 31 kind_flag
    std::uint32_t info = 0;
    /// the size (INT, ENUM, ENUM64, STRUCT, UNION, FLOAT, DATASEC) or a type id (the rest)
    std::uint32_t size_or_type = 0;
};
static_assert(sizeof(type_header) == 12);

[[nodiscard]] constexpr std::uint32_t make_info(kind k, std::uint32_t vlen, bool kind_flag) noexcept {
    return (vlen & 0xffffu) | (static_cast<std::uint32_t>(k) << 24) | (kind_flag ? 1u << 31 : 0u);
}
[[nodiscard]] constexpr std::uint32_t info_vlen(std::uint32_t info) noexcept { return info & 0xffffu; }
[[nodiscard]] constexpr std::uint32_t info_kind(std::uint32_t info) noexcept { return (info >> 24) & 0x1fu; }
[[nodiscard]] constexpr bool info_kind_flag(std::uint32_t info) noexcept { return (info >> 31) != 0; }
/// Bits the kernel requires to be zero in `info` (16-23 and 29-30).
inline constexpr std::uint32_t info_unused_bits = 0x60ff0000u;
/// The largest vlen the encoding holds.
inline constexpr std::uint32_t max_vlen = 0xffff;

/// INT: the u32 after the header.
enum class int_encoding : std::uint8_t { none = 0, is_signed = 1, is_char = 2, is_bool = 4 };
[[nodiscard]] constexpr std::uint32_t make_int_data(int_encoding e, std::uint32_t bit_offset, std::uint32_t bits) noexcept {
    return (static_cast<std::uint32_t>(e) << 24) | ((bit_offset & 0xffu) << 16) | (bits & 0xffu);
}
[[nodiscard]] constexpr std::uint32_t int_data_encoding(std::uint32_t d) noexcept { return (d >> 24) & 0x0fu; }
[[nodiscard]] constexpr std::uint32_t int_data_offset(std::uint32_t d) noexcept { return (d >> 16) & 0xffu; }
[[nodiscard]] constexpr std::uint32_t int_data_bits(std::uint32_t d) noexcept { return d & 0xffu; }
/// Bits of the INT data the kernel requires to be zero.
inline constexpr std::uint32_t int_data_unused_bits = 0xf0000000u | 0x0000ff00u;

/// ARRAY: `struct btf_array`.
struct array_record {
    std::uint32_t type = 0;
    std::uint32_t index_type = 0;
    std::uint32_t nelems = 0;
};
/// STRUCT / UNION: `struct btf_member`, vlen of them. With kind_flag set,
/// `offset` is bitfield_size << 24 | bit_offset.
struct member_record {
    std::uint32_t name_off = 0;
    std::uint32_t type = 0;
    std::uint32_t offset = 0;
};
/// ENUM: `struct btf_enum`.
struct enum_record {
    std::uint32_t name_off = 0;
    std::int32_t val = 0;
};
/// ENUM64: `struct btf_enum64`.
struct enum64_record {
    std::uint32_t name_off = 0;
    std::uint32_t val_lo32 = 0;
    std::uint32_t val_hi32 = 0;
};
/// FUNC_PROTO: `struct btf_param`. A last parameter with name 0 and type 0 is `...`.
struct param_record {
    std::uint32_t name_off = 0;
    std::uint32_t type = 0;
};
/// VAR: `struct btf_var`.
struct var_record {
    std::uint32_t linkage = 0;
};
/// DATASEC: `struct btf_var_secinfo`.
struct var_secinfo_record {
    std::uint32_t type = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};
/// DECL_TAG: `struct btf_decl_tag`; -1 tags the type itself, else a member or parameter.
struct decl_tag_record {
    std::int32_t component_idx = -1;
};

/// FUNC's vlen.
enum class func_linkage : std::uint8_t { static_ = 0, global = 1, extern_ = 2 };
/// VAR's linkage.
enum class var_linkage : std::uint8_t { static_ = 0, global = 1, extern_ = 2 };

/// The bytes a record of kind `k` with `vlen` entries takes after its 12-byte header.
[[nodiscard]] constexpr std::uint32_t extra_bytes(kind k, std::uint32_t vlen) noexcept {
    switch (k) {
    case kind::int_: return 4;
    case kind::array: return sizeof(array_record);
    case kind::struct_:
    case kind::union_: return vlen * sizeof(member_record);
    case kind::enum_: return vlen * sizeof(enum_record);
    case kind::func_proto: return vlen * sizeof(param_record);
    case kind::var: return sizeof(var_record);
    case kind::datasec: return vlen * sizeof(var_secinfo_record);
    case kind::decl_tag: return sizeof(decl_tag_record);
    case kind::enum64: return vlen * sizeof(enum64_record);
    default: return 0;
    }
}

/// Whether the record's third word is a size (else it is a type id).
[[nodiscard]] constexpr bool has_size(kind k) noexcept {
    return k == kind::int_ || k == kind::struct_ || k == kind::union_ || k == kind::enum_ || k == kind::enum64 ||
           k == kind::float_ || k == kind::datasec;
}
/// Kinds that only qualify the type they refer to.
[[nodiscard]] constexpr bool is_modifier(kind k) noexcept {
    return k == kind::typedef_ || k == kind::volatile_ || k == kind::const_ || k == kind::restrict_ ||
           k == kind::type_tag;
}

/// `struct bpf_func_info`: the FUNC type of the subprogram starting at `insn_off` (in instructions).
struct func_info {
    std::uint32_t insn_off = 0;
    std::uint32_t type_id = 0;
    friend constexpr bool operator==(const func_info&, const func_info&) = default;
};
static_assert(sizeof(func_info) == 8);

/// `struct bpf_line_info`: the source line of the instruction at `insn_off`.
struct line_info {
    std::uint32_t insn_off = 0;
    std::uint32_t file_name_off = 0;
    std::uint32_t line_off = 0;
    std::uint32_t line_col = 0; ///< line << 10 | column
    friend constexpr bool operator==(const line_info&, const line_info&) = default;
};
static_assert(sizeof(line_info) == 16);
[[nodiscard]] constexpr std::uint32_t make_line_col(std::uint32_t line, std::uint32_t col) noexcept {
    return (line << 10) | (col & 0x3ffu);
}

} // namespace bpfxx::btf
