// expect: helper_argument_unset_at<12, 2, bpfxx::helper::map_update_elem>
// expect: bpfxx: static_check rejects this program: an argument register of a helper call is unset
// The mistake of issue 15: the key pointer in r2, then a helper call (which
// leaves r1..r5 unset), then map_update_elem, which reads r1..r4. The kernel
// refuses it at load ("R2 !read_ok"); bpfxx::checked refuses it at compile
// time, naming the slot (12), the register (r2) and the helper.
#include <bpfxx/asm.hpp>
#include <bpfxx/check.hpp>
#include <bpfxx/descriptors.hpp>

#include <cstdint>

using namespace bpfxx::ops;
using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256>;

#ifdef BPFXX_COMPILE_FAIL_CONTROL
constexpr bool key_set_after_the_call = true;
#else
constexpr bool key_set_after_the_call = false;
#endif

constexpr auto prog = bpfxx::assemble(st<std::uint32_t>(r10, -4, 0), st<std::uint64_t>(r10, -16, 1), mov(r2, r10),
                                      add(r2, -4), call(helper::ktime_get_ns),
                                      key_set_after_the_call ? mov(r2, r10) : mov(r0, 0),
                                      key_set_after_the_call ? add(r2, -4) : mov(r0, 0),
                                      ld_map<counters>(r1), mov(r3, r10), add(r3, -16), mov(r4, 0),
                                      call(helper::map_update_elem), mov(r0, 0), exit());

static_assert(bpfxx::checked<prog>);

int main() {}
