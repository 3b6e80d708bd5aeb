#pragma once
// `load<prog_type>(program, maps...)`: BPF_PROG_LOAD with the program's map
// references resolved through fd_array, checked at compile time against the
// map handles given. A rejected program throws `bpfxx::error` carrying the
// verifier's whole log and bpfxx's listing with the rejected instruction
// marked; nothing is left open.
//
//     auto counts = counters::create();
//     auto p = bpfxx::load<bpfxx::prog_type::socket_filter>(sock_example, counts);
//     auto q = bpfxx::load<bpfxx::prog_type::xdp>(xdp_prog, {.name = "fw", .log_level = 1}, rules, stats);

#include <bpfxx/asm/program.hpp>
#include <bpfxx/asm/type_list.hpp>
#include <bpfxx/btf/format.hpp>
#include <bpfxx/detail/buffer.hpp>
#include <bpfxx/isa/insn.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/load/map_refs.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/load/verifier_log.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>

#include <array>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bpfxx {

/// What `load` passes to BPF_PROG_LOAD besides the instructions and maps.
struct load_options {
    /// The program's name in the kernel (bpftool, /proc, info()): at most 15
    /// characters, each a letter, digit, '_' or '.', as the kernel requires.
    std::string_view name{};
    /// Decides which helpers the program may call: GPL-only helpers need a
    /// GPL-compatible license.
    std::string_view license = "GPL";
    /// Needed at load time by some program types (cgroup_sock_addr,
    /// cgroup_sockopt, sk_lookup, netfilter, tracing …).
    std::optional<attach_type> expected_attach_type{};
    /// Tracing, LSM, struct_ops and ext programs: the BTF id of the target.
    std::uint32_t attach_btf_id = 0;
    /// ext (freplace) programs: the program whose function is replaced; also
    /// carries a module's BTF fd for `attach_btf_id` (the kernel's
    /// attach_btf_obj_fd shares the field). -1: none.
    int attach_prog_fd = -1;
    /// Only kprobe programs on kernels before 5.0 check it.
    std::uint32_t kern_version = 0;
    /// 0: no log unless the load fails (then at least 1). 1: the verifier's
    /// verdicts; 2: every state too; add 4 for statistics only. With a
    /// non-zero level a successful load keeps its log (`prog::verifier_log()`).
    std::uint32_t log_level = 0;
    /// Load flags (`prog_flags::sleepable`, `prog_flags::xdp_has_frags` …).
    std::uint32_t prog_flags = 0;
    /// Size of the first log buffer (0: 64 KiB); it grows until the whole log fits.
    std::uint32_t log_size_hint = 0;
    /// How map references reach the kernel: by fd_array where the kernel
    /// takes it, else each map's fd written into a copy of the instructions.
    map_refs map_references = map_refs::automatic;
    /// The program's BTF (function names, source lines; bpfxx/load/debug_info.hpp
    /// fills these from btf::debug_info): the BTF object's fd (-1: none) and
    /// the func_info / line_info records that point into it.
    int prog_btf_fd = -1;
    std::span<const btf::func_info> func_info{};
    std::span<const btf::line_info> line_info{};
};

/// A user-space handle of a map that a program references: it names the map
/// type the program was assembled with (`descriptor`) and has the map's fd.
template <class H>
concept map_handle = requires(const H& h) {
    typename std::remove_cvref_t<H>::descriptor;
    { h.fd() } -> std::convertible_to<int>;
};

namespace detail::loading {

/// Whether the kernel accepts `name` as an object name (bpf_obj_name_cpy).
[[nodiscard]] constexpr bool valid_object_name(std::string_view name) noexcept {
    if (name.size() > 15) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.';
        if (!ok) return false;
    }
    return true;
}

// The kernel refuses logs outside [128, UINT32_MAX >> 2] bytes.
inline constexpr std::uint32_t min_log_size = 128;
inline constexpr std::uint32_t max_log_size = UINT32_MAX >> 2;
inline constexpr std::uint32_t first_log_size = 64 * 1024;

struct load_request {
    prog_type type;
    std::span<const insn> insns;
    std::span<const symbol> labels; ///< for the listing in an error
    std::span<const int> map_fds;   ///< fd_array
    const load_options& opts;
};

/// The error of a rejected load: errno, the verifier's verdict and whole
/// log, and the program's listing with the rejected instruction marked.
[[nodiscard]] inline error load_error(int errnum, const load_request& req, std::string_view object,
                                      std::string_view log, bool log_complete) {
    const auto verdict = read_verdict(log);
    std::string text;
    text.reserve(log.size() + req.insns.size() * 40 + 256);
    if (!verdict.reason.empty()) {
        text += "verifier: ";
        text += verdict.reason;
        if (verdict.insn) {
            text += " (instruction ";
            text += std::to_string(*verdict.insn);
            text += ')';
        }
        text += '\n';
    }
    if (!log.empty()) {
        text += "--- verifier log ---\n";
        text += log;
        if (!log.ends_with('\n')) text += '\n';
        if (!log_complete) text += "(the kernel could not hand over the whole log: it exceeds 1 GiB)\n";
    }
    text += "--- program";
    if (verdict.insn) text += " (>>> marks the rejected instruction)";
    text += " ---\n";
    text += vlog::marked_listing(req.insns, req.labels, verdict.insn);
    return error(errnum, "BPF_PROG_LOAD", std::string(object), std::move(text));
}

/// The most instructions a program may have (BPF_COMPLEXITY_LIMIT_INSNS).
inline constexpr std::size_t max_insns = 1000000;

/// BPF_PROG_LOAD. Without a requested log the first attempt runs without
/// one, since verifying without a log is faster; if it fails, the program is
/// loaded again with a log buffer grown until the whole log fits, for the error.
[[nodiscard]] inline prog load_program(const load_request& request) {
    const load_options& o = request.opts;
    const std::string object = o.name.empty() ? std::string(to_string(request.type)) : std::string(o.name);
    if (!valid_object_name(o.name))
        throw error(EINVAL, "BPF_PROG_LOAD", object,
                    "a program name has at most 15 characters, each a letter, digit, '_' or '.'");
    for (std::size_t i = 0; i < request.map_fds.size(); ++i)
        if (request.map_fds[i] < 0)
            throw error(EBADF, "BPF_PROG_LOAD", object,
                        "the map for fd_array[" + std::to_string(i) + "] is an empty handle (moved from?)");
    // BPF_COMPLEXITY_LIMIT_INSNS: the kernel refuses more (E2BIG) after copying them in,
    // and its log, with our listing, would run to megabytes
    if (request.insns.size() > max_insns)
        throw error(E2BIG, "BPF_PROG_LOAD", object,
                    "the program has " + std::to_string(request.insns.size()) + " instructions; the kernel loads at most " +
                        std::to_string(max_insns) + " (BPF_COMPLEXITY_LIMIT_INSNS; 4096 without CAP_BPF)");

    // Without fd_array, the kernel gets (and the listing of an error shows) a copy with the fds written in.
    bpfxx::detail::buffer<insn> patched;
    load_request req = request;
    const bool by_fd_array = req.map_fds.empty() || uses_fd_array(o.map_references);
    if (!by_fd_array) {
        patched = with_map_fds(req.insns, req.map_fds, object);
        req.insns = bpfxx::detail::as_span(patched);
    }

    const std::string license(o.license);
    sys::prog_load_attr attr{};
    attr.prog_type = static_cast<std::uint32_t>(req.type);
    attr.insn_cnt = static_cast<std::uint32_t>(req.insns.size());
    attr.insns = sys::ptr(req.insns.data());
    attr.license = sys::ptr(license.c_str());
    attr.kern_version = o.kern_version;
    attr.prog_flags = o.prog_flags;
    sys::copy_name(attr.prog_name, o.name);
    attr.expected_attach_type = o.expected_attach_type ? static_cast<std::uint32_t>(*o.expected_attach_type) : 0u;
    attr.attach_btf_id = o.attach_btf_id;
    attr.attach_prog_fd = o.attach_prog_fd < 0 ? 0u : static_cast<std::uint32_t>(o.attach_prog_fd);
    attr.fd_array = by_fd_array && !req.map_fds.empty() ? sys::ptr(req.map_fds.data()) : 0u;
    if (o.prog_btf_fd >= 0) {
        attr.prog_btf_fd = static_cast<std::uint32_t>(o.prog_btf_fd);
        attr.func_info_rec_size = sizeof(btf::func_info);
        attr.func_info = o.func_info.empty() ? 0u : sys::ptr(o.func_info.data());
        attr.func_info_cnt = static_cast<std::uint32_t>(o.func_info.size());
        attr.line_info_rec_size = sizeof(btf::line_info);
        attr.line_info = o.line_info.empty() ? 0u : sys::ptr(o.line_info.data());
        attr.line_info_cnt = static_cast<std::uint32_t>(o.line_info.size());
    }

    if (o.log_level == 0) {
        if (auto a = attempt(attr, 0, 0); a.fd) return prog(std::move(a.fd), req.type, std::string(o.name));
    }

    std::uint32_t size = o.log_size_hint == 0 ? first_log_size : o.log_size_hint;
    if (size < min_log_size) size = min_log_size;
    if (size > max_log_size) size = max_log_size;
    for (;;) {
        auto a = attempt(attr, o.log_level == 0 ? 1u : o.log_level, size);
        if (a.fd) {
            if (o.log_level == 0) a.log.clear(); // the log was only wanted for an error
            return prog(std::move(a.fd), req.type, std::string(o.name), std::move(a.log));
        }
        // Linux 6.4+ says how big the log is (with its NUL) and keeps its
        // tail when the buffer is short; older kernels fail with ENOSPC.
        std::uint64_t want = 0;
        if (a.log_true_size > size) want = a.log_true_size;
        else if (a.log_true_size == 0 && a.errnum == ENOSPC) want = std::uint64_t{size} * 2;
        if (want == 0 || size == max_log_size) throw load_error(a.errnum, req, object, a.log, want == 0);
        size = static_cast<std::uint32_t>(want < max_log_size ? want : max_log_size);
    }
}

template <class H>
using descriptor_of = typename std::remove_cvref_t<H>::descriptor;

// Each diagnostic is a function template of the map type, so that the
// compiler's notes ("[with Map = counters]", "check_map_supplied<counters, 0>")
// name the type.
template <class Map, std::size_t Supplied>
constexpr void check_map_supplied() {
    static_assert(Supplied != 0,
                  "bpfxx::load: the program references a map type (Map in the compiler's notes) that no argument "
                  "supplies: pass a handle of that map");
    static_assert(Supplied <= 1, "bpfxx::load: more than one argument supplies the same map type (Map in the "
                                 "compiler's notes): pass each map once");
}
template <class Descriptor, bool Referenced>
constexpr void check_map_referenced() {
    static_assert(Referenced, "bpfxx::load: an argument is a map the program does not reference (its descriptor is "
                              "Descriptor in the compiler's notes): a map of the wrong type?");
}

template <class Map, class... H>
inline constexpr std::size_t supplied_count = (std::size_t{0} + ... + (std::is_same_v<Map, descriptor_of<H>> ? 1 : 0));

template <class Maps, class... H>
struct map_check;
template <class... M, class... H>
struct map_check<type_list<M...>, H...> {
    static constexpr bool all_referenced = (contains<descriptor_of<H>, type_list<M...>> && ...);
    static constexpr bool ok = all_referenced && ((supplied_count<M, H...> == 1) && ...);
    static constexpr void diagnose() {
        // A map of the wrong type also leaves the right one missing: name the cause only.
        if constexpr (!all_referenced)
            (check_map_referenced<descriptor_of<H>, contains<descriptor_of<H>, type_list<M...>>>(), ...);
        else
            (check_map_supplied<M, supplied_count<M, H...>>(), ...);
    }
};

template <prog_type T, class P, class... H>
[[nodiscard]] prog load_typed(const P& program, const load_options& opts, const H&... maps) {
    using maps_list = typename P::maps;
    using check = map_check<maps_list, H...>;
    if constexpr (!check::ok) {
        check::diagnose();
        return prog{};
    } else {
        // fd_array in the program's order: `ld_map<M>` holds M's index in `maps_list`.
        std::array<int, maps_list::size> fds{};
        ((fds[index_of<descriptor_of<H>, maps_list>] = static_cast<int>(maps.fd())), ...);
        return load_program({T, std::span<const insn>(program.insns), std::span<const symbol>(program.labels),
                             std::span<const int>(fds), opts});
    }
}

} // namespace detail::loading

/// Loads an assembled program as a program of type `T`. `maps` are handles
/// of the maps it references (`ld_map<M>`), one per map type, in any order;
/// a missing, duplicated or unreferenced map type does not compile.
template <prog_type T, program_type P, map_handle... H>
[[nodiscard]] prog load(const P& program, const H&... maps) {
    return detail::loading::load_typed<T>(program, load_options{}, maps...);
}

/// As above, with options (name, license, log level …).
template <prog_type T, program_type P, map_handle... H>
[[nodiscard]] prog load(const P& program, const load_options& opts, const H&... maps) {
    return detail::loading::load_typed<T>(program, opts, maps...);
}

/// Loads instructions built at run time. `map_fds` becomes fd_array: the
/// instructions' `ld_map_idx(reg, i)` refer to `map_fds[i]` (maps loaded by fd,
/// `ld_map_fd`, need no entry).
[[nodiscard]] inline prog load(prog_type type, std::span<const insn> insns, std::span<const int> map_fds = {},
                               const load_options& opts = {}) {
    return detail::loading::load_program({type, insns, {}, map_fds, opts});
}

/// As above, with the type as a template argument.
template <prog_type T>
[[nodiscard]] prog load(std::span<const insn> insns, std::span<const int> map_fds = {},
                        const load_options& opts = {}) {
    return detail::loading::load_program({T, insns, {}, map_fds, opts});
}

} // namespace bpfxx
