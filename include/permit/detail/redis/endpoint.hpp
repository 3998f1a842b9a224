// Where the Redis server is: the parsed `redis://` URL of `rate_limit_options::redis_url`.
#pragma once

#include <permit/detail/url_host.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

/// \namespace permit::detail::redis
/// The client's link to a Redis server: its address, its replies, and a connection driven by the
/// client's executor (with `PERMIT_WITH_REDIS`).
namespace permit::detail::redis {

/// A parsed `redis://[[user]:password@]host[:port][/db]` URL.
struct endpoint {
    std::string host;  ///< a name or an IP address (IPv6 without brackets)
    std::uint16_t port = 6379;
    unsigned database = 0;  ///< what SELECT chooses after connecting
    std::string user;       ///< for AUTH with a user name (Redis 6 ACLs); empty: none
    std::string password;   ///< for AUTH; empty: no AUTH

    /// `redis://host:port/db`, without the credentials: what log records and errors show.
    std::string to_string() const {
        const bool v6 = host.find(':') != std::string::npos;
        return "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
               std::to_string(database);
    }

    /// Parses `url`. Throws `std::invalid_argument` when it is not a `redis://` URL with a host,
    /// or its port or database is not a number; the message does not repeat the URL, which may
    /// hold a password. `rediss://` (TLS) is refused: the Redis client library is built without
    /// TLS.
    static endpoint parse(std::string_view url) {
        auto fail = [](const std::string& why) {
            throw std::invalid_argument("invalid rate_limits.redis_url: " + why);
        };
        auto parsed = boost::urls::parse_absolute_uri(url);
        if (!parsed) fail("not an absolute URL");
        const boost::urls::url_view u = *parsed;
        if (u.scheme() == "rediss") fail("TLS (rediss://) is not supported");
        if (u.scheme() != "redis") fail("the scheme must be redis");
        if (u.has_query() || u.has_fragment()) fail("a query or fragment is not allowed");
        endpoint out;
        out.host = host_of(u).name;
        if (out.host.empty()) fail("a host name or IP address is required");
        if (u.has_port()) {
            const auto p = u.port();
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
            if (ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535)
                fail("invalid port");
            out.port = static_cast<std::uint16_t>(value);
        }
        if (u.has_userinfo()) {
            out.user = u.user();
            if (u.has_password()) out.password = u.password();
            // redis://secret@host: a lone user info is the password, as redis-cli reads it.
            if (!u.has_password()) out.password = std::exchange(out.user, std::string());
        }
        const std::string encoded_path(u.encoded_path());
        std::string_view path = encoded_path;
        while (!path.empty() && path.front() == '/') path.remove_prefix(1);
        while (!path.empty() && path.back() == '/') path.remove_suffix(1);
        if (!path.empty()) {
            const auto [end, ec] =
                std::from_chars(path.data(), path.data() + path.size(), out.database);
            if (ec != std::errc{} || end != path.data() + path.size())
                fail("the path must be a database number");
        }
        return out;
    }
};

}  // namespace permit::detail::redis
