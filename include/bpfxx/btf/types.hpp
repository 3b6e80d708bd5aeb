#pragma once
// `btf::types`: a parsed BTF blob — vmlinux, a module's split BTF on its
// base, a map's or program's BTF, an object's `.BTF` section — and typed
// views of its types. Portable to any POSIX system (it locks with pthread):
// it reads bytes; where they come from is another header's business
// (`btf/sysfs.hpp`, `btf/kernel.hpp`, `btf/elf.hpp`).
//
// Parsing is one pass over the type section that checks every record's
// bounds and kind and keeps each type's offset, so `at(id)` is O(1). The
// index from names to ids is built on the first lookup by name (a hash
// table, O(1) after that). Malformed input throws `bpfxx::error` (EINVAL)
// naming the byte offset and the rule it breaks, never reads out of bounds;
// ids, names and chains of typedefs are checked when a view follows them.
//
//     auto vmlinux = bpfxx::btf::vmlinux();
//     auto task = vmlinux.find("task_struct", btf::kind::struct_);
//     for (const auto& m : task->members()) std::printf("%s at bit %u\n", m.name.data(), m.bit_offset);
//
// One concept: a parsed blob and its views — the views rely on the bounds the one
// pass checked, so they live with it.

#include <bpfxx/btf/format.hpp>
#include <bpfxx/btf/name_index.hpp>
#include <bpfxx/detail/order.hpp>
#include <bpfxx/detail/owner.hpp>
#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/mutex.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfxx::btf {

class types;
class type;

namespace detail {

template <class T>
[[nodiscard]] inline T load(const std::byte* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// The bytes a `types` reads: borrowed, copied onto the heap, or mapped
/// (then `release` unmaps them).
class blob_storage {
public:
    using release_fn = void (*)(const std::byte*, std::size_t) noexcept;

    blob_storage() noexcept = default;
    blob_storage(const std::byte* data, std::size_t size, release_fn release) noexcept
        : data_(data), size_(size), release_(release) {}
    blob_storage(blob_storage&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)),
          release_(std::exchange(o.release_, nullptr)) {}
    blob_storage& operator=(blob_storage&& o) noexcept {
        if (this != &o) {
            reset();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            release_ = std::exchange(o.release_, nullptr);
        }
        return *this;
    }
    blob_storage(const blob_storage&) = delete;
    blob_storage& operator=(const blob_storage&) = delete;
    ~blob_storage() { reset(); }

    /// A heap copy of `bytes`.
    [[nodiscard]] static blob_storage copy_of(std::span<const std::byte> bytes) {
        auto* p = new std::byte[bytes.size() == 0 ? 1 : bytes.size()];
        if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
        return {p, bytes.size(), [](const std::byte* q, std::size_t) noexcept { delete[] q; }};
    }
    /// `bytes`, not copied: they must outlive every `types` made of them.
    [[nodiscard]] static blob_storage borrow(std::span<const std::byte> bytes) noexcept {
        return {bytes.data(), bytes.size(), nullptr};
    }

    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

private:
    void reset() noexcept {
        if (release_ != nullptr && data_ != nullptr) release_(data_, size_);
        data_ = nullptr;
        size_ = 0;
        release_ = nullptr;
    }

    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    release_fn release_ = nullptr;
};

/// How many typedefs, qualifiers and array dimensions a view follows
/// before it calls the chain a loop (the kernel's MAX_RESOLVE_DEPTH is 32).
inline constexpr int max_chain = 32;

inline void prefetch([[maybe_unused]] const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#endif
}

/// A record's size from its kind and vlen, without a memory load on the
/// way: `12 + 4 * (fixed[k] + per_vlen[k] * vlen)`, the two small numbers
/// packed two bits per kind into constants (kinds Linux 6.18 does not know
/// read as 0 and are refused separately).
inline constexpr std::uint64_t packed_fixed = [] {
    std::uint64_t v = 0;
    for (std::uint32_t k = 1; k <= static_cast<std::uint32_t>(max_kind); ++k)
        v |= std::uint64_t{extra_bytes(static_cast<kind>(k), 0) / 4} << (2 * k);
    return v;
}();
inline constexpr std::uint64_t packed_per_vlen = [] {
    std::uint64_t v = 0;
    for (std::uint32_t k = 1; k <= static_cast<std::uint32_t>(max_kind); ++k)
        v |= std::uint64_t{(extra_bytes(static_cast<kind>(k), 1) - extra_bytes(static_cast<kind>(k), 0)) / 4} << (2 * k);
    return v;
}();
[[nodiscard]] constexpr std::size_t record_bytes(std::uint32_t info) noexcept {
    const std::uint32_t shift = (info >> 23) & 62u; // 2 * kind
    return sizeof(type_header) +
           4 * (((packed_fixed >> shift) & 3u) + ((packed_per_vlen >> shift) & 3u) * std::size_t{info_vlen(info)});
}
static_assert(record_bytes(make_info(kind::struct_, 2, false)) == 12 + 24);
static_assert(record_bytes(make_info(kind::array, 0, false)) == 12 + 12);
static_assert(record_bytes(make_info(kind::enum64, 3, true)) == 12 + 36);
static_assert(record_bytes(make_info(kind::ptr, 0, false)) == 12);

/// Iterates the vlen records after a type header as views of type V. Holds
/// the type (a view: three words) by value, so that a range of a temporary
/// type stays valid.
template <class V, std::size_t Stride, class Owner = btf::type>
class record_range {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = V;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const Owner& owner, const std::byte* p) noexcept : owner_(owner), p_(p) {}
        [[nodiscard]] V operator*() const { return V::from_record(owner_, p_); }
        iterator& operator++() noexcept {
            p_ += Stride;
            return *this;
        }
        iterator operator++(int) noexcept {
            auto old = *this;
            p_ += Stride;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }

    private:
        Owner owner_{};
        const std::byte* p_ = nullptr;
    };

    record_range(const Owner& owner, const std::byte* first, std::size_t n) noexcept
        : owner_(owner), first_(first), n_(n) {}
    [[nodiscard]] iterator begin() const noexcept { return {owner_, first_}; }
    [[nodiscard]] iterator end() const noexcept { return {owner_, first_ + n_ * Stride}; }
    [[nodiscard]] std::size_t size() const noexcept { return n_; }
    [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
    [[nodiscard]] V operator[](std::size_t i) const { return V::from_record(owner_, first_ + i * Stride); }

private:
    Owner owner_;
    const std::byte* first_;
    std::size_t n_;
};

} // namespace detail

struct member;
struct enumerator;
struct param;
struct section_var;

/// An INT's encoding.
struct int_info {
    std::uint32_t encoding = 0; ///< int_encoding bits: is_signed, is_char, is_bool
    std::uint32_t bits = 0;     ///< value bits
    std::uint32_t offset = 0;   ///< bit offset inside the storage (0 in practice)
    [[nodiscard]] constexpr bool is_signed() const noexcept { return (encoding & 1u) != 0; }
    [[nodiscard]] constexpr bool is_char() const noexcept { return (encoding & 2u) != 0; }
    [[nodiscard]] constexpr bool is_bool() const noexcept { return (encoding & 4u) != 0; }
};

/// A view of one type of a `types`: cheap to copy, valid while the `types` lives.
class type {
public:
    type() noexcept = default;

    [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
    [[nodiscard]] btf::kind kind() const noexcept {
        return rec_ == nullptr ? kind::void_ : static_cast<btf::kind>(info_kind(info()));
    }
    [[nodiscard]] std::string_view name() const;
    [[nodiscard]] bool is_void() const noexcept { return rec_ == nullptr; }
    [[nodiscard]] std::uint32_t vlen() const noexcept { return rec_ == nullptr ? 0 : info_vlen(info()); }
    [[nodiscard]] bool kind_flag() const noexcept { return rec_ != nullptr && info_kind_flag(info()); }
    /// The size field of INT, ENUM, ENUM64, STRUCT, UNION, FLOAT and DATASEC (0 for the other kinds).
    [[nodiscard]] std::uint32_t size() const noexcept {
        return rec_ != nullptr && has_size(kind()) ? detail::load<std::uint32_t>(rec_ + 8) : 0;
    }
    /// The raw third word: a size or a type id.
    [[nodiscard]] std::uint32_t size_or_type() const noexcept {
        return rec_ == nullptr ? 0 : detail::load<std::uint32_t>(rec_ + 8);
    }

    /// The type this one refers to: PTR, TYPEDEF, the qualifiers, TYPE_TAG,
    /// FUNC (its FUNC_PROTO), VAR, DECL_TAG (what it tags), FUNC_PROTO (the return type).
    [[nodiscard]] type target() const;
    /// This type with typedefs, qualifiers and type tags stripped.
    [[nodiscard]] type resolved() const;
    /// This type with qualifiers (const, volatile, restrict) and type tags stripped, typedefs kept.
    [[nodiscard]] type unqualified() const;
    /// sizeof in C: through typedefs and qualifiers, arrays multiplied out,
    /// pointers 8 bytes. Throws for types without a size (void, FUNC, FWD …).
    [[nodiscard]] std::uint64_t byte_size() const;

    [[nodiscard]] int_info as_int() const;
    /// ARRAY: element type, index type, number of elements.
    [[nodiscard]] type element() const;
    [[nodiscard]] type index_type() const;
    [[nodiscard]] std::uint32_t nelems() const;

    /// STRUCT / UNION members.
    [[nodiscard]] detail::record_range<member, sizeof(member_record)> members() const;
    /// ENUM / ENUM64 values.
    [[nodiscard]] detail::record_range<enumerator, sizeof(enum_record)> enumerators32() const;
    [[nodiscard]] detail::record_range<enumerator, sizeof(enum64_record)> enumerators64() const;
    /// ENUM or ENUM64 values, as a vector (either kind).
    [[nodiscard]] std::vector<enumerator> enumerators() const;
    /// Whether an ENUM/ENUM64's values are signed (kind_flag).
    [[nodiscard]] bool is_signed_enum() const noexcept { return kind_flag(); }
    /// FUNC_PROTO parameters (a FUNC's are its prototype's).
    [[nodiscard]] detail::record_range<param, sizeof(param_record)> params() const;
    /// FUNC_PROTO (or FUNC): the return type.
    [[nodiscard]] type return_type() const;
    /// FUNC: its FUNC_PROTO.
    [[nodiscard]] type prototype() const;
    /// FUNC linkage.
    [[nodiscard]] func_linkage linkage() const;
    /// VAR linkage.
    [[nodiscard]] btf::var_linkage var_linkage() const;
    /// DATASEC variables.
    [[nodiscard]] detail::record_range<section_var, sizeof(var_secinfo_record)> vars() const;
    /// DECL_TAG: -1 when it tags the type itself, else the member or parameter index.
    [[nodiscard]] std::int32_t component_idx() const;
    /// FWD: whether it declares a union (else a struct).
    [[nodiscard]] bool fwd_is_union() const;

    [[nodiscard]] const types& owner() const noexcept { return *owner_; }
    /// The record's bytes (header and what follows it).
    [[nodiscard]] std::span<const std::byte> record() const noexcept;

    friend bool operator==(const type& a, const type& b) noexcept { return a.owner_ == b.owner_ && a.id_ == b.id_; }

private:
    friend class types;
    friend struct member;
    friend struct param;
    friend struct section_var;
    type(const types* owner, std::uint32_t id, const std::byte* rec) noexcept : owner_(owner), rec_(rec), id_(id) {}

    [[nodiscard]] std::uint32_t info() const noexcept { return detail::load<std::uint32_t>(rec_ + 4); }
    [[nodiscard]] const std::byte* extra() const noexcept { return rec_ + sizeof(type_header); }
    void expect(btf::kind k, const char* what) const;
    void expect(btf::kind a, btf::kind b, const char* what) const;
    [[nodiscard]] type ref(std::uint32_t id) const;

    const types* owner_ = nullptr;
    const std::byte* rec_ = nullptr; ///< nullptr: void (id 0)
    std::uint32_t id_ = 0;
};

/// A STRUCT or UNION member. An anonymous member has an empty name and a
/// STRUCT or UNION type whose members belong to the outer type.
struct member {
    std::string_view name;
    btf::type type;
    std::uint32_t bit_offset = 0;
    std::uint32_t bitfield_size = 0; ///< 0: not a bitfield
    [[nodiscard]] bool anonymous() const noexcept { return name.empty(); }
    [[nodiscard]] bool is_bitfield() const noexcept { return bitfield_size != 0; }
    static member from_record(const btf::type& owner, const std::byte* p);
};

/// An ENUM or ENUM64 value. `value` is the value as the enum's signedness
/// reads it (unsigned values above INT64_MAX keep their bits).
struct enumerator {
    std::string_view name;
    std::int64_t value = 0;
    static enumerator from_record(const btf::type& owner, const std::byte* p);
};

/// A FUNC_PROTO parameter; `...` has an empty name and type void.
struct param {
    std::string_view name;
    btf::type type;
    static param from_record(const btf::type& owner, const std::byte* p);
};

/// A DATASEC entry: a VAR (or FUNC) and its place in the section.
struct section_var {
    btf::type var;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
    static section_var from_record(const btf::type& owner, const std::byte* p);
};

/// A parsed BTF blob. Move-only. A split `types` (a module's BTF) refers to
/// its base, which must stay where it is while the split one is used.
class types {
public:
    types(types&&) noexcept = default;
    types& operator=(types&&) noexcept = default;
    types(const types&) = delete;
    types& operator=(const types&) = delete;
    ~types() = default;

    /// Parses a copy of `blob`. `source` names it in errors.
    [[nodiscard]] static types parse(std::span<const std::byte> blob, std::string source = "BTF") {
        return types(detail::blob_storage::copy_of(blob), nullptr, std::move(source));
    }
    /// Parses `blob` in place: it must outlive the result.
    [[nodiscard]] static types parse_in_place(std::span<const std::byte> blob, std::string source = "BTF") {
        return types(detail::blob_storage::borrow(blob), nullptr, std::move(source));
    }
    /// Parses a copy of split BTF (ids and strings continue `base`'s).
    [[nodiscard]] static types parse_split(std::span<const std::byte> blob, const types& base,
                                           std::string source = "split BTF") {
        return types(detail::blob_storage::copy_of(blob), &base, std::move(source));
    }
    /// Parses bytes whose owner `storage` is (a mapping, a buffer …); `base` for split BTF.
    [[nodiscard]] static types adopt(detail::blob_storage storage, const types* base, std::string source) {
        return types(std::move(storage), base, std::move(source));
    }

    /// One past the highest id: ids [0, size()) are valid (0 is void). For
    /// split BTF this counts the base's types too. (Walks every record.)
    [[nodiscard]] std::uint32_t size() const { return first_id_ + walk_all(); }
    /// The first id this blob defines (1, or the base's size for split BTF).
    [[nodiscard]] std::uint32_t first_id() const noexcept { return first_id_; }
    [[nodiscard]] const types* base() const noexcept { return base_; }
    [[nodiscard]] const btf::header& header() const noexcept { return header_; }
    /// The whole blob as parsed.
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return storage_.bytes(); }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }

    /// Checks every record now (they are otherwise checked when first reached);
    /// throws `bpfxx::error` for the first malformed one.
    void check() const { (void)walk_all(); }

    /// The type with this id; throws `bpfxx::error` (EINVAL) for an id out of range.
    [[nodiscard]] type at(std::uint32_t id) const {
        if (id == 0) return type(this, 0, nullptr);
        if (id < first_id_) {
            const type t = base_->at(id);
            return type(this, id, t.rec_);
        }
        const std::uint32_t i = id - first_id_;
        if (i >= lazy_->walked.load(std::memory_order_acquire) && !walk_to(i + 1)) fail_id(id);
        return type(this, id, record_at(i));
    }
    [[nodiscard]] type operator[](std::uint32_t id) const { return at(id); }

    /// The first type (lowest id, the base's first) named `name`, of any kind; nullopt if none.
    [[nodiscard]] std::optional<type> find(std::string_view name) const {
        if (base_ != nullptr)
            if (auto t = base_->find(name)) return type(this, t->id_, t->rec_);
        std::optional<type> best;
        for (std::uint32_t k = 1; k <= static_cast<std::uint32_t>(max_kind); ++k)
            if (auto t = find_own(name, k); t && (!best || t->id_ < best->id_)) best = t;
        return best;
    }
    /// The first type named `name` of kind `k`.
    [[nodiscard]] std::optional<type> find(std::string_view name, btf::kind k) const {
        if (base_ != nullptr)
            if (auto t = base_->find(name, k)) return type(this, t->id_, t->rec_);
        return find_own(name, static_cast<std::uint32_t>(k));
    }
    /// Every type named `name`, in id order (the base's first). Completes the
    /// name index of every kind.
    [[nodiscard]] std::vector<type> find_all(std::string_view name) const {
        std::vector<type> out;
        if (base_ != nullptr)
            for (const type& t : base_->find_all(name)) out.push_back(type(this, t.id_, t.rec_));
        if (name.empty()) return out;
        const auto first_own = out.size();
        const auto h = detail::hash_name(name);
        const sys::lock lock(lazy_->mutex);
        for (std::uint32_t k = 1; k <= static_cast<std::uint32_t>(max_kind); ++k) {
            auto& index = lazy_->by_kind[k];
            (void)extend_index(index, k, {}, 0);
            index.table.probe(h, [&](std::uint32_t id) {
                const std::byte* rec = record_at(id - first_id_);
                if (has_name(rec, name)) out.push_back(type(this, id, rec));
                return false;
            });
        }
        bpfxx::detail::sort(out.data() + first_own, out.data() + out.size(),
                            [](const type& x, const type& y) { return x.id_ < y.id_; });
        return out;
    }

    /// The string at offset `off` of the string section (the base's and this blob's, for split BTF).
    [[nodiscard]] std::string_view string(std::uint32_t off) const {
        const auto [p, end] = string_at(off);
        return {p, std::strlen(p)};
    }
    /// Offsets up to this are valid string offsets (the base's strings included).
    [[nodiscard]] std::uint32_t strings_size() const noexcept { return str_base_ + str_len_; }

    /// The types this blob defines (not the base's), in id order.
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = type;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const types* t, std::uint32_t id) noexcept : t_(t), id_(id) {}
        [[nodiscard]] type operator*() const { return t_->at(id_); }
        iterator& operator++() noexcept {
            ++id_;
            return *this;
        }
        iterator operator++(int) noexcept {
            auto old = *this;
            ++id_;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.id_ == b.id_; }

    private:
        const types* t_ = nullptr;
        std::uint32_t id_ = 0;
    };
    [[nodiscard]] iterator begin() const noexcept { return {this, first_id_}; }
    [[nodiscard]] iterator end() const { return {this, size()}; }

    /// Records walked so far (of this blob; all of them once size() was asked).
    [[nodiscard]] std::uint32_t walked() const noexcept { return lazy_->walked.load(std::memory_order_acquire); }
    /// Heap bytes in use besides the blob: the offsets and kinds of the
    /// records walked (by chunks), and the name index so far.
    [[nodiscard]] std::size_t index_bytes() const {
        const sys::lock lock(lazy_->mutex);
        const std::size_t walked = lazy_->walked.load(std::memory_order_relaxed);
        std::size_t n = (walked + chunk_size - 1) / chunk_size * sizeof(chunk);
        for (const auto& t : lazy_->by_kind) n += t.table.bytes();
        return n;
    }

    /// Throws `bpfxx::error` (EINVAL) naming this blob: "byte N: rule".
    [[noreturn]] void malformed(std::uint64_t byte, const std::string& rule) const {
        throw error(EINVAL, "btf::parse", source_, "byte " + std::to_string(byte) + ": " + rule);
    }
    /// Throws `bpfxx::error` (EINVAL) about type `id`.
    [[noreturn]] void bad_type(std::uint32_t id, const std::string& what) const {
        throw error(EINVAL, "btf", source_, "type id " + std::to_string(id) + ": " + what);
    }

private:
    friend class type;

    /// The name index of one kind, built as far as lookups needed: the
    /// names of this kind's types before `next` (an index into the walked records) are in `table`.
    struct kind_index {
        detail::name_table table;
        std::uint32_t next = 0;
    };
    /// What is built on demand: the walk over the records (offsets and kinds,
    /// published through `walked`) and the name index. `mutex` guards both
    /// while they grow; reading a walked record's offset needs no lock.
    struct lazy_state {
        sys::mutex mutex;
        std::atomic<std::uint32_t> walked{0};
        std::atomic<bool> complete{false}; ///< every record walked
        std::uint64_t bad_byte = 0;        ///< where a malformed record stopped the walk,
        std::string bad_rule;              ///< and why (empty: none did)
        std::uint32_t walk_pos = 0; ///< byte offset of the next record to walk
        std::array<kind_index, 32> by_kind;
    };

    types(detail::blob_storage storage, const types* base, std::string source)
        : storage_(std::move(storage)), source_(std::move(source)), base_(base), lazy_(new lazy_state()) {
        if (base_ != nullptr) {
            first_id_ = base_->size();
            str_base_ = base_->strings_size();
        }
        read_header();
        // Every record takes at least 12 bytes: room for all of them, which
        // the walk fills in order (untouched pages cost no memory).
        const std::uint32_t most = header_.type_len / static_cast<std::uint32_t>(sizeof(type_header));
        chunks_.reset(new bpfxx::detail::owner<chunk>[most / chunk_size + 1]);
    }

    void read_header() {
        const auto blob = storage_.bytes();
        const std::byte* b = blob.data();
        if (blob.size() < sizeof(btf::header)) malformed(0, "shorter than the 24-byte BTF header");
        header_.magic = detail::load<std::uint16_t>(b);
        if (header_.magic == 0x9feb) malformed(0, "BTF of the other byte order (magic 0x9feb): not supported");
        if (header_.magic != btf::magic) malformed(0, "bad magic (not 0xeb9f)");
        header_.version = detail::load<std::uint8_t>(b + 2);
        header_.flags = detail::load<std::uint8_t>(b + 3);
        header_.hdr_len = detail::load<std::uint32_t>(b + 4);
        if (header_.version != 1) malformed(2, "unsupported version " + std::to_string(header_.version));
        if (header_.flags != 0) malformed(3, "unsupported flags");
        if (header_.hdr_len < sizeof(btf::header) || header_.hdr_len > blob.size())
            malformed(4, "hdr_len " + std::to_string(header_.hdr_len) + " is below 24 or past the end of the blob");
        header_.type_off = detail::load<std::uint32_t>(b + 8);
        header_.type_len = detail::load<std::uint32_t>(b + 12);
        header_.str_off = detail::load<std::uint32_t>(b + 16);
        header_.str_len = detail::load<std::uint32_t>(b + 20);
        const std::uint64_t data = blob.size() - header_.hdr_len;
        const std::uint64_t type_end = std::uint64_t{header_.type_off} + header_.type_len;
        const std::uint64_t str_end = std::uint64_t{header_.str_off} + header_.str_len;
        if (header_.type_off % 4 != 0) malformed(8, "type_off is not a multiple of 4");
        if (header_.type_len % 4 != 0) malformed(12, "type_len is not a multiple of 4");
        if (type_end > data) malformed(12, "the type section runs past the end of the blob");
        if (str_end > data) malformed(20, "the string section runs past the end of the blob");
        if (header_.type_len != 0 && header_.str_len != 0 &&
            !(type_end <= header_.str_off || str_end <= header_.type_off))
            malformed(16, "the type and string sections overlap");
        types_ = b + header_.hdr_len + header_.type_off;
        strings_ = reinterpret_cast<const char*>(b + header_.hdr_len + header_.str_off);
        str_len_ = header_.str_len;
        const std::uint64_t str_at = std::uint64_t{header_.hdr_len} + header_.str_off;
        if (base_ == nullptr && str_len_ == 0) malformed(str_at, "the string section is empty (it must hold at least \"\")");
        if (base_ == nullptr && strings_[0] != '\0') malformed(str_at, "the string section does not start with \\0");
        if (str_len_ != 0 && strings_[str_len_ - 1] != '\0')
            malformed(str_at + str_len_ - 1, "the string section does not end with \\0");
        if (std::uint64_t{str_base_} + str_len_ > UINT32_MAX) malformed(20, "the strings exceed 4 GiB");
    }

    /// Walks records until `count` of them are indexed; false if there are
    /// fewer. Throws for a malformed record on the way. Takes the lock.
    bool walk_to(std::uint32_t count) const {
        const sys::lock lock(lazy_->mutex);
        if (walk_locked(count) >= count) return true;
        if (!lazy_->bad_rule.empty()) throw_bad_record();
        return false;
    }
    /// All records: their number. Throws for a malformed record.
    std::uint32_t walk_all() const {
        if (lazy_->complete.load(std::memory_order_acquire)) return lazy_->walked.load(std::memory_order_acquire);
        const sys::lock lock(lazy_->mutex);
        const auto n = walk_locked(UINT32_MAX);
        if (!lazy_->bad_rule.empty()) throw_bad_record();
        return n;
    }
    /// The error of the record that stopped the walk (lock held).
    [[noreturn]] void throw_bad_record() const { malformed(lazy_->bad_byte, lazy_->bad_rule); }

    /// The one pass over the records, continued to `count` records: checks
    /// each record's kind and bounds and its name's offset, and notes its
    /// offset and kind. A malformed record stops it for good (what comes
    /// before stays usable; `bad_rule` says why). The next record's place
    /// depends on this one's kind and vlen, so the loop is a chain of
    /// dependent loads: it stays branch-free on well-formed input (sizes
    /// computed without a table, checks folded into one test). Called with
    /// the lock held; returns the records walked.
    std::uint32_t walk_locked(std::uint32_t count) const {
        auto& lz = *lazy_;
        std::uint32_t n = lz.walked.load(std::memory_order_relaxed);
        if (n >= count || !lz.bad_rule.empty()) return n;
        const std::byte* p = types_ + lz.walk_pos;
        const std::byte* const end = types_ + header_.type_len;
        const std::uint32_t strings_end = strings_size();
        const std::uint64_t at0 = std::uint64_t{header_.hdr_len} + header_.type_off;
        // publish in steps, so that readers of early records do not wait for the whole walk
        constexpr std::uint32_t step = 4096;
        while (p != end && n < count) {
            const auto off = static_cast<std::uint32_t>(p - types_);
            const auto stop = [&](std::uint64_t at, const std::string& rule) {
                lz.bad_byte = at + off;
                lz.bad_rule = "the record of type id " + std::to_string(first_id_ + n) + ": " + rule;
            };
            if (end - p < static_cast<std::ptrdiff_t>(sizeof(type_header))) {
                stop(at0, "cut off by the end of the type section");
                break;
            }
            const auto name_off = detail::load<std::uint32_t>(p);
            const auto info = detail::load<std::uint32_t>(p + 4);
            const auto k = info_kind(info);
            const std::size_t bytes = detail::record_bytes(info);
            const bool unknown = k - 1 >= static_cast<std::uint32_t>(max_kind);
            if (unknown || bytes > static_cast<std::size_t>(end - p) || name_off >= strings_end) [[unlikely]] {
                if (unknown) stop(at0 + 4, "unknown kind " + std::to_string(k));
                else if (name_off >= strings_end) stop(at0, "name offset past the string section");
                else stop(at0, "runs past the end of the type section");
                break;
            }
            auto& c = chunks_[n / chunk_size];
            if (!c) c.reset(new chunk); // published with `walked` below
            c->offsets[n % chunk_size] = off;
            c->kinds[n % chunk_size] = static_cast<std::uint8_t>(k);
            ++n;
            p += bytes;
            if (n % step == 0) {
                lz.walk_pos = static_cast<std::uint32_t>(p - types_);
                lz.walked.store(n, std::memory_order_release);
            }
        }
        if (std::uint64_t{first_id_} + n > 0x7fffffffu) malformed(at0, "more than 2^31 types");
        lz.walk_pos = static_cast<std::uint32_t>(p - types_);
        lz.walked.store(n, std::memory_order_release);
        if (p == end) lz.complete.store(true, std::memory_order_release);
        return n;
    }

    /// The NUL-terminated string at `off` and the end of its section.
    [[nodiscard]] std::pair<const char*, const char*> string_at(std::uint32_t off) const {
        if (off < str_base_) return base_->string_at(off);
        if (off - str_base_ >= str_len_)
            throw error(EINVAL, "btf", source_, "string offset " + std::to_string(off) + " is past the string section");
        return {strings_ + (off - str_base_), strings_ + str_len_};
    }

    /// Whether the record's name is exactly `name`.
    [[nodiscard]] bool has_name(const std::byte* rec, std::string_view name) const {
        const auto off = detail::load<std::uint32_t>(rec);
        if (off == 0) return name.empty();
        const auto [p, end] = string_at(off);
        return static_cast<std::size_t>(end - p) > name.size() && std::memcmp(p, name.data(), name.size()) == 0 &&
               p[name.size()] == '\0';
    }

    /// The first of this blob's own types named `name` of kind `k` (a kind number).
    [[nodiscard]] std::optional<type> find_own(std::string_view name, std::uint32_t k) const {
        if (name.empty() || k == 0 || k > static_cast<std::uint32_t>(max_kind)) return std::nullopt;
        const auto h = detail::hash_name(name);
        std::optional<type> found;
        const sys::lock lock(lazy_->mutex);
        auto& index = lazy_->by_kind[k];
        index.table.probe(h, [&](std::uint32_t id) {
            const std::byte* rec = record_at(id - first_id_);
            if (!has_name(rec, name)) return false;
            found = type(this, id, rec);
            return true;
        });
        // Not among the names indexed so far: index on, in id order (walking
        // records as needed), until the name turns up — then it is the first
        // — or the records end.
        if (!found)
            if (const auto id = extend_index(index, k, name, h); id != 0)
                found = type(this, id, record_at(id - first_id_));
        return found;
    }

    /// Adds the names of kind `k` to its index from where it stopped, until
    /// a type named `stop` (hash `stop_hash`) is added — its id is returned —
    /// or the records end (0). Called with the lock held. Each name is
    /// prefetched a few types before it is hashed: the strings lie scattered
    /// over megabytes.
    std::uint32_t extend_index(kind_index& index, std::uint32_t k, std::string_view stop, std::uint32_t stop_hash) const {
        constexpr std::size_t ahead = 8;
        constexpr std::uint32_t chunk = 4096; // records walked at a time while looking
        std::uint32_t ring[ahead];
        std::size_t queued = 0, done = 0;
        // hashes queued entry `done`; true if it is `stop`
        const auto hash_next = [&]() -> bool {
            const std::uint32_t i = ring[done++ % ahead];
            const auto [p, end] = string_at(detail::load<std::uint32_t>(record_at(i)));
            const auto h = detail::hash_cstr(p, end);
            index.table.insert(h, first_id_ + i);
            index.next = i + 1;
            return !stop.empty() && h == stop_hash && has_name(record_at(i), stop);
        };
        std::uint32_t scanned = index.next;
        for (;;) {
            const std::uint32_t walked = walk_locked(scanned + chunk);
            for (std::uint32_t base = scanned; base < walked;) { // chunk by chunk
                const std::uint8_t* const kinds = chunks_[base / chunk_size]->kinds;
                const std::uint32_t first = base % chunk_size;
                const std::uint32_t last = bpfxx::detail::min<std::uint32_t>(chunk_size, first + (walked - base));
                for (const auto* q = kinds + first; q < kinds + last; ++q) {
                    q = static_cast<const std::uint8_t*>(std::memchr(q, static_cast<int>(k), static_cast<std::size_t>(kinds + last - q)));
                    if (q == nullptr) break;
                    const auto i = base - first + static_cast<std::uint32_t>(q - kinds);
                    const auto off = detail::load<std::uint32_t>(record_at(i));
                    if (off == 0) continue;
                    detail::prefetch(string_at(off).first);
                    if (queued - done == ahead && hash_next()) return first_id_ + index.next - 1;
                    ring[queued++ % ahead] = i;
                }
                base += last - first;
            }
            scanned = walked;
            if (lazy_->complete.load(std::memory_order_relaxed)) break; // every record walked
            if (!lazy_->bad_rule.empty()) {
                while (done != queued) // what lies before the bad record first
                    if (hash_next()) return first_id_ + index.next - 1;
                throw_bad_record();
            }
        }
        while (done != queued)
            if (hash_next()) return first_id_ + index.next - 1;
        index.next = scanned;
        return 0;
    }

    [[noreturn]] void fail_id(std::uint32_t id) const {
        bad_type(id, "no such type (the ids of this BTF end at " + std::to_string(size() - 1) + ")");
    }

    detail::blob_storage storage_;
    std::string source_;
    const types* base_ = nullptr;
    btf::header header_{};
    const std::byte* types_ = nullptr;
    const char* strings_ = nullptr;
    std::uint32_t str_len_ = 0;
    std::uint32_t str_base_ = 0; ///< the base's string bytes (split BTF)
    std::uint32_t first_id_ = 1;
    /// Where the walked records are and their kinds, by chunks of 16,384
    /// records (80 KiB: small enough for malloc to reuse memory rather than
    /// map and unmap it each time a blob is opened).
    static constexpr std::uint32_t chunk_size = 1u << 14;
    struct chunk {
        std::uint32_t offsets[chunk_size]; ///< byte offset in the type section
        std::uint8_t kinds[chunk_size];
    };
    bpfxx::detail::owner<bpfxx::detail::owner<chunk>[]> chunks_; ///< enough for every record the section can hold
    /// The record of the walked type first_id_ + i.
    [[nodiscard]] const std::byte* record_at(std::uint32_t i) const noexcept {
        return types_ + chunks_[i / chunk_size]->offsets[i % chunk_size];
    }
    bpfxx::detail::owner<lazy_state> lazy_;
};

// ---------------------------------------------------------------------------
// type's members, now that types is complete.

inline std::string_view type::name() const {
    return rec_ == nullptr ? std::string_view{} : owner_->string(detail::load<std::uint32_t>(rec_));
}

inline std::span<const std::byte> type::record() const noexcept {
    if (rec_ == nullptr) return {};
    return {rec_, sizeof(type_header) + extra_bytes(kind(), vlen())};
}

inline void type::expect(btf::kind k, const char* what) const {
    if (kind() != k)
        owner_->bad_type(id_, std::string("is ") + std::string(kind_name(kind())) + ", not " +
                                  std::string(kind_name(k)) + " (asked for " + what + ")");
}
inline void type::expect(btf::kind a, btf::kind b, const char* what) const {
    if (kind() != a && kind() != b)
        owner_->bad_type(id_, std::string("is ") + std::string(kind_name(kind())) + ", not " +
                                  std::string(kind_name(a)) + " or " + std::string(kind_name(b)) + " (asked for " +
                                  what + ")");
}

inline type type::ref(std::uint32_t id) const {
    if (id >= owner_->size())
        owner_->bad_type(id_, "refers to type id " + std::to_string(id) + ", which does not exist");
    return owner_->at(id);
}

inline type type::target() const {
    switch (kind()) {
    case kind::ptr:
    case kind::typedef_:
    case kind::volatile_:
    case kind::const_:
    case kind::restrict_:
    case kind::type_tag:
    case kind::func:
    case kind::var:
    case kind::decl_tag:
    case kind::func_proto: return ref(size_or_type());
    default: owner_->bad_type(id_, std::string(kind_name(kind())) + " refers to no other type");
    }
}

inline type type::resolved() const {
    type t = *this;
    for (int i = 0; i <= detail::max_chain; ++i) {
        if (!is_modifier(t.kind())) return t;
        t = t.target();
    }
    owner_->bad_type(id_, "a chain of typedefs and qualifiers longer than 32 (a loop?)");
}

inline type type::unqualified() const {
    type t = *this;
    for (int i = 0; i <= detail::max_chain; ++i) {
        const auto k = t.kind();
        if (k != kind::const_ && k != kind::volatile_ && k != kind::restrict_ && k != kind::type_tag) return t;
        t = t.target();
    }
    owner_->bad_type(id_, "a chain of qualifiers longer than 32 (a loop?)");
}

inline std::uint64_t type::byte_size() const {
    std::uint64_t factor = 1;
    type t = *this;
    for (int i = 0; i <= detail::max_chain; ++i) {
        t = t.resolved();
        switch (t.kind()) {
        case kind::ptr: return factor * 8;
        case kind::array:
            if (t.nelems() != 0 && factor > UINT64_MAX / t.nelems())
                owner_->bad_type(id_, "an array larger than 2^64 bytes");
            factor *= t.nelems();
            t = t.element();
            continue;
        case kind::int_:
        case kind::struct_:
        case kind::union_:
        case kind::enum_:
        case kind::enum64:
        case kind::float_:
        case kind::datasec:
            if (t.size() != 0 && factor > UINT64_MAX / t.size()) owner_->bad_type(id_, "larger than 2^64 bytes");
            return factor * t.size();
        default:
            owner_->bad_type(t.id_, std::string(kind_name(t.kind())) + " has no size");
        }
    }
    owner_->bad_type(id_, "arrays nested deeper than 32 (a loop?)");
}

inline int_info type::as_int() const {
    expect(kind::int_, "as_int");
    const auto d = detail::load<std::uint32_t>(extra());
    return {int_data_encoding(d), int_data_bits(d), int_data_offset(d)};
}

inline type type::element() const {
    expect(kind::array, "element");
    return ref(detail::load<array_record>(extra()).type);
}
inline type type::index_type() const {
    expect(kind::array, "index_type");
    return ref(detail::load<array_record>(extra()).index_type);
}
inline std::uint32_t type::nelems() const {
    expect(kind::array, "nelems");
    return detail::load<array_record>(extra()).nelems;
}

inline detail::record_range<member, sizeof(member_record)> type::members() const {
    expect(kind::struct_, kind::union_, "members");
    return {*this, extra(), vlen()};
}
inline detail::record_range<enumerator, sizeof(enum_record)> type::enumerators32() const {
    expect(kind::enum_, "enumerators32");
    return {*this, extra(), vlen()};
}
inline detail::record_range<enumerator, sizeof(enum64_record)> type::enumerators64() const {
    expect(kind::enum64, "enumerators64");
    return {*this, extra(), vlen()};
}
inline std::vector<enumerator> type::enumerators() const {
    expect(kind::enum_, kind::enum64, "enumerators");
    std::vector<enumerator> out;
    out.reserve(vlen());
    if (kind() == kind::enum_)
        for (const auto& e : enumerators32()) out.push_back(e);
    else
        for (const auto& e : enumerators64()) out.push_back(e);
    return out;
}
inline detail::record_range<param, sizeof(param_record)> type::params() const {
    if (kind() == kind::func) return prototype().params();
    expect(kind::func_proto, "params");
    return {*this, extra(), vlen()};
}
inline type type::return_type() const {
    if (kind() == kind::func) return prototype().return_type();
    expect(kind::func_proto, "return_type");
    return ref(size_or_type());
}
inline type type::prototype() const {
    expect(kind::func, "prototype");
    const type p = target();
    if (p.kind() != kind::func_proto) owner_->bad_type(id_, "a FUNC whose type is not a FUNC_PROTO");
    return p;
}
inline func_linkage type::linkage() const {
    expect(kind::func, "linkage");
    return static_cast<func_linkage>(vlen());
}
inline btf::var_linkage type::var_linkage() const {
    expect(kind::var, "var_linkage");
    return static_cast<btf::var_linkage>(detail::load<var_record>(extra()).linkage);
}
inline detail::record_range<section_var, sizeof(var_secinfo_record)> type::vars() const {
    expect(kind::datasec, "vars");
    return {*this, extra(), vlen()};
}
inline std::int32_t type::component_idx() const {
    expect(kind::decl_tag, "component_idx");
    return detail::load<decl_tag_record>(extra()).component_idx;
}
inline bool type::fwd_is_union() const {
    expect(kind::fwd, "fwd_is_union");
    return kind_flag();
}

inline member member::from_record(const btf::type& owner, const std::byte* p) {
    const auto r = detail::load<member_record>(p);
    member m{owner.owner().string(r.name_off), owner.ref(r.type), r.offset, 0};
    if (owner.kind_flag()) {
        m.bit_offset = r.offset & 0xffffffu;
        m.bitfield_size = r.offset >> 24;
    }
    return m;
}

inline enumerator enumerator::from_record(const btf::type& owner, const std::byte* p) {
    if (owner.kind() == kind::enum_) {
        const auto r = detail::load<enum_record>(p);
        const std::int64_t v = owner.kind_flag() ? std::int64_t{r.val}
                                                 : static_cast<std::int64_t>(static_cast<std::uint32_t>(r.val));
        return {owner.owner().string(r.name_off), v};
    }
    const auto r = detail::load<enum64_record>(p);
    const std::uint64_t bits = (std::uint64_t{r.val_hi32} << 32) | r.val_lo32;
    return {owner.owner().string(r.name_off), static_cast<std::int64_t>(bits)};
}

inline param param::from_record(const btf::type& owner, const std::byte* p) {
    const auto r = detail::load<param_record>(p);
    return {owner.owner().string(r.name_off), owner.ref(r.type)};
}

inline section_var section_var::from_record(const btf::type& owner, const std::byte* p) {
    const auto r = detail::load<var_secinfo_record>(p);
    return {owner.ref(r.type), r.offset, r.size};
}

} // namespace bpfxx::btf
