// The proxy fixture (support/proxy_server.hpp) checked on its own with raw sockets, before the
// client's proxy tests rely on it: tunnels through CONNECT, tinyproxy's answers to missing or
// wrong credentials and to targets it cannot reach, plain requests in absolute form, the log, and
// a stop then a start on the same port.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "support/proxy_server.hpp"
#include "support/slowdown.hpp"

namespace {

namespace proxy_asio = boost::asio;
using proxy_tcp = proxy_asio::ip::tcp;
using proxy_error_code = boost::system::error_code;

/// Runs `ioc` until the operation that `initiate` starts completes, and returns its error. Throws
/// after 10 s (times the sanitizers' slowdown): a proxy that never answers fails the test instead
/// of hanging the suite.
template <class Initiate>
proxy_error_code proxy_fixture_wait(proxy_asio::io_context& ioc, Initiate initiate) {
    proxy_error_code result;
    bool done = false;
    initiate([&](proxy_error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    ioc.restart();
    ioc.run_for(std::chrono::seconds(10) * permit_test::slowdown);
    if (!done) throw std::runtime_error("no answer within 10 s");
    return result;
}

/// One raw connection, to the proxy or accepted by a target, read and written as text.
class proxy_fixture_peer {
  public:
    explicit proxy_fixture_peer(proxy_asio::io_context& ioc) : ioc_(ioc), socket_(ioc) {}

    /// Connects to 127.0.0.1:`port`.
    void connect(std::uint16_t port) {
        const proxy_tcp::endpoint where(proxy_asio::ip::make_address("127.0.0.1"), port);
        const auto ec = proxy_fixture_wait(
            ioc_, [&](auto handler) { socket_.async_connect(where, std::move(handler)); });
        if (ec) throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }

    /// Accepts the next connection on `listener`.
    void accept(proxy_tcp::acceptor& listener) {
        const auto ec = proxy_fixture_wait(
            ioc_, [&](auto handler) { listener.async_accept(socket_, std::move(handler)); });
        if (ec) throw std::runtime_error("accept failed: " + ec.message());
    }

    void send(std::string_view text) {
        const auto ec = proxy_fixture_wait(ioc_, [&](auto handler) {
            proxy_asio::async_write(socket_, proxy_asio::buffer(text), std::move(handler));
        });
        if (ec) throw std::runtime_error("write failed: " + ec.message());
    }

    /// Everything up to and including the first blank line (an HTTP head); what follows it stays
    /// in `pending`.
    std::string read_head() {
        const auto ec = proxy_fixture_wait(ioc_, [&](auto handler) {
            proxy_asio::async_read_until(socket_, proxy_asio::dynamic_buffer(pending), "\r\n\r\n",
                                         std::move(handler));
        });
        if (ec) throw std::runtime_error("no HTTP head: " + ec.message() + ": " + pending);
        const auto end = pending.find("\r\n\r\n") + 4;
        std::string head = pending.substr(0, end);
        pending.erase(0, end);
        return head;
    }

    /// The next `n` bytes.
    std::string read_exactly(std::size_t n) {
        if (pending.size() < n) {
            const auto ec = proxy_fixture_wait(ioc_, [&](auto handler) {
                proxy_asio::async_read(socket_, proxy_asio::dynamic_buffer(pending),
                                       proxy_asio::transfer_exactly(n - pending.size()),
                                       std::move(handler));
            });
            if (ec) throw std::runtime_error("read failed: " + ec.message());
        }
        std::string bytes = pending.substr(0, n);
        pending.erase(0, n);
        return bytes;
    }

    /// Everything until the other side closes (a reset counts as closing: a process that exits
    /// with unread bytes resets its connections); throws if it does not close.
    std::string read_to_end() {
        const auto ec = proxy_fixture_wait(ioc_, [&](auto handler) {
            proxy_asio::async_read(socket_, proxy_asio::dynamic_buffer(pending),
                                   std::move(handler));
        });
        if (ec != proxy_asio::error::eof && ec != proxy_asio::error::connection_reset)
            throw std::runtime_error("the connection was not closed: " + ec.message());
        return std::exchange(pending, {});
    }

    void close() { socket_.close(); }

    /// Bytes read and not yet returned.
    std::string pending;

  private:
    proxy_asio::io_context& ioc_;
    proxy_tcp::socket socket_;
};

/// A listener on 127.0.0.1 and a port of the kernel's choice: the target of the tunnels.
struct proxy_fixture_target {
    explicit proxy_fixture_target(proxy_asio::io_context& ioc)
        : listener(ioc, {proxy_asio::ip::make_address("127.0.0.1"), 0}) {}
    std::uint16_t port() const { return listener.local_endpoint().port(); }
    std::string authority() const { return "127.0.0.1:" + std::to_string(port()); }
    proxy_tcp::acceptor listener;
};

/// A port on 127.0.0.1 that nothing listens on.
std::uint16_t proxy_fixture_closed_port(proxy_asio::io_context& ioc) {
    proxy_tcp::acceptor probe(ioc, {proxy_asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

/// `CONNECT <authority> HTTP/1.1`, as curl sends it, with `extra` header lines.
std::string proxy_fixture_connect(const std::string& authority, const std::string& extra = {}) {
    return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n" + extra + "\r\n";
}

/// Sends "ping" through an open tunnel to `server`, and "pong" back.
void proxy_fixture_exchange(proxy_fixture_peer& client, proxy_fixture_peer& server) {
    client.send("ping");
    BOOST_TEST(server.read_exactly(4) == "ping");
    server.send("pong");
    BOOST_TEST(client.read_exactly(4) == "pong");
}

const permit_test::proxy_credentials proxy_fixture_alice{"alice", "s3cret-1"};

permit_test::proxy_server_options proxy_fixture_with_auth() {
    permit_test::proxy_server_options options;
    options.basic_auth = proxy_fixture_alice;
    return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_fixture,
                      *boost::unit_test::precondition(&permit_test::tinyproxy_installed))

BOOST_AUTO_TEST_CASE(its_urls_name_its_port_and_credentials) {
    permit_test::proxy_server proxy(proxy_fixture_with_auth());
    const std::string port = std::to_string(proxy.port());
    BOOST_TEST(proxy.url() == "http://127.0.0.1:" + port);
    BOOST_TEST(proxy.url_with_credentials() == "http://alice:s3cret-1@127.0.0.1:" + port);
    BOOST_TEST(permit_test::proxy_server::basic_authorization(proxy_fixture_alice) ==
               "Basic YWxpY2U6czNjcmV0LTE=");

    permit_test::proxy_server open_proxy;
    BOOST_CHECK_THROW(open_proxy.url_with_credentials(), std::logic_error);
    permit_test::proxy_server_options unusable;
    unusable.basic_auth = permit_test::proxy_credentials{"alice", "p@ss:word"};
    BOOST_CHECK_THROW(permit_test::proxy_server{unusable}, std::invalid_argument);
}

// The reply to a CONNECT is its head alone; then bytes flow both ways until the target closes,
// which closes the client's connection too.
BOOST_AUTO_TEST_CASE(a_connect_opens_a_tunnel_that_carries_bytes_both_ways) {
    permit_test::proxy_server proxy;
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(target.authority()));
    const std::string head = client.read_head();
    BOOST_TEST(head.starts_with("HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/"));
    BOOST_TEST(head.find("\r\n", head.find("Proxy-agent")) == head.size() - 4);  // nothing else
    BOOST_TEST(client.pending.empty());
    proxy_fixture_peer server(ioc);
    server.accept(target.listener);
    proxy_fixture_exchange(client, server);
    server.close();
    BOOST_TEST(client.read_to_end().empty());

    BOOST_TEST(proxy.connect_count() == 1u);
    BOOST_TEST(proxy.established_count() == 1u);
    BOOST_TEST(proxy.request_lines().back() == "CONNECT " + target.authority() + " HTTP/1.1");
}

BOOST_AUTO_TEST_CASE(with_basic_auth_a_connect_without_credentials_gets_407_and_a_close) {
    permit_test::proxy_server proxy(proxy_fixture_with_auth());
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(target.authority()));
    const std::string reply = client.read_to_end();
    BOOST_TEST(reply.starts_with("HTTP/1.0 407 Proxy Authentication Required\r\n"));
    BOOST_TEST(reply.find("\r\nProxy-Authenticate: Basic realm=\"Tinyproxy\"\r\n") !=
               std::string::npos);
    BOOST_TEST(reply.find("\r\nConnection: close\r\n") != std::string::npos);
    BOOST_TEST(proxy.connect_count() == 1u);  // refused requests are logged too
    BOOST_TEST(proxy.established_count() == 0u);
}

// tinyproxy answers credentials it does not know with 401 and WWW-Authenticate, not 407.
BOOST_AUTO_TEST_CASE(with_basic_auth_wrong_credentials_get_401_and_a_close) {
    permit_test::proxy_server proxy(proxy_fixture_with_auth());
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    const permit_test::proxy_credentials wrong{"alice", "wrong"};
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(
        target.authority(),
        "Proxy-Authorization: " + permit_test::proxy_server::basic_authorization(wrong) + "\r\n"));
    const std::string reply = client.read_to_end();
    BOOST_TEST(reply.starts_with("HTTP/1.0 401 Unauthorized\r\n"));
    BOOST_TEST(reply.find("\r\nWWW-Authenticate: Basic realm=\"Tinyproxy\"\r\n") !=
               std::string::npos);
    BOOST_TEST(reply.find("Proxy-Authenticate") == std::string::npos);
    BOOST_TEST(proxy.established_count() == 0u);
}

BOOST_AUTO_TEST_CASE(with_basic_auth_the_right_credentials_open_a_tunnel_and_stay_out_of_the_log) {
    permit_test::proxy_server proxy(proxy_fixture_with_auth());
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    const std::string authorization =
        permit_test::proxy_server::basic_authorization(proxy_fixture_alice);
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(target.authority(),
                                      "Proxy-Authorization: " + authorization + "\r\n"));
    BOOST_TEST(client.read_head().starts_with("HTTP/1.0 200 Connection established\r\n"));
    proxy_fixture_peer server(ioc);
    server.accept(target.listener);
    proxy_fixture_exchange(client, server);
    // The CONNECT's headers stay with the proxy: the target sees the client's bytes only.
    BOOST_TEST(server.pending.empty());
    BOOST_TEST(proxy.connect_count() == 1u);
    BOOST_TEST(proxy.log().find(authorization.substr(6)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_connect_to_a_port_nothing_listens_on_gets_500_and_a_close) {
    permit_test::proxy_server proxy;
    proxy_asio::io_context ioc;
    const std::string authority = "127.0.0.1:" + std::to_string(proxy_fixture_closed_port(ioc));
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(authority));
    const std::string reply = client.read_to_end();
    BOOST_TEST(reply.starts_with("HTTP/1.1 500 Unable to connect\r\n"));
    BOOST_TEST(reply.find("\r\nConnection: close\r\n") != std::string::npos);
    BOOST_TEST(proxy.connect_count() == 1u);
    BOOST_TEST(proxy.established_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_connect_to_a_port_left_out_of_connect_ports_gets_403) {
    permit_test::proxy_server_options options;
    options.connect_ports = {443};
    permit_test::proxy_server proxy(options);
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send(proxy_fixture_connect(target.authority()));
    BOOST_TEST(client.read_to_end().starts_with("HTTP/1.1 403 Access violation\r\n"));
}

// A plain request in absolute form goes to the server in origin form, with Connection: close and
// Via, and without the proxy's credentials; the proxy then closes the client's connection even
// though the response said keep-alive (it removes that header).
BOOST_AUTO_TEST_CASE(a_plain_request_in_absolute_form_is_forwarded_once_then_closed) {
    permit_test::proxy_server proxy(proxy_fixture_with_auth());
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    const std::string absolute = "http://" + target.authority() + "/v2/facts?page=1";
    proxy_fixture_peer client(ioc);
    client.connect(proxy.port());
    client.send("GET " + absolute + " HTTP/1.1\r\nHost: " + target.authority() +
                "\r\nAuthorization: Bearer permit_key_x\r\nProxy-Authorization: " +
                permit_test::proxy_server::basic_authorization(proxy_fixture_alice) +
                "\r\nConnection: keep-alive\r\n\r\n");
    proxy_fixture_peer server(ioc);
    server.accept(target.listener);
    const std::string request = server.read_head();
    BOOST_TEST(request.starts_with("GET /v2/facts?page=1 HTTP/1.1\r\n"));
    BOOST_TEST(request.find("\r\nHost: " + target.authority() + "\r\n") != std::string::npos);
    BOOST_TEST(request.find("\r\nConnection: close\r\n") != std::string::npos);
    BOOST_TEST(request.find("\r\nVia: 1.1 ") != std::string::npos);
    BOOST_TEST(request.find("\r\nAuthorization: Bearer permit_key_x\r\n") != std::string::npos);
    BOOST_TEST(request.find("Proxy-Authorization") == std::string::npos);
    BOOST_TEST(request.find("X-Forwarded-For") == std::string::npos);

    server.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
    const std::string response = client.read_to_end();
    BOOST_TEST(response.starts_with("HTTP/1.1 200 OK\r\n"));
    BOOST_TEST(response.ends_with("\r\n\r\nok"));
    BOOST_TEST(response.find("Connection:") == std::string::npos);
    BOOST_TEST(proxy.request_lines().back() == "GET " + absolute + " HTTP/1.1");
    BOOST_TEST(proxy.connect_count() == 0u);
}

// A proxy that goes away closes its tunnels and refuses connections; started again, it serves on
// the same port, and its log still holds what came before.
BOOST_AUTO_TEST_CASE(stop_closes_the_tunnels_and_start_serves_again_on_the_same_port) {
    permit_test::proxy_server proxy;
    const auto port = proxy.port();
    proxy_asio::io_context ioc;
    proxy_fixture_target target(ioc);
    proxy_fixture_peer client(ioc);
    client.connect(port);
    client.send(proxy_fixture_connect(target.authority()));
    client.read_head();
    proxy_fixture_peer server(ioc);
    server.accept(target.listener);
    proxy_fixture_exchange(client, server);

    proxy.stop();
    BOOST_TEST(!proxy.running());
    BOOST_TEST(client.read_to_end().empty());
    BOOST_TEST(server.read_to_end().empty());
    proxy_fixture_peer refused(ioc);
    BOOST_CHECK_THROW(refused.connect(port), std::runtime_error);

    proxy.start();
    BOOST_TEST(proxy.running());
    BOOST_TEST(proxy.port() == port);
    proxy_fixture_peer again(ioc);
    again.connect(port);
    again.send(proxy_fixture_connect(target.authority()));
    BOOST_TEST(again.read_head().starts_with("HTTP/1.0 200 Connection established\r\n"));
    proxy_fixture_peer server_again(ioc);
    server_again.accept(target.listener);
    proxy_fixture_exchange(again, server_again);
    BOOST_TEST(proxy.connect_count() == 2u);
}

// start() fails, saying why, rather than taking another program listening on its port for the
// proxy.
BOOST_AUTO_TEST_CASE(start_fails_clearly_when_another_program_took_its_port) {
    permit_test::proxy_server proxy;
    proxy.stop();
    proxy_asio::io_context ioc;
    proxy_tcp::acceptor other(ioc, {proxy_asio::ip::make_address("127.0.0.1"), proxy.port()});
    try {
        proxy.start();
        BOOST_FAIL("started on a port another program listens on");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("Could not create listening sockets") !=
                   std::string::npos);
    }
    BOOST_TEST(!proxy.running());
}

BOOST_AUTO_TEST_SUITE_END()
