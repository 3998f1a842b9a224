// The retry machinery, driven without sockets and with a fake clock: the policy's backoff
// ceilings and jitter, the Retry-After header, which requests may be sent twice, the client-wide
// retry budget, and the retry decision after each failed attempt.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include <permit/detail/http/closed_connection.hpp>
#include <permit/detail/retry/backoff.hpp>
#include <permit/detail/retry/budget.hpp>
#include <permit/detail/retry/decision.hpp>
#include <permit/detail/retry/idempotency.hpp>
#include <permit/detail/retry/retry_after.hpp>
#include <permit/error.hpp>
#include <permit/retry/policy.hpp>

#include "support/fake_clock.hpp"

using namespace std::chrono_literals;

namespace {

using permit_test::fake_clock;

using fake_budget = permit::detail::retry::budget<fake_clock>;
using fake_retry_state = permit::detail::retry::retry_state<fake_clock>;
using permit::retry_stop;

const fake_clock::time_point t0 = fake_clock::time_point{} + 1h;

// 1994-11-06 08:49:37 UTC: the instant of the RFC's example dates.
constexpr std::chrono::sys_seconds rfc_example =
    std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 37s;

std::chrono::system_clock::time_point wall(std::chrono::system_clock::duration offset = {}) {
    return std::chrono::system_clock::time_point{rfc_example} + offset;
}

std::int64_t ms(std::chrono::milliseconds d) {
    return d.count();
}

boost::system::error_code code_of(unsigned status) {
    return permit::make_error_code(permit::error_from_status(status));
}

// The result of an attempt that got an HTTP status, with its Retry-After header if any.
permit::detail::retry::attempt_result status_failure(unsigned status,
                                                     std::string_view retry_after = {}) {
    return {code_of(status), status, retry_after};
}

// The result of an attempt that got no response.
permit::detail::retry::attempt_result transport_failure(boost::system::error_code ec) {
    return {ec, 0, {}};
}

// A budget that only ever holds what it starts with: no refill, no deposit per call.
permit::retry_budget_options fixed_budget(double tokens) {
    permit::retry_budget_options o;
    o.capacity = tokens;
    o.refill_per_second = 0;
    o.ratio = 0;
    return o;
}

// Retry-After values are parsed relative to this wall-clock time in the decision tests.
const auto wall_now = wall();

}  // namespace

// ================================================================ policy and backoff

BOOST_AUTO_TEST_SUITE(retry_backoff)

using permit::detail::retry::backoff_ceiling;
using permit::detail::retry::full_jitter_backoff;

BOOST_AUTO_TEST_CASE(ceilings_double_from_the_initial_backoff_up_to_max_backoff) {
    const permit::retry_policy p;  // 200 ms, x2, capped at 10 s
    const std::vector<std::int64_t> expected{200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000};
    for (unsigned n = 1; n <= expected.size(); ++n) {
        BOOST_TEST_CONTEXT("retry " << n) {
            BOOST_TEST(ms(backoff_ceiling(p, n)) == expected[n - 1]);
        }
    }
}

BOOST_AUTO_TEST_CASE(ceiling_does_not_overflow_after_many_retries) {
    permit::retry_policy p;
    p.backoff_multiplier = 10;
    // 200 * 10^999 does not fit anywhere: the ceiling must stop at the cap, not wrap around.
    BOOST_TEST(ms(backoff_ceiling(p, 1000)) == 10000);
    BOOST_TEST(ms(backoff_ceiling(p, UINT_MAX)) == 10000);
    BOOST_TEST(ms(full_jitter_backoff(p, 1000, 0.5)) == 5000);
}

BOOST_AUTO_TEST_CASE(an_uncapped_ceiling_stays_positive) {
    // max_backoff = milliseconds::max() reads as "no cap". The ceiling then grows until it no
    // longer fits: it must stay the largest wait, never turn negative (a negative wait would
    // retry at once, as fast as the loop runs).
    permit::retry_policy p;
    p.max_backoff = std::chrono::milliseconds::max();
    BOOST_TEST(ms(backoff_ceiling(p, 20)) == 200 * (std::int64_t{1} << 19));
    BOOST_TEST(ms(backoff_ceiling(p, 1000)) > 0);
    BOOST_TEST(ms(full_jitter_backoff(p, 1000, 0.5)) > 0);
}

BOOST_AUTO_TEST_CASE(a_multiplier_below_one_does_not_shrink_the_wait) {
    permit::retry_policy p;
    p.backoff_multiplier = 0.5;
    // A ceiling that shrank with each retry would hammer a struggling server harder and harder.
    BOOST_TEST(ms(backoff_ceiling(p, 1)) == 200);
    BOOST_TEST(ms(backoff_ceiling(p, 5)) == 200);
}

BOOST_AUTO_TEST_CASE(jitter_scales_the_ceiling_by_the_draw) {
    const permit::retry_policy p;
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 0.0)) == 0);
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 0.5)) == 100);
    BOOST_TEST(ms(full_jitter_backoff(p, 3, 0.5)) == 400);
    // The largest draw waits just under the ceiling, never over it.
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 0.999999)) == 199);
    BOOST_TEST(ms(full_jitter_backoff(p, 7, 0.999999)) == 9999);
}

BOOST_AUTO_TEST_CASE(jitter_from_a_random_generator_stays_within_the_ceiling_and_spreads) {
    const permit::retry_policy p;
    std::mt19937 gen(12345);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (unsigned n = 1; n <= 10; ++n) {
        BOOST_TEST_CONTEXT("retry " << n) {
            const auto ceiling = backoff_ceiling(p, n);
            auto lowest = ceiling;
            auto highest = 0ms;
            for (int i = 0; i < 1000; ++i) {
                const auto d = full_jitter_backoff(p, n, unit(gen));
                BOOST_TEST_REQUIRE(ms(d) >= 0);
                BOOST_TEST_REQUIRE(ms(d) <= ms(ceiling));
                lowest = std::min(lowest, d);
                highest = std::max(highest, d);
            }
            // Full jitter uses the whole range: clients that failed together retry apart.
            BOOST_TEST(ms(lowest) <= ms(ceiling) / 10);
            BOOST_TEST(ms(highest) >= ms(ceiling) * 9 / 10);
        }
    }
}

BOOST_AUTO_TEST_CASE(draws_outside_the_unit_interval_are_clamped) {
    const permit::retry_policy p;
    BOOST_TEST(ms(full_jitter_backoff(p, 1, -0.5)) == 0);
    BOOST_TEST(ms(full_jitter_backoff(p, 1, -1e300)) == 0);
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 1.0)) == 200);
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 7.0)) == 200);
    BOOST_TEST(ms(full_jitter_backoff(p, 1, 1e300)) == 200);
}

BOOST_AUTO_TEST_CASE(none_allows_a_single_attempt_and_stop_reasons_read_differently) {
    BOOST_TEST(permit::retry_policy::none().max_attempts == 1u);
    BOOST_TEST(permit::retry_policy{}.max_attempts == 4u);

    // Each reason has its own message, so that a diagnostics line says why the call stopped.
    const std::vector<retry_stop> all{retry_stop::none,           retry_stop::not_retryable,
                                      retry_stop::not_idempotent, retry_stop::attempts_exhausted,
                                      retry_stop::time_exhausted, retry_stop::budget_empty,
                                      retry_stop::cancelled};
    std::set<std::string> texts;
    for (const auto r : all) {
        const std::string text = permit::to_string(r);
        BOOST_TEST(text != "unknown");
        BOOST_TEST(!text.empty());
        texts.insert(text);
    }
    BOOST_TEST(texts.size() == all.size());
    BOOST_TEST(std::string(permit::to_string(retry_stop::budget_empty)) == "retry budget empty");
}

BOOST_AUTO_TEST_CASE(retryable_statuses_are_the_temporary_ones) {
    const permit::retry_policy p;
    for (unsigned s : {408u, 429u, 500u, 502u, 503u, 504u}) BOOST_TEST(p.retryable_status(s));
    for (unsigned s : {400u, 401u, 403u, 404u, 409u, 422u, 424u, 501u})
        BOOST_TEST(!p.retryable_status(s));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ Retry-After

BOOST_AUTO_TEST_SUITE(retry_after_header)

using permit::detail::retry::parse_http_date;
using permit::detail::retry::parse_retry_after;

BOOST_AUTO_TEST_CASE(delta_seconds_are_read_as_seconds) {
    const auto now = wall();
    BOOST_TEST(parse_retry_after("120", now).value().count() == 120);
    BOOST_TEST(parse_retry_after(" 5 ", now).value().count() == 5);
    BOOST_TEST(parse_retry_after("\t7", now).value().count() == 7);
    BOOST_TEST(parse_retry_after("0", now).value().count() == 0);
}

BOOST_AUTO_TEST_CASE(huge_delta_seconds_saturate_instead_of_overflowing) {
    const auto wait = parse_retry_after("99999999999999999999999", wall());
    BOOST_TEST_REQUIRE(wait.has_value());
    // A wrapped value could be small or negative and make the client retry at once.
    BOOST_TEST(wait->count() >= std::int64_t{365} * 24 * 3600);
    // The caller converts to milliseconds to cap it: that must not overflow either.
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count() > 0);
}

BOOST_AUTO_TEST_CASE(values_that_are_neither_form_are_rejected) {
    const auto now = wall();
    for (std::string_view v : {"-5", "1.5", "abc", "", "   ", "12abc", "5 5", "+5", "0x10"}) {
        BOOST_TEST_CONTEXT("'" << v << "'") {
            BOOST_TEST(!parse_retry_after(v, now).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(an_http_date_gives_the_wait_until_then) {
    // "now" is 30 s before the date the server named.
    const auto now = wall(-30s);
    const auto wait = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now);
    BOOST_TEST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 30);
}

BOOST_AUTO_TEST_CASE(an_http_date_in_the_past_means_no_wait) {
    const auto wait = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", wall(+1h));
    BOOST_TEST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 0);
}

BOOST_AUTO_TEST_CASE(an_http_date_wait_is_not_shorter_than_asked) {
    // The wall clock has sub-second precision, the header has not: 29.5 s before the date, a
    // wait of 29 s would retry half a second before the server said it is ready. The wait is the
    // time until the date, rounded up to the second.
    const auto wait = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", wall(-29500ms));
    BOOST_TEST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 30);
    const auto almost = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", wall(-1ms));
    BOOST_TEST_REQUIRE(almost.has_value());
    BOOST_TEST(almost->count() == 1);
}

BOOST_AUTO_TEST_CASE(the_three_date_forms_name_the_same_instant) {
    const auto imf = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    const auto rfc850 = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT");
    const auto asctime = parse_http_date("Sun Nov  6 08:49:37 1994");
    BOOST_TEST_REQUIRE(imf.has_value());
    BOOST_TEST_REQUIRE(rfc850.has_value());
    BOOST_TEST_REQUIRE(asctime.has_value());
    BOOST_TEST((*imf == rfc_example));
    BOOST_TEST((*rfc850 == rfc_example));
    BOOST_TEST((*asctime == rfc_example));

    // A two-digit asctime day, and an RFC 850 year in this century.
    const auto later = parse_http_date("Wed Nov 16 08:49:37 1994");
    BOOST_TEST_REQUIRE(later.has_value());
    BOOST_TEST(((*later - rfc_example) == std::chrono::days(10)));
    const auto y2k = parse_http_date("Monday, 06-Nov-23 08:49:37 GMT");
    BOOST_TEST_REQUIRE(y2k.has_value());
    BOOST_TEST((std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(*y2k)}.year() ==
                std::chrono::year{2023}));
}

BOOST_AUTO_TEST_CASE(invalid_dates_are_rejected) {
    for (std::string_view v : {
             "Sun, 31 Feb 1994 08:49:37 GMT",  // no such day
             "Sun, 06 Nov 1994 25:00:00 GMT",  // no such hour
             "Sun, 06 Nov 1994 08:60:00 GMT",  // no such minute
             "Sun, 06 Nov 1994 08:49:37",      // no zone
             "Sun, 06 Nov 1994 08:49:37 UTC",  // only GMT is allowed
             "Sun, 06 Foo 1994 08:49:37 GMT",  // no such month
             "Sun, 06 Nov 1994 08:49:37 GMT junk",
             "Sunday, 06-Nov-94 08:49:37",
             "Sun Nov  6 08:49:37",
             "Sun Nov 31 08:49:37 1994",
             "yesterday",
         }) {
        BOOST_TEST_CONTEXT("'" << v << "'") {
            BOOST_TEST(!parse_http_date(v).has_value());
            BOOST_TEST(!parse_retry_after(v, wall()).has_value());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ idempotency

BOOST_AUTO_TEST_SUITE(retry_idempotency)

using verb = permit::http_method;
using permit::detail::retry::is_idempotent;

BOOST_AUTO_TEST_CASE(reads_puts_and_deletes_may_be_sent_twice) {
    for (const auto v : {verb::get, verb::put, verb::delete_, verb::head}) {
        BOOST_TEST_CONTEXT(permit::to_string(v)) {
            BOOST_TEST(is_idempotent(v, false));
            BOOST_TEST(is_idempotent(v, true));
        }
    }
}

BOOST_AUTO_TEST_CASE(posts_and_patches_to_the_api_may_not_but_pdp_posts_may) {
    // A second POST could create a user twice; a second PDP check only asks again.
    BOOST_TEST(!is_idempotent(verb::post, false));
    BOOST_TEST(!is_idempotent(verb::patch, false));
    BOOST_TEST(is_idempotent(verb::post, true));
    BOOST_TEST(!is_idempotent(verb::patch, true));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ budget

BOOST_AUTO_TEST_SUITE(retry_budget)

BOOST_AUTO_TEST_CASE(an_empty_budget_refuses_retries) {
    fake_budget b(fixed_budget(3), t0);
    BOOST_TEST(b.tokens(t0) == 3.0);
    BOOST_TEST(b.try_withdraw(t0));
    BOOST_TEST(b.try_withdraw(t0));
    BOOST_TEST(b.try_withdraw(t0));
    BOOST_TEST(!b.try_withdraw(t0));
    // Without refill, time does not help.
    BOOST_TEST(!b.try_withdraw(t0 + 1h));
    BOOST_TEST(b.tokens(t0 + 1h) == 0.0);
}

BOOST_AUTO_TEST_CASE(time_refills_the_budget_up_to_its_capacity) {
    auto o = fixed_budget(3);
    o.refill_per_second = 2;
    fake_budget b(o, t0);
    for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(b.try_withdraw(t0));
    BOOST_TEST(!b.try_withdraw(t0 + 499ms));  // 0.998 tokens: not a whole one yet

    // One second of fake time brings exactly two tokens back.
    BOOST_TEST(b.tokens(t0 + 1s) == 2.0);
    BOOST_TEST(b.try_withdraw(t0 + 1s));
    BOOST_TEST(b.try_withdraw(t0 + 1s));
    BOOST_TEST(!b.try_withdraw(t0 + 1s));

    // A long quiet time fills it, and no more.
    BOOST_TEST(b.tokens(t0 + 1h) == 3.0);
    BOOST_TEST(b.try_withdraw(t0 + 1h));
    BOOST_TEST(b.try_withdraw(t0 + 1h));
    BOOST_TEST(b.try_withdraw(t0 + 1h));
    BOOST_TEST(!b.try_withdraw(t0 + 1h));
}

BOOST_AUTO_TEST_CASE(each_call_deposits_its_ratio_of_a_retry) {
    auto o = fixed_budget(10);
    o.ratio = 0.5;
    fake_budget b(o, t0);
    while (b.try_withdraw(t0)) {
    }
    b.on_call(t0);
    BOOST_TEST(!b.try_withdraw(t0));  // half a retry is no retry
    b.on_call(t0);
    BOOST_TEST(b.try_withdraw(t0));  // two calls earn one
    BOOST_TEST(!b.try_withdraw(t0));

    // Deposits never raise the bucket over its capacity.
    for (int i = 0; i < 100; ++i) b.on_call(t0);
    BOOST_TEST(b.tokens(t0) == 10.0);
}

BOOST_AUTO_TEST_CASE(a_disabled_budget_always_allows) {
    auto o = fixed_budget(0);
    o.enabled = false;
    fake_budget b(o, t0);
    for (int i = 0; i < 1000; ++i) BOOST_TEST_REQUIRE(b.try_withdraw(t0));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ decision

BOOST_AUTO_TEST_SUITE(retry_decision)

BOOST_AUTO_TEST_CASE(a_503_is_retried_until_the_attempts_run_out) {
    const permit::retry_policy p;  // 4 attempts
    fake_retry_state s(p, true, t0);
    // With a draw of 0.5 each wait is half its ceiling: the ceilings double.
    const std::vector<std::int64_t> delays{100, 200, 400};
    for (std::size_t i = 0; i < delays.size(); ++i) {
        BOOST_TEST_CONTEXT("failure " << i + 1) {
            const auto d = s.after_failure(status_failure(503), t0, wall_now, 0.5, nullptr);
            BOOST_TEST(d.retry);
            BOOST_TEST(ms(d.delay) == delays[i]);
            BOOST_TEST((d.stop == retry_stop::none));
        }
    }
    const auto last = s.after_failure(status_failure(503), t0, wall_now, 0.5, nullptr);
    BOOST_TEST(!last.retry);
    BOOST_TEST((last.stop == retry_stop::attempts_exhausted));
    BOOST_TEST(s.attempts() == 4u);
}

BOOST_AUTO_TEST_CASE(every_temporary_status_is_retried) {
    const permit::retry_policy p;
    for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            fake_retry_state s(p, true, t0);
            BOOST_TEST(s.after_failure(status_failure(status), t0, wall_now, 0, nullptr).retry);
        }
    }
}

BOOST_AUTO_TEST_CASE(client_errors_are_not_retried) {
    const permit::retry_policy p;
    for (unsigned status : {400u, 401u, 403u, 404u, 409u, 422u, 501u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            fake_retry_state s(p, true, t0);
            const auto d = s.after_failure(status_failure(status), t0, wall_now, 0, nullptr);
            BOOST_TEST(!d.retry);
            BOOST_TEST((d.stop == retry_stop::not_retryable));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_non_idempotent_request_is_retried_only_when_the_policy_says_so) {
    permit::retry_policy p;
    {
        fake_retry_state s(p, false, t0);
        const auto d = s.after_failure(status_failure(503), t0, wall_now, 0, nullptr);
        BOOST_TEST(!d.retry);
        BOOST_TEST((d.stop == retry_stop::not_idempotent));
    }
    {
        // A permanent error says so, rather than blaming the verb.
        fake_retry_state s(p, false, t0);
        const auto d = s.after_failure(status_failure(409), t0, wall_now, 0, nullptr);
        BOOST_TEST((d.stop == retry_stop::not_retryable));
    }
    p.retry_non_idempotent = true;
    fake_retry_state s(p, false, t0);
    BOOST_TEST(s.after_failure(status_failure(503), t0, wall_now, 0, nullptr).retry);
}

BOOST_AUTO_TEST_CASE(a_cancelled_attempt_stops_at_once) {
    const permit::retry_policy p;
    fake_retry_state s(p, true, t0);
    const auto d = s.after_failure(transport_failure(boost::asio::error::operation_aborted), t0,
                                   wall_now, 0, nullptr);
    BOOST_TEST(!d.retry);
    BOOST_TEST((d.stop == retry_stop::cancelled));
}

BOOST_AUTO_TEST_CASE(transient_transport_errors_are_retried_unless_turned_off) {
    const std::vector<boost::system::error_code> transient{
        boost::asio::error::connection_reset,
        boost::asio::error::connection_refused,
        boost::asio::error::eof,
        boost::asio::error::broken_pipe,
        boost::asio::ssl::error::stream_truncated,
        permit::make_error_code(permit::error::request_timeout),
        permit::make_error_code(permit::error::connect_timeout),
    };
    permit::retry_policy p;
    for (const auto& ec : transient) {
        BOOST_TEST_CONTEXT(ec.message()) {
            fake_retry_state s(p, true, t0);
            BOOST_TEST(s.after_failure(transport_failure(ec), t0, wall_now, 0, nullptr).retry);
        }
    }
    p.retry_transport_errors = false;
    for (const auto& ec : transient) {
        BOOST_TEST_CONTEXT(ec.message()) {
            fake_retry_state s(p, true, t0);
            const auto d = s.after_failure(transport_failure(ec), t0, wall_now, 0, nullptr);
            BOOST_TEST(!d.retry);
            BOOST_TEST((d.stop == retry_stop::not_retryable));
        }
    }
}

BOOST_AUTO_TEST_CASE(permanent_transport_errors_are_not_retried) {
    // The next attempt would fail the same way.
    const std::vector<boost::system::error_code> permanent{
        permit::make_error_code(permit::error::response_too_large),
        permit::make_error_code(permit::error::invalid_response),
        boost::system::error_code(1, boost::asio::error::get_ssl_category()),
    };
    const permit::retry_policy p;
    for (const auto& ec : permanent) {
        BOOST_TEST_CONTEXT(ec.message()) {
            fake_retry_state s(p, true, t0);
            const auto d = s.after_failure(transport_failure(ec), t0, wall_now, 0, nullptr);
            BOOST_TEST(!d.retry);
            BOOST_TEST((d.stop == retry_stop::not_retryable));
        }
    }
}

BOOST_AUTO_TEST_CASE(retry_after_sets_a_floor_on_the_wait) {
    const permit::retry_policy p;
    {
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(429, "2"), t0, wall_now, 0, nullptr);
        BOOST_TEST(d.retry);
        BOOST_TEST(ms(d.delay) == 2000);
    }
    {
        // A shorter Retry-After does not cut the backoff.
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(503, "0"), t0, wall_now, 0.5, nullptr);
        BOOST_TEST(ms(d.delay) == 100);
    }
    {
        // An HTTP-date, read against the wall clock.
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(503, "Sun, 06 Nov 1994 08:50:07 GMT"), t0,
                                       wall_now, 0, nullptr);
        BOOST_TEST(ms(d.delay) == 30000);
    }
}

BOOST_AUTO_TEST_CASE(a_huge_retry_after_is_capped) {
    permit::retry_policy p;
    p.max_elapsed.reset();
    fake_retry_state s(p, true, t0);
    const auto d = s.after_failure(status_failure(503, "100000"), t0, wall_now, 0, nullptr);
    BOOST_TEST(d.retry);
    BOOST_TEST(ms(d.delay) == ms(p.max_retry_after));

    // Even a saturated one.
    fake_retry_state s2(p, true, t0);
    const auto d2 =
        s2.after_failure(status_failure(503, "99999999999999999999"), t0, wall_now, 0, nullptr);
    BOOST_TEST(ms(d2.delay) == 60000);
}

BOOST_AUTO_TEST_CASE(a_garbage_or_unwanted_retry_after_is_ignored) {
    permit::retry_policy p;
    for (std::string_view v : {"soon", "-3", "1.5", "Sun, 31 Feb 1994 08:49:37 GMT"}) {
        BOOST_TEST_CONTEXT("'" << v << "'") {
            fake_retry_state s(p, true, t0);
            const auto d = s.after_failure(status_failure(503, v), t0, wall_now, 0.5, nullptr);
            BOOST_TEST(d.retry);
            BOOST_TEST(ms(d.delay) == 100);  // the backoff alone
        }
    }
    p.honour_retry_after = false;
    fake_retry_state s(p, true, t0);
    const auto d = s.after_failure(status_failure(503, "30"), t0, wall_now, 0.5, nullptr);
    BOOST_TEST(ms(d.delay) == 100);
}

BOOST_AUTO_TEST_CASE(no_retry_starts_after_max_elapsed) {
    permit::retry_policy p;
    p.max_elapsed = 1s;
    const auto now = t0 + 900ms;
    {
        // 0.9 * 200 ms = 180 ms: the retry would start at 1080 ms.
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(503), now, wall_now, 0.9, nullptr);
        BOOST_TEST(!d.retry);
        BOOST_TEST((d.stop == retry_stop::time_exhausted));
    }
    {
        // 0.4 * 200 ms = 80 ms: it starts at 980 ms, in time.
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(503), now, wall_now, 0.4, nullptr);
        BOOST_TEST(d.retry);
        BOOST_TEST(ms(d.delay) == 80);
    }
    {
        // A Retry-After that reaches past the limit ends the call now rather than later.
        fake_retry_state s(p, true, t0);
        const auto d = s.after_failure(status_failure(429, "2"), t0, wall_now, 0, nullptr);
        BOOST_TEST((d.stop == retry_stop::time_exhausted));
    }
}

BOOST_AUTO_TEST_CASE(an_empty_budget_stops_retries) {
    const permit::retry_policy p;
    fake_budget b(fixed_budget(1), t0);
    fake_retry_state first(p, true, t0);
    BOOST_TEST(first.after_failure(status_failure(503), t0, wall_now, 0, &b).retry);
    BOOST_TEST(b.tokens(t0) == 0.0);

    fake_retry_state second(p, true, t0);
    const auto d = second.after_failure(status_failure(503), t0, wall_now, 0, &b);
    BOOST_TEST(!d.retry);
    BOOST_TEST((d.stop == retry_stop::budget_empty));
}

BOOST_AUTO_TEST_CASE(the_budget_is_charged_only_for_a_retry) {
    permit::retry_policy p;
    p.max_elapsed = 1s;
    fake_budget b(fixed_budget(1), t0);

    fake_retry_state permanent(p, true, t0);
    BOOST_TEST((permanent.after_failure(status_failure(404), t0, wall_now, 0, &b).stop ==
                retry_stop::not_retryable));
    fake_retry_state post(p, false, t0);
    BOOST_TEST((post.after_failure(status_failure(503), t0, wall_now, 0, &b).stop ==
                retry_stop::not_idempotent));
    fake_retry_state late(p, true, t0);
    BOOST_TEST((late.after_failure(status_failure(503), t0 + 2s, wall_now, 0, &b).stop ==
                retry_stop::time_exhausted));
    const auto none = permit::retry_policy::none();
    fake_retry_state single(none, true, t0);
    BOOST_TEST((single.after_failure(status_failure(503), t0, wall_now, 0, &b).stop ==
                retry_stop::attempts_exhausted));
    BOOST_TEST(b.tokens(t0) == 1.0);

    fake_retry_state retried(p, true, t0);
    BOOST_TEST(retried.after_failure(status_failure(503), t0, wall_now, 0, &b).retry);
    BOOST_TEST(b.tokens(t0) == 0.0);
}

BOOST_AUTO_TEST_CASE(the_none_policy_never_retries) {
    const auto p = permit::retry_policy::none();
    for (const auto& result : {status_failure(503), status_failure(429, "1"),
                               transport_failure(boost::asio::error::connection_reset)}) {
        BOOST_TEST_CONTEXT(result.ec.message()) {
            fake_retry_state s(p, true, t0);
            const auto d = s.after_failure(result, t0, wall_now, 0, nullptr);
            BOOST_TEST(!d.retry);
            BOOST_TEST((d.stop == retry_stop::attempts_exhausted));
        }
    }
}

BOOST_AUTO_TEST_CASE(only_a_closed_connection_allows_a_replay) {
    // The replay after a stale keep-alive connection is for a server that closed the connection,
    // not for one that was too slow or refused it.
    using permit::detail::http::is_closed_connection_error;
    BOOST_TEST(is_closed_connection_error(boost::asio::error::eof));
    BOOST_TEST(is_closed_connection_error(boost::asio::error::connection_reset));
    BOOST_TEST(is_closed_connection_error(boost::asio::error::broken_pipe));
    BOOST_TEST(is_closed_connection_error(boost::beast::http::error::end_of_stream));
    BOOST_TEST(!is_closed_connection_error(permit::error::request_timeout));
    BOOST_TEST(!is_closed_connection_error(boost::asio::error::connection_refused));
    BOOST_TEST(!is_closed_connection_error(boost::asio::error::operation_aborted));
}

BOOST_AUTO_TEST_SUITE_END()
