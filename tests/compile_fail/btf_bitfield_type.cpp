// expect: btf_only_int_and_enum_members_can_be_bitfields
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::bitfield_type` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_struct("s", 8, {{"a", w.add_int("int", 4), 0, 3}});
#else
    w.add_struct("s", 8, {{"a", w.add_ptr(0), 0, 3}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
