// How the client reaches its origins through an HTTP proxy (`config::proxy`).
#pragma once

#include <cstdlib>
#include <string>

namespace permit {

/// How the client reaches its origins through an HTTP proxy. Empty strings: no proxy, and every
/// origin is reached directly. Nothing is read from the environment unless you call
/// `proxy_options::from_environment()`.
///
/// A proxy URL has the form `http://[user[:password]@]host[:port]`, with an optional trailing
/// `/`:
/// - The scheme may be left out: `host:port` is taken as `http://host:port`, as curl does.
/// - Without a port, the port is 1080, as curl's (https://curl.se/libcurl/c/CURLOPT_PROXY.html).
/// - An IPv6 address is written in brackets: `http://[fd00::1]:3128`.
/// - User info is percent-decoded (`%40` for `@`, `%3A` for `:`) and sent to the proxy as
///   `Proxy-Authorization: Basic base64(user:password)` (RFC 7617). It travels in cleartext on
///   the TCP connection to the proxy, and it is never logged nor put in an error: errors name
///   the proxy as `http://***@host:port`.
/// - Only `http://` proxies are supported: an `https://` proxy URL (TLS to the proxy itself), a
///   `socks5://` one, a path other than `/`, a query or a fragment is refused with
///   `std::invalid_argument`.
struct proxy_options {
    /// The proxy for `https://` origins (the REST API, Permit's cloud PDP). The client connects to
    /// the proxy, asks it for a tunnel to the origin with `CONNECT host:port` (RFC 9110 §9.3.6),
    /// and runs TLS through the tunnel end to end: the certificate is verified against the origin
    /// as without a proxy, and the proxy sees the origin's name and port but neither the requests
    /// nor the API key. Empty: `https://` origins are reached directly.
    std::string https_proxy;
    /// The proxy for `http://` origins (a PDP on a private network): requests go to the proxy in
    /// absolute form (`POST http://pdp:7766/allowed HTTP/1.1`, RFC 9112 §3.2.2) and the proxy
    /// forwards them, so it sees the requests and the API key they carry, as anything on a
    /// plain-HTTP path does. Empty: `http://` origins are reached directly.
    std::string http_proxy;
    /// The hosts reached directly even when a proxy is set, in curl's `NO_PROXY` syntax
    /// (https://curl.se/libcurl/c/CURLOPT_NOPROXY.html): a comma-separated list, where
    /// - `*` alone bypasses the proxy for every host;
    /// - a name matches that host and its subdomains, case-insensitively, with or without a
    ///   leading dot: `example.com` and `.example.com` both match `example.com` and
    ///   `api.example.com` but not `notexample.com`; a trailing dot, on the entry or the host,
    ///   is ignored;
    /// - an IP address matches that address, and an address with a prefix length a range
    ///   (`10.0.0.0/8`, `fc00::/7`), only when the origin's host is an IP address written as
    ///   one: a name is never resolved to be compared with them. An IPv6 address may be written
    ///   with or without brackets (`::1`, `[::1]`, `[fc00::]/7`). As in curl, `/0` compares the
    ///   whole address (it is not "every address");
    /// - an entry with a port (`example.com:8080`) matches no host, as in curl.
    /// Blanks (spaces, tabs) around entries are ignored, and blanks between two entries separate
    /// them as a comma would (curl did so until 8.9.0). Empty: no host bypasses the proxy.
    std::string no_proxy;

    /// The settings of curl and most tools, from the environment: `https_proxy` or
    /// `HTTPS_PROXY`, `http_proxy` or `HTTP_PROXY`, and `no_proxy` or `NO_PROXY`. The lowercase
    /// variable wins when both are set, as in curl; an unset or empty variable leaves the field
    /// empty (an empty lowercase variable lets the uppercase one through, as curl's
    /// `curl_getenv` does). `all_proxy` is not read.
    ///
    /// `HTTP_PROXY` is ignored in a CGI program (when `REQUEST_METHOD` is set): there the web
    /// server sets `HTTP_PROXY` from the request's `Proxy:` header, which would let any caller
    /// send the client's plain-HTTP requests, API key included, through a proxy of its choosing
    /// (https://httpoxy.org; Python's urllib does the same, CVE-2016-1000110, and curl never
    /// reads `HTTP_PROXY`). The lowercase `http_proxy` is still read.
    ///
    /// Reads the environment with `std::getenv`: not thread-safe against a concurrent `setenv`.
    static proxy_options from_environment() {
        return from_environment([](const char* name) { return std::getenv(name); });
    }

    /// As `from_environment()`, with the variables read through `getenv` (called with a name,
    /// it returns the value or null, as `std::getenv` does): a program that keeps its own
    /// environment, or a test, passes its lookup.
    template <class Getenv>
    static proxy_options from_environment(Getenv&& getenv) {
        // The first of the variables that is set to a non-empty value.
        auto read = [&getenv](const char* lowercase, const char* uppercase) -> std::string {
            for (const char* name : {lowercase, uppercase}) {
                if (name == nullptr) continue;
                const char* value = getenv(name);
                if (value != nullptr && *value != '\0') return value;
            }
            return {};
        };
        const bool in_cgi = getenv("REQUEST_METHOD") != nullptr;
        proxy_options options;
        options.https_proxy = read("https_proxy", "HTTPS_PROXY");
        options.http_proxy = read("http_proxy", in_cgi ? nullptr : "HTTP_PROXY");
        options.no_proxy = read("no_proxy", "NO_PROXY");
        return options;
    }
};

}  // namespace permit
