#pragma once
// Helper model: bpf_trace_printk, formatting as the kernel's bstr_printf does
// the conversions it allows (%d %i %u %x %X %c %s with l/ll, flags - and 0,
// a width; at most three arguments), into the machine's trace lines.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/address.hpp>
#include <bpfxx/vm/bytes.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/map_model.hpp>
#include <bpfxx/vm/memory.hpp>
#include <bpfxx/text/insn_text.hpp>

#include <cstddef>
#include <cstdint>

namespace bpfxx::vm::detail {

template <std::size_t Cap>
constexpr void append_number(fixed_text<Cap>& t, std::uint64_t v, bool negative, unsigned base, bool upper,
                             unsigned width, bool zero_pad, bool left) noexcept {
    char digits[24]{};
    unsigned n = 0;
    do {
        const char d = bpfxx::detail::hex_digits[v % base]; // base 10 or 16
        digits[n++] = upper && d >= 'a' ? static_cast<char>(d - 'a' + 'A') : d;
        v /= base;
    } while (v != 0);
    const unsigned len = n + (negative ? 1u : 0u);
    // padding past the line's capacity would be cut off: a width of 2^32 - 1 must not loop 2^32 times
    if (width > Cap) width = Cap;
    if (!left && !zero_pad)
        for (unsigned k = len; k < width; ++k) t.append(' ');
    if (negative) t.append('-');
    if (!left && zero_pad)
        for (unsigned k = len; k < width; ++k) t.append('0');
    while (n > 0) t.append(digits[--n]);
    if (left)
        for (unsigned k = len; k < width; ++k) t.append(' ');
}

struct printk_helpers {
    static constexpr helper_use helpers[] = {{helper::trace_printk}};

    template <class S>
    static constexpr bool call(S& s, helper) noexcept {
        const auto fmt = s.get(1), size = s.get(2);
        if (s.error) return false;
        const auto* p = buffer_arg(s, fmt, size, access::read);
        if (p == nullptr) return false;
        if (size == 0 || p[size - 1] != 0) {
            s.ret(static_cast<std::uint64_t>(err::einval));
            return true;
        }
        fixed_text<128> line;
        unsigned arg = 0;
        for (std::size_t i = 0; p[i] != 0; ++i) {
            if (p[i] != '%') {
                line.append(static_cast<char>(p[i]));
                continue;
            }
            ++i;
            if (p[i] == '%') {
                line.append('%');
                continue;
            }
            bool left = false, zero = false;
            for (; p[i] == '-' || p[i] == '0'; ++i) (p[i] == '-' ? left : zero) = true;
            unsigned width = 0;
            for (; p[i] >= '0' && p[i] <= '9'; ++i) // saturated: more than the line holds is the same
                width = width > 0xffffu ? width : width * 10 + static_cast<unsigned>(p[i] - '0');
            unsigned longs = 0;
            for (; p[i] == 'l'; ++i) ++longs;
            const char conv = static_cast<char>(p[i]);
            if (longs > 2 || arg == 3 || !(conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x' || conv == 'X' ||
                                           conv == 'c' || conv == 's')) {
                s.ret(static_cast<std::uint64_t>(err::einval));
                return true;
            }
            auto v = s.get(3 + arg++);
            if (s.error) return false;
            if (longs == 0 && conv != 's') v &= 0xffffffffu;
            if (conv == 'c') {
                line.append(static_cast<char>(v));
            } else if (conv == 's') {
                for (std::uint64_t a = v;; ++a) {
                    const auto* c = resolve(s, a, 1, access::read);
                    if (c == nullptr) return false;
                    if (*c == 0) break;
                    line.append(static_cast<char>(*c));
                }
            } else if (conv == 'd' || conv == 'i') {
                const auto n = static_cast<std::int64_t>(longs == 0 ? sext(v, 32) : v);
                const bool neg = n < 0;
                const auto mag = neg ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
                append_number(line, mag, neg, 10, false, width, zero, left);
            } else {
                append_number(line, v, false, conv == 'u' ? 10 : 16, conv == 'X', width, zero, left);
            }
        }
        if (s.trace_used < S::config.trace_lines) s.trace[s.trace_used++] = line;
        s.ret(line.size());
        return true;
}
};

} // namespace bpfxx::vm::detail
