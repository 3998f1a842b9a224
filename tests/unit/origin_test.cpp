// Base URL parsing: scheme, host, port, base path and Host header, the URLs that are refused, and
// which hosts are loopback.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string_view>

#include <permit/detail/http/origin.hpp>

namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

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
