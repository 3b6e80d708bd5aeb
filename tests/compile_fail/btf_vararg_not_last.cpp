// expect: btf_only_the_last_param_may_be_vararg
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::vararg_not_last` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_func_proto(0, {{"x", w.add_int("int", 4)}, {{}, 0}});
#else
    w.add_func_proto(0, {{{}, 0}, {"x", w.add_int("int", 4)}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
