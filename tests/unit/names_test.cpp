// Names of enumerations (bpfxx/isa/names.hpp): one table per enumeration,
// read by to_string and from_string, for helpers, program, attach and map
// types and the checks' problems; and the one way lowercase hex is written.
#include <bpfxx/check/report.hpp>
#include <bpfxx/isa.hpp>
#include <bpfxx/text/insn_text.hpp>
#include <bpfxx/vm/helpers.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>

namespace {

using namespace bpfxx;

static_assert(to_string(helper::map_lookup_elem) == "map_lookup_elem");
static_assert(to_string(prog_type::socket_filter) == "socket_filter");
static_assert(to_string(attach_type::cgroup_inet_ingress) == "cgroup_inet_ingress");
static_assert(to_string(map_type::lru_percpu_hash) == "lru_percpu_hash");
static_assert(to_string(check_problem::r10_written) == "r10_written");
static_assert(to_string(static_cast<map_type>(999)).empty());
static_assert(from_string<prog_type>("xdp") == prog_type::xdp);
static_assert(!from_string<map_type>("no_such_map"));
static_assert(named_count<helper> == static_cast<std::size_t>(helper_count));
// the old names are the same function
static_assert(helper_name(helper::ktime_get_ns) == to_string(helper::ktime_get_ns));
static_assert(map_type_name(map_type::ringbuf) == to_string(map_type::ringbuf));

// The order check catches a table whose rows drift from their values.
enum class colour { red, green, blue };
constexpr enum_name<colour> in_order[] = {{colour::red, "red"}, {colour::green, "green"}, {colour::blue, "blue"}};
constexpr enum_name<colour> swapped[] = {{colour::red, "red"}, {colour::blue, "blue"}, {colour::green, "green"}};
static_assert(detail::rows_in_order(in_order));
static_assert(!detail::rows_in_order(swapped));

// The helper table holds, per helper, id, name and signature.
static_assert(helper_info_of(helper::tail_call)->name == "tail_call");
static_assert(helper_info_of(helper::tail_call)->signature.arity() == 3);
static_assert(helper_info_of(static_cast<helper>(helper_count)) == nullptr);

// A helper modelled by two families of the interpreter is caught.
static_assert(vm::detail::helper_models.unique);
static_assert(!vm::detail::make_helper_table(type_list<vm::detail::time_helpers, vm::detail::time_helpers>{}).unique);

template <class E>
void round_trip() {
    for (std::size_t k = 0; k < named_count<E>; ++k) {
        const auto e = static_cast<E>(k);
        const auto name = to_string(e);
        CAPTURE(k);
        CHECK_FALSE(name.empty());
        CHECK(from_string<E>(name) == e);
    }
    CHECK(to_string(static_cast<E>(named_count<E>)).empty());
}

} // namespace

TEST_CASE("names: every value of every named enumeration has a name that leads back to it") {
    round_trip<helper>();
    round_trip<prog_type>();
    round_trip<attach_type>();
    round_trip<map_type>();
    round_trip<check_problem>();
}

TEST_CASE("names: lowercase hex is written one way") {
    CHECK(std::string(fixed_text<16>{}.append_hex(0xab, 4).view()) == "00ab");
    CHECK(std::string(fixed_text<16>{}.append_hex(0, 1).view()) == "0");
    CHECK(std::string(fixed_text<20>{}.append_hex(0xdeadbeefcafe, 1).view()) == "deadbeefcafe");
}
