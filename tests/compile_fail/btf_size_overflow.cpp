// expect: btf_type_is_larger_than_4_gib
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::size_overflow` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_array(w.add_array(w.add_int("int", 4), 1u << 10), 1u << 10);
#else
    w.add_array(w.add_array(w.add_int("int", 4), 1u << 20), 1u << 20);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
