// expect: btf_bitfield_is_wider_than_its_type
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::bitfield_too_wide` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_struct("s", 8, {{"a", w.add_int("int", 4), 0, 32}});
#else
    w.add_struct("s", 8, {{"a", w.add_int("int", 4), 0, 33}});
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
