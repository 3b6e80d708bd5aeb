// expect: btf_reserved_struct_never_defined
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::struct_undefined` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.define(w.reserve(bpfxx::btf::kind::struct_, "later"), 0, {});
#else
    w.reserve(bpfxx::btf::kind::struct_, "never");
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
