#pragma once
// Can maps of type Y be created on the running kernel? A map of the type is
// created with parameters it accepts (one entry; a page for ring buffers; an
// inner array for maps of maps; a one-type BTF for local-storage maps), and
// closed again. struct_ops maps need a kernel struct_ops type: "supported"
// means the kernel looked the type up (approximate). The answer is cached
// for the life of the process, and says why when it is no:
//
//     if (auto s = bpfxx::probe::map_type_supported(bpfxx::map_type::arena); !s)
//         std::printf("no arena maps: %s\n", s.reason.c_str());

#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/maps/options.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/probe_cache.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace bpfxx {
namespace detail::probing {

/// A BTF with one type, `int` (id 1): what local-storage maps and the
/// btf_load feature probe need. `errnum` is set when the kernel refuses it.
[[nodiscard]] inline unique_fd int_btf(int& errnum) {
    std::array<unsigned char, 24 + 16 + 5> blob{};
    const auto put16 = [&](std::size_t at, std::uint16_t v) { std::memcpy(blob.data() + at, &v, 2); };
    const auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(blob.data() + at, &v, 4); };
    put16(0, 0xeb9f); // magic, in the host's byte order as the kernel reads it
    blob[2] = 1;      // version
    put32(4, 24);     // hdr_len
    put32(8, 0);      // type_off
    put32(12, 16);    // type_len
    put32(16, 16);    // str_off
    put32(20, 5);     // str_len
    put32(24, 1);                                // name_off: "int"
    put32(28, 1u << 24);                         // info: BTF_KIND_INT
    put32(32, 4);                                // size
    put32(36, (1u << 24) | 32u);                 // BTF_INT_SIGNED, 32 bits
    std::memcpy(blob.data() + 40 + 1, "int", 3); // strings: "\0int\0"
    sys::btf_load_attr attr{};
    attr.btf = sys::ptr(blob.data());
    attr.btf_size = static_cast<std::uint32_t>(blob.size());
    const long fd = sys::call(sys::cmd::btf_load, attr);
    errnum = fd < 0 ? errno : 0;
    return unique_fd(static_cast<int>(fd));
}

[[nodiscard]] inline std::uint32_t flag(map_flags f) noexcept { return static_cast<std::uint32_t>(f); }

[[nodiscard]] inline probe::support probe_map_type(map_type t) {
    sys::map_create_attr attr{};
    attr.map_type = static_cast<std::uint32_t>(t);
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    unique_fd inner, btf;
    bool approximate = static_cast<std::uint32_t>(t) > static_cast<std::uint32_t>(map_type::arena);
    switch (t) {
    case map_type::stack_trace: attr.value_size = 8; break;
    case map_type::lpm_trie:
        attr.key_size = 8; // prefix length + 4 bytes of data
        attr.map_flags = flag(map_flags::no_prealloc);
        break;
    case map_type::array_of_maps:
    case map_type::hash_of_maps: {
        sys::map_create_attr in{};
        in.map_type = static_cast<std::uint32_t>(map_type::array);
        in.key_size = 4;
        in.value_size = 4;
        in.max_entries = 1;
        inner = unique_fd(static_cast<int>(sys::call(sys::cmd::map_create, in)));
        if (!inner) return probe::support::refused(errno, "could not create the inner array map: " + answer_text(errno));
        attr.inner_map_fd = static_cast<std::uint32_t>(inner.get());
        break;
    }
    case map_type::cgroup_storage:
    case map_type::percpu_cgroup_storage:
        attr.key_size = 8; // the cgroup's inode id
        attr.value_size = 8;
        attr.max_entries = 0;
        break;
    case map_type::queue:
    case map_type::stack:
    case map_type::bloom_filter: attr.key_size = 0; break;
    case map_type::sk_storage:
    case map_type::inode_storage:
    case map_type::task_storage:
    case map_type::cgrp_storage: {
        int err = 0;
        btf = int_btf(err);
        if (!btf)
            return probe::support::refused(err, "local-storage maps need BTF, and BPF_BTF_LOAD answered " +
                                                    answer_text(err), true);
        attr.max_entries = 0;
        attr.map_flags = flag(map_flags::no_prealloc);
        attr.btf_fd = static_cast<std::uint32_t>(btf.get());
        attr.btf_key_type_id = 1;
        attr.btf_value_type_id = 1;
        break;
    }
    case map_type::struct_ops:
        // No real struct_ops type: a known map type answers ENOTSUPP when
        // it cannot find this one.
        attr.btf_vmlinux_value_type_id = 0x7fffffff;
        approximate = true;
        break;
    case map_type::ringbuf:
    case map_type::user_ringbuf:
        attr.key_size = 0;
        attr.value_size = 0;
        attr.max_entries = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
        break;
    case map_type::arena:
        attr.key_size = 0;
        attr.value_size = 0;
        attr.map_flags = flag(map_flags::mmapable);
        break;
    default: break;
    }
    const long fd = sys::call(sys::cmd::map_create, attr);
    const int errnum = fd < 0 ? errno : 0;
    const unique_fd owned(static_cast<int>(fd));
    if (owned) return probe::support::yes(approximate);
    if (t == map_type::struct_ops && errnum == enotsupp) return probe::support::yes(true);
    return probe::support::refused(errnum, "BPF_MAP_CREATE answered " + answer_text(errnum), approximate);
}

} // namespace detail::probing

namespace probe {

/// Whether maps of type `t` can be created on this kernel.
[[nodiscard]] inline support map_type_supported(map_type t) {
    namespace dp = detail::probing;
    return dp::cached({dp::kind::map_type, static_cast<std::uint32_t>(t)}, [&] { return dp::probe_map_type(t); });
}

/// Answers every later question about map type `t` with `s`.
inline void seed(map_type t, const support& s) {
    namespace dp = detail::probing;
    dp::cache::instance().store({dp::kind::map_type, static_cast<std::uint32_t>(t)}, s, true);
}

} // namespace probe
} // namespace bpfxx
