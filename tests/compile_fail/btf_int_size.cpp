// expect: btf_int_size_must_be_1_2_4_8_or_16
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::int_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_int("int", 4);
#else
    w.add_int("int", 3);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
