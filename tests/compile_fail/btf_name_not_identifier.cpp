// expect: btf_name_is_not_a_c_identifier
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::name_not_identifier` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_typedef("two_words", 0);
#else
    w.add_typedef("two words", 0);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
