#pragma once
// Error numbers of the kernel's BPF code that <errno.h> does not name.
// Portable: the interpreter's helper models return them as the kernel does.

namespace bpfxx {

/// The kernel-internal ENOTSUPP (524): BPF commands and helpers return it to
/// user space for "not supported for this object", and libc has no text for it.
inline constexpr int enotsupp = 524;

} // namespace bpfxx
