// The host a URL names, as a connection needs it: shared by the API's origins and Redis' URL.
#pragma once

#include <boost/url/url_view.hpp>

#include <string>

namespace permit::detail {

/// The host of a URL.
struct url_host {
    std::string name;    ///< an IP literal without brackets, or a host name; empty: none
    bool is_ip = false;  ///< `name` is an IPv4 or IPv6 literal
};

/// The host of `u`. Empty when `u` names no host, or one of another kind (an IPvFuture literal).
inline url_host host_of(const boost::urls::url_view& u) {
    switch (u.host_type()) {
        case boost::urls::host_type::ipv4:
        case boost::urls::host_type::ipv6:
            return {u.host_address(), true};
        case boost::urls::host_type::name:
            return {u.host(), false};
        default:
            return {};
    }
}

}  // namespace permit::detail
