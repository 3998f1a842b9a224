// The bookkeeping of the client-side rate limiter, without timers: which waiting request may go,
// when the next one may, and how a 429 slows a class down. The async limiter (rate/limiter.hpp)
// does what these decisions say; the unit tests drive them with a fake clock.
#pragma once

#include <permit/detail/rate/limit_class.hpp>
#include <permit/rate/limits.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace permit::detail::rate {

/// The bookkeeping of `limiter`, without timers: which waiting request may go, when the next one
/// may, and how a 429 slows a class down. `Clock` is injected so that tests drive it. Not
/// thread-safe.
template <class Clock = std::chrono::steady_clock>
class limiter_state {
  public:
    /// A reading of `Clock`.
    using time_point = typename Clock::time_point;
    /// A span of `Clock` time.
    using duration = typename Clock::duration;
    /// Identifies a queued request.
    using waiter_id = std::uint64_t;

  private:
    static constexpr class_set set_count = 1u << class_count;

  public:
    /// The state of a limiter applying `options` (`mode` aside), with `slowdown` brought within
    /// 0.01 to 1.
    explicit limiter_state(const rate_limit_options& options) : slowdown_(options.slowdown) {
        slowdown_ = std::clamp(slowdown_, 0.01, 1.0);
        max_pause_ = std::chrono::duration_cast<duration>(options.max_pause);
        set(limit_class::all, options.all);
        set(limit_class::writes, options.writes);
        set(limit_class::deletes, options.deletes);
        set(limit_class::bulk, options.bulk);
    }

    /// The result of `acquire`.
    struct acquire_result {
        bool granted;      ///< the request may go now (it holds a token of each of its classes)
        waiter_id waiter;  ///< otherwise it waits as this, until `grant` names it
    };

    /// A request of `classes` asks to go. It goes at once when each of its classes has a token and
    /// nobody queued earlier waits for one of them; otherwise it queues.
    acquire_result acquire(class_set classes, time_point now) {
        const waiter_id id = ++last_waiter_;
        queue_.push_back({id, classes});
        ++queued_by_set_[classes % set_count];
        bool self = false;
        for (const auto& w : scan(now)) {
            if (w.id == id)
                self = true;
            else
                ready_.push_back(w);
        }
        return {self, self ? 0 : id};
    }

    /// The queued requests that may go now, oldest first; each now holds its tokens. Waiters stay
    /// in order within each class: a later request never takes a token an earlier one waits for.
    std::vector<waiter_id> grant(time_point now) {
        std::vector<waiter_id> out;
        for (const auto& w : ready_) out.push_back(w.id);
        ready_.clear();
        for (const auto& w : scan(now)) out.push_back(w.id);
        return out;
    }

    /// A granted request is over. If it was `sent`, its tokens come back one window from `now`
    /// (when its response arrived, so the server counted it before); otherwise at once.
    void release(class_set classes, time_point now, bool sent) {
        for (unsigned c = 0; c < class_count; ++c) {
            if (!(classes & (1u << c))) continue;
            auto& b = buckets_[c];
            if (b.nominal == 0) continue;
            if (b.held > 0) --b.held;
            if (sent) b.cooling.push_back(now + b.window);
        }
    }

    /// The server answered a request of `classes` with 429: its narrowest class shrinks by the
    /// slowdown factor (to 1 at least) and pauses for `retry_after` (capped), if the server said.
    void on_rate_limited(class_set classes, time_point now, std::optional<duration> retry_after) {
        // The narrowest class that is limited at all (an unlimited class cannot slow down).
        class_set limited = 0;
        for (unsigned c = 0; c < class_count; ++c)
            if ((classes & (1u << c)) && buckets_[c].nominal != 0) limited |= 1u << c;
        if (limited == 0) return;
        auto& b = buckets_[static_cast<unsigned>(narrowest(limited))];
        refresh(b, now);  // the growth earned since the last 429 counts before shrinking
        b.effective = std::max<std::uint32_t>(
            1, static_cast<std::uint32_t>(static_cast<double>(b.effective) * slowdown_));
        b.calm_since = now;
        if (retry_after)
            b.paused_until = std::max(b.paused_until, now + std::min(*retry_after, max_pause_));
    }

    /// A waiter gave up. False if it is not queued (it was granted and must `release`).
    bool cancel(waiter_id id) {
        auto it =
            std::find_if(queue_.begin(), queue_.end(), [id](const auto& w) { return w.id == id; });
        if (it == queue_.end()) return false;
        --queued_by_set_[it->classes % set_count];
        queue_.erase(it);
        return true;
    }

    /// When a waiter may next be granted (a token comes back, a pause ends, a class grows), if
    /// anyone waits and time alone can change that. A `release` may grant sooner.
    std::optional<time_point> next_change(time_point now) {
        if (queue_.empty() && ready_.empty()) return std::nullopt;
        if (!ready_.empty()) return now;
        class_set waiting = 0;
        for (class_set s = 0; s < set_count; ++s)
            if (queued_by_set_[s] > 0) waiting |= s;
        std::optional<time_point> out;
        auto consider = [&out, now](time_point t) {
            if (t > now && (!out || t < *out)) out = t;
        };
        for (unsigned c = 0; c < class_count; ++c) {
            if (!(waiting & (1u << c))) continue;
            auto& b = buckets_[c];
            if (b.nominal == 0) continue;
            refresh(b, now);
            if (b.paused_until > now) consider(b.paused_until);
            if (!b.cooling.empty()) consider(b.cooling.front());
            if (b.effective < b.nominal) consider(b.calm_since + b.window);
        }
        return out;
    }

    /// Empties the queue: returns the waiters, to fail them.
    std::vector<waiter_id> shutdown() {
        std::vector<waiter_id> out;
        // Granted but not yet told: their tokens go back, since they will never be released.
        for (const auto& w : ready_) {
            out.push_back(w.id);
            for (unsigned c = 0; c < class_count; ++c)
                if ((w.classes & (1u << c)) && buckets_[c].held > 0) --buckets_[c].held;
        }
        for (const auto& w : queue_) out.push_back(w.id);
        ready_.clear();
        queue_.clear();
        queued_by_set_.fill(0);
        return out;
    }

    /// The current limit of class `c` (lower than configured after a 429).
    std::uint32_t limit(limit_class c) const noexcept {
        return buckets_[static_cast<unsigned>(c)].effective;
    }
    /// Tokens of class `c` free at `now`.
    std::uint32_t available(limit_class c, time_point now) {
        auto& b = buckets_[static_cast<unsigned>(c)];
        refresh(b, now);
        return free_tokens(b, now);
    }
    /// Requests queued and not yet granted.
    std::size_t waiting_count() const noexcept { return queue_.size(); }

  private:
    struct bucket {
        std::uint32_t nominal = 0;  // 0: the class is not limited
        std::uint32_t effective = 0;
        duration window{};
        std::uint32_t held = 0;          // granted, not released
        std::deque<time_point> cooling;  // when spent tokens come back, earliest first
        time_point paused_until{};
        time_point calm_since{};  // the last 429 or growth step
    };

    struct waiter {
        waiter_id id;
        class_set classes;
    };

    void set(limit_class c, const rate_limit& limit) {
        auto& b = buckets_[static_cast<unsigned>(c)];
        b.nominal = b.effective = limit.limit;
        b.window = std::chrono::duration_cast<duration>(limit.window);
    }

    void refresh(bucket& b, time_point now) {
        while (!b.cooling.empty() && b.cooling.front() <= now) b.cooling.pop_front();
        // A window without a 429 grows a shrunk class by a tenth of its limit.
        while (b.effective < b.nominal && now - b.calm_since >= b.window) {
            b.effective =
                std::min(b.nominal, b.effective + std::max<std::uint32_t>(1, b.nominal / 10));
            b.calm_since += b.window;
        }
    }

    static std::uint32_t free_tokens(const bucket& b, time_point now) {
        if (b.nominal == 0) return UINT32_MAX;
        if (b.paused_until > now) return 0;
        const std::size_t used = b.held + b.cooling.size();
        return used >= b.effective ? 0 : static_cast<std::uint32_t>(b.effective - used);
    }

    // Grants, in queue order, every waiter whose classes all have a token and are not awaited by
    // an earlier waiter.
    std::vector<waiter> scan(time_point now) {
        std::vector<waiter> out;
        for (auto& b : buckets_) refresh(b, now);
        class_set blocked = 0;
        // Waiters not yet visited, per class set: the scan stops once every one of them needs a
        // blocked class, so a backlog of requests of one kind costs O(1), not O(queue).
        auto remaining = queued_by_set_;
        for (auto it = queue_.begin(); it != queue_.end();) {
            --remaining[it->classes % set_count];
            class_set lacking = 0;
            for (unsigned c = 0; c < class_count; ++c)
                if ((it->classes & (1u << c)) && free_tokens(buckets_[c], now) == 0)
                    lacking |= 1u << c;
            if (lacking == 0 && (it->classes & blocked) == 0) {
                for (unsigned c = 0; c < class_count; ++c)
                    if ((it->classes & (1u << c)) && buckets_[c].nominal != 0) ++buckets_[c].held;
                out.push_back(*it);
                --queued_by_set_[it->classes % set_count];
                it = queue_.erase(it);
            } else {
                // Only the classes it lacks are reserved for it: a request that needs other
                // classes may still pass (a GET is not held up by a DELETE waiting for its class).
                blocked |= lacking;
                ++it;
                if (lacking != 0 && everyone_blocked(remaining, blocked)) break;
            }
        }
        return out;
    }

    static bool everyone_blocked(const std::array<std::size_t, set_count>& remaining,
                                 class_set blocked) {
        for (class_set s = 0; s < set_count; ++s)
            if (remaining[s] > 0 && (s & blocked) == 0) return false;
        return true;
    }

    std::array<bucket, class_count> buckets_{};
    double slowdown_;
    duration max_pause_{};
    std::deque<waiter> queue_;
    std::array<std::size_t, set_count> queued_by_set_{};
    std::vector<waiter> ready_;  // granted by `acquire`'s scan, to be reported by `grant`
    waiter_id last_waiter_ = 0;
};

}  // namespace permit::detail::rate
