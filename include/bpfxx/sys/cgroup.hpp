#pragma once
// Where cgroup v2 is mounted: what cgroup attachments, the attach probes and
// the test cgroups start from.

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/file.hpp>

#include <cerrno>
#include <string>
#include <string_view>

namespace bpfxx {

namespace detail::cgroups {
/// The `n`-th space-separated field of `line` (0-based), or empty.
[[nodiscard]] constexpr std::string_view field(std::string_view line, unsigned n) noexcept {
    for (;;) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string_view::npos) return {};
        line.remove_prefix(start);
        const auto end = line.find(' ');
        if (n == 0) return line.substr(0, end);
        if (end == std::string_view::npos) return {};
        line.remove_prefix(end);
        --n;
    }
}

/// The mount point of the first cgroup2 file system in a mountinfo text, or empty.
[[nodiscard]] constexpr std::string_view cgroup2_mount(std::string_view mountinfo) noexcept {
    while (!mountinfo.empty()) {
        const auto nl = mountinfo.find('\n');
        const auto line = mountinfo.substr(0, nl);
        mountinfo.remove_prefix(nl == std::string_view::npos ? mountinfo.size() : nl + 1);
        // id parent major:minor root mount-point options [optional...] - fstype source super-options
        const auto dash = line.find(" - ");
        if (dash == std::string_view::npos || field(line.substr(dash + 3), 0) != "cgroup2") continue;
        return field(line.substr(0, dash), 4);
    }
    return {};
}
static_assert(cgroup2_mount("24 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n") == "/sys/fs/cgroup");
} // namespace detail::cgroups

/// Where cgroup v2 is mounted (from /proc/self/mountinfo: "/sys/fs/cgroup",
/// or "/sys/fs/cgroup/unified" on hybrid systems). Throws ENOENT when nothing is.
[[nodiscard]] inline std::string cgroup2_root() {
    const std::string info = sys::read_file("/proc/self/mountinfo");
    const auto mount = detail::cgroups::cgroup2_mount(info);
    if (mount.empty()) throw error(ENOENT, "cgroup2_root", "/proc/self/mountinfo", "no cgroup v2 file system is mounted");
    return std::string(mount);
}

} // namespace bpfxx
