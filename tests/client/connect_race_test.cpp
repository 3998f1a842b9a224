// The connection race of the HTTP layer ("Happy Eyeballs", RFC 8305) over real sockets on
// loopback: the order in which a resolver's addresses are tried, the fall-back from an address
// that does not answer or refuses, the failure of every address, and cancellation.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>
#include <permit/detail/http/connect_race.hpp>

#include "support/slowdown.hpp"

namespace {
namespace connect_race_support {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using permit::detail::http::connect_race;
using namespace std::chrono_literals;

/// How long a race may take before the watchdog cancels it: far longer than the attempt delays
/// of these tests, far shorter than a connect to an address that does not answer (the kernel
/// gives up after about two minutes of SYN retransmissions).
constexpr auto race_watchdog = 5s * permit_test::slowdown;

tcp::endpoint at(const char* address, unsigned short port) {
    return {asio::ip::make_address(address), port};
}

/// An address that accepts: the kernel completes the handshake into the listen queue, so
/// nobody needs to accept.
struct answering_listener {
    answering_listener(asio::io_context& ioc, const char* address)
        : acceptor(ioc, at(address, 0)) {}
    tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }
    tcp::acceptor acceptor;
};

/// An address that does not answer, like a host gone away: a listener with a backlog of 0 (on
/// Linux a queue of one connection) whose slot is taken by a connection nobody accepts. The
/// kernel drops further SYNs while the queue is full, so a connect to it hangs.
struct unanswering_listener {
    unanswering_listener(asio::io_context& ioc, const char* address) : acceptor(ioc), queued(ioc) {
        const auto local = at(address, 0);
        acceptor.open(local.protocol());
        acceptor.bind(local);
        acceptor.listen(0);
        queued.connect(acceptor.local_endpoint());
    }
    tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }
    tcp::acceptor acceptor;
    tcp::socket queued;
};

/// An address that refuses: a bound socket that does not listen answers a SYN with a reset.
struct refusing_address {
    refusing_address(asio::io_context& ioc, const char* address) : bound(ioc) {
        const auto local = at(address, 0);
        bound.open(local.protocol());
        bound.bind(local);
    }
    tcp::endpoint endpoint() const { return bound.local_endpoint(); }
    tcp::acceptor bound;
};

/// Whether [::1] can be bound here (not on a host without IPv6).
bool ipv6_loopback_available() {
    asio::io_context ioc;
    tcp::acceptor probe(ioc);
    boost::system::error_code ec;
    probe.open(tcp::v6(), ec);
    if (!ec) probe.bind(at("::1", 0), ec);
    return !ec;
}

/// The number of descriptors the process has open: a race that closed its attempts leaves it as
/// it found it (plus the winning socket). Read from /proc, so Linux only; the tests use it only
/// as a difference, taken with no other test running.
std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++count;
    return count;
}

struct race_outcome {
    std::optional<std::pair<boost::system::error_code, tcp::endpoint>> result;
    bool watchdog_fired = false;
};

/// Runs `race` over `endpoints` into `out` until it completes. A watchdog cancels it after
/// `race_watchdog`: a race that waits for an address that does not answer then ends with
/// `operation_aborted`, which the callers' assertions reject.
race_outcome run_race_to_end(asio::io_context& ioc, connect_race& race, tcp::socket& out,
                             std::vector<tcp::endpoint> endpoints) {
    race_outcome outcome;
    asio::steady_timer watchdog(ioc, race_watchdog);
    watchdog.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        outcome.watchdog_fired = true;
        race.cancel();
    });
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            outcome.result = co_await race.run(out, std::move(endpoints));
            watchdog.cancel();
        },
        asio::detached);
    // Bounded too, in case a cancelled race failed to complete.
    ioc.run_for(race_watchdog * 2);
    return outcome;
}

/// Runs handlers until `race` has started `count` attempts; false if that takes longer than
/// `race_watchdog`.
bool run_until_attempts_started(asio::io_context& ioc, const connect_race& race,
                                std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + race_watchdog;
    while (race.attempts_started() < count && std::chrono::steady_clock::now() < deadline)
        ioc.run_one_until(deadline);
    return race.attempts_started() >= count;
}

}  // namespace connect_race_support
}  // namespace

BOOST_AUTO_TEST_SUITE(connect_race)

namespace asio = boost::asio;
namespace http = permit::detail::http;
namespace support = connect_race_support;
using tcp = asio::ip::tcp;
using support::at;
using namespace std::chrono_literals;

// RFC 8305 section 4: the first address's family leads, then the families alternate, each in the
// resolver's order.
BOOST_AUTO_TEST_CASE(interleaving_alternates_families_from_the_first_address) {
    const std::vector<tcp::endpoint> answer{at("2001:db8::1", 443), at("2001:db8::2", 443),
                                            at("192.0.2.1", 443), at("192.0.2.2", 443)};
    const std::vector<tcp::endpoint> expected{at("2001:db8::1", 443), at("192.0.2.1", 443),
                                              at("2001:db8::2", 443), at("192.0.2.2", 443)};
    BOOST_TEST(http::interleave_families(answer) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(interleaving_leads_with_ipv4_when_the_resolver_does) {
    const std::vector<tcp::endpoint> answer{at("192.0.2.1", 443), at("2001:db8::1", 443),
                                            at("2001:db8::2", 443), at("2001:db8::3", 443),
                                            at("192.0.2.2", 443)};
    // The longer family's rest comes last, in its order.
    const std::vector<tcp::endpoint> expected{at("192.0.2.1", 443), at("2001:db8::1", 443),
                                              at("192.0.2.2", 443), at("2001:db8::2", 443),
                                              at("2001:db8::3", 443)};
    BOOST_TEST(http::interleave_families(answer) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(interleaving_keeps_each_address_once) {
    const std::vector<tcp::endpoint> answer{at("2001:db8::1", 443), at("192.0.2.1", 443),
                                            at("2001:db8::1", 443), at("192.0.2.1", 443),
                                            at("192.0.2.1", 8443),  at("2001:db8::2", 443)};
    // The same address on another port is another endpoint.
    const std::vector<tcp::endpoint> expected{at("2001:db8::1", 443), at("192.0.2.1", 443),
                                              at("2001:db8::2", 443), at("192.0.2.1", 8443)};
    BOOST_TEST(http::interleave_families(answer) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(interleaving_one_family_or_none_keeps_the_order) {
    const std::vector<tcp::endpoint> answer{at("192.0.2.3", 80), at("192.0.2.1", 80),
                                            at("192.0.2.2", 80)};
    BOOST_TEST(http::interleave_families(answer) == answer, boost::test_tools::per_element());
    BOOST_TEST(http::interleave_families(std::vector<tcp::endpoint>{}).empty());
}

BOOST_AUTO_TEST_CASE(interleaving_takes_a_resolver_answer) {
    const std::vector<tcp::endpoint> endpoints{at("192.0.2.1", 443), at("192.0.2.2", 443),
                                               at("2001:db8::1", 443)};
    const auto answer = tcp::resolver::results_type::create(endpoints.begin(), endpoints.end(),
                                                            "api.example", "443");
    const std::vector<tcp::endpoint> expected{at("192.0.2.1", 443), at("2001:db8::1", 443),
                                              at("192.0.2.2", 443)};
    BOOST_TEST(http::interleave_families(answer) == expected, boost::test_tools::per_element());
}

// The reason for the race: the first address does not answer, and the second is reached after
// the attempt delay instead of after the first connect's timeout (minutes).
BOOST_AUTO_TEST_CASE(an_address_that_does_not_answer_is_overtaken_by_the_next) {
    asio::io_context ioc;
    support::unanswering_listener silent(ioc, "127.0.0.1");
    support::answering_listener open(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race;
    const auto descriptors_before = support::open_descriptors();
    const auto outcome =
        support::run_race_to_end(ioc, race, out, {silent.endpoint(), open.endpoint()});
    BOOST_TEST(!outcome.watchdog_fired);
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(!outcome.result->first, outcome.result->first.message());
    BOOST_TEST(outcome.result->second == open.endpoint());
    boost::system::error_code peer_error;
    BOOST_TEST(out.remote_endpoint(peer_error) == open.endpoint());  // `out` is connected
    BOOST_TEST(race.attempts_started() == 2u);
    BOOST_TEST(race.fell_back());
    // The attempt still waiting on the silent address was closed: only the winner is left.
    BOOST_TEST(support::open_descriptors() == descriptors_before + 1);
}

// A refusal starts the next attempt at once: with an attempt delay of an hour, only that can
// finish the race before the watchdog.
BOOST_AUTO_TEST_CASE(a_refused_attempt_starts_the_next_at_once) {
    asio::io_context ioc;
    support::refusing_address closed(ioc, "127.0.0.1");
    support::answering_listener open(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race(std::chrono::hours(1));
    const auto outcome =
        support::run_race_to_end(ioc, race, out, {closed.endpoint(), open.endpoint()});
    BOOST_TEST(!outcome.watchdog_fired);
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(!outcome.result->first, outcome.result->first.message());
    BOOST_TEST(outcome.result->second == open.endpoint());
    BOOST_TEST(race.attempts_started() == 2u);
    BOOST_TEST(race.fell_back());
}

// An address that answers in time wins alone: the next one is never tried.
BOOST_AUTO_TEST_CASE(a_first_address_that_answers_is_the_only_attempt) {
    asio::io_context ioc;
    support::answering_listener open(ioc, "127.0.0.1");
    support::unanswering_listener silent(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race(std::chrono::hours(1));
    const auto outcome =
        support::run_race_to_end(ioc, race, out, {open.endpoint(), silent.endpoint()});
    BOOST_TEST(!outcome.watchdog_fired);
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(!outcome.result->first, outcome.result->first.message());
    BOOST_TEST(outcome.result->second == open.endpoint());
    BOOST_TEST(race.attempts_started() == 1u);
    BOOST_TEST(!race.fell_back());
}

BOOST_AUTO_TEST_CASE(when_every_address_fails_the_race_fails_and_leaves_nothing_open) {
    asio::io_context ioc;
    support::refusing_address first(ioc, "127.0.0.1");
    support::refusing_address second(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race(std::chrono::hours(1));
    const auto descriptors_before = support::open_descriptors();
    const auto outcome =
        support::run_race_to_end(ioc, race, out, {first.endpoint(), second.endpoint()});
    BOOST_TEST(!outcome.watchdog_fired);
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(outcome.result->first == asio::error::connection_refused,
               outcome.result->first.message());
    BOOST_TEST(race.attempts_started() == 2u);
    BOOST_TEST(!race.fell_back());
    BOOST_TEST(!out.is_open());
    BOOST_TEST(support::open_descriptors() == descriptors_before);
}

BOOST_AUTO_TEST_CASE(an_empty_list_fails_with_not_found) {
    asio::io_context ioc;
    tcp::socket out(ioc);
    http::connect_race race;
    const auto outcome = support::run_race_to_end(ioc, race, out, {});
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(outcome.result->first == asio::error::not_found, outcome.result->first.message());
    BOOST_TEST(race.attempts_started() == 0u);
    BOOST_TEST(!out.is_open());
}

// The owner's connect deadline or close: `cancel()` from a plain function while the race waits on
// two addresses that do not answer closes both attempts at once and ends the race.
BOOST_AUTO_TEST_CASE(cancel_closes_every_attempt_and_aborts_the_race) {
    asio::io_context ioc;
    support::unanswering_listener first(ioc, "127.0.0.1");
    support::unanswering_listener second(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race(10ms);
    const auto descriptors_before = support::open_descriptors();
    std::optional<std::pair<boost::system::error_code, tcp::endpoint>> result;
    std::vector<tcp::endpoint> endpoints{first.endpoint(), second.endpoint()};
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> { result = co_await race.run(out, std::move(endpoints)); },
        asio::detached);
    BOOST_REQUIRE(support::run_until_attempts_started(ioc, race, 2));
    BOOST_TEST(support::open_descriptors() == descriptors_before + 2);
    race.cancel();
    BOOST_TEST(support::open_descriptors() == descriptors_before);
    race.cancel();  // idempotent
    ioc.run_for(support::race_watchdog);
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result->first == asio::error::operation_aborted, result->first.message());
    BOOST_TEST(!out.is_open());
    BOOST_TEST(!race.fell_back());
    race.cancel();  // after the end: nothing to do
    BOOST_TEST(support::open_descriptors() == descriptors_before);
}

BOOST_AUTO_TEST_CASE(a_race_cancelled_before_it_runs_connects_nothing) {
    asio::io_context ioc;
    support::answering_listener open(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race;
    race.cancel();
    const auto outcome = support::run_race_to_end(ioc, race, out, {open.endpoint()});
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(outcome.result->first == asio::error::operation_aborted,
               outcome.result->first.message());
    BOOST_TEST(race.attempts_started() == 0u);
    BOOST_TEST(!out.is_open());
}

// A race destroyed while its coroutine waits is cancelled; the handlers of its attempts, which
// complete afterwards, use only the state they share.
BOOST_AUTO_TEST_CASE(a_race_destroyed_while_it_runs_completes_its_coroutine) {
    asio::io_context ioc;
    support::unanswering_listener first(ioc, "127.0.0.1");
    support::unanswering_listener second(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    auto race = std::make_unique<http::connect_race>(10ms);
    std::optional<std::pair<boost::system::error_code, tcp::endpoint>> result;
    std::vector<tcp::endpoint> endpoints{first.endpoint(), second.endpoint()};
    http::connect_race* const racing = race.get();
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            result = co_await racing->run(out, std::move(endpoints));
        },
        asio::detached);
    BOOST_REQUIRE(support::run_until_attempts_started(ioc, *race, 2));
    race.reset();
    ioc.run_for(support::race_watchdog);
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result->first == asio::error::operation_aborted, result->first.message());
    BOOST_TEST(!out.is_open());
}

// A terminal cancellation of the awaiting coroutine (here by `||`, when the other operand ends
// first) aborts the race as `cancel()` does.
BOOST_AUTO_TEST_CASE(the_awaiting_coroutines_cancellation_aborts_the_race) {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ioc;
    support::unanswering_listener silent(ioc, "127.0.0.1");
    tcp::socket out(ioc);
    http::connect_race race;
    const auto descriptors_before = support::open_descriptors();
    std::optional<std::size_t> winner;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer deadline(ioc, 50ms);
            std::vector<tcp::endpoint> endpoints{silent.endpoint()};
            auto either = co_await (race.run(out, std::move(endpoints)) ||
                                    deadline.async_wait(asio::use_awaitable));
            winner = either.index();
        },
        asio::detached);
    ioc.run_for(support::race_watchdog);
    BOOST_REQUIRE(winner.has_value());
    BOOST_TEST(*winner == 1u);  // the deadline
    BOOST_TEST(race.attempts_started() == 1u);
    BOOST_TEST(!out.is_open());
    BOOST_TEST(support::open_descriptors() == descriptors_before);
}

// A resolver's answer, as `connection::connect` gets it, with the address that does not answer
// first: interleaved and raced, it connects to the other.
BOOST_AUTO_TEST_CASE(a_resolver_answer_with_a_silent_first_address_connects) {
    asio::io_context ioc;
    support::unanswering_listener silent(ioc, "127.0.0.1");
    support::answering_listener open(ioc, "127.0.0.1");
    const std::vector<tcp::endpoint> endpoints{silent.endpoint(), open.endpoint()};
    const auto answer = tcp::resolver::results_type::create(endpoints.begin(), endpoints.end(),
                                                            "localhost", "http");
    tcp::socket out(ioc);
    http::connect_race race;
    const auto outcome =
        support::run_race_to_end(ioc, race, out, http::interleave_families(answer));
    BOOST_TEST(!outcome.watchdog_fired);
    BOOST_REQUIRE(outcome.result.has_value());
    BOOST_TEST(!outcome.result->first, outcome.result->first.message());
    BOOST_TEST(outcome.result->second == open.endpoint());
    BOOST_TEST(race.fell_back());
}

// Both families on loopback: a silent [::1] is overtaken by 127.0.0.1, and a silent 127.0.0.1 by
// [::1], each from a resolver answer listing the silent family twice first.
BOOST_AUTO_TEST_CASE(a_silent_family_is_overtaken_by_the_other) {
    if (!support::ipv6_loopback_available()) {
        BOOST_TEST_MESSAGE("[::1] cannot be bound here: the IPv6 cases are skipped");
        return;
    }
    struct family_case {
        const char* silent;
        const char* open;
    };
    for (const auto& c : {family_case{"::1", "127.0.0.1"}, family_case{"127.0.0.1", "::1"}}) {
        BOOST_TEST_CONTEXT("silent " << c.silent << ", open " << c.open) {
            asio::io_context ioc;
            support::unanswering_listener silent(ioc, c.silent);
            support::unanswering_listener silent_too(ioc, c.silent);
            support::answering_listener open(ioc, c.open);
            const std::vector<tcp::endpoint> endpoints{silent.endpoint(), silent_too.endpoint(),
                                                       open.endpoint()};
            const auto answer = tcp::resolver::results_type::create(
                endpoints.begin(), endpoints.end(), "localhost", "http");
            const auto ordered = http::interleave_families(answer);
            BOOST_REQUIRE_EQUAL(ordered.size(), 3u);
            BOOST_TEST(ordered[1] == open.endpoint());  // the other family comes second
            tcp::socket out(ioc);
            http::connect_race race;
            const auto outcome = support::run_race_to_end(ioc, race, out, ordered);
            BOOST_TEST(!outcome.watchdog_fired);
            BOOST_REQUIRE(outcome.result.has_value());
            BOOST_TEST(!outcome.result->first, outcome.result->first.message());
            BOOST_TEST(outcome.result->second == open.endpoint());
            BOOST_TEST(race.attempts_started() == 2u);
            BOOST_TEST(race.fell_back());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
