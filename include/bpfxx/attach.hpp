#pragma once
// The attach layer: RAII links that tie a loaded program to where it runs and
// undo that on destruction. For now: socket filters. Linux only.

#include <bpfxx/attach/socket.hpp>
