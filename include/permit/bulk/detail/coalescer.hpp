// The queue of one kind of bulk item (users, tenants or role assignments): when a batch is due,
// and which items it carries. No I/O; the batcher drives it with the clock readings.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace permit::bulk::detail {

/// Items waiting to be sent in batches of at most `max_batch`. A batch is due when `max_batch`
/// items wait, when the oldest has waited `linger`, or, for a partial batch, when the caller may
/// send at once (a bulk rate-limit token is free and no full batch is waiting elsewhere). Under a
/// backlog every batch is full. At most `capacity` items wait: `push` refuses more, which is
/// how backpressure reaches the callers.
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
        for (const auto& w : waiting_) f(w.item);
    }

    /// Whether `push` would refuse an item.
    bool full() const noexcept { return waiting_.size() >= capacity_; }

    /// Queues `item`, which arrived at `now`. False (and nothing queued) when full.
    bool push(const Item& item, time_point now) { return push(Item(item), now); }
    /// As above, taking `item` over.
    bool push(Item&& item, time_point now) {
        if (full()) return false;
        waiting_.emplace_back(std::move(item), now);
        high_water_ = std::max(high_water_, waiting_.size());
        return true;
    }

    /// As `push`, with the item made in the queue from `args` (the members of `Item`).
    template <class... Args>
    bool emplace(time_point now, Args&&... args) {
        if (full()) return false;
        waiting_.emplace_back(now, std::in_place, std::forward<Args>(args)...);
        high_water_ = std::max(high_water_, waiting_.size());
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
        const auto at = waiting_.begin() + static_cast<std::ptrdiff_t>(waited_);
        time_point since = arrived;
        if (at != waiting_.end()) since = std::min(since, at->since);
        if (at != waiting_.begin()) since = std::max(since, std::prev(at)->since);
        waiting_.insert(at, {std::move(item), since});
        ++waited_;
        high_water_ = std::max(high_water_, waiting_.size());
        return true;
    }

    /// Whether a full batch waits.
    bool has_full_batch() const noexcept { return waiting_.size() >= max_batch_; }

    /// The batch due at `now`, oldest items first, if any: a full one, or a partial one when the
    /// oldest item has lingered long enough or `send_partial_now`; at most `limit` items of it.
    /// The batch is made in `storage` (emptied first): a vector of an earlier batch, whose memory
    /// is used again.
    std::optional<std::vector<Item>> take(time_point now, bool send_partial_now,
                                          std::size_t limit = SIZE_MAX,
                                          std::vector<Item> storage = {}) {
        if (waiting_.empty()) return std::nullopt;
        if (!due(now, send_partial_now)) return std::nullopt;
        const std::size_t n =
            std::min({max_batch_, waiting_.size(), std::max<std::size_t>(1, limit)});
        std::vector<Item> batch = std::move(storage);
        batch.clear();
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            batch.push_back(std::move(waiting_.front().item));
            waiting_.pop_front();
        }
        waited_ -= std::min(waited_, n);
        return batch;
    }

    /// The number of items `take(now, send_partial_now)` would return (0: no batch is due).
    std::size_t due_size(time_point now, bool send_partial_now) const {
        if (waiting_.empty() || !due(now, send_partial_now)) return 0;
        return std::min(max_batch_, waiting_.size());
    }

    /// When the oldest waiting item's linger ends (a partial batch is due then), if any waits.
    std::optional<time_point> deadline() const {
        if (waiting_.empty()) return std::nullopt;
        return waiting_.front().since + linger_;
    }

    std::size_t size() const noexcept { return waiting_.size(); }
    bool empty() const noexcept { return waiting_.empty(); }
    std::size_t max_batch() const noexcept { return max_batch_; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// The most items that ever waited at once.
    std::size_t high_water() const noexcept { return high_water_; }

  private:
    bool due(time_point now, bool send_partial_now) const {
        return has_full_batch() || send_partial_now || now - waiting_.front().since >= linger_;
    }

    struct entry {
        entry(Item&& i, time_point s) : item(std::move(i)), since(s) {}
        template <class... Args>
        entry(time_point s, std::in_place_t, Args&&... args)
            : item{std::forward<Args>(args)...}, since(s) {}

        Item item;
        time_point since;
    };

    std::size_t max_batch_;
    duration linger_;
    std::size_t capacity_;
    std::deque<entry> waiting_;
    std::size_t waited_ = 0;  // the items at the front that came through push_waited
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
