// The PDP's view of the state when writes reach the PDP late (sans-io): a replica of the state
// that receives each change `delay` after the API applied it.
//
// Design. A real PDP learns of a write asynchronously (the API publishes it, OPAL carries it, the
// PDP loads it), so for a while its decisions still see the state from before the write. Here the
// API's state reports every change it makes as a closure that makes the same change to a copy
// (state::on_change): the put of a whole record (same id, seq and timestamps) or a deletion by
// key, replayed with its cascades. The view holds
//   - a replica: a copy of the state taken once, at start, after the initial state is loaded;
//   - a FIFO of the changes not yet due, each stamped with the time it becomes due (the time the
//     API applied it plus `delay`) and a sequence number.
// `advance(now)` replays, in order, the changes due by `now`; the decision routes read the replica
// after advancing it, so they see exactly the writes applied at least `delay` ago. Every request
// advances the view, so the FIFO holds only the changes of the last `delay` and the replica costs
// one more copy of the state, made once: no write copies the state. A bulk write of 3,000 users
// queues 3,000 user records (plus their role assignments), replayed later at the same cost as the
// original insertions. With a zero delay there is no view at all: the decision routes read the
// API's state and no change is recorded.
//
// Sequence numbers tell a facts-proxy write when the PDP has it: the write remembers the last
// sequence number recorded when it was applied (`recorded()`), and the PDP has it once
// `applied() >= ` that number.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>

#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail {

class pdp_view {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    /// A replica of `upstream` as it is now; it receives the changes given to `record`.
    pdp_view(const state& upstream, std::chrono::nanoseconds delay)
        : replica_(upstream), delay_(delay) {
        replica_.on_change(nullptr);  // the copy took the sink along, if there was one
    }

    std::chrono::nanoseconds delay() const { return delay_; }

    /// Queues a change that the API applied at `applied_at`; it is due `delay` later.
    void record(time_point applied_at, state::change c) {
        pending_.push_back({applied_at + delay_, ++recorded_, std::move(c)});
    }

    /// Replays, in order, every change due by `now`.
    void advance(time_point now) {
        while (!pending_.empty() && pending_.front().due <= now) {
            try {
                pending_.front().apply(replica_);
            } catch (const api_failure&) {
                // The replica went through the same changes in the same order, so a replay cannot
                // fail; should one, the replica carries on with the next change.
            }
            applied_ = pending_.front().seq;
            pending_.pop_front();
        }
    }

    /// The state as the PDP sees it at `now`.
    const state& at(time_point now) {
        advance(now);
        return replica_;
    }
    state& replica() { return replica_; }

    /// The sequence number of the last change recorded (0 before the first).
    std::uint64_t recorded() const { return recorded_; }
    /// The sequence number of the last change replayed.
    std::uint64_t applied() const { return applied_; }
    /// How many changes wait to be replayed.
    std::size_t pending() const { return pending_.size(); }

  private:
    struct pending_change {
        time_point due;
        std::uint64_t seq;
        state::change apply;
    };

    state replica_;
    std::chrono::nanoseconds delay_;
    std::deque<pending_change> pending_;
    std::uint64_t recorded_ = 0;
    std::uint64_t applied_ = 0;
};

}  // namespace permit::testing::detail
