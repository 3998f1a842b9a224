// What is known about a failed call beyond its error code: the server's own reason, kept apart
// from the library's.
#pragma once

#include <permit/detail/utf8.hpp>
#include <permit/models/error_body.hpp>
#include <permit/retry/policy.hpp>

#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit {

/// Details of the last failure of one call.
///
/// What the server said (`status`, `details`, `validation_errors`, `detail`, `raw_body`) may echo
/// user input; it is kept apart from the library's own `client_message`. No field ever holds the
/// API key: the client never copies request headers here, and removes the key from anything the
/// server sent (a proxy may echo the `Authorization` header).
struct diagnostics {
    /// The HTTP status of the failed response, or 0 when none arrived (a network error).
    unsigned status = 0;
    /// The REST API's `ErrorDetails` body (404, 409, 401/403, 5xx), when it sent one.
    std::optional<error_details> details;
    /// The items of a 422 `{"detail":[...]}` body.
    std::vector<validation_error_item> validation_errors;
    /// The text of a `{"detail":"..."}` body, as FastAPI and the PDP send it.
    std::string detail;
    /// The body, when it was not JSON (a load balancer's page), cut to `max_raw_body` bytes.
    std::string raw_body;
    /// The server's request id (`X-Request-Id`), or `details->id`, for support.
    std::string request_id;
    /// What the library itself found (a timeout, a TLS failure, an invalid body).
    std::string client_message;
    /// The request that failed, as `"<METHOD> <path>"` (no query, no headers).
    std::string request;
    /// How many times the request was sent (retries and replays included).
    unsigned attempts = 0;
    /// The waits before each retry, in order (backoff, or the server's `Retry-After`).
    std::vector<std::chrono::milliseconds> retry_delays;
    /// Why no further retry was made: `retry_stop::none` when the call succeeded.
    retry_stop stop_reason = retry_stop::none;
    /// The request was sent again on a new connection because a reused keep-alive connection
    /// failed before any byte of the response arrived (the server had closed it).
    bool replayed = false;
    /// How long the call waited for the client-side rate limiter, all attempts together.
    std::chrono::milliseconds rate_limit_wait{0};

    /// The largest `raw_body` kept.
    static constexpr std::size_t max_raw_body = 1024;

    /// The server's reason in one line: the `ErrorDetails` title and message, the 422 items as
    /// `loc -> field: msg (type)`, the `detail` text, or the raw body. Empty when the server said
    /// nothing. Always valid UTF-8: a byte that is not is written as `\xNN`.
    std::string server_message() const {
        std::string out;
        auto append = [&out](const std::string& part) {
            if (part.empty()) return;
            if (!out.empty()) out += "; ";
            out += part;
        };
        if (details) {
            append(details->title);
            append(details->message);
        }
        for (const auto& item : validation_errors)
            append(format_loc(item.loc) + ": " + item.msg + " (" + item.type + ")");
        append(detail);
        if (out.empty()) append(raw_body);
        return detail::escape_invalid_utf8(out);
    }

    /// Everything worth logging, in one line: the request, the status, the server's reason, the
    /// library's note, the request id and the attempt count. Always valid UTF-8 (so also the
    /// message of `api_error`): a byte that is not is written as `\xNN`, whatever the server
    /// sent.
    std::string to_string() const {
        std::string out = request;
        auto append = [&out](const std::string& part) {
            if (part.empty()) return;
            if (!out.empty()) out += ": ";
            out += part;
        };
        if (status != 0) append("HTTP " + std::to_string(status));
        append(server_message());
        append(client_message);
        if (!request_id.empty()) out += " [request id " + request_id + "]";
        if (attempts > 1) {
            out += " [" + std::to_string(attempts) + " attempts";
            if (!retry_delays.empty()) {
                out += ", waited";
                for (const auto d : retry_delays) out += " " + std::to_string(d.count()) + " ms";
            }
            out += "]";
        }
        if (stop_reason != retry_stop::none && stop_reason != retry_stop::not_retryable)
            out += std::string(" [not retried: ") + permit::to_string(stop_reason) + "]";
        return detail::escape_invalid_utf8(out);
    }

    /// Forgets everything, so that the object can serve another call.
    void clear() { *this = diagnostics{}; }

    /// Forgets what the last failed attempt said (status, bodies, notes), and keeps the history
    /// of the call (request, attempts, waits).
    void clear_failure() {
        status = 0;
        details.reset();
        validation_errors.clear();
        detail.clear();
        raw_body.clear();
        request_id.clear();
        client_message.clear();
        stop_reason = retry_stop::none;
    }

    /// Field-by-field equality.
    friend bool operator==(const diagnostics&, const diagnostics&) = default;
};

/// The exception thrown by the default completion token (`permit::use_awaitable`) when a call
/// fails. `code()` compares against `permit::condition`; `diagnostics()` has the details.
class api_error : public boost::system::system_error {
  public:
    /// The failure `ec` with its details; `what()` includes `diag.to_string()`.
    api_error(boost::system::error_code ec, permit::diagnostics diag)
        : boost::system::system_error(ec, diag.to_string()), diag_(std::move(diag)) {}

    /// The details of the failure.
    const permit::diagnostics& diagnostics() const noexcept { return diag_; }

  private:
    permit::diagnostics diag_;
};

}  // namespace permit
