// The emulator's transport: keep-alive, concurrent connections, pipelining, `Connection: close`,
// and the counters and request log that tests read back.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <map>
#include <optional>
#include <set>
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

json::value user(const std::string& key) {
    return json::object{{"key", key}, {"first_name", "First " + key}};
}

std::string key_of(const permit_test::response& r) {
    const auto v = json::parse(r.body);
    return std::string(v.at("key").as_string());
}

const std::string users_route = "POST /v2/facts/{proj_id}/{env_id}/users";
const std::string user_route = "GET /v2/facts/{proj_id}/{env_id}/users/{user_id}";
const std::string scope_route = "GET /v2/api-key/scope";

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_transport)

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection) {
    fresh_emulator f;
    auto client = f.connect();
    const auto first_port = client.connection().local_port();
    for (int i = 0; i < 10; ++i) {
        const auto key = "ka-" + std::to_string(i);
        permit_test::response r;
        switch (i % 3) {
            case 0:
                r = client.get("/v2/api-key/scope");
                break;
            case 1:
                r = client.post(client.facts("/users"), user(key));
                break;
            default:
                r = client.get(client.facts("/users/ka-" + std::to_string(i - 1)));
                break;
        }
        BOOST_TEST_CONTEXT("request " << i) {
            BOOST_TEST(r.status / 100 == 2u);
            BOOST_TEST(r.keep_alive);
        }
    }
    BOOST_TEST(client.connection().local_port() == first_port);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == 1u);
    BOOST_TEST(stats.requests == 10u);
    for (const auto& rec : f.emu.request_log()) BOOST_TEST(rec.connection == 1u);
}

BOOST_AUTO_TEST_CASE(serves_several_connections_at_once) {
    constexpr int connections = 8;
    constexpr int users_each = 5;
    fresh_emulator f;

    struct outcome {
        std::vector<std::string> failures;
    };
    std::vector<outcome> outcomes(connections);
    std::barrier all_connected(connections);
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            auto& out = outcomes[c];
            std::optional<permit_test::api_client> connected;
            try {
                connected.emplace(f.emu.port(), f.emu.config().api_key, f.emu.config().project_key,
                                  f.emu.config().environment_key);
            } catch (const std::exception& e) {
                out.failures.push_back(std::string("connect: ") + e.what());
                all_connected.arrive_and_drop();  // so that the others do not wait for this one
                return;
            }
            try {
                auto& client = *connected;
                // Every connection is open before any of them sends: the emulator must serve
                // them side by side, not one after the other.
                all_connected.arrive_and_wait();
                for (int u = 0; u < users_each; ++u) {
                    const auto key = "conn" + std::to_string(c) + "-user" + std::to_string(u);
                    auto created = client.post(client.facts("/users"), user(key));
                    if (created.status != 201)
                        out.failures.push_back("POST " + key + " -> " +
                                               std::to_string(created.status));
                    auto got = client.get(client.facts("/users/" + key));
                    if (got.status != 200 || key_of(got) != key)
                        out.failures.push_back("GET " + key + " -> " + std::to_string(got.status));
                }
            } catch (const std::exception& e) {
                out.failures.push_back(std::string("exception: ") + e.what());
            }
        });
    }
    for (auto& t : threads) t.join();

    for (int c = 0; c < connections; ++c) {
        BOOST_TEST_CONTEXT("connection " << c) {
            BOOST_TEST(outcomes[c].failures.empty());
            for (const auto& failure : outcomes[c].failures) BOOST_TEST_MESSAGE(failure);
        }
    }
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == static_cast<std::uint64_t>(connections));
    BOOST_TEST(stats.requests == static_cast<std::uint64_t>(connections * users_each * 2));
    BOOST_TEST(f.emu.user_count() == static_cast<std::size_t>(connections * users_each));

    // The log tells the connections apart: each one carried the requests for its own users.
    std::map<std::uint64_t, std::set<std::string>> prefixes_by_connection;
    for (const auto& rec : f.emu.request_log()) {
        const auto pos = rec.target.find("conn");
        if (pos != std::string::npos) {
            prefixes_by_connection[rec.connection].insert(rec.target.substr(pos, 5));
        } else {
            const auto body_pos = rec.target.find("/users");  // POST: the key is in the body
            BOOST_TEST(body_pos != std::string::npos);
            prefixes_by_connection[rec.connection];
        }
    }
    BOOST_TEST(prefixes_by_connection.size() == static_cast<std::size_t>(connections));
    for (const auto& [conn, prefixes] : prefixes_by_connection) {
        BOOST_TEST(conn >= 1u);
        BOOST_TEST(conn <= static_cast<std::uint64_t>(connections));
        BOOST_TEST(prefixes.size() == 1u,
                   "connection " << conn << " carried several clients' requests");
    }
}

BOOST_AUTO_TEST_CASE(a_half_sent_request_does_not_hold_up_other_connections) {
    fresh_emulator f;
    auto slow = f.connect();
    auto& conn = slow.connection();
    const std::string body = json::serialize(user("slow-user"));
    // Headers and half the body, then nothing for a while.
    std::string head = "POST " + slow.facts("/users") +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Authorization: " +
                       slow.authorization() + "\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n\r\n";
    conn.send_raw(head + body.substr(0, body.size() / 2));

    auto other = f.connect();
    auto r = other.post(other.facts("/users"), user("fast-user"));
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(other.get(other.facts("/users/slow-user")).status == 404u);

    conn.send_raw(body.substr(body.size() / 2));
    auto done = conn.receive();
    BOOST_TEST(done.status == 201u);
    BOOST_TEST(key_of(done) == "slow-user");
    BOOST_TEST(f.emu.user_count() == 2u);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    const auto auth = client.authorization();

    struct step {
        http::verb verb;
        std::string target;
        std::optional<std::string> body;
        unsigned status;
        std::string key;  // the user named in the response body, if any
    };
    std::vector<step> steps;
    auto users = client.facts("/users");
    for (int i = 0; i < 6; ++i) {
        const auto key = "pipe-" + std::to_string(i);
        steps.push_back({http::verb::post, users, json::serialize(user(key)), 201, key});
        steps.push_back({http::verb::get, users + "/" + key, std::nullopt, 200, key});
    }
    // Order matters for these: each answer depends on the request before it.
    steps.push_back({http::verb::get, users + "/pipe-6", std::nullopt, 404, ""});
    steps.push_back({http::verb::post, users, json::serialize(user("pipe-6")), 201, "pipe-6"});
    steps.push_back({http::verb::get, users + "/pipe-6", std::nullopt, 200, "pipe-6"});
    steps.push_back({http::verb::delete_, users + "/pipe-0", std::nullopt, 204, ""});
    steps.push_back({http::verb::get, users + "/pipe-0", std::nullopt, 404, ""});
    steps.push_back({http::verb::post, users, json::serialize(user("pipe-0")), 201, "pipe-0"});
    steps.push_back({http::verb::get, users + "/pipe-0", std::nullopt, 200, "pipe-0"});
    steps.push_back({http::verb::get, "/v2/api-key/scope", std::nullopt, 200, ""});
    BOOST_TEST_REQUIRE(steps.size() == 20u);

    for (const auto& s : steps) conn.send(conn.make_request(s.verb, s.target, s.body, auth));
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto r = conn.receive();
        BOOST_TEST_CONTEXT("response " << i << " to " << steps[i].target) {
            BOOST_TEST(r.status == steps[i].status);
            if (!steps[i].key.empty()) BOOST_TEST(key_of(r) == steps[i].key);
            if (steps[i].target == "/v2/api-key/scope")
                BOOST_TEST(json::parse(r.body).at("environment_id").as_string() ==
                           f.emu.config().environment_id);
        }
    }

    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        BOOST_TEST(log[i].target == steps[i].target);
        BOOST_TEST(log[i].status == steps[i].status);
        BOOST_TEST(log[i].connection == 1u);
    }
    BOOST_TEST(f.emu.stats().connections_accepted == 1u);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_in_one_write_are_all_answered) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    std::ostringstream all;
    for (int i = 0; i < 10; ++i) {
        all << conn.make_request(http::verb::post, client.facts("/users"),
                                 json::serialize(user("batch-" + std::to_string(i))),
                                 client.authorization());
        all << conn.make_request(http::verb::get, client.facts("/users/batch-" + std::to_string(i)),
                                 std::nullopt, client.authorization());
    }
    conn.send_raw(all.str());
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST_CONTEXT("user " << i) {
            const auto created = conn.receive();
            BOOST_TEST(created.status == 201u);
            BOOST_TEST(key_of(created) == "batch-" + std::to_string(i));
            const auto got = conn.receive();
            BOOST_TEST(got.status == 200u);
            BOOST_TEST(key_of(got) == "batch-" + std::to_string(i));
        }
    }
    BOOST_TEST(f.emu.user_count() == 10u);
}

BOOST_AUTO_TEST_CASE(connection_close_gets_its_response_then_the_server_closes) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    auto req = conn.make_request(http::verb::get, "/v2/api-key/scope", std::nullopt,
                                 client.authorization());
    req.keep_alive(false);  // Connection: close
    conn.send(req);
    const auto r = conn.receive();
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json::parse(r.body).at("project_id").as_string() == f.emu.config().project_id);
    BOOST_TEST(!r.keep_alive,
               "the response to a `Connection: close` request should say `close` too");
    const auto ec = conn.read_until_closed();
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
}

BOOST_AUTO_TEST_CASE(a_request_after_connection_close_on_the_same_connection_is_not_applied) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    auto closing = conn.make_request(http::verb::get, "/v2/api-key/scope", std::nullopt,
                                     client.authorization());
    closing.keep_alive(false);
    const auto after =
        conn.make_request(http::verb::post, client.facts("/users"),
                          json::serialize(user("after-close")), client.authorization());
    std::ostringstream both;
    both << closing << after;
    conn.send_raw(both.str());

    BOOST_TEST(conn.receive().status == 200u);
    const auto ec = conn.read_until_closed();  // and nothing more: no second response
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());

    auto check = f.connect();
    BOOST_TEST(check.get(check.facts("/users/after-close")).status == 404u);
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(http_1_0_request_without_keep_alive_is_answered_then_closed) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    conn.send_raw("GET /v2/api-key/scope HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: " +
                  client.authorization() + "\r\n\r\n");
    const auto r = conn.receive();
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json::parse(r.body).at("organization_id").as_string() ==
               f.emu.config().organization_id);
    const auto ec = conn.read_until_closed();
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
}

BOOST_AUTO_TEST_CASE(a_chunked_request_body_is_read_whole) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    const std::string body = json::serialize(user("chunked-user"));
    const auto half = body.size() / 2;
    auto chunk = [](const std::string& data) {
        std::ostringstream os;
        os << std::hex << data.size() << "\r\n" << data << "\r\n";
        return os.str();
    };
    conn.send_raw(
        "POST " + client.facts("/users") +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " +
        client.authorization() + "\r\nTransfer-Encoding: chunked\r\n\r\n" +
        chunk(body.substr(0, half)) + chunk(body.substr(half)) + "0\r\n\r\n");
    const auto r = conn.receive();
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(key_of(r) == "chunked-user");
    BOOST_TEST(client.get(client.facts("/users/chunked-user")).status == 200u,
               "the connection carries on");
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_100_then_the_answer) {
    fresh_emulator f;
    auto client = f.connect();
    auto& conn = client.connection();
    const std::string body = json::serialize(user("continued"));
    conn.send_raw(
        "POST " + client.facts("/users") +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " +
        client.authorization() +
        "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    const auto interim = conn.receive();
    BOOST_TEST(interim.status == 100u);
    conn.send_raw(body);
    const auto r = conn.receive();
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(key_of(r) == "continued");
}

BOOST_AUTO_TEST_CASE(an_idle_connection_is_closed_after_the_idle_timeout) {
    emulator_config config;
    config.idle_timeout = std::chrono::milliseconds(300);
    fresh_emulator f{config};
    auto client = f.connect();
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    const auto start = std::chrono::steady_clock::now();
    const auto ec = client.connection().read_until_closed();
    const auto waited = std::chrono::steady_clock::now() - start;
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
    BOOST_TEST((waited >= std::chrono::milliseconds(250)), "closed before the idle timeout");
    // Others are still served.
    auto other = f.connect();
    BOOST_TEST(other.get("/v2/api-key/scope").status == 200u);
}

BOOST_AUTO_TEST_CASE(stop_closes_open_connections) {
    fresh_emulator f;
    auto idle = f.connect();
    BOOST_TEST(idle.get("/v2/api-key/scope").status == 200u);
    auto half = f.connect();
    half.connection().send_raw(
        "GET /v2/api-key/scope HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // no end of header
    f.emu.stop();
    for (auto* c : {&idle, &half}) {
        const auto ec = c->connection().read_until_closed();
        BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
    }
    BOOST_CHECK_THROW(f.connect(), boost::system::system_error);
    BOOST_TEST(f.emu.user_count() == 0u, "the state stays readable after stop()");
}

BOOST_AUTO_TEST_CASE(connection_numbers_stay_distinct_across_reset_stats) {
    fresh_emulator f;
    auto first = f.connect();
    BOOST_TEST(first.get("/v2/api-key/scope").status == 200u);
    f.emu.reset_stats();
    auto second = f.connect();
    BOOST_TEST(second.get("/v2/api-key/scope").status == 200u);
    BOOST_TEST(first.get("/v2/api-key/scope").status == 200u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 2u);
    BOOST_TEST(log[0].connection != log[1].connection,
               "two connections share the number " << log[0].connection << " in the request log");
}

BOOST_AUTO_TEST_CASE(request_log_keeps_the_bodies_when_asked) {
    emulator_config config;
    config.log_request_bodies = true;
    fresh_emulator f(config);
    auto client = f.connect();
    const auto alice = json::serialize(user("alice"));
    BOOST_TEST(client.post(client.facts("/users"), user("alice")).status == 201u);
    BOOST_TEST(client.post(client.facts("/users"), user("alice")).status == 409u);
    BOOST_TEST(client.get(client.facts("/users/alice")).status == 200u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 3u);
    BOOST_TEST(log[0].body == alice);
    BOOST_TEST(log[1].body == alice, "the body of a refused request is kept too");
    BOOST_TEST(log[2].body.empty(), "a GET has no body");
}

BOOST_AUTO_TEST_CASE(request_log_keeps_no_body_by_default) {
    fresh_emulator f;
    auto client = f.connect();
    BOOST_TEST(client.post(client.facts("/users"), user("alice")).status == 201u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].method == "POST");
    BOOST_TEST(log[0].body.empty());
}

BOOST_AUTO_TEST_CASE(counters_count_requests_routes_and_statuses) {
    fresh_emulator f;
    auto client = f.connect();
    BOOST_TEST(client.get("/v2/api-key/scope").status == 200u);
    BOOST_TEST(client.post(client.facts("/users"), user("alice")).status == 201u);
    BOOST_TEST(client.post(client.facts("/users"), user("bob")).status == 201u);
    BOOST_TEST(client.post(client.facts("/users"), user("bob")).status == 409u);
    BOOST_TEST(client.get(client.facts("/users/alice")).status == 200u);
    BOOST_TEST(client.get(client.facts("/users?page=1&per_page=5")).status == 200u);
    BOOST_TEST(client.get("/v2/no/such/route").status == 404u);

    const auto stats = f.emu.stats();
    BOOST_TEST(stats.connections_accepted == 1u);
    BOOST_TEST(stats.requests == 7u);
    BOOST_TEST(stats.route(users_route) == 3u);
    BOOST_TEST(stats.route(user_route) == 1u);
    BOOST_TEST(stats.route(scope_route) == 1u);
    BOOST_TEST(stats.route("GET /v2/facts/{proj_id}/{env_id}/users") == 1u);
    BOOST_TEST(stats.route("GET <unmatched>") == 1u);
    std::uint64_t by_route = 0;
    for (const auto& [name, n] : stats.requests_by_route) by_route += n;
    BOOST_TEST(by_route == 7u);
    BOOST_TEST(stats.status(200) == 3u);
    BOOST_TEST(stats.status(201) == 2u);
    BOOST_TEST(stats.status(409) == 1u);
    BOOST_TEST(stats.status(404) == 1u);
    BOOST_TEST(stats.faults_injected.empty());
    BOOST_TEST(stats.rate_limited == 0u);

    // A second connection gets the next number.
    auto second = f.connect();
    BOOST_TEST(second.get(second.facts("/users/bob")).status == 200u);
    BOOST_TEST(f.emu.stats().connections_accepted == 2u);

    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 8u);
    const std::vector<std::tuple<std::string, std::string, unsigned, std::uint64_t>> expected = {
        {"GET", "/v2/api-key/scope", 200, 1},
        {"POST", client.facts("/users"), 201, 1},
        {"POST", client.facts("/users"), 201, 1},
        {"POST", client.facts("/users"), 409, 1},
        {"GET", client.facts("/users/alice"), 200, 1},
        {"GET", client.facts("/users?page=1&per_page=5"), 200, 1},
        {"GET", "/v2/no/such/route", 404, 1},
        {"GET", client.facts("/users/bob"), 200, 2},
    };
    for (std::size_t i = 0; i < log.size(); ++i) {
        BOOST_TEST_CONTEXT("log entry " << i) {
            BOOST_TEST(log[i].method == std::get<0>(expected[i]));
            BOOST_TEST(log[i].target == std::get<1>(expected[i]));
            BOOST_TEST(log[i].status == std::get<2>(expected[i]));
            BOOST_TEST(log[i].connection == std::get<3>(expected[i]));
            BOOST_TEST(!log[i].fault.has_value());
            if (i > 0) BOOST_TEST((log[i].received_at >= log[i - 1].received_at));
        }
    }
    BOOST_TEST(log[1].route == users_route);
    BOOST_TEST(log[4].route == user_route);
    BOOST_TEST(log[5].route == "GET /v2/facts/{proj_id}/{env_id}/users");
    BOOST_TEST(log[6].route == "GET <unmatched>");
}

BOOST_AUTO_TEST_CASE(reset_stats_zeroes_the_counters_and_clears_the_log) {
    fresh_emulator f;
    auto client = f.connect();
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(client.post(client.facts("/users"), user("r" + std::to_string(i))).status ==
                   201u);
    f.emu.reset_stats();
    auto stats = f.emu.stats();
    BOOST_TEST(stats.requests == 0u);
    BOOST_TEST(stats.connections_accepted == 0u);
    BOOST_TEST(stats.requests_by_route.empty());
    BOOST_TEST(stats.responses_by_status.empty());
    BOOST_TEST(f.emu.request_log().empty());
    BOOST_TEST(f.emu.user_count() == 3u, "resetting the counters must not touch the data");

    BOOST_TEST(client.get(client.facts("/users/r1")).status == 200u);
    stats = f.emu.stats();
    BOOST_TEST(stats.requests == 1u);
    BOOST_TEST(stats.route(user_route) == 1u);
    BOOST_TEST(f.emu.request_log().size() == 1u);
}

BOOST_AUTO_TEST_CASE(request_log_keeps_the_newest_entries_up_to_its_capacity) {
    emulator_config config;
    config.request_log_capacity = 5;
    fresh_emulator f{config};
    auto client = f.connect();
    for (int i = 0; i < 8; ++i)
        BOOST_TEST(client.get(client.facts("/users/nobody-" + std::to_string(i))).status == 404u);
    const auto log = f.emu.request_log();
    BOOST_TEST_REQUIRE(log.size() == 5u);
    for (std::size_t i = 0; i < log.size(); ++i)
        BOOST_TEST(log[i].target == client.facts("/users/nobody-" + std::to_string(i + 3)));
    BOOST_TEST(f.emu.stats().requests == 8u, "the counters are not capped by the log");
}

BOOST_AUTO_TEST_SUITE_END()
