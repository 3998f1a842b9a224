// The client against a hostile server: endless headers and bodies, a huge declared length, a
// dribbled response, responses to requests never sent, invalid UTF-8, deeply nested JSON and bad
// certificates. Each call must end in bounded time with an error that says what happened, read
// no more than its limits allow, and leave the client able to make the next call.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/permit.hpp>

#include "support/certificates.hpp"
#include "support/client_fixture.hpp"
#include "support/hostile_server.hpp"
#include "support/run_to_end.hpp"
#include "support/slowdown.hpp"

namespace hostile_suite {

namespace asio = boost::asio;
namespace json = boost::json;
namespace hostile = permit_test::hostile;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using permit_test::hostile_script;
using permit_test::hostile_step;
using server = permit_test::hostile_server;
using permit_test::run_to_end;
using permit_test::slowdown;

// The client's limits, small so that a server ignoring them shows at once.
constexpr std::size_t body_limit = 1024 * 1024;
constexpr std::size_t header_limit = 16 * 1024;
// Longer under a sanitizer, so that a call that fails on a limit still fails before it.
constexpr auto request_timeout = 1500ms * slowdown;
// What the server may write beyond what the client read before it closed: the server's send
// buffer (set small), the client's receive buffer (the kernel grows it while the client reads)
// and a read in progress. An endless writer the client did not stop would pass it in moments.
constexpr std::uint64_t in_flight = 2 * 1024 * 1024;
// A call that fails on a limit fails before the timeout could strike.
constexpr auto prompt = request_timeout;
// How long a call may run past its timeout (a loaded machine, a sanitizer build).
constexpr auto grace = 2000ms * slowdown;

/// A hostile server and a client of it on the test's own io_context.
struct fixture {
    explicit fixture(server::options opts, const std::function<void(permit::config&)>& adjust = {})
        : srv(std::move(opts)), permit(ioc.get_executor(), config(srv.url(), adjust)) {}

    /// The client's config for a server at `url`: fixed scope (no lookup), small limits, a short
    /// timeout and no retries, so that one call is one exchange.
    static permit::config config(const std::string& url,
                                 const std::function<void(permit::config&)>& adjust = {}) {
        permit::config cfg{.api_key = "permit_key_hostile", .api_url = url, .pdp_url = url};
        cfg.project_id = "default";
        cfg.environment_id = "production";
        cfg.connect_timeout = 2s;
        cfg.handshake_timeout = 2s;
        cfg.request_timeout = request_timeout;
        cfg.max_response_body = body_limit;
        cfg.max_response_header = header_limit;
        cfg.retry = permit::retry_policy::none();
        if (adjust) adjust(cfg);
        return cfg;
    }

    /// Runs `body` on the io_context to its end and rethrows what it threw; a body still running
    /// after `limit` fails the test.
    void run(asio::awaitable<void> body, std::chrono::milliseconds limit = 15s) {
        run_to_end(ioc, std::move(body), limit);
    }

    server srv;
    asio::io_context ioc;
    permit::client permit;
};

server::options scripted(std::vector<hostile_script> scripts) {
    server::options opts;
    opts.scripts = std::move(scripts);
    return opts;
}

/// A script that reads the request, then writes `steps`.
hostile_script answering_with(std::vector<hostile_step> steps) {
    hostile_script s;
    s.steps.push_back(hostile::read_request());
    for (auto& step : steps) s.steps.push_back(std::move(step));
    return s;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

bool valid_utf8(std::string_view text) {
    return permit::detail::first_invalid_utf8(text) == std::string_view::npos;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// Waits until `done()` holds, for at most `limit`; whether it held.
asio::awaitable<bool> eventually(std::function<bool()> done, std::chrono::milliseconds limit) {
    const auto deadline = clock_type::now() + limit;
    while (!done()) {
        if (clock_type::now() >= deadline) co_return false;
        co_await sleep_for(5ms);
    }
    co_return true;
}

/// Checks that the server's connection `index` was closed by the client after it had written no
/// more than `limit` bytes plus what the sockets hold: the client stopped reading at its limit.
asio::awaitable<void> check_client_stopped_reading(const server& srv, std::size_t index,
                                                   std::uint64_t limit) {
    const bool closed =
        co_await eventually([&] { return srv.connection(index).finished; }, 3s * slowdown);
    BOOST_TEST(closed, "the client closed the connection");
    const auto seen = srv.connection(index);
    BOOST_TEST_MESSAGE("connection " << index << ": the server wrote " << seen.bytes_written
                                     << " bytes; " << seen.end);
    BOOST_TEST(seen.bytes_written <= limit + in_flight,
               "the server wrote " << seen.bytes_written << " bytes");
    BOOST_TEST(contains(seen.end, "write failed"), seen.end);
}

/// Checks that the next call on the same client gets its own answer, from a valid response.
asio::awaitable<void> check_recovers(fixture& f, const std::string& key) {
    permit::diagnostics diag;
    auto [ec, user] = co_await f.permit.users.get(key, diag, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec, ec.message() << ": " << diag.to_string());
    BOOST_TEST(user.key == key);
}

/// `GET` of user `key` through the client: the error, the diagnostics and how long it took.
struct get_result {
    boost::system::error_code ec;
    permit::user user;
    permit::diagnostics diag;
    clock_type::duration took{};
};

asio::awaitable<get_result> get_user(permit::client& client, const std::string& key) {
    get_result out;
    const auto started = clock_type::now();
    auto [ec, user] = co_await client.users.get(key, out.diag, asio::as_tuple(asio::use_awaitable));
    out.took = clock_type::now() - started;
    out.ec = ec;
    out.user = std::move(user);
    co_return out;
}

std::string response_head(std::string_view extra_headers) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + std::string(extra_headers);
}

/// A response after which the server closes: the client does not offer the connection to the
/// next call, which gets the next connection's script.
std::string closing(unsigned status, std::string_view body, std::string_view headers = "") {
    return hostile::response(status, body, "application/json",
                             "Connection: close\r\n" + std::string(headers));
}

// ----- TLS

/// An HTTPS server presenting `good`'s certificate, but on its first connections those of
/// `first_connections`, in order.
server::options serving_tls(const permit_test::test_pki& good,
                            const std::vector<const permit_test::test_pki*>& first_connections) {
    server::options opts;
    opts.tls = permit_test::server_certificate{good.leaf_cert_pem, good.leaf_key_pem};
    for (const auto* pki : first_connections) {
        hostile_script s;
        s.certificate = permit_test::server_certificate{pki->leaf_cert_pem, pki->leaf_key_pem};
        opts.scripts.push_back(std::move(s));
    }
    return opts;
}

/// A config adjustment: trust these CAs (PEM, concatenated) and nothing else.
std::function<void(permit::config&)> trusting(std::string ca_pem) {
    return [ca_pem = std::move(ca_pem)](permit::config& c) {
        c.tls = {.use_system_store = false, .ca_pem = ca_pem};
    };
}

/// Checks a call refused for its certificate: a TLS error, not retryable, whose diagnostics name
/// OpenSSL's reason, within the handshake timeout.
void check_refused_certificate(const get_result& r, std::string_view reason) {
    BOOST_TEST(r.ec == permit::condition::tls, r.ec.message());
    BOOST_TEST(r.ec != permit::condition::retryable);
    BOOST_TEST(r.diag.status == 0u);
    BOOST_TEST(contains(r.diag.to_string(), reason), r.diag.to_string());
    BOOST_TEST(r.took < 2s + grace, "within the handshake timeout");
}

BOOST_AUTO_TEST_SUITE(hostile_server)

BOOST_AUTO_TEST_CASE(an_endless_header_block) {
    fixture f{scripted(
        {answering_with({hostile::write("HTTP/1.1 200 OK\r\n"),
                         hostile::write_forever("X-Filler: " + std::string(100, 'a') + "\r\n")})})};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        BOOST_TEST(r.ec == permit::error::response_too_large, r.ec.message());
        BOOST_TEST(r.took < prompt, "it failed on the limit, not on the timeout");
        BOOST_TEST(contains(r.diag.to_string(), "header is larger than max_response_header (" +
                                                    std::to_string(header_limit) + " bytes)"),
                   r.diag.to_string());
        co_await check_client_stopped_reading(f.srv, 0, header_limit);
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 2u, "the broken connection was not reused");
}

BOOST_AUTO_TEST_CASE(a_content_length_of_ten_gigabytes) {
    fixture f{scripted(
        {answering_with({hostile::write(response_head("Content-Length: 10737418240\r\n\r\n")),
                         hostile::write_forever(std::string(4096, 'x'))})})};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        BOOST_TEST(r.ec == permit::error::response_too_large, r.ec.message());
        BOOST_TEST(r.took < prompt);
        BOOST_TEST(contains(r.diag.to_string(), "declares a body of 10737418240 bytes"),
                   r.diag.to_string());
        BOOST_TEST(contains(r.diag.to_string(), "max_response_body"), r.diag.to_string());
        // It refused the body before reading it: only what the sockets hold got out.
        co_await check_client_stopped_reading(f.srv, 0, 0);
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 2u);
}

BOOST_AUTO_TEST_CASE(an_endless_chunked_body) {
    fixture f{scripted(
        {answering_with({hostile::write(response_head("Transfer-Encoding: chunked\r\n\r\n")),
                         hostile::write_forever("400\r\n" + std::string(0x400, 'x') + "\r\n")})})};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        BOOST_TEST(r.ec == permit::error::response_too_large, r.ec.message());
        BOOST_TEST(r.took < prompt);
        BOOST_TEST(contains(r.diag.to_string(), "body is larger than max_response_body (" +
                                                    std::to_string(body_limit) + " bytes)"),
                   r.diag.to_string());
        co_await check_client_stopped_reading(f.srv, 0, body_limit);
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 2u);
}

BOOST_AUTO_TEST_CASE(an_endless_chunk_extension_or_trailer) {
    // Neither is body nor header to Beast's limits: only the client's bound on its read buffer
    // stops them.
    const std::string chunked = response_head("Transfer-Encoding: chunked\r\n\r\n");
    fixture f{scripted({answering_with({hostile::write(chunked + "10;name="),
                                        hostile::write_forever(std::string(4096, 'v'))}),
                        answering_with({hostile::write(chunked + "5\r\nhello\r\n0\r\n"),
                                        hostile::write_forever(
                                            "X-Trailer: " + std::string(100, 't') + "\r\n")})})};
    f.run([&]() -> asio::awaitable<void> {
        for (std::size_t connection = 0; connection < 2; ++connection) {
            const auto r = co_await get_user(f.permit, "jane");
            BOOST_TEST(r.ec == permit::error::response_too_large, r.ec.message());
            BOOST_TEST(r.took < prompt);
            BOOST_TEST(contains(r.diag.to_string(), "chunked framing"), r.diag.to_string());
            co_await check_client_stopped_reading(f.srv, connection, header_limit + 64 * 1024);
        }
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 3u);
}

BOOST_AUTO_TEST_CASE(one_byte_per_second) {
    fixture f{scripted({answering_with(
        {hostile::write_slowly(hostile::user_response("jane"), std::chrono::seconds(1))})})};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        BOOST_TEST(r.ec == permit::error::request_timeout, r.ec.message());
        BOOST_TEST(r.ec == permit::condition::timeout);
        // One deadline for the whole exchange: bytes that keep coming do not extend it.
        BOOST_TEST(r.took >= request_timeout);
        BOOST_TEST(r.took < request_timeout + grace);
        BOOST_TEST(
            contains(r.diag.to_string(), "no complete response within the request timeout (" +
                                             std::to_string(request_timeout.count()) +
                                             " ms): the response had begun"),
            r.diag.to_string());
        // A byte a second, for the timeout's seconds (and the one sent at once).
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(request_timeout);
        BOOST_TEST(f.srv.connection(0).bytes_written <= std::uint64_t(seconds.count()) + 2);
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 2u);
}

BOOST_AUTO_TEST_CASE(a_response_to_a_request_never_sent) {
    const std::string stray = hostile::user_response("mallory");
    const std::string jane = hostile::user_response("jane");
    const auto pki = permit_test::make_test_pki();
    const std::function<void(permit::config&)> plain;
    const auto pipelined = [](permit::config& c) {
        c.api_pipelining.enabled = true;
        c.api_max_connections = 1;
    };
    const auto over_tls = trusting(pki.ca_cert_pem);
    struct scenario {
        const char* name;
        hostile_script script;
        std::function<void(permit::config&)> adjust;
        bool tls = false;
    };
    hostile_script on_accept;
    on_accept.steps = {hostile::write(stray), hostile::read_request(), hostile::write(jane)};
    const std::vector<scenario> scenarios{
        {"a response written on accept, before any request", on_accept, plain},
        {"a second response, after the first, on the idle connection",
         answering_with({hostile::write(jane), hostile::pause(50ms), hostile::write(stray)}),
         plain},
        {"two responses in one write: the second left in the read buffer",
         answering_with({hostile::write(jane + stray)}), plain},
        {"pipelined: two responses in one write", answering_with({hostile::write(jane + stray)}),
         pipelined},
        {"pipelined: a second response on the idle connection",
         answering_with({hostile::write(jane), hostile::pause(50ms), hostile::write(stray)}),
         pipelined},
        {"TLS: a second response on the idle connection",
         answering_with({hostile::write(jane), hostile::pause(50ms), hostile::write(stray)}),
         over_tls, true},
        {"TLS: two responses in one write", answering_with({hostile::write(jane + stray)}),
         over_tls, true},
    };
    for (const auto& s : scenarios) {
        BOOST_TEST_CONTEXT(s.name) {
            auto opts = s.tls ? serving_tls(pki, {}) : server::options{};
            opts.scripts = {s.script};
            fixture f{std::move(opts), s.adjust};
            const auto steps = s.script.steps.size();
            f.run([&]() -> asio::awaitable<void> {
                const auto first = co_await get_user(f.permit, "jane");
                if (s.script.steps.front().what == hostile_step::kind::read_request) {
                    BOOST_TEST(!first.ec, first.diag.to_string());
                    BOOST_TEST(first.user.key == "jane");
                } else {
                    // Bytes that arrive after the request went out cannot be told from its
                    // answer: HTTP/1.1 matches responses to requests by order alone.
                    BOOST_TEST_MESSAGE("the call made as the stray response came got '"
                                       << first.user.key << "'");
                    BOOST_TEST((first.user.key == "jane" || first.user.key == "mallory"));
                }
                // The stray response has landed on the idle connection.
                const bool all_written = co_await eventually(
                    [&] { return f.srv.connection(0).steps_done == steps; }, 2s * slowdown);
                BOOST_TEST(all_written);
                co_await sleep_for(20ms * slowdown);

                const auto next = co_await get_user(f.permit, "john");
                BOOST_TEST(!next.ec, next.diag.to_string());
                BOOST_TEST(next.user.key == "john",
                           "the next call got its own answer, not '" << next.user.key << "'");
                BOOST_TEST(next.took < prompt);
            }());
            BOOST_TEST(f.srv.connection(0).requests.size() == 1u,
                       "the connection with the stray response carried no second request");
            BOOST_TEST(f.srv.connections() == 2u);
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_json) {
    const std::string bad_user = R"({"key":"ja)" + std::string("\xff\xfe") + R"(ne","id":"x"})";
    const std::string bad_error = R"({"id":"e1","title":"Conflict )" + std::string("\xc3\x28") +
                                  R"(","error_code":"DUPLICATE_ENTITY","message":"already )" +
                                  std::string("\xe2\x82") + R"("})";
    const std::string error_response = closing(409, bad_error, "X-Request-Id: req-\x80\x81\r\n");
    fixture f{scripted({answering_with({hostile::write(closing(200, bad_user))}),
                        answering_with({hostile::write(error_response)}),
                        answering_with({hostile::write(error_response)})})};
    std::optional<std::string> thrown;
    f.run([&]() -> asio::awaitable<void> {
        // A 200: the body is unreadable, and the diagnostics say why.
        const auto ok = co_await get_user(f.permit, "jane");
        BOOST_TEST(ok.ec == permit::error::invalid_response, ok.ec.message());
        BOOST_TEST(ok.diag.status == 200u);
        BOOST_TEST(ok.took < prompt);
        BOOST_TEST(contains(ok.diag.client_message, "not valid UTF-8 (byte 0xff at offset 10)"),
                   ok.diag.client_message);
        BOOST_TEST(valid_utf8(ok.diag.raw_body));
        BOOST_TEST(contains(ok.diag.raw_body, "ja\\xff\\xfene"), ok.diag.raw_body);
        BOOST_TEST(valid_utf8(ok.diag.to_string()));

        // A 409: still the status's error, with the body escaped.
        const auto refused = co_await get_user(f.permit, "jane");
        BOOST_TEST(refused.ec == permit::error::conflict, refused.ec.message());
        BOOST_TEST(refused.diag.status == 409u);
        BOOST_TEST(refused.took < prompt);
        BOOST_TEST(contains(refused.diag.raw_body, "Conflict \\xc3("), refused.diag.raw_body);
        BOOST_TEST(contains(refused.diag.to_string(), "HTTP 409"));
        BOOST_TEST(valid_utf8(refused.diag.raw_body));
        BOOST_TEST(valid_utf8(refused.diag.request_id));
        const std::string text = refused.diag.to_string();
        BOOST_TEST(valid_utf8(text), text);
        // The text goes into JSON unharmed: what a server (signup-server, say) would send on.
        BOOST_TEST(json::parse(json::serialize(json::value(text))).as_string() == text);

        // The default token: the exception's message is the same text.
        try {
            co_await f.permit.users.get("jane");
        } catch (const permit::api_error& e) {
            thrown = e.what();
        }
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST_REQUIRE(thrown.has_value());
    BOOST_TEST(valid_utf8(*thrown), *thrown);
    BOOST_TEST(contains(*thrown, "409"), *thrown);
}

BOOST_AUTO_TEST_CASE(json_nested_100000_levels) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    fixture f{scripted({answering_with({hostile::write(closing(200, deep))}),
                        answering_with({hostile::write(closing(400, deep))})})};
    f.run([&]() -> asio::awaitable<void> {
        const auto ok = co_await get_user(f.permit, "jane");
        BOOST_TEST(ok.ec == permit::error::invalid_response, ok.ec.message());
        BOOST_TEST(ok.diag.status == 200u);
        BOOST_TEST(contains(ok.diag.client_message, "nests deeper than 32 levels"),
                   ok.diag.client_message);
        BOOST_TEST(ok.took < prompt);

        const auto refused = co_await get_user(f.permit, "jane");
        BOOST_TEST(refused.ec == permit::error::bad_request, refused.ec.message());
        BOOST_TEST(refused.diag.status == 400u);
        BOOST_TEST(refused.diag.raw_body.rfind("[[[[", 0) == 0u);
        BOOST_TEST(refused.diag.raw_body.size() <= permit::diagnostics::max_raw_body + 3);
        BOOST_TEST(refused.took < prompt);
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connections() == 3u);
}

BOOST_AUTO_TEST_CASE(an_expired_certificate) {
    const auto good = permit_test::make_test_pki();
    // Issued by a CA the client trusts, for the right names, but out of date.
    const auto expired = permit_test::make_test_pki({"localhost"}, {"127.0.0.1"},
                                                    {.not_before = -48h, .not_after = -24h});
    fixture f{serving_tls(good, {&expired}), trusting(good.ca_cert_pem + expired.ca_cert_pem)};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        check_refused_certificate(r, "certificate has expired");
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(contains(f.srv.connection(0).end, "handshake"), f.srv.connection(0).end);
    BOOST_TEST(f.srv.connection(0).requests.empty(), "nothing was sent");
}

BOOST_AUTO_TEST_CASE(a_self_signed_certificate) {
    const auto good = permit_test::make_test_pki();
    const auto self_signed =
        permit_test::make_test_pki({"localhost"}, {"127.0.0.1"}, {.self_signed = true});
    fixture f{serving_tls(good, {&self_signed}), trusting(good.ca_cert_pem)};
    f.run([&]() -> asio::awaitable<void> {
        const auto r = co_await get_user(f.permit, "jane");
        check_refused_certificate(r, "self-signed certificate");
        co_await check_recovers(f, "john");
    }());
    BOOST_TEST(f.srv.connection(0).requests.empty(), "nothing was sent");
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host) {
    const auto good = permit_test::make_test_pki();
    const auto other_host = permit_test::make_test_pki({"other.example"}, {});
    // The first two connections present the other host's certificate, from a trusted CA: one to
    // the client that connects by IP address, one to the client that connects by name.
    const auto trusted = trusting(good.ca_cert_pem + other_host.ca_cert_pem);
    fixture f{serving_tls(good, {&other_host, &other_host}), trusted};
    auto by_name_cfg =
        fixture::config("https://localhost:" + std::to_string(f.srv.port()), trusted);
    permit::client by_name(f.ioc.get_executor(), by_name_cfg);
    f.run([&]() -> asio::awaitable<void> {
        const auto by_ip_refused = co_await get_user(f.permit, "jane");
        check_refused_certificate(by_ip_refused, "IP address mismatch");
        const auto by_name_refused = co_await get_user(by_name, "jane");
        check_refused_certificate(by_name_refused, "hostname mismatch");
        co_await check_recovers(f, "john");
        const auto again = co_await get_user(by_name, "john");
        BOOST_TEST(!again.ec, again.diag.to_string());
        BOOST_TEST(again.user.key == "john");
    }());
    BOOST_TEST(f.srv.connections() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace hostile_suite
