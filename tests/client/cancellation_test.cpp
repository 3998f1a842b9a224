// Cancelling calls: per-operation cancellation (a cancellation slot, a timer race), the client's
// cancel(), and destroying the client while calls are in flight. Each ends the calls at once with
// operation_aborted and leaves the client (or the io_context) in a usable state.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using permit::testing::fault_kind;
using permit::testing::fault_rule;
using clock_type = std::chrono::steady_clock;

/// GETs of the user `slow` are held back by `delay`.
std::vector<fault_rule> slow_reads_of_slow(std::chrono::milliseconds delay) {
    return {{.method = "GET",
             .path = "/v2/facts/*/*/users/slow",
             .kind = fault_kind::delay,
             .delay = delay}};
}

/// Users `slow` and `fast`, created through `f.permit` (which also fetches the scope).
asio::awaitable<void> create_users(client_fixture& f) {
    const permit::user_create slow{.key = "slow"};
    co_await f.permit.users.create(slow);
    const permit::user_create fast{.key = "fast"};
    co_await f.permit.users.create(fast);
}

/// The outcome of a call started with a callback.
struct completion {
    bool done = false;
    boost::system::error_code ec;
    std::string key;
    clock_type::time_point at;

    auto handler() {
        return [this](boost::system::error_code e, permit::user u) {
            done = true;
            ec = e;
            key = u.key;
            at = clock_type::now();
        };
    }
};

long long ms_between(clock_type::time_point from, clock_type::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

/// Awaits `call` and keeps its error code, whatever ends it.
asio::awaitable<void> record(
    asio::awaitable<std::tuple<boost::system::error_code, permit::user>> call,
    boost::system::error_code& ec) {
    auto [e, user] = co_await std::move(call);
    ec = e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_cancellation)

BOOST_AUTO_TEST_CASE_TEMPLATE(a_call_waiting_for_a_connection_is_cancelled_through_its_slot, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls, {}, [](permit::config& c) { c.api_max_connections = 1; }};
    f.run(create_users(f));
    f.emu.set_faults(slow_reads_of_slow(1s));

    completion first, second;
    asio::cancellation_signal signal;
    const auto started = clock_type::now();
    f.permit.users.get("slow", first.handler());
    f.permit.users.get("fast", asio::bind_cancellation_slot(signal.slot(), second.handler()));
    f.run_for(150ms);
    BOOST_TEST(!first.done);
    BOOST_TEST(!second.done, "the second call waits for the only connection");

    const auto cancelled_at = clock_type::now();
    signal.emit(asio::cancellation_type::terminal);
    f.run_until([&] { return second.done; });
    BOOST_TEST(second.ec == asio::error::operation_aborted, second.ec.message());
    BOOST_TEST(ms_between(cancelled_at, second.at) < 100, "aborted at once");
    BOOST_TEST(!first.done, "the first call is not disturbed");

    f.run_until([&] { return first.done; });
    BOOST_TEST(!first.ec, first.ec.message());
    BOOST_TEST(first.key == "slow");
    BOOST_TEST(ms_between(started, first.at) >= 1000);

    // The cancelled waiter gave its place back: the only connection still serves.
    f.run([&]() -> asio::awaitable<void> {
        const auto fast = co_await f.permit.users.get("fast");
        BOOST_TEST(fast.key == "fast");
    }());
    BOOST_TEST(f.emu.stats().connections_accepted == 1u);
    BOOST_TEST(f.emu.stats().route(get_user_route) == 2u, "the cancelled call was never sent");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_call_in_flight_loses_a_timer_race, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        co_await create_users(f);
        f.emu.set_faults(slow_reads_of_slow(2s));

        boost::system::error_code ec;
        asio::steady_timer timer(f.ioc, 200ms);
        const auto started = clock_type::now();
        const auto winner =
            co_await (record(f.permit.users.get("slow", asio::as_tuple(asio::use_awaitable)), ec) ||
                      timer.async_wait(asio::use_awaitable));
        const auto took = ms_between(started, clock_type::now());
        BOOST_TEST(winner.index() == 1u, "the timer wins");
        BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
        // Had the cancellation not reached the call, it would have succeeded after the delay.
        BOOST_TEST(took >= 200);

        // The client works afterwards, for other calls and for the same one.
        const auto fast = co_await f.permit.users.get("fast");
        BOOST_TEST(fast.key == "fast");
        f.emu.set_faults({});
        const auto slow = co_await f.permit.users.get("slow");
        BOOST_TEST(slow.key == "slow");
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cancel_aborts_every_call_in_flight_and_waiting, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls, {}, [](permit::config& c) { c.api_max_connections = 3; }};
    f.run(create_users(f));
    f.emu.set_faults(slow_reads_of_slow(2s));

    std::vector<completion> calls(6);  // three in flight, three waiting for a connection
    for (auto& c : calls) f.permit.users.get("slow", c.handler());
    f.run_for(150ms);
    for (const auto& c : calls) BOOST_TEST(!c.done);

    const auto cancelled_at = clock_type::now();
    f.permit.cancel();
    f.run_until([&] {
        for (const auto& c : calls)
            if (!c.done) return false;
        return true;
    });
    for (const auto& c : calls) {
        BOOST_TEST(c.ec == asio::error::operation_aborted, c.ec.message());
        BOOST_TEST(ms_between(cancelled_at, c.at) < 500);
    }

    // Later calls work as usual.
    f.emu.set_faults({});
    f.run([&]() -> asio::awaitable<void> {
        const auto slow = co_await f.permit.users.get("slow");
        BOOST_TEST(slow.key == "slow");
        const permit::user_create more{.key = "more"};
        co_await f.permit.users.create(more);
    }());
    BOOST_TEST(f.emu.user_count() == 3u);
}

BOOST_AUTO_TEST_CASE(cancel_during_the_scope_lookup_aborts_its_waiters_and_a_later_call_retries) {
    permit::testing::emulator_config emu_cfg;
    emu_cfg.faults = {{.method = "GET",
                       .path = "/v2/api-key/scope",
                       .kind = fault_kind::delay,
                       .delay = 2s,
                       .max_count = 1}};
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"fast"}]})");
    client_fixture f{false, emu_cfg};

    std::vector<completion> calls(3);
    for (auto& c : calls) f.permit.users.get("fast", c.handler());
    f.run_for(150ms);
    for (const auto& c : calls) BOOST_TEST(!c.done, "waiting for the scope");

    const auto cancelled_at = clock_type::now();
    f.permit.cancel();
    f.run_until([&] {
        for (const auto& c : calls)
            if (!c.done) return false;
        return true;
    });
    for (const auto& c : calls) {
        BOOST_TEST(c.ec == asio::error::operation_aborted, c.ec.message());
        BOOST_TEST(ms_between(cancelled_at, c.at) < 500);
    }

    f.run([&]() -> asio::awaitable<void> {
        const auto fast = co_await f.permit.users.get("fast");
        BOOST_TEST(fast.key == "fast");
    }());
    BOOST_TEST(f.emu.stats().route(scope_route) == 2u, "the scope was asked for again");
}

BOOST_AUTO_TEST_CASE(a_call_in_flight_is_cancelled_by_a_partial_cancellation) {
    client_fixture f;
    f.run(create_users(f));
    f.emu.set_faults(slow_reads_of_slow(2s));
    completion call;
    asio::cancellation_signal signal;
    f.permit.users.get("slow", asio::bind_cancellation_slot(signal.slot(), call.handler()));
    f.run_for(150ms);
    BOOST_TEST(!call.done);
    const auto cancelled_at = clock_type::now();
    signal.emit(asio::cancellation_type::partial);
    f.run_until([&] { return call.done; });
    BOOST_TEST(call.ec == asio::error::operation_aborted, call.ec.message());
    BOOST_TEST(ms_between(cancelled_at, call.at) < 500);

    f.emu.set_faults({});
    f.run([&]() -> asio::awaitable<void> {
        const auto slow = co_await f.permit.users.get("slow");
        BOOST_TEST(slow.key == "slow");
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(destroying_the_client_aborts_the_calls_in_flight, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run(create_users(f));
    f.emu.set_faults(slow_reads_of_slow(2s));

    auto cfg = f.client_config();
    cfg.api_max_connections = 2;
    auto client = f.make_client(cfg);
    std::vector<completion> calls(5);  // two in flight, three waiting (the scope lookup first)
    auto watched = std::make_shared<int>(0);
    const std::weak_ptr<int> handlers_alive = watched;
    for (auto& c : calls)
        client->users.get("slow", [&c, watched](boost::system::error_code ec, permit::user u) {
            c.handler()(ec, std::move(u));
        });
    watched.reset();

    // Destroyed from a handler on the client's own io_context, with the calls under way.
    asio::steady_timer timer(f.ioc, 200ms);
    clock_type::time_point destroyed_at;
    timer.async_wait([&](boost::system::error_code) {
        destroyed_at = clock_type::now();
        client.reset();
    });
    f.run_until([&] {
        for (const auto& c : calls)
            if (!c.done) return false;
        return true;
    });
    BOOST_TEST(!client);
    for (const auto& c : calls) {
        BOOST_TEST(c.ec == asio::error::operation_aborted, c.ec.message());
        BOOST_TEST(ms_between(destroyed_at, c.at) < 500);
    }

    // Nothing is left behind: the handlers are gone and the io_context has no work left.
    f.run_for(1s);
    BOOST_TEST(f.ioc.stopped(), "operations outlived the client");
    BOOST_TEST(handlers_alive.expired(), "a completion handler was kept after it ran");

    // The fixture's own client, on the same io_context, is unaffected.
    f.emu.set_faults({});
    f.run([&]() -> asio::awaitable<void> {
        const auto fast = co_await f.permit.users.get("fast");
        BOOST_TEST(fast.key == "fast");
    }());
}

BOOST_AUTO_TEST_SUITE_END()
