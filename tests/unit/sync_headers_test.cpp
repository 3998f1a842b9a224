// X-Wait-Timeout and X-Timeout-Policy as
// https://docs.permit.io/how-to/manage-data/local-facts-uploader documents them: seconds as a
// decimal number, 0 for no wait, negative for an unbounded wait; nothing sent for an unset field,
// so that the PDP's defaults apply.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <utility>

#include <permit/detail/sync_headers.hpp>

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
