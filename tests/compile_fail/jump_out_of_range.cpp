// expect: more than 32767 instructions away: use gotol\(label\) for long jumps
// expect: label_named<'f', 'a', 'r'>
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
constexpr auto padding = [] {
    std::array<bpfxx::insn, 32768> a{};
    for (auto& i : a) i = mov(r0, 0);
    return a;
}();
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto p = bpfxx::assemble(gotol("far"_label), padding, "far"_label, exit());
#else
constexpr auto p = bpfxx::assemble(ja("far"_label), padding, "far"_label, exit());
#endif
int main() { return p[0].code == 0x05 ? 0 : 1; }
