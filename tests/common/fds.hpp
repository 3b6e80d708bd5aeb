#pragma once
// What leak tests compare before and after their failing calls: how many
// file descriptors this process has open, and whether the calls that should
// fail did (a failure path that stops failing leaks nothing and tests nothing).
#include <bpfxx/sys/error.hpp>

#include <dirent.h>

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

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

/// Runs calls that must fail and counts, per call, the attempts and the
/// failures, so that a test can require every attempt to have failed.
class expected_failures {
public:
    /// Runs `f`; its throwing `bpfxx::error` counts as a failure of `what`.
    template <class F>
    void operator()(std::string_view what, F&& f) {
        bool failed = false;
        try {
            f();
        } catch (const bpfxx::error&) {
            failed = true;
        }
        note(what, failed);
    }
    /// Records an attempt of `what` that reported its failure another way.
    void note(std::string_view what, bool failed) {
        auto& c = counts_[std::string(what)];
        ++c.attempts;
        if (failed) ++c.failures;
    }
    /// How many attempts there were, of every call.
    [[nodiscard]] std::size_t attempts() const {
        std::size_t n = 0;
        for (const auto& [what, c] : counts_) n += c.attempts;
        return n;
    }
    /// "what: failed k of n" for each call that did not fail every time; empty when all did.
    [[nodiscard]] std::string unfailed() const {
        std::string out;
        for (const auto& [what, c] : counts_)
            if (c.failures != c.attempts)
                out += what + ": failed " + std::to_string(c.failures) + " of " + std::to_string(c.attempts) + "\n";
        return out;
    }

private:
    struct count {
        std::size_t attempts = 0, failures = 0;
    };
    std::map<std::string, count, std::less<>> counts_;
};

} // namespace bpfxx_test
