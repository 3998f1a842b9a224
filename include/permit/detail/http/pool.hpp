// A pool of keep-alive connections to one origin: lazy connects up to a maximum, reuse after a
// complete response, idle expiry, and first-come first-served waiting.
#pragma once

#include <permit/detail/http/connection.hpp>
#include <permit/detail/http/pool_state.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace permit::detail::http {

/// The outcome of one request sent through a pool.
struct exchange_result {
    /// The error, if the exchange failed; a non-2xx status is not one (see `resp`).
    boost::system::error_code ec;
    /// The response, when `ec` is not set.
    response resp;
    /// What the client found, for `diagnostics::client_message` (empty on success).
    std::string note;
    /// The request went out on a connection that had served an earlier exchange.
    bool reused = false;
    /// The request may have reached the server: a connection was established and writing began.
    bool sent = false;
    /// Some of the response arrived before the failure (see `connection::response_started`).
    bool response_started = false;
    /// The status an HTTP proxy refused the tunnel with (`connection::proxy_status`); 0: none.
    unsigned proxy_status = 0;
    /// Pipelining only: the connection closed before this request was answered; the request is
    /// idempotent and is to be sent again on another connection.
    bool unanswered = false;
};

/// Connections to one origin. Not thread-safe: the client runs it on one executor (a strand in
/// thread-safe mode). Must outlive every `exchange` in progress (the client guarantees it).
class pool {
  public:
    /// The type of the executor the pool runs on.
    using executor_type = boost::asio::any_io_executor;

    /// A pool for `where` that opens at most `max_connections` connections (at least 1), with
    /// `settings`. A connection idle for `idle_timeout` is closed instead of reused. Connects
    /// lazily. `tls_context` must outlive the pool; it is used only when `where.tls`.
    pool(executor_type ex, origin where, boost::asio::ssl::context* tls_context,
         connection_settings settings, std::size_t max_connections,
         std::chrono::steady_clock::duration idle_timeout)
        : ex_(std::move(ex))
        , where_(std::move(where))
        , tls_context_(tls_context)
        , settings_(settings)
        , state_(max_connections, idle_timeout)
        , deadlines_(ex_) {}

    /// Stops the timer of the connections' deadlines.
    ~pool() { deadlines_.close(); }

    /// Not copyable.
    pool(const pool&) = delete;
    /// Not copyable.
    pool& operator=(const pool&) = delete;

    /// The origin the pool connects to.
    const origin& where() const noexcept { return where_; }

    /// Sends `req` on a pooled connection and reads the response. Waits for a connection when
    /// `max_connections` are busy. `fresh`: on a newly opened connection, never an idle one (for
    /// a replay after a stale connection). An idle connection on which the server sent anything
    /// (a response to no request, its close) is closed rather than reused, and a connection with
    /// bytes left over after the response is not kept: they would be read as the answer to the
    /// next request. Cancellation (any type) while waiting leaves the queue; while connecting or
    /// exchanging, it closes that connection. Completes with `operation_aborted` after
    /// `close_all()`; otherwise with the connection's error, and `note` saying what happened.
    boost::asio::awaitable<exchange_result> exchange(const request& req, bool fresh = false) {
        exchange_result out;
        // An idle connection fit for reuse is taken at once; opening one or waiting for one is
        // the coroutine below.
        auto decision = decide(fresh);
        connection_ptr conn;
        if (decision.what == state_type::acquire_decision::kind::reuse &&
            !decision.connection->has_unsolicited_input()) {
            conn = std::move(decision.connection);
        } else {
            auto [ec, acquired] = co_await acquire(out, fresh, std::move(decision));
            if (ec) {
                out.ec = ec;
                co_return out;
            }
            conn = std::move(acquired);
        }
        lease held(*this, conn);
        out.reused = conn->exchanges() > 0;
        out.sent = true;
        out.ec = co_await conn->exchange(req, out.resp, settings_);
        out.response_started = conn->response_started();
        if (out.ec) {
            if (!conn->failure_note().empty())
                out.note = conn->failure_note();
            else if (out.ec == error::request_timeout)
                out.note = "no complete response within the request timeout (" +
                           std::to_string(settings_.request_timeout.count()) + " ms)";
            else
                out.note = "the connection failed during the exchange: " + out.ec.message();
        } else {
            // Bytes read past the response make it unfit now; bytes still on the socket are
            // found when the connection is next taken (`acquire`), which looks at it anyway.
            held.reusable = out.resp.keep_alive && !conn->has_leftover_input();
        }
        co_return out;
    }

    /// Closes every connection, idle or busy, and fails every waiter with `operation_aborted`.
    /// The pool stays usable: later calls open new connections.
    void close_all() {
        auto [idle, waiters] = state_.shutdown();
        for (auto& c : idle) forget(c);
        for (const auto id : waiters) {
            if (auto it = waiters_.find(id); it != waiters_.end()) {
                it->second->aborted = true;
                it->second->timer.cancel();
            }
        }
        for (auto* c : live_) c->close();
    }

    /// Connections open or being opened, idle ones included.
    std::size_t open_count() const noexcept { return state_.open_count(); }
    /// Idle connections, ready for reuse.
    std::size_t idle_count() const noexcept { return state_.idle_count(); }
    /// Callers waiting for a connection.
    std::size_t waiting_count() const noexcept { return state_.waiting_count(); }

    /// Whether a request would get a connection at once: an idle one, or room to open one, with
    /// nobody waiting for one.
    bool has_free_connection() const noexcept {
        return state_.waiting_count() == 0 &&
               (state_.idle_count() > 0 || state_.open_count() < state_.max_connections());
    }

    /// Calls `listener(context)` whenever a connection or a slot is given back and no waiting
    /// caller takes it, so that a request would now get a connection at once (check coalescing
    /// sends its queued checks then). The listener must not start an exchange on the pool
    /// before it returns. One listener at a time; null: none.
    void on_connection_free(void (*listener)(void*), void* context) noexcept {
        free_listener_ = listener;
        free_listener_context_ = context;
    }

  private:
    using connection_ptr = std::shared_ptr<connection>;
    using state_type = pool_state<connection_ptr>;

    // A caller queued for a connection. It leaves the queue when it goes out of scope, and gives
    // back whatever it was handed but did not take, so that no slot leaks whatever ends the wait.
    struct waiter {
        waiter(pool& p, std::uint64_t waiter_id)
            : owner(p), id(waiter_id), timer(p.ex_, std::chrono::steady_clock::time_point::max()) {
            owner.waiters_.emplace(id, this);
        }
        waiter(const waiter&) = delete;
        waiter& operator=(const waiter&) = delete;
        ~waiter() {
            owner.waiters_.erase(id);
            if (!handed) {
                owner.state_.cancel_wait(id);
            } else if (handed->what == state_type::handoff::kind::connection) {
                owner.release(std::move(handed->connection), true);
            } else if (handed->what == state_type::handoff::kind::open_slot) {
                owner.hand_off(owner.state_.release_slot());
            }
        }
        pool& owner;
        std::uint64_t id;
        boost::asio::steady_timer timer;
        std::optional<typename state_type::handoff> handed;
        bool aborted = false;
    };

    // Gives a connection back when the exchange ends, however it ends.
    struct lease {
        lease(pool& p, connection_ptr c) : owner(p), conn(std::move(c)) {}
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() { owner.release(std::move(conn), reusable); }
        pool& owner;
        connection_ptr conn;
        bool reusable = false;
    };

    // What a caller that wants a connection gets: an idle one (which `exchange` looks at before
    // it takes it), a slot to open one in, or a place in the queue. Idle connections past their
    // timeout are closed first.
    typename state_type::acquire_decision decide(bool fresh) {
        for (auto& c : state_.take_expired(std::chrono::steady_clock::now())) forget(c);
        return state_.acquire(fresh);
    }

    // Carries out `decision` when the connection is not at hand: opens one, or waits for one.
    boost::asio::awaitable<std::pair<boost::system::error_code, connection_ptr>> acquire(
        exchange_result& out, bool fresh, typename state_type::acquire_decision decision) {
        switch (decision.what) {
            case state_type::acquire_decision::kind::reuse:
                // The server spoke while the connection idled (`exchange` found input on it): a
                // response to no request, which would be read as this call's answer, or its
                // close. A new connection takes the slot.
                forget(decision.connection);
                co_return co_await open(out);
            case state_type::acquire_decision::kind::open:
                // With `fresh`, the slot may come from an idle connection, closed here.
                if (decision.connection) forget(decision.connection);
                co_return co_await open(out);
            case state_type::acquire_decision::kind::wait:
                break;
        }
        waiter w(*this, decision.waiter);
        co_await w.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        const bool cancelled = (co_await boost::asio::this_coro::cancellation_state).cancelled() !=
                               boost::asio::cancellation_type::none;
        if (w.handed && !cancelled && !w.aborted) {
            auto handed = std::exchange(w.handed, std::nullopt);
            if (handed->what == state_type::handoff::kind::connection) {
                if (!fresh && !handed->connection->has_unsolicited_input())
                    co_return std::pair{boost::system::error_code{}, std::move(handed->connection)};
                // A replay wants a new connection, or the server spoke on this one while it was
                // handed over (see above): its slot is reused for a new one.
                forget(handed->connection);
            }
            co_return co_await open(out);
        }
        // Cancelled by the caller, or the pool was closed: `w` gives back anything it was handed.
        out.note =
            w.aborted ? "the client was cancelled" : "cancelled while waiting for a connection";
        co_return std::pair{boost::system::error_code(boost::asio::error::operation_aborted),
                            connection_ptr{}};
    }

    // Opens a connection in a slot the state reserved.
    boost::asio::awaitable<std::pair<boost::system::error_code, connection_ptr>> open(
        exchange_result& out) {
        auto conn = std::make_shared<connection>(ex_, where_, tls_context_, deadlines_);
        live_.insert(conn.get());
        const auto ec = co_await conn->connect(settings_, out.note);
        if (ec) {
            out.proxy_status = conn->proxy_status();
            release(std::move(conn), false);
            co_return std::pair{ec, connection_ptr{}};
        }
        co_return std::pair{boost::system::error_code{}, std::move(conn)};
    }

    void release(connection_ptr conn, bool reusable) {
        if (!conn) return;
        if (reusable) {
            hand_off(state_.release_reusable(std::move(conn), std::chrono::steady_clock::now()));
        } else {
            forget(conn);
            hand_off(state_.release_slot());
        }
    }

    // Wakes the waiter the state chose. Every queued waiter is registered (see `waiter`). With
    // nobody waiting, a connection or a slot is free: the listener hears of it.
    void hand_off(typename state_type::handoff h) {
        if (h.what == state_type::handoff::kind::none) {
            if (free_listener_) free_listener_(free_listener_context_);
            return;
        }
        auto it = waiters_.find(h.waiter);
        if (it == waiters_.end()) return;
        it->second->handed = std::move(h);
        it->second->timer.cancel();
    }

    void forget(const connection_ptr& conn) {
        conn->close();
        live_.erase(conn.get());
    }

    executor_type ex_;
    origin where_;
    boost::asio::ssl::context* tls_context_;
    connection_settings settings_;
    state_type state_;
    std::unordered_map<std::uint64_t, waiter*> waiters_;
    std::unordered_set<connection*> live_;  // every open connection, idle or busy
    deadline_watch deadlines_;              // of the exchanges on the connections
    void (*free_listener_)(void*) = nullptr;
    void* free_listener_context_ = nullptr;
};

}  // namespace permit::detail::http
