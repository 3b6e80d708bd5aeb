#pragma once
// The typed layer's names for the helper signatures the ISA layer keeps
// (isa/helper_signature.hpp; each helper's own in its row of
// `enum_names<helper>::table`, isa/helpers.hpp): the kind of each argument
// and of the result. The typed layer checks its calls against them
// (c/call.hpp); a helper whose signature is unknown cannot be called typed.

#include <bpfxx/isa/helper_signature.hpp>
#include <bpfxx/isa/helpers.hpp>

namespace bpfxx::c {

/// What a helper argument must be (`bpfxx::helper_arg`).
using arg = helper_arg;
/// What a helper returns (`bpfxx::helper_result`).
using returns = helper_result;
/// A helper's argument and result kinds (`bpfxx::helper_signature`).
using signature = helper_signature;
/// The signature of a helper (`bpfxx::signature_of`).
using bpfxx::signature_of;

} // namespace bpfxx::c
