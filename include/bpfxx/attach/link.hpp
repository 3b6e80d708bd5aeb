#pragma once
// `bpfxx::link`: a program attached somewhere, undone when the object goes.
// Most attach points give a kernel BPF link (an fd: BPF_LINK_CREATE,
// BPF_RAW_TRACEPOINT_OPEN); closing its last fd detaches, a pin on bpffs
// keeps it. Older attach paths (netlink XDP, perf event ioctls) have no
// kernel object: the link then remembers how to undo the attachment itself,
// and cannot be pinned. Either way it says what it is attached to.
//
//     auto l = bpfxx::attach_xdp(prog, "eth0");
//     std::puts(l.target().c_str());            // "xdp on eth0 (ifindex 2)"
//     l.update(new_prog);                        // atomic replacement (BPF_LINK_UPDATE)

#include <bpfxx/load/prog.hpp>
#include <bpfxx/probe/features.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/callback.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace bpfxx {

/// Kinds of kernel BPF links (enum bpf_link_type of Linux 6.18).
enum class link_type : std::uint32_t {
    unspec = 0,
    raw_tracepoint = 1,
    tracing = 2,
    cgroup = 3,
    iter = 4,
    netns = 5,
    xdp = 6,
    perf_event = 7,
    kprobe_multi = 8,
    struct_ops = 9,
    netfilter = 10,
    tcx = 11,
    uprobe_multi = 12,
    netkit = 13,
    sockmap = 14,
};

/// Which way an attach function attaches, where there is more than one.
enum class attach_path : std::uint8_t {
    automatic, ///< a kernel link; the older path when this kernel has no link for the kind
    link,      ///< a kernel link only
    legacy,    ///< the pre-link path only (netlink for XDP, ioctl for perf events)
};

/// What the kernel says about a link (BPF_OBJ_GET_INFO_BY_FD).
struct link_info {
    std::uint32_t id = 0;
    link_type type = link_type::unspec;
    std::uint32_t prog_id = 0;
    /// xdp and tcx links: the interface (0 once the interface is gone).
    std::uint32_t ifindex = 0;
    /// tcx links: BPF_TCX_INGRESS or BPF_TCX_EGRESS.
    std::uint32_t attach_type = 0;
};

class link {
public:
    link() noexcept = default;
    /// A kernel link; `keep` is an fd the attachment depends on (the perf
    /// event of a tracepoint or probe), closed after the link.
    link(unique_fd fd, std::string target, unique_fd keep = {}) noexcept
        : fd_(std::move(fd)), keep_(std::move(keep)), target_(std::move(target)) {}
    /// An attachment with no kernel link: `undo` detaches it (and must not throw).
    link(callback<void()> undo, std::string target, unique_fd keep = {}) noexcept
        : keep_(std::move(keep)), undo_(std::move(undo)), target_(std::move(target)) {}

    link(link&& o) noexcept = default;
    link& operator=(link&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::move(o.fd_);
            keep_ = std::move(o.keep_);
            undo_ = std::exchange(o.undo_, nullptr);
            target_ = std::move(o.target_);
        }
        return *this;
    }
    link(const link&) = delete;
    link& operator=(const link&) = delete;
    ~link() { reset(); }

    /// Attached (and not yet detached or released).
    [[nodiscard]] explicit operator bool() const noexcept { return fd_ || undo_ || keep_; }
    /// The kernel link's fd; -1 for attachments without one.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    /// Whether this is a kernel BPF link (pinnable, updatable, with info()).
    [[nodiscard]] bool is_kernel_link() const noexcept { return static_cast<bool>(fd_); }
    /// What the program is attached to, for people: "xdp on lo (ifindex 1)".
    [[nodiscard]] const std::string& target() const noexcept { return target_; }

    /// Detaches now. For a kernel link this is BPF_LINK_DETACH, which ends
    /// the attachment even if the link is pinned or has other fds; a kernel
    /// without it (before 5.9) gets the fd closed instead.
    void detach() {
        if (fd_) {
            sys::link_detach_attr a{};
            a.link_fd = static_cast<std::uint32_t>(fd_.get());
            if (sys::call(sys::cmd::link_detach, a) < 0 && errno != EINVAL && errno != EOPNOTSUPP)
                detail::throw_errno("BPF_LINK_DETACH", target_);
        }
        reset();
    }

    /// Replaces the program, atomically (BPF_LINK_UPDATE). With `expected`,
    /// only when that program is the one attached (else EPERM).
    void update(const prog& p, const prog* expected = nullptr) {
        require_kernel_link("BPF_LINK_UPDATE");
        sys::link_update_attr a{};
        a.link_fd = static_cast<std::uint32_t>(fd_.get());
        a.new_prog_fd = static_cast<std::uint32_t>(p.fd());
        if (expected != nullptr) {
            a.flags = 1u << 2; // BPF_F_REPLACE
            a.old_prog_fd = static_cast<std::uint32_t>(expected->fd());
        }
        sys::call_ok(sys::cmd::link_update, a, "BPF_LINK_UPDATE", target_);
    }

    /// Pins the link at a bpffs path: the attachment then outlives this
    /// process, until the pin is removed (or detach()).
    void pin(const std::string& path) const {
        require_kernel_link("pin");
        sys::pin(fd_.get(), path);
    }

    /// The kernel's description of the link.
    [[nodiscard]] link_info info() const {
        require_kernel_link("BPF_OBJ_GET_INFO_BY_FD");
        const auto raw = sys::info_of<sys::link_info>(fd_.get(), "BPF_OBJ_GET_INFO_BY_FD", target_);
        link_info i;
        i.id = raw.id;
        i.type = static_cast<link_type>(raw.type);
        i.prog_id = raw.prog_id;
        if (i.type == link_type::xdp || i.type == link_type::tcx) i.ifindex = raw.u.words[0];
        if (i.type == link_type::tcx) i.attach_type = raw.u.words[1];
        return i;
    }

    /// Opens a pinned link (it stays attached; this handle's destruction
    /// only closes the fd unless detach() is called). Another kind of object
    /// pinned there (a program, a map) is refused with EINVAL: "not a BPF link".
    [[nodiscard]] static link open_pinned(const std::string& path) {
        auto fd = sys::get_pinned(path);
        sys::require_kind(fd.get(), sys::object_kind::link, "open_pinned", path);
        return link(std::move(fd), "pinned link " + path);
    }

    /// Gives up the kernel link's fd without detaching (the caller owns it;
    /// a kernel link stays attached while the fd or a pin lives). Throws for
    /// attachments without a kernel link, which have nothing to hand over.
    [[nodiscard]] unique_fd release() {
        require_kernel_link("release");
        keep_.reset();
        return std::move(fd_);
    }

private:
    void require_kernel_link(const char* op) const {
        if (!*this) throw error(EBADF, op, target_, "the link handle is empty (default-constructed, moved from or detached)");
        if (!fd_)
            throw error(EOPNOTSUPP, op, target_,
                        "this attachment is not a kernel BPF link (it was made by an older attach path)");
    }

    void reset() noexcept {
        fd_.reset();
        if (undo_) std::exchange(undo_, nullptr)();
        keep_.reset();
    }

    unique_fd fd_;
    unique_fd keep_;
    callback<void()> undo_;
    std::string target_;
};

namespace detail::links {

/// Refuses, before the kernel is asked, an empty handle (EBADF) and a
/// program of none of `types` (EINVAL, naming both types). A program of
/// unknown type (opened by id or from a pin) is left to the kernel to judge.
inline void require_type(const prog& p, const char* op, const std::string& what,
                         std::initializer_list<prog_type> types) {
    if (!p) throw error(EBADF, op, what, "the program handle is empty");
    if (p.type() == prog_type::unspec) return;
    for (const prog_type t : types)
        if (t == p.type()) return;
    std::string allowed;
    for (const prog_type t : types) {
        if (!allowed.empty()) allowed += t == *(types.end() - 1) ? " or " : ", ";
        allowed += to_string(t);
    }
    throw error(EINVAL, op, what,
                "the program is a " + std::string(to_string(p.type())) + " program, not " + allowed);
}

/// Attaches through `by_link()` — a kernel link — where the caller asks for
/// one, or leaves the choice to bpfxx and the kernel has links of this kind
/// (`probe::feature_supported(kind)`); else through `legacy()`, the path that
/// came before links. Deciding by the probe, not by trying a link first,
/// leaves every error of the chosen path as the kernel gave it.
template <class ByLink, class Legacy>
[[nodiscard]] link link_or_legacy(attach_path path, probe::feature kind, ByLink&& by_link, Legacy&& legacy) {
    if (path == attach_path::link || (path == attach_path::automatic && probe::feature_supported(kind)))
        return by_link();
    return legacy();
}

/// BPF_LINK_CREATE with the common fields; `extra` fills the union.
template <class F>
[[nodiscard]] unique_fd create(const prog& p, std::uint32_t target, attach_type type, std::uint32_t flags,
                               const std::string& what, F&& extra) {
    if (!p) throw error(EBADF, "BPF_LINK_CREATE", what, "the program handle is empty");
    sys::link_create_attr a{};
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.target_fd = target;
    a.attach_type = static_cast<std::uint32_t>(type);
    a.flags = flags;
    extra(a);
    return sys::call_fd(sys::cmd::link_create, a, "BPF_LINK_CREATE", what);
}
[[nodiscard]] inline unique_fd create(const prog& p, std::uint32_t target, attach_type type, std::uint32_t flags,
                                      const std::string& what) {
    return create(p, target, type, flags, what, [](sys::link_create_attr&) {});
}

} // namespace detail::links

} // namespace bpfxx
