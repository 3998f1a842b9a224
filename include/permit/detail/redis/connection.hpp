// One connection to a Redis server, driven by the client's executor: hiredis speaks the protocol
// (its asynchronous context), and an Asio descriptor waits for the socket on hiredis' behalf
// (the `ev` hooks that hiredis' own adapters give to libevent or libuv). Needs hiredis
// (`PERMIT_WITH_REDIS`).
#pragma once

#include <permit/detail/redis/endpoint.hpp>
#include <permit/detail/redis/reply.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace permit::detail::redis {

/// The outcome of one command.
struct command_result {
    /// Empty when Redis replied (an error reply included: see `value`); `timed_out` when it did
    /// not within the command's timeout; `not_connected` when the connection could not be made or
    /// was lost (`message` says why); `operation_aborted` when the caller cancelled.
    boost::system::error_code ec;
    std::string message;  ///< why, when `ec` is set
    reply value;          ///< the reply, when `ec` is empty
};

/// A failed `command_result`.
inline command_result command_failure(boost::system::error_code ec, std::string message) {
    command_result out;
    out.ec = ec;
    out.message = std::move(message);
    return out;
}

/// A `command_result` with Redis' reply.
inline command_result command_reply(reply value) {
    command_result out;
    out.value = std::move(value);
    return out;
}

/// A connection to one Redis server, opened when the first command needs it and again after it
/// failed or was lost. Commands sent together are pipelined; each has its own timeout, after
/// which the connection is dropped (a late reply would be for nobody) and the next command opens
/// a new one. Not thread-safe: use it on its executor only (a strand for a multi-threaded
/// `io_context`).
class connection {
  public:
    /// The clock of the command timeouts.
    using clock = std::chrono::steady_clock;

    /// A connection to `where`, on `ex`. Connects nothing yet. While no reply is due, it waits
    /// for nothing: an idle client leaves its `io_context` nothing to wait for.
    connection(boost::asio::any_io_executor ex, endpoint where)
        : ex_(std::move(ex)), where_(std::move(where)) {}

    /// Not copyable.
    connection(const connection&) = delete;
    /// Not copyable.
    connection& operator=(const connection&) = delete;

    /// Drops the connection: commands in flight complete with `not_connected`.
    ~connection() { close(); }

    /// Sends the command `args` (its name first) and waits for its reply, at most `timeout`
    /// (connecting first if needed, within the same time). Errors are values: see
    /// `command_result`. Cancellation: the caller's slot (any type) completes it with
    /// `operation_aborted`; the command may still run on the server.
    boost::asio::awaitable<command_result> execute(std::vector<std::string> args,
                                                   std::chrono::milliseconds timeout) {
        const auto deadline = clock::now() + timeout;
        // A connection that waited for nothing may have been closed by the server meanwhile
        // (unnoticed, as nothing read from it): a command it loses that way is sent once more,
        // on a new connection.
        for (bool again = open() && events_->replies_due == 0;; again = false) {
            auto result = co_await send(args, deadline, timeout);
            if (!again || !result.connection_lost) co_return std::move(result.outcome);
        }
    }

    /// Drops the connection, if open: commands in flight complete with `not_connected`. The next
    /// command opens a new one.
    void close() {
        if (open()) redisAsyncFree(events_->context);
        events_.reset();
    }

    /// Whether a connection is open (or being opened).
    bool open() const noexcept { return events_ && events_->context; }

    /// Where it connects.
    const endpoint& where() const noexcept { return where_; }

  private:
    // What `send` made of a command: its outcome, and whether the connection was lost before the
    // reply came (the command may not have reached the server).
    struct sent {
        command_result outcome;
        bool connection_lost = false;
    };

    // `execute` on the open connection, or on a new one.
    boost::asio::awaitable<sent> send(const std::vector<std::string>& args,
                                      clock::time_point deadline,
                                      std::chrono::milliseconds timeout) {
        if (!open()) {
            auto failure = co_await connect();
            if (failure) co_return sent{std::move(*failure)};
        }
        auto waiting = std::make_shared<pending>(ex_, deadline);
        std::vector<const char*> argv;
        std::vector<std::size_t> sizes;
        for (const auto& a : args) {
            argv.push_back(a.data());
            sizes.push_back(a.size());
        }
        const auto sent_on = events_;
        auto* holder = new std::shared_ptr<pending>(waiting);
        if (redisAsyncCommandArgv(events_->context, &on_reply, holder,
                                  static_cast<int>(argv.size()), argv.data(),
                                  sizes.data()) != REDIS_OK) {
            delete holder;
            co_return sent{
                command_failure(boost::asio::error::not_connected,
                                "Redis at " + where_.to_string() + ": the connection closes"),
                true};
        }
        sent_on->expect_reply();
        const auto [ec] =
            co_await waiting->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (waiting->done) {
            if (!waiting->failure.empty())
                co_return sent{
                    command_failure(boost::asio::error::not_connected,
                                    "Redis at " + where_.to_string() + ": " + waiting->failure),
                    true};
            co_return sent{command_reply(std::move(waiting->value))};
        }
        if (ec == boost::asio::error::operation_aborted)
            co_return sent{command_failure(boost::asio::error::operation_aborted, "cancelled")};
        // A late reply would be for nobody, and a server this slow may not answer at all (unless
        // the connection is a new one already). The commands sent with it fail for that reason.
        const std::string why = "no answer within " + std::to_string(timeout.count()) + " ms";
        if (events_ == sent_on) {
            events_->failure = why;
            close();
        }
        co_return sent{command_failure(boost::asio::error::timed_out,
                                       "Redis at " + where_.to_string() + ": " + why)};
    }

    // A command waiting for its reply. Shared by the coroutine that waits and hiredis' callback,
    // which may come after the coroutine gave up (or never, when the connection is dropped: it
    // then comes with no reply).
    struct pending {
        pending(const boost::asio::any_io_executor& ex, clock::time_point deadline)
            : timer(ex, deadline) {}
        boost::asio::steady_timer timer;  // expires at the deadline; cancelled by the reply
        bool done = false;
        std::string failure;  // the connection failed before the reply
        reply value;
    };

    // The socket of one hiredis context, watched for hiredis: `context` is null once hiredis has
    // freed it (its `cleanup` hook), after which nothing touches it. Kept alive by itself until
    // then, and by each wait in flight.
    struct socket_events : std::enable_shared_from_this<socket_events> {
        socket_events(const boost::asio::any_io_executor& ex, redisAsyncContext* c)
            : context(c), socket(ex) {}
        redisAsyncContext* context;
        boost::asio::posix::stream_descriptor socket;
        bool want_read = false;
        bool want_write = false;
        bool reading = false;  // a wait for readability is in flight
        // Replies still to come (commands and AUTH/SELECT sent): the socket is read only while
        // one is due, so that an idle connection holds no operation on the executor (a read
        // armed for ever would keep `io_context::run()` from returning).
        std::size_t replies_due = 0;
        bool writing = false;
        std::string failure;  // why the connection is being dropped, when we drop it
        std::shared_ptr<socket_events> self;

        // A command went out: its reply is read when it comes.
        void expect_reply() {
            ++replies_due;
            watch_read();
        }
        // A reply came (or the connection failed and hiredis gave up on it). hiredis asks for the
        // next read before it hands the replies out: a read armed for a reply that came is
        // cancelled (no write waits then: a command queued for writing is a reply due).
        void reply_came() {
            if (replies_due > 0) --replies_due;
            if (replies_due == 0 && reading && context) {
                boost::system::error_code ignored;
                socket.cancel(ignored);
            }
        }

        void watch_read() {
            if (reading || !context || replies_due == 0) return;
            reading = true;
            socket.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [e = shared_from_this()](boost::system::error_code ec) {
                                  e->reading = false;
                                  if (ec || !e->context || !e->want_read) return;
                                  redisAsyncHandleRead(e->context);
                              });
        }
        void watch_write() {
            if (writing || !context) return;
            writing = true;
            socket.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                              [e = shared_from_this()](boost::system::error_code ec) {
                                  e->writing = false;
                                  if (ec || !e->context || !e->want_write) return;
                                  handle_write(e->context);
                              });
        }

        // hiredis' event hooks: what it wants to wait for.
        static void add_read(void* data) {
            auto* e = static_cast<socket_events*>(data);
            e->want_read = true;
            e->watch_read();
        }
        static void del_read(void* data) { static_cast<socket_events*>(data)->want_read = false; }
        static void add_write(void* data) {
            auto* e = static_cast<socket_events*>(data);
            e->want_write = true;
            e->watch_write();
        }
        static void del_write(void* data) { static_cast<socket_events*>(data)->want_write = false; }
        // The context is being freed, and closes the socket itself: the descriptor lets it go.
        static void cleanup(void* data) {
            auto* e = static_cast<socket_events*>(data);
            auto keep = std::move(e->self);
            e->context = nullptr;
            if (e->socket.is_open()) (void)e->socket.release();
        }
    };

    // hiredis' write handler, with SIGPIPE blocked in this thread: hiredis writes with write(2),
    // which raises SIGPIPE on a connection the server closed (Redis stopped), and the signal's
    // default action ends the process. A SIGPIPE that this write raised is taken before the
    // signal is unblocked; the write fails with EPIPE, and hiredis drops the connection.
    static void handle_write(redisAsyncContext* context) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
        sigset_t old_mask;
        pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
        redisAsyncHandleWrite(context);
        if (!was_pending) {
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec now{0, 0};
                while (sigtimedwait(&pipe_only, nullptr, &now) == -1 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    }

    // hiredis' reply callback: once per command, with no reply when the connection failed.
    static void on_reply(redisAsyncContext* context, void* r, void* data) {
        std::unique_ptr<std::shared_ptr<pending>> holder(
            static_cast<std::shared_ptr<pending>*>(data));
        if (auto* e = static_cast<socket_events*>(context->ev.data)) e->reply_came();
        pending& p = **holder;
        if (r) {
            p.value = copy(*static_cast<redisReply*>(r));
        } else {
            const auto* e = static_cast<const socket_events*>(context->ev.data);
            if (e && !e->failure.empty())
                p.failure = e->failure;
            else if (context->c.err)
                p.failure = context->c.errstr;
            else
                p.failure = "the connection closed";
        }
        p.done = true;
        p.timer.cancel();
    }

    // The reply of AUTH or SELECT, sent first on each connection: an error drops it.
    static void on_setup_reply(redisAsyncContext* context, void* r, void*) {
        if (auto* e = static_cast<socket_events*>(context->ev.data)) e->reply_came();
        const auto* rep = static_cast<const redisReply*>(r);
        if (!rep || rep->type != REDIS_REPLY_ERROR) return;
        if (auto* e = static_cast<socket_events*>(context->ev.data))
            e->failure = "the connection was refused: " + std::string(rep->str, rep->len);
        redisAsyncFree(context);  // hiredis frees it once this callback returns
    }

    static reply copy(const redisReply& r) {
        reply out;
        switch (r.type) {
            case REDIS_REPLY_INTEGER:
                out.type = reply::kind::integer;
                out.integer = r.integer;
                break;
            case REDIS_REPLY_STRING:
                out.type = reply::kind::string;
                out.text.assign(r.str, r.len);
                break;
            case REDIS_REPLY_STATUS:
                out.type = reply::kind::status;
                out.text.assign(r.str, r.len);
                break;
            case REDIS_REPLY_ERROR:
                out.type = reply::kind::error;
                out.text.assign(r.str, r.len);
                break;
            case REDIS_REPLY_ARRAY:
                out.type = reply::kind::array;
                for (std::size_t i = 0; i < r.elements; ++i)
                    out.elements.push_back(copy(*r.element[i]));
                break;
            default:
                out.type = reply::kind::nil;
        }
        return out;
    }

    // AUTH and SELECT, as the connection's first commands (an error drops it). Not in the
    // coroutine: g++ 12 rejects arrays initialised there.
    void send_setup(redisAsyncContext* context) const {
        const auto expect = [context](int status) {
            if (status == REDIS_OK) static_cast<socket_events*>(context->ev.data)->expect_reply();
        };
        if (!where_.password.empty()) {
            if (where_.user.empty()) {
                const char* argv[] = {"AUTH", where_.password.c_str()};
                const std::size_t sizes[] = {4, where_.password.size()};
                expect(redisAsyncCommandArgv(context, &on_setup_reply, nullptr, 2, argv, sizes));
            } else {
                const char* argv[] = {"AUTH", where_.user.c_str(), where_.password.c_str()};
                const std::size_t sizes[] = {4, where_.user.size(), where_.password.size()};
                expect(redisAsyncCommandArgv(context, &on_setup_reply, nullptr, 3, argv, sizes));
            }
        }
        if (where_.database != 0) {
            const std::string db = std::to_string(where_.database);
            const char* argv[] = {"SELECT", db.c_str()};
            const std::size_t sizes[] = {6, db.size()};
            expect(redisAsyncCommandArgv(context, &on_setup_reply, nullptr, 2, argv, sizes));
        }
    }

    // Opens a connection (the address resolved first when it is a name); a failure to report
    // otherwise.
    boost::asio::awaitable<std::optional<command_result>> connect() {
        std::string address = where_.host;
        boost::system::error_code ec;
        (void)boost::asio::ip::make_address(address, ec);
        if (ec) {
            boost::asio::ip::tcp::resolver resolver(ex_);
            // hiredis resolves names with a blocking call: the executor's thread must not wait.
            auto [rec, results] =
                co_await resolver.async_resolve(where_.host, std::to_string(where_.port),
                                                boost::asio::as_tuple(boost::asio::use_awaitable));
            if (rec || results.empty())
                co_return command_failure(boost::asio::error::not_connected,
                                          "Redis at " + where_.to_string() +
                                              ": cannot resolve the host: " + rec.message());
            address = results.begin()->endpoint().address().to_string();
            // Another command may have connected meanwhile.
            if (open()) co_return std::nullopt;
        }
        redisAsyncContext* context = redisAsyncConnect(address.c_str(), where_.port);
        if (!context)
            co_return command_failure(boost::asio::error::not_connected,
                                      "Redis at " + where_.to_string() + ": out of memory");
        if (context->err) {
            std::string why = context->errstr;
            redisAsyncFree(context);
            co_return command_failure(boost::asio::error::not_connected,
                                      "Redis at " + where_.to_string() + ": " + why);
        }
        auto events = std::make_shared<socket_events>(ex_, context);
        events->socket.assign(context->c.fd, ec);
        if (ec) {
            redisAsyncFree(context);
            co_return command_failure(boost::asio::error::not_connected,
                                      "Redis at " + where_.to_string() + ": " + ec.message());
        }
        events->self = events;
        context->ev.data = events.get();
        context->ev.addRead = &socket_events::add_read;
        context->ev.delRead = &socket_events::del_read;
        context->ev.addWrite = &socket_events::add_write;
        context->ev.delWrite = &socket_events::del_write;
        context->ev.cleanup = &socket_events::cleanup;
        events_ = std::move(events);
        send_setup(context);
        co_return std::nullopt;
    }

    boost::asio::any_io_executor ex_;
    endpoint where_;
    std::shared_ptr<socket_events> events_;  // the open connection's, if any
};

}  // namespace permit::detail::redis
