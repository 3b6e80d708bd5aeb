// The SDK's own copies of kernel ABI definitions against the installed
// <linux/bpf.h>: every field of the attr and info structs of sys/attr.hpp
// that the header also has sits at the same offset with
// the same size, and every program and attach type it has has the same value.
// The installed header may be older than the kernel bpfxx targets; fields
// and enumerators it lacks are checked only by the kernel tests.
#include <doctest/doctest.h>

#include <bpfxx/isa/context.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/sys/probe_cache.hpp>

#include <cstdint>
#include <map>
#include <tuple>

#if __has_include(<linux/bpf.h>)
#include <bpfxx/sys/attr.hpp>

#include <linux/bpf.h>
#if defined(__x86_64__)
#include <asm/ptrace.h> // struct pt_regs of kprobes and uprobes
#endif

#include <cstddef>
#include <cstdint>
#include <utility>

namespace {

// A field is at the same place when offset and size agree. A macro, because
// a template cannot take a member's name; `theirs` may be a nested member
// (`test.prog_fd`) of the kernel's union.
#define BPFXX_SAME_FIELD(Ours, ours, Theirs, theirs)                                                    \
    static_assert(offsetof(Ours, ours) == offsetof(Theirs, theirs), #Ours "::" #ours ": offset");       \
    static_assert(sizeof(std::declval<Ours&>().ours) == sizeof(std::declval<Theirs&>().theirs),         \
                  #Ours "::" #ours ": size")

namespace sys = bpfxx::sys;

// BPF_MAP_CREATE
BPFXX_SAME_FIELD(sys::map_create_attr, map_type, bpf_attr, map_type);
BPFXX_SAME_FIELD(sys::map_create_attr, key_size, bpf_attr, key_size);
BPFXX_SAME_FIELD(sys::map_create_attr, value_size, bpf_attr, value_size);
BPFXX_SAME_FIELD(sys::map_create_attr, max_entries, bpf_attr, max_entries);
BPFXX_SAME_FIELD(sys::map_create_attr, map_flags, bpf_attr, map_flags);
BPFXX_SAME_FIELD(sys::map_create_attr, inner_map_fd, bpf_attr, inner_map_fd);
BPFXX_SAME_FIELD(sys::map_create_attr, numa_node, bpf_attr, numa_node);
BPFXX_SAME_FIELD(sys::map_create_attr, map_name, bpf_attr, map_name);
BPFXX_SAME_FIELD(sys::map_create_attr, map_ifindex, bpf_attr, map_ifindex);
BPFXX_SAME_FIELD(sys::map_create_attr, btf_fd, bpf_attr, btf_fd);
BPFXX_SAME_FIELD(sys::map_create_attr, btf_key_type_id, bpf_attr, btf_key_type_id);
BPFXX_SAME_FIELD(sys::map_create_attr, btf_value_type_id, bpf_attr, btf_value_type_id);
BPFXX_SAME_FIELD(sys::map_create_attr, btf_vmlinux_value_type_id, bpf_attr, btf_vmlinux_value_type_id);
BPFXX_SAME_FIELD(sys::map_create_attr, map_extra, bpf_attr, map_extra);

// BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH (tcx and uprobe_multi are newer than 6.1's header)
BPFXX_SAME_FIELD(sys::link_create_attr, prog_fd, bpf_attr, link_create.prog_fd);
BPFXX_SAME_FIELD(sys::link_create_attr, target_fd, bpf_attr, link_create.target_fd);
BPFXX_SAME_FIELD(sys::link_create_attr, target_fd, bpf_attr, link_create.target_ifindex);
BPFXX_SAME_FIELD(sys::link_create_attr, attach_type, bpf_attr, link_create.attach_type);
BPFXX_SAME_FIELD(sys::link_create_attr, flags, bpf_attr, link_create.flags);
BPFXX_SAME_FIELD(sys::link_create_attr, extra.target_btf_id, bpf_attr, link_create.target_btf_id);
BPFXX_SAME_FIELD(sys::link_create_attr, extra.perf_event.bpf_cookie, bpf_attr, link_create.perf_event.bpf_cookie);
BPFXX_SAME_FIELD(sys::link_update_attr, link_fd, bpf_attr, link_update.link_fd);
BPFXX_SAME_FIELD(sys::link_update_attr, new_prog_fd, bpf_attr, link_update.new_prog_fd);
BPFXX_SAME_FIELD(sys::link_update_attr, flags, bpf_attr, link_update.flags);
BPFXX_SAME_FIELD(sys::link_update_attr, old_prog_fd, bpf_attr, link_update.old_prog_fd);
BPFXX_SAME_FIELD(sys::link_detach_attr, link_fd, bpf_attr, link_detach.link_fd);
// BPF_RAW_TRACEPOINT_OPEN
BPFXX_SAME_FIELD(sys::raw_tracepoint_open_attr, name, bpf_attr, raw_tracepoint.name);
BPFXX_SAME_FIELD(sys::raw_tracepoint_open_attr, prog_fd, bpf_attr, raw_tracepoint.prog_fd);
// BPF_PROG_ATTACH
BPFXX_SAME_FIELD(sys::prog_attach_attr, target_fd, bpf_attr, target_fd);
BPFXX_SAME_FIELD(sys::prog_attach_attr, attach_bpf_fd, bpf_attr, attach_bpf_fd);
BPFXX_SAME_FIELD(sys::prog_attach_attr, attach_type, bpf_attr, attach_type);
BPFXX_SAME_FIELD(sys::prog_attach_attr, attach_flags, bpf_attr, attach_flags);
BPFXX_SAME_FIELD(sys::prog_attach_attr, replace_bpf_fd, bpf_attr, replace_bpf_fd);
// struct bpf_link_info
BPFXX_SAME_FIELD(sys::link_info, type, bpf_link_info, type);
BPFXX_SAME_FIELD(sys::link_info, id, bpf_link_info, id);
BPFXX_SAME_FIELD(sys::link_info, prog_id, bpf_link_info, prog_id);
static_assert(offsetof(sys::link_info, u) == offsetof(bpf_link_info, raw_tracepoint));
static_assert(offsetof(sys::link_info, u) == offsetof(bpf_link_info, xdp.ifindex));

// BPF_MAP_*_ELEM
BPFXX_SAME_FIELD(sys::map_elem_attr, map_fd, bpf_attr, map_fd);
BPFXX_SAME_FIELD(sys::map_elem_attr, key, bpf_attr, key);
BPFXX_SAME_FIELD(sys::map_elem_attr, value, bpf_attr, value);
BPFXX_SAME_FIELD(sys::map_elem_attr, value, bpf_attr, next_key);
BPFXX_SAME_FIELD(sys::map_elem_attr, flags, bpf_attr, flags);

// BPF_MAP_*_BATCH
BPFXX_SAME_FIELD(sys::map_batch_attr, in_batch, bpf_attr, batch.in_batch);
BPFXX_SAME_FIELD(sys::map_batch_attr, out_batch, bpf_attr, batch.out_batch);
BPFXX_SAME_FIELD(sys::map_batch_attr, keys, bpf_attr, batch.keys);
BPFXX_SAME_FIELD(sys::map_batch_attr, values, bpf_attr, batch.values);
BPFXX_SAME_FIELD(sys::map_batch_attr, count, bpf_attr, batch.count);
BPFXX_SAME_FIELD(sys::map_batch_attr, map_fd, bpf_attr, batch.map_fd);
BPFXX_SAME_FIELD(sys::map_batch_attr, elem_flags, bpf_attr, batch.elem_flags);
BPFXX_SAME_FIELD(sys::map_batch_attr, flags, bpf_attr, batch.flags);

// BPF_PROG_LOAD
BPFXX_SAME_FIELD(sys::prog_load_attr, prog_type, bpf_attr, prog_type);
BPFXX_SAME_FIELD(sys::prog_load_attr, insn_cnt, bpf_attr, insn_cnt);
BPFXX_SAME_FIELD(sys::prog_load_attr, insns, bpf_attr, insns);
BPFXX_SAME_FIELD(sys::prog_load_attr, license, bpf_attr, license);
BPFXX_SAME_FIELD(sys::prog_load_attr, log_level, bpf_attr, log_level);
BPFXX_SAME_FIELD(sys::prog_load_attr, log_size, bpf_attr, log_size);
BPFXX_SAME_FIELD(sys::prog_load_attr, log_buf, bpf_attr, log_buf);
BPFXX_SAME_FIELD(sys::prog_load_attr, kern_version, bpf_attr, kern_version);
BPFXX_SAME_FIELD(sys::prog_load_attr, prog_flags, bpf_attr, prog_flags);
BPFXX_SAME_FIELD(sys::prog_load_attr, prog_name, bpf_attr, prog_name);
BPFXX_SAME_FIELD(sys::prog_load_attr, prog_ifindex, bpf_attr, prog_ifindex);
BPFXX_SAME_FIELD(sys::prog_load_attr, expected_attach_type, bpf_attr, expected_attach_type);
BPFXX_SAME_FIELD(sys::prog_load_attr, prog_btf_fd, bpf_attr, prog_btf_fd);
BPFXX_SAME_FIELD(sys::prog_load_attr, func_info_rec_size, bpf_attr, func_info_rec_size);
BPFXX_SAME_FIELD(sys::prog_load_attr, func_info, bpf_attr, func_info);
BPFXX_SAME_FIELD(sys::prog_load_attr, func_info_cnt, bpf_attr, func_info_cnt);
BPFXX_SAME_FIELD(sys::prog_load_attr, line_info_rec_size, bpf_attr, line_info_rec_size);
BPFXX_SAME_FIELD(sys::prog_load_attr, line_info, bpf_attr, line_info);
BPFXX_SAME_FIELD(sys::prog_load_attr, line_info_cnt, bpf_attr, line_info_cnt);
BPFXX_SAME_FIELD(sys::prog_load_attr, attach_btf_id, bpf_attr, attach_btf_id);
BPFXX_SAME_FIELD(sys::prog_load_attr, attach_prog_fd, bpf_attr, attach_prog_fd);
BPFXX_SAME_FIELD(sys::prog_load_attr, attach_prog_fd, bpf_attr, attach_btf_obj_fd);
BPFXX_SAME_FIELD(sys::prog_load_attr, core_relo_cnt, bpf_attr, core_relo_cnt);
BPFXX_SAME_FIELD(sys::prog_load_attr, fd_array, bpf_attr, fd_array);
BPFXX_SAME_FIELD(sys::prog_load_attr, core_relos, bpf_attr, core_relos);
BPFXX_SAME_FIELD(sys::prog_load_attr, core_relo_rec_size, bpf_attr, core_relo_rec_size);

// BPF_OBJ_PIN, BPF_OBJ_GET
BPFXX_SAME_FIELD(sys::obj_attr, pathname, bpf_attr, pathname);
BPFXX_SAME_FIELD(sys::obj_attr, bpf_fd, bpf_attr, bpf_fd);
BPFXX_SAME_FIELD(sys::obj_attr, file_flags, bpf_attr, file_flags);

// BPF_PROG_TEST_RUN
BPFXX_SAME_FIELD(sys::test_run_attr, prog_fd, bpf_attr, test.prog_fd);
BPFXX_SAME_FIELD(sys::test_run_attr, retval, bpf_attr, test.retval);
BPFXX_SAME_FIELD(sys::test_run_attr, data_size_in, bpf_attr, test.data_size_in);
BPFXX_SAME_FIELD(sys::test_run_attr, data_size_out, bpf_attr, test.data_size_out);
BPFXX_SAME_FIELD(sys::test_run_attr, data_in, bpf_attr, test.data_in);
BPFXX_SAME_FIELD(sys::test_run_attr, data_out, bpf_attr, test.data_out);
BPFXX_SAME_FIELD(sys::test_run_attr, repeat, bpf_attr, test.repeat);
BPFXX_SAME_FIELD(sys::test_run_attr, duration, bpf_attr, test.duration);
BPFXX_SAME_FIELD(sys::test_run_attr, ctx_size_in, bpf_attr, test.ctx_size_in);
BPFXX_SAME_FIELD(sys::test_run_attr, ctx_size_out, bpf_attr, test.ctx_size_out);
BPFXX_SAME_FIELD(sys::test_run_attr, ctx_in, bpf_attr, test.ctx_in);
BPFXX_SAME_FIELD(sys::test_run_attr, ctx_out, bpf_attr, test.ctx_out);
BPFXX_SAME_FIELD(sys::test_run_attr, flags, bpf_attr, test.flags);
BPFXX_SAME_FIELD(sys::test_run_attr, cpu, bpf_attr, test.cpu);
BPFXX_SAME_FIELD(sys::test_run_attr, batch_size, bpf_attr, test.batch_size);

// BPF_*_GET_NEXT_ID, BPF_*_GET_FD_BY_ID
BPFXX_SAME_FIELD(sys::id_attr, id, bpf_attr, start_id);
BPFXX_SAME_FIELD(sys::id_attr, id, bpf_attr, prog_id);
BPFXX_SAME_FIELD(sys::id_attr, id, bpf_attr, map_id);
BPFXX_SAME_FIELD(sys::id_attr, id, bpf_attr, btf_id);
BPFXX_SAME_FIELD(sys::id_attr, id, bpf_attr, link_id);
BPFXX_SAME_FIELD(sys::id_attr, next_id, bpf_attr, next_id);
BPFXX_SAME_FIELD(sys::id_attr, open_flags, bpf_attr, open_flags);

// BPF_OBJ_GET_INFO_BY_FD
BPFXX_SAME_FIELD(sys::info_attr, bpf_fd, bpf_attr, info.bpf_fd);
BPFXX_SAME_FIELD(sys::info_attr, info_len, bpf_attr, info.info_len);
BPFXX_SAME_FIELD(sys::info_attr, info, bpf_attr, info.info);

// BPF_BTF_LOAD
BPFXX_SAME_FIELD(sys::btf_load_attr, btf, bpf_attr, btf);
BPFXX_SAME_FIELD(sys::btf_load_attr, btf_log_buf, bpf_attr, btf_log_buf);
BPFXX_SAME_FIELD(sys::btf_load_attr, btf_size, bpf_attr, btf_size);
BPFXX_SAME_FIELD(sys::btf_load_attr, btf_log_size, bpf_attr, btf_log_size);
BPFXX_SAME_FIELD(sys::btf_load_attr, btf_log_level, bpf_attr, btf_log_level);

// struct bpf_prog_info (gpl_compatible is a bit-field: checked after ifindex below)
BPFXX_SAME_FIELD(sys::prog_info, type, bpf_prog_info, type);
BPFXX_SAME_FIELD(sys::prog_info, id, bpf_prog_info, id);

// The context structures of isa/context.hpp.
BPFXX_SAME_FIELD(bpfxx::sk_buff, len, __sk_buff, len);
BPFXX_SAME_FIELD(bpfxx::sk_buff, pkt_type, __sk_buff, pkt_type);
BPFXX_SAME_FIELD(bpfxx::sk_buff, mark, __sk_buff, mark);
BPFXX_SAME_FIELD(bpfxx::sk_buff, queue_mapping, __sk_buff, queue_mapping);
BPFXX_SAME_FIELD(bpfxx::sk_buff, protocol, __sk_buff, protocol);
BPFXX_SAME_FIELD(bpfxx::sk_buff, vlan_present, __sk_buff, vlan_present);
BPFXX_SAME_FIELD(bpfxx::sk_buff, vlan_tci, __sk_buff, vlan_tci);
BPFXX_SAME_FIELD(bpfxx::sk_buff, vlan_proto, __sk_buff, vlan_proto);
BPFXX_SAME_FIELD(bpfxx::sk_buff, priority, __sk_buff, priority);
BPFXX_SAME_FIELD(bpfxx::sk_buff, ingress_ifindex, __sk_buff, ingress_ifindex);
BPFXX_SAME_FIELD(bpfxx::sk_buff, ifindex, __sk_buff, ifindex);
BPFXX_SAME_FIELD(bpfxx::sk_buff, tc_index, __sk_buff, tc_index);
BPFXX_SAME_FIELD(bpfxx::sk_buff, cb, __sk_buff, cb);
BPFXX_SAME_FIELD(bpfxx::sk_buff, hash, __sk_buff, hash);
BPFXX_SAME_FIELD(bpfxx::sk_buff, tc_classid, __sk_buff, tc_classid);
BPFXX_SAME_FIELD(bpfxx::sk_buff, data, __sk_buff, data);
BPFXX_SAME_FIELD(bpfxx::sk_buff, data_end, __sk_buff, data_end);
BPFXX_SAME_FIELD(bpfxx::sk_buff, napi_id, __sk_buff, napi_id);
BPFXX_SAME_FIELD(bpfxx::sk_buff, family, __sk_buff, family);
BPFXX_SAME_FIELD(bpfxx::sk_buff, remote_ip4, __sk_buff, remote_ip4);
BPFXX_SAME_FIELD(bpfxx::sk_buff, local_ip4, __sk_buff, local_ip4);
BPFXX_SAME_FIELD(bpfxx::sk_buff, remote_ip6, __sk_buff, remote_ip6);
BPFXX_SAME_FIELD(bpfxx::sk_buff, local_ip6, __sk_buff, local_ip6);
BPFXX_SAME_FIELD(bpfxx::sk_buff, remote_port, __sk_buff, remote_port);
BPFXX_SAME_FIELD(bpfxx::sk_buff, local_port, __sk_buff, local_port);
BPFXX_SAME_FIELD(bpfxx::sk_buff, data_meta, __sk_buff, data_meta);
BPFXX_SAME_FIELD(bpfxx::sk_buff, flow_keys, __sk_buff, flow_keys);
BPFXX_SAME_FIELD(bpfxx::sk_buff, tstamp, __sk_buff, tstamp);
BPFXX_SAME_FIELD(bpfxx::sk_buff, wire_len, __sk_buff, wire_len);
BPFXX_SAME_FIELD(bpfxx::sk_buff, gso_segs, __sk_buff, gso_segs);
BPFXX_SAME_FIELD(bpfxx::sk_buff, sk, __sk_buff, sk);
BPFXX_SAME_FIELD(bpfxx::sk_buff, gso_size, __sk_buff, gso_size);
BPFXX_SAME_FIELD(bpfxx::sk_buff, tstamp_type, __sk_buff, tstamp_type);
BPFXX_SAME_FIELD(bpfxx::sk_buff, hwtstamp, __sk_buff, hwtstamp);
static_assert(sizeof(bpfxx::sk_buff) == sizeof(__sk_buff));
BPFXX_SAME_FIELD(bpfxx::xdp_md, data, xdp_md, data);
BPFXX_SAME_FIELD(bpfxx::xdp_md, data_end, xdp_md, data_end);
BPFXX_SAME_FIELD(bpfxx::xdp_md, data_meta, xdp_md, data_meta);
BPFXX_SAME_FIELD(bpfxx::xdp_md, ingress_ifindex, xdp_md, ingress_ifindex);
BPFXX_SAME_FIELD(bpfxx::xdp_md, rx_queue_index, xdp_md, rx_queue_index);
BPFXX_SAME_FIELD(bpfxx::xdp_md, egress_ifindex, xdp_md, egress_ifindex);
static_assert(sizeof(bpfxx::xdp_md) == sizeof(::xdp_md));
#if defined(__x86_64__)
BPFXX_SAME_FIELD(bpfxx::pt_regs, r15, ::pt_regs, r15);
BPFXX_SAME_FIELD(bpfxx::pt_regs, bp, ::pt_regs, rbp);
BPFXX_SAME_FIELD(bpfxx::pt_regs, r8, ::pt_regs, r8);
BPFXX_SAME_FIELD(bpfxx::pt_regs, ax, ::pt_regs, rax);
BPFXX_SAME_FIELD(bpfxx::pt_regs, cx, ::pt_regs, rcx);
BPFXX_SAME_FIELD(bpfxx::pt_regs, dx, ::pt_regs, rdx);
BPFXX_SAME_FIELD(bpfxx::pt_regs, si, ::pt_regs, rsi);
BPFXX_SAME_FIELD(bpfxx::pt_regs, di, ::pt_regs, rdi);
BPFXX_SAME_FIELD(bpfxx::pt_regs, r9, ::pt_regs, r9);
BPFXX_SAME_FIELD(bpfxx::pt_regs, ip, ::pt_regs, rip);
BPFXX_SAME_FIELD(bpfxx::pt_regs, sp, ::pt_regs, rsp);
BPFXX_SAME_FIELD(bpfxx::pt_regs, ss, ::pt_regs, ss);
static_assert(sizeof(bpfxx::pt_regs) == sizeof(::pt_regs));
#endif
static_assert(bpfxx::xdp::aborted == XDP_ABORTED && bpfxx::xdp::drop == XDP_DROP && bpfxx::xdp::pass == XDP_PASS &&
              bpfxx::xdp::tx == XDP_TX && bpfxx::xdp::redirect == XDP_REDIRECT);
BPFXX_SAME_FIELD(sys::prog_info, tag, bpf_prog_info, tag);
BPFXX_SAME_FIELD(sys::prog_info, jited_prog_len, bpf_prog_info, jited_prog_len);
BPFXX_SAME_FIELD(sys::prog_info, xlated_prog_len, bpf_prog_info, xlated_prog_len);
BPFXX_SAME_FIELD(sys::prog_info, jited_prog_insns, bpf_prog_info, jited_prog_insns);
BPFXX_SAME_FIELD(sys::prog_info, xlated_prog_insns, bpf_prog_info, xlated_prog_insns);
BPFXX_SAME_FIELD(sys::prog_info, load_time, bpf_prog_info, load_time);
BPFXX_SAME_FIELD(sys::prog_info, created_by_uid, bpf_prog_info, created_by_uid);
BPFXX_SAME_FIELD(sys::prog_info, nr_map_ids, bpf_prog_info, nr_map_ids);
BPFXX_SAME_FIELD(sys::prog_info, map_ids, bpf_prog_info, map_ids);
BPFXX_SAME_FIELD(sys::prog_info, name, bpf_prog_info, name);
BPFXX_SAME_FIELD(sys::prog_info, ifindex, bpf_prog_info, ifindex);
static_assert(offsetof(sys::prog_info, gpl_compatible) == offsetof(bpf_prog_info, ifindex) + 4);
BPFXX_SAME_FIELD(sys::prog_info, netns_dev, bpf_prog_info, netns_dev);
BPFXX_SAME_FIELD(sys::prog_info, netns_ino, bpf_prog_info, netns_ino);
BPFXX_SAME_FIELD(sys::prog_info, nr_jited_ksyms, bpf_prog_info, nr_jited_ksyms);
BPFXX_SAME_FIELD(sys::prog_info, nr_jited_func_lens, bpf_prog_info, nr_jited_func_lens);
BPFXX_SAME_FIELD(sys::prog_info, jited_ksyms, bpf_prog_info, jited_ksyms);
BPFXX_SAME_FIELD(sys::prog_info, jited_func_lens, bpf_prog_info, jited_func_lens);
BPFXX_SAME_FIELD(sys::prog_info, btf_id, bpf_prog_info, btf_id);
BPFXX_SAME_FIELD(sys::prog_info, func_info_rec_size, bpf_prog_info, func_info_rec_size);
BPFXX_SAME_FIELD(sys::prog_info, func_info, bpf_prog_info, func_info);
BPFXX_SAME_FIELD(sys::prog_info, nr_func_info, bpf_prog_info, nr_func_info);
BPFXX_SAME_FIELD(sys::prog_info, nr_line_info, bpf_prog_info, nr_line_info);
BPFXX_SAME_FIELD(sys::prog_info, line_info, bpf_prog_info, line_info);
BPFXX_SAME_FIELD(sys::prog_info, jited_line_info, bpf_prog_info, jited_line_info);
BPFXX_SAME_FIELD(sys::prog_info, nr_jited_line_info, bpf_prog_info, nr_jited_line_info);
BPFXX_SAME_FIELD(sys::prog_info, line_info_rec_size, bpf_prog_info, line_info_rec_size);
BPFXX_SAME_FIELD(sys::prog_info, jited_line_info_rec_size, bpf_prog_info, jited_line_info_rec_size);
BPFXX_SAME_FIELD(sys::prog_info, nr_prog_tags, bpf_prog_info, nr_prog_tags);
BPFXX_SAME_FIELD(sys::prog_info, prog_tags, bpf_prog_info, prog_tags);
BPFXX_SAME_FIELD(sys::prog_info, run_time_ns, bpf_prog_info, run_time_ns);
BPFXX_SAME_FIELD(sys::prog_info, run_cnt, bpf_prog_info, run_cnt);
BPFXX_SAME_FIELD(sys::prog_info, recursion_misses, bpf_prog_info, recursion_misses);
BPFXX_SAME_FIELD(sys::prog_info, verified_insns, bpf_prog_info, verified_insns);
BPFXX_SAME_FIELD(sys::prog_info, attach_btf_obj_id, bpf_prog_info, attach_btf_obj_id);
BPFXX_SAME_FIELD(sys::prog_info, attach_btf_id, bpf_prog_info, attach_btf_id);
static_assert(sizeof(sys::prog_info) == sizeof(bpf_prog_info));

// struct bpf_map_info
BPFXX_SAME_FIELD(sys::map_info, type, bpf_map_info, type);
BPFXX_SAME_FIELD(sys::map_info, id, bpf_map_info, id);
BPFXX_SAME_FIELD(sys::map_info, key_size, bpf_map_info, key_size);
BPFXX_SAME_FIELD(sys::map_info, value_size, bpf_map_info, value_size);
BPFXX_SAME_FIELD(sys::map_info, max_entries, bpf_map_info, max_entries);
BPFXX_SAME_FIELD(sys::map_info, map_flags, bpf_map_info, map_flags);
BPFXX_SAME_FIELD(sys::map_info, name, bpf_map_info, name);
BPFXX_SAME_FIELD(sys::map_info, ifindex, bpf_map_info, ifindex);
BPFXX_SAME_FIELD(sys::map_info, btf_vmlinux_value_type_id, bpf_map_info, btf_vmlinux_value_type_id);
BPFXX_SAME_FIELD(sys::map_info, netns_dev, bpf_map_info, netns_dev);
BPFXX_SAME_FIELD(sys::map_info, netns_ino, bpf_map_info, netns_ino);
BPFXX_SAME_FIELD(sys::map_info, btf_id, bpf_map_info, btf_id);
BPFXX_SAME_FIELD(sys::map_info, btf_key_type_id, bpf_map_info, btf_key_type_id);
BPFXX_SAME_FIELD(sys::map_info, btf_value_type_id, bpf_map_info, btf_value_type_id);
BPFXX_SAME_FIELD(sys::map_info, map_extra, bpf_map_info, map_extra);

#undef BPFXX_SAME_FIELD

template <class Ours, class Theirs>
constexpr bool same(Ours ours, Theirs theirs) {
    return static_cast<std::uint64_t>(ours) == static_cast<std::uint64_t>(theirs);
}

using bpfxx::attach_type;
using bpfxx::prog_type;

static_assert(same(prog_type::unspec, BPF_PROG_TYPE_UNSPEC));
static_assert(same(prog_type::socket_filter, BPF_PROG_TYPE_SOCKET_FILTER));
static_assert(same(prog_type::kprobe, BPF_PROG_TYPE_KPROBE));
static_assert(same(prog_type::sched_cls, BPF_PROG_TYPE_SCHED_CLS));
static_assert(same(prog_type::sched_act, BPF_PROG_TYPE_SCHED_ACT));
static_assert(same(prog_type::tracepoint, BPF_PROG_TYPE_TRACEPOINT));
static_assert(same(prog_type::xdp, BPF_PROG_TYPE_XDP));
static_assert(same(prog_type::perf_event, BPF_PROG_TYPE_PERF_EVENT));
static_assert(same(prog_type::cgroup_skb, BPF_PROG_TYPE_CGROUP_SKB));
static_assert(same(prog_type::cgroup_sock, BPF_PROG_TYPE_CGROUP_SOCK));
static_assert(same(prog_type::lwt_in, BPF_PROG_TYPE_LWT_IN));
static_assert(same(prog_type::lwt_out, BPF_PROG_TYPE_LWT_OUT));
static_assert(same(prog_type::lwt_xmit, BPF_PROG_TYPE_LWT_XMIT));
static_assert(same(prog_type::sock_ops, BPF_PROG_TYPE_SOCK_OPS));
static_assert(same(prog_type::sk_skb, BPF_PROG_TYPE_SK_SKB));
static_assert(same(prog_type::cgroup_device, BPF_PROG_TYPE_CGROUP_DEVICE));
static_assert(same(prog_type::sk_msg, BPF_PROG_TYPE_SK_MSG));
static_assert(same(prog_type::raw_tracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT));
static_assert(same(prog_type::cgroup_sock_addr, BPF_PROG_TYPE_CGROUP_SOCK_ADDR));
static_assert(same(prog_type::lwt_seg6local, BPF_PROG_TYPE_LWT_SEG6LOCAL));
static_assert(same(prog_type::lirc_mode2, BPF_PROG_TYPE_LIRC_MODE2));
static_assert(same(prog_type::sk_reuseport, BPF_PROG_TYPE_SK_REUSEPORT));
static_assert(same(prog_type::flow_dissector, BPF_PROG_TYPE_FLOW_DISSECTOR));
static_assert(same(prog_type::cgroup_sysctl, BPF_PROG_TYPE_CGROUP_SYSCTL));
static_assert(same(prog_type::raw_tracepoint_writable, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE));
static_assert(same(prog_type::cgroup_sockopt, BPF_PROG_TYPE_CGROUP_SOCKOPT));
static_assert(same(prog_type::tracing, BPF_PROG_TYPE_TRACING));
static_assert(same(prog_type::struct_ops, BPF_PROG_TYPE_STRUCT_OPS));
static_assert(same(prog_type::ext, BPF_PROG_TYPE_EXT));
static_assert(same(prog_type::lsm, BPF_PROG_TYPE_LSM));
static_assert(same(prog_type::sk_lookup, BPF_PROG_TYPE_SK_LOOKUP));
static_assert(same(prog_type::syscall, BPF_PROG_TYPE_SYSCALL));

static_assert(same(attach_type::cgroup_inet_ingress, BPF_CGROUP_INET_INGRESS));
static_assert(same(attach_type::cgroup_inet_egress, BPF_CGROUP_INET_EGRESS));
static_assert(same(attach_type::cgroup_inet_sock_create, BPF_CGROUP_INET_SOCK_CREATE));
static_assert(same(attach_type::cgroup_sock_ops, BPF_CGROUP_SOCK_OPS));
static_assert(same(attach_type::sk_skb_stream_parser, BPF_SK_SKB_STREAM_PARSER));
static_assert(same(attach_type::sk_skb_stream_verdict, BPF_SK_SKB_STREAM_VERDICT));
static_assert(same(attach_type::cgroup_device, BPF_CGROUP_DEVICE));
static_assert(same(attach_type::sk_msg_verdict, BPF_SK_MSG_VERDICT));
static_assert(same(attach_type::cgroup_inet4_bind, BPF_CGROUP_INET4_BIND));
static_assert(same(attach_type::cgroup_inet6_bind, BPF_CGROUP_INET6_BIND));
static_assert(same(attach_type::cgroup_inet4_connect, BPF_CGROUP_INET4_CONNECT));
static_assert(same(attach_type::cgroup_inet6_connect, BPF_CGROUP_INET6_CONNECT));
static_assert(same(attach_type::cgroup_inet4_post_bind, BPF_CGROUP_INET4_POST_BIND));
static_assert(same(attach_type::cgroup_inet6_post_bind, BPF_CGROUP_INET6_POST_BIND));
static_assert(same(attach_type::cgroup_udp4_sendmsg, BPF_CGROUP_UDP4_SENDMSG));
static_assert(same(attach_type::cgroup_udp6_sendmsg, BPF_CGROUP_UDP6_SENDMSG));
static_assert(same(attach_type::lirc_mode2, BPF_LIRC_MODE2));
static_assert(same(attach_type::flow_dissector, BPF_FLOW_DISSECTOR));
static_assert(same(attach_type::cgroup_sysctl, BPF_CGROUP_SYSCTL));
static_assert(same(attach_type::cgroup_udp4_recvmsg, BPF_CGROUP_UDP4_RECVMSG));
static_assert(same(attach_type::cgroup_udp6_recvmsg, BPF_CGROUP_UDP6_RECVMSG));
static_assert(same(attach_type::cgroup_getsockopt, BPF_CGROUP_GETSOCKOPT));
static_assert(same(attach_type::cgroup_setsockopt, BPF_CGROUP_SETSOCKOPT));
static_assert(same(attach_type::trace_raw_tp, BPF_TRACE_RAW_TP));
static_assert(same(attach_type::trace_fentry, BPF_TRACE_FENTRY));
static_assert(same(attach_type::trace_fexit, BPF_TRACE_FEXIT));
static_assert(same(attach_type::modify_return, BPF_MODIFY_RETURN));
static_assert(same(attach_type::lsm_mac, BPF_LSM_MAC));
static_assert(same(attach_type::trace_iter, BPF_TRACE_ITER));
static_assert(same(attach_type::cgroup_inet4_getpeername, BPF_CGROUP_INET4_GETPEERNAME));
static_assert(same(attach_type::cgroup_inet6_getpeername, BPF_CGROUP_INET6_GETPEERNAME));
static_assert(same(attach_type::cgroup_inet4_getsockname, BPF_CGROUP_INET4_GETSOCKNAME));
static_assert(same(attach_type::cgroup_inet6_getsockname, BPF_CGROUP_INET6_GETSOCKNAME));
static_assert(same(attach_type::xdp_devmap, BPF_XDP_DEVMAP));
static_assert(same(attach_type::cgroup_inet_sock_release, BPF_CGROUP_INET_SOCK_RELEASE));
static_assert(same(attach_type::xdp_cpumap, BPF_XDP_CPUMAP));
static_assert(same(attach_type::sk_lookup, BPF_SK_LOOKUP));
static_assert(same(attach_type::xdp, BPF_XDP));
static_assert(same(attach_type::sk_skb_verdict, BPF_SK_SKB_VERDICT));
static_assert(same(attach_type::sk_reuseport_select, BPF_SK_REUSEPORT_SELECT));
static_assert(same(attach_type::sk_reuseport_select_or_migrate, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE));
static_assert(same(attach_type::perf_event, BPF_PERF_EVENT));
static_assert(same(attach_type::trace_kprobe_multi, BPF_TRACE_KPROBE_MULTI));
static_assert(same(attach_type::lsm_cgroup, BPF_LSM_CGROUP));

// prog_flags (the installed header has the first six)
static_assert(bpfxx::prog_flags::strict_alignment == BPF_F_STRICT_ALIGNMENT);
static_assert(bpfxx::prog_flags::any_alignment == BPF_F_ANY_ALIGNMENT);
static_assert(bpfxx::prog_flags::test_rnd_hi32 == BPF_F_TEST_RND_HI32);
static_assert(bpfxx::prog_flags::test_state_freq == BPF_F_TEST_STATE_FREQ);
static_assert(bpfxx::prog_flags::sleepable == BPF_F_SLEEPABLE);
static_assert(bpfxx::prog_flags::xdp_has_frags == BPF_F_XDP_HAS_FRAGS);

} // namespace

TEST_CASE("sys layouts: the installed <linux/bpf.h> knows no program or attach type bpfxx lacks") {
    // The last enumerators of the installed header must be ones bpfxx has too.
    CHECK(static_cast<std::uint32_t>(BPF_PROG_TYPE_SYSCALL) <= static_cast<std::uint32_t>(prog_type::netfilter));
    CHECK(static_cast<std::uint32_t>(__MAX_BPF_ATTACH_TYPE) <=
          static_cast<std::uint32_t>(attach_type::trace_uprobe_session) + 1);
}
#endif

TEST_CASE("prog_type and attach_type names are the kernel's, without the prefix") {
    using bpfxx::to_string;
    CHECK(to_string(bpfxx::prog_type::socket_filter) == "socket_filter");
    CHECK(to_string(bpfxx::prog_type::raw_tracepoint_writable) == "raw_tracepoint_writable");
    CHECK(to_string(bpfxx::prog_type::netfilter) == "netfilter");
    CHECK(to_string(static_cast<bpfxx::prog_type>(33)).empty());
    CHECK(to_string(bpfxx::attach_type::cgroup_inet_ingress) == "cgroup_inet_ingress");
    CHECK(to_string(bpfxx::attach_type::sk_reuseport_select_or_migrate) == "sk_reuseport_select_or_migrate");
    CHECK(to_string(bpfxx::attach_type::trace_uprobe_session) == "trace_uprobe_session");
    CHECK(to_string(static_cast<bpfxx::attach_type>(58)).empty());
    static_assert(to_string(bpfxx::prog_type::xdp) == "xdp");
}

// The probe cache keeps its answers in a sorted buffer (binary search, insert
// in place): it must answer as a std::map of the same stores would.

TEST_CASE("probe cache: finds, keeps and replaces answers as a std::map model does, over random operations") {
    using bpfxx::detail::probing::key;
    using bpfxx::detail::probing::kind;
    bpfxx::detail::probing::cache cache;
    std::map<std::tuple<int, std::uint32_t, std::int64_t>, int> model; // key -> errnum of the answer kept
    std::uint64_t seed = 0x2545f4914f6cdd1dull;
    const auto next = [&] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    for (int step = 0; step < 5000; ++step) {
        const key k{static_cast<kind>(next() % 5), static_cast<std::uint32_t>(next() % 40),
                    static_cast<std::int64_t>(next() % 3) - 1};
        const auto mk = std::make_tuple(static_cast<int>(k.what), k.a, k.b);
        if (next() % 3 == 0) {
            bpfxx::probe::support got;
            const auto it = model.find(mk);
            REQUIRE(cache.find(k, got) == (it != model.end()));
            if (it != model.end()) CHECK(got.errnum == it->second);
        } else {
            const int errnum = static_cast<int>(next() % 100) + 1;
            const bool replace = next() % 2 == 0;
            cache.store(k, bpfxx::probe::support::refused(errnum, "model"), replace);
            if (replace || !model.count(mk)) model[mk] = errnum;
        }
    }
    for (const auto& [mk, errnum] : model) { // everything stored is still there, in any order of arrival
        bpfxx::probe::support got;
        REQUIRE(cache.find(key{static_cast<kind>(std::get<0>(mk)), std::get<1>(mk), std::get<2>(mk)}, got));
        CHECK(got.errnum == errnum);
    }
}
