// The bulk coalescer: when a batch is due (full, lingered, or a free token), backpressure, the
// re-queueing of split halves, and the split itself.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <permit/bulk/detail/coalescer.hpp>

#include "support/fake_clock.hpp"

using namespace std::chrono_literals;
using permit_test::fake_clock;

namespace {

using queue = permit::bulk::detail::coalescer<int, fake_clock>;
using batch = std::vector<int>;
const fake_clock::time_point t0 = fake_clock::time_point{} + 1h;

// An item that counts its moves and copies, as a user record would cost them.
struct counted {
    int value = 0;
    int* moves = nullptr;
    counted(int v, int* m) : value(v), moves(m) {}
    counted(counted&& other) noexcept : value(other.value), moves(other.moves) { ++*moves; }
    counted(const counted& other) : value(other.value), moves(other.moves) { ++*moves; }
    counted& operator=(counted&& other) noexcept {
        value = other.value;
        moves = other.moves;
        ++*moves;
        return *this;
    }
    counted& operator=(const counted& other) = default;
};

// An item that cannot be copied or moved when its value is negative, as an item whose memory
// cannot be allocated.
struct fragile {
    int value = 0;
    explicit fragile(int v) : value(v) {}
    fragile(fragile&& other) : value(other.value) { check(); }
    fragile(const fragile& other) : value(other.value) { check(); }
    fragile& operator=(fragile&& other) {
        value = other.value;
        check();
        return *this;
    }
    fragile& operator=(const fragile& other) = default;
    void check() const {
        if (value < 0) throw std::runtime_error("cannot be queued");
    }
};

// The queue as a plain list of (item, linger start): what `coalescer` must behave like.
struct reference_queue {
    std::size_t max_batch;
    std::deque<std::pair<int, fake_clock::time_point>> waiting;
    std::size_t waited = 0;

    void push(int v, fake_clock::time_point now) { waiting.emplace_back(v, now); }
    void push_waited(int v, fake_clock::time_point arrived) {
        const auto at = waiting.begin() + static_cast<std::ptrdiff_t>(waited);
        auto since = arrived;
        if (at != waiting.end()) since = std::min(since, at->second);
        if (at != waiting.begin()) since = std::max(since, std::prev(at)->second);
        waiting.insert(at, {v, since});
        ++waited;
    }
    std::vector<int> take(std::size_t limit) {
        const std::size_t n =
            std::min({max_batch, waiting.size(), std::max<std::size_t>(1, limit)});
        std::vector<int> out;
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(waiting.front().first);
            waiting.pop_front();
        }
        waited -= std::min(waited, n);
        return out;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_coalescer)

BOOST_AUTO_TEST_CASE(a_full_batch_is_due_at_once_and_carries_the_oldest_items) {
    queue q(3, 100ms, 10);
    for (int i = 0; i < 5; ++i) BOOST_TEST(q.push(i, t0));
    BOOST_TEST(q.has_full_batch());
    auto first = q.take(t0, false);
    BOOST_REQUIRE(first);
    BOOST_TEST(*first == (batch{0, 1, 2}), boost::test_tools::per_element());
    // Two left: not a full batch, not lingered, no token to spare.
    BOOST_TEST(!q.take(t0 + 99ms, false));
    BOOST_TEST(q.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_partial_batch_waits_for_the_linger_of_its_oldest_item) {
    queue q(100, 50ms, 1000);
    q.push(1, t0);
    q.push(2, t0 + 30ms);
    BOOST_TEST((q.deadline() == t0 + 50ms));
    BOOST_TEST(!q.take(t0 + 49ms, false));
    auto due = q.take(t0 + 50ms, false);
    BOOST_REQUIRE(due);
    BOOST_TEST(*due == (batch{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(!q.deadline());
}

BOOST_AUTO_TEST_CASE(items_that_waited_elsewhere_go_first_in_order_and_linger_from_arrival) {
    queue q(10, 50ms, 100);
    BOOST_TEST(q.push(1, t0 + 40ms));
    // Arrived at t0 and t0 + 5ms, and waited for a dependency until now: due at t0 + 50ms.
    BOOST_TEST(q.push_waited(2, t0));
    BOOST_TEST(q.push_waited(3, t0 + 5ms));
    BOOST_TEST((q.deadline() == t0 + 50ms));
    BOOST_TEST(!q.take(t0 + 49ms, false));
    const auto due = q.take(t0 + 50ms, false);
    BOOST_REQUIRE(due);
    BOOST_TEST(*due == (batch{2, 3, 1}), boost::test_tools::per_element());
    // One that arrived after the oldest waiting item is due with it, never later than promised.
    BOOST_TEST(q.push(4, t0 + 60ms));
    BOOST_TEST(q.push_waited(5, t0 + 70ms));
    BOOST_TEST((q.deadline() == t0 + 110ms));
    const auto next = q.take(t0 + 110ms, false);
    BOOST_REQUIRE(next);
    BOOST_TEST(*next == (batch{5, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_free_token_sends_a_partial_batch_before_the_linger) {
    queue q(100, 10s, 1000);
    q.push(7, t0);
    auto due = q.take(t0, true);
    BOOST_REQUIRE(due);
    BOOST_TEST(*due == batch{7}, boost::test_tools::per_element());
    BOOST_TEST(!q.take(t0, true), "nothing left");
}

BOOST_AUTO_TEST_CASE(under_a_backlog_every_batch_is_full) {
    queue q(4, 1ms, 100);
    for (int i = 0; i < 10; ++i) q.push(i, t0);
    std::vector<std::size_t> sizes;
    while (auto b = q.take(t0 + 1s, true)) sizes.push_back(b->size());
    BOOST_TEST(sizes == (std::vector<std::size_t>{4, 4, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_queue_refuses_items_beyond_its_capacity) {
    queue q(2, 1s, 5);
    for (int i = 0; i < 5; ++i) BOOST_TEST(q.push(i, t0));
    BOOST_TEST(q.full());
    BOOST_TEST(!q.push(99, t0), "backpressure: the caller must wait");
    BOOST_TEST(q.size() == 5u);
    q.take(t0, false);
    BOOST_TEST(!q.full());
    BOOST_TEST(q.push(5, t0));
    BOOST_TEST(q.high_water() == 5u);
}

BOOST_AUTO_TEST_CASE(a_full_batch_leaves_with_its_items_unmoved_and_its_memory_comes_back) {
    int moves = 0;
    permit::bulk::detail::coalescer<counted, fake_clock> q(4, 1s, 100);
    for (int i = 0; i < 8; ++i) q.emplace(t0, i, &moves);
    moves = 0;
    auto first = q.take(t0, false);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->size() == 4u);
    BOOST_TEST(moves == 0, moves << " items moved to make a full batch");
    BOOST_TEST(first->front().value == 0);
    BOOST_TEST(first->back().value == 3);

    // The batch's vector, given back, holds the items queued after it.
    const counted* const memory = first->data();
    q.recycle(std::move(*first));
    auto second = q.take(t0, false);
    BOOST_REQUIRE(second);
    BOOST_TEST(second->front().value == 4);
    moves = 0;
    for (int i = 8; i < 12; ++i) q.emplace(t0, i, &moves);
    BOOST_TEST(moves == 0, moves << " moves to queue four items in a run made before");
    auto third = q.take(t0, false);
    BOOST_REQUIRE(third);
    BOOST_TEST(third->data() == memory, "the run reused the first batch's memory");
    BOOST_TEST(third->front().value == 8);
}

BOOST_AUTO_TEST_CASE(a_new_run_has_room_for_as_many_items_as_the_last_batch_took) {
    // With every earlier run's memory in flight (no spare), a new run is made with room for a
    // whole batch once one full batch was taken: its items are not moved as it grows.
    int moves = 0;
    permit::bulk::detail::coalescer<counted, fake_clock> q(64, 1s, 1000);
    std::vector<std::vector<counted>> in_flight;
    for (int i = 0; i < 64; ++i) q.emplace(t0, i, &moves);
    in_flight.push_back(std::move(*q.take(t0, false)));
    moves = 0;
    for (int i = 0; i < 64; ++i) q.emplace(t0, i, &moves);
    BOOST_TEST(moves == 0, moves << " moves to fill a run after a full batch");

    // After a batch of one, a new run starts small: a trickle reserves no more than it sends.
    permit::bulk::detail::coalescer<counted, fake_clock> trickle(64, 1s, 1000);
    trickle.emplace(t0, 1, &moves);
    auto one = trickle.take(t0, true);
    BOOST_REQUIRE(one);
    trickle.emplace(t0, 2, &moves);
    auto next = trickle.take(t0, true);
    BOOST_REQUIRE(next);
    BOOST_TEST(next->capacity() < 64u);
}

BOOST_AUTO_TEST_CASE(an_item_that_cannot_be_queued_leaves_the_queue_as_it_was) {
    using fragile_queue = permit::bulk::detail::coalescer<fragile, fake_clock>;
    fragile_queue q(2, 50ms, 100);
    q.push(fragile{1}, t0);
    q.push(fragile{2}, t0 + 10ms);
    q.push(fragile{3}, t0 + 20ms);
    BOOST_CHECK_THROW(q.push(fragile{-1}, t0 + 30ms), std::runtime_error);
    BOOST_TEST(q.size() == 3u);
    BOOST_TEST((q.deadline() == t0 + 50ms));
    auto first = q.take(t0, false);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->size() == 2u);
    BOOST_TEST(first->front().value == 1);
    BOOST_TEST(first->back().value == 2);
    BOOST_TEST((q.deadline() == t0 + 70ms));
    auto last = q.take(t0 + 70ms, false);
    BOOST_REQUIRE(last);
    BOOST_TEST(last->size() == 1u);
    BOOST_TEST(last->front().value == 3);
    BOOST_TEST(q.push(fragile{4}, t0 + 100ms));
    BOOST_TEST((q.deadline() == t0 + 150ms), "the item that failed left no time behind");

    // An item that waited elsewhere, into an empty queue.
    fragile_queue waited(2, 50ms, 100);
    BOOST_CHECK_THROW(waited.push_waited(fragile{-1}, t0), std::runtime_error);
    BOOST_TEST(waited.empty());
    BOOST_TEST(!waited.deadline());
    BOOST_TEST(waited.push_waited(fragile{5}, t0 + 5ms));
    BOOST_TEST((waited.deadline() == t0 + 55ms));
    auto only = waited.take(t0 + 55ms, false);
    BOOST_REQUIRE(only);
    BOOST_TEST(only->size() == 1u);
    BOOST_TEST(only->front().value == 5);
}

BOOST_AUTO_TEST_CASE(any_mix_of_pushes_and_takes_keeps_the_order_of_a_plain_list) {
    // Pushes, pushes of items that waited elsewhere, full, partial and single takes, against the
    // queue as a plain list: the same items in every batch, in the same order, and the same
    // deadline at each step.
    std::mt19937 random(2024);
    for (const std::size_t max_batch : {1u, 3u, 7u}) {
        queue q(max_batch, 50ms, 10000);
        reference_queue expected{.max_batch = max_batch};
        int next = 0;
        auto now = t0;
        for (int step = 0; step < 3000; ++step) {
            now += std::chrono::milliseconds(random() % 20);
            switch (random() % 4) {
                case 0:
                case 1:
                    BOOST_REQUIRE(q.push(next, now));
                    expected.push(next++, now);
                    break;
                case 2: {
                    const auto arrived = now - std::chrono::milliseconds(random() % 100);
                    BOOST_REQUIRE(q.push_waited(next, arrived));
                    expected.push_waited(next++, arrived);
                    break;
                }
                default: {
                    const std::size_t limit = random() % 3 == 0 ? 1 : SIZE_MAX;
                    auto got = q.take(now, true, limit);
                    if (expected.waiting.empty()) {
                        BOOST_TEST(!got);
                        break;
                    }
                    BOOST_REQUIRE(got);
                    const auto want = expected.take(limit);
                    BOOST_TEST(*got == want, boost::test_tools::per_element());
                    // A batch's vector goes back now and then, as the pipeline gives it back.
                    if (random() % 2 == 0) q.recycle(std::move(*got));
                }
            }
            BOOST_REQUIRE_EQUAL(q.size(), expected.waiting.size());
            if (!expected.waiting.empty()) {
                BOOST_REQUIRE((q.deadline() == expected.waiting.front().second + 50ms));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(the_capacity_holds_at_least_one_batch) {
    queue q(10, 1s, 3);
    BOOST_TEST(q.capacity() == 10u);
}

BOOST_AUTO_TEST_CASE(a_batch_splits_into_halves_the_first_one_larger) {
    auto [a, b] = permit::bulk::detail::split_in_half(batch{1, 2, 3, 4, 5});
    BOOST_TEST(a == (batch{1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST(b == (batch{4, 5}), boost::test_tools::per_element());
    auto [one, none] = permit::bulk::detail::split_in_half(batch{9});
    BOOST_TEST(one == batch{9}, boost::test_tools::per_element());
    BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(repeated_splits_isolate_one_bad_item_in_a_logarithmic_number_of_batches) {
    // The batcher splits a rejected batch and re-sends both halves: a bad item among 3,000 is
    // alone after about log2(3000) + 1 rejections.
    batch items;
    for (int i = 0; i < 3000; ++i) items.push_back(i);
    const int bad = 1234;
    std::vector<batch> pending{items};
    int sent = 0;
    std::vector<int> isolated;
    while (!pending.empty()) {
        auto b = std::move(pending.back());
        pending.pop_back();
        ++sent;
        const bool rejected = std::find(b.begin(), b.end(), bad) != b.end();
        if (!rejected) continue;
        if (b.size() == 1) {
            isolated.push_back(b.front());
            continue;
        }
        auto [x, y] = permit::bulk::detail::split_in_half(std::move(b));
        pending.push_back(std::move(y));
        pending.push_back(std::move(x));
    }
    BOOST_TEST(isolated == batch{bad}, boost::test_tools::per_element());
    BOOST_TEST(sent <= 2 * 13 + 1, sent << " batches to isolate one item of 3,000");
}

BOOST_AUTO_TEST_SUITE_END()
