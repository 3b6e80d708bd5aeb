// The doctest main of bpfxx_unit. Test cases live in the other files of
// tests/unit/; each is compiled into the same executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
