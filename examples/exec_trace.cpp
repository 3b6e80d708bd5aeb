// exec_trace: every exec on the machine, as it happens — pid, parent pid,
// command and file name, sent by a tracepoint program through a ring buffer.
// (libbpf-bootstrap's `bootstrap` idea, with no BTF and no clang.)
//
// The parent pid comes from a second program, on sched/sched_process_fork,
// which keeps child -> parent in a map. The record layouts are read from
// tracefs at run time, since they change between kernels, and the programs
// are assembled for them then.
//
// The example runs a few commands itself, prints the events it receives and
// exits 0 once it has seen each of its own commands (77 where the kernel or
// this process cannot run it, 1 then with BPFXX_REQUIRE_KERNEL=1).
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <vector>

extern char** environ;

using namespace bpfxx::ops;

namespace {

struct exec_event {
    std::uint32_t pid;
    std::uint32_t ppid;
    char comm[16];
    char filename[64];
};

using events = bpfxx::ringbuf<1u << 18>;
using parents = bpfxx::lru_hash_map<std::uint32_t, std::uint32_t, 16384>;

std::int16_t offset_of(const char* tracepoint, const char* field) {
    return static_cast<std::int16_t>(bpfxx::tracepoint_field_of(tracepoint, field).offset);
}

/// sched_process_fork: parents[child_pid] = parent_pid.
auto fork_program() {
    const auto child = offset_of("sched/sched_process_fork", "child_pid");
    const auto parent = offset_of("sched/sched_process_fork", "parent_pid");
    return bpfxx::assemble(
        ldx<std::uint32_t>(r2, r1, child), stx<std::uint32_t>(r10, -4, r2),
        ldx<std::uint32_t>(r3, r1, parent), stx<std::uint32_t>(r10, -8, r3),
        ld_map<parents>(r1),
        mov(r2, r10), add(r2, -4),
        mov(r3, r10), add(r3, -8),
        mov(r4, 0),
        call(helper::map_update_elem),
        mov(r0, 0),
        exit());
}

/// sched_process_exec: an exec_event into the ring buffer.
auto exec_program() {
    const auto pid = offset_of("sched/sched_process_exec", "pid");
    const auto filename = offset_of("sched/sched_process_exec", "filename"); // __data_loc: u16 offset, u16 length
    return bpfxx::assemble(
        mov(r6, r1),
        ld_map<events>(r1), mov(r2, sizeof(exec_event)), mov(r3, 0),
        call(helper::ringbuf_reserve),
        jeq(r0, 0, "out"_label),
        mov(r7, r0),
        ldx<std::uint32_t>(r1, r6, pid), stx<std::uint32_t>(r7, offsetof(exec_event, pid), r1),
        stx<std::uint32_t>(r10, -4, r1),
        mov(r2, r10), add(r2, -4),
        ld_map<parents>(r1),
        call(helper::map_lookup_elem),
        mov(r1, 0),
        jeq(r0, 0, "no_parent"_label),
        ldx<std::uint32_t>(r1, r0, 0),
        "no_parent"_label,
        stx<std::uint32_t>(r7, offsetof(exec_event, ppid), r1),
        mov(r1, r7), add(r1, offsetof(exec_event, comm)), mov(r2, 16),
        call(helper::get_current_comm),
        ldx<std::uint32_t>(r3, r6, filename), and_(r3, 0xffff), add(r3, r6),
        mov(r1, r7), add(r1, offsetof(exec_event, filename)), mov(r2, sizeof(exec_event::filename)),
        call(helper::probe_read_kernel_str),
        mov(r1, r7), mov(r2, 0),
        call(helper::ringbuf_submit),
        "out"_label,
        mov(r0, 0),
        exit());
}

pid_t spawn(std::vector<const char*> argv) {
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (const int err = ::posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char* const*>(argv.data()), environ))
        throw bpfxx::error(err, "posix_spawn", argv[0]);
    return pid;
}

int run() {
    auto ring = events::create();
    auto family = parents::create();
    auto on_fork = bpfxx::load<bpfxx::prog_type::tracepoint>(fork_program(), family);
    auto on_exec = bpfxx::load<bpfxx::prog_type::tracepoint>(exec_program(), ring, family);
    auto fork_link = bpfxx::attach_tracepoint(on_fork, "sched/sched_process_fork");
    auto exec_link = bpfxx::attach_tracepoint(on_exec, "sched/sched_process_exec");
    std::printf("attached: %s, %s\n", fork_link.target().c_str(), exec_link.target().c_str());

    const auto self = static_cast<std::uint32_t>(::getpid());
    std::map<std::uint32_t, std::string> mine; // child pid -> the program it runs
    for (const auto& argv : std::vector<std::vector<const char*>>{
             {"/bin/true"}, {"/bin/echo", "hello from a traced child"}, {"/bin/sh", "-c", "exit 0"}}) {
        const pid_t pid = spawn(argv);
        mine[static_cast<std::uint32_t>(pid)] = argv[0];
    }

    std::size_t seen_mine = 0, seen_other = 0;
    bpfxx::events::ring_buffer reader;
    reader.add_as<exec_event>(ring, [&](const exec_event& e) {
        const std::string comm(e.comm, strnlen(e.comm, sizeof e.comm));
        const std::string file(e.filename, strnlen(e.filename, sizeof e.filename));
        const auto it = mine.find(e.pid);
        const bool ours = it != mine.end() && e.ppid == self && file == it->second;
        std::printf("%-6s pid %-7u ppid %-7u comm %-16s %s\n", ours ? "mine" : "exec", e.pid, e.ppid, comm.c_str(),
                    file.c_str());
        ours ? ++seen_mine : ++seen_other;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (seen_mine < mine.size() && std::chrono::steady_clock::now() < deadline)
        reader.poll(std::chrono::milliseconds(200));
    for (const auto& [pid, _] : mine) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);

    std::printf("%zu of my %zu execs seen, with the right parent and file; %zu other execs\n", seen_mine, mine.size(),
                seen_other);
    return seen_mine == mine.size() ? 0 : 1;
}

} // namespace

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // lines in order with the children's output
    if (auto code = bpfxx::testing::exit_unless("exec_trace", bpfxx::attach_kind::tracepoint,
                                                 bpfxx::map_type::ringbuf))
        return *code;
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "exec_trace: %s\n", e.what());
        return 1;
    }
}
