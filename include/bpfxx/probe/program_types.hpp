#pragma once
// Does the running kernel load programs of type X, and may they call helper
// Z? Each answer comes from the smallest real load that can give it, through
// the same BPF_PROG_LOAD path `load` uses, is cached for the life of the
// process (thread-safe), and says why when it is no — in the kernel's words:
//
//     if (auto s = bpfxx::probe::helper_supported(bpfxx::prog_type::xdp, bpfxx::helper::xdp_adjust_meta); !s)
//         std::printf("no adjust_meta: %s\n", s.reason.c_str());
//
// - Program types: `r0 = 0; exit` is loaded, with the attach type or flag the
//   type needs (cgroup_sock_addr: inet4_connect, cgroup_sockopt: getsockopt,
//   sk_lookup, netfilter; syscall: sleepable). tracing, lsm, ext and
//   struct_ops programs cannot load without a BTF target; for them
//   "supported" means the kernel got as far as asking for the target, which
//   is approximate (`support::approximate`).
// - Helpers: a program of the type calling the helper is loaded, and the
//   verifier's words decide: "invalid func", "unknown func" or "program of
//   this type cannot use helper" mean no; any other rejection (of the call's
//   arguments, which the probe does not set up) means the helper is there.
//   Helpers that depend on the attach type, on sleepability or on the
//   caller's capabilities are answered for the probe's own setup.
// Values the SDK does not know (from a newer kernel) are tried with plain
// parameters; their answers are approximate.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/attempt.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/probe_cache.hpp>

#include <sys/utsname.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bpfxx {

namespace detail::probing {

/// The running kernel's version as LINUX_VERSION_CODE, for kernels before 5.0
/// that check it on kprobe programs.
[[nodiscard]] inline std::uint32_t kernel_version_code() noexcept {
    utsname u{};
    if (::uname(&u) != 0) return 0;
    unsigned a = 0, b = 0, c = 0;
    if (std::sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2) return 0;
    return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

/// What a program type needs to load at all.
struct prog_setup {
    attach_type expected_attach_type = static_cast<attach_type>(0);
    std::uint32_t flags = 0;
    bool needs_target = false; ///< cannot load without a BTF target
};

[[nodiscard]] constexpr prog_setup setup_for(prog_type t) noexcept {
    switch (t) {
    case prog_type::cgroup_sock_addr: return {attach_type::cgroup_inet4_connect};
    case prog_type::cgroup_sockopt: return {attach_type::cgroup_getsockopt};
    case prog_type::sk_lookup: return {attach_type::sk_lookup};
    case prog_type::netfilter: return {attach_type::netfilter};
    case prog_type::syscall: return {static_cast<attach_type>(0), prog_flags::sleepable};
    case prog_type::tracing: return {attach_type::trace_fentry, 0, true};
    case prog_type::lsm: return {attach_type::lsm_mac, 0, true};
    case prog_type::ext:
    case prog_type::struct_ops: return {static_cast<attach_type>(0), 0, true};
    default: return {};
    }
}

/// Loads `insns` as a program of type `t`, set up as the type needs, with a
/// small log (probe logs are a few lines: the tail, where the verdict is, fits).
[[nodiscard]] inline loading::attempt_result try_load(prog_type t, const insn* insns, std::uint32_t count) {
    const prog_setup setup = setup_for(t);
    sys::prog_load_attr attr{};
    attr.prog_type = static_cast<std::uint32_t>(t);
    attr.insn_cnt = count;
    attr.insns = sys::ptr(insns);
    attr.license = sys::ptr("GPL");
    attr.kern_version = kernel_version_code();
    attr.prog_flags = setup.flags;
    attr.expected_attach_type = static_cast<std::uint32_t>(setup.expected_attach_type);
    return loading::attempt(attr, 1, 4096);
}

/// The first line of `log` containing `what`, or empty.
[[nodiscard]] inline std::string line_with(std::string_view log, std::string_view what) {
    const auto at = log.find(what);
    if (at == std::string_view::npos) return {};
    const auto begin = log.rfind('\n', at);
    const auto start = begin == std::string_view::npos ? 0 : begin + 1;
    const auto end = log.find('\n', at);
    return std::string(log.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

/// The verifier's first words in `log` that are not its statistics.
[[nodiscard]] inline std::string first_words(std::string_view log) {
    while (!log.empty()) {
        const auto nl = log.find('\n');
        const auto line = log.substr(0, nl);
        if (!line.empty() && !line.starts_with("processed ") && !(line[0] >= '0' && line[0] <= '9'))
            return std::string(line);
        if (nl == std::string_view::npos) break;
        log.remove_prefix(nl + 1);
    }
    return {};
}

/// The kernel's answer to a load: its errno and the verifier's words, or
/// that it gave none (no guess at why: EPERM may be capabilities, lockdown,
/// an LSM or a sysctl, and the kernel does not say which).
[[nodiscard]] inline std::string refusal_text(const loading::attempt_result& a) {
    std::string reason = answer_text(a.errnum);
    if (const auto words = first_words(a.log); !words.empty()) return reason + ": " + words;
    return reason + ", with an empty verifier log";
}

[[nodiscard]] inline probe::support probe_prog_type(prog_type t) {
    const insn prog[] = {make_insn(code::alu64 | code::mov | code::k, 0, 0, 0, 0),
                         make_insn(code::jmp | code::exit, 0, 0, 0, 0)}; // r0 = 0; exit
    const auto a = try_load(t, prog, 2);
    if (a.fd) return probe::support::yes();
    const bool known = to_string(t).size() != 0;
    if (setup_for(t).needs_target && (a.errnum == enotsupp || a.log.find("btf_id") != std::string::npos ||
                                      a.log.find("attach") != std::string::npos))
        return probe::support::yes(true);
    return probe::support::refused(a.errnum, refusal_text(a), !known);
}

[[nodiscard]] inline probe::support probe_helper(prog_type t, helper h, const probe::support& type) {
    if (!type.supported)
        return probe::support::refused(
            type.errnum, "programs of type " + std::string(to_string(t)) + " cannot be loaded: " + type.reason,
            type.approximate);
    if (setup_for(t).needs_target)
        return probe::support::refused(type.errnum,
                                       "cannot tell: programs of type " + std::string(to_string(t)) +
                                           " need a BTF target to load, which the probe does not have",
                                       true);
    // call h; r0 = 0; exit
    const insn prog[] = {make_insn(code::jmp | code::call, 0, 0, 0, static_cast<std::int32_t>(h)),
                         make_insn(code::alu64 | code::mov | code::k, 0, 0, 0, 0),
                         make_insn(code::jmp | code::exit, 0, 0, 0, 0)};
    const auto a = try_load(t, prog, 3);
    if (a.fd) return probe::support::yes();
    for (const std::string_view refusal : {"invalid func ", "unknown func ", "program of this type cannot use helper "})
        if (auto line = line_with(a.log, refusal); !line.empty())
            return probe::support::refused(a.errnum, answer_text(a.errnum) + ": " + line);
    if (a.log.empty()) return probe::support::refused(a.errnum, refusal_text(a), true);
    const bool known = static_cast<std::uint32_t>(h) <= static_cast<std::uint32_t>(helper::cgrp_storage_delete);
    return probe::support::yes(!known);
}

} // namespace detail::probing

namespace probe {

/// Whether programs of type `t` load on this kernel.
[[nodiscard]] inline support prog_type_supported(prog_type t) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::prog_type, static_cast<std::uint32_t>(t)}, [&] { return dp::probe_prog_type(t); });
}

/// Whether programs of type `t` may call helper `h` on this kernel.
[[nodiscard]] inline support helper_supported(prog_type t, helper h) {
    namespace dp = detail::probing;
    const support type = prog_type_supported(t);
    return dp::cached({dp::kind::helper, static_cast<std::uint32_t>(t), static_cast<std::int64_t>(h)},
                      [&] { return dp::probe_helper(t, h, type); });
}

/// Answers every later question about program type `t` with `s`.
inline void seed(prog_type t, const support& s) {
    namespace dp = detail::probing;
    dp::cache::instance().store({dp::kind::prog_type, static_cast<std::uint32_t>(t)}, s, true);
}

/// Answers every later question about helper `h` in programs of type `t` with `s`.
inline void seed(prog_type t, helper h, const support& s) {
    namespace dp = detail::probing;
    dp::cache::instance().store({dp::kind::helper, static_cast<std::uint32_t>(t), static_cast<std::int64_t>(h)}, s,
                                true);
}

} // namespace probe
} // namespace bpfxx
