// The HTTP/1.1 plumbing of signup-server: accepting connections, reading requests, writing the
// handler's responses, keep-alive, and a graceful stop. Each connection runs on a strand of its
// own, so its requests are handled one at a time on any thread of the io_context.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace signup_server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// Answers one request; runs on the connection's strand.
using request_handler = std::function<asio::awaitable<response>(const request&)>;

class http_server {
  public:
    /// The largest request body read; a bigger one ends the connection.
    static constexpr std::size_t body_limit = 64 * 1024;
    /// How long a connection may wait for a request, or take to receive a response.
    static constexpr std::chrono::seconds idle_timeout{60};

    /// Listens on `endpoint` (port 0: a free one) at once; `start()` begins accepting.
    http_server(asio::io_context& ioc, const tcp::endpoint& endpoint, request_handler handler)
        : ioc_(ioc)
        , acceptor_(asio::make_strand(ioc), endpoint)
        , port_(acceptor_.local_endpoint().port())
        , handler_(std::move(handler)) {}

    /// The port it listens on (or listened on, once stopped).
    unsigned short port() const { return port_; }

    /// True once `stop()` was called: handlers should refuse new work.
    bool stopping() const { return stopping_; }

    void start() { asio::co_spawn(acceptor_.get_executor(), accept_connections(), asio::detached); }

    /// Stops accepting, closes the connections waiting for a request, and completes once every
    /// request being handled has been answered.
    asio::awaitable<void> stop() {
        stopping_ = true;
        asio::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
        close_idle_connections();
        asio::steady_timer tick(co_await asio::this_coro::executor);
        while (requests_in_progress_ > 0) {
            tick.expires_after(std::chrono::milliseconds(5));
            co_await tick.async_wait(asio::use_awaitable);
        }
    }

  private:
    struct connection {
        std::shared_ptr<beast::tcp_stream> stream;
        bool waiting_for_request = false;
    };

    asio::awaitable<void> accept_connections() {
        while (!stopping_) {
            auto [ec, socket] = co_await acceptor_.async_accept(
                asio::make_strand(ioc_), asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            if (!ec)
                asio::co_spawn(socket.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
        const auto id = add(stream);
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(body_limit);
            set_waiting(id, true);
            // Checked after the mark: a stop either sees this connection waiting, or is seen here.
            if (stopping_) break;
            stream->expires_after(idle_timeout);
            auto [ec, n] = co_await http::async_read(*stream, buffer, parser,
                                                     asio::as_tuple(asio::use_awaitable));
            set_waiting(id, false);
            if (ec) break;
            ++requests_in_progress_;  // until the response is written: stop() waits for it
            const request req = parser.release();
            response res;
            try {
                res = co_await handler_(req);
            } catch (const std::exception&) {
                // A handler that throws still gets an answer, and the count still goes down.
                res = response(http::status::internal_server_error, req.version());
                res.set(http::field::content_type, "application/json");
                res.body() = R"({"error":"internal_error"})";
                res.prepare_payload();
            }
            res.keep_alive(req.keep_alive() && !stopping_);
            stream->expires_after(idle_timeout);
            auto [wec, written] =
                co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
            --requests_in_progress_;
            if (wec || !res.keep_alive()) break;
        }
        remove(id);
        boost::system::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    std::uint64_t add(std::shared_ptr<beast::tcp_stream> stream) {
        std::lock_guard lock(mutex_);
        connections_.emplace(next_id_, connection{std::move(stream)});
        return next_id_++;
    }
    void remove(std::uint64_t id) {
        std::lock_guard lock(mutex_);
        connections_.erase(id);
    }
    void set_waiting(std::uint64_t id, bool waiting) {
        std::lock_guard lock(mutex_);
        connections_.at(id).waiting_for_request = waiting;
    }
    // A connection handling a request finishes it first: its response is the one the client
    // waits for.
    void close_idle_connections() {
        std::lock_guard lock(mutex_);
        for (auto& [id, c] : connections_)
            if (c.waiting_for_request)
                asio::post(c.stream->get_executor(), [s = c.stream] { s->cancel(); });
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    unsigned short port_;
    request_handler handler_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> requests_in_progress_{0};
    std::mutex mutex_;
    std::unordered_map<std::uint64_t, connection> connections_;
    std::uint64_t next_id_ = 0;
};

}  // namespace signup_server
