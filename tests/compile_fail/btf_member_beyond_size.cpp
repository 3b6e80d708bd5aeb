// expect: btf_member_lies_beyond_the_struct_size
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::member_beyond_size` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_struct("s", 8, {{"a", w.add_int("int", 4), 8}});
#else
    w.add_struct("s", 4, {{"a", w.add_int("int", 4), 8}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
