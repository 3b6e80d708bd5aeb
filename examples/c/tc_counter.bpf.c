// tc_counter in libbpf C: counts packets and bytes, and IPv4 UDP datagrams
// to port 7000. The twin of examples/typed/tc_counter.hpp.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct traffic {
	__u64 packets;
	__u64 bytes;
	__u64 udp_7000;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct traffic);
} counters SEC(".maps");

SEC("tc")
int tc_counter(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct traffic *t = bpf_map_lookup_elem(&counters, &key);

	if (!t)
		return -1;
	__sync_fetch_and_add(&t->packets, 1);
	__sync_fetch_and_add(&t->bytes, skb->len);
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return -1;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return -1;
	if (udp->dest == bpf_htons(7000))
		__sync_fetch_and_add(&t->udp_7000, 1);
	return -1; /* TC_ACT_UNSPEC: what comes next decides */
}

char LICENSE[] SEC("license") = "GPL";
