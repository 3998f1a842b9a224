// When a failed call is tried again, and how long the client waits first: plain values, set in
// `permit::config` for every call and overridable per call (`client::with`).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace permit {

/// How a call is retried after a failure that may be temporary.
///
/// A failure is retried when it is a transport error (connection refused or reset, a timeout) or
/// one of `retryable_statuses`, the request is idempotent (or `retry_non_idempotent` is set),
/// attempts and time are left, and the client's retry budget has a token. The wait before retry
/// `n` (1-based) is drawn uniformly from `[0, min(max_backoff, initial_backoff *
/// multiplier^(n-1))]`
/// ("full jitter"), and is at least the server's `Retry-After` (capped by `max_retry_after`).
struct retry_policy {
    /// Attempts in all, the first included: 1 turns retries off.
    unsigned max_attempts = 4;
    /// No retry starts later than this after the call began (the waits included). Unset: no
    /// limit but `max_attempts`.
    std::optional<std::chrono::milliseconds> max_elapsed = std::chrono::seconds(60);
    /// The ceiling of the first wait.
    std::chrono::milliseconds initial_backoff{200};
    /// How much the ceiling grows with each retry.
    double backoff_multiplier = 2.0;
    /// The largest ceiling of a backoff wait.
    std::chrono::milliseconds max_backoff{std::chrono::seconds(10)};
    /// Wait at least as long as a `Retry-After` header asks (delta-seconds or HTTP-date).
    bool honour_retry_after = true;
    /// The longest `Retry-After` honoured: a larger value is cut to this.
    std::chrono::milliseconds max_retry_after{std::chrono::seconds(60)};
    /// Statuses worth another attempt.
    std::vector<unsigned> retryable_statuses{408, 429, 500, 502, 503, 504};
    /// Retry transport errors (refused, reset, closed, timed out) as well as statuses.
    bool retry_transport_errors = true;
    /// Retry POST and PATCH to the REST API too. Off: a non-idempotent request that may have
    /// reached the server is never sent twice (a 409 or a duplicate could follow).
    bool retry_non_idempotent = false;

    /// A policy that never retries.
    static retry_policy none() {
        retry_policy p;
        p.max_attempts = 1;
        return p;
    }

    /// Whether `status` is one of `retryable_statuses`.
    bool retryable_status(unsigned status) const noexcept {
        for (const unsigned s : retryable_statuses)
            if (s == status) return true;
        return false;
    }
};

/// The client-wide retry budget: a bucket of retry tokens shared by every call, so that an outage
/// does not multiply the traffic by `max_attempts`. Each call puts `ratio` tokens in, time adds
/// `refill_per_second`, the bucket holds at most `capacity`, and each retry takes one. When it is
/// empty, a call that would retry fails at once (`retry_stop::budget_empty`).
struct retry_budget_options {
    /// Off: retries are limited by each call's `retry_policy` alone.
    bool enabled = true;
    /// The most tokens the bucket holds (and holds at the start).
    double capacity = 100;
    /// Tokens added per second.
    double refill_per_second = 10;
    /// Tokens added per call: the share of calls that may be retried under a sustained outage.
    double ratio = 0.5;
};

/// Why a call stopped being retried (`diagnostics::retry_stop`).
enum class retry_stop : std::uint8_t {
    none,                ///< the call succeeded, or has not failed
    not_retryable,       ///< a permanent error (a 4xx other than 408/429, a TLS failure, ...)
    not_idempotent,      ///< the request may have been applied and is not safe to send twice
    attempts_exhausted,  ///< `retry_policy::max_attempts` were made
    time_exhausted,      ///< the next wait would end after `retry_policy::max_elapsed`
    budget_empty,        ///< the client-wide retry budget had no token left
    cancelled,           ///< the call was cancelled, or the client shut down
};

/// A short description of `reason`, for messages.
inline const char* to_string(retry_stop reason) noexcept {
    switch (reason) {
        case retry_stop::none:
            return "none";
        case retry_stop::not_retryable:
            return "permanent error";
        case retry_stop::not_idempotent:
            return "not idempotent";
        case retry_stop::attempts_exhausted:
            return "attempts exhausted";
        case retry_stop::time_exhausted:
            return "time exhausted";
        case retry_stop::budget_empty:
            return "retry budget empty";
        case retry_stop::cancelled:
            return "cancelled";
    }
    return "unknown";
}

}  // namespace permit
