#pragma once
// Map value members the kernel manages itself — a lock, a timer, a pointer
// to a kernel object — which it recognises by their BTF. Put them in a map
// value described for BTF (BOOST_HANA_DEFINE_STRUCT or btf::description)
// and create the map with BTF (`bpfxx::with_btf`, `btf/map.hpp`):
//
//     struct counter {
//         BOOST_HANA_DEFINE_STRUCT(counter,
//             (bpfxx::btf::spin_lock, lock),
//             (std::uint64_t, hits));
//     };
//     using counters = bpfxx::with_btf<bpfxx::array_map<std::uint32_t, counter, 16>>;
//
// User space never sees their contents: the kernel zeroes them in what a
// lookup copies out and leaves them alone on update.

#include <bpfxx/asm/label.hpp>

#include <cstdint>
#include <string_view>

namespace bpfxx::btf {

/// `struct bpf_spin_lock`: programs take it with bpf_spin_lock/unlock;
/// user space updates and looks up under it with update_flags::lock / lookup_flags::lock.
struct spin_lock {
    std::uint32_t val = 0;
};
static_assert(sizeof(spin_lock) == 4);

/// `struct bpf_timer`: armed by programs (bpf_timer_init, _set_callback, _start).
struct alignas(8) timer {
    std::uint64_t opaque[2] = {};
};
static_assert(sizeof(timer) == 16);

/// What a kptr's reference is.
enum class kptr_kind : std::uint8_t {
    referenced, ///< "kptr": the map holds a reference (bpf_kptr_xchg moves it in and out)
    untrusted,  ///< "kptr_untrusted": a plain pointer the verifier checks on each use
    percpu,     ///< "percpu_kptr": an object from bpf_percpu_obj_new
};

[[nodiscard]] constexpr std::string_view kptr_tag(kptr_kind k) noexcept {
    switch (k) {
    case kptr_kind::referenced: return "kptr";
    case kptr_kind::untrusted: return "kptr_untrusted";
    case kptr_kind::percpu: return "percpu_kptr";
    }
    return {};
}

/// A pointer to the kernel struct named `Struct` ("task_struct",
/// "bpf_cpumask" …) that the map owns: in BTF `PTR → TYPE_TAG "kptr" →
/// STRUCT Struct`, the struct found by name in the kernel's BTF.
template <bpfxx::detail::fixed_string Struct, kptr_kind Kind = kptr_kind::referenced>
struct kptr {
    static constexpr std::string_view struct_name = Struct.view();
    static constexpr kptr_kind kind = Kind;
    std::uint64_t ptr = 0;
};

namespace detail {
template <class T> inline constexpr bool is_kptr = false;
template <bpfxx::detail::fixed_string S, kptr_kind K> inline constexpr bool is_kptr<kptr<S, K>> = true;
} // namespace detail

} // namespace bpfxx::btf
