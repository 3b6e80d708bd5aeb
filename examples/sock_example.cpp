// The program of the kernel's samples/bpf/sock_example.c, written with bpfxx,
// end to end.
//
// It counts packets per IP protocol in an array map indexed by
// ip->protocol. Here it is a C++ constant: the assembler resolves the jump
// to "out" and records the map it references, and `static_assert` checks it
// slot by slot against the sample's macro array. main() prints its listing,
// creates the map, loads the program, attaches it to a packet socket on
// loopback, makes TCP, UDP and ICMP traffic on 127.0.0.1 and prints the
// counts the program kept beside those user space counted on an unfiltered
// socket; it exits 0 only when they agree. It runs in a private network
// namespace of its own, so no other traffic mixes in. Where bpf() or socket
// filters are not available it exits 77 (skipped), or 1 with
// BPFXX_REQUIRE_KERNEL=1.
#include <bpfxx/bpfxx.hpp>
#include <bpfxx/testing/kernel.hpp>
#include <bpfxx/testing/net.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <thread>

using namespace bpfxx::ops;

// The sample's map: BPF_MAP_TYPE_ARRAY, int key, long long value, 256 entries.
using counters = bpfxx::array_map<std::uint32_t, std::uint64_t, 256, bpfxx::map_options{.name = "counters"}>;

constexpr int eth_hlen = 14;
constexpr int ip_protocol_offset = 9; // offsetof(struct iphdr, protocol)

constexpr auto sock_example = bpfxx::assemble(
    mov(r6, r1),                                   // r6 = skb (ld_abs needs it)
    ld_abs<std::uint8_t>(eth_hlen + ip_protocol_offset), // r0 = ip->protocol
    stx<std::uint32_t>(r10, -4, r0),               // *(u32 *)(fp - 4) = r0
    mov(r2, r10),
    add(r2, -4),                                   // r2 = fp - 4: the key
    ld_map<counters>(r1),                          // r1 = the map (patched at load)
    call(helper::map_lookup_elem),
    jeq(r0, 0, "out"_label),                       // no value: skip
    mov(r1, 1),
    atomic_add<std::uint64_t>(r0, 0, r1),          // lock *(u64 *)(r0 + 0) += 1
    "out"_label,
    mov(r0, 0),
    exit());

// The sample's macro array, slot by slot (BPF_* values from linux/bpf.h).
// Only the map load differs, by design: the sample puts a run-time fd in
// it (BPF_PSEUDO_MAP_FD), bpfxx the map's index in fd_array
// (BPF_PSEUDO_MAP_IDX), so the program's bytes are known at compile time.
constexpr bpfxx::insn original[] = {
    bpfxx::make_insn(0xbf, 6, 1, 0, 0),  // BPF_MOV64_REG(BPF_REG_6, BPF_REG_1)
    bpfxx::make_insn(0x30, 0, 0, 0, 23), // BPF_LD_ABS(BPF_B, ETH_HLEN + offsetof(struct iphdr, protocol))
    bpfxx::make_insn(0x63, 10, 0, -4, 0), // BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, -4)
    bpfxx::make_insn(0xbf, 2, 10, 0, 0), // BPF_MOV64_REG(BPF_REG_2, BPF_REG_10)
    bpfxx::make_insn(0x07, 2, 0, 0, -4), // BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4)
    bpfxx::make_insn(0x18, 1, 1, 0, 0),  // BPF_LD_MAP_FD(BPF_REG_1, map_fd), first slot (imm = map_fd)
    bpfxx::make_insn(0x00, 0, 0, 0, 0),  //   second slot
    bpfxx::make_insn(0x85, 0, 0, 0, 1),  // BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem)
    bpfxx::make_insn(0x15, 0, 0, 2, 0),  // BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2)
    bpfxx::make_insn(0xb7, 1, 0, 0, 1),  // BPF_MOV64_IMM(BPF_REG_1, 1)
    bpfxx::make_insn(0xdb, 0, 1, 0, 0),  // BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_0, BPF_REG_1, 0)
    bpfxx::make_insn(0xb7, 0, 0, 0, 0),  // BPF_MOV64_IMM(BPF_REG_0, 0)
    bpfxx::make_insn(0x95, 0, 0, 0, 0),  // BPF_EXIT_INSN()
};

constexpr bool same_as_original() {
    if (sock_example.size() != std::size(original)) return false;
    for (std::size_t i = 0; i < sock_example.size(); ++i) {
        bpfxx::insn expected = original[i];
        if (i == 5) expected.src_reg = bpfxx::pseudo::map_idx; // index 0 into fd_array instead of an fd
        if (sock_example[i] != expected) return false;
    }
    return true;
}

static_assert(same_as_original(), "sock_example differs from samples/bpf/sock_example.c");
static_assert(sock_example.size() == 13);               // ld_map takes two slots
static_assert(sock_example[8] == jeq(r0, 0, 2));         // "out" resolved to +2
static_assert(std::is_same_v<decltype(sock_example)::maps, bpfxx::type_list<counters>>);
static_assert(bpfxx::to_string(sock_example[10]) == "lock *(u64 *)(r0 + 0) += r1");

namespace {
/// Frames per IP protocol byte among those queued on `fd`: what the program
/// should have counted, tallied in user space.
std::array<std::uint64_t, 256> tally(int fd) {
    std::array<std::uint64_t, 256> counts{};
    static unsigned char frame[65536];
    for (ssize_t n; (n = ::recv(fd, frame, sizeof frame, 0)) >= 0;)
        if (n > eth_hlen + ip_protocol_offset) ++counts[frame[eth_hlen + ip_protocol_offset]];
    return counts;
}

/// Runs the traffic; true when the program counted every frame as user space did.
bool run() {
    bpfxx::testing::private_netns netns; // this thread only: an empty namespace with lo up
    auto map = counters::create();
    auto prog = bpfxx::load<bpfxx::prog_type::socket_filter>(sock_example, map);
    auto sock = bpfxx::testing::packet_socket("lo");
    auto oracle = bpfxx::testing::packet_socket("lo", true); // no filter: every frame, for the comparison
    int udp = 0, icmp = 0;
    std::size_t tcp = 0;
    {
        auto link = bpfxx::attach_socket(prog, sock.get());
        std::printf("\nloaded as program id %u, attached to a packet socket on lo; traffic on 127.0.0.1:\n",
                    prog.info().id);
        udp = bpfxx::testing::udp_exchange(10);
        icmp = bpfxx::testing::icmp_echo(5);
        tcp = bpfxx::testing::tcp_exchange(64 * 1024);
        ::usleep(100 * 1000); // the connection's last FIN/ACKs
    } // detached: the program's counts end here, and so does the tally below
    std::printf("  sent 10 UDP datagrams (%d arrived), 5 pings (%d answered), 64 KiB over TCP (%zu bytes arrived)\n",
                udp, icmp, tcp);
    const auto expected = tally(oracle.get());

    std::printf("frames counted by the program, and by user space (each packet on lo passes a socket twice):\n");
    bool same = udp == 10 && icmp == 5 && tcp == 64 * 1024 && expected[IPPROTO_UDP] == 20;
    for (std::uint32_t proto = 0; proto < 256; ++proto) {
        const auto counted = map.lookup(proto).value_or(0);
        if (counted == 0 && expected[proto] == 0) continue;
        std::printf("  protocol %3u: %llu, user space %llu%s\n", proto, static_cast<unsigned long long>(counted),
                    static_cast<unsigned long long>(expected[proto]), counted == expected[proto] ? "" : "  MISMATCH");
        same = same && counted == expected[proto];
    }
    return same;
}
} // namespace

int main() {
    std::fputs(bpfxx::listing(sock_example, {.helper_names = true, .label_names = true}).c_str(), stdout);
    if (auto code = bpfxx::testing::exit_unless("sock_example", bpfxx::attach_kind::socket)) return *code;
    bool same = false;
    std::exception_ptr failure;
    std::thread([&] {
        try {
            same = run();
        } catch (...) {
            failure = std::current_exception();
        }
    }).join();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sock_example: %s\n", e.what());
            return 1;
        }
    }
    std::puts(same ? "every frame counted as user space counted it" : "the counts differ");
    return same ? 0 : 1;
}
