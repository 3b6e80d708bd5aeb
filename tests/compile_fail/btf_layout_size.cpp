// expect: do not add up to sizeof\(T\)
// A description of a C++ type whose members do not add up to the type's size
// (here: a member left out) does not compile.
#include <bpfxx/btf/describe.hpp>

#include <cstdint>

struct two {
    std::uint32_t a;
    std::uint32_t b;
};
#ifdef BPFXX_COMPILE_FAIL_CONTROL
template <>
inline constexpr auto bpfxx::btf::description<two> =
    bpfxx::btf::fields(bpfxx::btf::field<std::uint32_t>("a"), bpfxx::btf::field<std::uint32_t>("b"));
#else
template <>
inline constexpr auto bpfxx::btf::description<two> = bpfxx::btf::fields(bpfxx::btf::field<std::uint32_t>("a"));
#endif

static_assert(bpfxx::btf::blob_of<two>::bytes.size() > 0);

int main() {}
