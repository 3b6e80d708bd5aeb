// expect: btf_decl_tag_target_must_be_struct_union_func_var_or_typedef
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::decl_tag_target` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_decl_tag("t", w.add_typedef("td", w.add_int("int", 4)));
#else
    w.add_decl_tag("t", w.add_int("int", 4));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
