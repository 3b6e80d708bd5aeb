#pragma once
// The kernel's rules for BTF it loads (kernel/bpf/btf.c, Linux 6.18), as
// the writer checks them before a blob reaches BPF_BTF_LOAD. A blob built
// during constant evaluation that breaks one does not compile: the compiler
// stops at a function named after the rule. At run time the writer throws
// `bpfxx::error` (EINVAL) with the rule's text and the type it concerns.

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace bpfxx::btf {

/// One rule of the kernel's BTF checks.
enum class rule : std::uint8_t {
    name_not_identifier,      ///< a name the kernel wants as a C identifier ([A-Za-z_.][A-Za-z0-9_.]*, < 512) is not one
    name_missing,             ///< TYPEDEF, FWD, FUNC, VAR, DATASEC, TYPE_TAG, DECL_TAG and enum values need one
    section_name_invalid,     ///< a DATASEC name must be printable characters
    int_size,                 ///< an INT is 1, 2, 4, 8 or 16 bytes
    int_bits,                 ///< an INT's bits (plus offset) are 1 … 128 and fit its size
    int_encoding,             ///< an INT is at most one of signed, char, bool
    float_size,               ///< a FLOAT is 2, 4, 8, 12 or 16 bytes
    enum_size,                ///< an ENUM/ENUM64 is 1, 2, 4 or 8 bytes
    too_many_entries,         ///< members, values, parameters or variables: at most 65535
    member_offset_decreasing, ///< struct members come in order of their offsets
    union_member_offset,      ///< union members are at offset 0
    member_beyond_size,       ///< a member ends past the size of its struct or union
    member_not_aligned,       ///< a member that is not a bitfield starts on a byte (a FLOAT on its own size, at most 8)
    bitfield_type,            ///< only INT and ENUM members can be bitfields
    bitfield_too_wide,        ///< a bitfield is wider than its type (or 32 bits for an enum)
    member_without_size,      ///< a member, array element, variable or parameter needs a type with a size (not void, FWD or FUNC_PROTO)
    unknown_type,             ///< a type id that the blob does not define
    array_index_type,         ///< an array's index type is an INT of 1, 2, 4, 8 or 16 whole bytes
    size_overflow,            ///< a type larger than 4 GiB
    func_not_proto,           ///< a FUNC refers to a FUNC_PROTO
    func_linkage,             ///< a FUNC is static or global (not extern)
    func_param_unnamed,       ///< the parameters of a FUNC's prototype have names
    vararg_not_last,          ///< only the last parameter may be `...` (type 0, no name)
    var_linkage,              ///< a VAR is static or global (not extern)
    datasec_size,             ///< a DATASEC has a size, and its variables lie in it in order without overlap
    datasec_entry,            ///< a DATASEC lists VARs, each at least as big as its type
    decl_tag_target,          ///< a DECL_TAG tags a STRUCT, UNION, FUNC, VAR or TYPEDEF
    decl_tag_component,       ///< a DECL_TAG's component is -1 or a member/parameter index (not for VAR or TYPEDEF)
    type_tag_order,           ///< TYPE_TAGs come before CONST/VOLATILE/RESTRICT/TYPEDEF in a chain
    modifier_target,          ///< a qualifier, TYPEDEF or PTR refers to a sized type, void, FWD or FUNC_PROTO
    loop,                     ///< a chain of qualifiers and pointers, or of structs and arrays by value, loops
    too_deep,                 ///< a chain of types deeper than the kernel resolves (32)
    too_big,                  ///< more than 1,048,575 types or 16 MiB of strings
    struct_undefined,         ///< a reserved STRUCT/UNION was never defined
};

/// What the rule says, for error messages.
[[nodiscard]] constexpr std::string_view rule_text(rule r) noexcept {
    switch (r) {
    case rule::name_not_identifier: return "the name is not a C identifier ([A-Za-z_.][A-Za-z0-9_.]*, under 512 characters)";
    case rule::name_missing: return "TYPEDEF, FWD, FUNC, VAR, DATASEC, TYPE_TAG, DECL_TAG and enum values need a name";
    case rule::section_name_invalid: return "a DATASEC name is one or more printable characters";
    case rule::int_size: return "an INT is 1, 2, 4, 8 or 16 bytes";
    case rule::int_bits: return "an INT has 1 to 128 bits, which (with their offset) fit its size";
    case rule::int_encoding: return "an INT is at most one of signed, char and bool";
    case rule::float_size: return "a FLOAT is 2, 4, 8, 12 or 16 bytes";
    case rule::enum_size: return "an ENUM or ENUM64 is 1, 2, 4 or 8 bytes";
    case rule::too_many_entries: return "a type has at most 65535 members, values, parameters or variables";
    case rule::member_offset_decreasing: return "struct members must come in order of their offsets";
    case rule::union_member_offset: return "union members are at offset 0";
    case rule::member_beyond_size: return "a member ends past the size of its struct or union";
    case rule::member_not_aligned: return "a member that is not a bitfield starts on a whole byte (a FLOAT on a multiple of its size, at most 8)";
    case rule::bitfield_type: return "only INT and ENUM members can be bitfields";
    case rule::bitfield_too_wide: return "a bitfield is wider than its type (an enum bitfield: 32 bits)";
    case rule::member_without_size: return "the type has no size (void, FWD, FUNC_PROTO): it cannot be a member, element, variable or parameter";
    case rule::unknown_type: return "refers to a type id that the blob does not define";
    case rule::array_index_type: return "an array's index type must be an INT of 1, 2, 4, 8 or 16 whole bytes";
    case rule::size_overflow: return "the type is larger than 4 GiB";
    case rule::func_not_proto: return "a FUNC must refer to a FUNC_PROTO";
    case rule::func_linkage: return "a FUNC is static or global (the kernel refuses extern)";
    case rule::func_param_unnamed: return "every parameter of a FUNC's prototype needs a name";
    case rule::vararg_not_last: return "only the last parameter may be '...' (type 0 and no name)";
    case rule::var_linkage: return "a VAR is static or global (the kernel refuses extern)";
    case rule::datasec_size: return "a DATASEC needs a size, and its variables lie inside it, in order, without overlap";
    case rule::datasec_entry: return "a DATASEC entry is a VAR, and at least as big as the VAR's type";
    case rule::decl_tag_target: return "a DECL_TAG tags a STRUCT, UNION, FUNC, VAR or TYPEDEF";
    case rule::decl_tag_component: return "a DECL_TAG's component is -1 or an index of a member or parameter (VAR and TYPEDEF: -1 only)";
    case rule::type_tag_order: return "TYPE_TAGs must come before CONST, VOLATILE, RESTRICT and TYPEDEF in a chain";
    case rule::modifier_target: return "a qualifier, TYPEDEF or PTR must refer to a type with a size, void, a FWD or a FUNC_PROTO";
    case rule::loop: return "a chain of qualifiers and pointers, or of structs and arrays by value, loops back on itself";
    case rule::too_deep: return "a chain of types is deeper than the 32 levels the kernel resolves";
    case rule::too_big: return "more than 1,048,575 types or 16 MiB of strings";
    case rule::struct_undefined: return "a reserved STRUCT or UNION was never defined";
    }
    return "?";
}

namespace detail {
// Not constexpr on purpose: reaching one while the compiler evaluates a blob
// stops compilation with the function's name as the diagnostic.
inline void btf_name_is_not_a_c_identifier() {}
inline void btf_this_kind_needs_a_name() {}
inline void btf_datasec_name_must_be_printable() {}
inline void btf_int_size_must_be_1_2_4_8_or_16() {}
inline void btf_int_bits_must_be_1_to_128_and_fit_the_size() {}
inline void btf_int_encoding_is_one_of_signed_char_bool() {}
inline void btf_float_size_must_be_2_4_8_12_or_16() {}
inline void btf_enum_size_must_be_1_2_4_or_8() {}
inline void btf_at_most_65535_members_values_or_params() {}
inline void btf_struct_member_offsets_must_not_decrease() {}
inline void btf_union_members_must_be_at_offset_0() {}
inline void btf_member_lies_beyond_the_struct_size() {}
inline void btf_member_must_start_on_a_byte() {}
inline void btf_only_int_and_enum_members_can_be_bitfields() {}
inline void btf_bitfield_is_wider_than_its_type() {}
inline void btf_type_without_size_cannot_be_member_element_or_variable() {}
inline void btf_type_id_refers_to_no_type() {}
inline void btf_array_index_must_be_a_regular_int() {}
inline void btf_type_is_larger_than_4_gib() {}
inline void btf_func_must_refer_to_a_func_proto() {}
inline void btf_func_linkage_must_be_static_or_global() {}
inline void btf_func_params_need_names() {}
inline void btf_only_the_last_param_may_be_vararg() {}
inline void btf_var_linkage_must_be_static_or_global() {}
inline void btf_datasec_vars_must_lie_inside_in_order() {}
inline void btf_datasec_entry_must_be_a_var_of_its_size() {}
inline void btf_decl_tag_target_must_be_struct_union_func_var_or_typedef() {}
inline void btf_decl_tag_component_out_of_range() {}
inline void btf_type_tags_must_precede_qualifiers_and_typedefs() {}
inline void btf_modifier_must_refer_to_a_sized_type_void_fwd_or_func_proto() {}
inline void btf_types_form_a_loop() {}
inline void btf_type_chain_deeper_than_32() {}
inline void btf_more_than_1048575_types_or_16_mib_of_strings() {}
inline void btf_reserved_struct_never_defined() {}

/// Stops constant evaluation at the function named after `r`.
constexpr void stop_compilation(rule r) {
    switch (r) {
    case rule::name_not_identifier: btf_name_is_not_a_c_identifier(); break;
    case rule::name_missing: btf_this_kind_needs_a_name(); break;
    case rule::section_name_invalid: btf_datasec_name_must_be_printable(); break;
    case rule::int_size: btf_int_size_must_be_1_2_4_8_or_16(); break;
    case rule::int_bits: btf_int_bits_must_be_1_to_128_and_fit_the_size(); break;
    case rule::int_encoding: btf_int_encoding_is_one_of_signed_char_bool(); break;
    case rule::float_size: btf_float_size_must_be_2_4_8_12_or_16(); break;
    case rule::enum_size: btf_enum_size_must_be_1_2_4_or_8(); break;
    case rule::too_many_entries: btf_at_most_65535_members_values_or_params(); break;
    case rule::member_offset_decreasing: btf_struct_member_offsets_must_not_decrease(); break;
    case rule::union_member_offset: btf_union_members_must_be_at_offset_0(); break;
    case rule::member_beyond_size: btf_member_lies_beyond_the_struct_size(); break;
    case rule::member_not_aligned: btf_member_must_start_on_a_byte(); break;
    case rule::bitfield_type: btf_only_int_and_enum_members_can_be_bitfields(); break;
    case rule::bitfield_too_wide: btf_bitfield_is_wider_than_its_type(); break;
    case rule::member_without_size: btf_type_without_size_cannot_be_member_element_or_variable(); break;
    case rule::unknown_type: btf_type_id_refers_to_no_type(); break;
    case rule::array_index_type: btf_array_index_must_be_a_regular_int(); break;
    case rule::size_overflow: btf_type_is_larger_than_4_gib(); break;
    case rule::func_not_proto: btf_func_must_refer_to_a_func_proto(); break;
    case rule::func_linkage: btf_func_linkage_must_be_static_or_global(); break;
    case rule::func_param_unnamed: btf_func_params_need_names(); break;
    case rule::vararg_not_last: btf_only_the_last_param_may_be_vararg(); break;
    case rule::var_linkage: btf_var_linkage_must_be_static_or_global(); break;
    case rule::datasec_size: btf_datasec_vars_must_lie_inside_in_order(); break;
    case rule::datasec_entry: btf_datasec_entry_must_be_a_var_of_its_size(); break;
    case rule::decl_tag_target: btf_decl_tag_target_must_be_struct_union_func_var_or_typedef(); break;
    case rule::decl_tag_component: btf_decl_tag_component_out_of_range(); break;
    case rule::type_tag_order: btf_type_tags_must_precede_qualifiers_and_typedefs(); break;
    case rule::modifier_target: btf_modifier_must_refer_to_a_sized_type_void_fwd_or_func_proto(); break;
    case rule::loop: btf_types_form_a_loop(); break;
    case rule::too_deep: btf_type_chain_deeper_than_32(); break;
    case rule::too_big: btf_more_than_1048575_types_or_16_mib_of_strings(); break;
    case rule::struct_undefined: btf_reserved_struct_never_defined(); break;
    }
}

/// The kernel's btf_name_valid_identifier: [A-Za-z_.][A-Za-z0-9_.]*, shorter than KSYM_NAME_LEN (512).
[[nodiscard]] constexpr bool valid_identifier(std::string_view s) noexcept {
    if (s.empty() || s.size() >= 512) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit))) return false;
    }
    return true;
}
/// The kernel's btf_name_valid_section: printable characters, at least one.
[[nodiscard]] constexpr bool valid_section_name(std::string_view s) noexcept {
    if (s.empty() || s.size() >= 512) return false;
    for (const char c : s)
        if (c < 0x20 || c > 0x7e) return false;
    return true;
}
} // namespace detail

} // namespace bpfxx::btf
