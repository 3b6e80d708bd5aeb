#pragma once
// A minimal rtnetlink client: build one request (header, fixed part,
// attributes, nested attributes), send it, read the kernel's ack. Enough for
// the attach paths that predate BPF links (XDP on old kernels, tc filters).

#include <bpfxx/sys/error.hpp>
#include <bpfxx/sys/unique_fd.hpp>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace bpfxx::sys::netlink {

[[nodiscard]] constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

/// One netlink request message.
class request {
public:
    request(std::uint16_t type, std::uint16_t flags) : buf_(sizeof(nlmsghdr)) {
        auto* h = header();
        h->nlmsg_type = type;
        h->nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST | NLM_F_ACK);
    }
    /// A dump request (RTM_GET* with NLM_F_DUMP): answered by its entries
    /// and NLMSG_DONE, not by an ack. (NLM_F_DUMP's bits mean EXCL and
    /// REPLACE on other requests, so it cannot be told from `flags`.)
    [[nodiscard]] static request dump(std::uint16_t type) {
        request r(type, 0);
        r.header()->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        return r;
    }

    /// Appends a fixed part (ifinfomsg, tcmsg …).
    template <class T>
    request& put(const T& v) {
        append(&v, sizeof v);
        return *this;
    }
    /// Appends attribute `type` with `size` bytes of payload.
    request& attr(std::uint16_t type, const void* data, std::size_t size) {
        nlattr a{};
        a.nla_type = type;
        a.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + size);
        append(&a, sizeof a);
        append(data, size);
        return *this;
    }
    template <class T>
    request& attr(std::uint16_t type, const T& v) {
        return attr(type, &v, sizeof v);
    }
    request& attr(std::uint16_t type, const char* text) { return attr(type, text, std::strlen(text) + 1); }
    /// Opens a nested attribute; close it with end_nested(the result).
    [[nodiscard]] std::size_t begin_nested(std::uint16_t type) {
        const std::size_t at = buf_.size();
        nlattr a{};
        a.nla_type = static_cast<std::uint16_t>(type | NLA_F_NESTED);
        append(&a, sizeof a);
        return at;
    }
    void end_nested(std::size_t at) {
        nlattr a{};
        std::memcpy(&a, buf_.data() + at, sizeof a);
        a.nla_len = static_cast<std::uint16_t>(buf_.size() - at);
        std::memcpy(buf_.data() + at, &a, sizeof a);
    }

    [[nodiscard]] nlmsghdr* header() noexcept { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    [[nodiscard]] std::vector<std::byte>& bytes() noexcept {
        header()->nlmsg_len = static_cast<std::uint32_t>(buf_.size());
        return buf_;
    }

private:
    void append(const void* p, std::size_t n) {
        const std::size_t at = buf_.size();
        buf_.resize(align4(at + n));
        if (n) std::memcpy(buf_.data() + at, p, n);
    }
    std::vector<std::byte> buf_;
};

/// The kernel's answer to a request: 0 or an errno, with the extended ack's
/// message when the kernel gave one ("Underlying driver does not support XDP in native mode").
struct reply {
    int error = 0;
    std::string message;
    std::size_t messages = 0; ///< data messages before the end (a dump's entries)
};

/// Sends `req` on a fresh NETLINK_ROUTE socket and waits for its ack (or,
/// for a dump, the end of its answer).
/// Throws only when netlink itself fails (socket, send, recv).
[[nodiscard]] inline reply transact(request& req) {
    unique_fd s(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!s) bpfxx::detail::throw_errno("socket(AF_NETLINK)");
    const int one = 1;
    (void)::setsockopt(s.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one); // best effort: messages
    const timeval patience{5, 0}; // the kernel answers at once; never hang on a request it ignores
    (void)::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    auto& out = req.bytes();
    req.header()->nlmsg_seq = 1;
    if (::sendto(s.get(), out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0)
        bpfxx::detail::throw_errno("sendto(netlink)");
    std::vector<std::byte> in(32768);
    std::size_t messages = 0;
    for (;;) {
        const auto n = ::recv(s.get(), in.data(), in.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) throw error(ETIMEDOUT, "recv(netlink)", {}, "no answer in 5 s");
            bpfxx::detail::throw_errno("recv(netlink)");
        }
        std::size_t off = 0;
        while (off + sizeof(nlmsghdr) <= static_cast<std::size_t>(n)) {
            nlmsghdr h{};
            std::memcpy(&h, in.data() + off, sizeof h);
            if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > static_cast<std::size_t>(n)) break;
            if (h.nlmsg_type == NLMSG_ERROR) {
                nlmsgerr e{};
                std::memcpy(&e, in.data() + off + sizeof h, sizeof e);
                reply r;
                r.error = -e.error;
                r.messages = messages;
                // extended ack attributes follow the echoed request header (NLM_F_CAPPED: header only)
                std::size_t a = off + sizeof h + sizeof e;
                if (!(h.nlmsg_flags & NLM_F_CAPPED)) a += align4(e.msg.nlmsg_len) - sizeof(nlmsghdr);
                if (h.nlmsg_flags & NLM_F_ACK_TLVS) {
                    while (a + sizeof(nlattr) <= off + h.nlmsg_len) {
                        nlattr at{};
                        std::memcpy(&at, in.data() + a, sizeof at);
                        if (at.nla_len < sizeof at) break;
                        if ((at.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
                            const char* text = reinterpret_cast<const char*>(in.data() + a + sizeof at);
                            r.message.assign(text, strnlen(text, at.nla_len - sizeof at));
                        }
                        a += align4(at.nla_len);
                    }
                }
                return r;
            }
            if (h.nlmsg_type == NLMSG_DONE) return {0, {}, messages};
            ++messages;
            off += align4(h.nlmsg_len);
        }
    }
}

} // namespace bpfxx::sys::netlink
