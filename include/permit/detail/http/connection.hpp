// One keep-alive HTTP/1.1 connection, plain TCP or TLS, with its own timeouts.
#pragma once

#include <permit/detail/http/connect_race.hpp>
#include <permit/detail/http/deadlines.hpp>
#include <permit/detail/http/origin.hpp>
#include <permit/detail/http/response.hpp>
#include <permit/detail/http/response_parser.hpp>
#include <permit/detail/http/tls_sessions.hpp>
#include <permit/detail/http/transport_counters.hpp>
#include <permit/error.hpp>
#include <permit/tls_options.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

/// \namespace permit::detail::http
/// The HTTP layer under `permit::client`: parsed origins, keep-alive HTTP/1.1 connections with
/// their timeouts and limits, the pool of connections of one origin, and the pool of pipelined
/// connections.
namespace permit::detail::http {

/// A request as the client writes it, in pieces that refer to storage outliving every exchange of
/// the request: a connection writes them with one system call (gathered, over plain TCP), with no
/// copy and no allocation. Written here rather than by Beast's serializer: a client's requests
/// always carry a Content-Length or no body, never a chunked one, so the head and the body say
/// all there is to say.
struct request {
    /// The method, as sent (`"POST"`).
    std::string_view method;
    /// The request target (path and query).
    std::string_view target;
    /// Header fields every request to the origin carries, each line ending in CRLF.
    std::string_view common_headers;
    /// More header fields for this request, each line ending in CRLF (usually none).
    std::string extra_headers;
    /// The body.
    std::string_view body;

    /// Makes the `Content-Type: application/json` line when `json`, and a `Content-Length` line
    /// (the body's size) when `with_length`; call once `body` is set.
    void set_body_headers(bool json, bool with_length) {
        char* out = body_headers_.data();
        char* const end = out + body_headers_.size();
        auto put = [&](std::string_view text) { out = std::copy(text.begin(), text.end(), out); };
        if (json) put("Content-Type: application/json\r\n");
        if (with_length) {
            put("Content-Length: ");
            out = std::to_chars(out, end, body.size()).ptr;
            put("\r\n");
        }
        body_headers_size_ = static_cast<std::size_t>(out - body_headers_.data());
    }

    /// The pieces as they go on the wire. `target_prefix` goes before the target: the scheme and
    /// authority of the absolute form a request to an HTTP proxy takes (RFC 9112, 3.2.2).
    using buffers_type = std::array<boost::asio::const_buffer, 10>;
    buffers_type buffers(std::string_view target_prefix = {}) const noexcept {
        using boost::asio::buffer;
        return {buffer(method.data(), method.size()),
                buffer(" ", 1),
                buffer(target_prefix.data(), target_prefix.size()),
                buffer(target.data(), target.size()),
                buffer(" HTTP/1.1\r\n", 11),
                buffer(common_headers.data(), common_headers.size()),
                buffer(extra_headers.data(), extra_headers.size()),
                buffer(body_headers_.data(), body_headers_size_),
                buffer("\r\n", 2),
                buffer(body.data(), body.size())};
    }

    /// The whole request, as one string, into `out` (which keeps its capacity).
    void render(std::string& out, std::string_view target_prefix = {}) const {
        out.clear();
        for (const auto& b : buffers(target_prefix))
            out.append(static_cast<const char*>(b.data()), b.size());
    }

  private:
    // The body's header lines (`set_body_headers`), held here: a copy of the request has its own.
    std::array<char, 80> body_headers_{};
    std::size_t body_headers_size_ = 0;
};

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
    /// Where the connections count what they did (`client::stats()`); null: nowhere.
    transport_counters* counters = nullptr;
    /// The TLS sessions new connections resume (`tls_options::resume_sessions`); null: every
    /// handshake runs in full.
    tls_session_store* tls_sessions = nullptr;
};

/// One connection. Not thread-safe: the pool gives it to one caller at a time.
class connection {
  public:
    /// The type of the executor the connection runs on.
    using executor_type = boost::asio::any_io_executor;

    /// `tls_context` must outlive the connection; it is used only when `where.tls`. The
    /// connection's timeouts are enforced through `deadlines` (its pool's).
    connection(executor_type ex, const origin& where, boost::asio::ssl::context* tls_context,
               deadline_watch deadlines)
        : resolver_(ex)
        , where_(where)
        , target_prefix_(where.proxy_target_prefix())
        , deadlines_(std::move(deadlines)) {
        if (where.tls)
            tls_.emplace(ex, *tls_context);
        else
            plain_.emplace(ex);
        read_deadline_.expire = &on_deadline<&connection::read_timed_out_>;
        read_deadline_.context = this;
        write_deadline_.expire = &on_deadline<&connection::write_timed_out_>;
        write_deadline_.context = this;
    }

    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    ~connection() {
        deadlines_.stop(read_deadline_);
        deadlines_.stop(write_deadline_);
    }

    /// Resolves, connects and, for TLS, handshakes (SNI and host name verification included).
    /// Through a proxy (`origin::proxy`), connects to the proxy instead and, for TLS, opens a
    /// `CONNECT` tunnel to the origin first: the TLS session then runs end to end, and the proxy
    /// sees neither the requests nor the API key. Every address the resolver returns is tried,
    /// the two families interleaved, the next one after a short head start (`connect_race`).
    /// Resolving, connecting and the tunnel share `connect_timeout`; the handshake has
    /// `handshake_timeout`. Fails with `error::connect_timeout`, `error::handshake_timeout`, a
    /// proxy's error (`error::proxy_unreachable`, `proxy_auth_required`, `proxy_refused`,
    /// `proxy_tunnel_failed`, with `proxy_status()`), a network error or a TLS error; `note` then
    /// says which step failed, for the diagnostics.
    boost::asio::awaitable<boost::system::error_code> connect(const connection_settings& s,
                                                              std::string& note) {
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        proxy_status_ = 0;
        const auto deadline = std::chrono::steady_clock::now() + s.connect_timeout;
        const proxy_endpoint* const proxy = where_.proxy ? &*where_.proxy : nullptr;
        // Through a proxy, the client resolves and connects to the proxy only: the proxy
        // resolves the origin's name (curl does the same with an HTTP proxy).
        const std::string& dial_host = proxy ? proxy->host : where_.host;
        const std::string& dial_port = proxy ? proxy->port : where_.port;
        const std::string dial_name = proxy ? "the proxy " + proxy->key() : where_.key();

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
            co_await resolver_.async_resolve(dial_host, dial_port, as_tuple(use_awaitable));
        race->finished = true;
        resolve_timer.cancel();
        // A resolve that had ended when `close()` ran still completes with its answer, and the
        // connect would open a socket again: a closed connection stops here.
        if (closed_) co_return closed_while_connecting(note);
        if (rec) {
            if (race->timed_out) {
                note = "resolving " + dial_host + (proxy ? " (the proxy)" : "") + " timed out";
                co_return make_error_code(error::connect_timeout);
            }
            note = "could not resolve " + dial_host + (proxy ? " (the proxy)" : "") + ": " +
                   rec.message();
            if (proxy) co_return make_error_code(error::proxy_unreachable);
            co_return rec;
        }

        auto& tcp = lowest_layer();
        read_timed_out_ = false;
        deadlines_.start(read_deadline_, deadline);
        attempts_.emplace();
        auto [cec, endpoint] = co_await attempts_->run(tcp, interleave_families(endpoints));
        const bool fell_back = attempts_->fell_back();
        attempts_.reset();
        deadlines_.stop(read_deadline_);
        if (closed_) co_return closed_while_connecting(note);
        if (cec || read_timed_out_) {
            if (read_timed_out_) {
                note = "could not connect to " + dial_name + ": the connection timed out";
                co_return make_error_code(error::connect_timeout);
            }
            note = "could not connect to " + dial_name + ": " + cec.message();
            if (proxy) co_return make_error_code(error::proxy_unreachable);
            co_return cec;
        }
        if (fell_back) count(&transport_counters::address_fallbacks, s);
        tcp.set_option(boost::asio::ip::tcp::no_delay(true));

        if (proxy && where_.tls) {
            deadlines_.start(read_deadline_, deadline);
            const auto tec = co_await open_tunnel(*proxy, s, note);
            deadlines_.stop(read_deadline_);
            if (closed_) co_return closed_while_connecting(note);
            if (tec) co_return tec;
            count(&transport_counters::proxy_tunnels, s);
        }
        if (!tls_) {
            // A request is first written without waiting (`write_now`): it must not block.
            boost::system::error_code ignored;
            tcp.non_blocking(true, ignored);
            count(&transport_counters::connections, s);
            co_return boost::system::error_code{};
        }
        if (auto ec = prepare_tls(s); ec) {
            note = "could not set up TLS for " + where_.host;
            co_return ec;
        }
        deadlines_.start(read_deadline_, std::chrono::steady_clock::now() + s.handshake_timeout);
        auto [hec] = co_await tls_->async_handshake(boost::asio::ssl::stream_base::client,
                                                    as_tuple(use_awaitable));
        deadlines_.stop(read_deadline_);
        if (closed_) co_return closed_while_connecting(note);
        if (hec || read_timed_out_) {
            if (read_timed_out_) {
                note = "TLS handshake with " + where_.key() + " timed out";
                co_return make_error_code(error::handshake_timeout);
            }
            note = "TLS handshake with " + where_.key() + " failed: " + hec.message() +
                   verify_result_note();
            co_return hec;
        }
        count(SSL_session_reused(tls_->native_handle()) == 1
                  ? &transport_counters::tls_resumed_handshakes
                  : &transport_counters::tls_full_handshakes,
              s);
        count(&transport_counters::connections, s);
        co_return boost::system::error_code{};
    }

    /// The status the proxy answered the last failed `connect`'s `CONNECT` with; 0 when no proxy
    /// answered.
    unsigned proxy_status() const noexcept { return proxy_status_; }

    /// Writes `req` and reads the whole response into `out`, both within one `request_timeout`
    /// (a server that dribbles its response cannot stretch the exchange). Fails with
    /// `error::request_timeout`, `error::response_too_large`, a network error or an HTTP parse
    /// error; `failure_note()` then says what happened. After a failure the connection must not
    /// be reused. Not thread-safe (see the class).
    boost::asio::awaitable<boost::system::error_code> exchange(const request& req, response& out,
                                                               const connection_settings& s) {
        if (tls_) return exchange_on(*tls_, &req, out, s);
        return exchange_on(*plain_, &req, out, s);
    }

    /// Writes `req`, within `request_timeout`. With HTTP/1.1 pipelining, one `write` may run while
    /// one `read` (of an earlier response) does; never two writes at once.
    boost::asio::awaitable<boost::system::error_code> write(const request& req,
                                                            const connection_settings& s) {
        if (tls_) return write_on(*tls_, req, s);
        return write_on(*plain_, req, s);
    }

    /// Reads the next response into `out`, within `request_timeout`; responses come in the order
    /// of the requests. Never two reads at once. Fails as `exchange` does; `failure_note()` then
    /// says what happened.
    boost::asio::awaitable<boost::system::error_code> read(response& out,
                                                           const connection_settings& s) {
        if (tls_) return exchange_on(*tls_, nullptr, out, s);
        return exchange_on(*plain_, nullptr, out, s);
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
    /// Over plain TCP it costs one system call (a peek). Not thread-safe (see the class).
    bool has_unsolicited_input() {
        if (has_leftover_input()) return true;
        auto& socket = lowest_layer();
        if (!socket.is_open()) return true;
        boost::system::error_code ec;
        char byte = 0;
        if (!tls_) {
            // The socket does not block (see `connect`).
            socket.receive(boost::asio::buffer(&byte, 1), boost::asio::socket_base::message_peek,
                           ec);
        } else {
            const bool was_non_blocking = socket.non_blocking();
            socket.non_blocking(true, ec);
            if (ec) return true;
            tls_->read_some(boost::asio::buffer(&byte, 1), ec);
            boost::system::error_code ignored;
            socket.non_blocking(was_non_blocking, ignored);
        }
        // Would block: nothing is there. Anything else is a byte, the end of the stream, or an
        // error: none leaves the connection fit for another request.
        return ec != boost::asio::error::would_block;
    }

    /// Whether bytes beyond the last response were read with it (no system call): a connection
    /// with such bytes must not carry another request. What is still on the socket is found by
    /// `has_unsolicited_input`, when the connection is taken for the next request.
    bool has_leftover_input() const noexcept { return buffer_.size() > 0; }

    /// Closes the socket; pending operations complete with `operation_aborted`, and so does a
    /// `connect` in progress, whichever step it is at.
    void close() noexcept {
        closed_ = true;
        resolver_.cancel();
        close_socket();
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

    // A deadline passed: the operation in progress in that direction is ended by closing the
    // socket (as Beast's stream does), and reports a timeout.
    template <bool connection::*TimedOut>
    static void on_deadline(void* self) {
        auto& c = *static_cast<connection*>(self);
        c.*TimedOut = true;
        c.close_socket();
    }

    // What `connect` answers when `close()` ran while it was under way.
    boost::system::error_code closed_while_connecting(std::string& note) {
        note = "the connection to " + where_.key() + " was closed while it was being opened";
        return boost::asio::error::operation_aborted;
    }

    void close_socket() noexcept {
        if (attempts_) attempts_->cancel();
        boost::system::error_code ignored;
        auto& socket = lowest_layer();
        if (socket.is_open()) {
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        }
    }

    // Unlinks a deadline however the operation ends.
    struct deadline_scope {
        deadline_scope(deadline_watch& w, deadline_watch::entry& e, time_point at)
            : watch(w), entry(e) {
            watch.start(entry, at);
        }
        deadline_scope(const deadline_scope&) = delete;
        deadline_scope& operator=(const deadline_scope&) = delete;
        ~deadline_scope() { watch.stop(entry); }
        deadline_watch& watch;
        deadline_watch::entry& entry;
    };

    // Writes what the socket takes at once (plain TCP: usually the whole request, gathered from
    // its pieces), without the round trip of an asynchronous write through the event loop.
    // Returns the bytes written; `ec` is set on a failure other than a full send buffer.
    std::size_t write_now(const request& req, boost::system::error_code& ec) {
        if (tls_) return 0;
        const std::size_t n = plain_->write_some(req.buffers(target_prefix_), ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) ec = {};
        return ec ? 0 : n;
    }

    // What `write_now` left of `req`, as one buffer (in `wire_`): all of it for TLS (Asio's TLS
    // stream encrypts one buffer per write: a small request is then one record and one
    // segment).
    boost::asio::const_buffer rest_of(const request& req, std::size_t written) {
        req.render(wire_, target_prefix_);
        return boost::asio::buffer(wire_) + written;
    }

    std::size_t size_of(const request& req) const noexcept {
        return boost::asio::buffer_size(req.buffers(target_prefix_));
    }

    // One exchange, or (without `req`) one read, under one deadline: a coroutine of its own per
    // stream type, with the write and the read inline, so that a request costs one coroutine
    // frame here.
    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> exchange_on(Stream& stream,
                                                                  const request* req, response& out,
                                                                  const connection_settings& s) {
        namespace bhttp = boost::beast::http;
        response_started_ = false;
        failure_note_.clear();
        read_timed_out_ = false;
        deadline_scope scope(deadlines_, read_deadline_,
                             std::chrono::steady_clock::now() + s.request_timeout);
        if (req) {
            ++exchanges_;
            boost::system::error_code wec;
            const std::size_t written = write_now(*req, wec);
            if (!wec && written < size_of(*req)) {
                auto [ec, n] = co_await async_write_all(stream, rest_of(*req, written));
                wec = ec;
            }
            if (wec || read_timed_out_) co_return translate(wec, read_timed_out_);
        }

        // The response, read as Beast's `http::async_read` reads one: parse what is buffered,
        // read more while the parser needs more, the end of the stream ending a body without a
        // length.
        response_parser parser(out);
        parser.eager(true);
        parser.header_limit(
            static_cast<std::uint32_t>(std::min<std::size_t>(s.max_response_header, UINT32_MAX)));
        parser.body_limit(s.max_response_body);
        // The body goes to the string, bounded by body_limit; what stays in the buffer is a header
        // (bounded by header_limit) or a line of chunked framing, which nothing else bounds: a
        // chunk extension or a trailer that never ends would grow the buffer until the timeout.
        buffer_.max_size(read_buffer_limit(s));
        boost::system::error_code ec;
        std::size_t read = 0;
        while (!parser.is_done()) {
            if (buffer_.size() > 0) {
                const auto used = parser.put(buffer_.data(), ec);
                buffer_.consume(used);
                if (ec == bhttp::error::need_more)
                    ec = {};
                else if (ec)
                    break;
                else if (parser.is_done())
                    break;
                else if (used > 0 && buffer_.size() > 0)
                    continue;
            }
            const auto size = boost::beast::read_size(buffer_, 65536);
            if (size == 0) {
                ec = bhttp::error::buffer_overflow;
                break;
            }
            std::optional<boost::beast::flat_buffer::mutable_buffers_type> room;
            try {
                room.emplace(buffer_.prepare(size));
            } catch (const std::length_error&) {
                ec = bhttp::error::buffer_overflow;
                break;
            }
            auto [rec, n] = co_await stream.async_read_some(
                *room, boost::asio::as_tuple(boost::asio::use_awaitable));
            buffer_.commit(n);
            read += n;
            if (rec == boost::asio::error::eof) {
                if (parser.got_some()) {
                    // A body read to the end of the stream ends here.
                    parser.put_eof(ec);
                    break;
                }
                ec = bhttp::error::end_of_stream;
                break;
            }
            if (rec) {
                ec = rec;
                break;
            }
        }
        response_started_ = parser.got_some() || buffer_.size() > 0 || read > 0;
        if (ec || read_timed_out_) {
            const bool timed_out = read_timed_out_;
            if (timed_out) ec = boost::beast::error::timeout;
            failure_note_ = describe_failure(ec, parser, s);
            co_return translate(ec, timed_out);
        }
        parser.finish();
        co_return boost::system::error_code{};
    }

    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> write_on(Stream& stream, const request& req,
                                                               const connection_settings& s) {
        ++exchanges_;
        boost::system::error_code wec;
        const std::size_t written = write_now(req, wec);
        if (wec) co_return wec;
        if (written == size_of(req)) co_return boost::system::error_code{};
        // Beside a read in progress: the write has a deadline of its own.
        write_timed_out_ = false;
        deadline_scope scope(deadlines_, write_deadline_,
                             std::chrono::steady_clock::now() + s.request_timeout);
        auto [ec, n] = co_await async_write_all(stream, rest_of(req, written));
        co_return translate(ec, write_timed_out_);
    }

    // Writes all of `wire`, offering the stream everything that is left at each step, where
    // Asio's `transfer_all` offers 64 KiB at a time: a bulk request is hundreds of kilobytes,
    // which the kernel takes in one call when its buffer has room.
    template <class Stream>
    static auto async_write_all(Stream& stream, boost::asio::const_buffer wire) {
        const std::size_t total = wire.size();
        auto everything_left = [total](const boost::system::error_code& ec,
                                       std::size_t written_so_far) -> std::size_t {
            return ec ? 0 : total - written_so_far;
        };
        return boost::asio::async_write(stream, wire, everything_left,
                                        boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    // Declared here rather than inside connect(): g++ 12 crashes (ICE in write_encoding) on a
    // local class of a coroutine given to make_shared.
    struct resolve_race {
        bool finished = false;
        bool timed_out = false;
    };

    boost::asio::ip::tcp::socket& lowest_layer() noexcept {
        return tls_ ? tls_->next_layer() : *plain_;
    }

    static void count(std::atomic<std::uint64_t> transport_counters::*counter,
                      const connection_settings& s) noexcept {
        if (s.counters) transport_counters::add(s.counters->*counter);
    }

    // Opens a tunnel to the origin through the proxy the socket is connected to: `CONNECT
    // host:port` (RFC 9110, section 9.3.6), with the proxy's credentials if it has any. A 2xx
    // answer makes the socket a byte stream to the origin; any other fails with the proxy's
    // status, kept in `proxy_status_`. Bounded by the connect deadline the caller started.
    boost::asio::awaitable<boost::system::error_code> open_tunnel(const proxy_endpoint& proxy,
                                                                  const connection_settings& s,
                                                                  std::string& note) {
        namespace bhttp = boost::beast::http;
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        auto& tcp = lowest_layer();
        const std::string authority = where_.authority();
        const std::string about = "the proxy " + proxy.key() + " (CONNECT " + authority + ")";
        std::string head = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
        if (!proxy.authorization.empty())
            head += "Proxy-Authorization: " + proxy.authorization + "\r\n";
        head += "\r\n";
        auto [wec, written] = co_await boost::asio::async_write(tcp, boost::asio::buffer(head),
                                                                as_tuple(use_awaitable));
        if (!wec && !read_timed_out_) {
            // A 2xx answer to CONNECT has no body (RFC 9110, section 9.3.6); the body of any
            // other is not read: the connection is closed.
            bhttp::response_parser<bhttp::empty_body> parser;
            parser.skip(true);
            parser.header_limit(static_cast<std::uint32_t>(
                std::min<std::size_t>(s.max_response_header, UINT32_MAX)));
            auto [rec, read] =
                co_await bhttp::async_read_header(tcp, buffer_, parser, as_tuple(use_awaitable));
            wec = rec;
            if (!rec && !read_timed_out_) {
                const unsigned status = parser.get().result_int();
                if (status / 100 == 2) {
                    // The server speaks only after the client's TLS hello: bytes already here
                    // did not come from it.
                    if (buffer_.size() == 0) co_return boost::system::error_code{};
                    buffer_.clear();
                    note = about + " sent bytes after its answer before the TLS handshake";
                    co_return make_error_code(error::proxy_tunnel_failed);
                }
                buffer_.clear();
                proxy_status_ = status;
                note = about + " answered " + std::to_string(status) + " " +
                       std::string(parser.get().reason());
                // 407 is the answer RFC 9110 (section 15.5.8) gives; some proxies (tinyproxy,
                // src/reqs.c) answer credentials they do not accept with 401. Either is the
                // proxy's: an origin server never sees a CONNECT.
                if (status == 407 || status == 401) {
                    note += proxy.authorization.empty()
                                ? " (the proxy URL has no credentials)"
                                : " (the credentials of the proxy URL were not accepted)";
                    co_return make_error_code(error::proxy_auth_required);
                }
                if (status / 100 == 4) co_return make_error_code(error::proxy_refused);
                co_return make_error_code(error::proxy_tunnel_failed);
            }
        }
        buffer_.clear();
        if (read_timed_out_) {
            note = about + ": no answer within the connect timeout";
            co_return make_error_code(error::connect_timeout);
        }
        note = about + ": the connection failed before the proxy answered: " + wec.message();
        co_return make_error_code(error::proxy_tunnel_failed);
    }

    boost::system::error_code prepare_tls(const connection_settings& s) {
        SSL* ssl = tls_->native_handle();
        if (s.tls_sessions) s.tls_sessions->prepare(ssl, where_.key());
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

    std::string describe_failure(boost::system::error_code ec, const response_parser& parser,
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

    // The error an operation reports: a timeout when its deadline passed (the socket was closed
    // under it), the client's codes for the limits, the stream's error otherwise.
    static boost::system::error_code translate(boost::system::error_code ec, bool timed_out) {
        namespace bhttp = boost::beast::http;
        if (timed_out || ec == boost::beast::error::timeout) return error::request_timeout;
        if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
            ec == bhttp::error::buffer_overflow)
            return error::response_too_large;
        return ec;
    }

    boost::asio::ip::tcp::resolver resolver_;
    bool closed_ = false;  // `close()` ran
    origin where_;
    std::string target_prefix_;             // `origin::proxy_target_prefix()`
    std::optional<connect_race> attempts_;  // the connection attempts while `connect` makes them
    unsigned proxy_status_ = 0;
    deadline_watch deadlines_;
    std::optional<boost::asio::ip::tcp::socket> plain_;
    // Asio's TLS stream, not Beast's `ssl_stream`: the requests are written as one buffer, so
    // Beast's buffer-flattening layer (`flat_stream`) would only add code to every user's build.
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
    deadline_watch::entry read_deadline_;   // connect, handshake, exchange or read
    deadline_watch::entry write_deadline_;  // a pipelined write
    bool read_timed_out_ = false;
    bool write_timed_out_ = false;
    boost::beast::flat_buffer buffer_;
    std::string wire_;  // a request as one buffer, when it is not written at once
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
    if (options.resume_sessions) tls_session_store::enable(ctx.native_handle());
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
