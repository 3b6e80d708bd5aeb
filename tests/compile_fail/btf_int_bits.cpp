// expect: btf_int_bits_must_be_1_to_128_and_fit_the_size
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::int_bits` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_int("int", 4, bpfxx::btf::int_encoding::none, 32);
#else
    w.add_int("int", 4, bpfxx::btf::int_encoding::none, 33);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
