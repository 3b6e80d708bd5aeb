// xdp_firewall in libbpf C: drops IPv4 packets from blocked sources and
// counts passes and drops per source. The twin of examples/typed/xdp_firewall.hpp.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct verdicts {
	__u64 passed;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct verdicts);
} per_source SEC(".maps");

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 src = ip->saddr;
	int drop = bpf_map_lookup_elem(&blocked, &src) != NULL;
	struct verdicts *v = bpf_map_lookup_elem(&per_source, &src);
	if (!v) {
		struct verdicts zero = {};
		bpf_map_update_elem(&per_source, &src, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&per_source, &src);
	}
	if (v) {
		if (drop)
			v->dropped++;
		else
			v->passed++;
	}
	return drop ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
