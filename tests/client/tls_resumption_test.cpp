// TLS session resumption: the pools' new connections to an origin resume the sessions of earlier
// ones, counted in client::stats(), and only ever with the origin that issued them.
#include <chrono>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

/// GETs of one user held back long enough for a batch of them to need a connection each.
permit::testing::emulator_config resumption_slow_reads() {
    permit::testing::emulator_config cfg;
    cfg.faults.push_back({.method = "GET",
                          .path = "/v2/facts/*/*/users/*",
                          .kind = permit::testing::fault_kind::delay,
                          .delay = std::chrono::milliseconds(100)});
    return cfg;
}

/// Sends `n` concurrent reads of user "jane" and waits for them all; returns how many failed.
int resumption_concurrent_reads(client_fixture& f, int n) {
    int done = 0, failed = 0;
    for (int i = 0; i < n; ++i)
        f.permit.users.get("jane", [&](boost::system::error_code ec, permit::user) {
            ++done;
            if (ec) ++failed;
        });
    f.run_until([&] { return done == n; });
    return failed;
}

/// Runs the io_context for `d`, so that idle connections pass their idle timeout.
void resumption_pause(client_fixture& f, std::chrono::milliseconds d) {
    f.run([&]() -> asio::awaitable<void> {
        asio::steady_timer pause(f.ioc, d);
        co_await pause.async_wait(asio::use_awaitable);
    }());
}

void resumption_create_jane(client_fixture& f) {
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
    }());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_resumption)

BOOST_AUTO_TEST_CASE(a_connection_opened_after_an_idle_timeout_resumes_the_session) {
    using namespace std::chrono_literals;
    client_fixture f{true, {}, [](permit::config& c) { c.idle_timeout = 100ms; }};
    resumption_create_jane(f);
    resumption_pause(f, 300ms);
    BOOST_TEST(resumption_concurrent_reads(f, 1) == 0);
    const auto stats = f.permit.stats();
    BOOST_TEST(f.emu.stats().connections_accepted == 2u);
    BOOST_TEST(stats.connections == 2u);
    BOOST_TEST(stats.tls_full_handshakes == 1u);
    BOOST_TEST(stats.tls_resumed_handshakes == 1u);
}

// The case of a busy server: a pool of 16 goes idle, then a burst opens 16 connections at once.
// Each full handshake brought TLS 1.3 tickets enough for one new connection each.
BOOST_AUTO_TEST_CASE(a_pool_of_16_reopened_after_an_idle_timeout_resumes_every_connection) {
    using namespace std::chrono_literals;
    client_fixture f{true, resumption_slow_reads(), [](permit::config& c) {
                         c.idle_timeout = 300ms;
                         c.api_max_connections = 16;
                     }};
    resumption_create_jane(f);
    BOOST_TEST(resumption_concurrent_reads(f, 16) == 0);
    const auto first = f.permit.stats();
    BOOST_TEST_MESSAGE("first burst: " << first.connections << " connections, "
                                       << first.tls_full_handshakes << " full handshakes");
    BOOST_TEST(first.connections == 16u, "the slow reads needed a connection each");
    BOOST_TEST(first.tls_resumed_handshakes + first.tls_full_handshakes == first.connections);

    resumption_pause(f, 600ms);
    BOOST_TEST(resumption_concurrent_reads(f, 16) == 0);
    const auto second = f.permit.stats();
    BOOST_TEST(second.connections == 32u);
    BOOST_TEST(second.tls_full_handshakes == first.tls_full_handshakes,
               "no full handshake after the idle timeout");
    BOOST_TEST(second.tls_resumed_handshakes - first.tls_resumed_handshakes == 16u);
}

BOOST_AUTO_TEST_CASE(with_resumption_off_every_handshake_runs_in_full) {
    using namespace std::chrono_literals;
    client_fixture f{true, {}, [](permit::config& c) {
                         c.idle_timeout = 100ms;
                         c.tls.resume_sessions = false;
                     }};
    resumption_create_jane(f);
    resumption_pause(f, 300ms);
    BOOST_TEST(resumption_concurrent_reads(f, 1) == 0);
    const auto stats = f.permit.stats();
    BOOST_TEST(stats.connections == 2u);
    BOOST_TEST(stats.tls_full_handshakes == 2u);
    BOOST_TEST(stats.tls_resumed_handshakes == 0u);
}

// The REST API at 127.0.0.1 and the PDP at localhost are one server here, but two origins to the
// client: a session of one is never offered to the other, which is checked for its own name.
BOOST_AUTO_TEST_CASE(a_session_is_offered_only_to_the_origin_that_issued_it) {
    client_fixture f{true};
    auto cfg = f.client_config();
    const auto port = f.emu.url().substr(f.emu.url().rfind(':'));
    cfg.pdp_url = "https://localhost" + port;
    auto other = f.make_client(cfg);
    unsigned pdp_status = 0;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await other->users.create(who);
        // Any answer will do: the PDP's connection is what is looked at.
        permit::diagnostics diag;
        auto [ec, allowed] = co_await other->check("jane", "read", "document", diag,
                                                   asio::as_tuple(asio::use_awaitable));
        pdp_status = ec ? diag.status : 200;
    }());
    BOOST_TEST(pdp_status != 0u, "the PDP answered");
    const auto stats = other->stats();
    BOOST_TEST(stats.connections == 2u);
    BOOST_TEST(stats.tls_full_handshakes == 2u);
    BOOST_TEST(stats.tls_resumed_handshakes == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
