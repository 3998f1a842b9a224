// The client-side rate limits: the classes Permit documents for its REST API ("Rate Limiting" in
// https://docs.permit.io/api/api-with-cli), as plain values in `permit::config`.
#pragma once

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

}  // namespace permit
