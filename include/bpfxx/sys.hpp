#pragma once
// The system layer: the `bpf()` call and its attribute layouts, `bpfxx::error`,
// `unique_fd`, bpffs pins, perf_event_open and tracefs, netlink, CPU lists,
// cgroup v2's mount point, small kernel files, and the cache of what the
// kernel allows (filled by bpfxx/probe.hpp). Linux only; everything else
// that talks to the kernel is built on it.

#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/callback.hpp>
#include <bpfxx/sys/cgroup.hpp>
#include <bpfxx/sys/cpus.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/file.hpp>
#include <bpfxx/sys/mutex.hpp>
#include <bpfxx/sys/netlink.hpp>
#include <bpfxx/sys/perf_event.hpp>
#include <bpfxx/sys/pin.hpp>
#include <bpfxx/sys/probe_cache.hpp>
#include <bpfxx/sys/unique_fd.hpp>
