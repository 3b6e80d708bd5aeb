// expect: btf_decl_tag_component_out_of_range
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::decl_tag_component` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_decl_tag("t", w.add_struct("s", 0, {}), -1);
#else
    w.add_decl_tag("t", w.add_struct("s", 0, {}), 0);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
