// Where requests go: scheme, host, port and path prefix of a configured URL.
#pragma once

#include <permit/detail/http/proxy.hpp>
#include <permit/detail/url_host.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace permit::detail::http {

/// A parsed `http://` or `https://` base URL.
struct origin {
    /// The scheme is `https`.
    bool tls = false;
    std::string host;         ///< without brackets for IPv6
    std::string port;         ///< always set, from the URL or the scheme's default
    std::string base_path;    ///< path prefix without a trailing slash ("" for none)
    std::string host_header;  ///< the `Host` header value
    bool host_is_ip = false;  ///< an IP literal: no SNI, and the certificate must name the IP
    /// The HTTP proxy the origin is reached through (`config::proxy`), or none: connect directly.
    /// Set by the client after `parse`.
    std::optional<proxy_endpoint> proxy;

    /// `scheme://host:port`, the key that pools are shared by.
    std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }

    /// `host:port`, an IPv6 address in brackets: what a `CONNECT` request names (RFC 9110,
    /// section 9.3.6).
    std::string authority() const {
        const bool ipv6 = host.find(':') != std::string::npos;
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    /// What a request's target starts with when it goes to an HTTP proxy over plain HTTP: the
    /// scheme and authority of the absolute form (RFC 9112, section 3.2.2). Empty otherwise: a
    /// direct request, or one inside a `CONNECT` tunnel, has the origin form.
    std::string proxy_target_prefix() const {
        if (!proxy || tls) return {};
        return "http://" + authority();
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`.
    bool is_loopback() const {
        return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
    }

    /// Parses `url`. Throws `std::invalid_argument` (naming the URL) when it is not an absolute
    /// http(s) URL with a host, or carries a query, a fragment or user info.
    static origin parse(std::string_view url) {
        auto fail = [&](const char* why) {
            throw std::invalid_argument("invalid URL '" + std::string(url) + "': " + why);
        };
        auto parsed = boost::urls::parse_absolute_uri(url);
        if (!parsed) fail("not an absolute URL");
        const boost::urls::url_view u = *parsed;
        origin out;
        if (u.scheme_id() == boost::urls::scheme::https)
            out.tls = true;
        else if (u.scheme_id() != boost::urls::scheme::http)
            fail("the scheme must be http or https");
        if (u.has_userinfo()) fail("user info is not allowed");
        if (u.has_query() || u.has_fragment()) fail("a query or fragment is not allowed");
        auto host = host_of(u);
        if (host.name.empty()) fail("a host name or IP address is required");
        out.host = std::move(host.name);
        out.host_is_ip = host.is_ip;
        out.port = u.has_port() ? std::string(u.port()) : (out.tls ? "443" : "80");
        if (out.port.empty() || out.port == "0") fail("invalid port");
        out.base_path = u.encoded_path();
        while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
        out.host_header = std::string(u.encoded_host_and_port());
        return out;
    }
};

}  // namespace permit::detail::http
