// expect: btf_member_must_start_on_a_byte
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::member_not_aligned` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_struct("s", 8, {{"a", w.add_array(w.add_int("char", 1), 2), 8}});
#else
    w.add_struct("s", 8, {{"a", w.add_array(w.add_int("char", 1), 2), 4}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
