// Percent-encoding of path segments and query values, and query strings.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <permit/detail/encoding.hpp>

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
