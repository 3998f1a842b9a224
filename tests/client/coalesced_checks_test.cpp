// Check coalescing (config::coalesce_checks) against the emulator: concurrent checks that find
// every connection to the PDP busy go out together in /allowed/bulk requests and each gets its own
// decision; a lone check goes as a plain /allowed; a failed bulk request fails each of its checks
// with its diagnostics; a cancelled queued check completes alone with operation_aborted.
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace coalesced_checks_test {

using permit::testing::fault_kind;

const std::string allowed_route = "POST /allowed";
const std::string bulk_route = "POST /allowed/bulk";

/// Users `reader-N` may read documents; users `other-N` exist with no role, and are denied.
permit::testing::emulator_config readers_and_others(int each) {
    json::array users;
    for (int i = 0; i < each; ++i) {
        users.push_back(
            json::object{{"key", "reader-" + std::to_string(i)},
                         {"role_assignments",
                          json::array{json::object{{"role", "reader"}, {"tenant", "default"}}}}});
        users.push_back(json::object{{"key", "other-" + std::to_string(i)}});
    }
    auto state = json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}}}],
        "roles":[{"key":"reader","name":"Reader","permissions":["document:read"]}]})")
                     .as_object();
    state["users"] = std::move(users);
    permit::testing::emulator_config c;
    c.initial_state = std::move(state);
    return c;
}

/// `cfg` with each plain `/allowed` held back 50 ms (scaled): the first check keeps the only
/// connection busy while the others queue behind it.
permit::testing::emulator_config with_slow_single_checks(permit::testing::emulator_config cfg) {
    cfg.faults.push_back({.method = "POST",
                          .path = "/allowed",
                          .kind = fault_kind::delay,
                          .delay = 50ms * slowdown});
    return cfg;
}

/// Checks coalesced on at most `connections` connections to the PDP, with no retries.
std::function<void(permit::config&)> coalescing(std::size_t connections,
                                                std::size_t max_batch = 100) {
    return [=](permit::config& c) {
        c.pdp_max_connections = connections;
        c.coalesce_checks = {.enabled = true, .max_batch = max_batch};
        c.retry = permit::retry_policy::none();
    };
}

/// Check `i`: an even one asks whether `reader-i/2` may read a document (yes), an odd one whether
/// `other-i/2` may (no). Empty when the answer is the expected one, else what went wrong.
asio::awaitable<std::string> read_check(permit::client& permit, int i) {
    const bool reader = i % 2 == 0;
    const std::string user = (reader ? "reader-" : "other-") + std::to_string(i / 2);
    permit::diagnostics diag;
    auto [ec, allowed] =
        co_await permit.check(user, "read", "document", diag, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return user + ": " + diag.to_string();
    if (allowed != reader) co_return user + ": " + (allowed ? "allowed" : "denied");
    co_return "";
}

/// The outcome of one check started by `start`.
struct outcome {
    bool done = false;
    boost::system::error_code ec;
    bool allowed = false;
    permit::diagnostics diag;
};

/// Starts a check of `user` reading a document, recording its outcome in `out`; with `slot`,
/// cancellable through it.
void start(client_fixture& f, const std::string& user, outcome& out,
           asio::cancellation_slot slot = {}) {
    asio::co_spawn(
        f.ioc,
        [&f, user, &out, slot]() -> asio::awaitable<void> {
            auto [ec, allowed] = co_await f.permit.check(
                user, "read", "document", out.diag,
                asio::bind_cancellation_slot(slot, asio::as_tuple(asio::use_awaitable)));
            out.ec = ec;
            out.allowed = allowed;
            out.done = true;
        },
        asio::detached);
}

/// Waits until every check of `outcomes` has completed.
asio::awaitable<void> all_done(const std::vector<outcome>& outcomes) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
        bool done = true;
        for (const auto& o : outcomes) done = done && o.done;
        if (done) co_return;
        tick.expires_after(1ms);
        co_await tick.async_wait(asio::use_awaitable);
    }
}

}  // namespace coalesced_checks_test

BOOST_AUTO_TEST_SUITE(client_coalesced_checks)

BOOST_AUTO_TEST_CASE(concurrent_checks_on_few_connections_go_out_together_each_with_its_answer) {
    using namespace coalesced_checks_test;
    for (const std::size_t connections : {1u, 2u}) {
        BOOST_TEST_CONTEXT("connections: " << connections) {
            client_fixture f{false, readers_and_others(500), coalescing(connections, 50)};
            std::vector<std::string> problems;
            f.run([&]() -> asio::awaitable<void> {
                problems = co_await run_concurrently(
                    1000, 64, [&](int i) { return read_check(f.permit, i); });
            }());
            BOOST_TEST(problems.empty(), problems.size()
                                             << " wrong answers, first: "
                                             << (problems.empty() ? "" : problems.front()));
            const auto stats = f.emu.stats();
            const auto requests = f.permit.stats().requests;
            BOOST_TEST_MESSAGE(requests << " requests for 1000 checks, " << stats.route(bulk_route)
                                        << " of them bulk");
            BOOST_TEST(requests < 1000u);
            BOOST_TEST(stats.route(bulk_route) > 0u);
            BOOST_TEST(stats.route(allowed_route) + stats.route(bulk_route) == requests);
            // At most 50 checks per request.
            BOOST_TEST(requests >= 1000u / 50u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_lone_check_goes_at_once_as_a_plain_allowed) {
    using namespace coalesced_checks_test;
    client_fixture f{false, readers_and_others(1), coalescing(1)};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        BOOST_TEST(co_await f.permit.check("reader-0", "read", "document", diag));
        BOOST_TEST(diag.request == "POST /allowed");
        BOOST_TEST(!co_await f.permit.check("other-0", "read", "document"));
    }());
    BOOST_TEST(f.emu.stats().route(allowed_route) == 2u);
    BOOST_TEST(f.emu.stats().route(bulk_route) == 0u);
    BOOST_TEST(f.permit.stats().requests == 2u);
}

BOOST_AUTO_TEST_CASE(the_checks_queued_behind_a_busy_connection_go_out_in_one_bulk_request) {
    using namespace coalesced_checks_test;
    // The first check holds the only connection while the others are started: they all queue,
    // and go out together when it is answered.
    const auto emu_cfg = with_slow_single_checks(readers_and_others(10));
    client_fixture f{false, emu_cfg, coalescing(1)};
    std::vector<outcome> outcomes(20);
    f.run([&]() -> asio::awaitable<void> {
        // Each check runs until it waits: the first for its connection, the others in the queue.
        for (int i = 0; i < 20; ++i)
            start(f, (i % 2 == 0 ? "reader-" : "other-") + std::to_string(i / 2), outcomes[i]);
        co_await all_done(outcomes);
    }());
    for (int i = 0; i < 20; ++i) {
        BOOST_TEST_CONTEXT("check " << i) {
            BOOST_TEST(!outcomes[i].ec, outcomes[i].diag.to_string());
            BOOST_TEST(outcomes[i].allowed == (i % 2 == 0));
            BOOST_TEST(outcomes[i].diag.request ==
                       (i == 0 ? std::string("POST /allowed") : std::string("POST /allowed/bulk")));
        }
    }
    BOOST_TEST(f.emu.stats().route(allowed_route) == 1u);
    BOOST_TEST(f.emu.stats().route(bulk_route) == 1u);
    BOOST_TEST(f.permit.stats().requests == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_bulk_request_fails_each_of_its_checks_with_its_diagnostics) {
    using namespace coalesced_checks_test;
    auto emu_cfg = readers_and_others(10);
    emu_cfg.faults = {
        {.method = "POST", .path = "/allowed", .kind = fault_kind::delay, .delay = 50ms * slowdown},
        {.method = "POST", .path = "/allowed/bulk", .kind = fault_kind::http_503}};
    client_fixture f{false, emu_cfg, coalescing(1)};
    std::vector<outcome> outcomes(10);
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) start(f, "reader-" + std::to_string(i), outcomes[i]);
        co_await all_done(outcomes);
    }());
    // The first went alone and was answered; the nine behind it went out together, and failed.
    BOOST_TEST(!outcomes[0].ec, outcomes[0].diag.to_string());
    BOOST_TEST(outcomes[0].allowed);
    for (int i = 1; i < 10; ++i) {
        BOOST_TEST_CONTEXT("check " << i) {
            BOOST_TEST(outcomes[i].ec == permit::condition::retryable);
            BOOST_TEST(outcomes[i].diag.status == 503u);
            BOOST_TEST(outcomes[i].diag.request == "POST /allowed/bulk");
            BOOST_TEST(outcomes[i].diag.attempts == 1u);
            BOOST_TEST(!outcomes[i].allowed);
        }
    }
    BOOST_TEST(f.emu.stats().route(bulk_route) == 1u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_queued_check_ends_alone_and_the_others_get_their_answers) {
    using namespace coalesced_checks_test;
    const auto emu_cfg = with_slow_single_checks(readers_and_others(10));
    client_fixture f{false, emu_cfg, coalescing(1)};
    std::vector<outcome> outcomes(10);
    asio::cancellation_signal cancel_fifth;
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i)
            start(f, "reader-" + std::to_string(i), outcomes[i],
                  i == 5 ? cancel_fifth.slot() : asio::cancellation_slot{});
        // The first check has the connection; the others wait in the queue.
        cancel_fifth.emit(asio::cancellation_type::terminal);
        co_await all_done(outcomes);
    }());
    BOOST_TEST(outcomes[5].ec == asio::error::operation_aborted);
    BOOST_TEST(outcomes[5].diag.stop_reason == permit::retry_stop::cancelled);
    BOOST_TEST(outcomes[5].diag.client_message.find("cancelled") != std::string::npos,
               outcomes[5].diag.client_message);
    for (int i = 0; i < 10; ++i) {
        if (i == 5) continue;
        BOOST_TEST_CONTEXT("check " << i) {
            BOOST_TEST(!outcomes[i].ec, outcomes[i].diag.to_string());
            BOOST_TEST(outcomes[i].allowed);
        }
    }
    // One alone, then the eight left in one bulk request.
    BOOST_TEST(f.emu.stats().route(allowed_route) == 1u);
    BOOST_TEST(f.emu.stats().route(bulk_route) == 1u);
}

BOOST_AUTO_TEST_CASE(cancelling_the_client_fails_the_queued_checks) {
    using namespace coalesced_checks_test;
    const auto emu_cfg = with_slow_single_checks(readers_and_others(5));
    client_fixture f{false, emu_cfg, coalescing(1)};
    std::vector<outcome> outcomes(5);
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 5; ++i) start(f, "reader-" + std::to_string(i), outcomes[i]);
        f.permit.cancel();
        co_await all_done(outcomes);
    }());
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("check " << i) {
            BOOST_TEST(outcomes[i].ec == asio::error::operation_aborted);
        }
    }
    BOOST_TEST(f.emu.stats().route(bulk_route) == 0u);
    // Later checks work again.
    f.run([&]() -> asio::awaitable<void> {
        BOOST_TEST(co_await f.permit.check("reader-0", "read", "document"));
    }());
}

BOOST_AUTO_TEST_SUITE_END()
