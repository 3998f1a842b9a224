// The error categories' comparisons with Asio's, Beast's and OpenSSL's codes: compiled in every
// translation unit that includes <permit/error.hpp> by default, or once, in the one that includes
// <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace permit::detail {

PERMIT_DECL bool is_network_error(const boost::system::error_code& ec) noexcept {
    namespace ae = boost::asio::error;
    return ec == ae::connection_refused || ec == ae::connection_reset ||
           ec == ae::connection_aborted || ec == ae::broken_pipe || ec == ae::eof ||
           ec == ae::host_unreachable || ec == ae::network_unreachable || ec == ae::network_down ||
           ec == ae::network_reset || ec == ae::host_not_found ||
           ec == ae::host_not_found_try_again || ec == ae::timed_out ||
           ec == boost::beast::http::error::end_of_stream ||
           ec == boost::beast::http::error::partial_message;
}

PERMIT_DECL bool is_tls_error(const boost::system::error_code& ec) noexcept {
    return ec.category() == boost::asio::error::get_ssl_category() ||
           ec.category() == boost::asio::ssl::error::get_stream_category();
}

// A permit::error belongs to a condition when the condition's rule says so.
PERMIT_DECL bool error_in_condition(error e, condition c) noexcept {
    switch (c) {
        case condition::not_found:
            return e == error::not_found;
        case condition::conflict:
            return e == error::conflict;
        case condition::unauthorized:
            return e == error::unauthorized;
        case condition::forbidden:
            return e == error::forbidden || e == error::environment_key_required;
        case condition::validation_failed:
            return e == error::validation_failed || e == error::bad_request;
        case condition::rate_limited:
            return e == error::rate_limited;
        case condition::server_error:
            return e == error::internal_server_error || e == error::not_implemented ||
                   e == error::bad_gateway || e == error::service_unavailable ||
                   e == error::gateway_timeout || e == error::server_error_status;
        case condition::timeout:
            return e == error::connect_timeout || e == error::handshake_timeout ||
                   e == error::request_timeout || e == error::http_request_timeout ||
                   e == error::gateway_timeout;
        case condition::tls:
            return false;
        case condition::network:
            return e == error::proxy_unreachable || e == error::proxy_tunnel_failed;
        case condition::sync_timeout:
            return e == error::sync_timeout;
        case condition::retryable:
            return e == error::http_request_timeout || e == error::rate_limited ||
                   e == error::internal_server_error || e == error::bad_gateway ||
                   e == error::service_unavailable || e == error::gateway_timeout ||
                   e == error::connect_timeout || e == error::handshake_timeout ||
                   e == error::request_timeout || e == error::proxy_unreachable ||
                   e == error::proxy_tunnel_failed;
    }
    return false;
}

PERMIT_DECL bool error_category_impl::equivalent(const boost::system::error_code& code,
                                                 int cond) const noexcept {
    return code.category() == *this && code.value() == cond;
}

PERMIT_DECL bool condition_category_impl::equivalent(const boost::system::error_code& code,
                                                     int cond) const noexcept {
    const auto c = static_cast<condition>(cond);
    if (code.category() == permit::error_category())
        return error_in_condition(static_cast<error>(code.value()), c);
    switch (c) {
        case condition::timeout:
            return code == boost::beast::error::timeout || code == boost::asio::error::timed_out;
        case condition::tls:
            return is_tls_error(code);
        case condition::network:
            return is_network_error(code);
        case condition::retryable:
            return is_network_error(code) || code == boost::beast::error::timeout;
        default:
            return false;
    }
}

}  // namespace permit::detail
