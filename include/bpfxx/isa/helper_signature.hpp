#pragma once
// The signature of a helper function: the kind of each argument it reads
// (r1..rN, in order) and the kind of what it returns in r0 — the kernel's
// `bpf_func_proto`, reduced to what bpfxx checks. Each helper's own is in its
// row of `enum_names<helper>::table` (isa/helpers.hpp); a helper whose
// signature the SDK does not know has the default one, `unknown()`.
//
// Two users: the static checks (a call reads exactly its N argument
// registers, isa/classify.hpp) and the typed layer (each argument's C++ type
// must be of the kind, c/call.hpp).

#include <array>
#include <cstddef>
#include <cstdint>

namespace bpfxx {

/// What a helper argument must be.
enum class helper_arg : std::uint8_t {
    none,          ///< no argument (after the last)
    map,           ///< a map (ld_imm64 of a map)
    map_key,       ///< readable memory holding a key of the map before it
    map_value,     ///< readable memory holding a value of the map before it
    map_value_out, ///< writable memory for a value of the map before it
    mem,           ///< readable memory (stack, map value, packet, record); its size follows
    out_mem,       ///< writable memory (stack, map value, record); its size follows
    size,          ///< the size of the memory before it
    context,       ///< the program's context
    record,        ///< a reserved ring buffer record
    scalar,        ///< an integer (flags, indices, values)
    anything,      ///< an integer or any pointer (an address to probe-read, a callback, a pointer that may be 0)
};

/// What a helper returns in r0.
enum class helper_result : std::uint8_t {
    unknown,           ///< the SDK does not know the helper's signature
    integer,           ///< a number (often 0 or a negative errno)
    nothing,           ///< void
    map_value_or_null, ///< a pointer to a map value, or 0
    record_or_null,    ///< a ring buffer record, or 0
};

/// The largest number of arguments a helper takes (r1..r5).
inline constexpr std::size_t max_helper_args = 5;

/// A helper's argument kinds, in order (`none` after the last), and its result.
struct helper_signature {
    helper_result result = helper_result::unknown;
    std::array<helper_arg, max_helper_args> args{};

    /// The signature of a helper the SDK knows nothing about.
    [[nodiscard]] static constexpr helper_signature unknown() noexcept { return {}; }

    [[nodiscard]] constexpr bool known() const noexcept { return result != helper_result::unknown; }

    /// How many arguments it takes: the registers r1..r`arity()` it reads.
    [[nodiscard]] constexpr std::size_t arity() const noexcept {
        std::size_t n = 0;
        while (n < args.size() && args[n] != helper_arg::none) ++n;
        return n;
    }

    friend constexpr bool operator==(const helper_signature&, const helper_signature&) = default;
};

} // namespace bpfxx
