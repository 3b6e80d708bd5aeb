// map_dump: print a pinned BPF map — its type, sizes and entries as hex.
//
//     map_dump /sys/fs/bpf/some_map
//
// The map may come from anywhere (bpftool, a clang-built object, another
// bpfxx program): `bpfxx::raw_map` learns its layout from the kernel. With no
// argument, map_dump makes a small demo map, pins it under
// /sys/fs/bpf/bpfxx_demo_<pid>, dumps it, unpins it again and exits 0 only
// when the dump shows what it wrote. Where bpf() is not usable it exits 77
// (skipped), or 1 with BPFXX_REQUIRE_KERNEL=1.
#include <bpfxx/maps.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/testing/kernel.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

std::string hex(std::span<const std::byte> bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0) s += ' ';
        const auto b = std::to_integer<unsigned>(bytes[i]);
        s += digits[b >> 4];
        s += digits[b & 0xf];
    }
    return s;
}

/// A value as hex; per-CPU values one CPU after the other.
std::string value_text(const bpfxx::raw_map& m, std::span<const std::byte> value) {
    if (!m.percpu()) return hex(value);
    const std::size_t stride = (m.value_size() + 7) / 8 * 8;
    std::string s;
    for (std::size_t cpu = 0; cpu * stride < value.size(); ++cpu) {
        if (cpu != 0) s += " | ";
        s += "cpu" + std::to_string(cpu) + ": " + hex(value.subspan(cpu * stride, m.value_size()));
    }
    return s;
}

/// What `dump` read: each key with its value, or nullopt when the map's
/// values cannot be read from user space.
using entries = std::optional<std::vector<std::pair<std::vector<std::byte>, std::vector<std::byte>>>>;

entries dump(const std::string& path) {
    const auto m = bpfxx::raw_map::open_pinned(path, bpfxx::map_flags::rdonly);
    const bpfxx::map_info info = m.info();
    std::printf("%s: %s map '%s' (id %u)\n", path.c_str(), std::string(bpfxx::map_type_name(info.type)).c_str(),
                info.name.c_str(), info.id);
    std::printf("  key %u bytes, value %u bytes, max_entries %u, flags 0x%x\n", info.key_size, info.value_size,
                info.max_entries, static_cast<unsigned>(info.flags));
    if (m.key_size() == 0) {
        std::printf("  (a %s map has no keys to list)\n", std::string(bpfxx::map_type_name(info.type)).c_str());
        return entries::value_type{};
    }
    entries::value_type read;
    try {
        for (auto [key, value] : m.items()) {
            std::printf("  %s: %s\n", hex(key).c_str(), value_text(m, value).c_str());
            read.emplace_back(std::vector<std::byte>(key.begin(), key.end()),
                              std::vector<std::byte>(value.begin(), value.end()));
        }
    } catch (const bpfxx::error& e) {
        // Some maps cannot be read from user space (perf_event_array,
        // xskmap, sockmap with 4-byte values …): list their keys.
        std::printf("  (values not readable: %s)\n", e.what());
        std::size_t n = 0;
        for (auto key : m.keys()) {
            std::printf("  %s\n", hex(key).c_str());
            ++n;
        }
        std::printf("  %zu keys\n", n);
        return std::nullopt;
    }
    std::printf("  %zu entries\n", read.size());
    return read;
}

/// The demo: an array of counters with a few values set, pinned, dumped, and
/// the dump compared with what was written.
int demo() {
    if (auto code = bpfxx::testing::exit_unless("map_dump", bpfxx::map_type::array)) return *code;
    using demo_map = bpfxx::array_map<std::uint32_t, std::uint64_t, 8, bpfxx::map_options{.name = "bpfxx_demo"}>;
    const std::string path = std::string(bpfxx::bpffs_root) + "/bpfxx_demo_" + std::to_string(::getpid());
    const std::array<std::uint64_t, 8> written{0x1122334455667788, 0, 0, 42, 0, 0, 0, UINT64_MAX};
    auto m = demo_map::create({.pin = path});
    for (std::uint32_t k = 0; k < written.size(); ++k)
        if (written[k] != 0) m.update(k, written[k]);
    entries got;
    try {
        got = dump(path);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
    ::unlink(path.c_str());
    // An array has every key; each value must be what was written.
    bool same = got && got->size() == written.size();
    for (std::uint32_t k = 0; same && k < written.size(); ++k) {
        const auto& [key, value] = (*got)[k];
        same = key.size() == sizeof k && value.size() == sizeof written[k] &&
               std::memcmp(key.data(), &k, sizeof k) == 0 && std::memcmp(value.data(), &written[k], sizeof written[k]) == 0;
    }
    std::puts(same ? "the dump shows exactly what was written" : "the dump differs from what was written");
    return same ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::fprintf(stderr, "usage: %s [pinned map path]\n", argv[0]);
        return 2;
    }
    try {
        if (argc == 2) {
            (void)dump(argv[1]);
            return 0;
        }
        return demo();
    } catch (const bpfxx::error& e) {
        std::fprintf(stderr, "map_dump: %s\n", e.what());
        return 1;
    }
}
