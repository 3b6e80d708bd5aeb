// expect: btf_func_linkage_must_be_static_or_global
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::func_linkage` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_func("f", w.add_func_proto(0, {}), bpfxx::btf::func_linkage::global);
#else
    w.add_func("f", w.add_func_proto(0, {}), bpfxx::btf::func_linkage::extern_);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
