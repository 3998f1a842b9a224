// The client against the emulator's faults and rate limits: retries of idempotent requests,
// no retry of a create that may have been applied, the replay after a stale keep-alive
// connection, Retry-After, the retry budget, per-call policies, and client-side pacing.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using permit::testing::emulator_config;
using permit::testing::fault_kind;
using permit::testing::fault_rule;
using clock_type = std::chrono::steady_clock;

const std::string sync_user_route = "PUT /v2/facts/{proj_id}/{env_id}/users/{user_id}";
const std::string create_user_route = "POST /v2/facts/{proj_id}/{env_id}/users";

/// An emulator whose connection is reset by the first `POST /users`, before or after applying it.
emulator_config cutting_the_first_create(fault_kind kind) {
    emulator_config cfg;
    cfg.faults = {{.method = "POST", .path = "/v2/facts/*/*/users", .kind = kind, .max_count = 1}};
    return cfg;
}

/// An emulator that answers every read of a user with 503.
emulator_config failing_user_reads() {
    emulator_config cfg;
    cfg.faults = {{.method = "GET", .path = "/v2/facts/*/*/users/*", .kind = fault_kind::http_503}};
    return cfg;
}

/// A policy that retries quickly, so that tests with many faults stay short.
permit::retry_policy quick_retries(unsigned attempts) {
    permit::retry_policy p;
    p.max_attempts = attempts;
    p.initial_backoff = 1ms;
    p.max_backoff = 20ms;
    return p;
}

/// The config edit that names the project and environment, so that no scope lookup shares the
/// first connection with the request under test.
void with_scope(permit::config& c) {
    c.project_id = "default";
    c.environment_id = "production";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_retry)

BOOST_AUTO_TEST_CASE(two_thousand_syncs_survive_twenty_percent_503_and_429) {
    emulator_config emu_cfg;
    emu_cfg.faults = {
        {.method = "PUT",
         .path = "/v2/facts/*/*/users/*",
         .kind = fault_kind::http_503,
         .rate = 0.1},
        {.method = "PUT",
         .path = "/v2/facts/*/*/users/*",
         .kind = fault_kind::http_429,
         .rate = 0.1},
    };
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         // Twelve attempts: the chance that one of 2,000 calls fails twelve
                         // times in a row at 20% is about 1 in 100,000 (with eight it was 1 in
                         // 200: the faults are drawn in the order the requests arrive, which
                         // the scheduling decides).
                         c.retry = quick_retries(12);
                     }};
    // What failed, with its diagnostics (empty: the sync succeeded).
    std::vector<std::string> errors;
    f.run(
        [&]() -> asio::awaitable<void> {
            errors =
                co_await run_concurrently(2000, 64, [&](int i) -> asio::awaitable<std::string> {
                    const permit::user_create who{.key = "user-" + std::to_string(i),
                                                  .email = "user" + std::to_string(i) + "@x.io"};
                    permit::diagnostics diag;
                    auto [ec, result] = co_await f.permit.users.sync(
                        who, diag, asio::as_tuple(asio::use_awaitable));
                    co_return ec ? diag.to_string() : std::string();
                });
        }(),
        60s);
    BOOST_TEST(errors.empty(),
               errors.size() << " syncs failed, first: " << (errors.empty() ? "" : errors.front()));
    const auto stats = f.emu.stats();
    BOOST_TEST(f.emu.user_count() == 2000u);
    BOOST_TEST(stats.faults(fault_kind::http_503) + stats.faults(fault_kind::http_429) > 200u,
               "the faults really happened");
    BOOST_TEST(stats.route(sync_user_route) ==
               2000u + stats.faults(fault_kind::http_503) + stats.faults(fault_kind::http_429));
}

BOOST_AUTO_TEST_CASE(a_create_whose_response_was_lost_is_not_sent_again) {
    auto emu_cfg = cutting_the_first_create(fault_kind::reset_after_apply);
    client_fixture f{false, emu_cfg, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const permit::user_create who{.key = "jane"};
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::network, ec.message());
        BOOST_TEST(diag.attempts == 1u);
        BOOST_TEST(!diag.replayed, "the request went out on a new connection: no replay");
        BOOST_TEST(diag.stop_reason == permit::retry_stop::not_idempotent);
        BOOST_TEST(diag.client_message.find("not idempotent") != std::string::npos,
                   diag.client_message);
        BOOST_TEST(diag.to_string().find("not retried: not idempotent") != std::string::npos,
                   diag.to_string());
    }());
    BOOST_TEST(f.emu.user_count() == 1u, "the server applied it once");
    BOOST_TEST(f.emu.stats().route(create_user_route) == 1u, "and saw it once");
}

BOOST_AUTO_TEST_CASE(a_create_cut_on_a_reused_connection_is_replayed_once_on_a_new_one) {
    auto emu_cfg = cutting_the_first_create(fault_kind::reset_before_apply);
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"jane"}]})");
    client_fixture f{false, emu_cfg, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        // The GET leaves a keep-alive connection in the pool; the POST reuses it.
        co_await f.permit.users.get("jane");
        permit::diagnostics diag;
        const permit::user_create who{.key = "john"};
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(user.key == "john");
        BOOST_TEST(diag.replayed);
        BOOST_TEST(diag.attempts == 2u);
        BOOST_TEST(diag.retry_delays.empty(), "a replay is not a retry: no wait");
    }());
    BOOST_TEST(f.emu.user_count() == 2u);
    std::vector<std::uint64_t> connections;
    for (const auto& r : f.emu.request_log())
        if (r.method == "POST") connections.push_back(r.connection);
    BOOST_REQUIRE(connections.size() == 2u);
    BOOST_TEST(connections[0] == 1u, "the first try reused the GET's connection");
    BOOST_TEST(connections[1] == 2u, "the replay went out on a new one");
}

BOOST_AUTO_TEST_CASE(a_create_cut_on_a_new_connection_is_not_replayed) {
    auto emu_cfg = cutting_the_first_create(fault_kind::reset_before_apply);
    client_fixture f{false, emu_cfg, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const permit::user_create who{.key = "john"};
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        // From the client's side, a reset on a new connection may follow an applied request.
        BOOST_TEST(ec == permit::condition::network, ec.message());
        BOOST_TEST(!diag.replayed);
        BOOST_TEST(diag.stop_reason == permit::retry_stop::not_idempotent);
    }());
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_keep_alive_connection_closed_by_the_server_while_idle_is_replaced) {
    emulator_config emu_cfg;
    emu_cfg.idle_timeout = 100ms;
    client_fixture f{false, emu_cfg, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create first{.key = "first"};
        co_await f.permit.users.create(first);
        // The server closes the idle connection; the client still holds it as idle.
        asio::steady_timer pause(f.ioc, 400ms);
        co_await pause.async_wait(asio::use_awaitable);
        permit::diagnostics diag;
        const permit::user_create second{.key = "second"};
        auto [ec, user] =
            co_await f.permit.users.create(second, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, diag.to_string());
        // The client saw the close while the connection idled, and sent the request on a new
        // one straight away: no replay was needed.
        BOOST_TEST(!diag.replayed);
        BOOST_TEST(diag.attempts == 1u);
    }());
    BOOST_TEST(f.emu.user_count() == 2u);
    BOOST_TEST(f.emu.stats().route(create_user_route) == 2u, "each create reached it once");
}

BOOST_AUTO_TEST_CASE(retry_after_is_waited_out_by_the_servers_clock) {
    emulator_config emu_cfg;
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"jane"}]})");
    emu_cfg.faults = {{.method = "GET",
                       .path = "/v2/facts/*/*/users/*",
                       .kind = fault_kind::http_429,
                       .retry_after = std::chrono::seconds(2),
                       .max_count = 1}};
    client_fixture f{false, emu_cfg, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, diag.to_string());
        BOOST_TEST(diag.attempts == 2u);
        BOOST_REQUIRE(diag.retry_delays.size() == 1u);
        BOOST_TEST(diag.retry_delays[0].count() >= 2000);
    }());
    const auto log = f.emu.request_log();
    BOOST_REQUIRE(log.size() == 2u);
    BOOST_TEST(log[0].status == 429u);
    BOOST_TEST(log[1].status == 200u);
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(log[1].received_at -
                                                                           log[0].received_at);
    BOOST_TEST(gap.count() >= 2000, "the retry came " << gap.count() << " ms after the 429");
}

BOOST_AUTO_TEST_CASE(a_permanent_error_is_not_retried) {
    client_fixture f{false, {}, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("nobody", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
        BOOST_TEST(diag.attempts == 1u);
        BOOST_TEST(diag.stop_reason == permit::retry_stop::not_retryable);
    }());
    BOOST_TEST(f.emu.stats().route(get_user_route) == 1u);
}

BOOST_AUTO_TEST_CASE(attempts_are_bounded_and_reported) {
    const auto emu_cfg = failing_user_reads();
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         c.retry = quick_retries(3);
                     }};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::service_unavailable);
        BOOST_TEST(diag.status == 503u, "the last attempt's response is described");
        BOOST_TEST(diag.attempts == 3u);
        BOOST_TEST(diag.retry_delays.size() == 2u);
        for (const auto d : diag.retry_delays) BOOST_TEST(d.count() <= 20);
        BOOST_TEST(diag.stop_reason == permit::retry_stop::attempts_exhausted);
        BOOST_TEST(diag.to_string().find("[3 attempts") != std::string::npos, diag.to_string());
    }());
    BOOST_TEST(f.emu.stats().route(get_user_route) == 3u);
}

BOOST_AUTO_TEST_CASE(a_view_with_another_policy_overrides_the_client_for_its_calls) {
    const auto emu_cfg = failing_user_reads();
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         c.retry = quick_retries(4);
                     }};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto strict = f.permit.with({.retry = permit::retry_policy::none()});
        auto [ec, user] =
            co_await strict.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::service_unavailable);
        BOOST_TEST(diag.attempts == 1u);

        // The client itself keeps its own policy.
        auto [ec2, user2] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(diag.attempts == 4u);

        // A POST is retried when the view says it is safe to.
        auto bold_policy = quick_retries(2);
        bold_policy.retry_non_idempotent = true;
        f.emu.set_faults({{.method = "POST",
                           .path = "/v2/facts/*/*/users",
                           .kind = fault_kind::http_503,
                           .max_count = 1}});
        const permit::user_create who{.key = "jane"};
        // The view is a local: g++ 12 destroys an aggregate temporary in a co_await expression
        // twice.
        const auto bold = f.permit.with({.retry = bold_policy});
        auto [ec3, created] =
            co_await bold.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec3, diag.to_string());
        BOOST_TEST(diag.attempts == 2u);
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(pdp_decisions_are_retried_although_they_are_posts) {
    client_fixture f{false, {}, with_scope};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_resource("document", "read");
        co_await f.create_role("viewer", "document:read");
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
        const permit::user_role_create viewer{.role = "viewer", .tenant = "default"};
        co_await f.permit.users.assign_role("jane", viewer);
        f.emu.set_faults(
            {{.method = "POST", .path = "/allowed", .kind = fault_kind::http_502, .max_count = 2}});
        permit::diagnostics diag;
        auto [ec, allowed] = co_await f.permit.check("jane", "read", "document", diag,
                                                     asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, diag.to_string());
        BOOST_TEST(allowed);
        BOOST_TEST(diag.attempts == 3u);
    }());
}

BOOST_AUTO_TEST_CASE(an_outage_empties_the_retry_budget_and_calls_then_fail_fast) {
    const auto emu_cfg = failing_user_reads();
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         c.retry = quick_retries(4);
                         c.retry_budget = {.capacity = 5, .refill_per_second = 0, .ratio = 0};
                     }};
    std::vector<unsigned> attempts;
    std::vector<permit::retry_stop> stops;
    std::string last_message;
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 4; ++i) {
            permit::diagnostics diag;
            auto [ec, user] =
                co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(ec == permit::error::service_unavailable);
            attempts.push_back(diag.attempts);
            stops.push_back(diag.stop_reason);
            last_message = diag.client_message;
        }
    }());
    // Five retry tokens: three for the first call, two for the second, none after.
    BOOST_TEST(attempts == (std::vector<unsigned>{4, 3, 1, 1}), boost::test_tools::per_element());
    BOOST_TEST(stops[0] == permit::retry_stop::attempts_exhausted);
    BOOST_TEST(stops[1] == permit::retry_stop::budget_empty);
    BOOST_TEST(stops[3] == permit::retry_stop::budget_empty);
    BOOST_TEST(last_message.find("retry budget") != std::string::npos, last_message);
    BOOST_TEST(f.emu.stats().route(get_user_route) == 9u);
}

BOOST_AUTO_TEST_CASE(a_call_waiting_to_retry_can_be_cancelled) {
    const auto emu_cfg = failing_user_reads();
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         c.retry.initial_backoff = 10s;
                         c.retry.max_backoff = 10s;
                         c.retry.backoff_multiplier = 1;
                     }};
    f.run([&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        permit::diagnostics diag;
        boost::system::error_code ec;
        asio::steady_timer timer(f.ioc, 300ms);
        const auto started = clock_type::now();
        auto call = [&]() -> asio::awaitable<void> {
            auto [e, user] =
                co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
            ec = e;
        };
        co_await (call() || timer.async_wait(asio::use_awaitable));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(diag.stop_reason == permit::retry_stop::cancelled);
        BOOST_TEST(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started)
                .count() < 5000);

        // client.cancel() wakes a call that waits to retry, too.
        boost::system::error_code ec2;
        permit::diagnostics diag2;
        f.permit.users.get("jane", diag2,
                           [&](boost::system::error_code e, permit::user) { ec2 = e; });
        asio::steady_timer later(f.ioc, 300ms);
        co_await later.async_wait(asio::use_awaitable);
        f.permit.cancel();
        asio::steady_timer settle(f.ioc, 50ms);
        co_await settle.async_wait(asio::use_awaitable);
        BOOST_TEST(ec2 == asio::error::operation_aborted, ec2.message());
        BOOST_TEST(diag2.stop_reason == permit::retry_stop::cancelled);
    }());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Client-side pacing against the emulator's rate limiter, time-scaled 600x: a one-minute window
// lasts 100 ms, the ten-minute bulk window one second.

namespace {

constexpr double time_scale = 600;

permit::testing::rate_limit_config server_limits() {
    return {.enabled = true, .time_scale = time_scale};
}

/// `o` with every window `slowdown` times longer, for a server whose time scale is divided by it.
permit::rate_limit_options stretched(permit::rate_limit_options o) {
    for (auto* limit : {&o.all, &o.writes, &o.deletes, &o.bulk}) limit->window *= slowdown;
    return o;
}

/// The client's limits: the server's, scaled the same way, with `writes` per window for writes.
permit::rate_limit_options client_limits(std::uint32_t writes) {
    using std::chrono::milliseconds;
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    o.all = {1000, milliseconds(100)};
    o.writes = {writes, milliseconds(100)};
    o.deletes = {60, milliseconds(100)};
    o.bulk = {100, milliseconds(1000)};
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_rate_limits)

BOOST_AUTO_TEST_CASE(limits_are_on_by_default_only_for_permits_cloud) {
    permit::rate_limit_options automatic;
    BOOST_TEST(automatic.applies_to("api.permit.io"));
    BOOST_TEST(automatic.applies_to("api.eu.permit.io"));
    BOOST_TEST(!automatic.applies_to("127.0.0.1"));
    BOOST_TEST(!automatic.applies_to("api.permit.io.example.com"));
    client_fixture f;
    BOOST_TEST((f.permit.get_config().rate_limits.mode ==
                permit::rate_limit_options::mode_type::automatic));
}

BOOST_AUTO_TEST_CASE(five_thousand_writes_paced_like_the_server_draw_no_429) {
    emulator_config emu_cfg;
    emu_cfg.rate_limits = server_limits();
    // The client must be faster than the limits, to wait for its limiter: under a sanitizer both
    // windows are longer.
    emu_cfg.rate_limits.time_scale /= slowdown;
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         c.rate_limits = stretched(client_limits(300));
                         c.retry = permit::retry_policy::none();
                     }};
    std::vector<boost::system::error_code> errors;
    permit::diagnostics waited;
    f.run(
        [&]() -> asio::awaitable<void> {
            errors = co_await run_concurrently(
                5000, 64, [&](int i) -> asio::awaitable<boost::system::error_code> {
                    permit::diagnostics diag;
                    const permit::user_create who{.key = "user-" + std::to_string(i)};
                    auto [ec, result] = co_await f.permit.users.sync(
                        who, diag, asio::as_tuple(asio::use_awaitable));
                    if (diag.rate_limit_wait > waited.rate_limit_wait) waited = diag;
                    co_return ec;
                });
        }(),
        90s);
    BOOST_TEST(errors.empty(), errors.size() << " writes failed");
    BOOST_TEST(f.emu.stats().rate_limited == 0u, "the server refused none");
    BOOST_TEST(f.emu.user_count() == 5000u);
    BOOST_TEST(waited.rate_limit_wait.count() > 0, "the client did wait for its limiter");
}

BOOST_AUTO_TEST_CASE(five_thousand_writes_complete_when_the_client_allows_more_than_the_server) {
    emulator_config emu_cfg;
    emu_cfg.rate_limits = server_limits();
    emu_cfg.rate_limits.send_retry_after = false;
    // The client must outrun the server: under a sanitizer both windows are longer.
    emu_cfg.rate_limits.time_scale /= slowdown;
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         with_scope(c);
                         // Ten times what the server allows: the 429s slow the writes class.
                         c.rate_limits = stretched(client_limits(3000));
                         c.retry = quick_retries(20);
                         c.retry.initial_backoff = 50ms;
                         c.retry.max_backoff = 200ms;
                         c.retry_budget.enabled = false;
                     }};
    std::vector<boost::system::error_code> errors;
    f.run(
        [&]() -> asio::awaitable<void> {
            errors = co_await run_concurrently(
                5000, 64, [&](int i) -> asio::awaitable<boost::system::error_code> {
                    const permit::user_create who{.key = "user-" + std::to_string(i)};
                    auto [ec, result] =
                        co_await f.permit.users.sync(who, asio::as_tuple(asio::use_awaitable));
                    co_return ec;
                });
        }(),
        120s);
    BOOST_TEST(errors.empty(), errors.size() << " writes failed");
    BOOST_TEST(f.emu.user_count() == 5000u);
    BOOST_TEST(f.emu.stats().rate_limited > 0u, "the server did refuse some");
}

BOOST_AUTO_TEST_CASE(a_call_waiting_for_the_limiter_can_be_cancelled) {
    client_fixture f{false, {}, [](permit::config& c) {
                         with_scope(c);
                         c.rate_limits = client_limits(300);
                         c.rate_limits.writes = {1, std::chrono::seconds(30)};
                     }};
    f.run([&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        const permit::user_create first{.key = "first"};
        co_await f.permit.users.sync(first);
        // The writes class is spent for 30 s; a read still goes through.
        const auto read = co_await f.permit.users.get("first");
        BOOST_TEST(read.key == "first");

        permit::diagnostics diag;
        boost::system::error_code ec;
        asio::steady_timer timer(f.ioc, 200ms);
        auto call = [&]() -> asio::awaitable<void> {
            const permit::user_create second{.key = "second"};
            auto [e, r] =
                co_await f.permit.users.sync(second, diag, asio::as_tuple(asio::use_awaitable));
            ec = e;
        };
        co_await (call() || timer.async_wait(asio::use_awaitable));
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        BOOST_TEST(diag.client_message.find("rate limit") != std::string::npos,
                   diag.client_message);
        BOOST_TEST(diag.rate_limit_wait.count() >= 150);
    }());
    BOOST_TEST(f.emu.user_count() == 1u, "the cancelled write was never sent");
}

BOOST_AUTO_TEST_SUITE_END()
