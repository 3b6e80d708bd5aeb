#pragma once
// Feature probes: does the running kernel support program type X, map type
// Y, helper Z in programs of type X? Each answer comes from the smallest real
// kernel call that can give it, is cached for the life of the process
// (thread-safe), and says why when the answer is no:
//
//     if (auto s = bpfxx::probe::map_type_supported(bpfxx::map_type::arena); !s)
//         std::println("no arena maps: {} ({})", s.reason, std::strerror(s.errnum));
//
// How each is found, and where the answer is approximate (`support::approximate`):
// - Program types: a two-instruction program (`r0 = 0; exit`) is loaded, with
//   the attach type or flag the type needs (cgroup_sock_addr: inet4_connect,
//   cgroup_sockopt: getsockopt, sk_lookup, netfilter; syscall: sleepable).
//   tracing, lsm, ext and struct_ops programs cannot load without a BTF
//   target; for them "supported" means the kernel got as far as asking for
//   the target, which is approximate (the target may still be refused).
// - Map types: a map of the type is created with parameters it accepts (one
//   entry; a page for ring buffers; an inner array for maps of maps; a
//   one-type BTF for local-storage maps). struct_ops maps need a kernel
//   struct_ops type: "supported" means the kernel looked the type up
//   (approximate).
// - Helpers: a program of the type calling the helper is loaded, and the
//   verifier's words decide: "invalid func", "unknown func" or "program of this
//   type cannot use helper" mean no; any other rejection (of the call's
//   arguments, which the probe does not set up) means the helper is there.
//   Helpers that depend on the attach type, on sleepability or on the
//   caller's capabilities are answered for the probe's own setup.
// Values the SDK does not know (from a newer kernel) are tried with plain
// parameters; their answers are approximate. Answers that may change while
// the process runs (ENOMEM, EAGAIN, EINTR, EBUSY, EMFILE, ENFILE) are not
// cached; EPERM is, since a process rarely gains privileges.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <compare>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace bpfxx {

namespace probe {

/// A probe's answer. Converts to `bool` (supported or not).
struct support {
    bool supported = false;
    /// errno of the kernel call that said no (EINVAL: the kernel does not know
    /// the type or it is not built in; EPERM: not allowed to this process …); 0 when supported.
    int errnum = 0;
    /// Why not, in the kernel's words where it gave some; empty when supported.
    std::string reason;
    /// The answer is inferred rather than shown (see the top of sys/probe.hpp).
    bool approximate = false;

    [[nodiscard]] explicit operator bool() const noexcept { return supported; }
};

} // namespace probe

namespace detail::probing {

inline constexpr int enotsupp = 524; // the kernel's internal ENOTSUPP, which reaches user space
inline constexpr std::uint32_t f_no_prealloc = 1u << 0;
inline constexpr std::uint32_t f_sleepable = 1u << 4;
inline constexpr std::uint32_t f_mmapable = 1u << 10;

enum class kind : int { prog_type, map_type, helper };

struct key {
    kind what;
    std::uint32_t a;
    std::int64_t b;
    friend constexpr auto operator<=>(const key&, const key&) = default;
};

/// The process-wide cache of answers.
struct cache {
    std::mutex lock;
    std::map<key, probe::support> answers;

    static cache& instance() {
        static cache c;
        return c;
    }
};

[[nodiscard]] inline bool transient(int errnum) noexcept {
    return errnum == ENOMEM || errnum == EAGAIN || errnum == EINTR || errnum == EBUSY || errnum == EMFILE ||
           errnum == ENFILE;
}

/// The cached answer for `k`, computing it with `compute()` the first time.
/// Two threads asking at once may both probe; both get the same answer.
template <class F>
[[nodiscard]] probe::support cached(key k, F&& compute) {
    auto& c = cache::instance();
    {
        std::lock_guard g(c.lock);
        if (const auto it = c.answers.find(k); it != c.answers.end()) return it->second;
    }
    probe::support s = compute();
    if (!transient(s.errnum)) {
        std::lock_guard g(c.lock);
        c.answers.emplace(k, s);
    }
    return s;
}

[[nodiscard]] inline probe::support yes(bool approximate = false) { return {true, 0, {}, approximate}; }
[[nodiscard]] inline probe::support no(int errnum, std::string reason, bool approximate = false) {
    return {false, errnum, std::move(reason), approximate};
}

[[nodiscard]] inline std::string errno_text(int errnum) {
    if (errnum == enotsupp) return "ENOTSUPP (524)";
    return std::strerror(errnum);
}

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
    std::uint32_t prog_flags = 0;
    bool needs_target = false; ///< cannot load without a BTF target
};

[[nodiscard]] constexpr prog_setup setup_for(prog_type t) noexcept {
    switch (t) {
    case prog_type::cgroup_sock_addr: return {attach_type::cgroup_inet4_connect};
    case prog_type::cgroup_sockopt: return {attach_type::cgroup_getsockopt};
    case prog_type::sk_lookup: return {attach_type::sk_lookup};
    case prog_type::netfilter: return {attach_type::netfilter};
    case prog_type::syscall: return {static_cast<attach_type>(0), f_sleepable};
    case prog_type::tracing: return {attach_type::trace_fentry, 0, true};
    case prog_type::lsm: return {attach_type::lsm_mac, 0, true};
    case prog_type::ext:
    case prog_type::struct_ops: return {static_cast<attach_type>(0), 0, true};
    default: return {};
    }
}

struct load_attempt {
    bool loaded = false;
    int errnum = 0;
    std::string log;
};

/// Loads `insns` as a program of type `t` with a small log, and closes it.
[[nodiscard]] inline load_attempt try_load(prog_type t, const insn* insns, std::uint32_t count) {
    const prog_setup setup = setup_for(t);
    load_attempt a;
    // Probe logs are a few lines; a short buffer keeps the log's tail, where the verdict is.
    a.log.assign(4096, '\0');
    sys::prog_load_attr attr{};
    attr.prog_type = static_cast<std::uint32_t>(t);
    attr.insn_cnt = count;
    attr.insns = sys::ptr(insns);
    attr.license = sys::ptr("GPL");
    attr.log_level = 1;
    attr.log_size = static_cast<std::uint32_t>(a.log.size());
    attr.log_buf = sys::ptr(a.log.data());
    attr.kern_version = kernel_version_code();
    attr.prog_flags = setup.prog_flags;
    attr.expected_attach_type = static_cast<std::uint32_t>(setup.expected_attach_type);
    const long fd = sys::call(sys::cmd::prog_load, attr);
    a.errnum = fd < 0 ? errno : 0;
    unique_fd owned(static_cast<int>(fd));
    a.loaded = fd >= 0;
    if (const auto end = a.log.find('\0'); end != std::string::npos) a.log.resize(end);
    return a;
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

[[nodiscard]] inline probe::support probe_prog_type(prog_type t) {
    const insn prog[] = {make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)}; // r0 = 0; exit
    const auto a = try_load(t, prog, 2);
    if (a.loaded) return yes();
    const bool known = to_string(t).size() != 0;
    if (setup_for(t).needs_target && (a.errnum == enotsupp || a.log.find("btf_id") != std::string::npos ||
                                      a.log.find("attach") != std::string::npos))
        return yes(true);
    std::string reason = first_words(a.log);
    if (reason.empty()) {
        reason = errno_text(a.errnum);
        if (a.errnum == EINVAL) reason += ": the kernel does not know this program type, or it is not built in";
        if (a.errnum == EPERM) reason += ": not allowed to this process (capabilities, lockdown or an LSM)";
    }
    return no(a.errnum, std::move(reason), !known);
}

/// A BTF with one type, `int` (id 1): what local-storage maps need as key
/// and value types.
[[nodiscard]] inline unique_fd int_btf(int& errnum) {
    std::array<unsigned char, 24 + 16 + 5> blob{};
    const auto put16 = [&](std::size_t at, std::uint16_t v) { std::memcpy(blob.data() + at, &v, 2); };
    const auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(blob.data() + at, &v, 4); };
    put16(0, 0xeb9f); // magic, in the host's byte order as the kernel reads it
    blob[2] = 1;      // version
    put32(4, 24);     // hdr_len
    put32(8, 0);      // type_off
    put32(12, 16);    // type_len
    put32(16, 16);    // str_off
    put32(20, 5);     // str_len
    put32(24, 1);                 // name_off: "int"
    put32(28, 1u << 24);          // info: BTF_KIND_INT
    put32(32, 4);                 // size
    put32(36, (1u << 24) | 32u);  // BTF_INT_SIGNED, 32 bits
    std::memcpy(blob.data() + 40 + 1, "int", 3); // strings: "\0int\0"
    sys::btf_load_attr attr{};
    attr.btf = sys::ptr(blob.data());
    attr.btf_size = static_cast<std::uint32_t>(blob.size());
    const long fd = sys::call(sys::cmd::btf_load, attr);
    errnum = fd < 0 ? errno : 0;
    return unique_fd(static_cast<int>(fd));
}

[[nodiscard]] inline probe::support probe_map_type(map_type t) {
    sys::map_create_attr attr{};
    attr.map_type = static_cast<std::uint32_t>(t);
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    unique_fd inner, btf;
    bool approximate = static_cast<std::uint32_t>(t) > static_cast<std::uint32_t>(map_type::arena);
    switch (t) {
    case map_type::stack_trace: attr.value_size = 8; break;
    case map_type::lpm_trie:
        attr.key_size = 8; // prefix length + 4 bytes of data
        attr.map_flags = f_no_prealloc;
        break;
    case map_type::array_of_maps:
    case map_type::hash_of_maps: {
        sys::map_create_attr in{};
        in.map_type = static_cast<std::uint32_t>(map_type::array);
        in.key_size = 4;
        in.value_size = 4;
        in.max_entries = 1;
        inner = unique_fd(static_cast<int>(sys::call(sys::cmd::map_create, in)));
        if (!inner) return no(errno, "could not create the inner array map: " + errno_text(errno));
        attr.inner_map_fd = static_cast<std::uint32_t>(inner.get());
        break;
    }
    case map_type::cgroup_storage:
    case map_type::percpu_cgroup_storage:
        attr.key_size = 8; // the cgroup's inode id
        attr.value_size = 8;
        attr.max_entries = 0;
        break;
    case map_type::queue:
    case map_type::stack:
    case map_type::bloom_filter: attr.key_size = 0; break;
    case map_type::sk_storage:
    case map_type::inode_storage:
    case map_type::task_storage:
    case map_type::cgrp_storage: {
        int err = 0;
        btf = int_btf(err);
        if (!btf) return no(err, "local-storage maps need BTF, and loading BTF failed: " + errno_text(err), true);
        attr.max_entries = 0;
        attr.map_flags = f_no_prealloc;
        attr.btf_fd = static_cast<std::uint32_t>(btf.get());
        attr.btf_key_type_id = 1;
        attr.btf_value_type_id = 1;
        break;
    }
    case map_type::struct_ops:
        // No real struct_ops type: a known map type answers ENOTSUPP when
        // it cannot find this one.
        attr.btf_vmlinux_value_type_id = 0x7fffffff;
        approximate = true;
        break;
    case map_type::ringbuf:
    case map_type::user_ringbuf:
        attr.key_size = 0;
        attr.value_size = 0;
        attr.max_entries = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
        break;
    case map_type::arena:
        attr.key_size = 0;
        attr.value_size = 0;
        attr.map_flags = f_mmapable;
        break;
    default: break;
    }
    const long fd = sys::call(sys::cmd::map_create, attr);
    const int errnum = fd < 0 ? errno : 0;
    unique_fd owned(static_cast<int>(fd));
    if (owned) return yes(approximate);
    if (t == map_type::struct_ops && errnum == enotsupp) return yes(true);
    std::string reason = errno_text(errnum);
    if (errnum == EINVAL) reason += ": the kernel does not know this map type, or it is not built in";
    if (errnum == EPERM) reason += ": not allowed to this process (capabilities, lockdown or an LSM)";
    return no(errnum, std::move(reason), approximate);
}

[[nodiscard]] inline probe::support probe_helper(prog_type t, helper h, const probe::support& type) {
    if (!type.supported)
        return no(type.errnum, "programs of type " + std::string(to_string(t)) + " cannot be loaded: " + type.reason,
                  type.approximate);
    if (setup_for(t).needs_target)
        return no(type.errnum, "cannot tell: programs of type " + std::string(to_string(t)) +
                                   " need a BTF target to load, which the probe does not have",
                  true);
    // call h; r0 = 0; exit
    const insn prog[] = {make_insn(0x85, 0, 0, 0, static_cast<std::int32_t>(h)), make_insn(0xb7, 0, 0, 0, 0),
                         make_insn(0x95, 0, 0, 0, 0)};
    const auto a = try_load(t, prog, 3);
    if (a.loaded) return yes();
    for (const std::string_view refusal : {"invalid func ", "unknown func ", "program of this type cannot use helper "})
        if (auto line = line_with(a.log, refusal); !line.empty()) return no(a.errnum, std::move(line));
    if (a.log.empty()) return no(a.errnum, errno_text(a.errnum) + " (the kernel gave no log)", true);
    const bool known = static_cast<std::uint32_t>(h) <= static_cast<std::uint32_t>(helper::cgrp_storage_delete);
    return yes(!known);
}

} // namespace detail::probing

namespace probe {

/// Whether programs of type `t` load on this kernel.
[[nodiscard]] inline support prog_type_supported(prog_type t) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::prog_type, static_cast<std::uint32_t>(t), 0}, [&] { return dp::probe_prog_type(t); });
}

/// Whether maps of type `t` can be created on this kernel.
[[nodiscard]] inline support map_type_supported(map_type t) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::map_type, static_cast<std::uint32_t>(t), 0}, [&] { return dp::probe_map_type(t); });
}

/// Whether programs of type `t` may call helper `h` on this kernel.
[[nodiscard]] inline support helper_supported(prog_type t, helper h) {
    namespace dp = detail::probing;
    const support type = prog_type_supported(t);
    return dp::cached({dp::kind::helper, static_cast<std::uint32_t>(t), static_cast<std::int64_t>(h)},
                      [&] { return dp::probe_helper(t, h, type); });
}

} // namespace probe
} // namespace bpfxx
