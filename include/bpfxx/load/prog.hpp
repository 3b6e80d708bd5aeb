#pragma once
// `bpfxx::prog`: a loaded program, owned through its file descriptor. Made
// by `load(...)`, or opened from an id or a bpffs pin; queried with `info()`.

#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/object.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfxx {

/// What the kernel reports about a loaded program (BPF_OBJ_GET_INFO_BY_FD).
struct prog_info {
    std::uint32_t id = 0;
    bpfxx::prog_type type = prog_type::unspec;
    std::string name;
    /// The kernel's hash of the translated instructions, as bpftool shows it.
    std::array<std::byte, 8> tag{};
    std::string tag_hex; ///< `tag` as 16 lower-case hex digits
    std::uint32_t xlated_size = 0; ///< bytes of the instructions after the verifier's rewrites
    std::uint32_t jited_size = 0;  ///< bytes of machine code (0 without a JIT)
    std::vector<std::uint32_t> map_ids; ///< the maps the program uses
    /// Statistics: kept only while the kernel collects them (sysctl
    /// kernel.bpf_stats_enabled=1, or BPF_ENABLE_STATS); 0 otherwise.
    std::uint64_t run_count = 0;
    std::chrono::nanoseconds run_time{};
    std::uint32_t verified_insns = 0; ///< instructions the verifier processed (Linux 5.16+)
    std::uint32_t created_by_uid = 0;
    bool gpl_compatible = false;
    std::uint32_t btf_id = 0;
};

namespace detail::progs {
[[nodiscard]] inline std::string object_name(const char (&name)[16]) {
    std::size_t n = 0;
    while (n < sizeof name && name[n] != '\0') ++n;
    return std::string(name, n);
}
} // namespace detail::progs

/// A loaded BPF program: the only owner of its file descriptor (O_CLOEXEC).
/// Move-only; the kernel frees the program when its last fd, pin and link are gone.
class prog {
public:
    /// An empty handle (`fd() == -1`).
    prog() noexcept = default;
    /// Takes ownership of a program's fd whose type and name the caller knows
    /// (and the verifier's log of its load, if one was kept).
    prog(unique_fd fd, prog_type type, std::string name, std::string verifier_log = {}) noexcept
        : fd_(std::move(fd)), type_(type), name_(std::move(name)), log_(std::move(verifier_log)) {}

    prog(prog&&) noexcept = default;
    prog& operator=(prog&&) noexcept = default;
    prog(const prog&) = delete;
    prog& operator=(const prog&) = delete;
    ~prog() = default;

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    [[nodiscard]] prog_type type() const noexcept { return type_; }
    /// The name the program was loaded with (as the kernel keeps it: at most 15 characters).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// The verifier's log of a successful load, when `load_options::log_level`
    /// asked for one; empty otherwise.
    [[nodiscard]] const std::string& verifier_log() const noexcept { return log_; }

    /// Gives up the fd: the caller must close it.
    [[nodiscard]] unique_fd release() noexcept { return std::move(fd_); }

    /// The kernel's description of this program.
    [[nodiscard]] prog_info info() const {
        std::vector<std::uint32_t> ids(8);
        sys::prog_info raw{};
        for (;;) {
            raw = {};
            raw.nr_map_ids = static_cast<std::uint32_t>(ids.size());
            raw.map_ids = sys::ptr(ids.data());
            if (!fd_) throw error(EBADF, "BPF_OBJ_GET_INFO_BY_FD", name_, "the program handle is empty");
            sys::info_attr attr{};
            attr.bpf_fd = static_cast<std::uint32_t>(fd());
            attr.info_len = sizeof raw;
            attr.info = sys::ptr(&raw);
            sys::call_ok(sys::cmd::obj_get_info_by_fd, attr, "BPF_OBJ_GET_INFO_BY_FD", name_);
            // The kernel reports how many ids there are, and copies at most as many as fit.
            const bool fitted = raw.nr_map_ids <= ids.size();
            ids.resize(raw.nr_map_ids);
            if (fitted) break;
        }
        prog_info info;
        info.id = raw.id;
        info.type = static_cast<prog_type>(raw.type);
        info.name = detail::progs::object_name(raw.name);
        constexpr char hex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < 8; ++i) {
            info.tag[i] = std::byte{raw.tag[i]};
            info.tag_hex += hex[raw.tag[i] >> 4];
            info.tag_hex += hex[raw.tag[i] & 0xf];
        }
        info.xlated_size = raw.xlated_prog_len;
        info.jited_size = raw.jited_prog_len;
        info.map_ids = std::move(ids);
        info.run_count = raw.run_cnt;
        info.run_time = std::chrono::nanoseconds(raw.run_time_ns);
        info.verified_insns = raw.verified_insns;
        info.created_by_uid = raw.created_by_uid;
        info.gpl_compatible = (raw.gpl_compatible & 1u) != 0;
        info.btf_id = raw.btf_id;
        return info;
    }

    /// The kernel's id of this program (unique while it is loaded).
    [[nodiscard]] std::uint32_t id() const {
        return sys::info_of<sys::prog_info>(fd(), "BPF_OBJ_GET_INFO_BY_FD", name_).id;
    }

    /// Opens the loaded program with kernel id `id` (BPF_PROG_GET_FD_BY_ID).
    [[nodiscard]] static prog from_id(std::uint32_t id) {
        sys::id_attr attr{};
        attr.id = id;
        const std::string what = "program id " + std::to_string(id);
        return adopt(sys::call_fd(sys::cmd::prog_get_fd_by_id, attr, "BPF_PROG_GET_FD_BY_ID", what),
                     "BPF_PROG_GET_FD_BY_ID", what);
    }

    /// Opens the program pinned at `path` on a bpffs. Throws `bpfxx::error`
    /// with EINVAL when the object pinned there is not a program ("not a BPF program").
    [[nodiscard]] static prog open_pinned(const std::string& path) {
        return adopt(sys::get_pinned(path), "BPF_OBJ_GET", path);
    }

    /// Pins this program at `path` (a bpffs path; /sys/fs/bpf is mounted on
    /// demand). The pin keeps the program loaded after every fd is closed,
    /// until the file is removed.
    void pin(const std::string& path) const {
        if (!fd_) throw error(EBADF, "BPF_OBJ_PIN", path, "the program handle is empty");
        sys::pin(fd(), path);
    }

    friend void swap(prog& a, prog& b) noexcept {
        using std::swap;
        swap(a.fd_, b.fd_);
        swap(a.type_, b.type_);
        swap(a.name_, b.name_);
        swap(a.log_, b.log_);
    }

private:
    /// A handle for an fd the kernel gave us: checks that it is a program and
    /// learns its type and name.
    static prog adopt(unique_fd fd, const char* op, const std::string& what) {
        const auto raw = sys::info_of<sys::prog_info>(fd.get(), op, what);
        return prog(std::move(fd), static_cast<prog_type>(raw.type), detail::progs::object_name(raw.name));
    }

    unique_fd fd_;
    prog_type type_ = prog_type::unspec;
    std::string name_;
    std::string log_;
};

} // namespace bpfxx
