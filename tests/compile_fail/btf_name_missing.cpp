// expect: btf_this_kind_needs_a_name
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::name_missing` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_typedef("t", 0);
#else
    w.add_typedef("", 0);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
