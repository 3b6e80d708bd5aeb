// expect: bpfxx: a label is defined twice in this program
// expect: label_named<'t', 'w', 'i', 'c', 'e'>
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto p = bpfxx::assemble("twice"_label, mov(r0, 0), "once"_label, exit());
#else
constexpr auto p = bpfxx::assemble("twice"_label, mov(r0, 0), "twice"_label, exit());
#endif
int main() { return static_cast<int>(p.size()) - 2; }
