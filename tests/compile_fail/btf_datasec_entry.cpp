// expect: btf_datasec_entry_must_be_a_var_of_its_size
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::datasec_entry` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_datasec(".data", 8, {{w.add_var("v", w.add_int("int", 4)), 0, 4}});
#else
    w.add_datasec(".data", 8, {{w.add_int("int", 4), 0, 4}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
