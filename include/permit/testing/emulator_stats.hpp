// What the emulator counts, for tests to assert on.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <permit/testing/emulator_config.hpp>

namespace permit::testing {

/// Counters since start (or the last `emulator::reset_stats()`).
struct emulator_stats {
    /// Connections accepted.
    std::uint64_t connections_accepted = 0;
    /// Complete requests read, including the ones answered with a fault or a 429.
    std::uint64_t requests = 0;
    /// Requests per route template, e.g. `"PUT /v2/facts/{proj_id}/{env_id}/bulk/users"`. Unknown
    /// paths count under `"<method> <unmatched>"`.
    std::map<std::string, std::uint64_t> requests_by_route;
    /// Responses per status code (a reset connection has no status and is not counted here).
    std::map<unsigned, std::uint64_t> responses_by_status;
    /// Faults injected per kind name (`to_string(fault_kind)`).
    std::map<std::string, std::uint64_t> faults_injected;
    /// Requests refused with 429 by the rate limiter (not counting injected 429 faults).
    std::uint64_t rate_limited = 0;
    /// Requests read while bytes of the next request on the same connection had already arrived,
    /// before this one was answered: the client pipelines (HTTP/1.1).
    std::uint64_t pipelined_requests = 0;
    /// Writes through the PDP's facts proxy that waited for the PDP to have them: the routes that
    /// wait (docs/emulator.md), answered 2xx by the API, however short the wait.
    std::uint64_t facts_sync_waits = 0;
    /// Of `facts_sync_waits`, the ones whose `X-Wait-Timeout` ran out first: answered 424 under the
    /// `fail` policy, and with the API's response under `ignore`.
    std::uint64_t facts_sync_timeouts = 0;

    /// The requests counted under the route template `name` (0 if none).
    std::uint64_t route(const std::string& name) const {
        auto it = requests_by_route.find(name);
        return it == requests_by_route.end() ? 0 : it->second;
    }
    /// The responses sent with status `code` (0 if none).
    std::uint64_t status(unsigned code) const {
        auto it = responses_by_status.find(code);
        return it == responses_by_status.end() ? 0 : it->second;
    }
    /// The faults of `kind` injected (0 if none).
    std::uint64_t faults(fault_kind kind) const {
        auto it = faults_injected.find(to_string(kind));
        return it == faults_injected.end() ? 0 : it->second;
    }
};

/// One entry of the request log.
struct request_record {
    std::uint64_t connection = 0;  ///< 1-based number of the connection it came on.
    /// The request's method, as received (`"PUT"`).
    std::string method;
    std::string target;  ///< Path and query as received.
    std::string route;   ///< As in `emulator_stats::requests_by_route`.
    /// The request's body as received, when `emulator_config::log_request_bodies` is set; empty
    /// otherwise.
    std::string body;
    /// The status sent, or 0 when the connection was reset instead.
    unsigned status = 0;
    /// The fault injected into it, if any.
    std::optional<fault_kind> fault;
    /// When the request was complete, by the emulator's steady clock.
    std::chrono::steady_clock::time_point received_at;
};

}  // namespace permit::testing
