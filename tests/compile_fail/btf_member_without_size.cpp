// expect: btf_type_without_size_cannot_be_member_element_or_variable
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::member_without_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_struct("s", 8, {{"a", w.add_ptr(w.add_fwd("f")), 0}});
#else
    w.add_struct("s", 8, {{"a", w.add_fwd("f"), 0}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
