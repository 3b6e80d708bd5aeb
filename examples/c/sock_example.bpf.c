// The program of the kernel's samples/bpf/sock_example.c in libbpf C: the
// twin of examples/typed/sock_example.hpp (tests compare the two).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("socket")
int sock_example(struct __sk_buff *skb)
{
	__u32 proto = load_byte(skb, 14 + 9); /* ip->protocol */
	__u64 *n = bpf_map_lookup_elem(&counters, &proto);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
