#pragma once
// The map descriptors are portable and live in bpfxx/descriptors/maps.hpp;
// this header keeps the place where they were, for code that includes it.

#include <bpfxx/descriptors/maps.hpp>
#include <bpfxx/maps/options.hpp>
