#pragma once
// Helper models: the current task — get_current_pid_tgid, get_current_uid_gid
// and get_current_comm return what the test set (`machine::set_task`).
// get_current_pid_tgid is every program type's since Linux 6.10 (it is in
// bpf_base_func_proto); the other two only tracing contexts have here, as
// bpf_tracing_func_proto gives them to kprobes and tracepoints.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/vm/fault.hpp>
#include <bpfxx/vm/helpers/arguments.hpp>
#include <bpfxx/vm/memory.hpp>

#include <cstdint>

namespace bpfxx::vm::detail {

struct task_helpers {
    static constexpr helper_use helpers[] = {
        {helper::get_current_pid_tgid},
        {helper::get_current_uid_gid, context_needs::tracing},
        {helper::get_current_comm, context_needs::tracing},
    };

    template <class S>
    static constexpr bool call(S& s, helper h) noexcept {
        switch (h) {
        case helper::get_current_pid_tgid: s.ret(std::uint64_t{s.tgid} << 32 | s.pid); return true;
        case helper::get_current_uid_gid: s.ret(std::uint64_t{s.gid} << 32 | s.uid); return true;
        default: return comm(s);
        }
    }

private:
    /// bpf_get_current_comm(buf, size): strscpy_pad — at most size - 1 bytes
    /// of the name, then NULs to the end of the buffer; returns 0. The
    /// verifier refuses size 0 (ARG_CONST_SIZE).
    template <class S>
    static constexpr bool comm(S& s) noexcept {
        const auto addr = s.get(1);
        const auto size = s.get(2);
        if (s.error) return false;
        if (size == 0) {
            s.raise_helper(fault_kind::bad_helper_argument, static_cast<std::int32_t>(helper::get_current_comm));
            return false;
        }
        auto* buf = buffer_arg(s, addr, size, access::write);
        if (buf == nullptr) return false;
        bool ended = false;
        for (std::uint64_t i = 0; i < size; ++i) {
            const char c = i + 1 < size && i < s.comm.size() && !ended ? s.comm[i] : '\0';
            ended = ended || c == '\0';
            buf[i] = static_cast<std::uint8_t>(c);
        }
        s.ret(0);
        return true;
    }
};

} // namespace bpfxx::vm::detail
