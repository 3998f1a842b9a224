// The client over IPv6: an emulator listening on [::1], over HTTP and HTTPS (the certificate names
// the address), directly and through a proxy's CONNECT tunnel, whose target is written in brackets.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/proxy_server.hpp"

using namespace permit_test;

namespace {

/// Whether a socket can be bound to [::1] here.
bool ipv6_test_loopback_available() {
    asio::io_context ioc;
    asio::ip::tcp::acceptor probe(ioc);
    boost::system::error_code ec;
    probe.open(asio::ip::tcp::v6(), ec);
    if (!ec) probe.bind({asio::ip::make_address("::1"), 0}, ec);
    return !ec;
}

boost::test_tools::assertion_result ipv6_test_precondition(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(ipv6_test_loopback_available());
    if (!r) r.message() << "no IPv6 loopback here: skipped";
    return r;
}

/// An emulator on [::1] (HTTPS with `pki`'s certificate when given).
permit::testing::emulator_config ipv6_test_emulator(const std::optional<test_pki>& pki) {
    permit::testing::emulator_config cfg;
    cfg.host = "::1";
    if (pki) {
        cfg.tls_certificate_pem = pki->leaf_cert_pem;
        cfg.tls_private_key_pem = pki->leaf_key_pem;
    }
    return cfg;
}

/// Creates a user and reads it back through a client of `cfg`; returns the user's key as read.
std::string ipv6_test_round_trip(permit::config cfg) {
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), std::move(cfg));
    std::string read;
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            const permit::user_create jane{.key = "jane"};
            co_await client.users.create(jane);
            const auto user = co_await client.users.get("jane");
            read = user.key;
        }(),
        std::chrono::seconds(20));
    return read;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_ipv6, *boost::unit_test::precondition(ipv6_test_precondition))

BOOST_AUTO_TEST_CASE(an_emulator_on_ipv6_loopback_is_reached_over_http_and_https) {
    for (const bool tls : {false, true}) {
        BOOST_TEST_CONTEXT("https: " << tls) {
            std::optional<test_pki> pki;
            if (tls) pki = make_test_pki({"localhost"}, {"127.0.0.1", "::1"});
            permit::testing::emulator emu(ipv6_test_emulator(pki));
            BOOST_TEST(emu.url().find("://[::1]:") != std::string::npos, emu.url());
            permit::config cfg{
                .api_key = emu.config().api_key, .api_url = emu.url(), .pdp_url = emu.url()};
            if (pki) cfg.tls = {.use_system_store = false, .ca_pem = pki->ca_cert_pem};
            BOOST_TEST(ipv6_test_round_trip(cfg) == "jane");
            BOOST_TEST(emu.user_count() == 1u);
        }
    }
}

// The certificate is checked against the address: one that names 127.0.0.1 only is refused.
BOOST_AUTO_TEST_CASE(the_certificate_must_name_the_ipv6_address) {
    const auto pki = make_test_pki({"localhost"}, {"127.0.0.1"});
    permit::testing::emulator emu(ipv6_test_emulator(pki));
    permit::config cfg{.api_key = emu.config().api_key, .api_url = emu.url(), .pdp_url = emu.url()};
    cfg.tls = {.use_system_store = false, .ca_pem = pki.ca_cert_pem};
    cfg.retry = permit::retry_policy::none();
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), cfg);
    boost::system::error_code failed;
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            permit::diagnostics diag;
            auto [ec, user] =
                co_await client.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
            failed = ec;
        }(),
        std::chrono::seconds(20));
    BOOST_TEST((failed == permit::condition::tls), failed.message());
}

BOOST_AUTO_TEST_CASE(a_tunnel_to_an_ipv6_origin_names_it_in_brackets,
                     *boost::unit_test::precondition(tinyproxy_installed)) {
    const auto pki = make_test_pki({"localhost"}, {"127.0.0.1", "::1"});
    permit::testing::emulator emu(ipv6_test_emulator(pki));
    proxy_server proxy;
    permit::config cfg{.api_key = emu.config().api_key, .api_url = emu.url(), .pdp_url = emu.url()};
    cfg.tls = {.use_system_store = false, .ca_pem = pki.ca_cert_pem};
    cfg.proxy.https_proxy = proxy.url();
    BOOST_TEST(ipv6_test_round_trip(cfg) == "jane");
    const auto lines = proxy.request_lines();
    BOOST_TEST_REQUIRE(!lines.empty());
    const auto port = emu.url().substr(emu.url().rfind(':') + 1);
    BOOST_TEST(lines.front() == "CONNECT [::1]:" + port + " HTTP/1.1");
}

BOOST_AUTO_TEST_SUITE_END()
