#pragma once
// BTF objects in the kernel: loading a blob (BPF_BTF_LOAD, with the
// kernel's log in the error when it refuses), opening one by id, and
// reading back the blob of a map's, program's or module's BTF. Linux only.
//
//     auto obj = bpfxx::btf::object::load(bpfxx::btf::blob_of<my_value>::bytes);
//     auto again = bpfxx::btf::object::from_id(obj.id()).read(); // a btf::types

#include <bpfxx/btf/types.hpp>
#include <bpfxx/sys/attr.hpp>
#include <bpfxx/sys/bpf.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bpfxx::btf {

namespace detail {
/// `struct bpf_btf_info`.
struct btf_info {
    std::uint64_t btf = 0;
    std::uint32_t btf_size = 0;
    std::uint32_t id = 0;
    std::uint64_t name = 0;
    std::uint32_t name_len = 0;
    std::uint32_t kernel_btf = 0;
};
static_assert(sizeof(btf_info) == 32);
} // namespace detail

/// What the kernel says about a BTF object.
struct object_info {
    std::uint32_t id = 0;
    std::uint32_t size = 0; ///< bytes of the blob
    std::string name;       ///< "vmlinux", a module's name, or empty for BTF loaded by user space
    bool kernel = false;    ///< the kernel's own BTF (vmlinux or a module)
};

/// A BTF object in the kernel, owned through its fd. Maps and programs take
/// the fd at creation and keep their own reference: the object may be closed after.
class object {
public:
    object() noexcept = default;
    explicit object(unique_fd fd) noexcept : fd_(std::move(fd)) {}

    /// BPF_BTF_LOAD. A refusal throws `bpfxx::error` with the kernel's BTF log.
    [[nodiscard]] static object load(std::span<const std::byte> blob) {
        sys::btf_load_attr attr{};
        attr.btf = sys::ptr(blob.data());
        attr.btf_size = static_cast<std::uint32_t>(blob.size());
        if (const long fd = sys::call(sys::cmd::btf_load, attr); fd >= 0) return object(unique_fd(static_cast<int>(fd)));
        // again with a log, for the error
        std::vector<char> log(1u << 20);
        attr.btf_log_buf = sys::ptr(log.data());
        attr.btf_log_size = static_cast<std::uint32_t>(log.size());
        attr.btf_log_level = 1;
        const long fd = sys::call(sys::cmd::btf_load, attr);
        const int err = errno;
        if (fd >= 0) return object(unique_fd(static_cast<int>(fd))); // (a transient failure)
        std::string text(log.data());
        if (text.empty()) text = "the kernel gave no log";
        throw error(err, "BPF_BTF_LOAD", std::to_string(blob.size()) + " bytes", "--- BTF log ---\n" + text);
    }

    /// BPF_BTF_GET_FD_BY_ID.
    [[nodiscard]] static object from_id(std::uint32_t id) {
        sys::id_attr attr{};
        attr.id = id;
        return object(sys::call_fd(sys::cmd::btf_get_fd_by_id, attr, "BPF_BTF_GET_FD_BY_ID", "btf id " + std::to_string(id)));
    }

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    /// Gives up the fd.
    [[nodiscard]] unique_fd release() && noexcept { return std::move(fd_); }

    /// Id, size, name.
    [[nodiscard]] object_info info() const {
        char name[64] = {};
        detail::btf_info i{};
        i.name = sys::ptr(name);
        i.name_len = sizeof name;
        query(i);
        return {i.id, i.btf_size, std::string(name), i.kernel_btf != 0};
    }
    [[nodiscard]] std::uint32_t id() const { return info().id; }

    /// The blob, as the kernel keeps it.
    [[nodiscard]] std::vector<std::byte> bytes() const {
        detail::btf_info i{};
        query(i);
        std::vector<std::byte> blob(i.btf_size);
        detail::btf_info j{};
        j.btf = sys::ptr(blob.data());
        j.btf_size = i.btf_size;
        query(j);
        blob.resize(j.btf_size < blob.size() ? j.btf_size : blob.size());
        return blob;
    }

    /// The blob parsed; `base` for a module's split BTF (vmlinux's types).
    [[nodiscard]] types read(const types* base = nullptr) const {
        const auto blob = bytes();
        const auto what = "btf id " + std::to_string(id());
        return base != nullptr ? types::parse_split(blob, *base, what) : types::parse(blob, what);
    }

private:
    void query(detail::btf_info& i) const {
        sys::info_attr attr{};
        attr.bpf_fd = static_cast<std::uint32_t>(fd_.get());
        attr.info_len = sizeof i;
        attr.info = sys::ptr(&i);
        sys::call_ok(sys::cmd::obj_get_info_by_fd, attr, "BPF_OBJ_GET_INFO_BY_FD", "btf");
    }

    unique_fd fd_;
};

} // namespace bpfxx::btf
