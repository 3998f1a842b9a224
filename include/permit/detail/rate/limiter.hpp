// The client-side rate limiter: requests to the REST API wait here for a token of each of their
// classes, first come first served, and can be cancelled while they wait.
#pragma once

#include <permit/detail/rate/limiter_state.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

/// \namespace permit::detail::rate
/// The client-side rate limiter of requests to the REST API (`config::rate_limits`): the limit
/// classes, the limiter, and its bookkeeping.
namespace permit::detail::rate {

/// Paces requests under `rate_limit_options`: the interface the client and the bulk pipeline
/// use, kept by this process alone (`local_limiter`) or shared with other clients through Redis
/// (`shared_limiter`, with `PERMIT_WITH_REDIS`). Not thread-safe: the client runs it on its
/// executor (a strand in thread-safe mode).
class limiter {
  public:
    /// A limiter.
    limiter() = default;
    /// Not copyable.
    limiter(const limiter&) = delete;
    /// Not copyable.
    limiter& operator=(const limiter&) = delete;
    /// Destroys the limiter; nobody may wait in it then.
    virtual ~limiter() = default;

    /// Waits until the request of `classes` may go; it then holds one token of each, which
    /// `release` gives back. Completes with `operation_aborted` when the caller's cancellation
    /// slot fires (any type) or `cancel_all()` is called; nothing is held then.
    virtual boost::asio::awaitable<boost::system::error_code> acquire(class_set classes) = 0;

    /// A request that `acquire` let through is over: `sent` if it may have reached the server.
    virtual void release(class_set classes, bool sent) = 0;

    /// Tokens of class `c` free now (none while a 429 pauses it; UINT32_MAX when `c` is not
    /// limited).
    virtual std::uint32_t available(limit_class c) = 0;

    /// The server answered a request of `classes` with 429, asking to wait `retry_after` if set.
    virtual void on_rate_limited(class_set classes,
                                 std::optional<std::chrono::milliseconds> retry_after) = 0;

    /// Fails every waiting request with `operation_aborted`.
    virtual void cancel_all() = 0;

    /// Requests waiting in `acquire`.
    virtual std::size_t waiting_count() const noexcept = 0;
    /// The current limit of class `c` (lower than configured after a 429).
    virtual std::uint32_t limit(limit_class c) const noexcept = 0;
};

/// The limiter of one client alone: its budget lives in this process. Not thread-safe.
class local_limiter final : public limiter {
  public:
    /// The clock the windows are measured with.
    using clock = std::chrono::steady_clock;

    /// A limiter applying `options` (`mode` and the Redis settings aside: the client decides
    /// which limiter to use), with its timer on `ex`.
    local_limiter(boost::asio::any_io_executor ex, const rate_limit_options& options)
        : ex_(std::move(ex)), state_(options), wake_(ex_) {}

    /// Waits until the request of `classes` may go; it then holds one token of each, which
    /// `release` gives back. Completes with `operation_aborted` when the caller's cancellation
    /// slot fires (any type) or `cancel_all()` is called; nothing is held then.
    boost::asio::awaitable<boost::system::error_code> acquire(class_set classes) override {
        auto first = state_.acquire(classes, clock::now());
        if (first.granted) {
            pump();  // wakes anyone the same scan let through
            co_return boost::system::error_code{};
        }
        waiter w(*this, first.waiter);
        pump();
        if (!w.granted && !w.aborted)
            co_await w.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        const bool cancelled = (co_await boost::asio::this_coro::cancellation_state).cancelled() !=
                               boost::asio::cancellation_type::none;
        if (w.granted && !cancelled && !w.aborted) co_return boost::system::error_code{};
        if (w.granted) {
            // Granted and cancelled at once: the tokens go back unused.
            state_.release(classes, clock::now(), false);
            w.granted = false;
            w.released = true;
        }
        co_return boost::asio::error::operation_aborted;
    }

    /// A request that `acquire` let through is over: `sent` if it may have reached the server.
    void release(class_set classes, bool sent) override {
        state_.release(classes, clock::now(), sent);
        pump();
    }

    /// Tokens of class `c` free now (none while a 429 pauses it; UINT32_MAX when `c` is not
    /// limited).
    std::uint32_t available(limit_class c) override { return state_.available(c, clock::now()); }

    /// The server answered a request of `classes` with 429, asking to wait `retry_after` if set.
    void on_rate_limited(class_set classes,
                         std::optional<std::chrono::milliseconds> retry_after) override {
        std::optional<clock::duration> pause;
        if (retry_after) pause = std::chrono::duration_cast<clock::duration>(*retry_after);
        state_.on_rate_limited(classes, clock::now(), pause);
    }

    /// Fails every waiting request with `operation_aborted`.
    void cancel_all() override {
        for (const auto id : state_.shutdown()) {
            if (auto it = waiters_.find(id); it != waiters_.end()) {
                it->second->aborted = true;
                it->second->timer.cancel();
            }
        }
    }

    /// Requests waiting in `acquire`.
    std::size_t waiting_count() const noexcept override { return state_.waiting_count(); }
    /// The current limit of class `c` (lower than configured after a 429).
    std::uint32_t limit(limit_class c) const noexcept override { return state_.limit(c); }

  private:
    struct waiter {
        waiter(local_limiter& l, limiter_state<>::waiter_id waiter_id)
            : owner(l), id(waiter_id), timer(l.ex_, clock::time_point::max()) {
            owner.waiters_.emplace(id, this);
        }
        waiter(const waiter&) = delete;
        waiter& operator=(const waiter&) = delete;
        ~waiter() {
            owner.waiters_.erase(id);
            // A waiter that leaves the queue may unblock the ones behind it.
            if (!granted && !released && owner.state_.cancel(id)) owner.pump();
        }
        local_limiter& owner;
        limiter_state<>::waiter_id id;
        boost::asio::steady_timer timer;
        bool granted = false;
        bool released = false;
        bool aborted = false;
    };

    // Wakes every waiter that may go, and sets the timer for the next moment one may.
    void pump() {
        const auto now = clock::now();
        for (const auto id : state_.grant(now)) {
            // Every queued waiter is registered: grants are delivered before any waiter can leave.
            auto it = waiters_.find(id);
            if (it == waiters_.end()) continue;
            it->second->granted = true;
            it->second->timer.cancel();
        }
        const auto next = state_.next_change(now);
        if (!next || (armed_ && *next >= armed_at_)) return;
        armed_ = true;
        armed_at_ = *next;
        const auto generation = ++generation_;
        wake_.expires_at(*next);
        wake_.async_wait(
            [this, generation, alive = std::weak_ptr<int>(alive_)](boost::system::error_code) {
                if (alive.expired() || generation != generation_) return;
                armed_ = false;
                pump();
            });
    }

    boost::asio::any_io_executor ex_;
    limiter_state<> state_;
    std::unordered_map<limiter_state<>::waiter_id, waiter*> waiters_;
    boost::asio::steady_timer wake_;
    bool armed_ = false;
    clock::time_point armed_at_{};
    std::uint64_t generation_ = 0;
    // The timer's handler may run after the limiter is gone (its wait is then cancelled).
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace permit::detail::rate
