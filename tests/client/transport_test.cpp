// The client's transport against the emulator: keep-alive reuse, the connection limit, TLS
// verification, the request timeout, the one-time scope lookup, and keys of other levels.
#include <chrono>
#include <string>
#include <vector>

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>
#include <permit/detail/http/connection.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using permit::testing::emulator_config;
using permit::testing::fault_kind;
using permit::testing::fault_rule;
using permit::testing::key_level;
using clock_type = std::chrono::steady_clock;

/// An emulator config serving HTTPS with `pki`'s leaf certificate.
emulator_config serving(const test_pki& pki) {
    emulator_config cfg;
    cfg.tls_certificate_pem = pki.leaf_cert_pem;
    cfg.tls_private_key_pem = pki.leaf_key_pem;
    return cfg;
}

/// `base` trusting only `ca_pem`.
permit::config trusting(permit::config base, const std::string& ca_pem) {
    base.tls = {.use_system_store = false, .ca_pem = ca_pem};
    return base;
}

/// GETs of one user are held back by `delay`.
fault_rule slow_user_reads(std::chrono::milliseconds delay) {
    return {.method = "GET",
            .path = "/v2/facts/*/*/users/*",
            .kind = fault_kind::delay,
            .delay = delay};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_transport)

// `client::cancel()` closes the connections being opened. A name resolution that had already
// ended when the connection was closed still delivers its answer; the connection must not go on
// to connect (Asio's connect would open the closed socket again), or the call it was opened for
// would go out after the cancel and succeed.
BOOST_AUTO_TEST_CASE(a_connection_closed_after_its_name_was_resolved_does_not_connect) {
    asio::io_context ioc;
    asio::ip::tcp::acceptor listener(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    const auto where = permit::detail::http::origin::parse(
        "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port()));
    const permit::detail::http::connection_settings settings{.connect_timeout = 5s,
                                                             .handshake_timeout = 5s,
                                                             .request_timeout = 5s,
                                                             .max_response_body = 1 << 20,
                                                             .max_response_header = 1 << 14};
    permit::detail::http::connection conn(ioc.get_executor(), where, nullptr,
                                          permit::detail::http::deadline_watch(ioc.get_executor()));
    std::optional<boost::system::error_code> connected;
    std::string note;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { connected = co_await conn.connect(settings, note); },
        asio::detached);
    ioc.poll();  // the resolve is under way on Asio's resolver thread
    // Long enough for a numeric host to resolve there and post its answer back.
    std::this_thread::sleep_for(100ms);
    conn.close();
    ioc.run();
    BOOST_REQUIRE(connected.has_value());
    BOOST_TEST(*connected == asio::error::operation_aborted, connected->message());
    BOOST_TEST(note.find("closed while it was being opened") != std::string::npos, note);
    // Nothing reached the listener.
    listener.non_blocking(true);
    boost::system::error_code accept_ec;
    listener.accept(accept_ec);
    BOOST_TEST(accept_ec == asio::error::would_block, accept_ec.message());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sequential_calls_reuse_one_connection, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    int succeeded = 0;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
        for (int i = 0; i < 1000; ++i) {
            auto [ec, user] =
                co_await f.permit.users.get("jane", asio::as_tuple(asio::use_awaitable));
            if (!ec && user.key == "jane") ++succeeded;
        }
    }());
    BOOST_TEST(succeeded == 1000);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == 1u);
    BOOST_TEST(stats.route(get_user_route) == 1000u);
    BOOST_TEST(stats.route(scope_route) == 1u);
}

BOOST_AUTO_TEST_CASE(an_idle_connection_past_the_idle_timeout_is_not_reused) {
    client_fixture f{false, {}, [](permit::config& c) { c.idle_timeout = 100ms; }};
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
        co_await f.permit.users.get("jane");
        asio::steady_timer pause(f.ioc, 300ms);
        co_await pause.async_wait(asio::use_awaitable);
        co_await f.permit.users.get("jane");
    }());
    BOOST_TEST(f.emu.stats().connections_accepted == 2u);
}

BOOST_AUTO_TEST_CASE(concurrent_calls_open_no_more_than_max_connections) {
    client_fixture f{false, {}, [](permit::config& c) { c.api_max_connections = 8; }};
    constexpr int calls = 500;
    int done = 0, failed = 0;
    for (int i = 0; i < calls; ++i) {
        const permit::user_create who{.key = "user-" + std::to_string(i)};
        f.permit.users.create(who, [&](boost::system::error_code ec, permit::user) {
            ++done;
            if (ec) ++failed;
        });
    }
    f.run_until([&] { return done == calls; });
    BOOST_TEST(done == calls);
    BOOST_TEST(failed == 0);
    BOOST_TEST(f.emu.user_count() == static_cast<std::size_t>(calls));
    const auto opened = f.emu.stats().connections_accepted;
    BOOST_TEST_MESSAGE("connections opened for " << calls << " concurrent calls: " << opened);
    BOOST_TEST(opened <= 8u);
    BOOST_TEST(opened > 1u, "the calls ran concurrently");
}

BOOST_AUTO_TEST_CASE(a_server_certificate_from_an_untrusted_ca_fails_with_a_tls_error) {
    client_fixture f{true};
    const auto stranger = make_test_pki();
    auto client = f.make_client(trusting(f.client_config(), stranger.ca_cert_pem));
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await client->users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::tls, ec.message());
        BOOST_TEST(ec != permit::condition::retryable);
        BOOST_TEST(diag.status == 0u);
        BOOST_TEST(diag.client_message.find("certificate") != std::string::npos,
                   diag.client_message);

        auto [checked, allowed] =
            co_await client->check("jane", "read", "document", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(checked == permit::condition::tls, checked.message());
    }());
    BOOST_TEST(f.emu.stats().requests == 0u, "nothing was sent");
}

BOOST_AUTO_TEST_CASE(the_ca_store_is_read_only_for_an_https_origin) {
    // A CA file that does not exist: an error when the client makes an https connection, and
    // never read when every origin is plain http.
    asio::io_context ioc;
    permit::config plain{.api_key = "permit_key_test",
                         .api_url = "http://127.0.0.1:1",
                         .pdp_url = "http://127.0.0.1:2"};
    plain.tls.ca_file = "/nonexistent/permit-test-ca.pem";
    BOOST_CHECK_NO_THROW(permit::client(ioc.get_executor(), plain));

    permit::config secure = plain;
    secure.api_url = "https://127.0.0.1:1";
    BOOST_CHECK_THROW(permit::client(ioc.get_executor(), secure), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_fails_with_a_tls_error) {
    const auto other_host = make_test_pki({"other.example"}, {});
    client_fixture f{false, serving(other_host)};
    auto client = f.make_client(trusting(f.client_config(), other_host.ca_cert_pem));
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await client->users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::tls, ec.message());
        BOOST_TEST(!diag.client_message.empty());
    }());
    BOOST_TEST(f.emu.stats().requests == 0u, "nothing was sent");
}

BOOST_AUTO_TEST_CASE(the_host_name_is_checked_against_the_certificate) {
    // A certificate for `localhost` only: good for https://localhost, not for https://127.0.0.1.
    const auto localhost_only = make_test_pki({"localhost"}, {});
    client_fixture f{false, serving(localhost_only)};
    auto by_ip = f.make_client(trusting(f.client_config(), localhost_only.ca_cert_pem));
    auto cfg = trusting(f.client_config(), localhost_only.ca_cert_pem);
    cfg.api_url = cfg.pdp_url = "https://localhost:" + std::to_string(f.emu.port());
    auto by_name = f.make_client(cfg);
    f.run([&]() -> asio::awaitable<void> {
        auto [refused, u1] = co_await by_ip->users.get("jane", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::condition::tls, refused.message());
        const permit::user_create who{.key = "jane"};
        auto [accepted, u2] =
            co_await by_name->users.create(who, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!accepted, accepted.message());
        BOOST_TEST(u2.key == "jane");
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_slow_response_times_out_and_the_client_recovers, Scheme,
                              both_schemes) {
    // One attempt: this is about the timeout itself (retries have their own tests).
    client_fixture f{Scheme::tls, {}, [](permit::config& c) {
                         c.request_timeout = 200ms;
                         c.retry = permit::retry_policy::none();
                     }};
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
        f.emu.set_faults({slow_user_reads(2s)});

        permit::diagnostics diag;
        const auto started = clock_type::now();
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        const auto took = clock_type::now() - started;
        BOOST_TEST(ec == permit::error::request_timeout, ec.message());
        BOOST_TEST(ec == permit::condition::timeout);
        BOOST_TEST(ec == permit::condition::retryable);
        BOOST_TEST(diag.status == 0u);
        BOOST_TEST(!diag.client_message.empty());
        // It gave up at the timeout, not when the 2 s response came: the error says so.
        BOOST_TEST(took >= 200ms);

        // Other calls carry on, on a new connection.
        f.emu.set_faults({});
        const auto again = co_await f.permit.users.get("jane");
        BOOST_TEST(again.key == "jane");
        const auto list = co_await f.permit.users.list();
        BOOST_TEST(list.total_count == 1);
    }());
    BOOST_TEST(f.emu.stats().connections_accepted == 2u,
               "the connection that timed out was not reused");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_first_calls_fetch_the_scope_once, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    constexpr int calls = 100;
    int done = 0, succeeded = 0;
    for (int i = 0; i < calls; ++i) {
        f.permit.users.list({}, [&](boost::system::error_code ec, permit::page<permit::user>) {
            ++done;
            if (!ec) ++succeeded;
        });
    }
    f.run_until([&] { return done == calls; });
    BOOST_TEST(succeeded == calls);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.route(scope_route) == 1u);
    BOOST_TEST(stats.route(list_users_route) == static_cast<std::uint64_t>(calls));
}

BOOST_AUTO_TEST_CASE(a_scope_given_in_the_config_is_not_fetched) {
    client_fixture f{false, {}, [](permit::config& c) {
                         c.project_id = "default";
                         c.environment_id = "production";
                     }};
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);
    }());
    BOOST_TEST(f.emu.stats().route(scope_route) == 0u);
    bool by_key = false;
    for (const auto& r : f.emu.request_log())
        if (r.target.rfind("/v2/facts/default/production/users", 0) == 0) by_key = true;
    BOOST_TEST(by_key, "the configured project and environment keys are in the path");
}

BOOST_AUTO_TEST_CASE(a_project_level_key_needs_the_environment_in_the_config) {
    emulator_config emu_cfg;
    emu_cfg.level = key_level::project;
    client_fixture f{false, emu_cfg};
    auto cfg = f.client_config();
    cfg.environment_id = f.emu.config().environment_key;
    auto with_environment = f.make_client(cfg);
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::environment_key_required, ec.message());
        BOOST_TEST(ec == permit::condition::forbidden);
        BOOST_TEST(diag.client_message.find("environment_id") != std::string::npos,
                   diag.client_message);
        // The PDP needs no environment in the path.
        auto [checked, allowed] = co_await f.permit.check("jane", "read", "document",
                                                          asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!checked, checked.message());

        const permit::user_create who{.key = "jane"};
        const auto created = co_await with_environment->users.create(who);
        BOOST_TEST(created.key == "jane");
        BOOST_TEST(created.project_id == f.emu.config().project_id);
        const auto read = co_await with_environment->users.get("jane");
        BOOST_TEST(read.id == created.id);
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
    bool project_from_scope = false;
    for (const auto& r : f.emu.request_log())
        if (r.target.rfind("/v2/facts/" + f.emu.config().project_id + "/production/users", 0) == 0)
            project_from_scope = true;
    BOOST_TEST(project_from_scope, "the project comes from the key's scope");
}

BOOST_AUTO_TEST_CASE(an_organization_level_key_needs_project_and_environment_in_the_config) {
    emulator_config emu_cfg;
    emu_cfg.level = key_level::organization;
    client_fixture f{false, emu_cfg, [](permit::config& c) { c.environment_id = "production"; }};
    auto cfg = f.client_config();
    cfg.project_id = f.emu.config().project_id;
    cfg.environment_id = f.emu.config().environment_id;
    auto with_both = f.make_client(cfg);
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const permit::user_create who{.key = "jane"};
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::environment_key_required, ec.message());
        BOOST_TEST(ec == permit::condition::forbidden);
        BOOST_TEST(diag.client_message.find("project_id") != std::string::npos,
                   diag.client_message);
        const permit::tenant_list_query all;
        auto [listed, page] =
            co_await f.permit.tenants.list(all, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(listed == permit::error::environment_key_required);

        const auto created = co_await with_both->users.create(who);
        BOOST_TEST(created.key == "jane");
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
    BOOST_TEST(f.emu.stats().route(scope_route) == 1u, "fetched once, by the first client only");
}

BOOST_AUTO_TEST_SUITE_END()
