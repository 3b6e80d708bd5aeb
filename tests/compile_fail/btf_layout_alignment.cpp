// expect: another alignment than alignof\(T\)
// A described type whose alignment the members do not give (alignas on the
// type, which member names alone cannot show) does not compile.
#include <bpfxx/btf/describe.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
struct over_aligned {
#else
struct alignas(16) over_aligned {
#endif
    BOOST_HANA_DEFINE_STRUCT(over_aligned, (std::uint64_t, a), (std::uint64_t, b));
};

static_assert(bpfxx::btf::blob_of<over_aligned>::bytes.size() > 0);

int main() {}
