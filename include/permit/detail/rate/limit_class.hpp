// The rate-limit classes of a request, as the client's limiter counts them.
#pragma once

#include <permit/http_method.hpp>

#include <string_view>

namespace permit::detail::rate {

/// The documented limit classes: `all` (every request), `writes` (POST, PUT, PATCH and DELETE),
/// `deletes` (DELETE) and `bulk` (a `bulk` path segment), as in `rate_limit_options`. The value is
/// the class's bit number in a `class_set`.
enum class limit_class : unsigned { all = 0, writes = 1, deletes = 2, bulk = 3 };
/// How many classes there are.
inline constexpr unsigned class_count = 4;

/// A set of classes, one bit per class.
using class_set = unsigned;

/// The set holding only `c`.
constexpr class_set bit(limit_class c) noexcept {
    return 1u << static_cast<unsigned>(c);
}

/// The classes a request belongs to.
constexpr class_set classes_of(http_method method, std::string_view path) noexcept {
    using verb = http_method;
    class_set out = bit(limit_class::all);
    if (method == verb::post || method == verb::put || method == verb::patch ||
        method == verb::delete_)
        out |= bit(limit_class::writes);
    if (method == verb::delete_) out |= bit(limit_class::deletes);
    // A `bulk` path segment: /bulk/users, /role_assignments/bulk.
    for (std::size_t at = path.find("bulk"); at != std::string_view::npos;
         at = path.find("bulk", at + 1)) {
        const bool starts = at > 0 && path[at - 1] == '/';
        const std::size_t end = at + 4;
        const bool ends = end == path.size() || path[end] == '/' || path[end] == '?';
        if (starts && ends) {
            out |= bit(limit_class::bulk);
            break;
        }
    }
    return out;
}

/// The narrowest class in `set`: the one a 429 most likely came from.
constexpr limit_class narrowest(class_set set) noexcept {
    for (auto c : {limit_class::bulk, limit_class::deletes, limit_class::writes})
        if (set & bit(c)) return c;
    return limit_class::all;
}

}  // namespace permit::detail::rate
