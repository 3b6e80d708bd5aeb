#pragma once
// `probe::support`, a kernel's answer to "may this process use X here?", and
// the process-wide cache of such answers. The probes themselves live above
// the load and maps layers (bpfxx/probe/); the cache lives down here because
// lower layers read it too (`load` asks whether the kernel takes fd_array).
//
// `probe::seed` puts an answer into the cache before any probe runs, so a
// program — or a test — can see how bpfxx and its own code behave on a kernel
// that refuses something this one allows:
//
//     bpfxx::probe::seed(bpfxx::probe::feature::fd_array,
//                        bpfxx::probe::support::refused(EINVAL, "pretend: Linux 5.10"));
//     auto p = bpfxx::load<bpfxx::prog_type::xdp>(prog, map); // map fds patched into the instructions
//
// Answers that may change while the process runs (ENOMEM, EAGAIN, EINTR,
// EBUSY, EMFILE, ENFILE) are not cached; EPERM is, since a process rarely
// gains privileges.

#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/mutex.hpp>

#include <cerrno>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace bpfxx::probe {

/// A probe's answer. Converts to `bool` (supported or not).
struct support {
    bool supported = false;
    /// errno of the kernel call that said no; 0 when supported.
    int errnum = 0;
    /// Why not, in the kernel's words where it gave some; empty when supported.
    std::string reason;
    /// The answer is inferred rather than shown (each probe says when).
    bool approximate = false;

    [[nodiscard]] explicit operator bool() const noexcept { return supported; }

    [[nodiscard]] static support yes(bool approximate = false) { return {true, 0, {}, approximate}; }
    [[nodiscard]] static support refused(int errnum, std::string_view reason, bool approximate = false) {
        return {false, errnum, std::string(reason), approximate};
    }
};

/// Load-time and link features of the kernel that bpfxx relies on or offers,
/// beyond program types, map types, helpers and attach kinds.
enum class feature : std::uint8_t {
    bpf_syscall,     ///< bpf() works for this process at all (a one-entry array map)
    test_run,        ///< BPF_PROG_TEST_RUN (of a socket filter)
    fd_array,        ///< map references by fd_array index (BPF_PSEUDO_MAP_IDX, Linux 5.14)
    log_true_size,   ///< the kernel reports the whole verifier log's size (Linux 6.4)
    btf_load,        ///< BPF_BTF_LOAD of a minimal BTF
    link_cgroup,     ///< BPF links for cgroup programs (Linux 5.7)
    link_xdp,        ///< BPF links for XDP (Linux 5.9)
    link_perf_event, ///< BPF links for perf events: tracepoints, kprobes, uprobes (Linux 5.15)
    link_tcx,        ///< tcx links (Linux 6.6)
};
inline constexpr std::size_t feature_count = static_cast<std::size_t>(feature::link_tcx) + 1;

[[nodiscard]] constexpr std::string_view to_string(feature f) noexcept {
    constexpr std::string_view names[] = {"bpf_syscall", "test_run",  "fd_array",        "log_true_size", "btf_load",
                                          "link_cgroup", "link_xdp", "link_perf_event", "link_tcx"};
    static_assert(std::size(names) == feature_count);
    const auto i = static_cast<std::size_t>(f);
    return i < feature_count ? names[i] : std::string_view{};
}

} // namespace bpfxx::probe

namespace bpfxx::detail::probing {

/// What a cached answer is about.
enum class kind : std::uint8_t { prog_type, map_type, helper, feature, attach_kind };

struct key {
    kind what;
    std::uint32_t a;
    std::int64_t b = 0;
    friend constexpr auto operator<=>(const key&, const key&) = default;
};

/// The process-wide answers, sorted by key (a few hundred at most).
class cache {
public:
    static cache& instance() {
        static cache c;
        return c;
    }
    [[nodiscard]] bool find(const key& k, probe::support& out) {
        const sys::lock g(lock_);
        const auto* it = position(k);
        if (it == answers_.end() || it->about != k) return false;
        out = it->support;
        return true;
    }
    /// Keeps the first answer for `k` unless `replace`.
    void store(const key& k, const probe::support& s, bool replace) {
        const sys::lock g(lock_);
        auto* it = position(k);
        if (it != answers_.end() && it->about == k) {
            if (replace) it->support = s;
            return;
        }
        answers_.insert(it, {k, s});
    }
    void clear() {
        const sys::lock g(lock_);
        answers_.clear();
    }

private:
    struct answer {
        key about{};
        probe::support support;
    };
    /// The first answer whose key is not below k.
    answer* position(const key& k) noexcept {
        return bpfxx::detail::lower_bound(answers_.begin(), answers_.end(), k,
                                          [](const answer& a, const key& x) { return a.about < x; });
    }
    sys::mutex lock_;
    bpfxx::detail::buffer<answer> answers_;
};

[[nodiscard]] inline bool transient(int errnum) noexcept {
    return errnum == ENOMEM || errnum == EAGAIN || errnum == EINTR || errnum == EBUSY || errnum == EMFILE ||
           errnum == ENFILE;
}

/// The cached answer for `k`, computing it with `compute()` the first time.
/// Two threads asking at once may both probe; both get the same answer.
template <class F>
[[nodiscard]] probe::support cached(const key& k, F&& compute) {
    probe::support s;
    if (cache::instance().find(k, s)) return s;
    s = compute();
    if (!transient(s.errnum)) cache::instance().store(k, s, false);
    return s;
}

/// "EPERM (Operation not permitted)": an errno as the probes report it.
[[nodiscard]] inline std::string answer_text(int errnum) {
    return errno_name(errnum) + " (" + errno_text(errnum) + ")";
}

} // namespace bpfxx::detail::probing

namespace bpfxx::probe {

/// Answers every later question about `f` with `s`, without asking the kernel.
inline void seed(feature f, const support& s) {
    detail::probing::cache::instance().store({detail::probing::kind::feature, static_cast<std::uint32_t>(f)}, s, true);
}

/// Forgets every answer, seeded or probed: the next questions ask the kernel again.
inline void forget_all() { detail::probing::cache::instance().clear(); }

} // namespace bpfxx::probe
