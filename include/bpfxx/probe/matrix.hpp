#pragma once
// The kernel feature matrix: every feature, program type, map type and
// attach kind bpfxx knows, with the running kernel's answer for each —
// probed once, cached, and printable as one line per refusal:
//
//     for (const auto& a : bpfxx::probe::matrix())
//         if (!a.result) std::printf("%s: %s\n", a.what.c_str(), a.result.reason.c_str());
//
// Helpers are asked per program type (`helper_supported`); `refused_helpers`
// lists the refusals among the helpers a caller cares about.

#include <bpfxx/isa/helpers.hpp>
#include <bpfxx/isa/map_types.hpp>
#include <bpfxx/isa/prog_types.hpp>
#include <bpfxx/maps/descriptors.hpp>
#include <bpfxx/probe/attach_kinds.hpp>
#include <bpfxx/probe/features.hpp>
#include <bpfxx/probe/map_types.hpp>
#include <bpfxx/probe/program_types.hpp>
#include <bpfxx/sys/probe_cache.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace bpfxx::probe {

/// One row of the matrix: what was asked ("map type arena") and the answer.
struct answer {
    std::string what;
    support result;
};

/// Every feature, program type, map type and attach kind, in that order,
/// with this kernel's answers (probed now where not yet cached).
[[nodiscard]] inline std::vector<answer> matrix() {
    std::vector<answer> rows;
    for (std::size_t f = 0; f < feature_count; ++f)
        rows.push_back({"feature " + std::string(to_string(static_cast<feature>(f))),
                        feature_supported(static_cast<feature>(f))});
    for (auto t = static_cast<std::uint32_t>(prog_type::socket_filter);
         t <= static_cast<std::uint32_t>(prog_type::netfilter); ++t)
        rows.push_back({"program type " + std::string(to_string(static_cast<prog_type>(t))),
                        prog_type_supported(static_cast<prog_type>(t))});
    for (auto t = static_cast<std::uint32_t>(map_type::hash); t <= static_cast<std::uint32_t>(map_type::arena); ++t)
        rows.push_back({"map type " + std::string(map_type_name(static_cast<map_type>(t))),
                        map_type_supported(static_cast<map_type>(t))});
    for (std::size_t k = 0; k < attach_kind_count; ++k)
        rows.push_back({"attach " + std::string(to_string(static_cast<attach_kind>(k))),
                        attach_supported(static_cast<attach_kind>(k))});
    return rows;
}

/// The helpers among `helpers` that programs of type `t` may not call here.
[[nodiscard]] inline std::vector<answer> refused_helpers(prog_type t, std::initializer_list<helper> helpers) {
    std::vector<answer> rows;
    for (const helper h : helpers)
        if (auto s = helper_supported(t, h); !s)
            rows.push_back({"helper " + std::string(helper_name(h)) + " in " + std::string(to_string(t)) + " programs",
                            std::move(s)});
    return rows;
}

} // namespace bpfxx::probe
