// A scriptable raw-socket HTTP(S) server on 127.0.0.1 for the hostile-server tests: each of the
// first connections follows a script (read the request or not, then write given bytes, slowly,
// endlessly or after a pause), and every later connection gets valid answers, so that a test can
// show the client recovers. It counts connections and the bytes it managed to write.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace permit_test {

/// One thing the server does on a scripted connection.
struct hostile_step {
    enum class kind {
        read_request,   ///< read one request (head and body)
        write,          ///< write `bytes`
        write_slowly,   ///< write `bytes` one byte at a time, `interval` apart
        write_forever,  ///< write `bytes` again and again until the client closes
        pause,          ///< wait `interval`
        serve,          ///< answer every further request validly, as later connections are
    };
    kind what = kind::write;
    std::string bytes;
    std::chrono::milliseconds interval{0};
};

/// A certificate and its private key, PEM text, for an HTTPS server.
struct server_certificate {
    std::string cert_pem;
    std::string key_pem;
};

/// What the server does on one connection. After the last step (unless it is `serve` or never
/// ends) the server keeps the connection open and reads and discards until the client closes.
struct hostile_script {
    std::vector<hostile_step> steps;
    /// HTTPS only: the certificate this connection presents instead of the server's own.
    std::optional<server_certificate> certificate;
};

/// What the server saw and did on one connection.
struct hostile_connection {
    std::uint64_t bytes_written = 0;
    std::vector<std::string> requests;  ///< "METHOD target" of each request read
    std::size_t steps_done = 0;         ///< script steps completed
    bool finished = false;              ///< the server is done with the connection
    std::string end;                    ///< why it ended ("closed by the client: ...", ...)
};

namespace hostile {

/// A complete HTTP/1.1 response with a Content-Length; `extra_headers` are whole lines, each
/// ending in CRLF.
inline std::string response(unsigned status, std::string_view body,
                            std::string_view content_type = "application/json",
                            std::string_view extra_headers = "") {
    std::string out = "HTTP/1.1 " + std::to_string(status) + (status < 400 ? " OK" : " Error");
    out += "\r\n";
    out += extra_headers;
    out += "Content-Type: ";
    out += content_type;
    out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out += body;
    return out;
}

/// The JSON of a user (`permit::user`) with this key, as the REST API returns it.
inline std::string user_json(std::string_view key) {
    const std::string k(key);
    return R"({"key":")" + k + R"(","id":"id-)" + k +
           R"(","organization_id":"org","project_id":"default","environment_id":"production",)"
           R"("associated_tenants":[],"roles":[],"created_at":"2024-01-01T00:00:00+00:00",)"
           R"("updated_at":"2024-01-01T00:00:00+00:00","attributes":{}})";
}

/// A 200 response with the user of this key.
inline std::string user_response(std::string_view key) {
    return response(200, user_json(key));
}

/// Reads one request, head and body.
inline hostile_step read_request() {
    return {hostile_step::kind::read_request, {}, {}};
}
/// Writes `bytes` at once.
inline hostile_step write(std::string bytes) {
    return {hostile_step::kind::write, std::move(bytes), {}};
}
/// Writes `bytes` one byte at a time, `per_byte` apart.
inline hostile_step write_slowly(std::string bytes, std::chrono::milliseconds per_byte) {
    return {hostile_step::kind::write_slowly, std::move(bytes), per_byte};
}
/// Writes `bytes` again and again until the client closes the connection.
inline hostile_step write_forever(std::string bytes) {
    return {hostile_step::kind::write_forever, std::move(bytes), {}};
}
/// Waits `d`.
inline hostile_step pause(std::chrono::milliseconds d) {
    return {hostile_step::kind::pause, {}, d};
}
/// Answers every further request on the connection validly.
inline hostile_step serve() {
    return {hostile_step::kind::serve, {}, {}};
}

}  // namespace hostile

/// The server. It runs on a thread of its own, so that the client's io_context sees it only
/// through sockets; every accessor is thread-safe. Stopped (every connection dropped) by the
/// destructor.
class hostile_server {
  public:
    struct options {
        /// Scripts for the first connections, in the order they are accepted.
        std::vector<hostile_script> scripts;
        /// Serve HTTPS with this certificate (a script may present another).
        std::optional<server_certificate> tls;
        /// SO_SNDBUF of accepted sockets, so that little hides in the server's send buffer when
        /// it counts what it wrote; 0: the system's default.
        int send_buffer = 64 * 1024;
    };

    /// Listens on 127.0.0.1 at a free port. Throws what Asio or OpenSSL throw.
    explicit hostile_server(options opts)
        : state_(std::make_shared<shared_state>()), acceptor_(ioc_) {
        state_->opts = std::move(opts);
        if (state_->opts.tls) state_->default_context = make_context(*state_->opts.tls);
        for (const auto& s : state_->opts.scripts)
            state_->contexts.push_back(s.certificate ? make_context(*s.certificate) : nullptr);
        const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(at.protocol());
        acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
        acceptor_.bind(at);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        boost::asio::co_spawn(ioc_, accept_loop(state_, acceptor_), boost::asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    hostile_server(const hostile_server&) = delete;
    hostile_server& operator=(const hostile_server&) = delete;

    ~hostile_server() {
        ioc_.stop();
        thread_.join();
    }

    unsigned short port() const noexcept { return port_; }

    /// `http://127.0.0.1:<port>`, or `https://` when serving TLS.
    std::string url() const {
        return std::string(state_->opts.tls ? "https" : "http") +
               "://127.0.0.1:" + std::to_string(port_);
    }

    /// Connections accepted so far.
    std::size_t connections() const {
        std::lock_guard lock(state_->mutex);
        return state_->seen.size();
    }

    /// What happened on the `i`th connection accepted (0-based); empty if there is none yet.
    hostile_connection connection(std::size_t i) const {
        std::lock_guard lock(state_->mutex);
        return i < state_->seen.size() ? state_->seen[i] : hostile_connection{};
    }

    /// Bytes written on every connection together.
    std::uint64_t bytes_written() const {
        std::lock_guard lock(state_->mutex);
        std::uint64_t total = 0;
        for (const auto& c : state_->seen) total += c.bytes_written;
        return total;
    }

  private:
    using tcp = boost::asio::ip::tcp;

    struct shared_state {
        options opts;
        std::shared_ptr<boost::asio::ssl::context> default_context;
        std::vector<std::shared_ptr<boost::asio::ssl::context>> contexts;  // per script
        mutable std::mutex mutex;
        std::vector<hostile_connection> seen;

        template <class Edit>
        void edit(std::size_t i, Edit e) {
            std::lock_guard lock(mutex);
            e(seen[i]);
        }
    };

    static std::shared_ptr<boost::asio::ssl::context> make_context(const server_certificate& c) {
        namespace ssl = boost::asio::ssl;
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
        ctx->use_certificate_chain(boost::asio::buffer(c.cert_pem));
        ctx->use_private_key(boost::asio::buffer(c.key_pem), ssl::context::pem);
        return ctx;
    }

    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<shared_state> st,
                                                    tcp::acceptor& acceptor) {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) co_return;
            std::size_t index = 0;
            {
                std::lock_guard lock(st->mutex);
                index = st->seen.size();
                st->seen.emplace_back();
            }
            if (st->opts.send_buffer > 0) {
                boost::system::error_code ignored;
                socket.set_option(tcp::socket::send_buffer_size(st->opts.send_buffer), ignored);
            }
            socket.set_option(tcp::no_delay(true));
            boost::asio::co_spawn(acceptor.get_executor(), session(st, index, std::move(socket)),
                                  boost::asio::detached);
        }
    }

    static const std::vector<hostile_step>& serve_only() {
        static const std::vector<hostile_step> steps{hostile::serve()};
        return steps;
    }

    static boost::asio::awaitable<void> session(std::shared_ptr<shared_state> st, std::size_t index,
                                                tcp::socket socket) {
        const hostile_script* script =
            index < st->opts.scripts.size() ? &st->opts.scripts[index] : nullptr;
        const auto& steps = script ? script->steps : serve_only();
        std::string end;
        if (!st->opts.tls) {
            end = co_await play(st, index, socket, steps);
        } else {
            auto ctx = index < st->contexts.size() && st->contexts[index] ? st->contexts[index]
                                                                          : st->default_context;
            boost::asio::ssl::stream<tcp::socket> tls(std::move(socket), *ctx);
            auto [hec] =
                co_await tls.async_handshake(boost::asio::ssl::stream_base::server,
                                             boost::asio::as_tuple(boost::asio::use_awaitable));
            if (hec)
                end = "handshake: " + hec.message();
            else
                end = co_await play(st, index, tls, steps);
        }
        st->edit(index, [&](hostile_connection& c) {
            c.finished = true;
            c.end = end;
        });
    }

    // Runs the steps; returns why the connection ended.
    template <class Stream>
    static boost::asio::awaitable<std::string> play(std::shared_ptr<shared_state> st,
                                                    std::size_t index, Stream& stream,
                                                    const std::vector<hostile_step>& steps) {
        namespace bhttp = boost::beast::http;
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        boost::beast::flat_buffer buffer;
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        auto wrote = [&](std::size_t n) {
            st->edit(index, [n](hostile_connection& c) { c.bytes_written += n; });
        };
        for (const auto& step : steps) {
            switch (step.what) {
                case hostile_step::kind::read_request: {
                    bhttp::request<bhttp::string_body> req;
                    auto [ec, n] =
                        co_await bhttp::async_read(stream, buffer, req, as_tuple(use_awaitable));
                    if (ec) co_return "closed by the client: " + ec.message();
                    record_request(*st, index, req);
                    break;
                }
                case hostile_step::kind::write: {
                    auto [ec, n] = co_await boost::asio::async_write(
                        stream, boost::asio::buffer(step.bytes), as_tuple(use_awaitable));
                    wrote(n);
                    if (ec) co_return "write failed: " + ec.message();
                    break;
                }
                case hostile_step::kind::write_slowly:
                    for (std::size_t i = 0; i < step.bytes.size(); ++i) {
                        if (i > 0) {
                            timer.expires_after(step.interval);
                            co_await timer.async_wait(as_tuple(use_awaitable));
                        }
                        auto [ec, n] = co_await boost::asio::async_write(
                            stream, boost::asio::buffer(&step.bytes[i], 1),
                            as_tuple(use_awaitable));
                        wrote(n);
                        if (ec) co_return "write failed: " + ec.message();
                    }
                    break;
                case hostile_step::kind::write_forever: {
                    // Large writes, so that the count is not held back by the number of calls.
                    std::string chunk;
                    while (chunk.size() < 64 * 1024) chunk += step.bytes;
                    for (;;) {
                        auto [ec, n] = co_await boost::asio::async_write(
                            stream, boost::asio::buffer(chunk), as_tuple(use_awaitable));
                        wrote(n);
                        if (ec) co_return "write failed: " + ec.message();
                    }
                }
                case hostile_step::kind::pause:
                    timer.expires_after(step.interval);
                    co_await timer.async_wait(as_tuple(use_awaitable));
                    break;
                case hostile_step::kind::serve:
                    for (;;) {
                        bhttp::request<bhttp::string_body> req;
                        auto [ec, n] = co_await bhttp::async_read(stream, buffer, req,
                                                                  as_tuple(use_awaitable));
                        if (ec) co_return "closed by the client: " + ec.message();
                        record_request(*st, index, req);
                        const std::string answer = valid_response(req);
                        auto [wec, written] = co_await boost::asio::async_write(
                            stream, boost::asio::buffer(answer), as_tuple(use_awaitable));
                        wrote(written);
                        if (wec) co_return "write failed: " + wec.message();
                    }
            }
            st->edit(index, [](hostile_connection& c) { ++c.steps_done; });
        }
        // The script is over: hold the connection until the client closes it.
        char sink[4096];
        for (;;) {
            auto [ec, n] =
                co_await stream.async_read_some(boost::asio::buffer(sink), as_tuple(use_awaitable));
            if (ec) co_return "closed by the client: " + ec.message();
        }
    }

    template <class Request>
    static void record_request(shared_state& st, std::size_t index, const Request& req) {
        std::string line = std::string(req.method_string()) + " " + std::string(req.target());
        st.edit(index, [&](hostile_connection& c) { c.requests.push_back(std::move(line)); });
    }

    // The user of `GET .../users/<key>`; 404 for anything else.
    template <class Request>
    static std::string valid_response(const Request& req) {
        const std::string_view target = req.target();
        const auto at = target.rfind("/users/");
        if (req.method() == boost::beast::http::verb::get && at != std::string_view::npos)
            return hostile::user_response(target.substr(at + 7));
        return hostile::response(
            404, R"({"id":"x","title":"Not found","error_code":"NOT_FOUND","message":"no route"})");
    }

    boost::asio::io_context ioc_;
    std::shared_ptr<shared_state> state_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace permit_test
