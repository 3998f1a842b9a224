// The API key stays secret: a server that echoes it back does not get it into diagnostics, an
// exception or a log line; it is never sent over plain HTTP beyond loopback unless allowed; and
// certificate verification goes off only through its named option.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/secrets.hpp"

using namespace permit_test;

namespace {

namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

const std::string echoed_key = "permit_key_EchoedS3cretOfTheTests";

/// A server that puts the request's bearer token into every part of its answer that a client
/// might keep, as a careless proxy or a debugging endpoint would. What it answers depends on the
/// last segment of the path (`GET .../users/<kind>`).
class key_echo_server {
  public:
    explicit key_echo_server(asio::io_context& ioc)
        : acceptor_(ioc, {asio::ip::make_address("127.0.0.1"), 0}) {
        asio::co_spawn(ioc, accept(), asio::detached);
    }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

    void stop() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }

  private:
    asio::awaitable<void> accept() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }

    static asio::awaitable<void> serve(tcp::socket socket) {
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            auto [ec, n] =
                co_await http::async_read(socket, buffer, req, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            auto res = answer(req);
            auto [wec, w] =
                co_await http::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
            if (wec) co_return;
        }
    }

    static http::response<http::string_body> answer(const http::request<http::string_body>& req) {
        std::string token(req[http::field::authorization]);
        if (token.rfind("Bearer ", 0) == 0) token.erase(0, 7);
        const std::string target(req.target());
        const std::string kind = target.substr(target.rfind('/') + 1);
        const json::string key(token);
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.set("X-Request-Id", token);
        if (kind == "error-details") {
            res.result(http::status::not_found);
            json::object additional{{"authorization", "Bearer " + token}, {token, key}};
            res.body() = json::serialize(
                json::object{{"id", key},
                             {"title", "Bearer " + token},
                             {"error_code", "NOT_FOUND"},
                             {"message", "no user for the token " + token},
                             {"support_link", "https://example.invalid/?token=" + token},
                             {"additional_info", additional}});
        } else if (kind == "validation") {
            res.result(http::status::unprocessable_entity);
            res.body() = json::serialize(json::object{
                {"detail", json::array{json::object{{"loc", json::array{"header", key}},
                                                    {"msg", "bad token " + token},
                                                    {"type", key}}}}});
        } else if (kind == "detail-text") {
            res.result(http::status::unauthorized);
            res.body() = json::serialize(json::object{{"detail", "invalid token " + token}});
        } else if (kind == "pdp-message") {
            res.result(http::status::forbidden);
            res.body() = json::serialize(
                json::object{{"error", "forbidden"}, {"message", "denied for " + token}});
        } else if (kind == "raw-page") {
            // The key straddles the point where diagnostics cut a raw body.
            res.result(http::status::bad_gateway);
            res.set(http::field::content_type, "text/html");
            res.body() =
                std::string(permit::diagnostics::max_raw_body - 10, 'x') + token + "</html>";
        } else if (kind == "unreadable") {
            res.body() = "not JSON: " + token;
        } else if (kind == "wrong-model") {
            res.body() = json::serialize(json::object{{"key", 42}, {"id", key}});
        } else if (kind == "unavailable") {
            res.result(http::status::service_unavailable);
            res.body() = json::serialize(json::object{{"detail", "overloaded, token " + token}});
        } else {
            res.body() = json::serialize(json::object{{"key", kind},
                                                      {"id", "u-1"},
                                                      {"organization_id", "o"},
                                                      {"project_id", "p"},
                                                      {"environment_id", "e"},
                                                      {"created_at", "2026-01-01T00:00:00Z"},
                                                      {"updated_at", "2026-01-01T00:00:00Z"}});
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        return res;
    }

    tcp::acceptor acceptor_;
};

/// A client of `server` with the echoed key, no retries, and its log lines kept in `lines`.
permit::config echo_client_config(const key_echo_server& server, std::vector<std::string>& lines) {
    permit::config cfg{.api_key = echoed_key, .api_url = server.url(), .pdp_url = server.url()};
    cfg.project_id = "p";
    cfg.environment_id = "e";
    cfg.retry = permit::retry_policy::none();
    cfg.log = [&lines](permit::log_level level, std::string_view text) {
        lines.push_back(std::string(permit::to_string(level)) + ": " + std::string(text));
    };
    return cfg;
}

void check_no_line_holds_the_key(const std::vector<std::string>& lines) {
    for (const auto& line : lines)
        BOOST_TEST(line.find(echoed_key) == std::string::npos,
                   "a log line holds the key: " << line);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_secrets)

BOOST_AUTO_TEST_CASE(a_key_echoed_by_the_server_is_redacted_from_every_output) {
    asio::io_context ioc;
    key_echo_server server(ioc);
    std::vector<std::string> lines;
    permit::client permit(ioc.get_executor(), echo_client_config(server, lines));
    std::vector<std::string> whats;
    bool done = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            const std::vector<std::string> kinds{"error-details", "validation", "detail-text",
                                                 "pdp-message",   "raw-page",   "unreadable",
                                                 "wrong-model"};
            for (const auto& kind : kinds) {
                BOOST_TEST_CONTEXT("the server answers " << kind) {
                    permit::diagnostics diag;
                    auto [ec, user] =
                        co_await permit.users.get(kind, diag, asio::as_tuple(asio::use_awaitable));
                    BOOST_TEST(ec.failed());
                    check_absent(diag, echoed_key);
                    // The echo arrived, and was replaced where it was.
                    const auto text = diag.to_string() + diag.raw_body + diag.request_id;
                    BOOST_TEST(text.find("[redacted API key]") != std::string::npos, text);
                    try {
                        co_await permit.users.get(kind);
                    } catch (const permit::api_error& e) {
                        whats.push_back(e.what());
                        check_absent(e.diagnostics(), echoed_key);
                    }
                }
            }
            // The raw page is cut after the key was replaced: no piece of the key is left.
            permit::diagnostics diag;
            co_await permit.users.get("raw-page", diag, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(diag.raw_body.find(echoed_key.substr(0, 16)) == std::string::npos);
            done = true;
            server.stop();
        },
        asio::detached);
    ioc.run_for(std::chrono::seconds(20));
    BOOST_TEST_REQUIRE(done);
    BOOST_TEST(whats.size() == 7u);
    for (const auto& what : whats)
        BOOST_TEST(what.find(echoed_key) == std::string::npos, "what() holds the key: " << what);
    BOOST_TEST(lines.size() >= 14u, "every failed call is logged at debug level");
    check_no_line_holds_the_key(lines);
}

BOOST_AUTO_TEST_CASE(retries_are_logged_as_warnings_without_the_key) {
    asio::io_context ioc;
    key_echo_server server(ioc);
    std::vector<std::string> lines;
    auto cfg = echo_client_config(server, lines);
    cfg.retry.max_attempts = 3;
    cfg.retry.initial_backoff = std::chrono::milliseconds(1);
    permit::client permit(ioc.get_executor(), cfg);
    boost::system::error_code result;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto [ec, user] =
                co_await permit.users.get("unavailable", asio::as_tuple(asio::use_awaitable));
            result = ec;
            server.stop();
        },
        asio::detached);
    ioc.run_for(std::chrono::seconds(20));
    BOOST_TEST(result == permit::condition::server_error, result.message());
    std::size_t warnings = 0;
    for (const auto& line : lines)
        if (line.rfind("warning: ", 0) == 0 && line.find("retrying in") != std::string::npos)
            ++warnings;
    BOOST_TEST(warnings == 2u, "one warning per retry");
    check_no_line_holds_the_key(lines);
}

BOOST_AUTO_TEST_CASE(plain_http_to_a_host_that_is_not_loopback_is_refused) {
    asio::io_context ioc;
    const permit::config base{.api_key = echoed_key,
                              .api_url = "https://api.permit.io",
                              .pdp_url = "http://localhost:7766"};
    for (const std::string url : {"http://api.permit.io", "http://10.0.0.7:7000",
                                  "http://[2001:db8::1]:7000", "http://pdp.internal"}) {
        for (const bool as_pdp : {false, true}) {
            BOOST_TEST_CONTEXT(url << (as_pdp ? " as pdp_url" : " as api_url")) {
                auto cfg = base;
                (as_pdp ? cfg.pdp_url : cfg.api_url) = url;
                try {
                    permit::client refused(ioc.get_executor(), cfg);
                    BOOST_ERROR("the client was made");
                } catch (const std::invalid_argument& e) {
                    const std::string what = e.what();
                    BOOST_TEST(what.find("insecure_allow_plain_http") != std::string::npos, what);
                    BOOST_TEST(what.find(echoed_key) == std::string::npos, what);
                }
            }
        }
    }
    // Loopback is always allowed, by name or address.
    for (const std::string url : {"http://localhost:7766", "http://127.0.0.1:7766",
                                  "http://127.1.2.3", "http://[::1]:7766"}) {
        auto cfg = base;
        cfg.api_url = cfg.pdp_url = url;
        BOOST_CHECK_NO_THROW(permit::client(ioc.get_executor(), cfg));
    }
}

BOOST_AUTO_TEST_CASE(plain_http_elsewhere_takes_the_named_option_and_logs_a_warning) {
    asio::io_context ioc;
    std::vector<std::string> lines;
    permit::config cfg{.api_key = echoed_key,
                       .api_url = "https://api.permit.io",
                       .pdp_url = "http://pdp.internal:7000"};
    cfg.insecure_allow_plain_http = true;
    cfg.log = [&lines](permit::log_level level, std::string_view text) {
        if (level == permit::log_level::warning) lines.emplace_back(text);
    };
    permit::client allowed(ioc.get_executor(), cfg);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].find("pdp.internal") != std::string::npos, lines[0]);
    BOOST_TEST(lines[0].find("insecure_allow_plain_http") != std::string::npos, lines[0]);
    check_no_line_holds_the_key(lines);
}

BOOST_AUTO_TEST_CASE(certificate_verification_goes_off_only_through_its_named_option) {
    client_fixture f{true};
    // A client that trusts another CA, and nothing else: the emulator's certificate fails.
    auto cfg = f.client_config();
    cfg.tls = {.use_system_store = false, .ca_pem = make_test_pki().ca_cert_pem};
    auto verifying = f.make_client(cfg);
    std::vector<std::string> warnings;
    cfg.tls.insecure_disable_verification = true;
    cfg.log = [&warnings](permit::log_level level, std::string_view text) {
        if (level == permit::log_level::warning) warnings.emplace_back(text);
    };
    auto unverified = f.make_client(cfg);
    BOOST_TEST_REQUIRE(warnings.size() == 1u);
    BOOST_TEST(warnings[0].find("insecure_disable_verification") != std::string::npos, warnings[0]);
    f.run([&]() -> asio::awaitable<void> {
        auto [refused, u1] =
            co_await verifying->users.get("jane", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::condition::tls, refused.message());
        const permit::user_create who{.key = "jane"};
        auto [accepted, u2] =
            co_await unverified->users.create(who, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!accepted, accepted.message());
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
