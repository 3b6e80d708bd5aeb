// expect: btf_type_chain_deeper_than_32
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::too_deep` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <vector>

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    std::uint32_t t = w.add_int("int", 4); for (int i = 0; i < 20; ++i) t = w.add_typedef(i % 2 ? "a" : "b", t); w.add_var("v", t);
#else
    std::uint32_t t = w.add_int("int", 4); for (int i = 0; i < 40; ++i) t = w.add_typedef(i % 2 ? "a" : "b", t); w.add_var("v", t);
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
