#pragma once
// The attach layer: RAII links that tie a loaded program to where it runs and
// undo that on destruction; `probe::attach_supported(kind)` says beforehand
// whether a kind works here. Linux only.

#include <bpfxx/attach/cgroup.hpp>
#include <bpfxx/attach/link.hpp>
#include <bpfxx/attach/perf_event.hpp>
#include <bpfxx/attach/probe.hpp>
#include <bpfxx/attach/socket.hpp>
#include <bpfxx/attach/tc.hpp>
#include <bpfxx/attach/tcx.hpp>
#include <bpfxx/attach/tracepoint.hpp>
#include <bpfxx/attach/xdp.hpp>
#include <bpfxx/probe.hpp>
