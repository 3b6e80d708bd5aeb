// expect: btf_type_tags_must_precede_qualifiers_and_typedefs
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::type_tag_order` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_type_tag("user", w.add_const(w.add_int("int", 4)));
#else
    w.add_const(w.add_type_tag("user", w.add_int("int", 4)));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
