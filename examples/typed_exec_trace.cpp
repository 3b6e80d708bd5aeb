// exec_trace with typed programs (examples/typed/exec_trace.hpp): every exec
// with its parent and file name, through a ring buffer. The record layouts
// of the typed programs are checked against tracefs first. It runs a few
// commands and exits 0 once it has seen each of them with the right parent.
#include "typed/exec_trace.hpp"
#include "typed/main.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace examples::exec_trace;

template <class R, class M>
void check_layout(const char* tracepoint, const char* field, M R::*member) {
    const auto kernel = bpfxx::tracepoint_field_of(tracepoint, field).offset;
    if (kernel != static_cast<std::uint32_t>(bpfxx::c::offset_of(member)))
        throw bpfxx::error(EINVAL, "check_layout", tracepoint,
                           std::string("field ") + field + " is at " + std::to_string(kernel) + " in this kernel");
}

int run() {
    check_layout("sched/sched_process_fork", "child_pid", &fork_record::child_pid);
    check_layout("sched/sched_process_fork", "parent_pid", &fork_record::parent_pid);
    check_layout("sched/sched_process_exec", "filename", &exec_record::filename);
    check_layout("sched/sched_process_exec", "pid", &exec_record::pid);
    auto ring = events::create();
    auto family = parents::create();
    auto fork_prog = bpfxx::load<bpfxx::prog_type::tracepoint>(on_fork, family);
    auto exec_prog = bpfxx::load<bpfxx::prog_type::tracepoint>(on_exec, ring, family);
    auto fork_link = bpfxx::attach_tracepoint(fork_prog, "sched/sched_process_fork");
    auto exec_link = bpfxx::attach_tracepoint(exec_prog, "sched/sched_process_exec");

    const auto self = static_cast<std::uint32_t>(::gettid()); // a fork records the thread that forked
    std::map<std::uint32_t, std::string> mine; // child pid -> the program it runs
    for (auto argv : std::vector<std::vector<const char*>>{{"/bin/true"}, {"/bin/echo", "hello from a traced child"}}) {
        const char* path = argv[0];
        argv.push_back(nullptr);
        pid_t pid = 0;
        if (const int err = ::posix_spawn(&pid, path, nullptr, nullptr, const_cast<char* const*>(argv.data()), environ))
            throw bpfxx::error(err, "posix_spawn", path);
        mine[static_cast<std::uint32_t>(pid)] = path;
    }
    std::size_t seen = 0;
    bpfxx::events::ring_buffer reader;
    reader.add_as<exec_event>(ring, [&](const exec_event& e) {
        const std::string file(e.filename, strnlen(e.filename, sizeof e.filename));
        const auto it = mine.find(e.pid);
        const bool ours = it != mine.end() && e.ppid == self && file == it->second;
        std::printf("%-6s pid %-7u ppid %-7u comm %-16.16s %s\n", ours ? "mine" : "exec", e.pid, e.ppid, e.comm,
                    file.c_str());
        seen += ours ? 1 : 0;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (seen < mine.size() && std::chrono::steady_clock::now() < deadline)
        reader.poll(std::chrono::milliseconds(200));
    for (const auto& [pid, _] : mine) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    std::printf("%zu of my %zu execs seen with the right parent and file\n", seen, mine.size());
    return seen == mine.size() ? 0 : 1;
}

} // namespace

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    return examples::run_example("typed_exec_trace", run);
}
