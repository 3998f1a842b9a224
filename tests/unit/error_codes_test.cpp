// Error codes and conditions: the code for each HTTP status, the conditions that group codes
// (including Asio's, Beast's and OpenSSL's), messages and category names.
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/error_code.hpp>

#include <permit/detail/retry/decision.hpp>
#include <permit/error.hpp>

namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

boost::system::error_code code_of(unsigned status) {
    return permit::make_error_code(permit::error_from_status(status));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

using permit::condition;
using permit::error;

BOOST_AUTO_TEST_CASE(a_permit_code_compares_equal_to_its_condition) {
    const auto ec = permit::make_error_code(error::not_found);
    BOOST_TEST((ec == condition::not_found));
    BOOST_TEST((ec != condition::conflict));
    BOOST_TEST((permit::make_error_code(error::conflict) == condition::conflict));
    BOOST_TEST((permit::make_error_code(error::unauthorized) == condition::unauthorized));
    BOOST_TEST((permit::make_error_code(error::forbidden) == condition::forbidden));
    BOOST_TEST((permit::make_error_code(error::validation_failed) == condition::validation_failed));
    BOOST_TEST((permit::make_error_code(error::bad_request) == condition::validation_failed));
    BOOST_TEST((permit::make_error_code(error::rate_limited) == condition::rate_limited));
    BOOST_TEST((permit::make_error_code(error::sync_timeout) == condition::sync_timeout));
    // The enum converts implicitly, as an error code enum should.
    const boost::system::error_code implicit = error::not_found;
    BOOST_TEST((implicit == ec));
}

BOOST_AUTO_TEST_CASE(error_from_status_maps_each_status_to_its_code) {
    const std::vector<std::pair<unsigned, error>> table = {
        {400, error::bad_request},
        {401, error::unauthorized},
        {403, error::forbidden},
        {404, error::not_found},
        {407, error::proxy_auth_required},
        {408, error::http_request_timeout},
        {409, error::conflict},
        {422, error::validation_failed},
        {424, error::sync_timeout},
        {429, error::rate_limited},
        {500, error::internal_server_error},
        {501, error::not_implemented},
        {502, error::bad_gateway},
        {503, error::service_unavailable},
        {504, error::gateway_timeout},
        {418, error::client_error_status},
        {499, error::client_error_status},
        {599, error::server_error_status},
        {505, error::server_error_status},
        {302, error::unexpected_status},
        {100, error::unexpected_status},
        {600, error::unexpected_status},
    };
    for (const auto& [status, expected] : table) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((permit::error_from_status(status) == expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(every_5xx_status_is_a_server_error_and_no_4xx_is) {
    for (unsigned status = 500; status < 600; ++status) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) == condition::server_error));
        }
    }
    for (unsigned status = 400; status < 500; ++status) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) != condition::server_error));
        }
    }
    BOOST_TEST((code_of(302) != condition::server_error));
}

BOOST_AUTO_TEST_CASE(retryable_covers_transient_statuses_and_client_timeouts) {
    for (const unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) == condition::retryable));
        }
    }
    for (const error e :
         {error::connect_timeout, error::handshake_timeout, error::request_timeout}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            BOOST_TEST((permit::make_error_code(e) == condition::retryable));
        }
    }
    for (const unsigned status : {400u, 401u, 403u, 404u, 409u, 422u, 424u, 501u}) {
        BOOST_TEST_CONTEXT("status " << status) {
            BOOST_TEST((code_of(status) != condition::retryable));
        }
    }
    BOOST_TEST((permit::make_error_code(error::invalid_response) != condition::retryable));
    BOOST_TEST((permit::make_error_code(error::invalid_argument) != condition::retryable));
}

BOOST_AUTO_TEST_CASE(timeout_condition_matches_client_and_transport_timeouts) {
    const boost::system::error_code beast_timeout = boost::beast::error::timeout;
    const boost::system::error_code asio_timed_out = boost::asio::error::timed_out;
    BOOST_TEST((beast_timeout == condition::timeout));
    BOOST_TEST((asio_timed_out == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::request_timeout) == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::connect_timeout) == condition::timeout));
    BOOST_TEST((permit::make_error_code(error::handshake_timeout) == condition::timeout));
    BOOST_TEST((code_of(408) == condition::timeout));
    BOOST_TEST((code_of(504) == condition::timeout));
    BOOST_TEST((code_of(500) != condition::timeout));
    // A Beast timeout is also worth retrying.
    BOOST_TEST((beast_timeout == condition::retryable));
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    BOOST_TEST((refused != condition::timeout));
}

BOOST_AUTO_TEST_CASE(network_condition_matches_connection_failures) {
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    const boost::system::error_code reset = boost::asio::error::connection_reset;
    const boost::system::error_code eof = boost::asio::error::eof;
    for (const auto& ec : {refused, reset, eof}) {
        BOOST_TEST_CONTEXT(ec.message()) {
            BOOST_TEST((ec == condition::network));
            BOOST_TEST((ec == condition::retryable));
            BOOST_TEST((ec != condition::tls));
        }
    }
    BOOST_TEST((permit::make_error_code(error::not_found) != condition::network));
    const boost::system::error_code beast_timeout = boost::beast::error::timeout;
    BOOST_TEST((beast_timeout != condition::network));
}

BOOST_AUTO_TEST_CASE(tls_condition_matches_ssl_errors) {
    const boost::system::error_code ssl_failure(1, boost::asio::error::get_ssl_category());
    const boost::system::error_code truncated = boost::asio::ssl::error::stream_truncated;
    BOOST_TEST((ssl_failure == condition::tls));
    BOOST_TEST((truncated == condition::tls));
    const boost::system::error_code refused = boost::asio::error::connection_refused;
    BOOST_TEST((refused != condition::tls));
    BOOST_TEST((permit::make_error_code(error::handshake_timeout) != condition::tls));
}

BOOST_AUTO_TEST_CASE(permit_codes_have_messages_that_name_the_status) {
    BOOST_TEST(contains(permit::make_error_code(error::not_found).message(), "404"));
    BOOST_TEST(contains(permit::make_error_code(error::conflict).message(), "409"));
    BOOST_TEST(contains(permit::make_error_code(error::validation_failed).message(), "422"));
    BOOST_TEST(contains(permit::make_error_code(error::rate_limited).message(), "429"));
    for (const error e : {error::bad_request,
                          error::unauthorized,
                          error::forbidden,
                          error::not_found,
                          error::http_request_timeout,
                          error::conflict,
                          error::validation_failed,
                          error::sync_timeout,
                          error::rate_limited,
                          error::internal_server_error,
                          error::not_implemented,
                          error::bad_gateway,
                          error::service_unavailable,
                          error::gateway_timeout,
                          error::client_error_status,
                          error::server_error_status,
                          error::unexpected_status,
                          error::invalid_response,
                          error::response_too_large,
                          error::connect_timeout,
                          error::handshake_timeout,
                          error::request_timeout,
                          error::environment_key_required,
                          error::invalid_argument,
                          error::proxy_unreachable,
                          error::proxy_auth_required,
                          error::proxy_refused,
                          error::proxy_tunnel_failed}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            const auto message = permit::make_error_code(e).message();
            BOOST_TEST(!message.empty());
            BOOST_TEST(message != "unknown permit error");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_proxy_that_is_down_or_cannot_reach_the_server_is_worth_retrying) {
    // The proxy's own refusals (407, 403) stay failures: sending the same CONNECT again gets the
    // same answer. An unreachable proxy or a failed tunnel is a network failure like any other.
    for (const error e : {error::proxy_unreachable, error::proxy_tunnel_failed}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            BOOST_TEST((permit::make_error_code(e) == condition::retryable));
            BOOST_TEST((permit::make_error_code(e) == condition::network));
            BOOST_TEST(permit::detail::retry::is_transient_transport_error(e));
        }
    }
    for (const error e : {error::proxy_auth_required, error::proxy_refused}) {
        BOOST_TEST_CONTEXT("error " << static_cast<int>(e)) {
            BOOST_TEST((permit::make_error_code(e) != condition::retryable));
            BOOST_TEST((permit::make_error_code(e) != condition::unauthorized));
            BOOST_TEST(!permit::detail::retry::is_transient_transport_error(e));
        }
    }
    BOOST_TEST(contains(permit::make_error_code(error::proxy_auth_required).message(), "407"));
}

BOOST_AUTO_TEST_CASE(categories_are_named_permit_and_permit_condition) {
    BOOST_TEST(std::string(permit::error_category().name()) == "permit");
    BOOST_TEST(std::string(permit::condition_category().name()) == "permit.condition");
    BOOST_TEST((permit::make_error_code(error::not_found).category() == permit::error_category()));
    BOOST_TEST((permit::make_error_condition(condition::network).category() ==
                permit::condition_category()));
    BOOST_TEST(!permit::make_error_condition(condition::tls).message().empty());
}

BOOST_AUTO_TEST_SUITE_END()
