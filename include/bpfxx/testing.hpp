#pragma once
// Helpers for kernel tests and examples of BPF programs: whether the kernel
// allows what a test needs (and the exit code when it does not), private
// network namespaces, veth pairs and traffic, scratch cgroups. Linux only;
// most need root. Not included by bpfxx/bpfxx.hpp.

#include <bpfxx/testing/cgroup.hpp>
#include <bpfxx/testing/kernel.hpp>
#include <bpfxx/testing/net.hpp>
#include <bpfxx/testing/netns.hpp>
