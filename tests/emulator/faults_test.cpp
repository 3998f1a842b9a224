// Fault injection: every fault kind as a client sees it, which requests a rule matches, seeded and
// reproducible draws, `max_count` and `after`, and the fault counters.
#include <chrono>
#include <cstdint>
#include <future>
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
using permit::testing::fault_kind;
using permit::testing::fault_rule;

const std::string users_pattern = "/v2/facts/*/*/users";
const std::string user_pattern = "/v2/facts/*/*/users/*";

json::value user(const std::string& key) {
    return json::object{{"key", key}};
}

json::value rate_limited_body() {
    return json::object{{"error", "rate_limited"},
                        {"message", "You have exceeded the rate limit. Please try again later."}};
}

fault_rule on_create_user(fault_kind kind) {
    return fault_rule{.method = "POST", .path = users_pattern, .kind = kind};
}

fault_rule on_scope(fault_kind kind) {
    return fault_rule{.method = "GET", .path = "/v2/api-key/scope", .kind = kind};
}

emulator_config with_faults(std::vector<fault_rule> rules) {
    emulator_config config;
    config.faults = std::move(rules);
    return config;
}

/// Posts a user and expects the request to fail below HTTP: no response at all.
boost::system::error_code post_without_response(permit_test::api_client& client,
                                                const std::string& key) {
    try {
        const auto r = client.post(client.facts("/users"), user(key));
        BOOST_ERROR("expected no response, got " << r.status);
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

/// An HTTP-status fault: the status, and nothing applied.
void check_status_fault(fault_kind kind, unsigned status) {
    fresh_emulator f{with_faults({on_create_user(kind)})};
    auto client = f.connect();
    const auto r = client.post(client.facts("/users"), user("victim"));
    BOOST_TEST(r.status == status);
    BOOST_TEST(!f.user_exists("victim"),
               "a request answered with " << status << " must not be applied");
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(kind) == 1u);
    BOOST_TEST(stats.status(status) == 1u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(!log.empty());
    BOOST_TEST(log.front().status == status);
    BOOST_TEST((log.front().fault == kind));
    BOOST_TEST(!log.back().fault.has_value(), "the check afterwards is not faulted");
}

/// Which of `count` `GET /v2/api-key/scope` requests (interleaved with unmatched creates) got a 503
/// from a rule with `rate`, for an emulator seeded with `seed`.
std::vector<int> faulted_indices(std::uint64_t seed, int count, double rate) {
    auto rule = on_scope(fault_kind::http_503);
    rule.rate = rate;
    auto config = with_faults({rule});
    config.seed = seed;
    fresh_emulator f{config};
    std::vector<int> faulted;
    std::optional<permit_test::api_client> client;
    for (int i = 0; i < count; ++i) {
        if (!client)
            client.emplace(f.emu.port(), f.emu.config().api_key, f.emu.config().project_key,
                           f.emu.config().environment_key);
        if (i % 10 == 0) {
            const auto created =
                client->post(client->facts("/users"), user("u" + std::to_string(i)));
            BOOST_TEST(created.status == 201u);
        }
        const auto r = client->get("/v2/api-key/scope");
        if (r.status == 503u)
            faulted.push_back(i);
        else
            BOOST_TEST(r.status == 200u);
        if (!r.keep_alive) client.reset();
    }
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == faulted.size());
    return faulted;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_faults)

BOOST_AUTO_TEST_CASE(http_429_with_retry_after) {
    auto rule = on_create_user(fault_kind::http_429);
    rule.retry_after = 2s;
    fresh_emulator f{with_faults({rule})};
    auto client = f.connect();
    const auto r = client.post(client.facts("/users"), user("victim"));
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.header(http::field::retry_after) == "2");
    BOOST_TEST(json::parse(r.body) == rate_limited_body());
    BOOST_TEST(r.header(http::field::content_type).starts_with("application/json"));
    BOOST_TEST(!f.user_exists("victim"), "a request answered with 429 must not be applied");
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(fault_kind::http_429) == 1u);
    BOOST_TEST(stats.rate_limited == 0u, "an injected 429 is a fault, not the rate limiter");
    BOOST_TEST(stats.status(429) == 1u);
}

BOOST_AUTO_TEST_CASE(http_429_without_retry_after_has_no_header) {
    fresh_emulator f{with_faults({on_create_user(fault_kind::http_429)})};
    auto client = f.connect();
    const auto r = client.post(client.facts("/users"), user("victim"));
    BOOST_TEST(r.status == 429u);
    BOOST_TEST((r.headers.find(http::field::retry_after) == r.headers.end()));
    BOOST_TEST(json::parse(r.body) == rate_limited_body());
    BOOST_TEST(!f.user_exists("victim"));
}

BOOST_AUTO_TEST_CASE(http_500_sends_error_details_and_applies_nothing) {
    check_status_fault(fault_kind::http_500, 500);
    fresh_emulator f{with_faults({on_create_user(fault_kind::http_500)})};
    auto client = f.connect();
    const auto r = client.post(client.facts("/users"), user("victim"));
    BOOST_TEST_REQUIRE(r.status == 500u);
    const auto body = json::parse(r.body);
    BOOST_TEST(body.at("error_code").as_string() == "UNEXPECTED_ERROR");
    BOOST_TEST(body.at("id").is_string());
    BOOST_TEST(body.at("title").is_string());
}

BOOST_AUTO_TEST_CASE(http_502_applies_nothing) {
    check_status_fault(fault_kind::http_502, 502);
}

BOOST_AUTO_TEST_CASE(http_503_applies_nothing) {
    check_status_fault(fault_kind::http_503, 503);
}

BOOST_AUTO_TEST_CASE(reset_before_apply_sends_nothing_and_applies_nothing) {
    fresh_emulator f{with_faults({on_create_user(fault_kind::reset_before_apply)})};
    auto client = f.connect();
    const auto ec = post_without_response(client, "victim");
    BOOST_TEST(ec.failed());
    BOOST_TEST_MESSAGE("reset_before_apply: " << ec.message());
    BOOST_TEST(!f.user_exists("victim"));
    BOOST_TEST(f.emu.stats().faults(fault_kind::reset_before_apply) == 1u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(!log.empty());
    BOOST_TEST(log.front().status == 0u, "a reset request has no status");
    BOOST_TEST((log.front().fault == fault_kind::reset_before_apply));
    BOOST_TEST(f.emu.stats().status(201) == 0u);
}

BOOST_AUTO_TEST_CASE(reset_after_apply_sends_nothing_but_applies_the_write) {
    fresh_emulator f{with_faults({on_create_user(fault_kind::reset_after_apply)})};
    auto client = f.connect();
    const auto ec = post_without_response(client, "victim");
    BOOST_TEST(ec.failed());
    BOOST_TEST(f.user_exists("victim"), "reset_after_apply applies the request before the reset");
    BOOST_TEST(f.emu.stats().faults(fault_kind::reset_after_apply) == 1u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(!log.empty());
    BOOST_TEST(log.front().status == 0u);
    BOOST_TEST((log.front().fault == fault_kind::reset_after_apply));
}

BOOST_AUTO_TEST_CASE(truncated_body_fails_the_read_but_applies_the_write) {
    fresh_emulator f{with_faults({on_create_user(fault_kind::truncated_body)})};
    auto client = f.connect();
    const auto ec = post_without_response(client, "victim");
    BOOST_TEST((ec == http::error::partial_message), "the read ended with: " << ec.message());
    BOOST_TEST(f.user_exists("victim"));
    BOOST_TEST(f.emu.stats().faults(fault_kind::truncated_body) == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_2xx_with_a_body_that_does_not_parse) {
    fresh_emulator f{with_faults({on_create_user(fault_kind::malformed_json)})};
    auto client = f.connect();
    const auto r = client.post(client.facts("/users"), user("victim"));
    BOOST_TEST(r.status / 100 == 2u);
    boost::system::error_code ec;
    json::parse(r.body, ec);
    BOOST_TEST(ec.failed(), "the body parsed as JSON: " << r.body);
    BOOST_TEST(f.user_exists("victim"));
    BOOST_TEST(f.emu.stats().faults(fault_kind::malformed_json) == 1u);
}

BOOST_AUTO_TEST_CASE(delay_holds_the_response_back) {
    auto rule = on_create_user(fault_kind::delay);
    rule.delay = 300ms;
    fresh_emulator f{with_faults({rule})};
    auto client = f.connect();
    const auto start = std::chrono::steady_clock::now();
    const auto r = client.post(client.facts("/users"), user("slow"));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(
        (elapsed >= 300ms),
        "answered after " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                          << " ms");
    BOOST_TEST(f.user_exists("slow"));
    BOOST_TEST(f.emu.stats().faults(fault_kind::delay) == 1u);
}

BOOST_AUTO_TEST_CASE(a_delayed_response_does_not_hold_up_other_connections) {
    auto rule = on_create_user(fault_kind::delay);
    rule.delay = 1500ms;
    fresh_emulator f{with_faults({rule})};
    auto slow = std::async(std::launch::async, [&] {
        auto client = f.connect();
        const auto r = client.post(client.facts("/users"), user("slow"));
        return std::make_pair(r.status, std::chrono::steady_clock::now());
    });
    // Once the emulator has the delayed request (or a while later, for an emulator that counts
    // requests when it answers them), another connection is served meanwhile.
    const auto give_up = std::chrono::steady_clock::now() + 300ms;
    while (f.emu.stats().requests < 1 && std::chrono::steady_clock::now() < give_up &&
           slow.wait_for(5ms) != std::future_status::ready) {
    }
    auto other = f.connect();
    BOOST_TEST(other.get("/v2/api-key/scope").status == 200u);
    const auto other_done = std::chrono::steady_clock::now();
    const auto [status, slow_done] = slow.get();
    BOOST_TEST(status == 201u);
    BOOST_TEST((other_done < slow_done), "the undelayed request waited for the delayed one");
}

BOOST_AUTO_TEST_CASE(rules_match_the_method) {
    fresh_emulator f{
        with_faults({fault_rule{.method = "PUT", .path = "**", .kind = fault_kind::http_503}})};
    auto client = f.connect();
    BOOST_TEST(client.post(client.facts("/users"), user("alice")).status == 201u);
    BOOST_TEST(client.get(client.facts("/users/alice")).status == 200u);
    BOOST_TEST(
        client.patch(client.facts("/users/alice"), json::object{{"first_name", "A"}}).status ==
        200u);
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == 0u);
    auto put = f.connect();
    BOOST_TEST(put.put(put.facts("/users/bob"), user("bob")).status == 503u);
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == 1u);
    BOOST_TEST(!f.user_exists("bob"));
}

BOOST_AUTO_TEST_CASE(star_matches_within_one_path_segment) {
    fresh_emulator f{with_faults(
        {fault_rule{.method = "*", .path = user_pattern, .kind = fault_kind::http_503}})};
    auto c = f.connect();
    BOOST_TEST(c.post(c.facts("/users"), user("alice")).status == 201u);
    BOOST_TEST(c.get(c.facts("/users")).status == 200u);
    BOOST_TEST(c.get("/v2/api-key/scope").status == 200u);
    auto c2 = f.connect();
    BOOST_TEST(c2.get(c2.facts("/users/alice")).status == 503u);
    auto c3 = f.connect();
    BOOST_TEST(c3.get(c3.facts("/users/alice?include=all")).status == 503u,
               "the query is not part of the path");
    auto c4 = f.connect();
    BOOST_TEST(c4.get(c4.facts("/users/a%40b")).status == 503u);
    auto c5 = f.connect();
    const auto deeper = c5.post(c5.facts("/users/alice/roles"), json::object{{"role", "viewer"}});
    BOOST_TEST(deeper.status != 503u, "`*` must not match across `/`");
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == 3u);
}

BOOST_AUTO_TEST_CASE(double_star_matches_across_segments) {
    fresh_emulator f{with_faults(
        {fault_rule{.method = "GET", .path = "/v2/facts/**", .kind = fault_kind::http_502}})};
    auto c = f.connect();
    BOOST_TEST(c.get("/v2/api-key/scope").status == 200u);
    BOOST_TEST(c.post(c.facts("/users"), user("alice")).status == 201u);
    auto c2 = f.connect();
    BOOST_TEST(c2.get(c2.facts("/users")).status == 502u);
    auto c3 = f.connect();
    BOOST_TEST(c3.get(c3.facts("/tenants/default/users")).status == 502u);
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_502) == 2u);
}

BOOST_AUTO_TEST_CASE(the_first_matching_rule_that_draws_applies) {
    auto never = on_scope(fault_kind::http_500);
    never.rate = 0.0;
    fresh_emulator f{with_faults({never, on_scope(fault_kind::http_503)})};
    {
        auto c = f.connect();
        BOOST_TEST(c.get("/v2/api-key/scope").status == 503u,
                   "a rule with rate 0 never applies; the next one does");
    }
    f.emu.set_faults({on_scope(fault_kind::http_500), on_scope(fault_kind::http_503)});
    {
        auto c = f.connect();
        BOOST_TEST(c.get("/v2/api-key/scope").status == 500u,
                   "of two rules that both apply, the first wins");
    }
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(fault_kind::http_500) == 1u);
    BOOST_TEST(stats.faults(fault_kind::http_503) == 1u);
}

BOOST_AUTO_TEST_CASE(set_faults_replaces_the_rules_while_serving) {
    fresh_emulator f{with_faults({on_scope(fault_kind::http_503)})};
    {
        auto c = f.connect();
        BOOST_TEST(c.get("/v2/api-key/scope").status == 503u);
    }
    f.emu.set_faults({});
    auto c = f.connect();
    for (int i = 0; i < 3; ++i) BOOST_TEST(c.get("/v2/api-key/scope").status == 200u);
    f.emu.set_faults({on_scope(fault_kind::malformed_json)});
    const auto r = c.get("/v2/api-key/scope");
    BOOST_TEST(r.status == 200u);
    boost::system::error_code ec;
    json::parse(r.body, ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_CASE(rate_half_faults_about_half_and_replays_with_the_same_seed) {
    constexpr int count = 200;
    const auto first = faulted_indices(42, count, 0.5);
    BOOST_TEST(first.size() >= 60u);
    BOOST_TEST(first.size() <= 140u);
    const auto again = faulted_indices(42, count, 0.5);
    BOOST_TEST(again == first, "the same seed and the same requests must fault the same requests");
    const auto other_seed = faulted_indices(43, count, 0.5);
    BOOST_TEST((other_seed != first), "another seed should give another pattern");
}

BOOST_AUTO_TEST_CASE(max_count_caps_the_faults) {
    auto rule = on_scope(fault_kind::http_503);
    rule.max_count = 3;
    fresh_emulator f{with_faults({rule})};
    std::vector<unsigned> statuses;
    for (int i = 0; i < 10; ++i) {
        auto c = f.connect();
        statuses.push_back(c.get("/v2/api-key/scope").status);
    }
    const std::vector<unsigned> expected = {503, 503, 503, 200, 200, 200, 200, 200, 200, 200};
    BOOST_TEST(statuses == expected, boost::test_tools::per_element());
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == 3u);
}

BOOST_AUTO_TEST_CASE(after_skips_the_first_matching_requests) {
    auto rule = on_scope(fault_kind::http_503);
    rule.after = 2;
    fresh_emulator f{with_faults({rule})};
    std::vector<unsigned> statuses;
    for (int i = 0; i < 5; ++i) {
        auto c = f.connect();
        // Requests the rule does not match do not count towards `after`.
        BOOST_TEST(c.get(c.facts("/users")).status == 200u);
        statuses.push_back(c.get("/v2/api-key/scope").status);
    }
    const std::vector<unsigned> expected = {200, 200, 503, 503, 503};
    BOOST_TEST(statuses == expected, boost::test_tools::per_element());
    BOOST_TEST(f.emu.stats().faults(fault_kind::http_503) == 3u);
}

BOOST_AUTO_TEST_CASE(after_one_faults_the_second_request_on_a_reused_connection) {
    auto rule = on_create_user(fault_kind::reset_before_apply);
    rule.after = 1;
    fresh_emulator f{with_faults({rule})};
    auto client = f.connect();
    BOOST_TEST(client.post(client.facts("/users"), user("first")).status == 201u);
    const auto ec = post_without_response(client, "second");
    BOOST_TEST(ec.failed());
    BOOST_TEST(f.user_exists("first"));
    BOOST_TEST(!f.user_exists("second"));
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() >= 2u);
    BOOST_TEST(log[0].connection == log[1].connection, "both requests came on one connection");
    BOOST_TEST(!log[0].fault.has_value());
    BOOST_TEST((log[1].fault == fault_kind::reset_before_apply));
}

BOOST_AUTO_TEST_CASE(fault_counters_count_each_kind) {
    auto malformed = on_scope(fault_kind::malformed_json);
    malformed.max_count = 2;
    auto bad_gateway =
        fault_rule{.method = "GET", .path = user_pattern, .kind = fault_kind::http_502};
    bad_gateway.max_count = 1;
    auto slow = on_create_user(fault_kind::delay);
    slow.delay = 10ms;
    fresh_emulator f;
    f.emu.set_faults({malformed, bad_gateway, slow});

    auto c = f.connect();
    for (int i = 0; i < 3; ++i) BOOST_TEST(c.get("/v2/api-key/scope").status == 200u);
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(c.post(c.facts("/users"), user("u" + std::to_string(i))).status == 201u);
    std::vector<unsigned> gets;
    for (int i = 0; i < 2; ++i) {
        auto conn = f.connect();
        gets.push_back(conn.get(conn.facts("/users/u0")).status);
    }
    BOOST_TEST(gets == (std::vector<unsigned>{502, 200}), boost::test_tools::per_element());

    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(fault_kind::malformed_json) == 2u);
    BOOST_TEST(stats.faults(fault_kind::http_502) == 1u);
    BOOST_TEST(stats.faults(fault_kind::delay) == 2u);
    BOOST_TEST(stats.faults(fault_kind::http_503) == 0u);
    std::uint64_t total = 0;
    for (const auto& [name, n] : stats.faults_injected) total += n;
    BOOST_TEST(total == 5u);
    BOOST_TEST(stats.faults_injected.at("malformed_json") == 2u);
    BOOST_TEST(stats.requests == 7u);

    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 7u);
    const std::vector<std::optional<fault_kind>> expected = {
        fault_kind::malformed_json, fault_kind::malformed_json, std::nullopt, fault_kind::delay,
        fault_kind::delay,          fault_kind::http_502,       std::nullopt};
    for (std::size_t i = 0; i < log.size(); ++i) {
        BOOST_TEST_CONTEXT("log entry " << i) {
            BOOST_TEST((log[i].fault == expected[i]));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
