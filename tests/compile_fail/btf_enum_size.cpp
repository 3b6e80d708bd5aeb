// expect: btf_enum_size_must_be_1_2_4_or_8
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::enum_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_enum("e", 4, {{"a", 1}});
#else
    w.add_enum("e", 3, {{"a", 1}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
