// expect: btf_struct_member_offsets_must_not_decrease
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::member_offset_decreasing` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    const auto i = w.add_int("int", 4); w.add_struct("s", 8, {{"a", i, 0}, {"b", i, 32}});
#else
    const auto i = w.add_int("int", 4); w.add_struct("s", 8, {{"a", i, 32}, {"b", i, 0}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
