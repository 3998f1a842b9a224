// Which transport failures mean that the server had closed the connection: the sign that a request
// sent on a kept-alive connection may be sent again on a new one.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace permit::detail::http {

/// Whether a failure before any byte of the response shows that the server had closed the
/// connection (end of stream, reset, broken pipe), as it does with idle keep-alive connections,
/// rather than that it was too slow (a timeout) or refused the request.
inline bool is_closed_connection_error(const boost::system::error_code& ec) noexcept {
    namespace ae = boost::asio::error;
    return ec == ae::eof || ec == ae::connection_reset || ec == ae::connection_aborted ||
           ec == ae::broken_pipe || ec == ae::not_connected || ec == ae::shut_down ||
           ec == boost::beast::http::error::end_of_stream ||
           ec == boost::asio::ssl::error::stream_truncated;
}

}  // namespace permit::detail::http
