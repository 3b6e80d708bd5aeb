#pragma once
// The events layer: readers of what programs send to user space. Linux only.

#include <bpfxx/events/epoll.hpp>
#include <bpfxx/events/ring.hpp>
#include <bpfxx/events/perf_buffer.hpp>
#include <bpfxx/events/ring_buffer.hpp>
