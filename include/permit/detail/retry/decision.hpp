// The retry decision for one call: after each failed attempt, retry (after how long) or stop (and
// why). No I/O: the caller supplies the clock readings and the random draw.
#pragma once

#include <permit/detail/retry/backoff.hpp>
#include <permit/detail/retry/budget.hpp>
#include <permit/detail/retry/retry_after.hpp>
#include <permit/error.hpp>
#include <permit/retry/policy.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <string_view>

/// \namespace permit::detail::retry
/// The retry machinery under `config::retry`: which requests may be repeated, which failures are
/// worth another attempt, the backoff, the `Retry-After` header, and the client-wide retry budget.
namespace permit::detail::retry {

/// Whether a failure without an HTTP status is worth another attempt: the connection was refused,
/// reset or closed, or a timeout struck. A TLS verification failure, a response too large or a
/// malformed response are not: the next attempt would fail the same way.
inline bool is_transient_transport_error(const boost::system::error_code& ec) noexcept {
    namespace ae = boost::asio::error;
    namespace bh = boost::beast::http;
    if (ec == error::connect_timeout || ec == error::handshake_timeout ||
        ec == error::request_timeout || ec == error::proxy_unreachable ||
        ec == error::proxy_tunnel_failed)
        return true;
    if (ec == ae::connection_refused || ec == ae::connection_reset ||
        ec == ae::connection_aborted || ec == ae::broken_pipe || ec == ae::eof ||
        ec == ae::timed_out || ec == ae::network_down || ec == ae::network_reset ||
        ec == ae::network_unreachable || ec == ae::host_unreachable ||
        ec == ae::host_not_found_try_again || ec == ae::try_again || ec == ae::not_connected ||
        ec == ae::shut_down)
        return true;
    if (ec == bh::error::end_of_stream || ec == bh::error::partial_message) return true;
    // A TLS connection cut without close_notify: the peer went away, not a verification failure.
    if (ec == boost::asio::ssl::error::stream_truncated) return true;
    return false;
}

/// What one attempt ended with.
struct attempt_result {
    /// The attempt's error (`permit::error` for a status, a transport error otherwise).
    boost::system::error_code ec;
    /// The HTTP status, or 0 when no response arrived.
    unsigned status = 0;
    /// The `Retry-After` header of the response, if any.
    std::string_view retry_after;
};

/// The decision after a failed attempt.
struct decision {
    /// Whether to try again.
    bool retry = false;
    /// How long to wait before the next attempt (when `retry`).
    std::chrono::milliseconds delay{0};
    /// Why no retry follows (when not `retry`).
    retry_stop stop = retry_stop::none;
};

/// The retry decisions of one call. Not thread-safe; one per call.
template <class Clock = std::chrono::steady_clock>
class retry_state {
  public:
    /// A reading of `Clock`.
    using time_point = typename Clock::time_point;

    /// `idempotent`: the request may be sent twice (see `is_idempotent`). `started`: when the call
    /// began, for `retry_policy::max_elapsed`.
    retry_state(const retry_policy& policy, bool idempotent, time_point started)
        : policy_(policy), idempotent_(idempotent), started_(started) {}

    /// Decides after failed attempt number `attempts() + 1`. `unit` is a random draw in [0, 1)
    /// for the jitter; `wall_now` reads an HTTP-date `Retry-After`; `budget` (may be null) is
    /// charged one token when the answer is to retry.
    decision after_failure(const attempt_result& result, time_point now,
                           std::chrono::system_clock::time_point wall_now, double unit,
                           budget<Clock>* retry_budget) {
        ++attempts_;
        namespace ae = boost::asio::error;
        if (result.ec == ae::operation_aborted) return stop(retry_stop::cancelled);
        const bool retryable = result.status != 0 ? policy_.retryable_status(result.status)
                                                  : policy_.retry_transport_errors &&
                                                        is_transient_transport_error(result.ec);
        if (!retryable) return stop(retry_stop::not_retryable);
        if (!idempotent_ && !policy_.retry_non_idempotent) return stop(retry_stop::not_idempotent);
        if (attempts_ >= policy_.max_attempts) return stop(retry_stop::attempts_exhausted);

        auto delay = full_jitter_backoff(policy_, attempts_, unit);
        if (policy_.honour_retry_after && !result.retry_after.empty()) {
            if (auto asked = parse_retry_after(result.retry_after, wall_now)) {
                const auto capped = std::min<std::chrono::milliseconds>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(*asked),
                    policy_.max_retry_after);
                delay = std::max(delay, capped);
            }
        }
        if (policy_.max_elapsed && (now - started_) + delay > *policy_.max_elapsed)
            return stop(retry_stop::time_exhausted);
        if (retry_budget && !retry_budget->try_withdraw(now)) return stop(retry_stop::budget_empty);
        return {true, delay, retry_stop::none};
    }

    /// Failed attempts seen so far.
    unsigned attempts() const noexcept { return attempts_; }

  private:
    static decision stop(retry_stop reason) {
        return {false, std::chrono::milliseconds(0), reason};
    }

    const retry_policy& policy_;
    bool idempotent_;
    time_point started_;
    unsigned attempts_ = 0;
};

}  // namespace permit::detail::retry
