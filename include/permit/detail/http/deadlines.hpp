// The deadlines of the operations in progress on the connections of one pool, enforced by one
// timer: starting or ending an operation links or unlinks its deadline in a list kept in time
// order, and the timer is set only when the earliest deadline moves earlier, so that a request
// costs no timer operation of its own (every request of a pool has the same timeout, so a new
// deadline is the latest one). The list is sans-io (`deadline_list`, unit-tested with a fake
// clock); `deadline_watch` drives it with a timer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

namespace permit::detail::http {

/// Deadlines in time order, as an intrusive doubly linked list: linking one later than every
/// other (the usual case) and unlinking any are constant-time; an earlier one is placed by a walk
/// from the latest. Not thread-safe.
template <class Clock = std::chrono::steady_clock>
class deadline_list {
  public:
    /// A reading of `Clock`.
    using time_point = typename Clock::time_point;

    /// One operation's deadline; it belongs to whoever runs the operation, and must be unlinked
    /// before it is destroyed.
    struct entry {
        /// When the operation is due to end.
        time_point at{};
        /// Whether it is in a list.
        bool linked = false;
        entry* prev = nullptr;
        entry* next = nullptr;
    };

    deadline_list() = default;
    deadline_list(const deadline_list&) = delete;
    deadline_list& operator=(const deadline_list&) = delete;

    /// Links `e` (not linked) with deadline `at`, after the entries due at or before `at`.
    void add(entry& e, time_point at) noexcept {
        e.at = at;
        e.linked = true;
        entry* after = tail_;
        while (after && after->at > at) after = after->prev;
        e.prev = after;
        e.next = after ? after->next : head_;
        if (e.next)
            e.next->prev = &e;
        else
            tail_ = &e;
        if (after)
            after->next = &e;
        else
            head_ = &e;
    }

    /// Unlinks `e`; nothing when it is not linked.
    void remove(entry& e) noexcept {
        if (!e.linked) return;
        if (e.prev)
            e.prev->next = e.next;
        else
            head_ = e.next;
        if (e.next)
            e.next->prev = e.prev;
        else
            tail_ = e.prev;
        e.prev = e.next = nullptr;
        e.linked = false;
    }

    /// The earliest entry, or null.
    entry* front() const noexcept { return head_; }

    /// Unlinks and returns the earliest entry if it is due at `now`; null otherwise.
    entry* pop_due(time_point now) noexcept {
        entry* e = head_;
        if (!e || e->at > now) return nullptr;
        remove(*e);
        return e;
    }

    /// Whether no entry is linked.
    bool empty() const noexcept { return head_ == nullptr; }

  private:
    entry* head_ = nullptr;
    entry* tail_ = nullptr;
};

/// One timer over a `deadline_list`: when it finds an entry due, it unlinks it and calls the
/// entry's `expire` (a connection closes its socket, so that the operation in progress completes
/// with `operation_aborted`, and notes that it timed out). Copies share the list and the timer;
/// `close()` stops the timer for good. Not thread-safe: it runs on its executor (the pool's).
class deadline_watch {
  public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    /// A deadline with what to do when it passes: `expire(context)`.
    struct entry : deadline_list<clock>::entry {
        void (*expire)(void* context) = nullptr;
        void* context = nullptr;
    };

    explicit deadline_watch(const boost::asio::any_io_executor& ex)
        : core_(std::make_shared<core>(ex)) {}

    /// Links `e` with deadline `at`; the timer is set if `at` is the earliest deadline.
    void start(entry& e, time_point at) {
        core_->list.add(e, at);
        if (!core_->armed || at < core_->armed_for) arm(core_, at);
    }

    /// Unlinks `e` (the operation ended in time). When no deadline is left, the timer is
    /// cancelled, so that it does not keep its `io_context` running; not at once, but once the
    /// handlers ready to run have run: the next request, which a caller usually starts right after
    /// a response, then finds the timer set and costs no timer operation.
    void stop(entry& e) noexcept {
        auto& c = *core_;
        c.list.remove(e);
        if (!c.list.empty() || !c.armed || c.idle_check_posted) return;
        try {
            boost::asio::post(c.timer.get_executor(), [core = core_] {
                core->idle_check_posted = false;
                if (core->list.empty()) disarm(*core);
            });
            c.idle_check_posted = true;
        } catch (...) {
            disarm(c);  // no memory to defer it: at once
        }
    }

    /// Stops the timer for good (the pool goes away): no entry expires after this.
    void close() noexcept {
        core_->closed = true;
        disarm(*core_);
    }

  private:
    struct core {
        explicit core(const boost::asio::any_io_executor& ex) : timer(ex) {}
        boost::asio::steady_timer timer;
        deadline_list<clock> list;
        time_point armed_for{};
        bool armed = false;
        bool closed = false;
        bool idle_check_posted = false;
        // Which wait is current: a wait superseded by a later `arm` may still complete with
        // success if it expired just before.
        std::uint64_t generation = 0;
    };

    static void disarm(core& c) noexcept {
        if (!c.armed) return;
        c.armed = false;
        ++c.generation;
        try {
            c.timer.cancel();
        } catch (...) {
            // Only a failing system call could throw; the wait then ends when the timer expires.
        }
    }

    static void arm(const std::shared_ptr<core>& c, time_point at) {
        if (c->closed) return;
        c->armed = true;
        c->armed_for = at;
        const auto generation = ++c->generation;
        c->timer.expires_at(at);
        // The handler keeps the list alive: it may run after the pool is gone.
        c->timer.async_wait([c, generation](const boost::system::error_code& ec) {
            if (ec || generation != c->generation || c->closed) return;
            c->armed = false;
            const auto now = clock::now();
            while (auto* due = c->list.pop_due(now)) {
                auto& e = static_cast<entry&>(*due);
                e.expire(e.context);
            }
            if (auto* next = c->list.front()) arm(c, next->at);
        });
    }

    std::shared_ptr<core> core_;
};

}  // namespace permit::detail::http
