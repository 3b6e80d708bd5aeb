// The kernel tier: real bpf() calls. Without the privilege to make them the
// suite exits 77 (ctest: skipped) — unless BPFXX_REQUIRE_KERNEL=1, which
// turns that into a failure so CI cannot pass by skipping.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <bpfxx/sys/bpf.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
/// Whether this process may use bpf(): create and drop a one-entry array map.
int probe_bpf() {
    bpfxx::sys::map_create_attr a{};
    a.map_type = 2; // BPF_MAP_TYPE_ARRAY
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    const long fd = bpfxx::sys::call(bpfxx::sys::cmd::map_create, a);
    if (fd < 0) return errno;
    bpfxx::unique_fd owned(static_cast<int>(fd));
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    const char* require = std::getenv("BPFXX_REQUIRE_KERNEL");
    const bool required = require != nullptr && std::strcmp(require, "1") == 0;
    if (const int err = probe_bpf(); err != 0) {
        std::fprintf(stderr, "bpfxx kernel tests: bpf() is not usable here (%s)%s\n", std::strerror(err),
                     required ? "; BPFXX_REQUIRE_KERNEL=1, so this is a failure" : "; skipped");
        return required ? 1 : 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
