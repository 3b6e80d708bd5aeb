// latency_histogram in libbpf C: the time each call of a function takes, in
// log2 buckets (uprobe + uretprobe). The twin of examples/typed/latency_histogram.hpp.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} started SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} histogram SEC(".maps"); /* [k]: calls of 2^k to 2^(k+1) - 1 ns */

SEC("uprobe")
int on_entry(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();

	bpf_map_update_elem(&started, &id, &now, BPF_ANY);
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
	bpf_map_delete_elem(&started, &id);
	__u32 slot = 0;
	for (int bit = 32; bit > 0; bit /= 2)
		if (delta >> bit) {
			delta >>= bit;
			slot += bit;
		}
	__u64 *count = bpf_map_lookup_elem(&histogram, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
