// Bad input at every layer: bodies that are not JSON or have the wrong shape, bodies and header
// blocks over the limits, half requests, garbage instead of HTTP, unknown paths. Each gets a clear
// status (or a closed connection) and the emulator goes on serving everyone else.
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>

#include "support/fresh_emulator.hpp"
#include "support/http_client.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using permit::testing::emulator_config;
using permit_test::fresh_emulator;

/// What came back for a bad request sent on its own connection.
struct outcome {
    std::optional<permit_test::response> response;  // none: the server closed without answering
    std::string error;                              // why the read (or write) ended
    bool closed_afterwards = false;                 // the server closed after answering
};

/// Sends `bytes` on a new connection and reads one response, or sees the connection closed. A
/// write error is not a failure: the server may answer and close before it has read everything.
outcome send_bad_request(fresh_emulator& f, const std::string& bytes) {
    permit_test::http_connection conn{f.emu.port()};
    outcome out;
    try {
        conn.send_raw(bytes);
    } catch (const boost::system::system_error& e) {
        out.error = std::string("write: ") + e.what();
    }
    try {
        out.response = conn.receive();
    } catch (const boost::system::system_error& e) {
        out.error += std::string(" read: ") + e.what();
        return out;
    }
    const auto ec = conn.read_until_closed();
    out.closed_afterwards = ec == asio::error::eof || ec == asio::error::connection_reset;
    return out;
}

/// A rejected request: either the expected status followed by a close, or a closed connection.
void check_rejected(const outcome& out, unsigned status) {
    if (out.response) {
        BOOST_TEST(out.response->status == status);
        BOOST_TEST(out.closed_afterwards,
                   "the server should close the connection after " << status);
    } else {
        BOOST_TEST_MESSAGE("no response, connection closed (" << out.error << ")");
    }
}

std::string post_users_head(fresh_emulator& f, std::size_t content_length,
                            const std::string& extra_headers = "") {
    return "POST " + f.users_path() +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " +
           f.authorization() + "\r\n" + extra_headers +
           "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

std::string scope_request_with(const std::string& authorization, const std::string& extra_headers) {
    return "GET /v2/api-key/scope HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization +
           "\r\n" + extra_headers + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_bad_input)

BOOST_AUTO_TEST_CASE(body_that_is_not_json_gets_422_jsondecode) {
    fresh_emulator f;
    auto client = f.connect();
    for (const std::string body :
         {"{not json", "key=alice&email=a@example.com", "{\"key\": \"alice\"", "[1, 2,"}) {
        BOOST_TEST_CONTEXT("body " << body) {
            const auto r = client.send_text(http::verb::post, client.facts("/users"), body);
            BOOST_TEST_REQUIRE(r.status == 422u);
            const auto detail = json::parse(r.body).at("detail").as_array();
            BOOST_TEST_REQUIRE(detail.size() >= 1u);
            const auto& item = detail.at(0).as_object();
            BOOST_TEST(item.at("type").as_string() == "value_error.jsondecode");
            const auto& loc = item.at("loc").as_array();
            BOOST_TEST_REQUIRE(loc.size() == 2u);
            BOOST_TEST(loc.at(0).as_string() == "body");
            BOOST_TEST(loc.at(1).is_number());
            BOOST_TEST(item.at("msg").is_string());
            BOOST_TEST(r.keep_alive, "a 422 is an ordinary answer: the connection stays open");
        }
    }
    BOOST_TEST(f.emu.user_count() == 0u);
    // The same connection still works.
    BOOST_TEST(client.post(client.facts("/users"), json::object{{"key", "alice"}}).status == 201u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(json_body_of_the_wrong_shape_gets_422) {
    fresh_emulator f;
    auto client = f.connect();
    for (const std::string body :
         {R"([{"key":"alice"}])", R"("alice")", R"({"key": 5})", "42", "null", "{}",
          R"({"key": ["alice"]})", R"({"key": {"k": "alice"}})"}) {
        BOOST_TEST_CONTEXT("body " << body) {
            const auto r = client.send_text(http::verb::post, client.facts("/users"), body);
            BOOST_TEST(r.status == 422u);
            const auto parsed = json::parse(r.body);
            BOOST_TEST_REQUIRE(parsed.is_object());
            BOOST_TEST_REQUIRE(parsed.as_object().contains("detail"));
            BOOST_TEST(!parsed.at("detail").as_array().empty());
        }
    }
    // `{"key": 5}` names the field that is wrong.
    const auto r = client.send_text(http::verb::post, client.facts("/users"), R"({"key": 5})");
    BOOST_TEST_REQUIRE(r.status == 422u);
    const auto parsed = json::parse(r.body);
    const auto& item = parsed.at("detail").at(0);
    BOOST_TEST(item.at("loc") == (json::array{"body", "key"}));
    BOOST_TEST(item.at("type").as_string() == "type_error.str");

    BOOST_TEST(f.emu.user_count() == 0u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(declared_10_mib_body_gets_413) {
    fresh_emulator f;
    // The headers declare 10 MiB; only the first 64 KiB follow. The limit is known from the
    // headers, so the answer must not wait for the rest.
    const std::size_t declared = 10 * 1024 * 1024;
    const auto out =
        send_bad_request(f, post_users_head(f, declared) + std::string(64 * 1024, ' '));
    BOOST_TEST_REQUIRE(out.response.has_value(), "no response: " << out.error);
    BOOST_TEST(out.response->status == 413u);
    BOOST_TEST(out.closed_afterwards, "the server should close a connection after 413");
    BOOST_TEST(f.emu.user_count() == 0u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(whole_10_mib_body_gets_413_or_a_closed_connection) {
    fresh_emulator f;
    // A valid JSON document that is simply too large.
    const std::size_t size = 10 * 1024 * 1024;
    std::string body = R"({"key":"huge","attributes":{"blob":")";
    body += std::string(size - body.size() - 3, 'x');
    body += "\"}}";
    BOOST_TEST_REQUIRE(body.size() == size);
    const auto out = send_bad_request(f, post_users_head(f, body.size()) + body);
    check_rejected(out, 413);
    BOOST_TEST(f.emu.user_count() == 0u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(body_limit_follows_the_configuration) {
    emulator_config config;
    config.max_body_bytes = 1024;
    fresh_emulator f{config};
    auto body_of_size = [](const std::string& key, std::size_t size) {
        std::string body = R"({"key":")" + key + R"(","attributes":{"pad":")";
        body += std::string(size - body.size() - 3, 'p');
        body += "\"}}";
        return body;
    };
    {
        // Exactly at the limit is not over it.
        auto client = f.connect();
        const auto r = client.send_text(http::verb::post, client.facts("/users"),
                                        body_of_size("at-limit", 1024));
        BOOST_TEST(r.status == 201u);
    }
    const auto over = body_of_size("over", 1025);
    check_rejected(send_bad_request(f, post_users_head(f, over.size()) + over), 413);
    const auto big = body_of_size("big", 2000);
    check_rejected(send_bad_request(f, post_users_head(f, big.size()) + big), 413);
    BOOST_TEST(f.emu.user_count() == 1u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(chunked_body_over_the_limit_gets_413) {
    emulator_config config;
    config.max_body_bytes = 1024;
    fresh_emulator f{config};
    std::string body = R"({"key":"chunky","attributes":{"pad":")" + std::string(4000, 'c') + "\"}}";
    std::string request =
        "POST " + f.users_path() +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " +
        f.authorization() + "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t pos = 0; pos < body.size(); pos += 500) {
        const auto part = body.substr(pos, 500);
        std::ostringstream size;
        size << std::hex << part.size();
        request += size.str() + "\r\n" + part + "\r\n";
    }
    request += "0\r\n\r\n";
    check_rejected(send_bad_request(f, request), 413);
    BOOST_TEST(f.emu.user_count() == 0u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(expect_100_continue_with_a_body_over_the_limit_gets_413_without_100) {
    fresh_emulator f;
    const auto out =
        send_bad_request(f, post_users_head(f, 10 * 1024 * 1024, "Expect: 100-continue\r\n"));
    BOOST_TEST_REQUIRE(out.response.has_value(), "no response: " << out.error);
    BOOST_TEST(out.response->status == 413u,
               "the client must not be told to send a body that is too large");
    BOOST_TEST(out.closed_afterwards);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(one_100_kib_header_gets_431_or_a_closed_connection) {
    fresh_emulator f;
    const auto out = send_bad_request(
        f,
        scope_request_with(f.authorization(), "X-Flood: " + std::string(100 * 1024, 'h') + "\r\n"));
    check_rejected(out, 431);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(ten_thousand_headers_get_431_or_a_closed_connection) {
    fresh_emulator f;
    std::string headers;
    for (int i = 0; i < 10000; ++i) headers += "X-Flood-" + std::to_string(i) + ": v\r\n";
    const auto out = send_bad_request(f, scope_request_with(f.authorization(), headers));
    check_rejected(out, 431);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(header_limit_follows_the_configuration) {
    emulator_config config;
    config.max_header_bytes = 2048;
    fresh_emulator f{config};
    {
        // A header block well under the limit is served.
        permit_test::http_connection conn{f.emu.port()};
        conn.send_raw(
            scope_request_with(f.authorization(), "X-Small: " + std::string(512, 's') + "\r\n"));
        BOOST_TEST(conn.receive().status == 200u);
    }
    check_rejected(
        send_bad_request(
            f, scope_request_with(f.authorization(), "X-Big: " + std::string(4096, 'b') + "\r\n")),
        431);
    f.check_still_serving();
}

BOOST_AUTO_TEST_CASE(an_8_kib_header_is_within_the_default_limit) {
    fresh_emulator f;
    permit_test::http_connection conn{f.emu.port()};
    conn.send_raw(
        scope_request_with(f.authorization(), "X-Trace: " + std::string(8 * 1024, 't') + "\r\n"));
    BOOST_TEST(conn.receive().status == 200u);
}

BOOST_AUTO_TEST_CASE(clients_that_send_half_a_request_and_leave_do_no_harm) {
    fresh_emulator f;
    const std::string body = R"({"key":"half-user","first_name":"Half"})";
    const std::string full = post_users_head(f, body.size()) + body;
    const std::string head_only = post_users_head(f, body.size());
    for (int i = 0; i < 50; ++i) {
        permit_test::http_connection conn{f.emu.port()};
        switch (i % 3) {
            case 0:
                conn.send_raw(full.substr(0, 20));
                break;  // part of the request line
            case 1:
                conn.send_raw(head_only);
                break;  // headers, no body
            default:
                conn.send_raw(full.substr(0, full.size() - 5));
                break;  // all but the end of the body
        }
        conn.close();
    }
    f.check_still_serving();
    BOOST_TEST(f.emu.user_count() == 0u, "a half-sent body must not be applied");
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.requests == 1u, "only the complete request counts");
    BOOST_TEST(stats.connections_accepted == 51u);
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_a_request_gets_400_or_a_closed_connection) {
    fresh_emulator f;
    const std::vector<std::string> garbage = {
        "HELLO\r\n\r\n",
        "THIS IS NOT HTTP AT ALL\r\n\r\n",
        std::string("\x00\x01\x02\x03\xff\xfe\x80 garbage\r\n\r\n", 19),
        "G E T / HTTP/1.1\r\n\r\n",
        "GET /v2/api-key/scope HTTP/1.1\r\nA header without a colon\r\n\r\n",
        "POST " + f.users_path() + " HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n",
    };
    for (std::size_t i = 0; i < garbage.size(); ++i) {
        BOOST_TEST_CONTEXT("garbage " << i) {
            check_rejected(send_bad_request(f, garbage[i]), 400);
        }
    }
    // Random bytes with no end of header in sight: the client gives up and leaves.
    std::mt19937 rng(7);
    for (int i = 0; i < 5; ++i) {
        std::string bytes(4096, '\0');
        for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
        permit_test::http_connection conn{f.emu.port()};
        try {
            conn.send_raw(bytes);
        } catch (const boost::system::system_error&) {
        }
        conn.close();
    }
    f.check_still_serving();
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_get_404_and_the_connection_carries_on) {
    fresh_emulator f;
    auto client = f.connect();
    for (const std::string target :
         {"/v2/no-such-thing", "/nothing/here", "/v2/facts/default/production/nope",
          "/v2/facts/default/production/users/alice/nope/deeper"}) {
        BOOST_TEST_CONTEXT(target) {
            const auto r = client.get(target);
            BOOST_TEST(r.status == 404u);
            BOOST_TEST(r.keep_alive);
        }
    }
    BOOST_TEST(
        client.post("/v2/facts/default/production/nope", json::object{{"key", "x"}}).status ==
        404u);
    // An unknown project or environment in a known route: 404 NOT_FOUND.
    const auto r = client.get("/v2/facts/no-such-project/production/users");
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(json::parse(r.body).at("error_code").as_string() == "NOT_FOUND");
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    BOOST_TEST(f.emu.stats().route("GET <unmatched>") == 4u);
    f.check_still_serving();
}

BOOST_AUTO_TEST_SUITE_END()
