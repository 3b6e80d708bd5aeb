#pragma once
// perf_event_open(2) and tracefs: what tracepoint, kprobe, uprobe and
// perf event attachments are made of. tracefs is mounted on demand at
// /sys/kernel/tracing, since machines do not always mount it at boot.

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/file.hpp>
#include <bpfxx/sys/number.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfxx::sys {

inline constexpr const char* tracefs_root = "/sys/kernel/tracing";
inline constexpr long tracefs_magic = 0x74726163;

/// The tracefs directory, mounting tracefs at /sys/kernel/tracing when no
/// tracefs is there (or at the old debugfs place).
[[nodiscard]] inline std::string tracefs() {
    struct statfs st{};
    if (::statfs(tracefs_root, &st) == 0 && st.f_type == tracefs_magic) return tracefs_root;
    if (::statfs("/sys/kernel/debug/tracing", &st) == 0 && st.f_type == tracefs_magic)
        return "/sys/kernel/debug/tracing";
    if (::mount("tracefs", tracefs_root, "tracefs", 0, nullptr) != 0)
        bpfxx::detail::throw_errno("mount tracefs", tracefs_root);
    return tracefs_root;
}

/// perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC); throws on failure.
[[nodiscard]] inline unique_fd perf_event_open(perf_event_attr& attr, int pid, int cpu, const std::string& what) {
    attr.size = sizeof attr;
    const long fd = ::syscall(__NR_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) bpfxx::detail::throw_errno("perf_event_open", what);
    return unique_fd(static_cast<int>(fd));
}

/// The perf PMU type of a dynamic event source ("kprobe", "uprobe"), from
/// sysfs; nullopt when the kernel has no such PMU.
[[nodiscard]] inline std::optional<std::uint32_t> pmu_type(const std::string& pmu) {
    const std::string path = "/sys/bus/event_source/devices/" + pmu + "/type";
    const auto line = read_line(path);
    if (!line) return std::nullopt;
    const auto type = detail::parse_u32(*line);
    if (!type) throw error(EINVAL, "parse", path, "not a PMU type: '" + *line + "'");
    return *type;
}

/// The config bit of a PMU's boolean format field ("retprobe" is "config:0").
[[nodiscard]] inline std::optional<unsigned> pmu_format_bit(const std::string& pmu, const std::string& field) {
    const auto line = read_line("/sys/bus/event_source/devices/" + pmu + "/format/" + field);
    if (!line || line->rfind("config:", 0) != 0) return std::nullopt;
    const auto bit = detail::parse_u32(std::string_view(*line).substr(7));
    if (!bit || *bit > 63) return std::nullopt; // a range ("config:0-7") or no bit of config
    return *bit;
}

} // namespace bpfxx::sys
