// The decisions of check coalescing (`config::coalesce_checks`), without sockets or timers: which
// check goes out at once and which waits, which waiting checks go out together when a connection
// frees up, and which answer of the reply is whose. The async part (check_coalescer.hpp) does what
// these decisions say; the unit tests drive them directly.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace permit::detail {

/// The queue of checks waiting for a connection to the PDP, and the requests they go out in.
/// Not thread-safe (the client runs it on its executor).
class check_coalescer_state {
  public:
    /// Names one check.
    using ticket = std::uint64_t;

    /// What becomes of a check.
    enum class route {
        now,     ///< a connection is free: it goes at once, alone, as `POST /allowed`
        queued,  ///< every connection is busy: it waits for one, with the others
    };

    /// Checks that go out together, oldest first, as one request: `POST /allowed` with the query
    /// when there is one, `POST /allowed/bulk` with the array of the queries otherwise.
    struct batch {
        /// The checks, in the order of their queries in `body`.
        std::vector<ticket> tickets;
        /// The request's body.
        std::string body;
        /// Whether it is a `/allowed/bulk` request (more than one check).
        bool bulk() const noexcept { return tickets.size() > 1; }
    };

    /// At most `max_batch` checks (at least 1) per request.
    explicit check_coalescer_state(std::size_t max_batch)
        : max_batch_(std::max<std::size_t>(1, max_batch)) {}

    /// A check arrives, with its query's JSON text. `connection_free`: a request would get a
    /// connection at once (an idle one, or room to open one, and nobody waiting for one). Then it
    /// goes now, whatever is queued: a check never waits for a connection that is free.
    /// Otherwise it is queued, and `query` is taken; with `route::now` it is left as it is.
    route submit(ticket t, std::string&& query, bool connection_free) {
        if (connection_free) return route::now;
        queue_.push_back({t, std::move(query)});
        return route::queued;
    }

    /// A connection freed up (no other request took it): the oldest queued checks, at most
    /// `max_batch`, as one request; nothing when no check waits. The rest wait for the next one.
    std::optional<batch> take() {
        if (queue_.empty()) return std::nullopt;
        batch out;
        const std::size_t n = std::min(max_batch_, queue_.size());
        out.tickets.reserve(n);
        if (n == 1) {
            out.tickets.push_back(queue_.front().id);
            out.body = std::move(queue_.front().query);
            queue_.pop_front();
            return out;
        }
        std::size_t size = n + 1;
        for (std::size_t i = 0; i < n; ++i) size += queue_[i].query.size();
        out.body.reserve(size);
        out.body += '[';
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0) out.body += ',';
            out.body += queue_.front().query;
            out.tickets.push_back(queue_.front().id);
            queue_.pop_front();
        }
        out.body += ']';
        return out;
    }

    /// A queued check gave up (cancelled): it leaves the queue. False when it is no longer queued:
    /// it went out in a batch, whose answer for it is then dropped.
    bool cancel(ticket t) {
        auto it =
            std::find_if(queue_.begin(), queue_.end(), [t](const entry& e) { return e.id == t; });
        if (it == queue_.end()) return false;
        queue_.erase(it);
        return true;
    }

    /// Empties the queue (the client is cancelled): the checks to fail, oldest first.
    std::vector<ticket> take_all() {
        std::vector<ticket> out;
        out.reserve(queue_.size());
        for (const auto& e : queue_) out.push_back(e.id);
        queue_.clear();
        return out;
    }

    /// Checks waiting.
    std::size_t queued() const noexcept { return queue_.size(); }
    /// The most checks in one request.
    std::size_t max_batch() const noexcept { return max_batch_; }

    /// Whether a reply carries one answer per check of `b` (`answers` answers): the answer at
    /// index i is the check `b.tickets[i]`'s. A reply with another number of answers cannot be
    /// matched to its checks, and fails them all.
    static bool matches(const batch& b, std::size_t answers) noexcept {
        return answers == b.tickets.size();
    }

  private:
    struct entry {
        ticket id;
        std::string query;
    };

    std::size_t max_batch_;
    std::deque<entry> queue_;  // oldest first
};

}  // namespace permit::detail
