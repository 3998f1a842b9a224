// The base of the emulator test fixtures: a fresh emulator per test, stopped by a watchdog if the
// test hangs, and connections to it opened only when the test asks for one. Tests that count the
// emulator's connections use it as it is; emulator_fixture adds a client connected from the start.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>

#include "support/http_client.hpp"
#include "support/watchdog.hpp"

namespace permit_test {

/// An emulator and its watchdog. Nothing connects until `connect()`, so that a test sees exactly
/// the connections it opens.
struct fresh_emulator {
    permit::testing::emulator emu;
    watchdog dog;

    /// `limit`: how long the test may run before the watchdog stops the emulator.
    explicit fresh_emulator(permit::testing::emulator_config config = {},
                            std::chrono::seconds limit = std::chrono::seconds(20))
        : emu(std::move(config)), dog(emu, limit) {}

    ~fresh_emulator() {
        BOOST_CHECK_MESSAGE(!dog.fired(),
                            "the watchdog stopped an emulator that stopped answering");
    }

    const permit::testing::emulator_config& config() const { return emu.config(); }

    /// A new connection (connecting counts as one accepted connection).
    api_client connect() const {
        return api_client(emu.port(), config().api_key, config().project_key,
                          config().environment_key);
    }

    /// `/v2/facts/{proj}/{env}/users`, for requests written by hand.
    std::string users_path() const {
        return "/v2/facts/" + config().project_key + "/" + config().environment_key + "/users";
    }

    /// The Authorization header with the API key, for requests written by hand.
    std::string authorization() const { return "Bearer " + config().api_key; }

    /// A new connection gets a normal answer: whatever came before did not break the emulator.
    void check_still_serving() const {
        auto client = connect();
        const auto r = client.get("/v2/api-key/scope");
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(json::parse(r.body).at("environment_id").as_string() == config().environment_id);
    }

    /// Whether user `key` exists, asked over a new connection, which a fault on the test's own
    /// connection cannot disturb. Any status but 200 or 404 fails the test, so a fault rule must
    /// not match `GET /users/{id}` where a test asks this.
    bool user_exists(const std::string& key) const {
        auto client = connect();
        const auto r = client.get(client.facts("/users/" + key));
        BOOST_TEST((r.status == 200u || r.status == 404u), "GET " << key << " -> " << r.status);
        return r.status == 200u;
    }
};

}  // namespace permit_test
