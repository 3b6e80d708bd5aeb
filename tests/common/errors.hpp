#pragma once
// Catching the bpfxx::error a call must throw, to check what it says.
#include <bpfxx/sys/error.hpp>

#include <string_view>
#include <utility>

namespace bpfxx_test {

/// Runs `f`, which must throw bpfxx::error; gives the error (errno 0 if nothing was thrown).
template <class F>
bpfxx::error error_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const bpfxx::error& e) {
        return e;
    }
    return bpfxx::error(0, "nothing thrown");
}

inline bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

} // namespace bpfxx_test
