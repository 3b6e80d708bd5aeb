// expect: btf_float_size_must_be_2_4_8_12_or_16
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::float_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_float("f", 8);
#else
    w.add_float("f", 6);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
