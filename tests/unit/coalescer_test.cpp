// The bulk coalescer: when a batch is due (full, lingered, or a free token), backpressure, the
// re-queueing of split halves, and the split itself.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <permit/bulk/detail/coalescer.hpp>

#include "support/fake_clock.hpp"

using namespace std::chrono_literals;
using permit_test::fake_clock;

namespace {

using queue = permit::bulk::detail::coalescer<int, fake_clock>;
using batch = std::vector<int>;
const fake_clock::time_point t0 = fake_clock::time_point{} + 1h;

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
