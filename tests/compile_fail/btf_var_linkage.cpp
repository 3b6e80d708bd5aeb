// expect: btf_var_linkage_must_be_static_or_global
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::var_linkage` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_var("v", w.add_int("int", 4), bpfxx::btf::var_linkage::static_);
#else
    w.add_var("v", w.add_int("int", 4), bpfxx::btf::var_linkage::extern_);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
