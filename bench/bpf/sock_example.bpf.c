// samples/bpf/sock_example.c's program in C, for the libbpf baseline of
// bench/load.cpp: clang compiles it to the same 13 instructions bpfxx assembles.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} counters SEC(".maps");
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
SEC("socket") int sock_example(struct __sk_buff *skb) {
    __u32 key = load_byte(skb, 14 + 9);
    __u64 *v = bpf_map_lookup_elem(&counters, &key);
    if (v) __sync_fetch_and_add(v, 1);
    return 0;
}
char _license[] SEC("license") = "GPL";
