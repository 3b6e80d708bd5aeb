#pragma once
// How many file descriptors this process has open: what leak tests compare
// before and after their failing calls.
#include <dirent.h>

#include <cstddef>
#include <stdexcept>

namespace bpfxx_test {

inline std::size_t open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr) throw std::runtime_error("cannot list /proc/self/fd");
    std::size_t n = 0;
    while (const dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
}

} // namespace bpfxx_test
