#pragma once
// The load layer: `load<prog_type>(program, maps...)` → `bpfxx::prog`, the
// verifier's verdict on a rejected program, `test_run`, program info, ids and
// pins. Linux only.

#include <bpfxx/load/load.hpp>
#include <bpfxx/load/prog.hpp>
#include <bpfxx/load/test_run.hpp>
#include <bpfxx/load/verifier_log.hpp>
