// expect: btf_at_most_65535_members_values_or_params
// A BTF blob built during constant evaluation that breaks the kernel's rule
// `btf::rule::too_many_entries` does not compile; the diagnostic names the rule.
#include <bpfxx/btf/writer.hpp>

#include <cstdint>
#include <array>
#include <span>

// (zero-initialised: cheap for the compilers to hold, unlike 65536 constructed elements)
constexpr std::array<bpfxx::btf::param_spec, 65536> many{};

constexpr bool build() {
    bpfxx::btf::writer w;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    w.add_func_proto(0, std::span(many).first(1)); // one `...`
#else
    w.add_func_proto(0, std::span(many));
#endif
    w.validate();
    return w.byte_size() > 0;
}
static_assert(build());

int main() {}
