// The client-side rate limits: the classes Permit documents for its REST API ("Rate Limiting" in
// https://docs.permit.io/api/api-with-cli), as plain values in `permit::config`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
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
///
/// The budget belongs to the environment, not to a process. Several clients (processes, hosts)
/// that share it name one Redis server in `redis_url`: they then count their requests together
/// there, with the same guarantee (the classes, limits and windows of each client must be the
/// same). While Redis is slow, down or restarting, each client paces itself alone with a share of
/// the budget (`fallback_share`), logs that once, and uses Redis again as soon as it answers.
/// Redis needs the library built with `PERMIT_WITH_REDIS` (the CMake option of that name).
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

    /// The Redis server that keeps the budget shared by several clients, as
    /// `redis://[[user]:password@]host[:port][/db]` (port 6379 and database 0 by default).
    /// Empty: this client keeps its budget alone, in its own memory. A client built without
    /// `PERMIT_WITH_REDIS` throws `std::invalid_argument` when this is set.
    std::string redis_url;
    /// The prefix of the keys the shared budget is kept under: one sorted set per class
    /// (`<prefix>writes`), its state after 429s (`<prefix>writes:adapt`), and the clients seen
    /// (`<prefix>clients`). Every key expires on its own once no client uses it. Clients that
    /// share a budget use the same prefix; on a Redis Cluster it must hold a hash tag, such as
    /// `permit:{rate}:`, so that the keys live together.
    std::string redis_key_prefix = "permit:rate:";
    /// How long one command to Redis may take before the client stops waiting and paces itself
    /// with its local share of the budget.
    std::chrono::milliseconds redis_timeout{500};
    /// While Redis does not answer, how often the client tries it again.
    std::chrono::milliseconds redis_retry_interval{std::chrono::seconds(1)};
    /// The share of each limit a client takes alone while Redis does not answer, in (0, 1]. 0:
    /// one over the number of clients that Redis last counted in the longest window (the whole
    /// budget if Redis never answered).
    double fallback_share = 0;

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
