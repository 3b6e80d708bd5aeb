// expect: context_field_not_readable_by_this_program_type
// Socket filters may not read __sk_buff's packet pointers (the kernel's rules, per program type).
#include <bpfxx/c.hpp>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::socket_skb skb) {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    return skb[&bpfxx::sk_buff::len];
#else
    return skb[&bpfxx::sk_buff::data];
#endif
});

int main() { return prog.size() > 0 ? 0 : 1; }
