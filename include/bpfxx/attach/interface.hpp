#pragma once
// Network interfaces by name and index, for the attach points that take
// either (XDP, tc).

#include <bpfxx/sys/error.hpp>

#include <net/if.h>

#include <string>
#include <string_view>

namespace bpfxx::detail::links {

/// The interface's name, or "ifindex N" when it has none (any more).
[[nodiscard]] inline std::string interface_name(unsigned ifindex) {
    char name[IF_NAMESIZE] = {};
    return ::if_indextoname(ifindex, name) != nullptr ? std::string(name) : "ifindex " + std::to_string(ifindex);
}

/// The index of interface `name` in the calling thread's network namespace; throws when there is none.
[[nodiscard]] inline unsigned interface_index(std::string_view name) {
    const std::string n(name);
    const unsigned ifindex = ::if_nametoindex(n.c_str());
    if (ifindex == 0) throw_errno("if_nametoindex", n);
    return ifindex;
}

} // namespace bpfxx::detail::links
