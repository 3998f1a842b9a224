// Which HTTP proxy, if any, a connection to an origin goes through: the proxy URL parsed into an
// endpoint and its credentials, and curl's NO_PROXY matching. No I/O.
#pragma once

#include <permit/detail/url_host.hpp>
#include <permit/proxy_options.hpp>

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit::detail::http {

/// `url` with everything from the start of its authority up to its last `@` replaced by `***@`,
/// so that what it shows cannot hold user info, even in a URL that does not parse (a password
/// with an unescaped `@` or `/`). A URL without `@` is returned as is.
inline std::string proxy_url_without_user_info(std::string_view url) {
    const auto at = url.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const auto scheme_end = url.find("://");
    const auto authority = scheme_end < at ? scheme_end + 3 : 0;
    std::string shown(url.substr(0, authority));
    shown += "***@";
    shown += url.substr(at + 1);
    return shown;
}

/// The `Proxy-Authorization` value of the Basic scheme (RFC 7617 §2): `Basic ` and the Base64
/// (RFC 4648 §4, padded) of `user:password`, encoded by OpenSSL's `EVP_EncodeBlock`.
inline std::string basic_authorization(std::string_view user, std::string_view password) {
    std::string credentials;
    credentials.reserve(user.size() + 1 + password.size());
    credentials.append(user).append(":").append(password);
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');  // + 1: the NUL it writes
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        reinterpret_cast<const unsigned char*>(credentials.data()),
                                        static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(written));
    return "Basic " + encoded;
}

/// An HTTP proxy to connect through, parsed from a `proxy_options` URL.
struct proxy_endpoint {
    std::string host;         ///< a host name, or an IP literal without brackets
    std::string port;         ///< decimal, without leading zeros; 1080 when the URL has none
    bool host_is_ip = false;  ///< `host` is an IPv4 or IPv6 literal
    /// The whole `Proxy-Authorization` value, `Basic <base64(user:password)>` (RFC 7617), from
    /// the URL's percent-decoded user info; empty without user info. A secret: never log it.
    std::string authorization;

    /// `http://host:port` (an IPv6 host in brackets): names the proxy in logs and errors, and
    /// tells proxies apart. Never holds the credentials.
    std::string key() const {
        const bool ipv6 = host.find(':') != std::string::npos;
        return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    /// Parses a proxy URL, `http://[user[:password]@]host[:port][/]`, or `[user[:password]@]host
    /// [:port]` without a scheme, taken as `http://` as curl does. The scheme is
    /// case-insensitive. Without a port (or with an empty one after `http://`, as curl allows),
    /// the port is 1080, curl's default (https://curl.se/libcurl/c/CURLOPT_PROXY.html).
    ///
    /// Throws `std::invalid_argument` for an `https://` proxy (TLS to the proxy is not
    /// supported), any other scheme than `http`, a missing host, a port that is not 1-65535, a
    /// path other than `/`, a query or a fragment. The message names the URL with its user info
    /// replaced by `***` (`proxy_url_without_user_info`): never the user name or the password.
    static proxy_endpoint parse(std::string_view url) {
        auto fail = [&](const char* why) {
            throw std::invalid_argument("invalid proxy URL '" + proxy_url_without_user_info(url) +
                                        "': " + why);
        };
        // curl guesses `http://` for a proxy given without a scheme (CURLU_GUESS_SCHEME, and the
        // default CURLPROXY_HTTP), which is how `HTTPS_PROXY=proxy:3128` is often written.
        const bool has_scheme = url.find("://") != std::string_view::npos;
        const std::string with_scheme =
            has_scheme ? std::string(url) : "http://" + std::string(url);
        auto parsed = boost::urls::parse_absolute_uri(with_scheme);
        if (!parsed) fail("not a URL of the form http://[user[:password]@]host[:port]");
        const boost::urls::url_view u = *parsed;
        if (u.scheme_id() == boost::urls::scheme::https)
            fail(
                "https:// proxies (TLS to the proxy) are not supported; an http:// proxy still "
                "carries https:// requests encrypted end to end, through a CONNECT tunnel");
        if (u.scheme_id() != boost::urls::scheme::http) fail("only http:// proxies are supported");
        if (u.has_query() || u.has_fragment()) fail("a query or fragment is not allowed");
        if (!u.encoded_path().empty() && u.encoded_path() != "/") fail("a path is not allowed");

        proxy_endpoint out;
        auto host = host_of(u);
        if (host.name.empty()) fail("a host name or IP address is required");
        out.host = std::move(host.name);
        out.host_is_ip = host.is_ip;

        // Boost.URL's port_number() wraps ports above 65535 around: read the digits here.
        const std::string_view port = u.port();
        if (!u.has_port() || (port.empty() && has_scheme)) {
            out.port = "1080";
        } else {
            unsigned long number = 0;
            for (const char c : port) {
                number = number * 10 + static_cast<unsigned long>(c - '0');  // only digits parse
                if (number > 65535) break;
            }
            if (port.empty() || number == 0 || number > 65535) fail("the port must be 1-65535");
            out.port = std::to_string(number);
        }

        if (u.has_userinfo()) {
            // Decoded, so that `p%40ss` authenticates as `p@ss`, as curl's CURLU_URLDECODE.
            const std::string user = u.user();
            const std::string password = u.password();
            if (!user.empty() || !password.empty())
                out.authorization = basic_authorization(user, password);
        }
        return out;
    }
};

/// A parsed `NO_PROXY` list: which hosts are reached without the proxy. The matching is curl's
/// (`proxy_check_noproxy` in curl's lib/proxy.c, formerly lib/noproxy.c, and its unit test 1614;
/// https://curl.se/libcurl/c/CURLOPT_NOPROXY.html), with two extensions: blanks separate entries
/// as commas do (as curl did until 8.9.0; curl now stops at the first such blank), and an IPv6
/// entry may be written in brackets (`[::1]`, `[fc00::]/7`; curl matches it with nothing).
class no_proxy_list {
  public:
    /// Splits `list` into its entries. Never fails: as in curl, an entry that is not a valid
    /// name or address simply matches nothing.
    static no_proxy_list parse(std::string_view list) {
        no_proxy_list out;
        // Only the whole list being `*` means every host (curl compares it with strcmp).
        if (list == "*") {
            out.everything_ = true;
            return out;
        }
        auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
        std::size_t at = 0;
        while (at < list.size()) {
            while (at < list.size() && separator(list[at])) ++at;
            const auto start = at;
            while (at < list.size() && !separator(list[at])) ++at;
            if (at > start) out.entries_.emplace_back(list.substr(start, at - start));
        }
        return out;
    }

    /// True when `host` (an origin's host: a name, or an IP literal without brackets) is to be
    /// reached without the proxy. An empty host matches nothing, not even `*`.
    bool bypasses(std::string_view host) const {
        if (host.empty()) return false;
        if (everything_) return true;
        // As curl, an IP literal is compared as an address with the address entries only, and a
        // name as text with the name entries only.
        if (auto v4 = boost::urls::parse_ipv4_address(host)) {
            for (const auto& entry : entries_)
                if (ipv4_entry_matches(entry, *v4)) return true;
            return false;
        }
        if (auto v6 = boost::urls::parse_ipv6_address(host)) {
            for (const auto& entry : entries_)
                if (ipv6_entry_matches(entry, *v6)) return true;
            return false;
        }
        if (host.back() == '.') host.remove_suffix(1);  // `example.com.` is `example.com`
        for (const auto& entry : entries_)
            if (name_entry_matches(entry, host)) return true;
        return false;
    }

    /// True when no host bypasses the proxy (an empty or blank list).
    bool empty() const { return !everything_ && entries_.empty(); }

  private:
    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        for (std::size_t i = 0; i < a.size(); ++i)
            if (lower(a[i]) != lower(b[i])) return false;
        return true;
    }

    // curl's match_host: the entry, without a trailing and then a leading dot, equals the name
    // or is a tail of it that starts after a dot.
    static bool name_entry_matches(std::string_view entry, std::string_view name) {
        if (entry.back() == '.') entry.remove_suffix(1);
        if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
        if (entry.size() == name.size()) return iequals(entry, name);
        if (entry.size() < name.size())
            return name[name.size() - entry.size() - 1] == '.' &&
                   iequals(entry, name.substr(name.size() - entry.size()));
        return false;
    }

    // An address entry split into its address and prefix length (0 when there is none, which
    // curl treats as "the whole address"). Empty when the prefix length is not 0-128 in decimal,
    // as curl's curlx_str_number(..., 128).
    struct address_entry {
        std::string_view address;
        unsigned bits = 0;
    };
    static std::optional<address_entry> split_address_entry(std::string_view entry) {
        address_entry out{entry, 0};
        if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
            out.address = entry.substr(0, slash);
            const auto digits = entry.substr(slash + 1);
            if (digits.empty()) return std::nullopt;
            for (const char c : digits) {
                if (c < '0' || c > '9') return std::nullopt;
                out.bits = out.bits * 10 + unsigned(c - '0');
                if (out.bits > 128) return std::nullopt;
            }
        }
        // An extension: curl takes IPv6 entries without brackets only.
        if (out.address.size() >= 2 && out.address.front() == '[' && out.address.back() == ']')
            out.address = out.address.substr(1, out.address.size() - 2);
        return out;
    }

    // curl's cidr4_match: a prefix length of 0 or 32, or none, compares the whole address.
    static bool ipv4_entry_matches(std::string_view entry, const boost::urls::ipv4_address& host) {
        const auto split = split_address_entry(entry);
        if (!split || split->bits > 32) return false;
        const auto network = boost::urls::parse_ipv4_address(split->address);
        if (!network) return false;
        const std::uint32_t mask =
            split->bits == 0 ? 0xffffffffu : 0xffffffffu << (32 - split->bits);
        return ((host.to_uint() ^ network->to_uint()) & mask) == 0;
    }

    // curl's cidr6_match: a prefix length of 0, or none, compares the whole address.
    static bool ipv6_entry_matches(std::string_view entry, const boost::urls::ipv6_address& host) {
        const auto split = split_address_entry(entry);
        if (!split) return false;
        const auto network = boost::urls::parse_ipv6_address(split->address);
        if (!network) return false;
        const unsigned bits = split->bits == 0 ? 128 : split->bits;
        const auto a = host.to_bytes();
        const auto b = network->to_bytes();
        const unsigned whole_bytes = bits / 8;
        const unsigned rest = bits % 8;
        for (unsigned i = 0; i < whole_bytes; ++i)
            if (a[i] != b[i]) return false;
        if (rest != 0 && ((a[whole_bytes] ^ b[whole_bytes]) & (0xff << (8 - rest))) != 0)
            return false;
        return true;
    }

    bool everything_ = false;
    std::vector<std::string> entries_;  // never empty strings
};

/// The proxy that a connection to `host` goes through: `options.https_proxy` for an `https://`
/// origin (`tls`), `options.http_proxy` for an `http://` one; none when that field is empty or
/// `options.no_proxy` bypasses `host` (`no_proxy_list`). `host` is an origin's host, as
/// `origin::host` (an IP literal without brackets).
///
/// The proxy URL is parsed only when it is to be used, as curl does: a host that bypasses the
/// proxy, or an origin of the other scheme, never sees an error of the URL. Throws
/// `std::invalid_argument` when the chosen URL is invalid (`proxy_endpoint::parse`; the message
/// never holds the credentials).
inline std::optional<proxy_endpoint> proxy_for(bool tls, std::string_view host,
                                               const proxy_options& options) {
    const std::string& url = tls ? options.https_proxy : options.http_proxy;
    if (url.empty()) return std::nullopt;
    if (no_proxy_list::parse(options.no_proxy).bypasses(host)) return std::nullopt;
    return proxy_endpoint::parse(url);
}

}  // namespace permit::detail::http
