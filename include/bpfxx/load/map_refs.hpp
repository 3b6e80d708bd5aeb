#pragma once
// How a program's map references reach the kernel. `ld_map<M>` assembles to
// `BPF_PSEUDO_MAP_IDX` (an index into the load's fd_array, Linux 5.14+), so
// that the program constant holds no file descriptor. Kernels without
// fd_array (Debian 11's 5.10, Ubuntu 20.04's 5.4, RHEL 8) get a copy of the
// instructions with each map's fd written in (`BPF_PSEUDO_MAP_FD`, and
// `BPF_PSEUDO_MAP_VALUE` for direct value addresses), as loaders for those
// kernels do. Whether the kernel takes fd_array is probed once and cached
// (`probe::feature::fd_array`).

#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/isa/classify.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/opcodes.hpp>
#include <bpfxx/load/attempt.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/probe_cache.hpp>

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>

namespace bpfxx {

/// `load_options::map_references`.
enum class map_refs : std::uint8_t {
    automatic, ///< fd_array where the kernel takes it (probe::feature::fd_array), else patched
    fd_array,  ///< always fd_array (the kernel refuses the load where it lacks it)
    patched,   ///< always a copy of the instructions with the maps' fds written in
};

namespace detail::loading {

/// Asks the kernel to load `r1 = map_by_idx(0); r0 = 0; exit` with an
/// fd_array holding a one-entry array map.
[[nodiscard]] inline probe::support probe_fd_array() {
    namespace dp = detail::probing;
    sys::map_create_attr m{};
    m.map_type = 2; // array
    m.key_size = 4;
    m.value_size = 4;
    m.max_entries = 1;
    const unique_fd map(static_cast<int>(sys::call(sys::cmd::map_create, m)));
    if (!map) return probe::support::refused(errno, "no map to refer to: " + dp::answer_text(errno), true);
    const insn prog[] = {make_insn(code::ld | code::imm | code::dw, 1, pseudo::map_idx, 0, 0), make_insn(0, 0, 0, 0, 0),
                         make_insn(code::alu64 | code::mov | code::k, 0, 0, 0, 0),
                         make_insn(code::jmp | code::exit, 0, 0, 0, 0)};
    const int fds[] = {map.get()};
    sys::prog_load_attr attr{};
    attr.prog_type = 1; // socket_filter
    attr.insn_cnt = 4;
    attr.insns = sys::ptr(prog);
    attr.license = sys::ptr("GPL");
    attr.fd_array = sys::ptr(fds);
    const auto a = attempt(attr, 1, 4096);
    if (a.fd) return probe::support::yes();
    std::string reason = dp::answer_text(a.errnum);
    if (a.errnum == E2BIG) reason += ": this kernel's bpf_attr has no fd_array (Linux 5.14+)";
    if (const auto line = a.log.find('\n'); !a.log.empty()) reason += ": " + a.log.substr(0, line);
    return probe::support::refused(a.errnum, std::move(reason));
}

/// Whether this kernel takes map references by fd_array (probed once).
[[nodiscard]] inline probe::support fd_array_supported() {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::feature, static_cast<std::uint32_t>(probe::feature::fd_array)}, probe_fd_array);
}

[[nodiscard]] inline bool uses_fd_array(map_refs mode) {
    if (mode == map_refs::automatic) return fd_array_supported().supported;
    return mode == map_refs::fd_array;
}

/// `insns` with each `BPF_PSEUDO_MAP_IDX[_VALUE]` reference to `fds[i]`
/// replaced by `BPF_PSEUDO_MAP_FD[_VALUE]` with the fd itself.
[[nodiscard]] inline bpfxx::detail::buffer<insn> with_map_fds(std::span<const insn> insns, std::span<const int> fds,
                                                               const std::string& object) {
    bpfxx::detail::buffer<insn> out;
    out.assign(insns.data(), insns.data() + insns.size());
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        insn& lo = out[i];
        if (!is_ld_imm64(lo)) continue;
        if (lo.src_reg == pseudo::map_idx || lo.src_reg == pseudo::map_idx_value) {
            const auto index = static_cast<std::uint32_t>(lo.imm);
            if (index >= fds.size())
                throw error(EINVAL, "BPF_PROG_LOAD", object,
                            "instruction " + std::to_string(i) + " refers to map " + std::to_string(index) +
                                ", but the load has " + std::to_string(fds.size()) + " maps");
            lo.src_reg = lo.src_reg == pseudo::map_idx ? pseudo::map_fd : pseudo::map_value;
            lo.imm = fds[index];
        }
        ++i; // the second slot of the pair
    }
    return out;
}

} // namespace detail::loading
} // namespace bpfxx
