// expect: a ring buffer's size must be a power of two and a multiple of the page size
// A map descriptor that the kernel would refuse (ringbuf not power of two) does not compile.
#include <bpfxx/maps/descriptors.hpp>

#include <cstdint>

#ifdef BPFXX_COMPILE_FAIL_CONTROL
using m = bpfxx::ringbuf<8192>;
#else
using m = bpfxx::ringbuf<12288>;
#endif

static_assert(bpfxx::map_descriptor<m>);

int main() {}
