// expect: btf_union_members_must_be_at_offset_0
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::union_member_offset` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_union("u", 8, {{"a", w.add_int("int", 4), 0}});
#else
    w.add_union("u", 8, {{"a", w.add_int("int", 4), 32}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
