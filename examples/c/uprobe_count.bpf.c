// uprobe_count in libbpf C: calls of a function and the time inside it. The
// twin of examples/typed/uprobe_count.hpp.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps"); /* [0] calls, [1] ns inside */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} started SEC(".maps");

SEC("uprobe")
int on_entry(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 key = 0;

	bpf_map_update_elem(&started, &id, &now, BPF_ANY);
	__u64 *n = bpf_map_lookup_elem(&calls, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("uretprobe")
int on_return(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&started, &id);

	if (!start)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *start;
	__u32 key = 1;
	__u64 *ns = bpf_map_lookup_elem(&calls, &key);
	if (ns)
		__sync_fetch_and_add(ns, delta);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
