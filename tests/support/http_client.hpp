// A small blocking HTTP/1.1 client for the tests: raw Beast requests on one keep-alive
// connection (plain or TLS), so that the emulator is tested before and apart from the library's
// own client. Blocking reads have no timeout (Asio polls through SO_RCVTIMEO), so the fixtures
// stop the emulator from a watchdog if a test runs too long.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace permit_test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

/// A response as the tests look at it.
struct response {
    unsigned status = 0;
    http::fields headers;
    std::string body;

    json::value json() const { return json::parse(body); }
    std::string header(http::field f) const { return std::string(headers[f]); }
    bool keep_alive = true;
};

/// One connection to 127.0.0.1:port, reused for every request until the server closes it.
class http_connection {
  public:
    http_connection(std::uint16_t port, asio::ssl::context* tls = nullptr,
                    std::string sni_host = "localhost")
        : port_(port), tls_(tls), sni_host_(std::move(sni_host)) {
        connect();
    }

    /// Sends one request and reads its response.
    response request(http::verb verb, const std::string& target,
                     const std::optional<std::string>& body = std::nullopt,
                     const std::optional<std::string>& authorization = std::nullopt) {
        send(make_request(verb, target, body, authorization));
        return receive();
    }

    /// Builds a request the way the SDKs send them.
    http::request<http::string_body> make_request(
        http::verb verb, const std::string& target, const std::optional<std::string>& body,
        const std::optional<std::string>& authorization) const {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
        req.set(http::field::content_type, "application/json");
        if (authorization) req.set(http::field::authorization, *authorization);
        if (body) req.body() = *body;
        req.prepare_payload();
        return req;
    }

    /// Writes one request without waiting for its response (for pipelining).
    template <class Body>
    void send(const http::request<Body>& req) {
        if (tls_)
            http::write(*tls_stream_, req);
        else
            http::write(*socket_, req);
    }

    /// Writes raw bytes, for malformed or partial requests.
    void send_raw(std::string_view bytes) {
        if (tls_)
            asio::write(*tls_stream_, asio::buffer(bytes));
        else
            asio::write(*socket_, asio::buffer(bytes));
    }

    /// Reads the next response.
    response receive() {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        if (tls_)
            http::read(*tls_stream_, buffer_, parser);
        else
            http::read(*socket_, buffer_, parser);
        auto& msg = parser.get();
        response r;
        r.status = msg.result_int();
        r.headers = msg.base();
        r.body = std::move(msg.body());
        r.keep_alive = msg.keep_alive();
        return r;
    }

    /// Reads until the server closes; returns the error that ended the read.
    boost::system::error_code read_until_closed() {
        boost::system::error_code ec;
        char scratch[4096];
        for (;;) {
            if (tls_)
                tls_stream_->read_some(asio::buffer(scratch), ec);
            else
                socket_->read_some(asio::buffer(scratch), ec);
            if (ec) return ec;
        }
    }

    /// The local port of this connection, which tells two connections apart.
    std::uint16_t local_port() const { return lowest_layer().local_endpoint().port(); }

    void close() {
        boost::system::error_code ec;
        lowest_layer().close(ec);
    }

  private:
    tcp::socket& lowest_layer() const { return tls_ ? tls_stream_->next_layer() : *socket_; }

    void connect() {
        tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port_};
        if (tls_) {
            tls_stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(ioc_, *tls_);
            tls_stream_->next_layer().connect(ep);
            SSL_set_tlsext_host_name(tls_stream_->native_handle(), sni_host_.c_str());
            tls_stream_->handshake(asio::ssl::stream_base::client);
        } else {
            socket_ = std::make_unique<tcp::socket>(ioc_);
            socket_->connect(ep);
        }
    }

    asio::io_context ioc_;
    std::uint16_t port_;
    asio::ssl::context* tls_;
    std::string sni_host_;
    std::unique_ptr<tcp::socket> socket_;
    std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_stream_;
    boost::beast::flat_buffer buffer_;
};

/// Requests with the emulator's API key, and paths relative to the facts and schema bases.
class api_client {
  public:
    api_client(std::uint16_t port, std::string api_key, std::string project,
               std::string environment, asio::ssl::context* tls = nullptr)
        : conn_(port, tls)
        , auth_("Bearer " + std::move(api_key))
        , facts_("/v2/facts/" + project + "/" + environment)
        , schema_("/v2/schema/" + project + "/" + environment) {}

    /// `/v2/facts/{proj}/{env}` + rest
    std::string facts(std::string_view rest) const { return facts_ + std::string(rest); }
    /// `/v2/schema/{proj}/{env}` + rest
    std::string schema(std::string_view rest) const { return schema_ + std::string(rest); }

    response get(const std::string& target) {
        return conn_.request(http::verb::get, target, {}, auth_);
    }
    response del(const std::string& target, const std::optional<json::value>& body = {}) {
        return conn_.request(http::verb::delete_, target, dump(body), auth_);
    }
    response post(const std::string& target, const json::value& body) {
        return conn_.request(http::verb::post, target, json::serialize(body), auth_);
    }
    response put(const std::string& target, const json::value& body) {
        return conn_.request(http::verb::put, target, json::serialize(body), auth_);
    }
    response patch(const std::string& target, const json::value& body) {
        return conn_.request(http::verb::patch, target, json::serialize(body), auth_);
    }
    /// A request with a body that is sent as it is (for malformed JSON).
    response send_text(http::verb verb, const std::string& target, std::string body) {
        return conn_.request(verb, target, std::move(body), auth_);
    }

    http_connection& connection() { return conn_; }
    const std::string& authorization() const { return auth_; }

  private:
    static std::optional<std::string> dump(const std::optional<json::value>& v) {
        if (!v) return std::nullopt;
        return json::serialize(*v);
    }

    http_connection conn_;
    std::string auth_;
    std::string facts_;
    std::string schema_;
};

}  // namespace permit_test
