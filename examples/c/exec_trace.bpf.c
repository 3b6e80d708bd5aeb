// exec_trace in libbpf C: every exec with its parent and file name, through
// a ring buffer. The twin of examples/typed/exec_trace.hpp. The records are
// laid out by hand, as the typed version's (no vmlinux.h: no BTF needed).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct fork_record { /* sched/sched_process_fork */
	__u64 common;
	__u32 parent_comm;
	__s32 parent_pid;
	__u32 child_comm;
	__s32 child_pid;
};

struct exec_record { /* sched/sched_process_exec */
	__u64 common;
	__u32 filename; /* __data_loc: length << 16 | offset */
	__s32 pid;
	__s32 old_pid;
};

struct exec_event {
	__u32 pid;
	__u32 ppid;
	char comm[16];
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} parents SEC(".maps");

SEC("tracepoint/sched/sched_process_fork")
int on_fork(struct fork_record *ctx)
{
	__u32 child = ctx->child_pid, parent = ctx->parent_pid;

	bpf_map_update_elem(&parents, &child, &parent, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct exec_record *ctx)
{
	struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	__u32 pid = ctx->pid;
	__u32 *ppid = bpf_map_lookup_elem(&parents, &pid);
	e->pid = pid;
	e->ppid = ppid ? *ppid : 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + (ctx->filename & 0xffff));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
