// The client through a real HTTP proxy (Debian's tinyproxy, started on 127.0.0.1 by each test):
// HTTPS in a CONNECT tunnel, plain HTTP in absolute form, the proxy's credentials, NO_PROXY, the
// proxy's refusals and its going away, and the API key never in what the proxy saw.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/proxy_server.hpp"

using namespace permit_test;

namespace {

using namespace std::chrono_literals;

/// A proxy, then an emulator and a client set up by `adjust` (which sees the proxy).
struct proxied {
    proxied(bool tls, proxy_server_options proxy_options,
            const std::function<void(permit::config&, const proxy_server&)>& adjust,
            permit::testing::emulator_config emu = {})
        : proxy(std::move(proxy_options))
        , f(tls, std::move(emu), [&](permit::config& c) { adjust(c, proxy); }) {}

    proxy_server proxy;
    client_fixture f;
};

/// The `host:port` of a URL.
std::string proxied_authority_of(const std::string& url) {
    return url.substr(url.find("://") + 3);
}

/// The emulator's REST API's `host:port`.
std::string proxied_authority(const client_fixture& f) {
    return proxied_authority_of(f.emu.url());
}

/// Every request line the proxy read has one of `parts` (`"CONNECT host:port "`) at `at`
/// (0: at its start; npos: anywhere).
bool proxy_lines_all_have(const proxy_server& proxy, const std::vector<std::string>& parts,
                          bool at_start) {
    for (const auto& line : proxy.request_lines()) {
        bool found = false;
        for (const auto& part : parts)
            found =
                found || (at_start ? line.starts_with(part) : line.find(part) != std::string::npos);
        if (!found) {
            BOOST_TEST_MESSAGE("the proxy read: '" << line << "'");
            return false;
        }
    }
    return true;
}

/// One call through `permit`, its error and diagnostics.
struct proxied_outcome {
    boost::system::error_code ec;
    permit::diagnostics diag;
};

proxied_outcome proxied_get_user(client_fixture& f, permit::client& permit) {
    proxied_outcome out;
    f.run([&]() -> asio::awaitable<void> {
        auto [ec, user] =
            co_await permit.users.get("nobody-here", out.diag, asio::as_tuple(asio::use_awaitable));
        out.ec = ec;
    }());
    return out;
}

/// A client config with retries off, so that a failure is seen as it is.
permit::retry_policy proxied_no_retry() {
    return permit::retry_policy::none();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_proxy, *boost::unit_test::precondition(tinyproxy_installed))

BOOST_AUTO_TEST_CASE(every_kind_of_call_over_https_goes_through_the_tunnel) {
    proxied p(true, {}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
        c.api_max_connections = 4;
    });
    auto& f = p.f;
    bool allowed = false;
    std::size_t listed = 0;
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("viewer");
        const permit::tenant_create tenant{.key = "acme", .name = "Acme"};
        co_await f.permit.tenants.create(tenant);
        const permit::user_create jane{.key = "jane", .first_name = "Jane"};
        co_await f.permit.users.create(jane);
        const permit::user_update changes{.last_name = "Doe"};
        co_await f.permit.users.update("jane", changes);
        const permit::user_create again{.key = "jane", .email = "jane@example.com"};
        co_await f.permit.users.sync(again);
        const permit::role_assignment_create grant{
            .user = "jane", .role = "viewer", .tenant = "acme"};
        co_await f.permit.role_assignments.assign(grant);
        const auto assignments = co_await f.permit.role_assignments.list();
        listed = assignments.data.size();
        std::vector<permit::user_create> many;
        for (int i = 0; i < 50; ++i) many.push_back({.key = "bulk-" + std::to_string(i)});
        co_await f.permit.users.bulk_replace(std::move(many));
        const permit::check_resource doc{.type = "document", .tenant = "acme"};
        allowed = co_await f.permit.check("jane", "read", doc);
        co_await f.permit.users.remove("bulk-0");
    }());
    BOOST_TEST(listed == 1u);
    BOOST_TEST(!allowed, "viewer grants nothing on documents here");
    BOOST_TEST(f.emu.user_count() == 50u);  // jane and bulk-1..49

    const auto stats = f.permit.stats();
    BOOST_TEST(stats.proxy_tunnels >= 1u);
    BOOST_TEST(stats.proxy_tunnels == stats.connections, "every connection is a tunnel");
    BOOST_TEST(p.proxy.connect_count() == stats.proxy_tunnels);
    const std::vector<std::string> tunnels{
        "CONNECT " + proxied_authority(f) + " ",
        "CONNECT " + proxied_authority_of(f.emu.pdp_url()) + " "};
    BOOST_TEST(proxy_lines_all_have(p.proxy, tunnels, true));
    BOOST_TEST(f.emu.stats().connections_accepted == stats.connections,
               "the emulator was reached only through the proxy");
    // The proxy relays the TLS bytes: it never saw the key, nor any request of the API.
    const auto log = p.proxy.log();
    BOOST_TEST(log.find(f.emu.config().api_key) == std::string::npos);
    BOOST_TEST(log.find("/v2/") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_api_key_is_absent_from_every_byte_the_proxy_logged) {
    proxied p(true, {.verbose_log = true}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
    });
    auto& f = p.f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
        co_await f.permit.users.get("jane");
    }());
    const auto log = p.proxy.log();
    BOOST_TEST(!log.empty());
    const std::string key = f.emu.config().api_key;
    BOOST_TEST(log.find(key) == std::string::npos);
    // Nor a telling part of it (a header logged cut, say).
    BOOST_TEST(log.find(key.substr(key.size() / 2)) == std::string::npos);
    BOOST_TEST(log.find("Authorization") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_proxys_credentials_open_the_tunnel) {
    const proxy_credentials credentials{"permit", "tunnel-s3cret"};
    proxied p(true, {.basic_auth = credentials}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url_with_credentials();
    });
    auto& f = p.f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
    BOOST_TEST(f.permit.stats().proxy_tunnels == 1u);
    BOOST_TEST(p.proxy.log().find("tunnel-s3cret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_credentials_fail_with_407_and_are_not_retried) {
    const proxy_credentials credentials{"permit", "tunnel-s3cret"};
    proxied p(true, {.basic_auth = credentials}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
    });
    auto& f = p.f;
    auto logged = std::make_shared<std::string>();
    for (const bool with_wrong_password : {true, false}) {
        BOOST_TEST_CONTEXT("wrong password: " << with_wrong_password) {
            auto cfg = f.client_config();
            cfg.proxy.https_proxy = with_wrong_password
                                        ? p.proxy.url_with_credentials({"permit", "not-the-pw-42"})
                                        : p.proxy.url();
            cfg.log = [logged](permit::log_level, std::string_view text) { *logged += text; };
            auto client = f.make_client(cfg);
            const auto out = proxied_get_user(f, *client);
            BOOST_TEST(out.ec == permit::error::proxy_auth_required, out.ec.message());
            // tinyproxy answers credentials it does not accept with 401 (src/reqs.c), missing
            // ones with 407.
            BOOST_TEST(out.diag.status == (with_wrong_password ? 401u : 407u));
            BOOST_TEST(out.diag.attempts == 1u, "a 407 is not retried");
            BOOST_TEST(out.diag.stop_reason == permit::retry_stop::not_retryable);
            const auto text = out.diag.to_string();
            BOOST_TEST(text.find(p.proxy.url()) != std::string::npos, text);
            BOOST_TEST(text.find(with_wrong_password ? "not accepted" : "no credentials") !=
                           std::string::npos,
                       text);
            BOOST_TEST(text.find("not-the-pw-42") == std::string::npos, text);
            BOOST_TEST(client->stats().proxy_tunnels == 0u);
        }
    }
    BOOST_TEST(logged->find("not-the-pw-42") == std::string::npos);
    BOOST_TEST(f.emu.stats().connections_accepted == 0u, "nothing reached the emulator");
}

BOOST_AUTO_TEST_CASE(no_proxy_sends_a_host_around_the_proxy) {
    // By address, by a range holding it, by name: each goes around the proxy.
    for (const std::string no_proxy : {"127.0.0.1", "example.com, 127.0.0.0/8", "*"}) {
        BOOST_TEST_CONTEXT("NO_PROXY=" << no_proxy) {
            proxied p(true, {}, [&](permit::config& c, const proxy_server& proxy) {
                c.proxy.https_proxy = proxy.url();
                c.proxy.no_proxy = no_proxy;
            });
            auto& f = p.f;
            f.run([&]() -> asio::awaitable<void> {
                const permit::user_create jane{.key = "jane"};
                co_await f.permit.users.create(jane);
            }());
            BOOST_TEST(f.emu.user_count() == 1u);
            BOOST_TEST(f.permit.stats().proxy_tunnels == 0u);
            BOOST_TEST(p.proxy.request_lines().empty());
        }
    }
    // A list that names other hosts leaves this one to the proxy.
    proxied p(true, {}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
        c.proxy.no_proxy = "localhost,10.0.0.0/8,.example.com";
    });
    p.f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await p.f.permit.users.create(jane);
    }());
    BOOST_TEST(p.f.permit.stats().proxy_tunnels == 1u);
    BOOST_TEST(p.proxy.connect_count() == 1u);
}

BOOST_AUTO_TEST_CASE(calls_fail_with_the_proxy_error_while_it_is_away_and_recover_when_it_is_back) {
    proxied p(true, {}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
        c.retry = proxied_no_retry();
    });
    auto& f = p.f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
    }());

    p.proxy.stop();  // its tunnels close with it
    const auto away = proxied_get_user(f, f.permit);
    BOOST_TEST(away.ec == permit::error::proxy_unreachable, away.ec.message());
    BOOST_TEST((away.ec == permit::condition::network));
    BOOST_TEST((away.ec == permit::condition::retryable));
    BOOST_TEST(away.diag.status == 0u);
    BOOST_TEST(away.diag.client_message.find("the proxy " + p.proxy.url()) != std::string::npos,
               away.diag.client_message);

    p.proxy.start();
    const auto back = proxied_get_user(f, f.permit);
    BOOST_TEST(back.ec == permit::error::not_found, back.ec.message());
    BOOST_TEST(back.diag.status == 404u, "the emulator answered, through the proxy");
    BOOST_TEST(f.permit.stats().proxy_tunnels == 2u);
}

BOOST_AUTO_TEST_CASE(with_retries_a_call_outlasts_a_short_absence_of_the_proxy) {
    proxied p(true, {}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
        // The scope in the config: the call itself is what meets the absent proxy.
        c.project_id = "default";
        c.environment_id = "production";
        c.retry.max_attempts = 20;
        c.retry.initial_backoff = 50ms;
        c.retry.max_backoff = 100ms;
    });
    auto& f = p.f;
    p.proxy.stop();
    std::optional<proxied_outcome> out;
    permit::diagnostics diag;
    f.permit.users.get("nobody-here", diag, [&](boost::system::error_code ec, permit::user) {
        out = proxied_outcome{ec, diag};
    });
    // The first attempts find no proxy; it comes back while the call is still retrying.
    f.run_until([&] { return f.permit.stats().retries >= 2; });
    p.proxy.start();
    f.run_until([&] { return out.has_value(); });
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->ec == permit::error::not_found, out->ec.message());
    BOOST_TEST(out->diag.attempts >= 3u);
}

BOOST_AUTO_TEST_CASE(a_tunnel_the_proxy_refuses_fails_with_its_status) {
    // A proxy that lets CONNECT reach port 443 only refuses the emulator's port with a 403.
    proxied p(true, {.connect_ports = {443}}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
    });
    auto& f = p.f;
    const auto out = proxied_get_user(f, f.permit);
    BOOST_TEST(out.ec == permit::error::proxy_refused, out.ec.message());
    BOOST_TEST(out.diag.status == 403u);
    BOOST_TEST(out.diag.attempts == 1u, "a refusal is not retried");
    BOOST_TEST(out.diag.client_message.find("CONNECT " + proxied_authority(f)) != std::string::npos,
               out.diag.client_message);
}

BOOST_AUTO_TEST_CASE(a_tunnel_to_a_server_that_is_down_fails_as_the_retry_policy_says) {
    proxied p(true, {}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.https_proxy = proxy.url();
    });
    auto& f = p.f;
    // A port nothing listens on: the proxy cannot reach the server and answers with a 5xx.
    asio::ip::tcp::acceptor closed(f.ioc, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = closed.local_endpoint().port();
    closed.close();
    auto cfg = f.client_config();
    cfg.api_url = "https://127.0.0.1:" + std::to_string(port);
    cfg.pdp_url = cfg.api_url;
    cfg.proxy.https_proxy = p.proxy.url();
    cfg.project_id = "default";
    cfg.environment_id = "production";
    cfg.retry.max_attempts = 2;
    cfg.retry.initial_backoff = 10ms;
    auto client = f.make_client(cfg);
    const auto out = proxied_get_user(f, *client);
    BOOST_TEST(out.ec == permit::error::proxy_tunnel_failed, out.ec.message());
    BOOST_TEST(out.diag.status / 100 == 5u, "the proxy's status: " << out.diag.status);
    BOOST_TEST(out.diag.attempts == 2u, "a 5xx of the proxy is retried as the policy says");
    BOOST_TEST((out.ec == permit::condition::retryable));
}

BOOST_AUTO_TEST_CASE(plain_http_goes_to_the_proxy_in_absolute_form) {
    std::vector<std::string> warnings;
    proxied p(false, {}, [&](permit::config& c, const proxy_server& proxy) {
        c.proxy.http_proxy = proxy.url();
        c.log = [&](permit::log_level level, std::string_view text) {
            if (level == permit::log_level::warning) warnings.emplace_back(text);
        };
    });
    auto& f = p.f;
    bool allowed = true;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
        co_await f.permit.users.get("jane");
        allowed = co_await f.permit.check("jane", "read", "document");
    }());
    BOOST_TEST(!allowed);
    BOOST_TEST(f.emu.user_count() == 1u);
    BOOST_TEST(f.permit.stats().proxy_tunnels == 0u, "plain HTTP needs no tunnel");
    const auto lines = p.proxy.request_lines();
    BOOST_TEST(lines.size() >= 3u);
    const std::vector<std::string> absolute{
        " http://" + proxied_authority(f) + "/",
        " http://" + proxied_authority_of(f.emu.pdp_url()) + "/"};
    BOOST_TEST(proxy_lines_all_have(p.proxy, absolute, false),
               "every request names its origin in absolute form");
    bool warned = false;
    for (const auto& w : warnings)
        warned = warned || w.find("the proxy sees the API key") != std::string::npos;
    BOOST_TEST(warned);
}

BOOST_AUTO_TEST_CASE(plain_http_carries_the_proxys_credentials) {
    const proxy_credentials credentials{"permit", "plain-s3cret"};
    proxied p(false, {.basic_auth = credentials}, [](permit::config& c, const proxy_server& proxy) {
        c.proxy.http_proxy = proxy.url_with_credentials();
    });
    auto& f = p.f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
        co_await f.permit.users.get("jane");
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
    // And without them, the proxy's 407 is its answer to the request.
    auto cfg = f.client_config();
    cfg.proxy.http_proxy = p.proxy.url();
    cfg.retry = proxied_no_retry();
    auto client = f.make_client(cfg);
    const auto out = proxied_get_user(f, *client);
    BOOST_TEST(out.ec == permit::error::proxy_auth_required, out.ec.message());
    BOOST_TEST(out.diag.status == 407u, out.diag.to_string());
}

BOOST_AUTO_TEST_SUITE_END()
