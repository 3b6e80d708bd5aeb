#pragma once
// The maps layer: descriptors (portable, for programs and the interpreter:
// bpfxx/descriptors.hpp) and, on Linux, the handles that create, open and use
// maps in the kernel. A program's unit test that needs only descriptors
// includes <bpfxx/descriptors.hpp>, which pulls in no OS header.

#include <bpfxx/descriptors.hpp>
#include <bpfxx/maps/options.hpp>

#if defined(__linux__)
#include <bpfxx/maps/iteration.hpp>
#include <bpfxx/maps/map.hpp>
#include <bpfxx/maps/object.hpp>
#include <bpfxx/maps/raw_map.hpp>
#include <bpfxx/sys/cpus.hpp>
#endif
