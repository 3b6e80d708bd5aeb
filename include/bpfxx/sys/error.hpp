#pragma once
// `bpfxx::error`: what every failing kernel operation throws — errno as a
// `std::system_error`, the operation, the object it was about and, for a
// rejected program load, the verifier's log.

#include <bpfxx/isa/errors.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace bpfxx {

/// What an errno means, as strerror says it; ENOTSUPP (524), which libc
/// does not know, as "not supported by this kernel (ENOTSUPP)".
[[nodiscard]] inline std::string errno_text(int errnum) {
    if (errnum == enotsupp) return "not supported by this kernel (ENOTSUPP)";
    return std::generic_category().message(errnum);
}

/// An errno's symbolic name ("EPERM", "ENOTSUPP"), or its number when unknown.
[[nodiscard]] inline std::string errno_name(int errnum) {
    if (errnum == enotsupp) return "ENOTSUPP";
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    if (const char* name = ::strerrorname_np(errnum)) return name;
#endif
    return "errno " + std::to_string(errnum);
}

class error : public std::system_error {
public:
    /// `op`: what was attempted ("BPF_MAP_CREATE", "open_pinned" …);
    /// `object`: the map, program or path it concerned (may be empty).
    /// (Views, not strings: a string parameter makes every call with a literal
    /// instantiate std::string's constructor checks for that literal's length.)
    error(int errnum, std::string_view op, std::string_view object = {}, std::string_view detail = {})
        : std::system_error(errnum, std::generic_category(), std::string(op)),
          what_(compose(op, object, errnum, detail)), op_(op), object_(object), detail_(detail) {}

    /// "OPERATION 'object': errno text", then the detail on the lines below.
    [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

    [[nodiscard]] int errnum() const noexcept { return code().value(); }
    [[nodiscard]] const std::string& operation() const noexcept { return op_; }
    [[nodiscard]] const std::string& object() const noexcept { return object_; }
    /// More about the failure: for program loads, the verifier log followed
    /// by bpfxx's listing of the program with the failing instruction marked.
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

private:
    static std::string compose(std::string_view op, std::string_view object, int errnum, std::string_view detail) {
        std::string s(op);
        if (!object.empty()) {
            s += " '";
            s += object;
            s += '\'';
        }
        s += ": ";
        s += errno_text(errnum);
        if (!detail.empty()) {
            s += "\n";
            s += detail;
        }
        return s;
    }

    std::string what_;
    std::string op_;
    std::string object_;
    std::string detail_;
};

namespace detail {
/// Throws `error` for the current errno.
[[noreturn]] inline void throw_errno(std::string_view op, std::string_view object = {}, std::string_view detail = {}) {
    throw error(errno, op, object, detail);
}
} // namespace detail

} // namespace bpfxx
