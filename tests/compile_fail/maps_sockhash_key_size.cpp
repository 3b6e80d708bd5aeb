// expect: a sockhash key is at most 512 bytes
// A map descriptor that the kernel would refuse (sockhash key size) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

struct big { std::uint8_t b[513]; };
struct ok { std::uint8_t b[512]; };
#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::sockhash<ok, 4>;
#else
using m = bpfxx::sockhash<big, 4>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
