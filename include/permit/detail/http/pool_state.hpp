// The bookkeeping of a connection pool, without sockets or timers: which connection a caller gets,
// when a new one may be opened, who waits, and which idle connections are too old. The async pool
// (http/pool.hpp) does what these decisions say; the unit tests drive them with a fake clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace permit::detail::http {

template <class Connection, class Clock = std::chrono::steady_clock>
class pool_state {
  public:
    using time_point = typename Clock::time_point;
    using duration = typename Clock::duration;
    using waiter_id = std::uint64_t;

    /// `max_connections` is at least 1.
    pool_state(std::size_t max_connections, duration idle_timeout)
        : max_connections_(std::max<std::size_t>(1, max_connections))
        , idle_timeout_(idle_timeout) {}

    /// What a caller that wants a connection should do.
    struct acquire_decision {
        enum class kind {
            reuse,  ///< take `connection`, an idle keep-alive connection
            open,   ///< a slot is reserved: open a new connection (and release the slot if that
                    ///< fails)
            wait,   ///< every slot is busy: wait as `waiter` for a hand-off
        } what;
        Connection connection{};
        waiter_id waiter = 0;
    };

    /// A connection or a slot given to a waiter, oldest waiter first.
    struct handoff {
        enum class kind {
            none,        ///< nobody was waiting
            connection,  ///< `waiter` gets `connection`, ready to reuse
            open_slot,   ///< `waiter` gets a reserved slot and opens a connection itself
        } what = kind::none;
        waiter_id waiter = 0;
        Connection connection{};
    };

    /// Call `take_expired` first, so that a connection past its idle timeout is not reused.
    /// `fresh`: the caller needs a new connection; an idle one, if any, gives up its slot (it is
    /// returned in `connection` with kind `open`, for the caller to close).
    acquire_decision acquire(bool fresh = false) {
        if (fresh && !idle_.empty()) {
            // The oldest: the one most likely to have been closed by the server too.
            Connection c = std::move(idle_.front().connection);
            idle_.pop_front();
            return {acquire_decision::kind::open, std::move(c), 0};
        }
        if (!idle_.empty()) {
            // The most recently used one: the others then age out when traffic drops.
            Connection c = std::move(idle_.back().connection);
            idle_.pop_back();
            return {acquire_decision::kind::reuse, std::move(c), 0};
        }
        if (open_ < max_connections_) {
            ++open_;
            return {acquire_decision::kind::open, Connection{}, 0};
        }
        const waiter_id id = ++last_waiter_;
        waiters_.push_back(id);
        return {acquire_decision::kind::wait, Connection{}, id};
    }

    /// Idle connections unused for longer than the idle timeout, removed from the pool: the caller
    /// closes them.
    std::vector<Connection> take_expired(time_point now) {
        std::vector<Connection> out;
        while (!idle_.empty() && now - idle_.front().since >= idle_timeout_) {
            out.push_back(std::move(idle_.front().connection));
            idle_.pop_front();
            --open_;
        }
        return out;
    }

    /// A connection finished an exchange and may serve another (the whole response was read and
    /// the server did not ask to close). It goes to the oldest waiter, or idles.
    handoff release_reusable(Connection c, time_point now) {
        if (!waiters_.empty()) {
            const waiter_id id = waiters_.front();
            waiters_.pop_front();
            return {handoff::kind::connection, id, std::move(c)};
        }
        idle_.push_back({std::move(c), now});
        return {};
    }

    /// A connection was closed (it failed, timed out, or may not be reused), or opening one
    /// failed: its slot is free. The oldest waiter gets the slot.
    handoff release_slot() {
        if (open_ > 0) --open_;
        if (!waiters_.empty() && open_ < max_connections_) {
            const waiter_id id = waiters_.front();
            waiters_.pop_front();
            ++open_;
            return {handoff::kind::open_slot, id, Connection{}};
        }
        return {};
    }

    /// A waiter gave up (cancelled). Returns false if it is no longer queued, that is, it was
    /// already handed a connection or a slot, which it must give back.
    bool cancel_wait(waiter_id id) {
        auto it = std::find(waiters_.begin(), waiters_.end(), id);
        if (it == waiters_.end()) return false;
        waiters_.erase(it);
        return true;
    }

    /// Empties the pool: returns the idle connections (to close) and the queued waiters (to fail).
    /// Connections in use stay counted until they are released.
    std::pair<std::vector<Connection>, std::vector<waiter_id>> shutdown() {
        std::vector<Connection> idle;
        for (auto& entry : idle_) idle.push_back(std::move(entry.connection));
        open_ -= std::min(open_, idle_.size());
        idle_.clear();
        std::vector<waiter_id> waiters(waiters_.begin(), waiters_.end());
        waiters_.clear();
        return {std::move(idle), std::move(waiters)};
    }

    /// Connections open or being opened, idle ones included.
    std::size_t open_count() const noexcept { return open_; }
    std::size_t idle_count() const noexcept { return idle_.size(); }
    std::size_t waiting_count() const noexcept { return waiters_.size(); }
    std::size_t max_connections() const noexcept { return max_connections_; }

  private:
    struct idle_entry {
        Connection connection;
        time_point since;
    };

    std::size_t max_connections_;
    duration idle_timeout_;
    std::size_t open_ = 0;
    std::deque<idle_entry> idle_;  // oldest first
    std::deque<waiter_id> waiters_;
    waiter_id last_waiter_ = 0;
};

}  // namespace permit::detail::http
