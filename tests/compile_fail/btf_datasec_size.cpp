// expect: btf_datasec_vars_must_lie_inside_in_order
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::datasec_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_datasec(".data", 4, {});
#else
    w.add_datasec(".data", 0, {});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
