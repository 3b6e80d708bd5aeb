// uprobe_count with typed programs (examples/typed/uprobe_count.hpp): calls
// of a function of this program, and the time inside it, from a uprobe and
// a uretprobe placed by the function's ELF symbol.
#include "typed/main.hpp"
#include "typed/uprobe_count.hpp"

#include <unistd.h>

#include <cstdio>

extern "C" [[gnu::noinline]] std::uint64_t typed_fibonacci(std::uint32_t n) {
    asm volatile("" ::: "memory"); // a real call, not folded away
    std::uint64_t a = 0, b = 1;
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto c = a + b;
        a = b;
        b = c;
    }
    return a;
}

namespace {

std::uint64_t (*volatile target)(std::uint32_t) = &typed_fibonacci;

int run() {
    using namespace examples::uprobe_count;
    auto counts = calls::create();
    auto entries = started::create();
    auto entry = bpfxx::load<bpfxx::prog_type::kprobe>(on_entry, counts, entries);
    auto ret = bpfxx::load<bpfxx::prog_type::kprobe>(on_return, counts, entries);
    auto l1 = bpfxx::attach_uprobe(entry, "/proc/self/exe", "typed_fibonacci", {.pid = ::getpid()});
    auto l2 = bpfxx::attach_uprobe(ret, "/proc/self/exe", "typed_fibonacci", {.retprobe = true, .pid = ::getpid()});
    constexpr std::uint32_t n = 1000;
    std::uint64_t sum = 0;
    for (std::uint32_t i = 0; i < n; ++i) sum += target(i % 90);
    const auto seen = counts.lookup(0).value_or(0), ns = counts.lookup(1).value_or(0);
    std::printf("called typed_fibonacci %u times (checksum %llu); the uprobe counted %llu, %.0f ns per call inside\n",
                n, static_cast<unsigned long long>(sum), static_cast<unsigned long long>(seen),
                seen ? static_cast<double>(ns) / static_cast<double>(seen) : 0.0);
    return seen == n && ns > 0 ? 0 : 1;
}

} // namespace

int main() { return examples::run_example("typed_uprobe_count", run); }
