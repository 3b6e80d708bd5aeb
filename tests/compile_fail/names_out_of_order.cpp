// expect: a table of enumeration names must list value 0, 1, 2 \.\.\. in order
// A table of names whose rows do not follow the values (a name would drift
// from its value) stops to_string at compile time.
#include <bpfxx/isa/names.hpp>

enum class colour { red, green, blue };

template <>
struct bpfxx::enum_names<colour> {
#ifdef BPFXX_COMPILE_FAIL_CONTROL
    static constexpr enum_name<colour> table[] = {{colour::red, "red"}, {colour::green, "green"}, {colour::blue, "blue"}};
#else
    static constexpr enum_name<colour> table[] = {{colour::red, "red"}, {colour::blue, "blue"}, {colour::green, "green"}};
#endif
};

static_assert(bpfxx::to_string(colour::red) == "red");

int main() {}
