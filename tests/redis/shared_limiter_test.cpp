// The rate budget shared through Redis, against a redis-server of the test's own: two limiters
// (two clients) never hold more than a limit in any window between them, tokens come back, a 429
// slows every client, and a Redis that stops, freezes or restarts leaves the limiter pacing with
// its local share of the budget until it answers again.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <permit/detail/rate/shared_limiter.hpp>
#include <permit/detail/redis/connection.hpp>
#include <permit/http_method.hpp>

#include "support/redis_server.hpp"
#include "support/run_to_end.hpp"
#include "support/slowdown.hpp"

using namespace std::chrono_literals;

namespace shared_limiter_test {

namespace asio = boost::asio;
using permit::detail::rate::bit;
using permit::detail::rate::class_set;
using permit::detail::rate::classes_of;
using permit::detail::rate::limit_class;
using permit::detail::rate::shared_limiter;
using permit_test::redis_server;
using permit_test::run_to_end;
using clock_type = std::chrono::steady_clock;

const class_set get_c = classes_of(permit::http_method::get, "/v2/facts/p/e/users");
const class_set put_c = classes_of(permit::http_method::put, "/v2/facts/p/e/users/jane");

/// Limits for a Redis budget at `url`: `all` as given, the other classes unlimited unless set.
permit::rate_limit_options options(const std::string& url, permit::rate_limit all,
                                   permit::rate_limit writes = {0, 1s}) {
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    o.all = all;
    o.writes = writes;
    o.deletes = {0, 1s};
    o.bulk = {0, 1s};
    o.redis_url = url;
    // Long enough that a loaded machine never times out by accident.
    o.redis_timeout = 1000ms * permit_test::slowdown;
    o.redis_retry_interval = 100ms;
    return o;
}

/// The log records a limiter wrote.
struct log_records {
    std::vector<std::pair<permit::log_level, std::string>> records;

    permit::log_function sink() {
        return [this](permit::log_level level, std::string_view text) {
            records.emplace_back(level, std::string(text));
        };
    }

    /// How many records of `level` hold `text`.
    std::size_t count(permit::log_level level, std::string_view text) const {
        return static_cast<std::size_t>(
            std::count_if(records.begin(), records.end(), [&](const auto& r) {
                return r.first == level && r.second.find(text) != std::string::npos;
            }));
    }
};

/// Runs `body(0)` ... `body(count - 1)` at once on the current executor; ends when all have.
template <class Body>
asio::awaitable<void> all_at_once(int count, Body body) {
    auto ex = co_await asio::this_coro::executor;
    int left = count;
    asio::steady_timer done(ex, clock_type::time_point::max());
    for (int i = 0; i < count; ++i)
        asio::co_spawn(
            ex,
            [&, i]() -> asio::awaitable<void> {
                co_await body(i);
                if (--left == 0) done.cancel();
            },
            asio::detached);
    co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// Sleeps `d`.
asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// Whether `l` grants `classes` within `d` (the tokens, if granted, are given back unsent). Used
/// only where the answer is "no" because every token counts for an hour: a wrong "yes" cannot
/// come from a slow machine.
asio::awaitable<bool> granted_within(shared_limiter& l, class_set classes,
                                     std::chrono::milliseconds d) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    auto r = co_await (l.acquire(classes) || t.async_wait(asio::use_awaitable));
    if (r.index() != 0) co_return false;
    if (std::get<0>(r)) co_return false;
    l.release(classes, false);
    co_return true;
}

/// Takes a token of `classes`, and requires that it was granted.
asio::awaitable<void> take(shared_limiter& l, class_set classes) {
    const auto ec = co_await l.acquire(classes);
    BOOST_TEST_REQUIRE(!ec, ec.message());
}

/// A grant as this process saw it: from the grant's arrival to one window after the release
/// went out (less 2 ms: Redis' clock is read to the millisecond). Redis counts each token from
/// before the first to after the second, so these spans lie within its own.
struct span {
    clock_type::time_point from, to;
    class_set classes;
};

void add_span(std::vector<span>& spans, clock_type::time_point from, clock_type::time_point to,
              class_set classes) {
    spans.push_back({from, to, classes});
}

/// The most spans of class `c` that overlap at one moment.
int most_at_once(const std::vector<span>& spans, limit_class c) {
    std::vector<std::pair<clock_type::time_point, int>> events;
    for (const auto& s : spans) {
        if (!(s.classes & bit(c))) continue;
        events.emplace_back(s.from, +1);
        events.emplace_back(s.to, -1);
    }
    // At one moment, an end comes before a start.
    std::sort(events.begin(), events.end());
    int held = 0;
    int most = 0;
    for (const auto& e : events) most = std::max(most, held += e.second);
    return most;
}

const std::string all_key = "permit:rate:all";

}  // namespace shared_limiter_test

BOOST_AUTO_TEST_SUITE(shared_rate_limit,
                      *boost::unit_test::precondition(&permit_test::redis_server_installed))

BOOST_AUTO_TEST_CASE(two_clients_never_hold_more_than_a_limit_in_any_window) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    const auto window = 300ms;
    const auto o = options(redis.url(), {6, window}, {4, window});
    shared_limiter a(ioc.get_executor(), o, 10s, {});
    shared_limiter b(ioc.get_executor(), o, 10s, {});

    std::vector<span> spans;
    run_to_end(ioc,
               all_at_once(24,
                           [&](int i) -> asio::awaitable<void> {
                               shared_limiter& l = i % 2 ? a : b;
                               const class_set classes = i % 3 ? get_c : put_c;
                               const auto ec = co_await l.acquire(classes);
                               BOOST_TEST(!ec, ec.message());
                               const auto from = clock_type::now();
                               co_await sleep_for(std::chrono::milliseconds(i % 4));
                               const auto released = clock_type::now();
                               l.release(classes, true);
                               add_span(spans, from, released + window - 2ms, classes);
                           }),
               30s);
    BOOST_TEST(spans.size() == 24u);
    BOOST_TEST(most_at_once(spans, limit_class::all) <= 6);
    BOOST_TEST(most_at_once(spans, limit_class::writes) <= 4);
}

BOOST_AUTO_TEST_CASE(a_token_given_back_unsent_is_free_again_and_a_sent_one_counts_a_window) {
    using namespace shared_limiter_test;
    redis_server redis;
    auto probe = redis.probe();
    asio::io_context ioc;
    // Every token counts an hour: one comes back only when it is given back unsent.
    const auto o = options(redis.url(), {3, 1h});
    shared_limiter l(ioc.get_executor(), o, 10min, {});
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i) co_await take(l, get_c);
            BOOST_TEST(probe.zcard(all_key) == 3);
            BOOST_TEST(l.available(limit_class::all) == 0u);
            const bool fourth = co_await granted_within(l, get_c, 300ms);
            BOOST_TEST(!fourth);
            for (int i = 0; i < 3; ++i) l.release(get_c, false);
            // Granted only with the tokens given back: the test would hang otherwise.
            for (int i = 0; i < 3; ++i) co_await take(l, get_c);
            for (int i = 0; i < 3; ++i) l.release(get_c, true);
            const bool after_sent = co_await granted_within(l, get_c, 300ms);
            BOOST_TEST(!after_sent);
            // Sent, they count one window from their release, no longer their lease (the
            // releases go out in the background: the test hangs if they never rescore them).
            while (probe.zcount_to(all_key, probe.time_ms() + 3600'000 + 60'000) != 3)
                co_await sleep_for(10ms);
            BOOST_TEST(probe.zcard(all_key) == 3);
            BOOST_TEST(probe.pttl(all_key) > 0, "the key expires");
        }(),
        20s);
}

BOOST_AUTO_TEST_CASE(a_token_held_past_its_lease_keeps_counting) {
    using namespace shared_limiter_test;
    redis_server redis;
    auto probe = redis.probe();
    asio::io_context ioc;
    // A lease of one second, and a request held three: unrenewed, its token would stop counting
    // after two (its lease and a window). The limiter renews it every third of a second.
    const auto o = options(redis.url(), {1, 1s});
    shared_limiter l(ioc.get_executor(), o, 1s, {});
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(l, get_c);
            co_await sleep_for(3s);
            BOOST_TEST(probe.zcount_from(all_key, probe.time_ms() + 1) == 1,
                       "the token still counts");
            l.release(get_c, true);
        }(),
        20s);
}

BOOST_AUTO_TEST_CASE(a_429_slows_every_client_that_shares_the_budget) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    const auto o = options(redis.url(), {4, 1h});
    shared_limiter a(ioc.get_executor(), o, 10min, {});
    shared_limiter b(ioc.get_executor(), o, 10min, {});
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(a, get_c);
            // Half of 4 for everyone. The news goes out on a's connection before its next
            // request, which takes the second token; b may take none.
            a.on_rate_limited(get_c, std::nullopt);
            co_await take(a, get_c);
            const bool third = co_await granted_within(b, get_c, 300ms);
            BOOST_TEST(!third);
        }(),
        20s);
}

BOOST_AUTO_TEST_CASE(a_stopped_redis_leaves_the_local_share_and_a_restarted_one_is_used_again) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    log_records log;
    auto o = options(redis.url(), {4, 1h});
    o.fallback_share = 0.5;
    shared_limiter l(ioc.get_executor(), o, 10min, log.sink());
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(l, get_c);
            BOOST_TEST(redis.probe().zcard(all_key) == 1);
            BOOST_TEST(!l.falling_back());
            redis.stop();

            // Half of the budget, in this process: two calls go, the third waits.
            co_await take(l, get_c);
            BOOST_TEST(l.falling_back());
            co_await take(l, get_c);
            const bool third = co_await granted_within(l, get_c, 300ms);
            BOOST_TEST(!third);
            // Redis is tried again (every 100 ms), and fails again: said once only.
            l.release(get_c, false);
            co_await sleep_for(150ms);
            co_await take(l, get_c);
            BOOST_TEST(log.count(permit::log_level::warning, "pacing this client alone") == 1u);

            redis.start();
            // The tokens of the local share go back; each call tries Redis again until it
            // answers.
            l.release(get_c, false);
            l.release(get_c, false);
            l.release(get_c, false);
            while (l.falling_back()) {
                co_await sleep_for(150ms);
                co_await take(l, get_c);
                l.release(get_c, false);
            }
            BOOST_TEST(log.count(permit::log_level::info, "answers again") == 1u);
            // The new server (empty: the script is loaded again) holds the next token.
            co_await take(l, get_c);
            BOOST_TEST(redis.probe().zcard(all_key) >= 1);
        }(),
        30s);
    BOOST_TEST(log.count(permit::log_level::warning, "pacing this client alone") == 1u);
}

BOOST_AUTO_TEST_CASE(a_frozen_redis_times_out_and_the_limiter_falls_back_until_it_thaws) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    log_records log;
    auto o = options(redis.url(), {4, 1h});
    o.fallback_share = 0.5;
    o.redis_timeout = 500ms;
    shared_limiter l(ioc.get_executor(), o, 10min, log.sink());
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(l, get_c);
            l.release(get_c, false);
            redis.pause();
            co_await take(l, get_c);
            BOOST_TEST(l.falling_back());
            BOOST_TEST(log.count(permit::log_level::warning, "no answer within 500 ms") == 1u);
            l.release(get_c, false);
            redis.resume();
            while (l.falling_back()) {
                co_await sleep_for(150ms);
                co_await take(l, get_c);
                l.release(get_c, false);
            }
            BOOST_TEST(log.count(permit::log_level::info, "answers again") == 1u);
        }(),
        30s);
}

BOOST_AUTO_TEST_CASE(waiters_of_one_client_go_first_come_first_served) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    const auto o = options(redis.url(), {2, 200ms});
    shared_limiter l(ioc.get_executor(), o, 10s, {});
    std::vector<int> order;
    run_to_end(ioc,
               all_at_once(8,
                           [&](int i) -> asio::awaitable<void> {
                               co_await take(l, get_c);
                               order.push_back(i);
                               l.release(get_c, true);
                           }),
               20s);
    const std::vector<int> expected{0, 1, 2, 3, 4, 5, 6, 7};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cancelled_waiter_leaves_the_queue_and_holds_nothing) {
    using namespace shared_limiter_test;
    redis_server redis;
    auto probe = redis.probe();
    asio::io_context ioc;
    const auto o = options(redis.url(), {1, 1h});
    shared_limiter l(ioc.get_executor(), o, 10min, {});
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(l, get_c);
            const bool second = co_await granted_within(l, get_c, 200ms);
            BOOST_TEST(!second);
            BOOST_TEST(l.waiting_count() == 0u);
            l.release(get_c, false);
            co_await take(l, get_c);
            BOOST_TEST(probe.zcard(all_key) == 1);
        }(),
        20s);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(redis_connection,
                      *boost::unit_test::precondition(&permit_test::redis_server_installed))

BOOST_AUTO_TEST_CASE(an_idle_connection_holds_nothing_and_a_restarted_server_is_reached_again) {
    using namespace shared_limiter_test;
    namespace redis = permit::detail::redis;
    redis_server server;
    asio::io_context ioc;
    redis::connection connection(ioc.get_executor(), redis::endpoint::parse(server.url()));
    const std::vector<std::string> ping_command{"PING"};
    const auto ping = [&](std::optional<redis::command_result>& out) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> { out = co_await connection.execute(ping_command, 5s); },
            asio::detached);
        ioc.restart();
        // Returns as soon as nothing waits: with the reply in, an open connection that still
        // waited to read would keep it running to the limit.
        ioc.run_for(20s * permit_test::slowdown);
    };
    const auto ponged = [](const std::optional<redis::command_result>& r) {
        return r && !r->ec && r->value.type == redis::reply::kind::status &&
               r->value.text == "PONG";
    };

    std::optional<redis::command_result> first;
    ping(first);
    BOOST_TEST(ioc.stopped(), "the io_context ran out of work");
    BOOST_TEST(ponged(first));
    BOOST_TEST(connection.open());

    // The server restarts while the connection idles, unnoticed: the command that finds it closed
    // goes again on a new connection, and the caller sees only the reply.
    server.stop();
    server.start();
    std::optional<redis::command_result> second;
    ping(second);
    BOOST_TEST(ioc.stopped(), "the io_context ran out of work");
    BOOST_TEST(ponged(second), (second ? second->message : std::string("no result")));
}

BOOST_AUTO_TEST_CASE(a_user_and_password_and_a_database_in_the_url_are_sent_first) {
    using namespace shared_limiter_test;
    namespace redis = permit::detail::redis;
    redis_server server;
    server.probe().add_user("fleet", "s3cret");
    asio::io_context ioc;
    const auto base = "127.0.0.1:" + std::to_string(server.port());
    redis::connection good(ioc.get_executor(),
                           redis::endpoint::parse("redis://fleet:s3cret@" + base + "/2"));
    redis::connection bad(ioc.get_executor(),
                          redis::endpoint::parse("redis://fleet:wrong-password@" + base + "/2"));
    const std::vector<std::string> set{"SET", "permit:test", "1"};
    std::optional<redis::command_result> accepted, refused;
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            accepted = co_await good.execute(set, 5s);
            refused = co_await bad.execute(set, 5s);
        }(),
        30s);
    BOOST_REQUIRE(accepted);
    BOOST_TEST(!accepted->ec, accepted->message);
    BOOST_TEST(accepted->value.text == "OK");
    // SELECT 2 went first: the key is in database 2.
    BOOST_TEST(server.probe().keys_in(2) == 1);
    BOOST_TEST(server.probe().keys_in(0) == 0);
    // AUTH refused: the command fails with Redis' reason, which never repeats the password.
    BOOST_REQUIRE(refused);
    BOOST_TEST(refused->ec == boost::asio::error::not_connected, refused->ec.message());
    BOOST_TEST(refused->message.find("WRONGPASS") != std::string::npos, refused->message);
    BOOST_TEST(refused->message.find("wrong-password") == std::string::npos, refused->message);
}

BOOST_AUTO_TEST_CASE(a_limiter_that_holds_no_token_leaves_its_io_context_nothing_to_wait_for) {
    using namespace shared_limiter_test;
    redis_server redis;
    asio::io_context ioc;
    // A lease of ten minutes: its renewal would sleep for more than three of them.
    shared_limiter l(ioc.get_executor(), options(redis.url(), {4, 1h}), 10min, {});
    bool released = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await take(l, get_c);
            l.release(get_c, true);
            released = true;
        },
        asio::detached);
    // Returns once nothing waits: the release reaches Redis, and nothing is left to renew.
    ioc.run_for(60s * permit_test::slowdown);
    BOOST_TEST(released);
    BOOST_TEST(ioc.stopped(), "the io_context ran out of work");
    BOOST_TEST(redis.probe().zcard(all_key) == 1, "the sent token counts its window in Redis");
}

BOOST_AUTO_TEST_SUITE_END()
