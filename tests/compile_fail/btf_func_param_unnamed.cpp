// expect: btf_func_params_need_names
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::func_param_unnamed` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_func("f", w.add_func_proto(0, {{"x", w.add_int("int", 4)}}));
#else
    w.add_func("f", w.add_func_proto(0, {{{}, w.add_int("int", 4)}}));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
