// expect: btf_array_index_must_be_a_regular_int
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::array_index_type` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_array(w.add_int("char", 1), 4, w.add_int("unsigned int", 4));
#else
    w.add_array(w.add_int("char", 1), 4, w.add_float("float", 4));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
