// The client-side rate limiter's bookkeeping, driven without timers and with a fake clock: which
// limit classes a request belongs to, when the limits apply, and the limiter state's pacing,
// fairness, cancellation and reaction to 429s.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include <permit/detail/rate/limiter_state.hpp>
#include <permit/rate/limits.hpp>

#include "support/fake_clock.hpp"

using namespace std::chrono_literals;
using verb = permit::http_method;
using permit::detail::rate::bit;
using permit::detail::rate::class_set;
using permit::detail::rate::classes_of;
using permit::detail::rate::limit_class;

namespace {

using permit_test::fake_clock;

using state = permit::detail::rate::limiter_state<fake_clock>;
using time_point = fake_clock::time_point;
using waiter_id = state::waiter_id;
using ids = std::vector<waiter_id>;

const time_point t0 = time_point{} + 1h;

const class_set get_c = classes_of(verb::get, "/v2/facts/p/e/users");
const class_set put_c = classes_of(verb::put, "/v2/facts/p/e/users/jane");
const class_set delete_c = classes_of(verb::delete_, "/v2/facts/p/e/users/jane");
const class_set bulk_put_c = classes_of(verb::put, "/v2/facts/p/e/bulk/users");

// Small limits with one-second windows, so that a few requests reach them. "all" is large enough
// never to be the one that runs out unless a test says so.
permit::rate_limit_options limits(std::uint32_t writes = 3, std::uint32_t deletes = 1,
                                  std::uint32_t bulk = 2) {
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    o.all = {1000, 1s};
    o.writes = {writes, 1s};
    o.deletes = {deletes, 1s};
    o.bulk = {bulk, 1s};
    return o;
}

// Milliseconds after t0, for readable comparisons.
std::int64_t at_ms(time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count();
}

// Acquires and checks that the request goes at once.
void acquire_now(state& s, class_set classes, time_point now) {
    const auto r = s.acquire(classes, now);
    BOOST_TEST_REQUIRE(r.granted);
}

// Acquires and checks that the request has to wait; returns its waiter id.
waiter_id acquire_waiting(state& s, class_set classes, time_point now) {
    const auto r = s.acquire(classes, now);
    BOOST_TEST_REQUIRE(!r.granted);
    BOOST_TEST_REQUIRE(r.waiter != 0u);
    return r.waiter;
}

}  // namespace

// ================================================================ limits and classes

BOOST_AUTO_TEST_SUITE(rate_limits)

BOOST_AUTO_TEST_CASE(automatic_mode_paces_only_permit_cloud) {
    const permit::rate_limit_options o;
    BOOST_TEST((o.mode == permit::rate_limit_options::mode_type::automatic));
    BOOST_TEST(o.applies_to("api.permit.io"));
    BOOST_TEST(o.applies_to("api.eu.permit.io"));
    // A local emulator, a self-hosted PDP, or a look-alike host are not Permit's cloud.
    BOOST_TEST(!o.applies_to("localhost"));
    BOOST_TEST(!o.applies_to("127.0.0.1"));
    BOOST_TEST(!o.applies_to("permit.io"));
    BOOST_TEST(!o.applies_to("api.permit.io.example.com"));
    BOOST_TEST(!o.applies_to(""));
}

BOOST_AUTO_TEST_CASE(on_and_off_modes_ignore_the_host) {
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    BOOST_TEST(o.applies_to("localhost"));
    BOOST_TEST(o.applies_to("api.permit.io"));
    o.mode = permit::rate_limit_options::mode_type::off;
    BOOST_TEST(!o.applies_to("localhost"));
    BOOST_TEST(!o.applies_to("api.permit.io"));
}

BOOST_AUTO_TEST_CASE(classes_follow_the_method) {
    const auto all = bit(limit_class::all);
    const auto writes = bit(limit_class::writes);
    const auto deletes = bit(limit_class::deletes);
    const std::string_view path = "/v2/facts/p/e/users/jane";
    BOOST_TEST(classes_of(verb::get, path) == all);
    BOOST_TEST(classes_of(verb::head, path) == all);
    BOOST_TEST(classes_of(verb::put, path) == (all | writes));
    BOOST_TEST(classes_of(verb::post, path) == (all | writes));
    BOOST_TEST(classes_of(verb::patch, path) == (all | writes));
    BOOST_TEST(classes_of(verb::delete_, path) == (all | writes | deletes));
}

BOOST_AUTO_TEST_CASE(a_bulk_path_segment_adds_the_bulk_class) {
    const auto bulk = bit(limit_class::bulk);
    BOOST_TEST((classes_of(verb::put, "/v2/facts/p/e/bulk/users") & bulk) != 0u);
    BOOST_TEST((classes_of(verb::post, "/v2/facts/p/e/role_assignments/bulk") & bulk) != 0u);
    BOOST_TEST((classes_of(verb::delete_, "/v2/facts/p/e/bulk/tenants?x=1") & bulk) != 0u);
    BOOST_TEST((classes_of(verb::delete_, "/v2/facts/p/e/role_assignments/bulk?x=1") & bulk) != 0u);
    // "bulk" inside a longer segment, such as a user called "bulky", is not a bulk route.
    BOOST_TEST((classes_of(verb::put, "/v2/facts/p/e/users/bulky") & bulk) == 0u);
    BOOST_TEST((classes_of(verb::put, "/v2/facts/p/e/users/overbulk") & bulk) == 0u);
    BOOST_TEST((classes_of(verb::get, "/v2/facts/p/e/users?search=bulk") & bulk) == 0u);
    // A later segment is found after an earlier near miss.
    BOOST_TEST((classes_of(verb::put, "/v2/facts/p/e/bulky/bulk") & bulk) != 0u);
}

BOOST_AUTO_TEST_CASE(the_narrowest_class_is_the_most_specific) {
    using permit::detail::rate::narrowest;
    BOOST_TEST((narrowest(get_c) == limit_class::all));
    BOOST_TEST((narrowest(put_c) == limit_class::writes));
    BOOST_TEST((narrowest(delete_c) == limit_class::deletes));
    BOOST_TEST((narrowest(bulk_put_c) == limit_class::bulk));
    BOOST_TEST(
        (narrowest(classes_of(verb::delete_, "/v2/facts/p/e/bulk/users")) == limit_class::bulk));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ limiter state

BOOST_AUTO_TEST_SUITE(rate_limiter_state)

BOOST_AUTO_TEST_CASE(a_full_class_queues_until_a_window_after_the_responses) {
    state s(limits(3));
    for (int i = 0; i < 3; ++i) acquire_now(s, put_c, t0);
    const auto w = acquire_waiting(s, put_c, t0);
    BOOST_TEST(s.waiting_count() == 1u);
    BOOST_TEST(s.available(limit_class::writes, t0) == 0u);
    // The tokens are held by requests in flight: only their release can change anything.
    BOOST_TEST(!s.next_change(t0).has_value());

    for (int i = 0; i < 3; ++i) s.release(put_c, t0, true);
    // The server counted those three at t0: nothing more may go before t0 + 1 s.
    const auto next = s.next_change(t0);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(at_ms(*next) == 1000);
    BOOST_TEST(s.grant(t0).empty());
    BOOST_TEST(s.grant(t0 + 999ms).empty());
    BOOST_TEST(s.grant(t0 + 1s) == ids{w}, boost::test_tools::per_element());
    BOOST_TEST(s.waiting_count() == 0u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 1s) == 2u);
    BOOST_TEST(!s.next_change(t0 + 1s).has_value());
}

BOOST_AUTO_TEST_CASE(a_request_that_was_not_sent_gives_its_token_back_at_once) {
    state s(limits(3));
    for (int i = 0; i < 3; ++i) acquire_now(s, put_c, t0);
    const auto w = acquire_waiting(s, put_c, t0);
    // The connection failed before the request left: the server never counted it.
    s.release(put_c, t0 + 10ms, false);
    BOOST_TEST(s.grant(t0 + 10ms) == ids{w}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(no_window_ever_holds_more_than_the_limit) {
    // 1,000 writes queued at once, limit 10 per second, responses taking 0-500 ms. The server may
    // count a request at any moment between its grant and its response, so the guarantee is:
    // at any instant, at most `limit` requests were granted and are not yet a full window past
    // their response.
    constexpr std::size_t n = 1000;
    constexpr std::uint32_t limit = 10;
    const auto window = 1s;
    state s(limits(limit));
    std::mt19937 gen(2024);
    std::uniform_int_distribution<int> latency_ms(0, 500);
    std::vector<time_point> granted(n), released(n);
    std::unordered_map<waiter_id, std::size_t> index_of;
    std::multimap<time_point, std::size_t> in_flight;  // by response time
    auto start = [&](std::size_t i, time_point now) {
        granted[i] = now;
        in_flight.emplace(now + std::chrono::milliseconds(latency_ms(gen)), i);
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = s.acquire(put_c, t0);
        if (r.granted)
            start(i, t0);
        else
            index_of.emplace(r.waiter, i);
    }
    BOOST_TEST(in_flight.size() == limit);

    auto now = t0;
    std::size_t done = 0;
    for (std::size_t steps = 0; done < n; ++steps) {
        BOOST_TEST_REQUIRE(steps < 100 * n);
        // The next event: a response, or the moment the limiter says a waiter may go.
        auto next = s.next_change(now);
        if (!in_flight.empty() && (!next || in_flight.begin()->first < *next))
            next = in_flight.begin()->first;
        BOOST_TEST_REQUIRE(next.has_value());  // otherwise the waiters are stuck
        now = *next;
        while (!in_flight.empty() && in_flight.begin()->first <= now) {
            released[in_flight.begin()->second] = now;
            s.release(put_c, now, true);
            in_flight.erase(in_flight.begin());
            ++done;
        }
        for (const auto id : s.grant(now)) start(index_of.at(id), now);
    }
    BOOST_TEST(s.waiting_count() == 0u);

    std::size_t most = 0;
    for (std::size_t j = 0; j < n; ++j) {
        std::size_t holding = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (granted[i] <= granted[j] && granted[j] < released[i] + window) ++holding;
        most = std::max(most, holding);
    }
    BOOST_TEST(most <= limit);
    // And the limiter does use its allowance: the run is no slower than a token cycle (the
    // longest response plus a window) per `limit` requests.
    BOOST_TEST(most == limit);
    const auto last = *std::max_element(released.begin(), released.end());
    BOOST_TEST(at_ms(last) >= 99 * 1000);
    BOOST_TEST(at_ms(last) <= static_cast<std::int64_t>(n / limit) * 1500);
}

BOOST_AUTO_TEST_CASE(waiters_of_a_class_are_granted_in_arrival_order) {
    state s(limits(2));
    acquire_now(s, put_c, t0);
    acquire_now(s, put_c, t0);
    ids waiting;
    for (int i = 0; i < 5; ++i) waiting.push_back(acquire_waiting(s, put_c, t0));
    s.release(put_c, t0, false);
    s.release(put_c, t0, false);
    BOOST_TEST(s.grant(t0) == (ids{waiting[0], waiting[1]}), boost::test_tools::per_element());
    s.release(put_c, t0, false);
    BOOST_TEST(s.grant(t0) == ids{waiting[2]}, boost::test_tools::per_element());
    BOOST_TEST(s.waiting_count() == 2u);
}

BOOST_AUTO_TEST_CASE(a_get_is_not_held_up_behind_a_delete_waiting_for_its_class) {
    state s(limits(3, 1));
    acquire_now(s, delete_c, t0);
    const auto d2 = acquire_waiting(s, delete_c, t0);
    // The deletes class is full, but reads and other writes have tokens.
    acquire_now(s, get_c, t0);
    acquire_now(s, put_c, t0);
    BOOST_TEST(s.waiting_count() == 1u);
    s.release(delete_c, t0, false);
    BOOST_TEST(s.grant(t0) == ids{d2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_later_delete_does_not_overtake_an_earlier_one) {
    state s(limits(3, 1));
    acquire_now(s, delete_c, t0);
    const auto d2 = acquire_waiting(s, delete_c, t0);
    s.release(delete_c, t0, true);
    // At t0 + 1 s the token is back: a DELETE arriving then queues behind the one that waited.
    const auto d3 = acquire_waiting(s, delete_c, t0 + 1s);
    BOOST_TEST(s.grant(t0 + 1s) == ids{d2}, boost::test_tools::per_element());
    s.release(delete_c, t0 + 1s, false);
    BOOST_TEST(s.grant(t0 + 1s) == ids{d3}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_waiting_delete_keeps_its_place_for_the_writes_class) {
    // writes 2, deletes 1: D1 holds a writes and the deletes token; D2 waits for deletes. A PUT
    // still goes (a writes token is free), then a second PUT waits for writes. When D1 is over,
    // D2 came first: it takes the writes token, not the later PUT.
    state s(limits(2, 1));
    acquire_now(s, delete_c, t0);
    const auto d2 = acquire_waiting(s, delete_c, t0);
    acquire_now(s, put_c, t0);
    const auto p2 = acquire_waiting(s, put_c, t0);
    s.release(delete_c, t0, false);
    BOOST_TEST(s.grant(t0) == ids{d2}, boost::test_tools::per_element());
    s.release(put_c, t0, false);
    BOOST_TEST(s.grant(t0) == ids{p2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cancelled_waiter_leaves_the_queue) {
    state s(limits(3, 1));
    acquire_now(s, delete_c, t0);
    const auto d2 = acquire_waiting(s, delete_c, t0);
    const auto d3 = acquire_waiting(s, delete_c, t0);
    BOOST_TEST(s.cancel(d2));
    BOOST_TEST(!s.cancel(d2));  // already gone
    BOOST_TEST(s.waiting_count() == 1u);
    s.release(delete_c, t0, false);
    BOOST_TEST(s.grant(t0) == ids{d3}, boost::test_tools::per_element());
    // A granted waiter is no longer queued: it must release instead.
    BOOST_TEST(!s.cancel(d3));
    BOOST_TEST(s.waiting_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_limit_of_zero_leaves_the_class_unlimited) {
    auto o = limits(100, 0);
    state s(o);
    for (int i = 0; i < 50; ++i) acquire_now(s, delete_c, t0);

    // Unlimited writes are still counted in "all".
    o = limits(0);
    o.all = {20, 1s};
    state t(o);
    for (int i = 0; i < 20; ++i) acquire_now(t, put_c, t0);
    acquire_waiting(t, put_c, t0);
}

BOOST_AUTO_TEST_CASE(a_429_halves_the_narrowest_class) {
    auto o = limits(10, 4, 100);
    state s(o);
    s.on_rate_limited(put_c, t0, std::nullopt);
    BOOST_TEST(s.limit(limit_class::writes) == 5u);
    BOOST_TEST(s.limit(limit_class::all) == 1000u);
    // Only five writes go now.
    for (int i = 0; i < 5; ++i) acquire_now(s, put_c, t0);
    acquire_waiting(s, put_c, t0);

    s.on_rate_limited(bulk_put_c, t0, std::nullopt);
    BOOST_TEST(s.limit(limit_class::bulk) == 50u);
    BOOST_TEST(s.limit(limit_class::writes) == 5u);

    s.on_rate_limited(delete_c, t0, std::nullopt);
    BOOST_TEST(s.limit(limit_class::deletes) == 2u);

    // Never below one request per window.
    for (int i = 0; i < 10; ++i) s.on_rate_limited(delete_c, t0, std::nullopt);
    BOOST_TEST(s.limit(limit_class::deletes) == 1u);
}

BOOST_AUTO_TEST_CASE(a_retry_after_pauses_the_class) {
    auto o = limits(10);
    o.writes.window = 10s;  // growth after a calm window comes later than the pause ends
    state s(o);
    s.on_rate_limited(put_c, t0, std::chrono::nanoseconds(2s));
    const auto w = acquire_waiting(s, put_c, t0);
    // Reads are not in the paused class.
    acquire_now(s, get_c, t0);
    const auto next = s.next_change(t0);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(at_ms(*next) == 2000);
    BOOST_TEST(s.grant(t0 + 2s - 1ns).empty());
    BOOST_TEST(s.grant(t0 + 2s) == ids{w}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_long_retry_after_is_capped_by_max_pause) {
    auto o = limits(10);
    o.writes.window = 10s;
    o.max_pause = 5s;
    state s(o);
    s.on_rate_limited(put_c, t0, std::chrono::nanoseconds(1h));
    const auto w = acquire_waiting(s, put_c, t0);
    const auto next = s.next_change(t0);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(at_ms(*next) == 5000);
    BOOST_TEST(s.grant(t0 + 5s) == ids{w}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_calm_window_grows_the_limit_back_by_a_tenth) {
    state s(limits(100));
    s.on_rate_limited(put_c, t0, std::nullopt);
    BOOST_TEST(s.available(limit_class::writes, t0) == 50u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 999ms) == 50u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 1s) == 60u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 3s) == 80u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 5s) == 100u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 1h) == 100u);
    BOOST_TEST(s.limit(limit_class::writes) == 100u);
}

BOOST_AUTO_TEST_CASE(another_429_restarts_the_calm_window) {
    state s(limits(10));
    s.on_rate_limited(put_c, t0, std::nullopt);
    BOOST_TEST(s.available(limit_class::writes, t0 + 1s) == 6u);
    s.on_rate_limited(put_c, t0 + 1500ms, std::nullopt);
    BOOST_TEST(s.available(limit_class::writes, t0 + 1500ms) == 3u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 2499ms) == 3u);
    BOOST_TEST(s.available(limit_class::writes, t0 + 2500ms) == 4u);
}

BOOST_AUTO_TEST_CASE(a_waiter_for_a_shrunk_class_is_woken_when_it_grows) {
    state s(limits(10));
    s.on_rate_limited(put_c, t0, std::nullopt);
    for (int i = 0; i < 5; ++i) acquire_now(s, put_c, t0);
    const auto w = acquire_waiting(s, put_c, t0);
    // Nothing is cooling (the five are in flight); the limit growing back is what frees a slot.
    const auto next = s.next_change(t0);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(at_ms(*next) == 1000);
    BOOST_TEST(s.grant(t0 + 1s) == ids{w}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_429_after_calm_windows_halves_the_grown_back_limit) {
    // Ten calm windows after a 429 the class is back at 100, whether or not anything looked at
    // it meanwhile: a second 429 halves 100, not the stale 50.
    state s(limits(100));
    s.on_rate_limited(put_c, t0, std::nullopt);
    s.on_rate_limited(put_c, t0 + 10s, std::nullopt);
    BOOST_TEST(s.available(limit_class::writes, t0 + 10s) == 50u);

    // The same sequence with a look in between gives the same answer.
    state looked(limits(100));
    looked.on_rate_limited(put_c, t0, std::nullopt);
    BOOST_TEST(looked.available(limit_class::writes, t0 + 10s) == 100u);
    looked.on_rate_limited(put_c, t0 + 10s, std::nullopt);
    BOOST_TEST(looked.available(limit_class::writes, t0 + 10s) == 50u);
}

BOOST_AUTO_TEST_CASE(a_429_on_an_unlimited_class_slows_the_narrowest_limited_one) {
    // Deletes are not paced by the client (limit 0), but the server answered a DELETE with 429
    // and Retry-After: 2. The writes class, the narrowest one that is paced, takes the slowdown
    // and the pause; otherwise the 429 changes nothing and the next DELETEs draw 429s too.
    auto o = limits(10, 0);
    o.writes.window = 10s;
    state s(o);
    s.on_rate_limited(delete_c, t0, std::chrono::nanoseconds(2s));
    BOOST_TEST(s.limit(limit_class::writes) == 5u);
    const auto r = s.acquire(delete_c, t0);
    BOOST_TEST(!r.granted);
}

BOOST_AUTO_TEST_CASE(shutdown_returns_every_waiter) {
    state s(limits(1));
    acquire_now(s, put_c, t0);
    const auto p2 = acquire_waiting(s, put_c, t0);
    const auto p3 = acquire_waiting(s, put_c, t0);
    const auto d = acquire_waiting(s, delete_c, t0);
    // P1 ends unsent; a GET arriving before anyone calls grant() lets P2 through in the same
    // scan. P2 is granted but not yet told: shutdown must still return it, or it waits forever.
    s.release(put_c, t0, false);
    acquire_now(s, get_c, t0);
    BOOST_TEST(s.shutdown() == (ids{p2, p3, d}), boost::test_tools::per_element());
    BOOST_TEST(s.waiting_count() == 0u);
    BOOST_TEST(s.grant(t0 + 1h).empty());
    BOOST_TEST(!s.next_change(t0).has_value());
    BOOST_TEST(s.shutdown().empty());
}

BOOST_AUTO_TEST_CASE(shutdown_gives_back_the_tokens_of_waiters_it_fails) {
    // As above: P2 was granted in a scan but never told, and shutdown fails it. P2 never runs and
    // so never releases; the writes token it was given must not be lost, or the class stays one
    // short for good (the client keeps working after client::cancel()).
    state s(limits(1));
    acquire_now(s, put_c, t0);
    acquire_waiting(s, put_c, t0);
    s.release(put_c, t0, false);
    acquire_now(s, get_c, t0);
    BOOST_TEST(s.shutdown().size() == 1u);
    BOOST_TEST(s.available(limit_class::writes, t0) == 1u);
    const auto r = s.acquire(put_c, t0);
    BOOST_TEST(r.granted);
}

BOOST_AUTO_TEST_CASE(a_large_backlog_of_one_kind_is_granted_one_by_one_in_order) {
    // 100,000 queued PUTs and a grant() for each token that comes back. Each scan stops at the
    // first waiter that lacks a token (everyone behind it needs the same class), so this is linear
    // in the work done; a scan of the whole queue each time would take minutes.
    constexpr std::size_t backlog = 100'000;
    auto o = limits(10);
    o.all = {0, 1s};
    state s(o);
    for (int i = 0; i < 10; ++i) acquire_now(s, put_c, t0);
    ids waiting;
    waiting.reserve(backlog);
    for (std::size_t i = 0; i < backlog; ++i) {
        const auto r = s.acquire(put_c, t0);
        BOOST_TEST_REQUIRE(!r.granted);
        waiting.push_back(r.waiter);
    }
    for (std::size_t i = 0; i < 10'000; ++i) {
        s.release(put_c, t0, false);
        const auto granted = s.grant(t0);
        BOOST_TEST_REQUIRE(granted.size() == 1u);
        BOOST_TEST_REQUIRE(granted.front() == waiting[i]);
    }
    BOOST_TEST(s.waiting_count() == backlog - 10'000);
    BOOST_TEST(s.shutdown().size() == backlog - 10'000);
}

BOOST_AUTO_TEST_SUITE_END()
