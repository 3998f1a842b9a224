// HTTPS: with a certificate and key from the config the emulator serves TLS; a client that trusts
// the issuing CA and checks the host name gets keep-alive service, any other client is refused.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>

#include "support/certificates.hpp"
#include "support/http_client.hpp"
#include "support/watchdog.hpp"

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
namespace json = boost::json;
using permit::testing::emulator;
using permit::testing::emulator_config;
using permit_test::watchdog;

emulator_config tls_config(const permit_test::test_pki& pki) {
    emulator_config config;
    config.tls_certificate_pem = pki.leaf_cert_pem;
    config.tls_private_key_pem = pki.leaf_key_pem;
    return config;
}

/// An emulator serving HTTPS with a certificate from a fresh CA.
struct tls_fixture {
    ~tls_fixture() {
        BOOST_CHECK_MESSAGE(!dog.fired(),
                            "the watchdog stopped an emulator that stopped answering");
    }

    permit_test::api_client connect(ssl::context& tls) {
        return permit_test::api_client{emu.port(), emu.config().api_key, emu.config().project_key,
                                       emu.config().environment_key, &tls};
    }

    permit_test::test_pki pki = permit_test::make_test_pki();
    emulator emu{tls_config(pki)};
    watchdog dog{emu, std::chrono::seconds(20)};
};

/// A client context that trusts `ca_pem` only and checks that the server is `host`. When
/// `peer_pem` is given, it receives the certificate the server presented.
ssl::context client_context(const std::string& ca_pem, const std::string& host = "localhost",
                            std::shared_ptr<std::string> peer_pem = nullptr) {
    ssl::context ctx{ssl::context::tls_client};
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::host_name_verification check_host{host};
    ctx.set_verify_callback(
        [check_host, peer_pem](bool preverified, ssl::verify_context& vc) mutable {
            X509_STORE_CTX* store = vc.native_handle();
            if (peer_pem && X509_STORE_CTX_get_error_depth(store) == 0) {
                if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
                    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), &BIO_free};
                    if (bio && PEM_write_bio_X509(bio.get(), cert) == 1) {
                        char* data = nullptr;
                        const long n = BIO_get_mem_data(bio.get(), &data);
                        if (n > 0) peer_pem->assign(data, static_cast<std::size_t>(n));
                    }
                }
            }
            return check_host(preverified, vc);
        });
    return ctx;
}

/// The error a TLS connection attempt ends with (none when it succeeds).
boost::system::error_code connect_error(std::uint16_t port, ssl::context& tls) {
    try {
        permit_test::http_connection conn{port, &tls};
        conn.request(http::verb::get, "/health");
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_tls)

BOOST_AUTO_TEST_CASE(serves_https_with_keep_alive_to_a_client_that_trusts_the_ca) {
    tls_fixture f;
    BOOST_TEST(f.emu.url() == "https://127.0.0.1:" + std::to_string(f.emu.port()));

    auto peer = std::make_shared<std::string>();
    auto tls = client_context(f.pki.ca_cert_pem, "localhost", peer);
    auto client = f.connect(tls);
    BOOST_TEST(*peer == f.pki.leaf_cert_pem, "the server presents the configured certificate");

    const auto scope = client.get("/v2/api-key/scope");
    BOOST_TEST(scope.status == 200u);
    BOOST_TEST(json::parse(scope.body).at("environment_id").as_string() ==
               f.emu.config().environment_id);
    BOOST_TEST(client.post(client.facts("/users"), json::object{{"key", "tls-user"}}).status ==
               201u);
    for (int i = 0; i < 8; ++i) {
        const auto r = client.get(client.facts("/users/tls-user"));
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(r.keep_alive);
    }
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == 1u);
    BOOST_TEST(stats.requests == 10u);
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(the_certificate_also_names_the_ip_address) {
    tls_fixture f;
    auto tls = client_context(f.pki.ca_cert_pem, "127.0.0.1");
    auto client = f.connect(tls);
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
}

BOOST_AUTO_TEST_CASE(pipelining_works_over_tls) {
    tls_fixture f;
    auto tls = client_context(f.pki.ca_cert_pem);
    auto client = f.connect(tls);
    auto& conn = client.connection();
    for (int i = 0; i < 5; ++i)
        conn.send(conn.make_request(http::verb::post, client.facts("/users"),
                                    json::serialize(json::object{{"key", "p" + std::to_string(i)}}),
                                    client.authorization()));
    for (int i = 0; i < 5; ++i) {
        const auto r = conn.receive();
        BOOST_TEST(r.status == 201u);
        BOOST_TEST(json::parse(r.body).at("key").as_string() == "p" + std::to_string(i));
    }
}

BOOST_AUTO_TEST_CASE(a_client_that_trusts_another_ca_fails_the_handshake) {
    tls_fixture f;
    const auto other = permit_test::make_test_pki();
    auto untrusting = client_context(other.ca_cert_pem);
    const auto ec = connect_error(f.emu.port(), untrusting);
    BOOST_TEST(ec.failed(), "the handshake succeeded with a CA that did not issue the certificate");
    BOOST_TEST((ec.category() == asio::error::get_ssl_category()),
               "failed for another reason: " << ec.message());
    BOOST_TEST(f.emu.stats().requests == 0u);

    // The emulator goes on serving clients that do trust it.
    auto trusting = client_context(f.pki.ca_cert_pem);
    auto client = f.connect(trusting);
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_client_that_expects_another_host_name_fails_the_handshake) {
    tls_fixture f;
    auto tls = client_context(f.pki.ca_cert_pem, "permit.example.com");
    const auto ec = connect_error(f.emu.port(), tls);
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec.category() == asio::error::get_ssl_category()), ec.message());
}

BOOST_AUTO_TEST_CASE(plain_http_to_the_tls_port_gets_no_200) {
    tls_fixture f;
    {
        permit_test::http_connection plain{f.emu.port()};
        try {
            const auto r = plain.request(http::verb::get, "/v2/api-key/scope", std::nullopt,
                                         "Bearer " + f.emu.config().api_key);
            BOOST_TEST(r.status != 200u, "a plain-HTTP request was served on the TLS port");
        } catch (const boost::system::system_error& e) {
            BOOST_TEST_MESSAGE("plain HTTP on the TLS port: " << e.what());
        }
    }
    BOOST_TEST(f.emu.stats().status(200) == 0u);

    // A TCP client that never starts a handshake does not hold up the others.
    permit_test::http_connection silent{f.emu.port()};
    auto tls = client_context(f.pki.ca_cert_pem);
    auto client = f.connect(tls);
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
}

BOOST_AUTO_TEST_CASE(stop_closes_a_connection_that_never_started_its_handshake) {
    const auto pki = permit_test::make_test_pki();
    auto config = tls_config(pki);
    config.idle_timeout = std::chrono::hours(1);  // so that only stop() can end that connection
    std::optional<emulator> emu{std::in_place, config};
    permit_test::http_connection silent{emu->port()};  // TCP only: no ClientHello
    auto tls = client_context(pki.ca_cert_pem);
    {
        permit_test::http_connection served{emu->port(), &tls};
        BOOST_TEST(served.request(http::verb::get, "/health").status == 200u);
    }
    // stop() is documented to close every connection, which takes milliseconds. The bounds
    // below only tell a hang apart from that; after them the test ends the connection itself
    // (the client leaves, or the emulator is destroyed) so that it cannot hang.
    auto stopping = std::async(std::launch::async, [&] { emu->stop(); });
    const bool stopped = stopping.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    BOOST_TEST(stopped, "stop() is still waiting for a connection in its TLS handshake");
    if (!stopped) {
        silent.close();
        stopping.get();
        return;
    }
    stopping.get();
    auto closed = std::async(std::launch::async, [&] { return silent.read_until_closed(); });
    const bool closed_by_stop =
        closed.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
    BOOST_TEST(closed_by_stop,
               "stop() returned but left open a connection that was in its TLS handshake");
    emu.reset();  // destroying the emulator ends the connection in any case
    const auto ec = closed.get();
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
}

BOOST_AUTO_TEST_CASE(invalid_tls_material_is_refused_at_construction) {
    const auto pki = permit_test::make_test_pki();
    const auto other = permit_test::make_test_pki();
    {
        auto config = tls_config(pki);
        config.tls_certificate_pem =
            "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n";
        BOOST_CHECK_THROW(emulator{config}, std::invalid_argument);
    }
    {
        auto config = tls_config(pki);
        config.tls_private_key_pem = "not a key";
        BOOST_CHECK_THROW(emulator{config}, std::invalid_argument);
    }
    {
        auto config = tls_config(pki);
        config.tls_private_key_pem = other.leaf_key_pem;  // does not match the certificate
        BOOST_CHECK_THROW(emulator{config}, std::invalid_argument);
    }
}

BOOST_AUTO_TEST_SUITE_END()
