// Rate limits by Permit's documented classes ("Rate Limiting" in
// https://docs.permit.io/api/api-with-cli): off by default; when on, the request over a class's
// limit gets 429 with the documented body and `Retry-After`, is not applied and does not use up
// quota; the window is divided by `time_scale`.
//
// Timing: assertions that a request is refused depend on it arriving inside the window, so they
// are made only when the test can prove that from its own clock (the window had not yet passed
// when the answer arrived). Sleeps only ever wait *past* a window. Nothing asserts an upper bound
// on how long anything takes.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>

#include "support/fresh_emulator.hpp"
#include "support/http_client.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using permit_test::fresh_emulator;
using namespace std::chrono_literals;
using permit::testing::emulator_config;
using permit::testing::rate_limit_config;
using steady = std::chrono::steady_clock;

// Some of these tests sleep past their windows or send hundreds of requests, so the watchdog
// gives them longer than its usual 20 s.
constexpr std::chrono::seconds watchdog_limit = 25s;

emulator_config limited(rate_limit_config limits) {
    limits.enabled = true;
    emulator_config config;
    config.rate_limits = limits;
    return config;
}

json::value user(const std::string& key) {
    return json::object{{"key", key}};
}

json::value rate_limited_body() {
    return json::object{{"error", "rate_limited"},
                        {"message", "You have exceeded the rate limit. Please try again later."}};
}

bool has_retry_after(const permit_test::response& r) {
    return r.headers.find(http::field::retry_after) != r.headers.end();
}

/// `Retry-After` as whole seconds; fails the test when it is missing or not digits.
long retry_after_seconds(const permit_test::response& r) {
    const auto value = r.header(http::field::retry_after);
    BOOST_TEST_REQUIRE(!value.empty(), "no Retry-After header");
    BOOST_TEST_REQUIRE(value.find_first_not_of("0123456789") == std::string::npos,
                       "Retry-After is not whole seconds: " << value);
    return std::stol(value);
}

/// A 429 from the rate limiter as documented: status, body, and (by default) `Retry-After`.
void check_rate_limited(const permit_test::response& r, bool with_retry_after = true) {
    BOOST_TEST_REQUIRE(r.status == 429u);
    BOOST_TEST(json::parse(r.body) == rate_limited_body());
    if (with_retry_after) BOOST_TEST(retry_after_seconds(r) >= 1);
}

bool user_exists(permit_test::api_client& client, const std::string& key) {
    const auto r = client.get(client.facts("/users/" + key));
    BOOST_TEST((r.status == 200u || r.status == 404u));
    return r.status == 200u;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_rate_limits)

BOOST_AUTO_TEST_CASE(the_write_over_the_limit_gets_429_and_is_not_applied_until_the_window_passes) {
    // A minute lasts a second.
    fresh_emulator f{limited({.time_scale = 60, .writes_per_minute = 5}), watchdog_limit};
    constexpr auto window = 1s;
    auto client = f.connect();
    const auto start = steady::now();
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("w" + std::to_string(i))).status ==
                   201u);
    const auto last_admitted = steady::now();

    const auto refused = client.post(client.facts("/users"), user("w5"));
    const auto refused_at = steady::now();
    if (refused_at - start < window) {
        check_rate_limited(refused);
        BOOST_TEST(retry_after_seconds(refused) == 1, "under a second to wait rounds up to 1");
        BOOST_TEST(!user_exists(client, "w5"), "a refused write must not be applied");
        BOOST_TEST(client.get("/v2/api-key/scope").status == 200u, "reads are not writes");
        const auto stats = f.emu.stats();
        BOOST_TEST(stats.rate_limited == 1u);
        BOOST_TEST(stats.status(429) == 1u);
        BOOST_TEST(stats.faults_injected.empty());
        const auto log = f.emu.request_log();
        BOOST_TEST_REQUIRE(log.size() >= 6u);
        BOOST_TEST(log[5].status == 429u);
        BOOST_TEST(!log[5].fault.has_value(), "a rate-limit 429 is not a fault");
    } else {
        BOOST_TEST_MESSAGE("the machine is too slow to check the refusal inside a 1 s window");
    }

    std::this_thread::sleep_until(last_admitted + window + 100ms);
    BOOST_TEST(client.post(client.facts("/users"), user("w5")).status == 201u);
    BOOST_TEST(user_exists(client, "w5"));
}

BOOST_AUTO_TEST_CASE(retry_after_is_the_whole_seconds_until_the_window_admits) {
    fresh_emulator f{limited({.writes_per_minute = 2}), watchdog_limit};  // real one-minute windows
    auto client = f.connect();
    const auto start = steady::now();
    BOOST_TEST(client.post(client.facts("/users"), user("a")).status == 201u);
    BOOST_TEST(client.post(client.facts("/users"), user("b")).status == 201u);
    const auto r = client.post(client.facts("/users"), user("c"));
    const auto elapsed = steady::now() - start;
    check_rate_limited(r);
    const auto seconds = retry_after_seconds(r);
    BOOST_TEST(seconds <= 60);
    if (elapsed < 1s)
        BOOST_TEST(seconds == 60, "a window that ends 59-60 s from now rounds up to 60");
}

BOOST_AUTO_TEST_CASE(refused_requests_do_not_use_up_quota) {
    fresh_emulator f{limited({.time_scale = 60, .writes_per_minute = 3}), watchdog_limit};
    constexpr auto window = 1s;
    auto client = f.connect();
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("q" + std::to_string(i))).status ==
                   201u);
    const auto last_admitted = steady::now();

    // Half a window later, ten refused writes. Were they counted, they would fill the next window.
    std::this_thread::sleep_until(last_admitted + 500ms);
    for (int i = 0; i < 10; ++i) {
        const auto r = client.post(client.facts("/users"), user("refused" + std::to_string(i)));
        BOOST_TEST((r.status == 429u || r.status == 201u));
    }

    std::this_thread::sleep_until(last_admitted + window + 100ms);
    const auto start = steady::now();
    for (int i = 3; i < 6; ++i) {
        const auto r = client.post(client.facts("/users"), user("q" + std::to_string(i)));
        BOOST_TEST(r.status == 201u,
                   "write " << i << ": the refused writes must not have used up the quota");
    }
    const auto fourth = client.post(client.facts("/users"), user("q6"));
    if (steady::now() - start < window) check_rate_limited(fourth);
    for (int i = 0; i < 10; ++i) BOOST_TEST(!user_exists(client, "refused" + std::to_string(i)));
}

BOOST_AUTO_TEST_CASE(deletes_have_their_own_class) {
    // Real one-minute windows.
    fresh_emulator f{limited({.deletes_per_minute = 3}), watchdog_limit};
    auto client = f.connect();
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("d" + std::to_string(i))).status ==
                   201u);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(client.del(client.facts("/users/d" + std::to_string(i))).status == 204u);
    check_rate_limited(client.del(client.facts("/users/d3")));
    BOOST_TEST(user_exists(client, "d3"), "a refused delete must not be applied");
    // Other writes and reads are not deletes.
    BOOST_TEST(client.post(client.facts("/users"), user("d5")).status == 201u);
    BOOST_TEST(client.patch(client.facts("/users/d4"), json::object{{"first_name", "D"}}).status ==
               200u);
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    check_rate_limited(client.del(client.facts("/users/d4")));
    BOOST_TEST(f.emu.stats().rate_limited == 2u);
    BOOST_TEST(f.emu.user_count() == 3u);  // d3, d4, d5
}

BOOST_AUTO_TEST_CASE(deletes_are_admitted_again_after_the_scaled_window) {
    fresh_emulator f{limited({.time_scale = 60, .deletes_per_minute = 2}), watchdog_limit};
    constexpr auto window = 1s;
    auto client = f.connect();
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("d" + std::to_string(i))).status ==
                   201u);
    const auto start = steady::now();
    BOOST_TEST(client.del(client.facts("/users/d0")).status == 204u);
    BOOST_TEST(client.del(client.facts("/users/d1")).status == 204u);
    const auto last_admitted = steady::now();
    const auto refused = client.del(client.facts("/users/d2"));
    if (steady::now() - start < window) check_rate_limited(refused);
    std::this_thread::sleep_until(last_admitted + window + 100ms);
    BOOST_TEST(client.del(client.facts("/users/d2")).status == 204u);
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(bulk_calls_have_their_own_class) {
    // Real ten-minute windows.
    fresh_emulator f{limited({.bulk_per_10_minutes = 2}), watchdog_limit};
    auto client = f.connect();
    auto ops = [](std::initializer_list<const char*> keys) {
        json::array a;
        for (const auto* k : keys) a.push_back(json::object{{"key", k}});
        return json::object{{"operations", a}};
    };
    BOOST_TEST(client.put(client.facts("/bulk/users"), ops({"b0"})).status == 200u);
    BOOST_TEST(client.post(client.facts("/bulk/users"), ops({"b1"})).status == 200u);
    check_rate_limited(client.post(client.facts("/bulk/users"), ops({"b2"})));
    check_rate_limited(client.del(client.facts("/bulk/users"),
                                  json::value(json::object{{"idents", json::array{"b0"}}})));
    check_rate_limited(client.post(client.facts("/bulk/tenants"), ops({"t0"})));
    check_rate_limited(client.post(client.facts("/role_assignments/bulk"), json::array{}));
    BOOST_TEST(!user_exists(client, "b2"));
    BOOST_TEST(user_exists(client, "b0"));
    // Calls without a `bulk` segment are not bulk calls.
    BOOST_TEST(client.post(client.facts("/users"), user("single")).status == 201u);
    BOOST_TEST(client.del(client.facts("/users/b1")).status == 204u);
    BOOST_TEST(f.emu.stats().rate_limited == 4u);
}

BOOST_AUTO_TEST_CASE(the_bulk_window_is_ten_scaled_minutes) {
    // time_scale 60: minute classes last 1 s, the bulk class 10 s.
    fresh_emulator f{limited({.time_scale = 60, .bulk_per_10_minutes = 1}), watchdog_limit};
    auto client = f.connect();
    const auto start = steady::now();
    BOOST_TEST(client
                   .put(client.facts("/bulk/users"),
                        json::object{{"operations", json::array{json::object{{"key", "b0"}}}}})
                   .status == 200u);
    const auto bulk_admitted = steady::now();
    std::this_thread::sleep_until(bulk_admitted + 1100ms);  // past every one-minute window
    BOOST_TEST(client.post(client.facts("/users"), user("single")).status == 201u);
    const auto r =
        client.put(client.facts("/bulk/users"),
                   json::object{{"operations", json::array{json::object{{"key", "b1"}}}}});
    if (steady::now() - start < 9s) {
        check_rate_limited(r);
        // At least 1.1 s of the 10 s window has gone by.
        BOOST_TEST(retry_after_seconds(r) <= 9);
        BOOST_TEST(retry_after_seconds(r) >= 1);
    }
}

BOOST_AUTO_TEST_CASE(all_requests_class_counts_reads_too) {
    fresh_emulator f{limited({.time_scale = 60, .all_per_minute = 10}), watchdog_limit};
    constexpr auto window = 1s;
    auto client = f.connect();
    const auto start = steady::now();
    for (int i = 0; i < 10; ++i) BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    const auto last_admitted = steady::now();
    const auto read = client.get("/v2/api-key/scope");
    const auto write = client.post(client.facts("/users"), user("late"));
    if (steady::now() - start < window) {
        check_rate_limited(read);
        check_rate_limited(write);
        BOOST_TEST(f.emu.stats().rate_limited == 2u);
    }
    std::this_thread::sleep_until(last_admitted + window + 100ms);
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    BOOST_TEST(client.post(client.facts("/users"), user("late")).status == 201u);
}

BOOST_AUTO_TEST_CASE(send_retry_after_false_leaves_the_header_out) {
    fresh_emulator f{limited({.writes_per_minute = 1, .send_retry_after = false}), watchdog_limit};
    auto client = f.connect();
    BOOST_TEST(client.post(client.facts("/users"), user("a")).status == 201u);
    const auto r = client.post(client.facts("/users"), user("b"));
    check_rate_limited(r, false);
    BOOST_TEST(!has_retry_after(r));
}

BOOST_AUTO_TEST_CASE(rate_limiting_is_off_by_default) {
    fresh_emulator f{{}, watchdog_limit};
    BOOST_TEST(!f.emu.config().rate_limits.enabled);
    auto client = f.connect();
    // More writes than 300/min and more deletes than 60/min, as fast as they go.
    for (int i = 0; i < 320; ++i)
        BOOST_TEST_REQUIRE(
            client.post(client.facts("/users"), user("u" + std::to_string(i))).status == 201u);
    for (int i = 0; i < 80; ++i)
        BOOST_TEST_REQUIRE(client.del(client.facts("/users/u" + std::to_string(i))).status == 204u);
    for (int i = 0; i < 100; ++i)
        BOOST_TEST_REQUIRE(client.get("/v2/api-key/scope").status == 200u);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.rate_limited == 0u);
    BOOST_TEST(stats.status(429) == 0u);
    BOOST_TEST(stats.requests == 500u);
}

BOOST_AUTO_TEST_CASE(documented_default_limits_apply_when_enabled) {
    fresh_emulator f{limited({}), watchdog_limit};  // 300 writes a minute, real time
    auto client = f.connect();
    for (int i = 0; i < 300; ++i)
        BOOST_TEST_REQUIRE(
            client.post(client.facts("/users"), user("u" + std::to_string(i))).status == 201u);
    const auto r = client.post(client.facts("/users"), user("u300"));
    check_rate_limited(r);
    BOOST_TEST(retry_after_seconds(r) <= 60);
    BOOST_TEST(f.emu.user_count() == 300u);
    BOOST_TEST(f.emu.stats().rate_limited == 1u);
}

BOOST_AUTO_TEST_CASE(set_rate_limits_applies_at_once_and_restarts_the_windows) {
    fresh_emulator f{{}, watchdog_limit};
    auto client = f.connect();
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("pre" + std::to_string(i))).status ==
                   201u);

    rate_limit_config limits{.enabled = true, .writes_per_minute = 2};  // real one-minute windows
    f.emu.set_rate_limits(limits);
    BOOST_TEST(client.post(client.facts("/users"), user("a")).status == 201u);
    BOOST_TEST(client.post(client.facts("/users"), user("b")).status == 201u);
    check_rate_limited(client.post(client.facts("/users"), user("c")));

    f.emu.set_rate_limits(limits);  // every window starts afresh
    BOOST_TEST(client.post(client.facts("/users"), user("c")).status == 201u);

    f.emu.set_rate_limits(rate_limit_config{});  // off
    for (int i = 0; i < 10; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("post" + std::to_string(i))).status ==
                   201u);
    BOOST_TEST(f.emu.stats().rate_limited == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
