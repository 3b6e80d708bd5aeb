// expect: btf_modifier_must_refer_to_a_sized_type_void_fwd_or_func_proto
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::modifier_target` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_const(w.add_func_proto(0, {}));
#else
    w.add_const(w.add_func("f", w.add_func_proto(0, {})));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
