// expect: keyed_map
// A ring buffer has no elements to look up: map<ringbuf<...>> has no lookup().
#include <bpfxx/maps.hpp>

#include <cstdint>

int main() {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    auto rb = bpfxx::ringbuf<4096>::create();
    return rb.fd() >= 0 ? 0 : 1;
#else
    auto rb = bpfxx::ringbuf<4096>::create();
    return rb.lookup(bpfxx::no_key{}) ? 0 : 1;
#endif
}
