// Error codes and conditions: what went wrong, as values that compare against conditions.
#pragma once

#include <permit/detail/decl.hpp>

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/error_condition.hpp>

#include <string>
#include <type_traits>

namespace permit {

/// The library's error codes. The first group is the HTTP status the API or the PDP answered with;
/// `permit::diagnostics` holds the body that came with it. The rest are found by the client.
enum class error {
    // An HTTP status, one code per status a caller may want to tell apart.
    bad_request = 1,        ///< 400
    unauthorized,           ///< 401: the API key is missing or not accepted
    forbidden,              ///< 403: the API key may not do this
    not_found,              ///< 404
    http_request_timeout,   ///< 408: the server gave up waiting for the request
    conflict,               ///< 409: the object already exists
    validation_failed,      ///< 422: the request did not match the schema; see the `detail` list
    sync_timeout,           ///< 424: the PDP did not see the change in time (wait-for-sync)
    rate_limited,           ///< 429
    internal_server_error,  ///< 500
    not_implemented,        ///< 501 (the Cloud PDP answers it for features it lacks)
    bad_gateway,            ///< 502
    service_unavailable,    ///< 503
    gateway_timeout,        ///< 504
    client_error_status,    ///< another 4xx status
    server_error_status,    ///< another 5xx status
    unexpected_status,      ///< a 1xx or 3xx status

    // The response could not be used.
    invalid_response = 100,  ///< a 2xx body that is not JSON or not the documented shape
    response_too_large,      ///< the response's header or body is over the configured limit

    // Found by the client before or around the exchange.
    connect_timeout = 200,     ///< resolving and connecting took longer than `connect_timeout`
    handshake_timeout,         ///< the TLS handshake took longer than `handshake_timeout`
    request_timeout,           ///< the exchange took longer than `request_timeout`
    environment_key_required,  ///< the call needs an environment, and neither the key nor the
                               ///< config names one
    invalid_argument,          ///< an argument the API would reject for certain (e.g. empty key)

    // The HTTP proxy (`config::proxy`) failed; `diagnostics::status` holds its status, if any.
    proxy_unreachable = 300,  ///< the proxy could not be resolved or connected to
    proxy_auth_required,      ///< 407 from the proxy: credentials missing or not accepted
    proxy_refused,            ///< the proxy refused the tunnel or request with another 4xx
    proxy_tunnel_failed,      ///< the proxy could not open the tunnel: a 5xx (it could not
                              ///< reach the server), another status, or no answer
};

/// What a caller usually wants to know about an error, whatever its exact code or category.
enum class condition {
    not_found = 1,      ///< 404
    conflict,           ///< 409
    unauthorized,       ///< 401
    forbidden,          ///< 403, or a key of the wrong level for the call
    validation_failed,  ///< 400 or 422
    rate_limited,       ///< 429
    server_error,       ///< any 5xx
    timeout,            ///< a client-side timeout, or a 408 / 504 from the server
    tls,                ///< the TLS handshake or the TLS layer failed (certificate, protocol)
    network,            ///< the connection could not be made or broke (the proxy's included)
    sync_timeout,       ///< 424 from the PDP: the change was not seen in time
    retryable,          ///< worth retrying later: 408, 429, 500, 502, 503, 504, timeouts, network
};

namespace detail {

/// Whether `ec` is a network failure: refused, reset, closed, unreachable, unresolved.
PERMIT_DECL bool is_network_error(const boost::system::error_code& ec) noexcept;

/// Whether `ec` comes from the TLS layer (OpenSSL or the TLS stream).
PERMIT_DECL bool is_tls_error(const boost::system::error_code& ec) noexcept;

class error_category_impl final : public boost::system::error_category {
  public:
    // A fixed identifier, so that codes compare equal across shared libraries.
    constexpr error_category_impl() noexcept : error_category(0x7065726d69746331ULL) {}

    const char* name() const noexcept override { return "permit"; }

    std::string message(int value) const override {
        switch (static_cast<error>(value)) {
            case error::bad_request:
                return "bad request (400)";
            case error::unauthorized:
                return "unauthorized: the API key is missing or invalid (401)";
            case error::forbidden:
                return "forbidden (403)";
            case error::not_found:
                return "not found (404)";
            case error::http_request_timeout:
                return "the server timed out waiting for the request (408)";
            case error::conflict:
                return "conflict: the object already exists (409)";
            case error::validation_failed:
                return "validation failed (422)";
            case error::sync_timeout:
                return "the PDP did not receive the update in time (424)";
            case error::rate_limited:
                return "rate limited (429)";
            case error::internal_server_error:
                return "internal server error (500)";
            case error::not_implemented:
                return "not implemented (501)";
            case error::bad_gateway:
                return "bad gateway (502)";
            case error::service_unavailable:
                return "service unavailable (503)";
            case error::gateway_timeout:
                return "gateway timeout (504)";
            case error::client_error_status:
                return "the request was refused (4xx)";
            case error::server_error_status:
                return "server error (5xx)";
            case error::unexpected_status:
                return "unexpected HTTP status";
            case error::invalid_response:
                return "the response is not the documented JSON";
            case error::response_too_large:
                return "the response is larger than the configured limit";
            case error::connect_timeout:
                return "connecting timed out";
            case error::handshake_timeout:
                return "the TLS handshake timed out";
            case error::request_timeout:
                return "the request timed out";
            case error::environment_key_required:
                return "this call needs an environment: use an environment-level API key, or set "
                       "config.project_id and config.environment_id";
            case error::invalid_argument:
                return "invalid argument";
            case error::proxy_unreachable:
                return "the HTTP proxy could not be reached";
            case error::proxy_auth_required:
                return "the HTTP proxy requires authentication (407)";
            case error::proxy_refused:
                return "the HTTP proxy refused the request";
            case error::proxy_tunnel_failed:
                return "the HTTP proxy could not open a tunnel to the server";
        }
        return "unknown permit error";
    }

    PERMIT_DECL bool equivalent(const boost::system::error_code& code,
                                int cond) const noexcept override;
};

class condition_category_impl final : public boost::system::error_category {
  public:
    constexpr condition_category_impl() noexcept : error_category(0x7065726d69746332ULL) {}

    const char* name() const noexcept override { return "permit.condition"; }

    std::string message(int value) const override {
        switch (static_cast<condition>(value)) {
            case condition::not_found:
                return "not found";
            case condition::conflict:
                return "conflict";
            case condition::unauthorized:
                return "unauthorized";
            case condition::forbidden:
                return "forbidden";
            case condition::validation_failed:
                return "validation failed";
            case condition::rate_limited:
                return "rate limited";
            case condition::server_error:
                return "server error";
            case condition::timeout:
                return "timeout";
            case condition::tls:
                return "TLS error";
            case condition::network:
                return "network error";
            case condition::sync_timeout:
                return "sync timeout";
            case condition::retryable:
                return "retryable error";
        }
        return "unknown permit condition";
    }

    PERMIT_DECL bool equivalent(const boost::system::error_code& code,
                                int cond) const noexcept override;
};

inline constexpr error_category_impl error_category_instance{};
inline constexpr condition_category_impl condition_category_instance{};

}  // namespace detail

/// The category of `permit::error` codes. Thread-safe, like every category.
inline const boost::system::error_category& error_category() noexcept {
    return detail::error_category_instance;
}

/// The category of `permit::condition`.
inline const boost::system::error_category& condition_category() noexcept {
    return detail::condition_category_instance;
}

/// The error code of `e`, in `error_category()`. Found by argument-dependent lookup, it lets a
/// `permit::error` convert to a `boost::system::error_code`.
inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// The error condition of `c`, in `condition_category()`. Found by argument-dependent lookup, it
/// lets an error code be compared with a `permit::condition`: `ec == permit::condition::not_found`.
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// The code for an HTTP status that is not a success (the client never calls it for 2xx).
inline error error_from_status(unsigned status) noexcept {
    switch (status) {
        case 400:
            return error::bad_request;
        case 401:
            return error::unauthorized;
        case 403:
            return error::forbidden;
        case 404:
            return error::not_found;
        case 407:
            // Only a proxy answers 407 (RFC 9110, section 15.5.8): over plain HTTP, a proxy's
            // refusal of a request comes back as that request's response.
            return error::proxy_auth_required;
        case 408:
            return error::http_request_timeout;
        case 409:
            return error::conflict;
        case 422:
            return error::validation_failed;
        case 424:
            return error::sync_timeout;
        case 429:
            return error::rate_limited;
        case 500:
            return error::internal_server_error;
        case 501:
            return error::not_implemented;
        case 502:
            return error::bad_gateway;
        case 503:
            return error::service_unavailable;
        case 504:
            return error::gateway_timeout;
        default:
            break;
    }
    if (status >= 400 && status < 500) return error::client_error_status;
    if (status >= 500 && status < 600) return error::server_error_status;
    return error::unexpected_status;
}

}  // namespace permit

// Boost.System's traits: `permit::error` converts to an error code and `permit::condition` to an
// error condition (`make_error_code` and `make_error_condition` above). Left out of the reference.
/// \cond
template <>
struct boost::system::is_error_code_enum<permit::error> : std::true_type {};

template <>
struct boost::system::is_error_condition_enum<permit::condition> : std::true_type {};
/// \endcond

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/detail/impl/error.ipp>
#endif
