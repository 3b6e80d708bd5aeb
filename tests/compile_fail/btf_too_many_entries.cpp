// expect: btf_at_most_65535_members_values_or_params
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::too_many_entries` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    std::vector<bpfxx::btf::param_spec> p(3, {"x", w.add_int("char", 1)}); w.add_func_proto(0, p);
#else
    std::vector<bpfxx::btf::param_spec> p(65536, {"x", w.add_int("char", 1)}); w.add_func_proto(0, p);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
