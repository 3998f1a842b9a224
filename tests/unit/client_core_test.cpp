// The client's sans-io parts, driven without sockets: the connection pool's bookkeeping (with
// explicit time points), percent-encoding and query strings, base URL parsing, error codes and
// conditions, reading error bodies into diagnostics, the arguments of `check`, and the
// wait-for-sync headers.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include <permit/check.hpp>
#include <permit/detail/encoding.hpp>
#include <permit/detail/http/connection.hpp>
#include <permit/detail/http/origin.hpp>
#include <permit/detail/http/pool_state.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/detail/sync_headers.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/models/user.hpp>

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------- pool_state helpers

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

// ---------------------------------------------------------------- diagnostics helpers

permit::detail::http::response make_response(unsigned status, std::string body,
                                             std::string request_id = {}) {
    permit::detail::http::response r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = "application/json";
    r.request_id = std::move(request_id);
    return r;
}

permit::diagnostics read(const permit::detail::http::response& r) {
    permit::diagnostics d;
    permit::detail::read_error_body(r, d);
    return d;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

constexpr const char* conflict_body = R"json(
{"id":"req-409-abc","title":"The object already exists","error_code":"DUPLICATE_ENTITY",
 "message":"A user with the key 'jane' already exists."}
)json";

constexpr const char* validation_body =
    R"json({"detail":[{"loc":["body","key"],"msg":"field required","type":"value_error.missing"}]})json";

boost::system::error_code code_of(unsigned status) {
    return permit::make_error_code(permit::error_from_status(status));
}

}  // namespace

// ================================================================ pool_state

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

// ================================================================ encoding

BOOST_AUTO_TEST_SUITE(encoding)

using permit::detail::percent_encode;
using permit::detail::query_builder;

BOOST_AUTO_TEST_CASE(percent_encode_keeps_unreserved_characters) {
    const std::string unreserved =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    BOOST_TEST(percent_encode(unreserved) == unreserved);
    BOOST_TEST(percent_encode("") == "");
}

BOOST_AUTO_TEST_CASE(percent_encode_escapes_reserved_characters_in_upper_case) {
    BOOST_TEST(percent_encode("|") == "%7C");
    BOOST_TEST(percent_encode("@") == "%40");
    BOOST_TEST(percent_encode("+") == "%2B");
    BOOST_TEST(percent_encode("/") == "%2F");
    BOOST_TEST(percent_encode(" ") == "%20");
    BOOST_TEST(percent_encode("%") == "%25");
    BOOST_TEST(percent_encode(":") == "%3A");
    BOOST_TEST(percent_encode("user|42@example.com") == "user%7C42%40example.com");
    BOOST_TEST(percent_encode("a+b/c d") == "a%2Bb%2Fc%20d");
    BOOST_TEST(percent_encode(std::string_view("a\0b", 3)) == "a%00b");
}

BOOST_AUTO_TEST_CASE(percent_encode_escapes_each_byte_of_non_ascii_text) {
    BOOST_TEST(percent_encode("\xC3\xA9") == "%C3%A9");  // é in UTF-8
    BOOST_TEST(percent_encode("\x80") == "%80");
    BOOST_TEST(percent_encode("\xFF") == "%FF");
    BOOST_TEST(percent_encode("caf\xC3\xA9:1") == "caf%C3%A9%3A1");
}

BOOST_AUTO_TEST_CASE(query_builder_joins_parameters_with_ampersands_and_encodes_values) {
    BOOST_TEST(query_builder{}.str() == "");

    query_builder one;
    one.add("search", "jane doe");
    BOOST_TEST(std::move(one).str() == "search=jane%20doe");

    query_builder three;
    three.add("a", "1").add("b", "x|y").add("c", "");
    BOOST_TEST(std::move(three).str() == "a=1&b=x%7Cy&c=");
}

BOOST_AUTO_TEST_CASE(query_builder_writes_numbers_and_flags) {
    query_builder q;
    q.add_number("page", 2).add_number("per_page", 100).add_number("offset", -5);
    q.add_flag("detailed", true).add_flag("include_total_count", false);
    BOOST_TEST(std::move(q).str() ==
               "page=2&per_page=100&offset=-5&detailed=true&include_total_count=false");
}

BOOST_AUTO_TEST_CASE(query_builder_skips_unset_optional_values) {
    const std::optional<std::string> none;
    const std::optional<std::string> role = "admin@acme";

    query_builder only_unset;
    only_unset.add_optional("role", none);
    BOOST_TEST(std::move(only_unset).str() == "");

    // A skipped first parameter leaves no leading '&'.
    query_builder unset_first;
    unset_first.add_optional("tenant", none).add("page", "1");
    BOOST_TEST(std::move(unset_first).str() == "page=1");

    query_builder unset_last;
    unset_last.add("page", "1").add_optional("tenant", none);
    BOOST_TEST(std::move(unset_last).str() == "page=1");

    query_builder set;
    set.add("page", "1").add_optional("role", role);
    BOOST_TEST(std::move(set).str() == "page=1&role=admin%40acme");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ origin

BOOST_AUTO_TEST_SUITE(origin)

using permit::detail::http::origin;

BOOST_AUTO_TEST_CASE(parses_an_https_host_with_the_default_port) {
    const auto o = origin::parse("https://api.permit.io");
    BOOST_TEST(o.tls);
    BOOST_TEST(o.host == "api.permit.io");
    BOOST_TEST(o.port == "443");
    BOOST_TEST(o.host_header == "api.permit.io");
    BOOST_TEST(o.base_path == "");
    BOOST_TEST(!o.host_is_ip);
    BOOST_TEST(o.key() == "https://api.permit.io:443");
}

BOOST_AUTO_TEST_CASE(parses_an_http_ipv4_address_with_a_port) {
    const auto o = origin::parse("http://127.0.0.1:7766");
    BOOST_TEST(!o.tls);
    BOOST_TEST(o.host == "127.0.0.1");
    BOOST_TEST(o.port == "7766");
    BOOST_TEST(o.host_is_ip);
    BOOST_TEST(o.host_header == "127.0.0.1:7766");
    BOOST_TEST(o.base_path == "");
    BOOST_TEST(o.key() == "http://127.0.0.1:7766");
}

BOOST_AUTO_TEST_CASE(http_without_a_port_defaults_to_80) {
    const auto o = origin::parse("http://pdp.internal");
    BOOST_TEST(o.port == "80");
    BOOST_TEST(o.host_header == "pdp.internal");
}

BOOST_AUTO_TEST_CASE(parses_an_ipv6_literal_without_brackets_and_strips_the_trailing_slash) {
    const auto o = origin::parse("http://[::1]:8080/prefix/");
    BOOST_TEST(o.host == "::1");
    BOOST_TEST(o.port == "8080");
    BOOST_TEST(o.host_is_ip);
    BOOST_TEST(o.base_path == "/prefix");
    BOOST_TEST(o.host_header == "[::1]:8080");
}

BOOST_AUTO_TEST_CASE(keeps_a_multi_segment_base_path) {
    const auto o = origin::parse("http://localhost:1/a/b");
    BOOST_TEST(o.host == "localhost");
    BOOST_TEST(o.port == "1");
    BOOST_TEST(!o.host_is_ip);
    BOOST_TEST(o.base_path == "/a/b");
    BOOST_TEST(origin::parse("http://localhost:1/").base_path == "");
}

BOOST_AUTO_TEST_CASE(rejects_urls_that_are_not_plain_http_origins) {
    for (const char* url : {"ftp://x", "not a url", "http://user:pw@host", "http://h/?q=1",
                            "http://h/#f", "http://:80", "", "/relative/path"}) {
        BOOST_TEST_CONTEXT("url '" << url << "'") {
            BOOST_CHECK_THROW(origin::parse(url), std::invalid_argument);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_rejection_message_names_the_url) {
    try {
        origin::parse("ftp://files.example.com");
        BOOST_FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(contains(e.what(), "ftp://files.example.com"));
    }
}

BOOST_AUTO_TEST_CASE(is_loopback_for_local_addresses_only) {
    BOOST_TEST(origin::parse("http://127.0.0.1:7766").is_loopback());
    BOOST_TEST(origin::parse("http://[::1]:8080").is_loopback());
    BOOST_TEST(origin::parse("http://localhost:7000").is_loopback());
    BOOST_TEST(!origin::parse("https://api.permit.io").is_loopback());
    BOOST_TEST(!origin::parse("http://10.0.0.1").is_loopback());
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ error codes and conditions

BOOST_AUTO_TEST_SUITE(errors)

using permit::condition;
using permit::error;

BOOST_AUTO_TEST_CASE(a_permit_code_compares_equal_to_its_condition) {
    const auto ec = permit::make_error_code(error::not_found);
    BOOST_TEST((ec == condition::not_found));
    BOOST_TEST((ec != condition::conflict));
    BOOST_TEST((permit::make_error_code(error::conflict) == condition::conflict));
    BOOST_TEST((permit::make_error_code(error::unauthorized) == condition::unauthorized));
    BOOST_TEST((permit::make_error_code(error::forbidden) == condition::forbidden));
    BOOST_TEST((permit::make_error_code(error::validation_failed) == condition::validation_failed));
    BOOST_TEST((permit::make_error_code(error::bad_request) == condition::validation_failed));
    BOOST_TEST((permit::make_error_code(error::rate_limited) == condition::rate_limited));
    BOOST_TEST((permit::make_error_code(error::sync_timeout) == condition::sync_timeout));
    // The enum converts implicitly, as an error code enum should.
    const boost::system::error_code implicit = error::not_found;
    BOOST_TEST((implicit == ec));
}

BOOST_AUTO_TEST_CASE(error_from_status_maps_each_status_to_its_code) {
    const std::vector<std::pair<unsigned, error>> table = {
        {400, error::bad_request},
        {401, error::unauthorized},
        {403, error::forbidden},
        {404, error::not_found},
        {408, error::http_request_timeout},
        {409, error::conflict},
        {422, error::validation_failed},
        {424, error::sync_timeout},
        {429, error::rate_limited},
        {500, error::internal_server_error},
        {501, error::not_implemented},
        {502, error::bad_gateway},
        {503, error::service_unavailable},
        {504, error::gateway_timeout},
        {418, error::client_error_status},
        {499, error::client_error_status},
        {599, error::server_error_status},
        {505, error::server_error_status},
        {302, error::unexpected_status},
        {100, error::unexpected_status},
        {600, error::unexpected_status},
    };
    for (const auto& [status, expected] : table) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((permit::error_from_status(status) == expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(every_5xx_status_is_a_server_error_and_no_4xx_is) {
    for (unsigned status = 500; status < 600; ++status) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) == condition::server_error));
        }
    }
    for (unsigned status = 400; status < 500; ++status) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) != condition::server_error));
        }
    }
    BOOST_TEST((code_of(302) != condition::server_error));
}

BOOST_AUTO_TEST_CASE(retryable_covers_transient_statuses_and_client_timeouts) {
    for (const unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) == condition::retryable));
        }
    }
    for (const error e :
         {error::connect_timeout, error::handshake_timeout, error::request_timeout}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            BOOST_TEST((permit::make_error_code(e) == condition::retryable));
        }
    }
    for (const unsigned status : {400u, 401u, 403u, 404u, 409u, 422u, 424u, 501u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) != condition::retryable));
        }
    }
    BOOST_TEST((permit::make_error_code(error::invalid_response) != condition::retryable));
    BOOST_TEST((permit::make_error_code(error::invalid_argument) != condition::retryable));
}

BOOST_AUTO_TEST_CASE(timeout_condition_matches_client_and_transport_timeouts) {
    const boost::system::error_code beast_timeout = boost::beast::error::timeout;
    const boost::system::error_code asio_timed_out = boost::asio::error::timed_out;
    BOOST_TEST((beast_timeout == condition::timeout));
    BOOST_TEST((asio_timed_out == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::request_timeout) == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::connect_timeout) == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::handshake_timeout) == condition::timeout));
    BOOST_TEST((code_of(408) == condition::timeout));
    BOOST_TEST((code_of(504) == condition::timeout));
    BOOST_TEST((code_of(500) != condition::timeout));
    // A Beast timeout is also worth retrying.
    BOOST_TEST((beast_timeout == condition::retryable));
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    BOOST_TEST((refused != condition::timeout));
}

BOOST_AUTO_TEST_CASE(network_condition_matches_connection_failures) {
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    const boost::system::error_code reset = boost::asio::error::connection_reset;
    const boost::system::error_code eof = boost::asio::error::eof;
    for (const auto& ec : {refused, reset, eof}) {
        BOOST_TEST_CONTEXT(ec.message()) {
            BOOST_TEST((ec == condition::network));
            BOOST_TEST((ec == condition::retryable));
            BOOST_TEST((ec != condition::tls));
        }
    }
    BOOST_TEST((permit::make_error_code(error::not_found) != condition::network));
    const boost::system::error_code beast_timeout = boost::beast::error::timeout;
    BOOST_TEST((beast_timeout != condition::network));
}

BOOST_AUTO_TEST_CASE(tls_condition_matches_ssl_errors) {
    const boost::system::error_code ssl_failure(1, boost::asio::error::get_ssl_category());
    const boost::system::error_code truncated = boost::asio::ssl::error::stream_truncated;
    BOOST_TEST((ssl_failure == condition::tls));
    BOOST_TEST((truncated == condition::tls));
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    BOOST_TEST((refused != condition::tls));
    BOOST_TEST((permit::make_error_code(error::handshake_timeout) != condition::tls));
}

BOOST_AUTO_TEST_CASE(permit_codes_have_messages_that_name_the_status) {
    BOOST_TEST(contains(permit::make_error_code(error::not_found).message(), "404"));
    BOOST_TEST(contains(permit::make_error_code(error::conflict).message(), "409"));
    BOOST_TEST(contains(permit::make_error_code(error::validation_failed).message(), "422"));
    BOOST_TEST(contains(permit::make_error_code(error::rate_limited).message(), "429"));
    for (const error e : {error::bad_request,
                          error::unauthorized,
                          error::forbidden,
                          error::not_found,
                          error::http_request_timeout,
                          error::conflict,
                          error::validation_failed,
                          error::sync_timeout,
                          error::rate_limited,
                          error::internal_server_error,
                          error::not_implemented,
                          error::bad_gateway,
                          error::service_unavailable,
                          error::gateway_timeout,
                          error::client_error_status,
                          error::server_error_status,
                          error::unexpected_status,
                          error::invalid_response,
                          error::response_too_large,
                          error::connect_timeout,
                          error::handshake_timeout,
                          error::request_timeout,
                          error::environment_key_required,
                          error::invalid_argument}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            const auto message = permit::make_error_code(e).message();
            BOOST_TEST(!message.empty());
            BOOST_TEST(message != "unknown permit error");
        }
    }
}

BOOST_AUTO_TEST_CASE(categories_are_named_permit_and_permit_condition) {
    BOOST_TEST(std::string(permit::error_category().name()) == "permit");
    BOOST_TEST(std::string(permit::condition_category().name()) == "permit.condition");
    BOOST_TEST((permit::make_error_code(error::not_found).category() == permit::error_category()));
    BOOST_TEST((permit::make_error_condition(condition::network).category() ==
                permit::condition_category()));
    BOOST_TEST(!permit::make_error_condition(condition::tls).message().empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ diagnostics

BOOST_AUTO_TEST_SUITE(diagnostics)

BOOST_AUTO_TEST_CASE(error_details_body_fills_details_and_the_request_id_falls_back_to_its_id) {
    const auto d = read(make_response(409, conflict_body));
    BOOST_TEST(d.status == 409u);
    BOOST_TEST_REQUIRE(d.details.has_value());
    BOOST_TEST(d.details->error_code == "DUPLICATE_ENTITY");
    BOOST_TEST(d.details->title == "The object already exists");
    BOOST_TEST(d.details->message == "A user with the key 'jane' already exists.");
    BOOST_TEST(d.request_id == "req-409-abc");
    BOOST_TEST(d.validation_errors.empty());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(d.raw_body.empty());
    BOOST_TEST(contains(d.server_message(), "The object already exists"));
    BOOST_TEST(contains(d.server_message(), "A user with the key 'jane' already exists."));
}

BOOST_AUTO_TEST_CASE(the_request_id_header_wins_over_the_body_id) {
    const auto d = read(make_response(409, conflict_body, "hdr-123"));
    BOOST_TEST(d.request_id == "hdr-123");
    BOOST_TEST_REQUIRE(d.details.has_value());
    BOOST_TEST(d.details->id == "req-409-abc");
}

BOOST_AUTO_TEST_CASE(validation_body_fills_validation_errors) {
    const auto d = read(make_response(422, validation_body));
    BOOST_TEST(d.status == 422u);
    BOOST_TEST_REQUIRE(d.validation_errors.size() == 1u);
    const auto& item = d.validation_errors.front();
    BOOST_TEST((item.loc == json::array{"body", "key"}));
    BOOST_TEST(item.msg == "field required");
    BOOST_TEST(item.type == "value_error.missing");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(contains(d.server_message(), "body -> key: field required (value_error.missing)"));
}

BOOST_AUTO_TEST_CASE(detail_text_body_fills_detail) {
    const auto d = read(make_response(401, R"({"detail":"Missing Authorization header"})"));
    BOOST_TEST(d.status == 401u);
    BOOST_TEST(d.detail == "Missing Authorization header");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.validation_errors.empty());
    BOOST_TEST(d.server_message() == "Missing Authorization header");
}

BOOST_AUTO_TEST_CASE(cloud_pdp_rate_limit_body_fills_detail_with_its_message) {
    const auto d = read(make_response(
        429, R"({"error":"rate_limited","message":"You have exceeded the rate limit."})"));
    BOOST_TEST(d.status == 429u);
    BOOST_TEST(d.detail == "You have exceeded the rate limit.");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.raw_body.empty());
    BOOST_TEST(d.server_message() == "You have exceeded the rate limit.");
}

BOOST_AUTO_TEST_CASE(non_json_body_is_kept_raw) {
    const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const auto d = read(make_response(502, html));
    BOOST_TEST(d.status == 502u);
    BOOST_TEST(d.raw_body == html);
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(d.server_message() == html);
}

BOOST_AUTO_TEST_CASE(long_raw_body_is_cut_to_max_raw_body) {
    const std::size_t max = permit::diagnostics::max_raw_body;

    const std::string at_limit(max, 'x');
    BOOST_TEST(read(make_response(502, at_limit)).raw_body == at_limit);

    const std::string html = "<html>" + std::string(3 * max, 'y') + "</html>";
    const auto d = read(make_response(502, html));
    BOOST_TEST(d.raw_body.size() == max + 3);
    BOOST_TEST(d.raw_body == html.substr(0, max) + "...");
}

BOOST_AUTO_TEST_CASE(bodies_of_an_unexpected_shape_fall_back_without_throwing) {
    // A `detail` list whose items are not validation errors: kept as JSON text.
    const auto odd_list = read(make_response(422, R"({"detail":[1,2]})"));
    BOOST_TEST(odd_list.validation_errors.empty());
    BOOST_TEST(odd_list.detail == "[1,2]");

    // Half an ErrorDetails (no error_code, no id) with a message: the message is kept.
    const auto half = read(make_response(500, R"({"title":"Oops","message":"try later"})"));
    BOOST_TEST(!half.details.has_value());
    BOOST_TEST(half.detail == "try later");

    // JSON that is not an object, and an empty body: kept raw.
    BOOST_TEST(read(make_response(500, "[1,2]")).raw_body == "[1,2]");
    const auto empty = read(make_response(503, ""));
    BOOST_TEST(empty.status == 503u);
    BOOST_TEST(empty.raw_body.empty());
    BOOST_TEST(empty.server_message().empty());
}

BOOST_AUTO_TEST_CASE(to_string_names_the_request_status_reason_and_request_id) {
    auto d = read(make_response(409, conflict_body));
    d.request = "POST /v2/facts/p/e/users";
    d.attempts = 1;
    const auto text = d.to_string();
    BOOST_TEST(contains(text, "POST /v2/facts/p/e/users"));
    BOOST_TEST(contains(text, "HTTP 409"));
    BOOST_TEST(contains(text, d.server_message()));
    BOOST_TEST(contains(text, "req-409-abc"));
    BOOST_TEST(!contains(text, "attempts"));

    d.attempts = 3;
    BOOST_TEST(contains(d.to_string(), "3 attempts"));
}

BOOST_AUTO_TEST_CASE(api_error_carries_the_code_and_the_diagnostics) {
    auto d = read(make_response(409, conflict_body));
    d.request = "POST /v2/facts/p/e/users";
    const auto ec = permit::make_error_code(permit::error::conflict);
    const permit::api_error e(ec, d);
    BOOST_TEST(e.code() == ec);
    BOOST_TEST((e.code() == permit::condition::conflict));
    BOOST_TEST((e.diagnostics() == d));
    BOOST_TEST(contains(e.what(), d.server_message()));
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================ check arguments

BOOST_AUTO_TEST_SUITE(check_arguments)

BOOST_AUTO_TEST_CASE(resource_from_string_with_a_type_only) {
    const auto r = permit::resource_from_string("document");
    BOOST_TEST(r.type == "document");
    BOOST_TEST(!r.key.has_value());
    BOOST_TEST(!r.tenant.has_value());
    BOOST_TEST(r.attributes.empty());
}

BOOST_AUTO_TEST_CASE(resource_from_string_with_a_type_and_key) {
    const auto r = permit::resource_from_string("document:42");
    BOOST_TEST(r.type == "document");
    BOOST_TEST(r.key.value_or("<none>") == "42");
}

BOOST_AUTO_TEST_CASE(resource_from_string_splits_on_the_first_colon) {
    const auto r = permit::resource_from_string("a:b:c");
    BOOST_TEST(r.type == "a");
    BOOST_TEST(r.key.value_or("<none>") == "b:c");
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_c_string) {
    const permit::check_subject s = "alice";
    BOOST_TEST(s.get().key == "alice");
    BOOST_TEST(!s.get().first_name.has_value());
    BOOST_TEST(!s.get().email.has_value());
    BOOST_TEST(s.get().attributes.empty());
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_std_string) {
    const std::string key = "user|42@example.com";
    const permit::check_subject s = key;
    BOOST_TEST(s.get().key == key);
    const std::string_view view = "bob";
    BOOST_TEST(permit::check_subject(view).get().key == "bob");
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_check_user_keeps_its_attributes) {
    const permit::check_user u{.key = "carol",
                               .first_name = "Carol",
                               .email = "carol@example.com",
                               .attributes = {{"department", "eng"}, {"level", 3}}};
    const permit::check_subject s = u;
    BOOST_TEST((s.get() == u));
    BOOST_TEST(s.get().attributes.at("department").as_string() == "eng");

    permit::check_subject moved = u;
    const permit::check_user taken = std::move(moved).get();
    BOOST_TEST((taken == u));
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_user_copies_key_names_email_and_attributes) {
    const permit::user u{.key = "jane",
                         .id = "u-1",
                         .organization_id = "o-1",
                         .project_id = "p-1",
                         .environment_id = "e-1",
                         .roles = {{.role = "admin", .tenant = "acme"}},
                         .email = "jane@example.com",
                         .first_name = "Jane",
                         .last_name = "Doe",
                         .attributes = {{"age", 30}}};
    const permit::check_subject s = u;
    const auto& c = s.get();
    BOOST_TEST(c.key == "jane");
    BOOST_TEST(c.first_name.value_or("") == "Jane");
    BOOST_TEST(c.last_name.value_or("") == "Doe");
    BOOST_TEST(c.email.value_or("") == "jane@example.com");
    BOOST_TEST((c.attributes == json::object{{"age", 30}}));
}

BOOST_AUTO_TEST_SUITE_END()

// X-Wait-Timeout and X-Timeout-Policy as permit-api.md §9.4 documents them: seconds as a decimal
// number, 0 for no wait, negative for an unbounded wait; nothing sent for an unset field, so that
// the PDP's defaults apply.
BOOST_AUTO_TEST_SUITE(wait_for_sync_headers)

using std::chrono::milliseconds;

BOOST_AUTO_TEST_CASE(the_timeout_is_sent_in_seconds_as_a_decimal_number) {
    const std::pair<milliseconds, std::string> cases[] = {
        {milliseconds(10'000), "10"}, {milliseconds(50), "0.05"},
        {milliseconds(1'500), "1.5"}, {milliseconds(1), "0.001"},
        {milliseconds(0), "0"},       {milliseconds(-1), "-1"},
        {milliseconds(-5'000), "-1"}, {milliseconds(120'250), "120.25"}};
    for (const auto& [timeout, expected] : cases) {
        const auto header = permit::detail::wait_timeout_header({.timeout = timeout});
        BOOST_TEST_REQUIRE(header.has_value());
        BOOST_TEST(*header == expected);
    }
}

BOOST_AUTO_TEST_CASE(an_unset_field_sends_no_header) {
    const permit::sync_wait defaults;
    BOOST_TEST(!permit::detail::wait_timeout_header(defaults).has_value());
    BOOST_TEST(!permit::detail::timeout_policy_header(defaults).has_value());
}

BOOST_AUTO_TEST_CASE(the_policy_is_ignore_or_fail) {
    using permit::sync_timeout_policy;
    BOOST_TEST(*permit::detail::timeout_policy_header({.policy = sync_timeout_policy::fail}) ==
               "fail");
    BOOST_TEST(*permit::detail::timeout_policy_header({.policy = sync_timeout_policy::ignore}) ==
               "ignore");
}

BOOST_AUTO_TEST_SUITE_END()
