#pragma once
// One BPF_PROG_LOAD call, with or without a log: what `load` repeats until
// the whole log fits, and what the feature probes use to ask the verifier.

#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <cerrno>
#include <cstdint>
#include <string>

namespace bpfxx::detail::loading {

struct attempt_result {
    unique_fd fd;  ///< the program, when it loaded
    int errnum = 0; ///< errno when it did not
    std::string log;
    std::uint32_t log_true_size = 0; ///< Linux 6.4+: the whole log's size, with its NUL
};

/// BPF_PROG_LOAD of `attr` with a log of `log_size` bytes at `log_level`
/// (0, 0: no log). `attr`'s log fields are set here.
[[nodiscard]] inline attempt_result attempt(sys::prog_load_attr& attr, std::uint32_t log_level,
                                            std::uint32_t log_size) {
    attempt_result a;
    a.log.assign(log_size, '\0');
    attr.log_level = log_size == 0 ? 0u : log_level;
    attr.log_size = log_size;
    attr.log_buf = log_size == 0 ? 0u : sys::ptr(a.log.data());
    attr.log_true_size = 0;
    const long fd = sys::call(sys::cmd::prog_load, attr);
    a.errnum = fd < 0 ? errno : 0;
    a.fd = unique_fd(static_cast<int>(fd));
    a.log_true_size = attr.log_true_size;
    if (const auto end = a.log.find('\0'); end != std::string::npos) a.log.resize(end);
    return a;
}

} // namespace bpfxx::detail::loading
