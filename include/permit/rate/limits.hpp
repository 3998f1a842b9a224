// The client-side rate limits: the classes Permit documents for its REST API (permit-api.md §8.3),
// as plain values in `permit::config`.
#pragma once

// Before verb.hpp, which streams a string_view without including <ostream> (Boost 1.81).
#include <ostream>

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace permit {

/// At most `limit` requests in any window of `window`.
struct rate_limit {
    /// The most requests in any window; 0 leaves the class unlimited.
    std::uint32_t limit;
    /// The length of the window.
    std::chrono::milliseconds window;
};

/// Pacing of requests to the REST API, so that a burst waits in the client instead of drawing
/// 429s. Requests to the PDP are not paced (a local PDP has no limits).
///
/// Each class is a bucket of `limit` tokens; a request takes one token of every class it belongs
/// to, and a token comes back one `window` after the request's response arrived, so the server
/// never sees more than `limit` requests of a class in any window, however long requests wait for
/// a connection. A 429 shrinks the request's narrowest class by `slowdown` and pauses it for the
/// `Retry-After` the server sent; a window without a 429 grows it back by a tenth of the limit.
struct rate_limit_options {
    /// When the limits apply.
    enum class mode_type {
        automatic,  ///< on when the API host is `api.permit.io` or `api.eu.permit.io`
        on,         ///< always on
        off,        ///< always off
    };
    /// When the limits apply: by default, to Permit's cloud API only.
    mode_type mode = mode_type::automatic;
    /// Every request.
    rate_limit all{1000, std::chrono::minutes(1)};
    /// POST, PUT, PATCH and DELETE.
    rate_limit writes{300, std::chrono::minutes(1)};
    /// DELETE.
    rate_limit deletes{60, std::chrono::minutes(1)};
    /// Bulk routes (a `bulk` path segment).
    rate_limit bulk{100, std::chrono::minutes(10)};
    /// What a 429 multiplies the narrowest class's limit by, in (0, 1].
    double slowdown = 0.5;
    /// The longest pause a 429's `Retry-After` imposes on a class.
    std::chrono::milliseconds max_pause{std::chrono::seconds(60)};

    /// Whether the limits apply to requests sent to `host`.
    bool applies_to(std::string_view host) const noexcept {
        switch (mode) {
            case mode_type::on:
                return true;
            case mode_type::off:
                return false;
            case mode_type::automatic:
                break;
        }
        return host == "api.permit.io" || host == "api.eu.permit.io";
    }
};

namespace rate {

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
inline class_set classes_of(boost::beast::http::verb method, std::string_view path) noexcept {
    using boost::beast::http::verb;
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
inline limit_class narrowest(class_set set) noexcept {
    for (auto c : {limit_class::bulk, limit_class::deletes, limit_class::writes})
        if (set & bit(c)) return c;
    return limit_class::all;
}

}  // namespace rate
}  // namespace permit
