#pragma once
// The probe layer: what the running kernel allows this process — program
// types, map types, helpers per program type, load-time and link features,
// attach kinds — each probed once with a real kernel call, cached, and
// explained in the kernel's words when refused; `probe::matrix()` lists them
// all. `probe::seed` answers a question in advance (to see how code behaves
// on a kernel that refuses something). Linux only; above load and maps.

#include <bpfxx/probe/attach_kinds.hpp>
#include <bpfxx/probe/features.hpp>
#include <bpfxx/probe/map_types.hpp>
#include <bpfxx/probe/matrix.hpp>
#include <bpfxx/probe/program_types.hpp>
#include <bpfxx/sys/probe_cache.hpp>
