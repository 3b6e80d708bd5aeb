#pragma once
// The `union bpf_attr` members bpfxx passes to `bpf()`, one struct per
// command group, laid out as in Linux 6.18. The installed kernel headers may
// be older than the running kernel, so the SDK carries its own copy; a test
// checks every field the installed <linux/bpf.h> also has.
//
// The kernel accepts a smaller `size` than its own union (it zero-fills the
// rest) and a larger one as long as the extra bytes are zero, so each struct
// is passed with its own size.

#include <cstdint>

namespace bpfxx::sys {

/// `bpf()` commands (enum bpf_cmd).
enum class cmd : int {
    map_create = 0,
    map_lookup_elem = 1,
    map_update_elem = 2,
    map_delete_elem = 3,
    map_get_next_key = 4,
    prog_load = 5,
    obj_pin = 6,
    obj_get = 7,
    prog_attach = 8,
    prog_detach = 9,
    prog_test_run = 10,
    prog_get_next_id = 11,
    map_get_next_id = 12,
    prog_get_fd_by_id = 13,
    map_get_fd_by_id = 14,
    obj_get_info_by_fd = 15,
    prog_query = 16,
    raw_tracepoint_open = 17,
    btf_load = 18,
    btf_get_fd_by_id = 19,
    task_fd_query = 20,
    map_lookup_and_delete_elem = 21,
    map_freeze = 22,
    btf_get_next_id = 23,
    map_lookup_batch = 24,
    map_lookup_and_delete_batch = 25,
    map_update_batch = 26,
    map_delete_batch = 27,
    link_create = 28,
    link_update = 29,
    link_get_fd_by_id = 30,
    link_get_next_id = 31,
    enable_stats = 32,
    iter_create = 33,
    link_detach = 34,
    prog_bind_map = 35,
    token_create = 36,
};

/// BPF_MAP_CREATE
struct map_create_attr {
    std::uint32_t map_type = 0;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t map_flags = 0;
    std::uint32_t inner_map_fd = 0;
    std::uint32_t numa_node = 0;
    char map_name[16] = {};
    std::uint32_t map_ifindex = 0;
    std::uint32_t btf_fd = 0;
    std::uint32_t btf_key_type_id = 0;
    std::uint32_t btf_value_type_id = 0;
    std::uint32_t btf_vmlinux_value_type_id = 0;
    std::uint64_t map_extra = 0;
    std::int32_t value_type_btf_obj_fd = 0;
    std::int32_t map_token_fd = 0;
};

/// BPF_MAP_*_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_FREEZE
struct map_elem_attr {
    std::uint32_t map_fd = 0;
    std::uint32_t pad0_ = 0;
    std::uint64_t key = 0;
    std::uint64_t value = 0; ///< also `next_key`
    std::uint64_t flags = 0;
};

/// BPF_MAP_*_BATCH
struct map_batch_attr {
    std::uint64_t in_batch = 0;
    std::uint64_t out_batch = 0;
    std::uint64_t keys = 0;
    std::uint64_t values = 0;
    std::uint32_t count = 0;
    std::uint32_t map_fd = 0;
    std::uint64_t elem_flags = 0;
    std::uint64_t flags = 0;
};

/// BPF_PROG_LOAD
struct prog_load_attr {
    std::uint32_t prog_type = 0;
    std::uint32_t insn_cnt = 0;
    std::uint64_t insns = 0;
    std::uint64_t license = 0;
    std::uint32_t log_level = 0;
    std::uint32_t log_size = 0;
    std::uint64_t log_buf = 0;
    std::uint32_t kern_version = 0;
    std::uint32_t prog_flags = 0;
    char prog_name[16] = {};
    std::uint32_t prog_ifindex = 0;
    std::uint32_t expected_attach_type = 0;
    std::uint32_t prog_btf_fd = 0;
    std::uint32_t func_info_rec_size = 0;
    std::uint64_t func_info = 0;
    std::uint32_t func_info_cnt = 0;
    std::uint32_t line_info_rec_size = 0;
    std::uint64_t line_info = 0;
    std::uint32_t line_info_cnt = 0;
    std::uint32_t attach_btf_id = 0;
    std::uint32_t attach_prog_fd = 0; ///< also `attach_btf_obj_fd`
    std::uint32_t core_relo_cnt = 0;
    std::uint64_t fd_array = 0;
    std::uint64_t core_relos = 0;
    std::uint32_t core_relo_rec_size = 0;
    std::uint32_t log_true_size = 0; ///< Linux 6.4+: the log size the kernel needed
    std::int32_t prog_token_fd = 0;
    std::uint32_t fd_array_cnt = 0;
};

/// BPF_OBJ_PIN, BPF_OBJ_GET
struct obj_attr {
    std::uint64_t pathname = 0;
    std::uint32_t bpf_fd = 0;
    std::uint32_t file_flags = 0;
    std::int32_t path_fd = 0;
    std::uint32_t pad0_ = 0;
};

/// BPF_PROG_TEST_RUN
struct test_run_attr {
    std::uint32_t prog_fd = 0;
    std::uint32_t retval = 0;
    std::uint32_t data_size_in = 0;
    std::uint32_t data_size_out = 0;
    std::uint64_t data_in = 0;
    std::uint64_t data_out = 0;
    std::uint32_t repeat = 0;
    std::uint32_t duration = 0;
    std::uint32_t ctx_size_in = 0;
    std::uint32_t ctx_size_out = 0;
    std::uint64_t ctx_in = 0;
    std::uint64_t ctx_out = 0;
    std::uint32_t flags = 0;
    std::uint32_t cpu = 0;
    std::uint32_t batch_size = 0;
    std::uint32_t pad0_ = 0;
};

/// BPF_BTF_LOAD
struct btf_load_attr {
    std::uint64_t btf = 0;
    std::uint64_t btf_log_buf = 0;
    std::uint32_t btf_size = 0;
    std::uint32_t btf_log_size = 0;
    std::uint32_t btf_log_level = 0;
    std::uint32_t btf_log_true_size = 0; ///< Linux 6.4+
    std::uint32_t btf_flags = 0;
    std::int32_t btf_token_fd = 0;
};
static_assert(sizeof(btf_load_attr) == 40);

/// BPF_*_GET_NEXT_ID, BPF_*_GET_FD_BY_ID
struct id_attr {
    std::uint32_t id = 0; ///< start_id, or prog_id / map_id / btf_id / link_id
    std::uint32_t next_id = 0;
    std::uint32_t open_flags = 0;
};

/// BPF_OBJ_GET_INFO_BY_FD
struct info_attr {
    std::uint32_t bpf_fd = 0;
    std::uint32_t info_len = 0;
    std::uint64_t info = 0;
};

/// struct bpf_prog_info (the prefix bpfxx reads).
struct prog_info {
    std::uint32_t type = 0;
    std::uint32_t id = 0;
    std::uint8_t tag[8] = {};
    std::uint32_t jited_prog_len = 0;
    std::uint32_t xlated_prog_len = 0;
    std::uint64_t jited_prog_insns = 0;
    std::uint64_t xlated_prog_insns = 0;
    std::uint64_t load_time = 0;
    std::uint32_t created_by_uid = 0;
    std::uint32_t nr_map_ids = 0;
    std::uint64_t map_ids = 0;
    char name[16] = {};
    std::uint32_t ifindex = 0;
    std::uint32_t gpl_compatible = 0; ///< bit 0
    std::uint64_t netns_dev = 0;
    std::uint64_t netns_ino = 0;
    std::uint32_t nr_jited_ksyms = 0;
    std::uint32_t nr_jited_func_lens = 0;
    std::uint64_t jited_ksyms = 0;
    std::uint64_t jited_func_lens = 0;
    std::uint32_t btf_id = 0;
    std::uint32_t func_info_rec_size = 0;
    std::uint64_t func_info = 0;
    std::uint32_t nr_func_info = 0;
    std::uint32_t nr_line_info = 0;
    std::uint64_t line_info = 0;
    std::uint64_t jited_line_info = 0;
    std::uint32_t nr_jited_line_info = 0;
    std::uint32_t line_info_rec_size = 0;
    std::uint32_t jited_line_info_rec_size = 0;
    std::uint32_t nr_prog_tags = 0;
    std::uint64_t prog_tags = 0;
    std::uint64_t run_time_ns = 0;
    std::uint64_t run_cnt = 0;
    std::uint64_t recursion_misses = 0;
    std::uint32_t verified_insns = 0;
    std::uint32_t attach_btf_obj_id = 0;
    std::uint32_t attach_btf_id = 0;
    std::uint32_t pad0_ = 0;
};

/// struct bpf_map_info (the prefix bpfxx reads).
struct map_info {
    std::uint32_t type = 0;
    std::uint32_t id = 0;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t map_flags = 0;
    char name[16] = {};
    std::uint32_t ifindex = 0;
    std::uint32_t btf_vmlinux_value_type_id = 0;
    std::uint64_t netns_dev = 0;
    std::uint64_t netns_ino = 0;
    std::uint32_t btf_id = 0;
    std::uint32_t btf_key_type_id = 0;
    std::uint32_t btf_value_type_id = 0;
    std::uint32_t btf_vmlinux_id = 0;
    std::uint64_t map_extra = 0;
};

/// BPF_LINK_CREATE. The union after `flags` (at offset 16) is laid out per
/// attach kind; bpfxx writes the members below into it.
struct link_create_attr {
    std::uint32_t prog_fd = 0;   ///< also `map_fd` (struct_ops)
    std::uint32_t target_fd = 0; ///< also `target_ifindex`
    std::uint32_t attach_type = 0;
    std::uint32_t flags = 0;
    union extra_t {
        std::uint32_t target_btf_id;
        struct {
            std::uint64_t bpf_cookie;
        } perf_event;
        struct {
            std::uint32_t relative_fd; ///< also `relative_id`
            std::uint32_t pad0_;
            std::uint64_t expected_revision;
        } tcx; ///< also netkit and cgroup (Linux 6.6+, 6.7+, 6.16+)
        struct {
            std::uint64_t path;
            std::uint64_t offsets;
            std::uint64_t ref_ctr_offsets;
            std::uint64_t cookies;
            std::uint32_t cnt;
            std::uint32_t flags;
            std::uint32_t pid;
            std::uint32_t pad0_;
        } uprobe_multi;
        std::uint64_t raw_[6];
    } extra{.raw_ = {}};
};
static_assert(sizeof(link_create_attr) == 64);

/// BPF_LINK_UPDATE
struct link_update_attr {
    std::uint32_t link_fd = 0;
    std::uint32_t new_prog_fd = 0;
    std::uint32_t flags = 0;
    std::uint32_t old_prog_fd = 0;
};

/// BPF_LINK_DETACH
struct link_detach_attr {
    std::uint32_t link_fd = 0;
};

/// BPF_RAW_TRACEPOINT_OPEN
struct raw_tracepoint_open_attr {
    std::uint64_t name = 0;
    std::uint32_t prog_fd = 0;
    std::uint32_t pad0_ = 0;
    std::uint64_t cookie = 0; ///< Linux 6.10+
};

/// BPF_PROG_ATTACH, BPF_PROG_DETACH
struct prog_attach_attr {
    std::uint32_t target_fd = 0; ///< also `target_ifindex`
    std::uint32_t attach_bpf_fd = 0;
    std::uint32_t attach_type = 0;
    std::uint32_t attach_flags = 0;
    std::uint32_t replace_bpf_fd = 0;
    std::uint32_t relative_fd = 0; ///< also `relative_id`
    std::uint64_t expected_revision = 0;
};

/// struct bpf_link_info: the common part, and the per-kind union as bytes.
struct link_info {
    std::uint32_t type = 0;
    std::uint32_t id = 0;
    std::uint32_t prog_id = 0;
    std::uint32_t pad0_ = 0;
    union {
        std::uint32_t words[12];
        std::uint64_t quads[6];
    } u{.quads = {}};
};
static_assert(sizeof(link_info) == 64);

static_assert(sizeof(map_create_attr) == 80);
static_assert(sizeof(map_elem_attr) == 32);
static_assert(sizeof(map_batch_attr) == 56);
static_assert(sizeof(prog_load_attr) == 152);
static_assert(sizeof(test_run_attr) == 80);
static_assert(sizeof(prog_info) == 232);
static_assert(sizeof(map_info) == 88);

} // namespace bpfxx::sys
