#pragma once
// Reading the kernel's small text files (procfs, sysfs, tracefs) with
// open/read: what the sys, attach and probe layers need, without <fstream>.

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

namespace bpfxx::sys {

/// The whole file at `path`, or nullopt when it cannot be opened or read
/// (errno says why).
[[nodiscard]] inline std::optional<std::string> try_read_file(const std::string& path) {
    const unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n == 0) return text;
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
}

/// The whole file at `path`; throws `bpfxx::error` when it cannot be read.
[[nodiscard]] inline std::string read_file(const std::string& path) {
    auto text = try_read_file(path);
    if (!text) bpfxx::detail::throw_errno("read", path);
    return std::move(*text);
}

/// The first line of the file at `path` (without its newline), if it can be read.
[[nodiscard]] inline std::optional<std::string> read_line(const std::string& path) {
    auto text = try_read_file(path);
    if (!text) return std::nullopt;
    if (const auto nl = text->find('\n'); nl != std::string::npos) text->resize(nl);
    return text;
}

} // namespace bpfxx::sys
