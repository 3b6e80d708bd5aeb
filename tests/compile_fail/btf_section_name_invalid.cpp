// expect: btf_datasec_name_must_be_printable
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::section_name_invalid` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_datasec(".data", 4, {});
#else
    w.add_datasec(".da\nta", 4, {});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
