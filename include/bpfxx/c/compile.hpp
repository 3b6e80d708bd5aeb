#pragma once
// `c::compile(lambda)`: runs the program lambda against a builder during
// constant evaluation and lowers what it built into the same
// `program<N, type_list<Maps...>>` that `assemble` returns.
//
//     constexpr auto prog = c::compile([](c::xdp_md ctx, c::map<counters> counters) {
//         ...
//         return xdp::pass;
//     });
//
// The lambda's first parameter is the context (it says the program type),
// the others are its maps, in the order of the program's map list. It
// captures nothing (constants at namespace scope need no capture). The
// compilation runs twice: once to learn the program's length, once to fill
// the instructions in.

#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/c/context.hpp>
#include <bpfxx/c/control.hpp>
#include <bpfxx/c/ir.hpp>
#include <bpfxx/c/lower.hpp>
#include <bpfxx/c/maps.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace bpfxx::c {
namespace detail {

template <class T> struct map_descriptor_of;
template <class M> struct map_descriptor_of<map<M>> {
    using type = M;
};

template <class Member> struct lambda_signature {
    static_assert(always_false<Member>, "bpfxx: a program is a lambda with typed parameters: "
                                        "(c::xdp_md ctx, c::map<M> m, ...) — not auto");
};
template <class F, class R, class Ctx, class... Maps>
struct lambda_signature<R (F::*)(Ctx, Maps...) const> {
    using context = std::remove_cvref_t<Ctx>;
    using map_params = type_list<std::remove_cvref_t<Maps>...>;
    using maps = type_list<typename map_descriptor_of<std::remove_cvref_t<Maps>>::type...>;
    static constexpr std::size_t map_count = sizeof...(Maps);
    static_assert(is_context<context>, "bpfxx: the first parameter of a program is its context (c::xdp_md, "
                                       "c::sk_buff<…>, c::tracepoint<R>, c::pt_regs)");
};

template <class F>
using signature_of_program = lambda_signature<decltype(&F::operator())>;

/// Builds and lowers program F: its instructions.
template <class F>
[[nodiscard]] constexpr buffer<insn> instructions() {
    using S = signature_of_program<F>;
    builder b;
    b.context_access = S::context::access;
    typename S::context ctx(&b);
    // maps in parameter order: each gets its index in the program's map list
    [&]<class... M, std::size_t... I>(type_list<M...>, std::index_sequence<I...>) {
        run_body(b, F{}, ctx, M(&b, static_cast<std::int32_t>(I))...);
    }(typename S::map_params{}, std::make_index_sequence<S::map_count>{});
    b.ret(imm_op(0)); // a program that falls off its end returns 0 (no-op when it returned)
    return lower(b);
}

} // namespace detail

/// The program `f` (a captureless lambda taking its context and maps) as a
/// `program<N, type_list<Maps...>>`, compiled during constant evaluation.
template <class F>
[[nodiscard]] constexpr auto compile(F) {
    static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                  "bpfxx: a program lambda captures nothing (constants at namespace scope need no capture)");
    using S = detail::signature_of_program<F>;
    constexpr std::size_t n = detail::instructions<F>().size();
    program<n, typename S::maps> p;
    const auto code = detail::instructions<F>();
    for (std::size_t i = 0; i < n; ++i) p.insns[i] = code[i];
    return p;
}

} // namespace bpfxx::c
