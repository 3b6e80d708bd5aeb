// expect: no BTF for this type
// A map value (or any type given to the BTF writer) that is neither a
// fundamental type nor described (Boost.Hana or btf::description) does not compile.
#include <bpfxx/btf/describe.hpp>

#include <cstdint>

struct opaque {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    BOOST_HANA_DEFINE_STRUCT(opaque, (std::uint32_t, a));
#else
    std::uint32_t a;
#endif
};

static_assert(bpfxx::btf::blob_of<opaque>::bytes.size() > 0);

int main() {}
