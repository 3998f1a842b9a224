// Proxy configuration: proxy URLs parsed into an endpoint and its Basic credentials, the URLs
// refused (without showing their passwords), curl's NO_PROXY matching, which proxy an origin
// goes through, and the environment variables read.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <permit/detail/http/proxy.hpp>
#include <permit/proxy_options.hpp>

namespace {

using permit::proxy_options;
using permit::detail::http::no_proxy_list;
using permit::detail::http::proxy_endpoint;
using permit::detail::http::proxy_for;

bool proxy_text_contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// The message of the std::invalid_argument that parsing `url` throws; empty when none is thrown.
std::string proxy_rejection_message(std::string_view url) {
    try {
        proxy_endpoint::parse(url);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

bool no_proxy_bypasses(std::string_view list, std::string_view host) {
    return no_proxy_list::parse(list).bypasses(host);
}

// Sets the proxy variables for one test and puts back what the process had before.
class proxy_environment_guard {
  public:
    proxy_environment_guard() {
        for (const char* name : names_) {
            const char* value = std::getenv(name);
            saved_.push_back(value ? std::optional<std::string>(value) : std::nullopt);
            ::unsetenv(name);
        }
    }
    ~proxy_environment_guard() {
        for (std::size_t i = 0; i < std::size(names_); ++i) {
            if (saved_[i])
                ::setenv(names_[i], saved_[i]->c_str(), 1);
            else
                ::unsetenv(names_[i]);
        }
    }
    proxy_environment_guard(const proxy_environment_guard&) = delete;
    proxy_environment_guard& operator=(const proxy_environment_guard&) = delete;

    void set(const char* name, const char* value) { ::setenv(name, value, 1); }

  private:
    static constexpr const char* names_[] = {"https_proxy",   "HTTPS_PROXY", "http_proxy",
                                             "HTTP_PROXY",    "no_proxy",    "NO_PROXY",
                                             "REQUEST_METHOD"};
    std::vector<std::optional<std::string>> saved_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_config)

// --- proxy URLs ---

BOOST_AUTO_TEST_CASE(parses_a_host_name_and_port) {
    const auto p = proxy_endpoint::parse("http://proxy.example.com:3128");
    BOOST_TEST(p.host == "proxy.example.com");
    BOOST_TEST(p.port == "3128");
    BOOST_TEST(!p.host_is_ip);
    BOOST_TEST(p.authorization == "");
    BOOST_TEST(p.key() == "http://proxy.example.com:3128");
}

BOOST_AUTO_TEST_CASE(the_port_defaults_to_1080_as_curl) {
    BOOST_TEST(proxy_endpoint::parse("http://proxy.example.com").port == "1080");
    BOOST_TEST(proxy_endpoint::parse("http://proxy.example.com/").port == "1080");
    BOOST_TEST(proxy_endpoint::parse("http://proxy.example.com:").port == "1080");
    BOOST_TEST(proxy_endpoint::parse("proxy.example.com").port == "1080");
}

BOOST_AUTO_TEST_CASE(the_port_is_kept_as_a_plain_number) {
    BOOST_TEST(proxy_endpoint::parse("http://proxy:03128").port == "3128");
    BOOST_TEST(proxy_endpoint::parse("http://proxy:1").port == "1");
    BOOST_TEST(proxy_endpoint::parse("http://proxy:65535").port == "65535");
}

BOOST_AUTO_TEST_CASE(a_url_without_a_scheme_is_taken_as_http) {
    const auto named = proxy_endpoint::parse("proxy.example.com:3128");
    BOOST_TEST(named.host == "proxy.example.com");
    BOOST_TEST(named.port == "3128");
    BOOST_TEST(named.key() == "http://proxy.example.com:3128");

    const auto ipv4 = proxy_endpoint::parse("10.0.0.1:8080");
    BOOST_TEST(ipv4.host == "10.0.0.1");
    BOOST_TEST(ipv4.port == "8080");
    BOOST_TEST(ipv4.host_is_ip);

    const auto ipv6 = proxy_endpoint::parse("[fd00::1]:3128");
    BOOST_TEST(ipv6.host == "fd00::1");
    BOOST_TEST(ipv6.host_is_ip);

    const auto with_user = proxy_endpoint::parse("user:pw@proxy:3128");
    BOOST_TEST(with_user.host == "proxy");
    BOOST_TEST(with_user.authorization == "Basic dXNlcjpwdw==");  // "user:pw"
}

BOOST_AUTO_TEST_CASE(the_scheme_is_case_insensitive) {
    const auto p = proxy_endpoint::parse("HTTP://Proxy.Example.com:3128/");
    BOOST_TEST(p.host == "Proxy.Example.com");
    BOOST_TEST(p.port == "3128");
}

BOOST_AUTO_TEST_CASE(parses_ip_literals_and_brackets_ipv6_in_the_key) {
    const auto v4 = proxy_endpoint::parse("http://192.0.2.7:3128");
    BOOST_TEST(v4.host == "192.0.2.7");
    BOOST_TEST(v4.host_is_ip);
    BOOST_TEST(v4.key() == "http://192.0.2.7:3128");

    const auto v6 = proxy_endpoint::parse("http://[::1]:3128");
    BOOST_TEST(v6.host == "::1");
    BOOST_TEST(v6.port == "3128");
    BOOST_TEST(v6.host_is_ip);
    BOOST_TEST(v6.key() == "http://[::1]:3128");
}

BOOST_AUTO_TEST_CASE(user_info_becomes_a_basic_proxy_authorization) {
    // RFC 7617 §2's example: "Aladdin:open sesame", the space percent-encoded in the URL.
    const auto p = proxy_endpoint::parse("http://Aladdin:open%20sesame@proxy.example.com:3128");
    BOOST_TEST(p.authorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    BOOST_TEST(p.host == "proxy.example.com");
    BOOST_TEST(p.key() == "http://proxy.example.com:3128");
}

BOOST_AUTO_TEST_CASE(user_info_is_percent_decoded) {
    // "us@er:p:ss": the @ and : of the user and password are escaped in the URL.
    BOOST_TEST(proxy_endpoint::parse("http://us%40er:p%3Ass@proxy").authorization ==
               "Basic dXNAZXI6cDpzcw==");
}

BOOST_AUTO_TEST_CASE(a_user_without_a_password_sends_an_empty_password) {
    BOOST_TEST(proxy_endpoint::parse("http://user@proxy").authorization ==
               "Basic dXNlcjo=");  // "user:"
    BOOST_TEST(proxy_endpoint::parse("http://user:@proxy").authorization == "Basic dXNlcjo=");
}

BOOST_AUTO_TEST_CASE(empty_user_info_sends_no_authorization) {
    BOOST_TEST(proxy_endpoint::parse("http://@proxy:3128").authorization == "");
    BOOST_TEST(proxy_endpoint::parse("http://:@proxy:3128").authorization == "");
}

BOOST_AUTO_TEST_CASE(the_key_never_holds_the_credentials) {
    const auto p = proxy_endpoint::parse("http://alice:s3cret@[fd00::2]:8080");
    BOOST_TEST(p.key() == "http://[fd00::2]:8080");
    BOOST_TEST(!p.authorization.empty());
}

BOOST_AUTO_TEST_CASE(rejects_urls_that_are_not_plain_http_proxies) {
    for (const char* url :
         {"https://proxy:443", "socks5://proxy:1080", "ftp://proxy", "http://proxy:3128/path",
          "http://proxy:3128/?q=1", "http://proxy:3128#f", "http://proxy?q", "http://:3128",
          "http://", "", "http://proxy:0", "http://proxy:65536", "http://proxy:99999",
          "http://proxy:x", "http://proxy:18446744073709551617" /* 2^64 + 1 */,
          "proxy:", "http://[v1.x]:3128", "http://pro xy:3128"}) {
        BOOST_TEST_CONTEXT("url '" << url << "'") {
            BOOST_CHECK_THROW(proxy_endpoint::parse(url), std::invalid_argument);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_https_proxy_is_refused_with_a_reason) {
    const auto message = proxy_rejection_message("https://proxy.example.com:443");
    BOOST_TEST(proxy_text_contains(message, "https://proxy.example.com:443"));
    BOOST_TEST(proxy_text_contains(message, "https:// proxies"));
    BOOST_TEST(proxy_text_contains(message, "not supported"));
}

BOOST_AUTO_TEST_CASE(rejection_messages_never_show_user_info) {
    // Parsed and refused, and not parsed at all: a password with an unescaped / or @ or # ends
    // the authority early.
    for (const char* url :
         {"https://alice:s3cret@proxy.example.com:443", "socks5://alice:s3cret@proxy:1080",
          "http://alice:s3cret@proxy:3128/path", "http://alice:s3cret@proxy:3128?q",
          "http://alice:s3cret@proxy:bad", "http://alice:s3/cret@proxy:3128",
          "http://alice:s3cret@x@proxy:3128", "http://alice:s3#cret@proxy",
          "alice:s3cret@proxy:3128/path", "http://alice:s3%23cret@proxy:0"}) {
        BOOST_TEST_CONTEXT("url '" << url << "'") {
            const auto message = proxy_rejection_message(url);
            BOOST_TEST(!message.empty());
            BOOST_TEST(!proxy_text_contains(message, "s3"));
            BOOST_TEST(!proxy_text_contains(message, "alice"));
            BOOST_TEST(proxy_text_contains(message, "***@"));
        }
    }
    // The host part stays, to tell which setting is wrong.
    BOOST_TEST(proxy_text_contains(proxy_rejection_message("https://alice:s3cret@proxy:443"),
                                   "https://***@proxy:443"));
}

// --- NO_PROXY ---

BOOST_AUTO_TEST_CASE(an_empty_list_bypasses_nothing) {
    for (const char* list : {"", " ", ",", " , ,\t"}) {
        BOOST_TEST_CONTEXT("list '" << list << "'") {
            BOOST_TEST(no_proxy_list::parse(list).empty());
            BOOST_TEST(!no_proxy_bypasses(list, "example.com"));
            BOOST_TEST(!no_proxy_bypasses(list, "127.0.0.1"));
        }
    }
    BOOST_TEST(!no_proxy_list::parse("example.com").empty());
    BOOST_TEST(!no_proxy_list::parse("*").empty());
}

BOOST_AUTO_TEST_CASE(a_lone_star_bypasses_every_host) {
    BOOST_TEST(no_proxy_bypasses("*", "example.com"));
    BOOST_TEST(no_proxy_bypasses("*", "10.1.2.3"));
    BOOST_TEST(no_proxy_bypasses("*", "::1"));
    BOOST_TEST(!no_proxy_bypasses("*", ""));
}

BOOST_AUTO_TEST_CASE(a_star_among_other_entries_is_no_wildcard) {
    // curl: only a list that is exactly "*" means every host.
    BOOST_TEST(no_proxy_bypasses("*,example.com", "example.com"));
    BOOST_TEST(!no_proxy_bypasses("*,example.com", "other.org"));
    BOOST_TEST(!no_proxy_bypasses("example.com,*", "other.org"));
}

BOOST_AUTO_TEST_CASE(a_name_matches_itself_and_its_subdomains) {
    BOOST_TEST(no_proxy_bypasses("example.com", "example.com"));
    BOOST_TEST(no_proxy_bypasses("example.com", "www.example.com"));
    BOOST_TEST(no_proxy_bypasses("example.com", "a.b.example.com"));
    BOOST_TEST(!no_proxy_bypasses("example.com", "notexample.com"));
    BOOST_TEST(!no_proxy_bypasses("example.com", "example.com.evil.org"));
    BOOST_TEST(!no_proxy_bypasses("example.com", "com"));
    BOOST_TEST(!no_proxy_bypasses("www.example.com", "example.com"));
    BOOST_TEST(!no_proxy_bypasses("www2.example.com,.example.net", "www.example.com"));
    BOOST_TEST(no_proxy_bypasses("localhost", "localhost"));
    BOOST_TEST(!no_proxy_bypasses("localhost", "localhost2"));
}

BOOST_AUTO_TEST_CASE(a_leading_dot_is_optional) {
    BOOST_TEST(no_proxy_bypasses(".example.com", "example.com"));
    BOOST_TEST(no_proxy_bypasses(".example.com", "sub.example.com"));
    BOOST_TEST(!no_proxy_bypasses(".example.com", "notexample.com"));
    BOOST_TEST(!no_proxy_bypasses(".example.com", "example.com.org"));
}

BOOST_AUTO_TEST_CASE(names_compare_case_insensitively) {
    BOOST_TEST(no_proxy_bypasses("Example.COM", "www.example.com"));
    BOOST_TEST(no_proxy_bypasses("example.com", "API.EXAMPLE.Com"));
    BOOST_TEST(no_proxy_bypasses("foo, bar", "BAr"));
}

BOOST_AUTO_TEST_CASE(a_trailing_dot_is_ignored_on_the_host_and_the_entry) {
    BOOST_TEST(no_proxy_bypasses("example.com", "example.com."));
    BOOST_TEST(no_proxy_bypasses("example.com", "www.example.com."));
    BOOST_TEST(no_proxy_bypasses("example.com.", "example.com"));
    BOOST_TEST(no_proxy_bypasses(".example.com.", "www.example.com"));
    BOOST_TEST(!no_proxy_bypasses("example.com.", "notexample.com."));
}

BOOST_AUTO_TEST_CASE(entries_are_separated_by_commas_and_blanks) {
    BOOST_TEST(no_proxy_bypasses("localhost,.example.com,.example.de", "www.example.com"));
    BOOST_TEST(no_proxy_bypasses("localhost,.example.com,.example.de", "example.de"));
    BOOST_TEST(no_proxy_bypasses("foo,,,,,              bar, ::1/64", "bar"));
    BOOST_TEST(no_proxy_bypasses(" foo ,\tbar\t", "foo"));
    BOOST_TEST(no_proxy_bypasses(" foo ,\tbar\t", "bar"));
    BOOST_TEST(no_proxy_bypasses("127.0.0.1,localhost,", "127.0.0.1"));
    BOOST_TEST(no_proxy_bypasses(",localhost", "localhost"));
    // Blank-separated entries (curl until 8.9.0).
    BOOST_TEST(no_proxy_bypasses("localhost .example.com .example.de", "www.example.com"));
    BOOST_TEST(no_proxy_bypasses("localhost\t.example.de", "example.de"));
    BOOST_TEST(!no_proxy_bypasses("localhost .example.com", "www.example.org"));
    // A blank is not part of a name.
    BOOST_TEST(!no_proxy_bypasses("exam ple.com", "example.com"));
}

BOOST_AUTO_TEST_CASE(ipv4_entries_match_ipv4_hosts_as_addresses) {
    BOOST_TEST(no_proxy_bypasses("127.0.0.1", "127.0.0.1"));
    BOOST_TEST(no_proxy_bypasses("localhost,127.0.0.1", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("127.0.0.1", "127.0.0.2"));
    BOOST_TEST(!no_proxy_bypasses("192.168.0.0", "192.168.0.1"));
    BOOST_TEST(!no_proxy_bypasses("foobar", "192.168.0.1"));
}

BOOST_AUTO_TEST_CASE(ipv4_ranges_match_the_addresses_in_them) {
    BOOST_TEST(no_proxy_bypasses("10.0.0.0/8", "10.1.2.3"));
    BOOST_TEST(no_proxy_bypasses("10.0.0.0/8", "10.255.255.255"));
    BOOST_TEST(!no_proxy_bypasses("10.0.0.0/8", "11.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("10.0.0.0/8", "9.255.255.255"));
    BOOST_TEST(no_proxy_bypasses("192.168.0.0/16", "192.168.0.1"));
    BOOST_TEST(no_proxy_bypasses("192.168.0.0/24", "192.168.0.1"));
    BOOST_TEST(!no_proxy_bypasses("192.168.0.0/24", "192.168.1.1"));
    BOOST_TEST(no_proxy_bypasses("foo, bar, 192.168.0.0/16", "192.168.1.1"));
    BOOST_TEST(!no_proxy_bypasses("foo, bar, 192.168.0.0/24", "192.168.1.1"));
    BOOST_TEST(no_proxy_bypasses("127.0.0.1/31", "127.0.0.1"));
    BOOST_TEST(no_proxy_bypasses("127.0.0.0/31", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("127.0.0.0/32", "127.0.0.1"));
    BOOST_TEST(no_proxy_bypasses("192.168.0.1/32", "192.168.0.1"));
    BOOST_TEST(no_proxy_bypasses("192.168.0.0/16 ", "192.168.0.1"));
}

BOOST_AUTO_TEST_CASE(invalid_ipv4_prefix_lengths_match_nothing) {
    for (const char* list :
         {"192.168.0.1/33", "192.168.0.0/16a", "192.168.0.0/a16", "192.168.0.0/", "192.168.0.0/ 16",
          "192.168.0.0/-1", "192.168.0.0/16/8", "192.168.0.0/999999999999"}) {
        BOOST_TEST_CONTEXT("list '" << list << "'") {
            BOOST_TEST(!no_proxy_bypasses(list, "192.168.0.1"));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_zero_prefix_length_compares_the_whole_address_as_curl) {
    // curl's cidr4_match and cidr6_match take /0 as "no prefix length".
    BOOST_TEST(!no_proxy_bypasses("0.0.0.0/0", "10.0.0.1"));
    BOOST_TEST(no_proxy_bypasses("10.0.0.1/0", "10.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("::/0", "::1"));
}

BOOST_AUTO_TEST_CASE(address_entries_never_match_names_and_names_never_match_addresses) {
    // An IP host is compared as an address, not as text: no tail match on its digits.
    BOOST_TEST(!no_proxy_bypasses("0.0.1", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses(".0.1", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("localhost", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("localhost", "::1"));
    // Address entries do not match names, not even names that look like them.
    BOOST_TEST(!no_proxy_bypasses("127.0.0.1", "localhost"));
    BOOST_TEST(!no_proxy_bypasses("10.0.0.0/8", "10.example"));
    BOOST_TEST(!no_proxy_bypasses("::1", "localhost"));
}

BOOST_AUTO_TEST_CASE(ipv6_entries_match_ipv6_hosts_as_addresses) {
    BOOST_TEST(no_proxy_bypasses("::1", "::1"));
    BOOST_TEST(no_proxy_bypasses("0:0:0:0:0:0:0:1", "::1"));
    BOOST_TEST(no_proxy_bypasses("example.com,::1,localhost", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1", "::2"));
    BOOST_TEST(no_proxy_bypasses("::1/128", "::1"));
    BOOST_TEST(no_proxy_bypasses("::1/64", "::1"));
    BOOST_TEST(no_proxy_bypasses("::1/127 ", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1/129", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1/a127", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1/127a", "::1"));
    BOOST_TEST(!no_proxy_bypasses("foo, bar, 192.168.0.0/16", "::1"));
}

BOOST_AUTO_TEST_CASE(ipv6_ranges_match_the_addresses_in_them) {
    BOOST_TEST(no_proxy_bypasses("fc00::/7", "fd12:3456::1"));
    BOOST_TEST(no_proxy_bypasses("fc00::/7", "fc00::1"));
    BOOST_TEST(!no_proxy_bypasses("fc00::/7", "fe80::1"));
    BOOST_TEST(!no_proxy_bypasses("fc00::/7", "fb00::1"));
    // Prefix lengths that are not multiples of 8 (curl's unit test 1614).
    for (const char* bits : {"65", "66", "67", "68", "69", "70", "71", "72"}) {
        BOOST_TEST_CONTEXT("/" << bits) {
            const std::string list = std::string("2001:db8::/") + bits;
            BOOST_TEST(no_proxy_bypasses(list, "2001:db8::1"));
            BOOST_TEST(!no_proxy_bypasses(list, "2001:db8:0:0:8000::1"));
        }
    }
    BOOST_TEST(no_proxy_bypasses("2001:db8::/64", "2001:db8:0:0:8000::1"));
    BOOST_TEST(!no_proxy_bypasses("2001:db8::/65", "2001:db8:8000::1"));
}

BOOST_AUTO_TEST_CASE(ipv6_entries_may_be_bracketed) {
    BOOST_TEST(no_proxy_bypasses("[::1]", "::1"));
    BOOST_TEST(no_proxy_bypasses("[fc00::]/7", "fd00::1"));
    BOOST_TEST(!no_proxy_bypasses("[fc00::]/7", "fe80::1"));
    BOOST_TEST(!no_proxy_bypasses("[::1", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1]", "::1"));
}

BOOST_AUTO_TEST_CASE(ipv4_and_ipv6_entries_do_not_cross) {
    BOOST_TEST(!no_proxy_bypasses("127.0.0.1", "::1"));
    BOOST_TEST(!no_proxy_bypasses("::1", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("0.0.0.0/8", "::1"));
}

BOOST_AUTO_TEST_CASE(entries_with_a_port_match_no_host_as_curl) {
    BOOST_TEST(!no_proxy_bypasses("example.com:8080", "example.com"));
    BOOST_TEST(!no_proxy_bypasses("example.com:8080", "www.example.com"));
    BOOST_TEST(!no_proxy_bypasses("127.0.0.1:7766", "127.0.0.1"));
    BOOST_TEST(!no_proxy_bypasses("[::1]:7766", "::1"));
    // The other entries of the list still count.
    BOOST_TEST(no_proxy_bypasses("example.com:8080,example.com", "example.com"));
}

BOOST_AUTO_TEST_CASE(an_empty_host_is_never_bypassed) {
    BOOST_TEST(!no_proxy_bypasses("example.com", ""));
    BOOST_TEST(!no_proxy_bypasses(".", ""));
}

// --- Which proxy an origin goes through ---

BOOST_AUTO_TEST_CASE(https_origins_use_https_proxy_and_http_origins_http_proxy) {
    proxy_options options;
    options.https_proxy = "http://tls-proxy:3128";
    options.http_proxy = "http://plain-proxy:8080";
    const auto for_tls = proxy_for(true, "api.permit.io", options);
    BOOST_TEST_REQUIRE(for_tls.has_value());
    BOOST_TEST(for_tls->key() == "http://tls-proxy:3128");
    const auto for_plain = proxy_for(false, "pdp.internal", options);
    BOOST_TEST_REQUIRE(for_plain.has_value());
    BOOST_TEST(for_plain->key() == "http://plain-proxy:8080");
}

BOOST_AUTO_TEST_CASE(an_empty_field_means_no_proxy_for_that_scheme) {
    proxy_options only_https;
    only_https.https_proxy = "http://tls-proxy:3128";
    BOOST_TEST(proxy_for(true, "api.permit.io", only_https).has_value());
    BOOST_TEST(!proxy_for(false, "pdp.internal", only_https).has_value());

    proxy_options only_http;
    only_http.http_proxy = "http://plain-proxy:8080";
    BOOST_TEST(!proxy_for(true, "api.permit.io", only_http).has_value());
    BOOST_TEST(proxy_for(false, "pdp.internal", only_http).has_value());

    BOOST_TEST(!proxy_for(true, "api.permit.io", proxy_options{}).has_value());
}

BOOST_AUTO_TEST_CASE(no_proxy_hosts_are_reached_directly) {
    proxy_options options;
    options.https_proxy = "http://tls-proxy:3128";
    options.http_proxy = "http://plain-proxy:8080";
    options.no_proxy = "localhost,127.0.0.0/8,::1,.internal";
    BOOST_TEST(!proxy_for(false, "localhost", options).has_value());
    BOOST_TEST(!proxy_for(false, "127.0.0.1", options).has_value());
    BOOST_TEST(!proxy_for(false, "::1", options).has_value());
    BOOST_TEST(!proxy_for(false, "pdp.internal", options).has_value());
    BOOST_TEST(!proxy_for(true, "api.internal", options).has_value());
    BOOST_TEST(proxy_for(true, "api.permit.io", options).has_value());
    BOOST_TEST(proxy_for(false, "10.0.0.5", options).has_value());
}

BOOST_AUTO_TEST_CASE(the_chosen_proxy_url_is_parsed_only_when_used) {
    proxy_options options;
    options.https_proxy = "socks5://tls-proxy:1080";
    options.http_proxy = "http://plain-proxy:8080";
    options.no_proxy = "localhost";
    BOOST_CHECK_THROW(proxy_for(true, "api.permit.io", options), std::invalid_argument);
    // The other scheme's proxy, and a bypassed host, never read the invalid URL.
    BOOST_TEST(proxy_for(false, "pdp.internal", options).has_value());
    BOOST_TEST(!proxy_for(true, "localhost", options).has_value());
}

BOOST_AUTO_TEST_CASE(the_endpoint_carries_the_credentials) {
    proxy_options options;
    options.https_proxy = "http://Aladdin:open%20sesame@proxy:3128";
    const auto p = proxy_for(true, "api.permit.io", options);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->authorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

// --- The environment ---

BOOST_AUTO_TEST_CASE(an_empty_environment_sets_no_proxy) {
    proxy_environment_guard env;
    const auto options = proxy_options::from_environment();
    BOOST_TEST(options.https_proxy == "");
    BOOST_TEST(options.http_proxy == "");
    BOOST_TEST(options.no_proxy == "");
}

BOOST_AUTO_TEST_CASE(reads_the_uppercase_variables) {
    proxy_environment_guard env;
    env.set("HTTPS_PROXY", "http://upper-tls:3128");
    env.set("HTTP_PROXY", "http://upper-plain:8080");
    env.set("NO_PROXY", "upper.example");
    const auto options = proxy_options::from_environment();
    BOOST_TEST(options.https_proxy == "http://upper-tls:3128");
    BOOST_TEST(options.http_proxy == "http://upper-plain:8080");
    BOOST_TEST(options.no_proxy == "upper.example");
}

BOOST_AUTO_TEST_CASE(reads_the_lowercase_variables) {
    proxy_environment_guard env;
    env.set("https_proxy", "http://lower-tls:3128");
    env.set("http_proxy", "http://lower-plain:8080");
    env.set("no_proxy", "lower.example");
    const auto options = proxy_options::from_environment();
    BOOST_TEST(options.https_proxy == "http://lower-tls:3128");
    BOOST_TEST(options.http_proxy == "http://lower-plain:8080");
    BOOST_TEST(options.no_proxy == "lower.example");
}

BOOST_AUTO_TEST_CASE(the_lowercase_variable_wins_when_both_are_set) {
    proxy_environment_guard env;
    env.set("https_proxy", "http://lower-tls:3128");
    env.set("HTTPS_PROXY", "http://upper-tls:3128");
    env.set("http_proxy", "http://lower-plain:8080");
    env.set("HTTP_PROXY", "http://upper-plain:8080");
    env.set("no_proxy", "lower.example");
    env.set("NO_PROXY", "upper.example");
    const auto options = proxy_options::from_environment();
    BOOST_TEST(options.https_proxy == "http://lower-tls:3128");
    BOOST_TEST(options.http_proxy == "http://lower-plain:8080");
    BOOST_TEST(options.no_proxy == "lower.example");
}

BOOST_AUTO_TEST_CASE(an_empty_variable_counts_as_unset) {
    proxy_environment_guard env;
    env.set("https_proxy", "");
    env.set("HTTPS_PROXY", "http://upper-tls:3128");
    env.set("http_proxy", "");
    env.set("no_proxy", "");
    const auto options = proxy_options::from_environment();
    BOOST_TEST(options.https_proxy == "http://upper-tls:3128");
    BOOST_TEST(options.http_proxy == "");
    BOOST_TEST(options.no_proxy == "");
}

BOOST_AUTO_TEST_CASE(a_cgi_program_ignores_uppercase_http_proxy) {
    proxy_environment_guard env;
    env.set("REQUEST_METHOD", "GET");
    env.set("HTTP_PROXY", "http://from-a-proxy-header:8080");
    env.set("HTTPS_PROXY", "http://upper-tls:3128");
    BOOST_TEST(proxy_options::from_environment().http_proxy == "");
    BOOST_TEST(proxy_options::from_environment().https_proxy == "http://upper-tls:3128");
    env.set("http_proxy", "http://lower-plain:8080");
    BOOST_TEST(proxy_options::from_environment().http_proxy == "http://lower-plain:8080");
}

BOOST_AUTO_TEST_CASE(the_guard_restores_the_environment) {
    proxy_environment_guard outer;  // puts back whatever the process had
    outer.set("https_proxy", "http://before:1");
    {
        proxy_environment_guard inner;
        inner.set("https_proxy", "http://during:2");
        inner.set("HTTPS_PROXY", "http://during:3");
    }
    const char* lower = std::getenv("https_proxy");
    BOOST_TEST_REQUIRE(lower != nullptr);
    BOOST_TEST(std::string(lower) == "http://before:1");
    BOOST_TEST(std::getenv("HTTPS_PROXY") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
