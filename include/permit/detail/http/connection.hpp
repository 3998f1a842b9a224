// One keep-alive HTTP/1.1 connection, plain TCP or TLS, with its own timeouts.
#pragma once

#include <permit/detail/http/origin.hpp>
#include <permit/detail/http/response.hpp>
#include <permit/error.hpp>
#include <permit/tls_options.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

/// \namespace permit::detail::http
/// The HTTP layer under `permit::client`: parsed origins, keep-alive HTTP/1.1 connections with
/// their timeouts and limits, the pool of connections of one origin, and the pool of pipelined
/// connections.
namespace permit::detail::http {

/// A request as the client sends it: a Beast request with a string body.
using request = boost::beast::http::request<boost::beast::http::string_body>;

/// What the client keeps of the complete response in `parser`; the body is moved out of it.
template <class Parser>
response take_response(Parser& parser) {
    namespace bhttp = boost::beast::http;
    auto& msg = parser.get();
    response out;
    out.status = msg.result_int();
    out.keep_alive = parser.keep_alive();
    if (auto it = msg.find(bhttp::field::content_type); it != msg.end())
        out.content_type = it->value();
    if (auto it = msg.find("x-request-id"); it != msg.end()) out.request_id = it->value();
    if (auto it = msg.find(bhttp::field::retry_after); it != msg.end())
        out.retry_after = it->value();
    out.body = std::move(msg.body());
    return out;
}

/// The request line and header block of `req`, as they go on the wire; the body follows them.
/// Written here rather than by Beast's serializer: a client's requests always carry a
/// Content-Length (`prepare_payload`), never a chunked body, so the head and the body written in
/// one `async_write` say all there is to say, and the serializer's machinery (instantiated once per
/// stream type) was the largest part of the code a client compiles.
inline std::string request_head(const request& req) {
    std::string head;
    head.reserve(256 + req.target().size());
    head.append(req.method_string()).append(" ").append(req.target()).append(" HTTP/1.1\r\n");
    for (const auto& field : req)
        head.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    head.append("\r\n");
    return head;
}

/// Limits and timeouts a connection applies.
struct connection_settings {
    /// Bounds name resolution plus the TCP connect (`config::connect_timeout`).
    std::chrono::milliseconds connect_timeout;
    /// Bounds the TLS handshake (`config::handshake_timeout`).
    std::chrono::milliseconds handshake_timeout;
    /// Bounds writing a request and reading its whole response (`config::request_timeout`).
    std::chrono::milliseconds request_timeout;
    /// The largest response body accepted (`config::max_response_body`).
    std::size_t max_response_body;
    /// The largest response header block accepted (`config::max_response_header`).
    std::size_t max_response_header;
};

/// One connection. Not thread-safe: the pool gives it to one caller at a time.
class connection {
  public:
    /// The type of the executor the connection runs on.
    using executor_type = boost::asio::any_io_executor;

    /// `tls_context` must outlive the connection; it is used only when `where.tls`.
    connection(executor_type ex, const origin& where, boost::asio::ssl::context* tls_context)
        : resolver_(ex), where_(where) {
        if (where.tls)
            tls_.emplace(ex, *tls_context);
        else
            plain_.emplace(ex);
    }

    /// Resolves, connects and, for TLS, handshakes (SNI and host name verification included).
    /// Fails with `error::connect_timeout`, `error::handshake_timeout`, a network error or a TLS
    /// error; `note` then says which step failed, for the diagnostics.
    boost::asio::awaitable<boost::system::error_code> connect(const connection_settings& s,
                                                              std::string& note) {
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        const auto deadline = std::chrono::steady_clock::now() + s.connect_timeout;
        // The resolver has no timeout of its own: a timer cancels it at the deadline. The flags
        // are shared with the timer's handler, which may run after the resolve has ended.
        auto race = std::make_shared<resolve_race>();
        boost::asio::steady_timer resolve_timer(resolver_.get_executor(), deadline);
        resolve_timer.async_wait([race, resolver = &resolver_](boost::system::error_code ec) {
            if (ec || race->finished) return;
            race->timed_out = true;
            resolver->cancel();
        });
        auto [rec, endpoints] =
            co_await resolver_.async_resolve(where_.host, where_.port, as_tuple(use_awaitable));
        race->finished = true;
        resolve_timer.cancel();
        if (rec) {
            if (race->timed_out) {
                note = "resolving " + where_.host + " timed out";
                co_return make_error_code(error::connect_timeout);
            }
            note = "could not resolve " + where_.host + ": " + rec.message();
            co_return rec;
        }
        auto& tcp = lowest_layer();
        tcp.expires_at(deadline);
        auto [cec, endpoint] = co_await tcp.async_connect(endpoints, as_tuple(use_awaitable));
        if (cec) {
            note = "could not connect to " + where_.key() + ": " + cec.message();
            co_return cec == boost::beast::error::timeout ? make_error_code(error::connect_timeout)
                                                          : cec;
        }
        tcp.socket().set_option(boost::asio::ip::tcp::no_delay(true));
        if (!tls_) {
            tcp.expires_never();
            co_return boost::system::error_code{};
        }
        if (auto ec = prepare_tls(); ec) {
            note = "could not set up TLS for " + where_.host;
            co_return ec;
        }
        tcp.expires_after(s.handshake_timeout);
        auto [hec] = co_await tls_->async_handshake(boost::asio::ssl::stream_base::client,
                                                    as_tuple(use_awaitable));
        tcp.expires_never();
        if (hec) {
            if (hec == boost::beast::error::timeout) {
                note = "TLS handshake with " + where_.key() + " timed out";
                co_return make_error_code(error::handshake_timeout);
            }
            note = "TLS handshake with " + where_.key() + " failed: " + hec.message() +
                   verify_result_note();
            co_return hec;
        }
        co_return boost::system::error_code{};
    }

    /// Writes `req` and reads the whole response into `out`, both within one `request_timeout`
    /// (a server that dribbles its response cannot stretch the exchange). Fails with
    /// `error::request_timeout`, `error::response_too_large`, a network error or an HTTP parse
    /// error; `failure_note()` then says what happened. After a failure the connection must not
    /// be reused. Not thread-safe (see the class).
    boost::asio::awaitable<boost::system::error_code> exchange(request& req, response& out,
                                                               const connection_settings& s) {
        const auto deadline = std::chrono::steady_clock::now() + s.request_timeout;
        if (auto ec = co_await write_until(req, deadline); ec) {
            response_started_ = false;
            co_return ec;
        }
        co_return co_await read_until(out, s, deadline);
    }

    /// Writes `req`, within `request_timeout`. With HTTP/1.1 pipelining, one `write` may run while
    /// one `read` (of an earlier response) does; never two writes at once.
    boost::asio::awaitable<boost::system::error_code> write(request& req,
                                                            const connection_settings& s) {
        return write_until(req, std::chrono::steady_clock::now() + s.request_timeout);
    }

    /// Reads the next response into `out`, within `request_timeout`; responses come in the order
    /// of the requests. Never two reads at once. Fails as `exchange` does; `failure_note()` then
    /// says what happened.
    boost::asio::awaitable<boost::system::error_code> read(response& out,
                                                           const connection_settings& s) {
        return read_until(out, s, std::chrono::steady_clock::now() + s.request_timeout);
    }

    /// What the last failed `read` or `exchange` found, in words for the diagnostics (which limit
    /// a response broke, whether a timed-out response had begun); empty when it has nothing to
    /// add to the error code.
    const std::string& failure_note() const noexcept { return failure_note_; }

    /// Whether input the client did not ask for is waiting on this connection, now that no
    /// request is outstanding on it: bytes left in the read buffer after the last response, bytes
    /// on the socket, or the end of the stream (the server closed it). Such a connection must not
    /// carry another request: the bytes would be read as its response, or the request would be
    /// lost. Call it only while no read or write is in progress; it never blocks (for TLS, it
    /// lets OpenSSL process what has arrived, so that a session ticket alone does not count).
    /// Not thread-safe (see the class).
    bool has_unsolicited_input() {
        if (buffer_.size() > 0) return true;
        auto& socket = lowest_layer().socket();
        if (!socket.is_open()) return true;
        boost::system::error_code ec;
        const bool was_non_blocking = socket.non_blocking();
        socket.non_blocking(true, ec);
        if (ec) return true;
        char byte = 0;
        if (tls_)
            tls_->read_some(boost::asio::buffer(&byte, 1), ec);
        else
            socket.receive(boost::asio::buffer(&byte, 1), boost::asio::socket_base::message_peek,
                           ec);
        boost::system::error_code ignored;
        socket.non_blocking(was_non_blocking, ignored);
        // Would block: nothing is there. Anything else is a byte, the end of the stream, or an
        // error: none leaves the connection fit for another request.
        return ec != boost::asio::error::would_block;
    }

    /// Closes the socket; pending operations complete with `operation_aborted`.
    void close() noexcept {
        boost::system::error_code ignored;
        resolver_.cancel();
        auto& socket = lowest_layer().socket();
        if (socket.is_open()) {
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        }
    }

    /// How many exchanges were started on this connection.
    std::size_t exchanges() const noexcept { return exchanges_; }

    /// Whether any byte of a response arrived during the last exchange. A request that failed on
    /// a reused connection before that was most likely never seen by the server (it had closed
    /// the idle connection), so it may be sent again.
    bool response_started() const noexcept { return response_started_; }

  private:
    using time_point = std::chrono::steady_clock::time_point;

    // Room in the read buffer beyond the header limit: what one read may bring past a header.
    static constexpr std::size_t read_slack = 64 * 1024;

    static std::size_t read_buffer_limit(const connection_settings& s) noexcept {
        return std::min(s.max_response_header, SIZE_MAX - read_slack) + read_slack;
    }

    boost::asio::awaitable<boost::system::error_code> write_until(request& req,
                                                                  time_point deadline) {
        ++exchanges_;
        std::string head = request_head(req);
        if (tls_) {
            // Asio's TLS stream encrypts one buffer per write: head and body go as one, so that a
            // small request is one record and one segment.
            head.append(req.body());
            co_return co_await write_on(*tls_, boost::asio::buffer(head), deadline);
        }
        const std::array<boost::asio::const_buffer, 2> wire{boost::asio::buffer(head),
                                                            boost::asio::buffer(req.body())};
        co_return co_await write_on(*plain_, wire, deadline);
    }

    boost::asio::awaitable<boost::system::error_code> read_until(response& out,
                                                                 const connection_settings& s,
                                                                 time_point deadline) {
        response_started_ = false;
        failure_note_.clear();
        if (tls_) co_return co_await read_on(*tls_, out, s, deadline);
        co_return co_await read_on(*plain_, out, s, deadline);
    }

    // Declared here rather than inside connect(): g++ 12 crashes (ICE in write_encoding) on a
    // local class of a coroutine given to make_shared.
    struct resolve_race {
        bool finished = false;
        bool timed_out = false;
    };

    boost::beast::tcp_stream& lowest_layer() noexcept {
        return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
    }

    boost::system::error_code prepare_tls() {
        SSL* ssl = tls_->native_handle();
        if (!where_.host_is_ip) {
            // SNI: one IP may serve many names. (RFC 6066 forbids SNI for IP literals.)
            if (SSL_set_tlsext_host_name(ssl, where_.host.c_str()) != 1) return last_ssl_error();
            if (SSL_set1_host(ssl, where_.host.c_str()) != 1) return last_ssl_error();
        } else if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), where_.host.c_str()) != 1) {
            return last_ssl_error();
        }
        return {};
    }

    std::string verify_result_note() {
        const long result = SSL_get_verify_result(tls_->native_handle());
        if (result == X509_V_OK) return {};
        return std::string(" (certificate: ") + X509_verify_cert_error_string(result) + ")";
    }

    static boost::system::error_code last_ssl_error() {
        return {static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category()};
    }

    // Beast's stream keeps separate read and write timers: setting the expiry while the other
    // direction is pending leaves that one's timer alone, which is what pipelining needs.
    template <class Stream, class Buffers>
    boost::asio::awaitable<boost::system::error_code> write_on(Stream& stream, const Buffers& wire,
                                                               time_point deadline) {
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        lowest_layer().expires_at(deadline);
        // All that is left at each step, where Asio's `transfer_all` offers the stream 64 KiB at
        // a time: a bulk request is hundreds of kilobytes, which the kernel takes in one call
        // when its buffer has room.
        const std::size_t total = boost::asio::buffer_size(wire);
        auto everything_left = [total](const boost::system::error_code& ec,
                                       std::size_t written_so_far) -> std::size_t {
            return ec ? 0 : total - written_so_far;
        };
        auto [wec, written] = co_await boost::asio::async_write(stream, wire, everything_left,
                                                                as_tuple(use_awaitable));
        co_return translate(wec);
    }

    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> read_on(Stream& stream, response& out,
                                                              const connection_settings& s,
                                                              time_point deadline) {
        namespace bhttp = boost::beast::http;
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        auto& tcp = lowest_layer();
        tcp.expires_at(deadline);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.header_limit(
            static_cast<std::uint32_t>(std::min<std::size_t>(s.max_response_header, UINT32_MAX)));
        parser.body_limit(s.max_response_body);
        // The body goes to the string, bounded by body_limit; what stays in the buffer is a header
        // (bounded by header_limit) or a line of chunked framing, which nothing else bounds: a
        // chunk extension or a trailer that never ends would grow the buffer until the timeout.
        buffer_.max_size(read_buffer_limit(s));
        auto [rec, read] =
            co_await bhttp::async_read(stream, buffer_, parser, as_tuple(use_awaitable));
        response_started_ = parser.got_some() || buffer_.size() > 0 || read > 0;
        if (rec) {
            failure_note_ = describe_failure(rec, parser, s);
            co_return translate(rec);
        }
        out = take_response(parser);
        co_return boost::system::error_code{};
    }

    template <class Parser>
    std::string describe_failure(boost::system::error_code ec, const Parser& parser,
                                 const connection_settings& s) const {
        namespace bhttp = boost::beast::http;
        if (ec == boost::beast::error::timeout)
            return "no complete response within the request timeout (" +
                   std::to_string(s.request_timeout.count()) + " ms): " +
                   (response_started_ ? "the response had begun but was still arriving"
                                      : "no byte of a response had arrived");
        if (ec == bhttp::error::header_limit)
            return "the response header is larger than max_response_header (" +
                   std::to_string(s.max_response_header) + " bytes)";
        if (ec == bhttp::error::body_limit) {
            boost::optional<std::uint64_t> declared;
            if (parser.is_header_done()) declared = parser.content_length();
            if (declared && *declared > s.max_response_body)
                return "the response declares a body of " + std::to_string(*declared) +
                       " bytes (Content-Length), more than max_response_body (" +
                       std::to_string(s.max_response_body) + " bytes); it was not read";
            return "the response body is larger than max_response_body (" +
                   std::to_string(s.max_response_body) + " bytes)";
        }
        if (ec == bhttp::error::buffer_overflow)
            return "a line of the response's chunked framing (a chunk header or the trailer) is "
                   "longer than " +
                   std::to_string(read_buffer_limit(s)) + " bytes (max_response_header + " +
                   std::to_string(read_slack) + ")";
        return {};
    }

    static boost::system::error_code translate(boost::system::error_code ec) {
        namespace bhttp = boost::beast::http;
        if (ec == boost::beast::error::timeout) return error::request_timeout;
        if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
            ec == bhttp::error::buffer_overflow)
            return error::response_too_large;
        return ec;
    }

    boost::asio::ip::tcp::resolver resolver_;
    origin where_;
    std::optional<boost::beast::tcp_stream> plain_;
    // Asio's TLS stream, not Beast's `ssl_stream`: the requests are written as at most two buffers,
    // so Beast's buffer-flattening layer (`flat_stream`) would only add code to every user's build.
    std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> tls_;
    boost::beast::flat_buffer buffer_;
    std::size_t exchanges_ = 0;
    bool response_started_ = false;
    std::string failure_note_;
};

/// The TLS client context for `options`: TLS 1.2 at least, peer verification unless disabled.
/// Throws `boost::system::system_error` when a CA file or PEM cannot be loaded.
inline boost::asio::ssl::context make_tls_context(const tls_options& options) {
    namespace ssl = boost::asio::ssl;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (options.insecure_disable_verification) {
        ctx.set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx.set_verify_mode(ssl::verify_peer);
    if (options.use_system_store) ctx.set_default_verify_paths();
    if (!options.ca_file.empty()) ctx.load_verify_file(options.ca_file);
    if (!options.ca_pem.empty()) ctx.add_certificate_authority(boost::asio::buffer(options.ca_pem));
    return ctx;
}

}  // namespace permit::detail::http
