#pragma once
// The number of possible CPUs: how many values a per-CPU map holds per key
// (the kernel's num_possible_cpus()). It is not the number of online CPUs,
// nor what sysconf reports: CPUs that may be hot-plugged later count too.

#include <bpfxx/sys/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bpfxx::sys {

namespace detail {
/// Counts the CPUs of a kernel CPU list ("0-3", "0,2-5,8\n"); 0 if it is malformed.
[[nodiscard]] constexpr std::uint32_t count_cpu_list(std::string_view list) noexcept {
    std::uint32_t count = 0;
    std::size_t i = 0;
    const auto number = [&](std::uint32_t& out) {
        const std::size_t start = i;
        out = 0;
        while (i < list.size() && list[i] >= '0' && list[i] <= '9') out = out * 10 + static_cast<std::uint32_t>(list[i++] - '0');
        return i > start;
    };
    while (i < list.size() && list[i] != '\n') {
        std::uint32_t first = 0;
        if (!number(first)) return 0;
        std::uint32_t last = first;
        if (i < list.size() && list[i] == '-') {
            ++i;
            if (!number(last) || last < first) return 0;
        }
        count += last - first + 1;
        if (i < list.size() && list[i] == ',') ++i;
    }
    return count;
}

[[nodiscard]] inline std::uint32_t read_possible_cpus() {
    constexpr const char* path = "/sys/devices/system/cpu/possible";
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) bpfxx::detail::throw_errno("open", path);
    char buf[256];
    ssize_t n;
    do n = ::read(fd, buf, sizeof buf); while (n < 0 && errno == EINTR);
    const int read_errno = errno;
    ::close(fd);
    if (n < 0) {
        errno = read_errno;
        bpfxx::detail::throw_errno("read", path);
    }
    const std::uint32_t count = count_cpu_list(std::string_view(buf, static_cast<std::size_t>(n)));
    if (count == 0) throw bpfxx::error(EINVAL, "parse", path, "not a CPU list");
    return count;
}
} // namespace detail

/// The number of possible CPUs, read once from /sys/devices/system/cpu/possible
/// (thread-safe; a failed read throws `bpfxx::error` and is retried next call).
[[nodiscard]] inline std::uint32_t possible_cpus() {
    static const std::uint32_t count = detail::read_possible_cpus();
    return count;
}

} // namespace bpfxx::sys
