#pragma once
// What the main() of each typed example does around its work: run it on a
// thread of its own (network namespaces belong to threads), report an
// exception as a failure, and exit 77 only when bpf() cannot be used here
// (no privileges) and BPFXX_REQUIRE_KERNEL is not 1.
#include <bpfxx/bpfxx.hpp>

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <thread>

namespace examples {

/// Whether bpf() works here: it can create a one-entry array map.
inline bool bpf_usable() {
    try {
        (void)bpfxx::array_map<std::uint32_t, std::uint32_t, 1>::create();
        return true;
    } catch (const bpfxx::error&) {
        return false;
    }
}

/// Spins until `ns` nanoseconds have passed (a thread switch is the only way
/// to make it take longer); the number of clock reads.
inline std::uint64_t busy_wait(std::uint64_t ns) {
    timespec t0{}, t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t0);
    std::uint64_t spins = 0;
    do {
        ::clock_gettime(CLOCK_MONOTONIC, &t);
        ++spins;
    } while (static_cast<std::uint64_t>((t.tv_sec - t0.tv_sec) * 1000000000 + (t.tv_nsec - t0.tv_nsec)) < ns);
    return spins;
}

/// The exit code of an example whose work is `body` (0: it saw what it should).
template <class F>
int run_example(const char* name, F body) {
    if (!bpf_usable()) {
        const char* require = std::getenv("BPFXX_REQUIRE_KERNEL");
        const bool required = require != nullptr && std::strcmp(require, "1") == 0;
        std::fprintf(stderr, "%s: bpf() is not usable here (not root?)%s\n", name,
                     required ? "; BPFXX_REQUIRE_KERNEL=1, so this is a failure" : "; skipped");
        return required ? 1 : 77;
    }
    int rc = 1;
    std::exception_ptr failure;
    std::thread([&] {
        try {
            rc = body();
        } catch (...) {
            failure = std::current_exception();
        }
    }).join();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: %s\n", name, e.what());
            return 1;
        }
    }
    return rc;
}

} // namespace examples
