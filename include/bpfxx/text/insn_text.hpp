#pragma once
// `fixed_text`, and `insn_text`: the fixed-capacity string the disassembler returns, so that
// `to_string(insn)` needs no allocation and works in constant expressions:
//
//     static_assert(bpfxx::to_string(mov(r1, 2)) == "r1 = 2");

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bpfxx {

namespace detail {
/// The digits of hexadecimal numbers, lower case, as bpfxx writes them everywhere.
inline constexpr char hex_digits[] = "0123456789abcdef";
} // namespace detail

/// A string of at most `Capacity` characters in place; longer appends are
/// cut off, never overflow. Usable in constant expressions.
template <std::size_t Capacity>
class fixed_text {
public:
    static constexpr std::size_t capacity = Capacity;

    constexpr fixed_text() noexcept = default;
    constexpr explicit fixed_text(std::string_view s) noexcept { append(s); }

    [[nodiscard]] constexpr std::string_view view() const noexcept { return {buf_, len_}; }
    constexpr operator std::string_view() const noexcept { return view(); }

    [[nodiscard]] constexpr std::size_t size() const noexcept { return len_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return len_ == 0; }
    [[nodiscard]] constexpr const char* data() const noexcept { return buf_; }
    /// Always NUL-terminated.
    [[nodiscard]] constexpr const char* c_str() const noexcept { return buf_; }
    [[nodiscard]] constexpr const char* begin() const noexcept { return buf_; }
    [[nodiscard]] constexpr const char* end() const noexcept { return buf_ + len_; }

    constexpr fixed_text& append(char c) noexcept {
        if (len_ < capacity) {
            buf_[len_++] = c;
            buf_[len_] = '\0';
        }
        return *this;
    }
    constexpr fixed_text& append(std::string_view s) noexcept {
        for (const char c : s) append(c);
        return *this;
    }
    /// Decimal, with a leading '-' for negative values.
    constexpr fixed_text& append_int(std::int64_t v) noexcept {
        if (v < 0) {
            append('-');
            // -(v + 1) + 1 avoids overflow for INT64_MIN.
            return append_uint(static_cast<std::uint64_t>(-(v + 1)) + 1u);
        }
        return append_uint(static_cast<std::uint64_t>(v));
    }
    /// Decimal.
    constexpr fixed_text& append_uint(std::uint64_t v) noexcept {
        char digits[20]{};
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10u);
            v /= 10u;
        } while (v != 0);
        while (n > 0) append(digits[--n]);
        return *this;
    }
    /// `+N` or `-N`, as jump offsets are written.
    constexpr fixed_text& append_signed(std::int64_t v) noexcept {
        if (v >= 0) append('+');
        return append_int(v);
    }
    /// Lower-case hexadecimal, zero-padded to `width` digits, no prefix.
    constexpr fixed_text& append_hex(std::uint64_t v, int width) noexcept {
        char digits[16]{};
        int n = 0;
        do {
            digits[n++] = detail::hex_digits[v & 0xfu];
            v >>= 4;
        } while (v != 0 && n < 16);
        while (n < width && n < 16) digits[n++] = '0';
        while (n > 0) append(digits[--n]);
        return *this;
    }
    constexpr void clear() noexcept {
        len_ = 0;
        buf_[0] = '\0';
    }

    friend constexpr bool operator==(const fixed_text& a, const fixed_text& b) noexcept {
        return a.view() == b.view();
    }
    friend constexpr bool operator==(const fixed_text& a, std::string_view b) noexcept { return a.view() == b; }

private:
    char buf_[capacity + 1]{};
    std::size_t len_ = 0;
};

/// Text of one instruction (with its annotation, if any).
using insn_text = fixed_text<96>;

/// Stream output to any ostream-like type (a template, so that this header
/// does not need <ostream>).
template <class Os, std::size_t C>
auto operator<<(Os& os, const fixed_text<C>& t) -> decltype(os << std::string_view{}) {
    return os << t.view();
}

} // namespace bpfxx
