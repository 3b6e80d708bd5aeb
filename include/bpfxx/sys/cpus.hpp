#pragma once
// The number of possible CPUs: how many values a per-CPU map holds per key
// (the kernel's num_possible_cpus()). It is not the number of online CPUs,
// nor what sysconf reports: CPUs that may be hot-plugged later count too.

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/number.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfxx::sys {

namespace detail {
/// Calls f(first, last) for each range of a kernel CPU list ("0-3",
/// "0,2-5,8\n"); false if the list is malformed.
template <class F>
[[nodiscard]] constexpr bool for_each_cpu_range(std::string_view list, F&& f) noexcept {
    std::size_t i = 0;
    const auto number = [&](std::uint32_t& out) { // false for no digits, or a number past 32 bits
        const auto n = leading_u32(list.substr(i));
        if (!n) return false;
        out = n->value;
        i += n->length;
        return true;
    };
    bool any = false;
    while (i < list.size() && list[i] != '\n') {
        std::uint32_t first = 0;
        if (!number(first)) return false;
        std::uint32_t last = first;
        if (i < list.size() && list[i] == '-') {
            ++i;
            if (!number(last) || last < first) return false;
        }
        f(first, last);
        any = true;
        if (i < list.size() && list[i] == ',') ++i;
    }
    return any;
}

/// Counts the CPUs of a kernel CPU list; 0 if it is malformed (or counts more
/// than 2^32 - 1 CPUs).
[[nodiscard]] constexpr std::uint32_t count_cpu_list(std::string_view list) noexcept {
    std::uint64_t count = 0;
    const bool ok = for_each_cpu_range(list, [&](std::uint32_t a, std::uint32_t b) { count += std::uint64_t{b} - a + 1; });
    return ok && count <= 0xffffffffu ? static_cast<std::uint32_t>(count) : 0;
}

/// The text of a small sysfs file.
[[nodiscard]] inline std::string read_small_file(const char* path) {
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
    return std::string(buf, static_cast<std::size_t>(n));
}

[[nodiscard]] inline std::uint32_t read_possible_cpus() {
    constexpr const char* path = "/sys/devices/system/cpu/possible";
    const std::uint32_t count = count_cpu_list(read_small_file(path));
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

/// Which CPUs are online now (index: CPU number), from
/// /sys/devices/system/cpu/online; read on every call, as CPUs come and go.
[[nodiscard]] inline std::vector<bool> online_cpus() {
    constexpr const char* path = "/sys/devices/system/cpu/online";
    std::vector<bool> online;
    const bool ok = detail::for_each_cpu_range(detail::read_small_file(path), [&](std::uint32_t a, std::uint32_t b) {
        if (online.size() <= b) online.resize(std::size_t{b} + 1);
        for (std::uint32_t c = a; c <= b; ++c) online[c] = true;
    });
    if (!ok) throw bpfxx::error(EINVAL, "parse", path, "not a CPU list");
    return online;
}

} // namespace bpfxx::sys
