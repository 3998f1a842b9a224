// The connection pool's bookkeeping, driven without sockets and with explicit time points: opening
// lazily up to the limit, reuse, waiters and their cancellation, idle expiry, and shutdown.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <vector>

#include <permit/detail/http/pool_state.hpp>

using namespace std::chrono_literals;

namespace {

// Connection 0 means "none": the pool hands out a default-constructed Connection for `open` and
// `wait`, and the tests use 1, 2, 3... for real connections.
using pool = permit::detail::http::pool_state<int>;
using acquire_kind = pool::acquire_decision::kind;
using handoff_kind = pool::handoff::kind;
using time_point = std::chrono::steady_clock::time_point;

const time_point t0 = time_point{} + 1h;

// Acquires `n` times and checks that each acquire reserves a new slot.
void open_n(pool& p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const auto d = p.acquire();
        BOOST_TEST_REQUIRE((d.what == acquire_kind::open));
    }
}

// Acquires once and checks that the caller has to wait; returns its waiter id.
pool::waiter_id wait_one(pool& p) {
    const auto d = p.acquire();
    BOOST_TEST_REQUIRE((d.what == acquire_kind::wait));
    return d.waiter;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool_state)

BOOST_AUTO_TEST_CASE(opens_lazily_up_to_max_then_queues_waiters_with_increasing_ids) {
    pool p(3, 30s);
    BOOST_TEST(p.open_count() == 0u);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST_CONTEXT("acquire " << i) {
            const auto d = p.acquire();
            BOOST_TEST((d.what == acquire_kind::open));
            BOOST_TEST(d.connection == 0);
            BOOST_TEST(p.open_count() == i + 1);
        }
    }
    const auto w1 = p.acquire();
    const auto w2 = p.acquire();
    const auto w3 = p.acquire();
    BOOST_TEST((w1.what == acquire_kind::wait));
    BOOST_TEST((w2.what == acquire_kind::wait));
    BOOST_TEST((w3.what == acquire_kind::wait));
    BOOST_TEST(w1.waiter < w2.waiter);
    BOOST_TEST(w2.waiter < w3.waiter);
    BOOST_TEST(p.open_count() == 3u);
    BOOST_TEST(p.waiting_count() == 3u);
    BOOST_TEST(p.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(acquire_reuses_the_most_recently_released_idle_connection) {
    pool p(3, 30s);
    open_n(p, 3);
    BOOST_TEST((p.release_reusable(1, t0).what == handoff_kind::none));
    BOOST_TEST((p.release_reusable(2, t0 + 1s).what == handoff_kind::none));
    BOOST_TEST((p.release_reusable(3, t0 + 2s).what == handoff_kind::none));
    BOOST_TEST(p.idle_count() == 3u);
    BOOST_TEST(p.open_count() == 3u);

    for (const int expected : {3, 2, 1}) {
        BOOST_TEST_CONTEXT("expected connection " << expected) {
            const auto d = p.acquire();
            BOOST_TEST((d.what == acquire_kind::reuse));
            BOOST_TEST(d.connection == expected);
        }
    }
    BOOST_TEST(p.idle_count() == 0u);
    BOOST_TEST(p.open_count() == 3u);
    // All three are in use again: the next caller waits.
    BOOST_TEST((p.acquire().what == acquire_kind::wait));
}

BOOST_AUTO_TEST_CASE(release_reusable_hands_the_connection_to_the_oldest_waiter_first) {
    pool p(1, 30s);
    open_n(p, 1);
    const auto w1 = wait_one(p);
    const auto w2 = wait_one(p);
    const auto w3 = wait_one(p);

    const auto h1 = p.release_reusable(7, t0);
    BOOST_TEST((h1.what == handoff_kind::connection));
    BOOST_TEST(h1.waiter == w1);
    BOOST_TEST(h1.connection == 7);

    const auto h2 = p.release_reusable(7, t0 + 1s);
    BOOST_TEST((h2.what == handoff_kind::connection));
    BOOST_TEST(h2.waiter == w2);

    const auto h3 = p.release_reusable(7, t0 + 2s);
    BOOST_TEST((h3.what == handoff_kind::connection));
    BOOST_TEST(h3.waiter == w3);

    BOOST_TEST(p.waiting_count() == 0u);
    BOOST_TEST(p.open_count() == 1u);
    BOOST_TEST(p.idle_count() == 0u);

    // Nobody waits any more: the connection idles.
    BOOST_TEST((p.release_reusable(7, t0 + 3s).what == handoff_kind::none));
    BOOST_TEST(p.idle_count() == 1u);
    BOOST_TEST(p.open_count() == 1u);
}

BOOST_AUTO_TEST_CASE(release_slot_frees_a_slot_and_hands_it_to_the_oldest_waiter) {
    pool p(2, 30s);
    open_n(p, 2);
    const auto w1 = wait_one(p);
    const auto w2 = wait_one(p);

    const auto h1 = p.release_slot();
    BOOST_TEST((h1.what == handoff_kind::open_slot));
    BOOST_TEST(h1.waiter == w1);
    BOOST_TEST(h1.connection == 0);
    BOOST_TEST(p.open_count() == 2u);  // freed, then reserved for w1
    BOOST_TEST(p.waiting_count() == 1u);

    const auto h2 = p.release_slot();
    BOOST_TEST((h2.what == handoff_kind::open_slot));
    BOOST_TEST(h2.waiter == w2);
    BOOST_TEST(p.open_count() == 2u);
    BOOST_TEST(p.waiting_count() == 0u);

    // No waiter: the count just goes down.
    BOOST_TEST((p.release_slot().what == handoff_kind::none));
    BOOST_TEST(p.open_count() == 1u);
    BOOST_TEST((p.release_slot().what == handoff_kind::none));
    BOOST_TEST(p.open_count() == 0u);
    // A stray release does not wrap the count around.
    BOOST_TEST((p.release_slot().what == handoff_kind::none));
    BOOST_TEST(p.open_count() == 0u);

    // The freed slots can be opened again.
    BOOST_TEST((p.acquire().what == acquire_kind::open));
    BOOST_TEST(p.open_count() == 1u);
}

BOOST_AUTO_TEST_CASE(cancel_wait_removes_a_queued_waiter_but_not_one_already_served) {
    pool p(1, 30s);
    open_n(p, 1);
    const auto w1 = wait_one(p);
    const auto w2 = wait_one(p);
    const auto w3 = wait_one(p);

    BOOST_TEST(p.cancel_wait(w2));
    BOOST_TEST(p.waiting_count() == 2u);
    BOOST_TEST(!p.cancel_wait(w2));        // already gone
    BOOST_TEST(!p.cancel_wait(w3 + 100));  // never queued

    const auto h1 = p.release_reusable(5, t0);
    BOOST_TEST((h1.what == handoff_kind::connection));
    BOOST_TEST(h1.waiter == w1);
    // w1 was handed the connection: too late to cancel, it must give it back.
    BOOST_TEST(!p.cancel_wait(w1));

    // The cancelled w2 is skipped.
    const auto h2 = p.release_reusable(5, t0 + 1s);
    BOOST_TEST((h2.what == handoff_kind::connection));
    BOOST_TEST(h2.waiter == w3);
    BOOST_TEST(p.waiting_count() == 0u);
}

BOOST_AUTO_TEST_CASE(cancelled_waiter_does_not_get_a_slot) {
    pool p(1, 30s);
    open_n(p, 1);
    const auto w1 = wait_one(p);
    BOOST_TEST(p.cancel_wait(w1));
    BOOST_TEST((p.release_slot().what == handoff_kind::none));
    BOOST_TEST(p.open_count() == 0u);
}

BOOST_AUTO_TEST_CASE(take_expired_returns_only_connections_idle_for_the_timeout_or_longer) {
    pool p(3, 30s);
    open_n(p, 3);
    p.release_reusable(1, t0);
    p.release_reusable(2, t0 + 10s);
    p.release_reusable(3, t0 + 20s);

    BOOST_TEST(p.take_expired(t0).empty());
    BOOST_TEST(p.take_expired(t0 + 30s - 1ns).empty());
    BOOST_TEST(p.open_count() == 3u);

    // Exactly the timeout: expired.
    const auto first = p.take_expired(t0 + 30s);
    BOOST_TEST(first == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(p.open_count() == 2u);
    BOOST_TEST(p.idle_count() == 2u);

    BOOST_TEST(p.take_expired(t0 + 39s).empty());
    const auto rest = p.take_expired(t0 + 60s);
    BOOST_TEST(rest == (std::vector<int>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(p.open_count() == 0u);
    BOOST_TEST(p.idle_count() == 0u);

    // Nothing left to expire, and new slots can be opened.
    BOOST_TEST(p.take_expired(t0 + 10h).empty());
    BOOST_TEST((p.acquire().what == acquire_kind::open));
}

BOOST_AUTO_TEST_CASE(take_expired_leaves_connections_in_use_alone) {
    pool p(2, 30s);
    open_n(p, 2);
    p.release_reusable(1, t0);
    // Connection 2 is still in use: only the idle one expires.
    const auto out = p.take_expired(t0 + 1h);
    BOOST_TEST(out == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(p.open_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_reused_connection_idles_again_from_its_new_release_time) {
    pool p(1, 30s);
    open_n(p, 1);
    p.release_reusable(1, t0);
    const auto d = p.acquire();
    BOOST_TEST((d.what == acquire_kind::reuse));
    p.release_reusable(d.connection, t0 + 25s);
    BOOST_TEST(p.take_expired(t0 + 40s).empty());
    const auto out = p.take_expired(t0 + 55s);
    BOOST_TEST(out == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(p.open_count() == 0u);
}

BOOST_AUTO_TEST_CASE(shutdown_returns_idle_connections_and_keeps_in_use_ones_counted) {
    pool p(3, 30s);
    open_n(p, 3);
    p.release_reusable(1, t0);
    p.release_reusable(2, t0 + 1s);
    // Connection 3 stays in use.
    auto [idle, waiters] = p.shutdown();
    BOOST_TEST(idle == (std::vector<int>{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(waiters.empty());
    BOOST_TEST(p.idle_count() == 0u);
    BOOST_TEST(p.open_count() == 1u);

    // The connection in use is given back later.
    BOOST_TEST((p.release_slot().what == handoff_kind::none));
    BOOST_TEST(p.open_count() == 0u);
}

BOOST_AUTO_TEST_CASE(shutdown_returns_every_queued_waiter) {
    pool p(1, 30s);
    open_n(p, 1);
    const auto w1 = wait_one(p);
    const auto w2 = wait_one(p);
    auto [idle, waiters] = p.shutdown();
    BOOST_TEST(idle.empty());
    BOOST_TEST(waiters == (std::vector<pool::waiter_id>{w1, w2}), boost::test_tools::per_element());
    BOOST_TEST(p.waiting_count() == 0u);
    BOOST_TEST(p.open_count() == 1u);  // the one in use
    // The waiters were failed: cancelling them now finds nothing.
    BOOST_TEST(!p.cancel_wait(w1));
}

BOOST_AUTO_TEST_CASE(max_connections_of_zero_is_treated_as_one) {
    pool p(0, 30s);
    BOOST_TEST(p.max_connections() == 1u);
    BOOST_TEST((p.acquire().what == acquire_kind::open));
    BOOST_TEST((p.acquire().what == acquire_kind::wait));
    BOOST_TEST(p.open_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_thousand_sequential_exchanges_reuse_one_connection) {
    pool p(4, 30s);
    int opened = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto now = t0 + std::chrono::milliseconds(i);
        BOOST_TEST_REQUIRE(p.take_expired(now).empty());
        const auto d = p.acquire();
        int c = d.connection;
        if (d.what == acquire_kind::open) {
            ++opened;
            c = opened;
        } else {
            BOOST_TEST_REQUIRE((d.what == acquire_kind::reuse));
            BOOST_TEST_REQUIRE(c == 1);
        }
        BOOST_TEST_REQUIRE(p.open_count() == 1u);
        BOOST_TEST_REQUIRE((p.release_reusable(c, now).what == handoff_kind::none));
    }
    BOOST_TEST(opened == 1);
    BOOST_TEST(p.open_count() == 1u);
    BOOST_TEST(p.idle_count() == 1u);
    BOOST_TEST(p.waiting_count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
