// Fuzz target: arbitrary bytes as an HTTP/1.1 response, read as the client reads one (limits,
// status line, headers, chunked bodies), then judged as the client judges it (the error body
// into diagnostics, the Retry-After header into a retry decision).
#include "fuzz_target.hpp"
#include "read_message.hpp"

#include <permit/config.hpp>
#include <permit/detail/http/response_parser.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/detail/retry/decision.hpp>
#include <permit/detail/retry/retry_after.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/retry/policy.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace permit_fuzz::http_response {

// The client's header limit; its body limit (64 MiB) cut to 1 MiB, so that a Content-Length the
// fuzzer invents does not make every input reserve 64 MiB: the limit is checked the same way.
inline constexpr std::size_t body_limit = 1024 * 1024;

// connection::read_response bounds its read buffer to max_response_header + 64 KiB (its
// read_slack): a line of chunked framing longer than that fails with buffer_overflow.
inline constexpr std::size_t read_slack = 64 * 1024;

// A fixed clock, so that an input does the same thing on every run.
inline const auto wall_now =
    std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 20000);
inline const auto steady_now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

}  // namespace permit_fuzz::http_response

// The first byte is how many bytes each read returns (0: all); the rest is the response.
PERMIT_FUZZ_TARGET(http_response) {
    using namespace permit_fuzz::http_response;
    if (size == 0) return 0;
    const std::size_t piece = data[0];
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    const permit::config defaults;
    // What connection::read_response keeps of the message.
    permit::detail::http::response resp;
    permit::detail::http::response_parser parser(resp);
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(defaults.max_response_header, UINT32_MAX)));
    parser.body_limit(std::min(defaults.max_response_body, body_limit));
    std::string buffer;
    if (permit_fuzz::read_message(parser, buffer, input, piece,
                                  defaults.max_response_header + read_slack))
        return 0;
    parser.finish();

    // What client_impl::execute does with a response that is not a 2xx.
    permit::diagnostics diag;
    permit::detail::read_error_body(resp, diag);
    const permit::retry_policy policy;
    permit::detail::retry::retry_state<> retries(policy, true, steady_now);
    const auto decision = retries.after_failure(
        {permit::error_from_status(resp.status), resp.status, resp.retry_after}, steady_now,
        wall_now, 0.5, nullptr);
    if (decision.retry) diag.retry_delays.push_back(decision.delay);
    diag.stop_reason = decision.stop;
    if (!resp.retry_after.empty())
        (void)permit::detail::retry::parse_retry_after(resp.retry_after, wall_now);
    diag.attempts = 2;
    (void)diag.to_string();
    return 0;
}
