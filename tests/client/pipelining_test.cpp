// HTTP/1.1 pipelining against the emulator: responses matched in order at depth 8 on one
// connection, nothing lost when the server resets a connection mid-pipeline, and never a
// non-idempotent request in a pipeline.
#include <string>
#include <vector>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using permit::testing::emulator_config;
using permit::testing::fault_kind;
using clock_type = std::chrono::steady_clock;

constexpr int seeded_users = 100;

/// An emulator holding users `seed-0` ... `seed-99`, each with the email `seed-N@example.com`.
emulator_config with_seeded_users() {
    emulator_config cfg;
    json::array users;
    for (int i = 0; i < seeded_users; ++i)
        users.push_back(json::object{{"key", "seed-" + std::to_string(i)},
                                     {"email", "seed-" + std::to_string(i) + "@example.com"}});
    cfg.initial_state = json::object{{"users", std::move(users)}};
    return cfg;
}

/// Pipelining `depth` deep on at most `connections` connections; the scope named, so that every
/// request is one of the test's.
std::function<void(permit::config&)> pipelined(std::size_t connections, std::size_t depth) {
    return [=](permit::config& c) {
        c.project_id = "default";
        c.environment_id = "production";
        c.api_max_connections = connections;
        c.api_pipelining = {.enabled = true, .max_depth = depth};
    };
}

/// Operation `i`: an even one syncs (PUT) user `new-i`, an odd one reads (GET) a seeded user.
/// Returns an empty string when the result is the one expected, else what went wrong.
asio::awaitable<std::string> mixed_operation(permit::client& permit, int i) {
    if (i % 2 == 0) {
        const std::string key = "new-" + std::to_string(i);
        const permit::user_create who{.key = key, .email = key + "@example.com"};
        permit::diagnostics diag;
        auto [ec, result] =
            co_await permit.users.sync(who, diag, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return "sync " + key + ": " + diag.to_string();
        if (result.user.key != key || result.user.email != key + "@example.com")
            co_return "sync " + key + " answered with " + result.user.key;
        co_return "";
    }
    const std::string key = "seed-" + std::to_string(i % seeded_users);
    permit::diagnostics diag;
    auto [ec, user] = co_await permit.users.get(key, diag, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return "get " + key + ": " + diag.to_string();
    if (user.key != key || user.email != key + "@example.com")
        co_return "get " + key + " answered with " + user.key;
    co_return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_pipelining)

BOOST_AUTO_TEST_CASE(ten_thousand_gets_and_puts_eight_deep_on_one_connection_match_in_order) {
    // A tenth of the reads are answered 2 ms late: the requests written meanwhile pile up, which
    // the emulator then sees as pipelined (it cannot tell otherwise when it answers faster than
    // the client writes). A client slowed by a sanitizer writes fewer in 2 ms: the delay stretches.
    auto emu_cfg = with_seeded_users();
    emu_cfg.faults = {{.method = "GET",
                       .path = "/v2/facts/*/*/users/*",
                       .kind = fault_kind::delay,
                       .rate = 0.1,
                       .delay = 2ms * slowdown}};
    client_fixture f{false, emu_cfg, pipelined(1, 8)};
    std::vector<std::string> problems;
    f.run(
        [&]() -> asio::awaitable<void> {
            problems = co_await run_concurrently(
                10000, 64, [&](int i) { return mixed_operation(f.permit, i); });
        }(),
        60s);
    BOOST_TEST(problems.empty(), problems.size() << " wrong results, first: "
                                                 << (problems.empty() ? "" : problems.front()));
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == 1u);
    BOOST_TEST(stats.requests == 10000u);
    BOOST_TEST_MESSAGE("requests seen pipelined: " << stats.pipelined_requests << " of "
                                                   << stats.requests);
    BOOST_TEST(stats.pipelined_requests > 2000u,
               "requests written before the previous answer: " << stats.pipelined_requests);
    BOOST_TEST(f.emu.user_count() == std::size_t(seeded_users + 5000));
}

BOOST_AUTO_TEST_CASE(a_connection_reset_mid_pipeline_loses_no_request) {
    auto emu_cfg = with_seeded_users();
    emu_cfg.faults = {
        {.method = "GET",
         .path = "/v2/facts/*/*/users/*",
         .kind = fault_kind::reset_before_apply,
         .rate = 0.01},
        {.method = "PUT",
         .path = "/v2/facts/*/*/users/*",
         .kind = fault_kind::reset_after_apply,
         .rate = 0.01},
    };
    client_fixture f{false, emu_cfg, pipelined(2, 8)};
    std::vector<std::string> problems;
    f.run(
        [&]() -> asio::awaitable<void> {
            problems = co_await run_concurrently(
                2000, 32, [&](int i) { return mixed_operation(f.permit, i); });
        }(),
        60s);
    BOOST_TEST(problems.empty(),
               problems.size() << " failed, first: " << (problems.empty() ? "" : problems.front()));
    const auto stats = f.emu.stats();
    BOOST_TEST(
        stats.faults(fault_kind::reset_before_apply) + stats.faults(fault_kind::reset_after_apply) >
            10u,
        "the resets happened");
    BOOST_TEST(stats.connections_accepted > 10u, "each reset cost a connection");
    BOOST_TEST(f.emu.user_count() == std::size_t(seeded_users + 1000));
}

BOOST_AUTO_TEST_CASE(a_create_is_never_pipelined) {
    client_fixture f{false, {}, pipelined(2, 8)};
    int created = 0;
    f.run([&]() -> asio::awaitable<void> {
        int running = 200;
        asio::steady_timer all_done(f.ioc, clock_type::time_point::max());
        for (int i = 0; i < 200; ++i) {
            asio::co_spawn(
                f.ioc,
                [&, i]() -> asio::awaitable<void> {
                    const permit::user_create who{.key = "user-" + std::to_string(i)};
                    auto [ec, user] =
                        co_await f.permit.users.create(who, asio::as_tuple(asio::use_awaitable));
                    if (!ec) ++created;
                    if (--running == 0) all_done.cancel();
                },
                asio::detached);
        }
        co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    }());
    BOOST_TEST(created == 200);
    BOOST_TEST(f.emu.stats().pipelined_requests == 0u, "POSTs wait for their answer");
    BOOST_TEST(f.emu.stats().connections_accepted <= 2u);
}

BOOST_AUTO_TEST_SUITE_END()
