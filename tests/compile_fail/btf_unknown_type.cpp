// expect: btf_type_id_refers_to_no_type
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::unknown_type` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_ptr(0);
#else
    w.add_ptr(7);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
