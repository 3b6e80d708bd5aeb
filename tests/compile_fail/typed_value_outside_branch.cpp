// expect: value_used_outside_the_branch_that_computed_it
// A value computed in a branch does not exist on the path that skipped it.
#include <bpfxx/c.hpp>

#include <optional>

namespace c = bpfxx::c;

constexpr auto prog = c::compile([](c::pt_regs ctx) {
    c::u64 out{ctx, 0};
    std::optional<c::val<std::uint64_t>> inside;
    c::if_(ctx.arg<0>() > 1, [&] {
        inside.emplace(ctx.ktime_get_ns());
#ifdef BPFXX_COMPILE_FAIL_CONTROL
        out = *inside;
#endif
    });
#ifndef BPFXX_COMPILE_FAIL_CONTROL
    out = *inside;
#endif
    return out;
});

int main() { return prog.size() > 0 ? 0 : 1; }
