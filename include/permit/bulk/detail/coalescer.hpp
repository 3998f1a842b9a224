// The queue of one kind of bulk item (users, tenants or role assignments): when a batch is due,
// and which items it carries. No I/O; the batcher drives it with the clock readings.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace permit::bulk::detail {

/// Items waiting to be sent in batches of at most `max_batch`. A batch is due when `max_batch`
/// items wait, when the oldest has waited `linger`, or, for a partial batch, when the caller may
/// send at once (a bulk rate-limit token is free and no full batch is waiting elsewhere). Under a
/// backlog every batch is full. At most `capacity` items wait: `push` refuses more, which is
/// how backpressure reaches the callers.
///
/// The items wait in runs of up to `max_batch`, each a vector that becomes a batch as it is: a
/// full batch leaves without its items being moved, and a run's memory (an earlier batch's, given
/// back through `recycle`) is used again, where a deque would allocate a block every few items of
/// a large `Item`.
///
/// Not thread-safe; one per item kind.
template <class Item, class Clock = std::chrono::steady_clock>
class coalescer {
  public:
    using time_point = typename Clock::time_point;
    using duration = typename Clock::duration;

    coalescer(std::size_t max_batch, duration linger, std::size_t capacity)
        : max_batch_(std::max<std::size_t>(1, max_batch))
        , linger_(linger)
        , capacity_(std::max(capacity, max_batch_)) {}

    /// Calls `f(item)` for each waiting item, oldest first.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& run : runs_)
            for (const auto& item : run) f(item);
    }

    /// Whether `push` would refuse an item.
    bool full() const noexcept { return size_ >= capacity_; }

    /// Queues `item`, which arrived at `now`. False (and nothing queued) when full.
    bool push(const Item& item, time_point now) { return push(Item(item), now); }
    /// As above, taking `item` over.
    bool push(Item&& item, time_point now) { return emplace(now, std::move(item)); }

    /// As `push`, with the item made in the queue from `args` (the members of `Item`).
    template <class... Args>
    bool emplace(time_point now, Args&&... args) {
        if (full()) return false;
        // The time first: if the item cannot be queued, the queue is left as it was.
        since_.push_back(now);
        try {
            auto& run = last_run();
            // (An aggregate is made in place where the compiler makes it from parentheses.)
            if constexpr (std::is_constructible_v<Item, Args&&...>)
                run.emplace_back(std::forward<Args>(args)...);
            else
                run.push_back(Item{std::forward<Args>(args)...});
        } catch (...) {
            since_.pop_back();
            throw;
        }
        added();
        return true;
    }

    /// Queues `item`, whose call arrived at `arrived` and already waited elsewhere (e.g. for a
    /// dependency), ahead of the items that did not, and behind those that did, in the order
    /// they came. Its linger counts from its call's arrival (kept between its neighbours', so the
    /// queue stays oldest first): a call is not made to linger twice. False (and nothing queued)
    /// when full.
    bool push_waited(const Item& item, time_point arrived) {
        return push_waited(Item(item), arrived);
    }
    /// As above, taking `item` over.
    bool push_waited(Item&& item, time_point arrived) {
        if (full()) return false;
        const auto at = since_.begin() + static_cast<std::ptrdiff_t>(waited_);
        time_point since = arrived;
        if (at != since_.end()) since = std::min(since, *at);
        if (at != since_.begin()) since = std::max(since, *std::prev(at));
        since_.insert(at, since);
        try {
            insert_at(waited_, std::move(item));
        } catch (...) {
            since_.erase(since_.begin() + static_cast<std::ptrdiff_t>(waited_));
            throw;
        }
        ++waited_;
        added();
        return true;
    }

    /// Whether a full batch waits.
    bool has_full_batch() const noexcept { return size_ >= max_batch_; }

    /// The batch due at `now`, oldest items first, if any: a full one, or a partial one when the
    /// oldest item has lingered long enough or `send_partial_now`; at most `limit` items of it.
    std::optional<std::vector<Item>> take(time_point now, bool send_partial_now,
                                          std::size_t limit = SIZE_MAX) {
        if (size_ == 0) return std::nullopt;
        if (!due(now, send_partial_now)) return std::nullopt;
        const std::size_t n = std::min({max_batch_, size_, std::max<std::size_t>(1, limit)});
        std::vector<Item> batch;
        if (runs_.front().size() == n) {
            // The common case: the oldest run is the batch.
            batch = std::move(runs_.front());
            runs_.pop_front();
        } else {
            batch = take_spare();
            batch.reserve(n);
            while (batch.size() < n) {
                auto& run = runs_.front();
                const auto k = static_cast<std::ptrdiff_t>(std::min(n - batch.size(), run.size()));
                batch.insert(batch.end(), std::make_move_iterator(run.begin()),
                             std::make_move_iterator(run.begin() + k));
                run.erase(run.begin(), run.begin() + k);
                if (run.empty()) {
                    keep_spare(std::move(run));
                    runs_.pop_front();
                }
            }
        }
        since_.erase(since_.begin(), since_.begin() + static_cast<std::ptrdiff_t>(n));
        last_taken_ = n;
        size_ -= n;
        waited_ -= std::min(waited_, n);
        return batch;
    }

    /// Takes back a batch that is over (its items are destroyed), keeping its memory for the items
    /// queued next (the vectors of at most two batches are kept).
    void recycle(std::vector<Item>&& batch) { keep_spare(std::move(batch)); }

    /// The number of items `take(now, send_partial_now)` would return (0: no batch is due).
    std::size_t due_size(time_point now, bool send_partial_now) const {
        if (size_ == 0 || !due(now, send_partial_now)) return 0;
        return std::min(max_batch_, size_);
    }

    /// When the oldest waiting item's linger ends (a partial batch is due then), if any waits.
    std::optional<time_point> deadline() const {
        if (size_ == 0) return std::nullopt;
        return since_.front() + linger_;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t max_batch() const noexcept { return max_batch_; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// The most items that ever waited at once.
    std::size_t high_water() const noexcept { return high_water_; }

  private:
    bool due(time_point now, bool send_partial_now) const {
        return has_full_batch() || send_partial_now || now - since_.front() >= linger_;
    }

    void added() {
        ++size_;
        high_water_ = std::max(high_water_, size_);
    }

    // The run a new item goes to: the last one, or a new one when that is full. A new run has
    // room for as many items as the last batch took at once: a run that fills up to a full batch
    // is not moved item by item as it grows, and a trickle's runs stay small.
    std::vector<Item>& last_run() {
        if (runs_.empty() || runs_.back().size() >= max_batch_) {
            auto run = take_spare();
            if (run.capacity() < last_taken_) run.reserve(last_taken_);
            runs_.push_back(std::move(run));
        }
        return runs_.back();
    }

    // Puts `item` at position `index` of the waiting items (a run may grow past `max_batch`;
    // `take` then moves its items out one by one).
    void insert_at(std::size_t index, Item&& item) {
        for (auto run = runs_.begin(); run != runs_.end(); ++run) {
            if (index < run->size() || (index == run->size() && run->size() < max_batch_)) {
                run->insert(run->begin() + static_cast<std::ptrdiff_t>(index), std::move(item));
                return;
            }
            index -= run->size();
        }
        last_run().push_back(std::move(item));
    }

    void keep_spare(std::vector<Item>&& v) {
        if (v.capacity() == 0 || spares_.size() >= kept_spares) return;
        v.clear();
        spares_.push_back(std::move(v));
    }

    std::vector<Item> take_spare() {
        if (spares_.empty()) return {};
        auto out = std::move(spares_.back());
        spares_.pop_back();
        return out;
    }

    static constexpr std::size_t kept_spares = 2;

    std::size_t max_batch_;
    duration linger_;
    std::size_t capacity_;
    std::deque<std::vector<Item>> runs_;  // the waiting items, oldest first
    std::deque<time_point> since_;        // when each waiting item's linger started, in order
    std::vector<std::vector<Item>> spares_;
    std::size_t size_ = 0;
    std::size_t waited_ = 0;      // the items at the front that came through push_waited
    std::size_t last_taken_ = 0;  // the size of the last batch taken
    std::size_t high_water_ = 0;
};

/// The two halves of a batch that was rejected as a whole (422) without naming the items at
/// fault, to find them: the first half gets the extra item of an odd count. A batch of one is not
/// split.
template <class Item>
std::pair<std::vector<Item>, std::vector<Item>> split_in_half(std::vector<Item> batch) {
    const std::size_t first = (batch.size() + 1) / 2;
    std::vector<Item> second(
        std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(first)),
        std::make_move_iterator(batch.end()));
    batch.resize(first);
    return {std::move(batch), std::move(second)};
}

}  // namespace permit::bulk::detail
