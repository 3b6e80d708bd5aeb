// expect: btf_int_encoding_is_one_of_signed_char_bool
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::int_encoding` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_int("int", 4, static_cast<bpfxx::btf::int_encoding>(1));
#else
    w.add_int("int", 4, static_cast<bpfxx::btf::int_encoding>(3));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
