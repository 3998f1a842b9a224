// HTTP/1.1 pipelining: connections to one origin that each carry up to `max_depth` requests at
// once, written back to back and answered in order. Only for idempotent requests: when a
// connection dies, the requests it had not answered are handed back to be sent again.
#pragma once

#include <permit/detail/http/closed_connection.hpp>
#include <permit/detail/http/connection.hpp>
#include <permit/detail/http/pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <utility>

namespace permit::detail::http {

/// Pipelined connections to one origin, apart from the origin's ordinary pool. Not thread-safe:
/// the client runs it on one executor. Must outlive every `exchange` in progress.
class pipeline_pool {
  public:
    /// The type of the executor the pool runs on.
    using executor_type = boost::asio::any_io_executor;

    /// Pipelined connections to `where`, with `settings`: at most `max_connections` of them (at
    /// least 1), each carrying at most `max_depth` requests at once (at least 1). A connection idle
    /// for `idle_timeout` is closed instead of given another request. Connects lazily.
    /// `tls_context` must outlive the pool; it is used only when `where.tls`.
    pipeline_pool(executor_type ex, origin where, boost::asio::ssl::context* tls_context,
                  connection_settings settings, std::size_t max_connections, std::size_t max_depth,
                  std::chrono::steady_clock::duration idle_timeout)
        : ex_(std::move(ex))
        , where_(std::move(where))
        , tls_context_(tls_context)
        , settings_(settings)
        , max_connections_(std::max<std::size_t>(1, max_connections))
        , max_depth_(std::max<std::size_t>(1, max_depth))
        , idle_timeout_(idle_timeout)
        , deadlines_(ex_) {}

    /// Stops the timer of the connections' deadlines.
    ~pipeline_pool() { deadlines_.close(); }

    /// Not copyable.
    pipeline_pool(const pipeline_pool&) = delete;
    /// Not copyable.
    pipeline_pool& operator=(const pipeline_pool&) = delete;

    /// Sends `req` on the least busy pipelined connection (opening one when all are busy and
    /// fewer than `max_connections` are open, waiting when all are `max_depth` deep) and reads
    /// its response, in turn. When the connection fails before this request's response began
    /// (an earlier request broke it, or the server closed it), the result has `unanswered` set:
    /// the request may not have been applied and must be sent again elsewhere. Cancellation of a
    /// request in a pipeline closes that connection (the responses behind it could no longer be
    /// matched); the other requests on it come back `unanswered`. A connection on which the server
    /// sent more than the responses asked for (bytes left once every request is answered, or
    /// input while it idled) is closed rather than given another request, which would take the
    /// stray bytes for its answer. Fails with the connection's error, `note` saying what happened.
    /// Not thread-safe (see the class).
    boost::asio::awaitable<exchange_result> exchange(const request& req) {
        exchange_result out;
        close_expired(std::chrono::steady_clock::now());
        std::shared_ptr<pipeline> p;
        while (!p) {
            p = least_busy();
            if (p && p->depth == 0 && p->conn.has_unsolicited_input()) {
                // With nothing asked on it, the server spoke: a response to no request would be
                // read as this one's answer. (With requests in flight, input is their responses.)
                break_pipeline(*p);
                p.reset();
                continue;
            }
            if (p) break;
            if (pipelines_.size() < max_connections_) {
                p = std::make_shared<pipeline>(ex_, where_, tls_context_, deadlines_);
                pipelines_.push_back(p);
                p->joinable = false;  // until connected
                p->idle_since = std::chrono::steady_clock::now();
                const auto ec = co_await p->conn.connect(settings_, out.note);
                if (ec || p->broken) {
                    out.proxy_status = p->conn.proxy_status();
                    discard(p);
                    wake_room_waiters(1);  // its place is free again
                    out.ec =
                        ec ? ec : boost::system::error_code(boost::asio::error::operation_aborted);
                    co_return out;
                }
                p->joinable = true;
                wake_room_waiters(max_depth_ - 1);  // waiting requests may join it
                break;
            }
            // Every connection is full: wait for room.
            room_waiter w(*this);
            co_await w.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (!w.woken || w.aborted) {
                out.note = w.aborted ? "the client was cancelled"
                                     : "cancelled while waiting for a pipelined connection";
                out.ec = boost::asio::error::operation_aborted;
                co_return out;
            }
        }
        co_return co_await exchange_on(std::move(p), req);
    }

    /// Closes every pipelined connection: requests in them come back `unanswered` or aborted, and
    /// requests waiting for room fail with `operation_aborted`.
    void close_all() {
        for (auto& p : std::list<std::shared_ptr<pipeline>>(pipelines_)) break_pipeline(*p);
        pipelines_.clear();
        for (auto* w : room_waiters_) {
            w->queued = false;
            w->aborted = true;
            w->timer.cancel();
        }
        room_waiters_.clear();
    }

    /// Connections open or being opened.
    std::size_t open_count() const noexcept { return pipelines_.size(); }
    /// The deepest any connection has been (requests written and not yet answered, plus the
    /// ones queued to write), since the pool was made.
    std::size_t deepest() const noexcept { return deepest_; }

  private:
    // A place in a pipeline's write or read queue; woken by its predecessor.
    struct turn {
        explicit turn(const executor_type& ex)
            : timer(ex, std::chrono::steady_clock::time_point::max()) {}
        boost::asio::steady_timer timer;
        bool woken = false;
        void wake() {
            woken = true;
            timer.cancel();
        }
    };

    struct pipeline {
        pipeline(const executor_type& ex, const origin& where, boost::asio::ssl::context* tls,
                 const deadline_watch& deadlines)
            : conn(ex, where, tls, deadlines) {}
        connection conn;
        std::size_t depth = 0;                             // requests joined and not finished
        std::chrono::steady_clock::time_point idle_since;  // when depth last fell to 0
        bool joinable = true;
        bool broken = false;
        bool writing = false;
        std::deque<turn*> write_queue;  // waiting to write, in order
        std::deque<turn*> read_queue;   // written, waiting for their response, in order
    };

    // A request waiting for room, first come first woken. Leaves the queue when it goes out of
    // scope, however the wait ends.
    struct room_waiter {
        explicit room_waiter(pipeline_pool& p)
            : owner(p), timer(p.ex_, std::chrono::steady_clock::time_point::max()) {
            position = owner.room_waiters_.insert(owner.room_waiters_.end(), this);
        }
        room_waiter(const room_waiter&) = delete;
        room_waiter& operator=(const room_waiter&) = delete;
        ~room_waiter() {
            if (queued) owner.room_waiters_.erase(position);
        }
        pipeline_pool& owner;
        boost::asio::steady_timer timer;
        std::list<room_waiter*>::iterator position;
        bool queued = true;
        bool woken = false;
        bool aborted = false;
    };

    // Leaves a pipeline's bookkeeping consistent however the exchange ends.
    struct membership {
        membership(pipeline_pool& o, std::shared_ptr<pipeline> pl) : owner(o), p(std::move(pl)) {
            ++p->depth;
            owner.deepest_ = std::max(owner.deepest_, p->depth);
        }
        membership(const membership&) = delete;
        membership& operator=(const membership&) = delete;
        ~membership() {
            if (--p->depth == 0) p->idle_since = std::chrono::steady_clock::now();
            if (p->broken && p->depth == 0) owner.discard(p);
            owner.wake_room_waiters(1);  // a place is free: in this pipeline, or a connection
        }
        pipeline_pool& owner;
        std::shared_ptr<pipeline> p;
    };

    boost::asio::awaitable<exchange_result> exchange_on(std::shared_ptr<pipeline> pl,
                                                        const request& req) {
        exchange_result out;
        membership member(*this, pl);
        pipeline& p = *pl;
        out.reused = p.conn.exchanges() > 0;
        turn mine(ex_);

        // Wait for the turn to write. The writer before hands its turn over (`writing` stays
        // set), so that a request arriving meanwhile cannot slip in between.
        if (p.writing) {
            p.write_queue.push_back(&mine);
            co_await mine.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (!mine.woken) {
                // Cancelled before writing: leave the queue; nothing was sent.
                std::erase(p.write_queue, &mine);
                out.ec = boost::asio::error::operation_aborted;
                out.note = "cancelled while waiting to write on a pipelined connection";
                co_return out;
            }
            mine.woken = false;
        } else {
            p.writing = true;
        }
        if (p.broken) {
            pass_write_turn(p);
            co_return unanswered(out);
        }
        p.read_queue.push_back(&mine);
        out.sent = true;
        const auto wec = co_await p.conn.write(req, settings_);
        const bool broken_while_writing = p.broken;
        pass_write_turn(p);
        if (wec || broken_while_writing) {
            std::erase(p.read_queue, &mine);
            break_pipeline(p);
            if (wec == boost::asio::error::operation_aborted && !broken_while_writing) {
                out.ec = wec;
                out.note = "cancelled while writing on a pipelined connection";
                co_return out;
            }
            co_return unanswered(out);
        }

        // Wait for the turn to read: the responses before this one come first.
        if (p.read_queue.front() != &mine) {
            co_await mine.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (!mine.woken) {
                // Cancelled with its request written: the stream cannot be kept in step.
                std::erase(p.read_queue, &mine);
                break_pipeline(p);
                out.ec = boost::asio::error::operation_aborted;
                out.note = "cancelled while waiting for a pipelined response";
                co_return out;
            }
        }
        if (p.broken) {
            std::erase(p.read_queue, &mine);
            co_return unanswered(out);
        }
        const auto rec = co_await p.conn.read(out.resp, settings_);
        const bool broken_while_reading = p.broken;  // by another request, or close_all
        p.read_queue.pop_front();
        out.response_started = p.conn.response_started();
        if (rec) {
            break_pipeline(p);
            // Idempotent, so a response cut short counts as none: the request goes elsewhere.
            if (broken_while_reading ||
                (rec != boost::asio::error::operation_aborted && rec != error::request_timeout &&
                 is_closed_connection_error(rec)))
                co_return unanswered(out);
            out.ec = rec;
            if (!p.conn.failure_note().empty())
                out.note = p.conn.failure_note();
            else if (rec == error::request_timeout)
                out.note = "no complete response within the request timeout (" +
                           std::to_string(settings_.request_timeout.count()) + " ms)";
            else
                out.note = "the pipelined connection failed: " + rec.message();
            co_return out;
        }
        if (!out.resp.keep_alive) {
            // The server closes after this response: the requests behind it go elsewhere.
            break_pipeline(p);
        } else if (!p.read_queue.empty()) {
            p.read_queue.front()->wake();
        } else if (p.conn.has_unsolicited_input()) {
            // No request is written and unanswered (a writer joins the read queue before it
            // writes), so what is left is a response to no request: it would be read as the
            // answer to the next one.
            break_pipeline(p);
        }
        co_return out;
    }

    // The next queued writer goes, or nobody writes.
    static void pass_write_turn(pipeline& p) {
        if (p.write_queue.empty()) {
            p.writing = false;
            return;
        }
        turn* next = p.write_queue.front();
        p.write_queue.pop_front();
        next->wake();
    }

    exchange_result& unanswered(exchange_result& out) {
        out.ec = boost::asio::error::connection_aborted;
        out.unanswered = true;
        out.response_started = false;
        out.note = "the pipelined connection closed before this request was answered";
        return out;
    }

    // Closes the connection and wakes every request queued on it; they see `broken`.
    void break_pipeline(pipeline& p) {
        if (p.broken) return;
        p.broken = true;
        p.joinable = false;
        p.conn.close();
        for (auto* t : p.write_queue) t->wake();
        p.write_queue.clear();
        for (auto* t : p.read_queue) t->wake();
        // The read queue is left as is: each member removes itself. The members keep the
        // pipeline alive; it is no longer offered to new requests.
        pipelines_.remove_if([&p](const auto& q) { return q.get() == &p; });
    }

    void discard(const std::shared_ptr<pipeline>& p) {
        p->conn.close();
        pipelines_.remove(p);
    }

    // Closes the connections idle for longer than the idle timeout, as the ordinary pool does.
    void close_expired(std::chrono::steady_clock::time_point now) {
        pipelines_.remove_if([&](const std::shared_ptr<pipeline>& p) {
            if (p->depth != 0 || !p->joinable || now - p->idle_since < idle_timeout_) return false;
            p->conn.close();
            return true;
        });
    }

    std::shared_ptr<pipeline> least_busy() {
        std::shared_ptr<pipeline> best;
        for (auto& p : pipelines_) {
            if (!p->joinable || p->broken || p->depth >= max_depth_) continue;
            if (!best || p->depth < best->depth) best = p;
        }
        // Prefer opening another connection to stacking requests on a busy one.
        if (best && best->depth > 0 && pipelines_.size() < max_connections_) return nullptr;
        return best;
    }

    void wake_room_waiters(std::size_t count) {
        while (count-- > 0 && !room_waiters_.empty()) {
            room_waiter* w = room_waiters_.front();
            room_waiters_.pop_front();
            w->queued = false;
            w->woken = true;
            w->timer.cancel();
        }
    }

    executor_type ex_;
    origin where_;
    boost::asio::ssl::context* tls_context_;
    connection_settings settings_;
    std::size_t max_connections_;
    std::size_t max_depth_;
    std::chrono::steady_clock::duration idle_timeout_;
    std::list<std::shared_ptr<pipeline>> pipelines_;  // open or opening, broken ones excluded
    std::list<room_waiter*> room_waiters_;
    std::size_t deepest_ = 0;
    deadline_watch deadlines_;  // of the reads and writes on the connections
};

}  // namespace permit::detail::http
