// The deadlines of a pool's operations, without a timer: kept in time order however they are
// added, unlinked from anywhere, and handed out only once due.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

#include <permit/detail/http/deadlines.hpp>

#include "support/fake_clock.hpp"

namespace deadline_list_test {

using namespace std::chrono_literals;
using list = permit::detail::http::deadline_list<permit_test::fake_clock>;
using entry = list::entry;
const permit_test::fake_clock::time_point t0 = permit_test::fake_clock::time_point{} + 1h;

// The entries due at `now`, in the order the list hands them out.
std::vector<const entry*> due(list& l, permit_test::fake_clock::time_point now) {
    std::vector<const entry*> out;
    while (const auto* e = l.pop_due(now)) out.push_back(e);
    return out;
}

}  // namespace deadline_list_test

BOOST_AUTO_TEST_SUITE(deadline_list)

BOOST_AUTO_TEST_CASE(entries_come_out_in_time_order_once_due) {
    using namespace deadline_list_test;
    list l;
    entry a, b, c, d;
    l.add(a, t0 + 30s);
    l.add(b, t0 + 31s);
    l.add(c, t0 + 10s);  // earlier than all: goes first
    l.add(d, t0 + 30s);  // the same as `a`: after it
    BOOST_TEST(l.front() == &c);
    BOOST_TEST(due(l, t0 + 9s).empty());
    BOOST_TEST((due(l, t0 + 30s) == std::vector<const entry*>{&c, &a, &d}));
    BOOST_TEST(!c.linked);
    BOOST_TEST(b.linked);
    BOOST_TEST((due(l, t0 + 1h) == std::vector<const entry*>{&b}));
    BOOST_TEST(l.empty());
}

BOOST_AUTO_TEST_CASE(an_entry_is_unlinked_from_anywhere) {
    using namespace deadline_list_test;
    list l;
    entry a, b, c, d;
    l.add(a, t0 + 1s);
    l.add(b, t0 + 2s);
    l.add(c, t0 + 3s);
    l.add(d, t0 + 4s);
    l.remove(b);  // middle
    l.remove(a);  // head
    l.remove(d);  // tail
    l.remove(d);  // no longer linked: nothing
    BOOST_TEST(!a.linked);
    BOOST_TEST(l.front() == &c);
    l.add(a, t0 + 5s);
    BOOST_TEST((due(l, t0 + 1h) == std::vector<const entry*>{&c, &a}));
    // Linked again after being handed out.
    l.add(b, t0 + 1s);
    l.remove(b);
    BOOST_TEST(l.empty());
}

BOOST_AUTO_TEST_SUITE_END()
