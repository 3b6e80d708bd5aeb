#pragma once
// A cgroup v2 directory of a test's own, and a way to run code in it: a
// child process joins the cgroup, runs a function and exits. The directory
// is removed on destruction (after its processes are gone). Linux only; root.
//
//     bpfxx::testing::scratch_cgroup cg;
//     auto l = bpfxx::attach_cgroup(p, cg.path(), bpfxx::attach_type::cgroup_inet_sock_create);
//     CHECK(cg.run([] { ::close(::socket(AF_INET, SOCK_DGRAM, 0)); }) == 0);

#include <bpfxx/attach/cgroup.hpp>
#include <bpfxx/sys/error.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>

namespace bpfxx::testing {

class scratch_cgroup {
public:
    scratch_cgroup() {
        static std::atomic<unsigned> serial{0};
        path_ = cgroup2_root() + "/bpfxx_test_" + std::to_string(::getpid()) + "_" + std::to_string(serial++);
        if (::mkdir(path_.c_str(), 0755) != 0) bpfxx::detail::throw_errno("mkdir", path_);
    }
    scratch_cgroup(const scratch_cgroup&) = delete;
    scratch_cgroup& operator=(const scratch_cgroup&) = delete;
    ~scratch_cgroup() { (void)::rmdir(path_.c_str()); }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    /// Forks a child that moves itself into this cgroup, calls `f` and exits.
    /// Returns the child's exit status (0: `f` returned; 1: it threw; 2: joining failed).
    template <class F>
    int run(F&& f) const {
        const pid_t child = ::fork();
        if (child < 0) bpfxx::detail::throw_errno("fork");
        if (child == 0) {
            const std::string procs = path_ + "/cgroup.procs";
            if (FILE* fp = std::fopen(procs.c_str(), "w")) {
                const bool ok = std::fputs("0", fp) >= 0;
                if (std::fclose(fp) != 0 || !ok) ::_exit(2);
            } else {
                ::_exit(2);
            }
            try {
                f();
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0)
            if (errno != EINTR) bpfxx::detail::throw_errno("waitpid");
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    std::string path_;
};

} // namespace bpfxx::testing
