// expect: bpfxx: a jump, call or ld_func names a label this program does not define
// expect: label_named<'m', 'i', 's', 's', 'i', 'n', 'g'>
#include <bpfxx/asm.hpp>
using namespace bpfxx::ops;
#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr auto p = bpfxx::assemble(jeq(r1, 0, "missing"_label), "missing"_label, exit());
#else
constexpr auto p = bpfxx::assemble(jeq(r1, 0, "missing"_label), "present"_label, exit());
#endif
int main() { return static_cast<int>(p.size()) - 2; }
