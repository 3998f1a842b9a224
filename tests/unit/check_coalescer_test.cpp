// Check coalescing's decisions, without sockets: a check goes at once when a connection is free
// and waits otherwise, the waiting ones go out together (oldest first, at most max_batch, a lone
// one as a plain /allowed), a cancelled one leaves the queue, and a reply is matched to its checks
// only when it has an answer for each.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <permit/detail/check_coalescer_state.hpp>

namespace check_coalescer_test {

using state = permit::detail::check_coalescer_state;
using route = state::route;
using tickets = std::vector<state::ticket>;

std::string query(int n) {
    return "{\"q\":" + std::to_string(n) + "}";
}

}  // namespace check_coalescer_test

BOOST_AUTO_TEST_SUITE(check_coalescer)

BOOST_AUTO_TEST_CASE(a_check_with_a_free_connection_goes_at_once_and_keeps_its_query) {
    using namespace check_coalescer_test;
    state s(100);
    auto q = query(1);
    BOOST_TEST((s.submit(1, std::move(q), true) == route::now));
    BOOST_TEST(q == query(1));
    BOOST_TEST(s.queued() == 0u);
    // A freed connection with nothing queued sends nothing.
    BOOST_TEST(!s.take().has_value());
    // Even with checks queued, one that finds a connection free does not wait for them.
    BOOST_TEST((s.submit(2, query(2), false) == route::queued));
    BOOST_TEST((s.submit(3, query(3), true) == route::now));
    BOOST_TEST(s.queued() == 1u);
}

BOOST_AUTO_TEST_CASE(queued_checks_go_out_together_oldest_first) {
    using namespace check_coalescer_test;
    state s(100);
    for (int i = 1; i <= 3; ++i) BOOST_TEST((s.submit(i, query(i), false) == route::queued));
    const auto b = s.take();
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->bulk());
    BOOST_TEST((b->tickets == tickets{1, 2, 3}));
    BOOST_TEST(b->body == "[" + query(1) + "," + query(2) + "," + query(3) + "]");
    BOOST_TEST(s.queued() == 0u);
    BOOST_TEST(state::matches(*b, 3));
    BOOST_TEST(!state::matches(*b, 2));
    BOOST_TEST(!state::matches(*b, 4));
}

BOOST_AUTO_TEST_CASE(a_lone_queued_check_goes_as_a_plain_query) {
    using namespace check_coalescer_test;
    state s(100);
    s.submit(7, query(7), false);
    const auto b = s.take();
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(!b->bulk());
    BOOST_TEST((b->tickets == tickets{7}));
    BOOST_TEST(b->body == query(7));
}

BOOST_AUTO_TEST_CASE(a_batch_holds_at_most_max_batch_checks_and_the_rest_wait_their_turn) {
    using namespace check_coalescer_test;
    state s(2);
    for (int i = 1; i <= 5; ++i) s.submit(i, query(i), false);
    auto first = s.take();
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST((first->tickets == tickets{1, 2}));
    BOOST_TEST(s.queued() == 3u);
    auto second = s.take();
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST((second->tickets == tickets{3, 4}));
    auto third = s.take();
    BOOST_REQUIRE(third.has_value());
    BOOST_TEST((third->tickets == tickets{5}));
    BOOST_TEST(!third->bulk());
    BOOST_TEST(!s.take().has_value());
    // A limit of 0 is taken as 1.
    BOOST_TEST(state(0).max_batch() == 1u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_check_leaves_the_queue_and_one_sent_cannot) {
    using namespace check_coalescer_test;
    state s(100);
    for (int i = 1; i <= 3; ++i) s.submit(i, query(i), false);
    BOOST_TEST(s.cancel(2));
    BOOST_TEST(!s.cancel(2));
    const auto b = s.take();
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST((b->tickets == tickets{1, 3}));
    BOOST_TEST(b->body == "[" + query(1) + "," + query(3) + "]");
    // Gone out in a batch: no longer queued.
    BOOST_TEST(!s.cancel(1));
}

BOOST_AUTO_TEST_CASE(cancelling_the_client_takes_every_queued_check) {
    using namespace check_coalescer_test;
    state s(100);
    for (int i = 1; i <= 4; ++i) s.submit(i, query(i), false);
    BOOST_TEST((s.take_all() == tickets{1, 2, 3, 4}));
    BOOST_TEST(s.queued() == 0u);
    BOOST_TEST(!s.take().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
