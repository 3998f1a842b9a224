// The PDP that learns of writes late, and its facts proxy (docs/emulator.md "The PDP's
// propagation delay and its facts proxy";
// https://docs.permit.io/how-to/manage-data/local-facts-uploader): decisions see a write only
// once `pdp_propagation_delay` has passed, and a write through `/facts/...` waits for the PDP as
// `X-Wait-Timeout` and `X-Timeout-Policy` say.
//
// Timing: the delay is stretched under a sanitizer, and a test asserts only what a lower bound
// settles ("answered after the delay", "allowed once the delay has passed") or what holds with a
// wide margin ("answered well before the delay"). "Denied right after a write" is asserted when
// the check was answered before the delay had passed since the write was sent, which settles it.
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"
#include "support/slowdown.hpp"

using namespace permit_test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

/// The PDP's lag in most tests.
const std::chrono::milliseconds propagation = 300ms * slowdown;
/// How long after the lag a test checks that the PDP has a write.
const std::chrono::milliseconds margin = 50ms;

const std::string timed_out_body = R"({"detail":"Timeout waiting for update to be received"})";
const std::string environment_key_body = R"({"detail":"PDP API Key for environment is required."})";

/// Resource `document` (read, write), role `viewer` (document:read), and user `ann`, a viewer in
/// `default`: all in the initial state, which the PDP has from the start.
permit::testing::emulator_config lagging(
    std::chrono::milliseconds delay,
    permit::testing::key_level level = permit::testing::key_level::environment) {
    permit::testing::emulator_config c;
    c.pdp_propagation_delay = delay;
    c.level = level;
    c.initial_state = json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}}}],
        "roles":[{"key":"viewer","name":"Viewer","permissions":["document:read"]}],
        "users":[{"key":"ann","role_assignments":[{"role":"viewer","tenant":"default"}]}]})");
    return c;
}

using headers = std::vector<std::pair<std::string, std::string>>;

json::object viewer(const std::string& key) {
    return {
        {"key", key},
        {"role_assignments", json::array{json::object{{"role", "viewer"}, {"tenant", "default"}}}}};
}

std::string ms(clock_type::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

struct lagging_pdp : emulator_fixture {
    explicit lagging_pdp(std::chrono::milliseconds delay = propagation,
                         permit::testing::key_level level = permit::testing::key_level::environment)
        : emulator_fixture(lagging(delay, level)), delay(delay) {}

    std::chrono::milliseconds delay;

    /// Any request with the API key and extra headers.
    response send(http::verb verb, const std::string& target,
                  const std::optional<json::value>& body = std::nullopt,
                  const headers& extra = {}) {
        auto& conn = api.connection();
        std::optional<std::string> text;
        if (body) text = json::serialize(*body);
        auto req = conn.make_request(verb, target, text, api.authorization());
        for (const auto& [name, value] : extra) req.set(name, value);
        conn.send(req);
        return conn.receive();
    }

    /// A request and how long it took to answer.
    std::pair<response, clock_type::duration> timed(http::verb verb, const std::string& target,
                                                    const std::optional<json::value>& body = {},
                                                    const headers& extra = {}) {
        const auto start = clock_type::now();
        auto r = send(verb, target, body, extra);
        return {std::move(r), clock_type::now() - start};
    }

    bool can_read(const std::string& user) { return allowed(user, "read", "document"); }

    /// Checks, right after a write sent at `sent`, that the PDP does not have it yet: asserted
    /// when the check is answered before the delay has passed since `sent`, which settles it.
    void check_not_yet(const std::string& user, bool expected_before, clock_type::time_point sent) {
        const bool allow = can_read(user);
        const auto elapsed = clock_type::now() - sent;
        if (elapsed < delay) {
            BOOST_TEST(allow == expected_before, "checked " << ms(elapsed) << " after the write");
        } else {
            BOOST_TEST_MESSAGE("the check came " << ms(elapsed)
                                                 << " after the write, too late "
                                                    "to tell whether the PDP lags");
        }
    }

    /// Sleeps until the PDP has every write answered before `answered`.
    void wait_out(clock_type::time_point answered) {
        std::this_thread::sleep_until(answered + delay + margin);
    }

    permit::testing::emulator_stats stats() const { return emu.stats(); }
};

struct short_lag : lagging_pdp {
    short_lag() : lagging_pdp(100ms * slowdown) {}
};

struct project_key : lagging_pdp {
    project_key() : lagging_pdp(propagation, permit::testing::key_level::project) {}
};

struct organization_key : lagging_pdp {
    organization_key() : lagging_pdp(propagation, permit::testing::key_level::organization) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_facts_proxy)

// ----- the PDP's propagation delay ---------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(a_rest_write_reaches_the_pdp_after_the_delay, lagging_pdp) {
    BOOST_TEST(can_read("ann"));  // the initial state is the PDP's from the start
    const auto sent = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), viewer("jane")), 201);
    const auto answered = clock_type::now();
    check_not_yet("jane", false, sent);
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/jane")), 200);  // the API has it at once
    wait_out(answered);
    BOOST_TEST(can_read("jane"));
}

BOOST_FIXTURE_TEST_CASE(every_decision_route_reads_the_delayed_view, lagging_pdp) {
    const auto sent = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), viewer("jane")), 201);
    const auto answered = clock_type::now();
    const auto bulk = pdp("/allowed/bulk", json::array{check_query("jane", "read", "document"),
                                                       check_query("ann", "read", "document")});
    const auto perms =
        pdp("/user-permissions", json::object{{"user", json::object{{"key", "jane"}}}});
    if (clock_type::now() - sent < delay) {
        BOOST_TEST(body_json(bulk) == json::parse(R"({"allow":[{"allow":false,"result":false},
                                           {"allow":true,"result":true}]})"));
        BOOST_TEST(body_json(perms) == json::parse("{}"));
    }
    wait_out(answered);
    const auto later = pdp("/allowed/bulk", json::array{check_query("jane", "read", "document"),
                                                        check_query("ann", "read", "document")});
    BOOST_TEST(body_json(later) == json::parse(R"({"allow":[{"allow":true,"result":true},
                                                            {"allow":true,"result":true}]})"));
    const auto later_perms =
        pdp("/user-permissions", json::object{{"user", json::object{{"key", "jane"}}}});
    BOOST_TEST(has_member(body_json(later_perms), "__tenant:default"), later_perms.body);
}

BOOST_FIXTURE_TEST_CASE(removals_reach_the_pdp_late_too, lagging_pdp) {
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), viewer("jane")), 201);
    auto sent = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/users/ann/roles"),
                                  json::object{{"role", "viewer"}, {"tenant", "default"}}),
                          204);
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/users/jane")), 204);
    auto answered = clock_type::now();
    check_not_yet("ann", true, sent);
    wait_out(answered);
    BOOST_TEST(!can_read("ann"));
    BOOST_TEST(!can_read("jane"));  // created, then deleted with its role, all replayed in order

    // A role's permissions and a deleted role, which takes its assignments along.
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users/ann/roles"),
                                   json::object{{"role", "viewer"}, {"tenant", "default"}}),
                          200);
    answered = clock_type::now();
    wait_out(answered);
    BOOST_TEST(can_read("ann"));
    sent = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.del(api.schema("/roles/viewer")), 204);
    answered = clock_type::now();
    check_not_yet("ann", true, sent);
    wait_out(answered);
    BOOST_TEST(!can_read("ann"));
}

BOOST_FIXTURE_TEST_CASE(a_large_bulk_sync_reaches_the_pdp_after_the_delay, lagging_pdp) {
    // 15,000 users with a role each, 3,000 per call: each write queues its changes for the PDP,
    // none copies the state.
    clock_type::time_point answered;
    for (int batch = 0; batch < 5; ++batch) {
        json::array users;
        for (int i = 0; i < 3000; ++i)
            users.push_back(viewer("bulk-" + std::to_string(batch) + "-" + std::to_string(i)));
        PERMIT_REQUIRE_STATUS(
            api.put(api.facts("/bulk/users"), json::object{{"operations", std::move(users)}}), 200);
        answered = clock_type::now();
    }
    BOOST_TEST(emu.user_count() == 15001u);
    wait_out(answered);
    BOOST_TEST(can_read("bulk-0-0"));
    BOOST_TEST(can_read("bulk-4-2999"));
}

// ----- writes through the facts proxy that wait ---------------------------------------------

BOOST_FIXTURE_TEST_CASE(a_facts_write_waits_until_the_pdp_has_it, lagging_pdp) {
    const auto [r, elapsed] = timed(http::verb::post, "/facts/users", viewer("jane"));
    PERMIT_REQUIRE_STATUS(r, 201);
    BOOST_TEST(str(body_json(r), "key") == "jane");
    BOOST_TEST((elapsed >= delay), "answered after " << ms(elapsed));
    BOOST_TEST(can_read("jane"));  // right after: the PDP has it
    const auto s = stats();
    BOOST_TEST(s.route("POST /facts/users") == 1u);
    BOOST_TEST(s.facts_sync_waits == 1u);
    BOOST_TEST(s.facts_sync_timeouts == 0u);
}

BOOST_FIXTURE_TEST_CASE(fail_policy_answers_424_when_the_pdp_is_late, lagging_pdp) {
    const auto [r, elapsed] = timed(http::verb::post, "/facts/users", viewer("jane"),
                                    {{"X-Wait-Timeout", "0.05"}, {"X-Timeout-Policy", "fail"}});
    PERMIT_CHECK_STATUS(r, 424);
    BOOST_TEST(body_json(r) == json::parse(timed_out_body));
    BOOST_TEST((elapsed >= 50ms), "answered after " << ms(elapsed));
    const auto answered = clock_type::now();
    // The API applied the write all the same, and the PDP gets it in due course.
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/jane")), 200);
    wait_out(answered);
    BOOST_TEST(can_read("jane"));
    BOOST_TEST(stats().facts_sync_timeouts == 1u);
    BOOST_TEST(stats().status(424) == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_timeout_policy_is_case_insensitive, lagging_pdp) {
    const auto fail = send(http::verb::post, "/facts/users", viewer("jane"),
                           {{"X-Wait-Timeout", "0.05"}, {"X-Timeout-Policy", "FAIL"}});
    PERMIT_CHECK_STATUS(fail, 424);
    BOOST_TEST(body_json(fail) == json::parse(timed_out_body));
    const auto ignore = send(http::verb::post, "/facts/users", viewer("joe"),
                             {{"X-Wait-Timeout", "0.05"}, {"X-Timeout-Policy", "Ignore"}});
    PERMIT_CHECK_STATUS(ignore, 201);
}

BOOST_FIXTURE_TEST_CASE(ignore_policy_answers_the_api_response_after_the_timeout, lagging_pdp) {
    const auto [created, elapsed] =
        timed(http::verb::post, "/facts/users", viewer("jane"),
              {{"X-Wait-Timeout", "0.05"}, {"X-Timeout-Policy", "ignore"}});
    PERMIT_CHECK_STATUS(created, 201);
    BOOST_TEST(str(body_json(created), "key") == "jane");
    BOOST_TEST((elapsed >= 50ms), "answered after " << ms(elapsed));
    // No policy header: `ignore`, the PDP's default. The API's status passes through as it is.
    const auto tenant =
        send(http::verb::post, "/facts/tenants", json::object{{"key", "acme"}, {"name", "Acme"}},
             {{"X-Wait-Timeout", "0.05"}});
    PERMIT_CHECK_STATUS(tenant, 201);
    BOOST_TEST(str(body_json(tenant), "key") == "acme");
    const auto assigned =
        send(http::verb::post, "/facts/role_assignments",
             json::object{{"user", "ann"}, {"role", "viewer"}, {"tenant", "acme"}},
             {{"X-Wait-Timeout", "0.05"}});
    PERMIT_CHECK_STATUS(assigned, 200);
    BOOST_TEST(str(body_json(assigned), "tenant") == "acme");
    const auto s = stats();
    BOOST_TEST(s.facts_sync_waits == 3u);
    BOOST_TEST(s.facts_sync_timeouts == 3u);
    BOOST_TEST(s.status(424) == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_zero_wait_timeout_answers_at_once, lagging_pdp) {
    const auto [r, elapsed] =
        timed(http::verb::post, "/facts/users", viewer("jane"), {{"X-Wait-Timeout", "0"}});
    PERMIT_CHECK_STATUS(r, 201);
    BOOST_TEST((elapsed < delay), "answered after " << ms(elapsed));
    // Under `fail`, not waiting at all for a PDP that lags is a timeout.
    const auto [failed, failed_elapsed] =
        timed(http::verb::post, "/facts/users", viewer("joe"),
              {{"X-Wait-Timeout", "0.0"}, {"X-Timeout-Policy", "fail"}});
    PERMIT_CHECK_STATUS(failed, 424);
    BOOST_TEST((failed_elapsed < delay), "answered after " << ms(failed_elapsed));
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/joe")), 200);
}

BOOST_FIXTURE_TEST_CASE(a_negative_or_empty_wait_timeout_waits_until_the_pdp_has_it, lagging_pdp) {
    std::vector<std::pair<std::string, std::string>> cases{
        {"-1", "neg"}, {"", "empty"}, {"-0.5", "half"}};
    for (const auto& [value, user] : cases) {
        BOOST_TEST_CONTEXT("X-Wait-Timeout: '" << value << "'") {
            const auto [r, elapsed] =
                timed(http::verb::post, "/facts/users", viewer(user),
                      {{"X-Wait-Timeout", value}, {"X-Timeout-Policy", "fail"}});
            PERMIT_CHECK_STATUS(r, 201);
            BOOST_TEST((elapsed >= delay), "answered after " << ms(elapsed));
            BOOST_TEST(can_read(user));
        }
    }
    BOOST_TEST(stats().facts_sync_timeouts == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_wait_timeout_that_is_not_a_float_is_400_and_writes_nothing, lagging_pdp) {
    const auto r = send(http::verb::post, "/facts/users", viewer("jane"),
                        {{"X-Wait-Timeout", "abc"}, {"X-Timeout-Policy", "fail"}});
    PERMIT_CHECK_STATUS(r, 400);
    BOOST_TEST(str(body_json(r), "detail") ==
               "Invalid X-Wait-timeout header, expected float, got 'abc'");
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/jane")), 404);
    const auto put =
        send(http::verb::put, "/facts/users/joe", viewer("joe"), {{"X-Wait-Timeout", "10s"}});
    PERMIT_CHECK_STATUS(put, 400);
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/joe")), 404);
    BOOST_TEST(emu.user_count() == 1u);  // ann
    BOOST_TEST(stats().facts_sync_waits == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_invalid_timeout_policy_is_400_and_writes_nothing, lagging_pdp) {
    for (const std::string policy : {"sometimes", "", "never"}) {
        BOOST_TEST_CONTEXT("X-Timeout-Policy: '" << policy << "'") {
            const auto r = send(http::verb::post, "/facts/users", viewer("jane"),
                                {{"X-Timeout-Policy", policy}});
            PERMIT_CHECK_STATUS(r, 400);
            BOOST_TEST(str(body_json(r), "detail").starts_with("Invalid X-Timeout-Policy header"),
                       r.body);
        }
    }
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/jane")), 404);
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(every_route_that_waits_waits, short_lag) {
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), json::object{{"key", "jane"}}), 201);
    wait_out(clock_type::now());
    struct step {
        http::verb verb;
        std::string target;
        json::value body;
        unsigned status;
    };
    const json::object role{{"role", "viewer"}, {"tenant", "default"}};
    const json::object assignment{{"user", "jane"}, {"role", "viewer"}, {"tenant", "default"}};
    const std::vector<step> steps{
        {http::verb::post, "/facts/tenants", json::object{{"key", "acme"}, {"name", "Acme"}}, 201},
        {http::verb::put, "/facts/users/joe", json::object{{"key", "joe"}}, 201},
        {http::verb::put, "/facts/users/joe", json::object{{"key", "joe"}, {"email", "j@x.io"}},
         200},
        {http::verb::patch, "/facts/users/joe", json::object{{"first_name", "Joe"}}, 200},
        {http::verb::post, "/facts/users/jane/roles", role, 200},
        // The PDP asks the API for the deleted assignment, whatever the caller asked.
        {http::verb::delete_, "/facts/users/jane/roles?return_deleted=false", role, 200},
        {http::verb::post, "/facts/role_assignments", assignment, 200},
        {http::verb::delete_, "/facts/role_assignments", assignment, 200},
    };
    std::uint64_t waits = 0;
    for (const auto& s : steps) {
        BOOST_TEST_CONTEXT(s.verb << " " << s.target) {
            const auto [r, elapsed] = timed(s.verb, s.target, s.body);
            PERMIT_CHECK_STATUS(r, s.status);
            BOOST_TEST((elapsed >= delay), "answered after " << ms(elapsed));
            BOOST_TEST(body_json(r).is_object());
            BOOST_TEST(stats().facts_sync_waits == ++waits);
        }
    }
    BOOST_TEST(!can_read("jane"));  // right after the unassignment: the PDP has it
    const auto s = stats();
    BOOST_TEST(s.route("PUT /facts/users/{user_id}") == 2u);
    BOOST_TEST(s.route("DELETE /facts/users/{user_id}/roles") == 1u);
    BOOST_TEST(s.route("DELETE /facts/role_assignments") == 1u);
    BOOST_TEST(s.facts_sync_timeouts == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_failed_write_does_not_wait, lagging_pdp) {
    const auto [duplicate, elapsed] = timed(http::verb::post, "/facts/users", viewer("ann"));
    PERMIT_CHECK_ERROR(duplicate, 409, "DUPLICATE_ENTITY");
    BOOST_TEST((elapsed < delay), "answered after " << ms(elapsed));
    const auto [invalid, invalid_elapsed] =
        timed(http::verb::post, "/facts/users", json::object{{"key", "not a key"}});
    PERMIT_CHECK_STATUS(invalid, 422);
    BOOST_TEST((invalid_elapsed < delay), "answered after " << ms(invalid_elapsed));
    const auto [missing, missing_elapsed] =
        timed(http::verb::delete_, "/facts/role_assignments",
              json::object{{"user", "ann"}, {"role", "viewer"}, {"tenant", "nowhere"}});
    PERMIT_CHECK_ERROR(missing, 404, "NOT_FOUND");
    BOOST_TEST((missing_elapsed < delay), "answered after " << ms(missing_elapsed));
    BOOST_TEST(stats().facts_sync_waits == 0u);
}

// ----- the rest of /facts: forwarded without waiting ----------------------------------------

BOOST_FIXTURE_TEST_CASE(bulk_and_other_routes_do_not_wait, lagging_pdp) {
    json::array users{viewer("b1"), viewer("b2"), viewer("b3")};
    // The sync headers are not even read on a route that does not wait.
    const auto [bulk, elapsed] =
        timed(http::verb::put, "/facts/bulk/users", json::object{{"operations", users}},
              {{"X-Wait-Timeout", "abc"}, {"X-Timeout-Policy", "fail"}});
    PERMIT_CHECK_STATUS(bulk, 200);
    BOOST_TEST(body_json(bulk) == json::parse("{}"));
    BOOST_TEST((elapsed < delay), "answered after " << ms(elapsed));
    const auto answered = clock_type::now();
    PERMIT_CHECK_STATUS(api.get(api.facts("/users/b3")), 200);  // the API has them at once

    const auto [deleted, delete_elapsed] = timed(http::verb::delete_, "/facts/users/b1");
    PERMIT_CHECK_STATUS(deleted, 204);
    BOOST_TEST((delete_elapsed < delay), "answered after " << ms(delete_elapsed));

    wait_out(answered);
    BOOST_TEST(can_read("b2"));
    BOOST_TEST(!can_read("b1"));
    const auto s = stats();
    BOOST_TEST(s.facts_sync_waits == 0u);
    BOOST_TEST(s.route("PUT /facts/bulk/users") == 1u);
    BOOST_TEST(s.route("DELETE /facts/users/{user_id}") == 1u);
}

BOOST_FIXTURE_TEST_CASE(reads_are_forwarded, lagging_pdp) {
    const auto direct = api.get(api.facts("/users/ann"));
    const auto proxied = send(http::verb::get, "/facts/users/ann");
    PERMIT_REQUIRE_STATUS(proxied, 200);
    BOOST_TEST(body_json(proxied) == body_json(direct));

    const auto list = send(http::verb::get, "/facts/users?search=an&per_page=5");
    PERMIT_REQUIRE_STATUS(list, 200);
    BOOST_TEST(pluck(data_of(body_json(list))) == std::vector<std::string>{"ann"});
    const auto bad_page = send(http::verb::get, "/facts/users?per_page=500");
    PERMIT_CHECK_422(bad_page, R"(["query","per_page"])", "value_error.number.not_le");

    const auto assignments = send(http::verb::get, "/facts/role_assignments?user=ann");
    PERMIT_REQUIRE_STATUS(assignments, 200);
    BOOST_TEST(pluck(body_json(assignments), "role") == std::vector<std::string>{"viewer"});

    PERMIT_CHECK_STATUS(send(http::verb::get, "/facts/nowhere"), 404);
    PERMIT_CHECK_STATUS(send(http::verb::get, "/facts/users/nobody"), 404);
    PERMIT_CHECK_STATUS(send(http::verb::patch, "/facts/users"), 405);
    const auto s = stats();
    BOOST_TEST(s.route("GET /facts/users/{user_id}") == 2u);
    BOOST_TEST(s.route("GET /facts/<unmatched>") == 1u);
}

// ----- what the PDP refuses itself ----------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(a_project_level_key_gets_403, project_key) {
    const auto r = send(http::verb::post, "/facts/users", viewer("jane"));
    PERMIT_CHECK_STATUS(r, 403);
    BOOST_TEST(body_json(r) == json::parse(environment_key_body));
    PERMIT_CHECK_STATUS(send(http::verb::get, "/facts/users"), 403);
    PERMIT_CHECK_STATUS(send(http::verb::put, "/facts/bulk/users",
                             json::object{{"operations", json::array{viewer("joe")}}}),
                        403);
    BOOST_TEST(emu.user_count() == 1u);  // nothing forwarded
    // The sync headers are read first, as the PDP reads them before it forwards anything.
    PERMIT_CHECK_STATUS(
        send(http::verb::post, "/facts/users", viewer("jane"), {{"X-Wait-Timeout", "abc"}}), 400);
}

BOOST_FIXTURE_TEST_CASE(an_organization_level_key_gets_403, organization_key) {
    const auto r = send(http::verb::delete_, "/facts/role_assignments",
                        json::object{{"user", "ann"}, {"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_STATUS(r, 403);
    BOOST_TEST(body_json(r) == json::parse(environment_key_body));
    BOOST_TEST(emu.role_assignment_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_pdp_checks_its_key_first, lagging_pdp) {
    const auto missing =
        raw(http::verb::post, "/facts/users", json::serialize(viewer("jane")), std::nullopt);
    PERMIT_CHECK_STATUS(missing, 401);
    BOOST_TEST(missing.body == "Missing Authorization header");
    const auto wrong = raw(http::verb::post, "/facts/users", json::serialize(viewer("jane")),
                           std::string("Bearer wrong"));
    PERMIT_CHECK_STATUS(wrong, 403);
    BOOST_TEST(wrong.body ==
               "You are not authorized to access this resource, please check your API key.");
    BOOST_TEST(emu.user_count() == 1u);
}

// ----- the server around it -----------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(what_the_proxy_forwards_counts_against_the_rate_limits, lagging_pdp) {
    permit::testing::rate_limit_config limits;
    limits.enabled = true;
    limits.writes_per_minute = 1;
    emu.set_rate_limits(limits);
    // Refused by the PDP itself: never reaches the API, uses up no quota.
    PERMIT_CHECK_STATUS(
        send(http::verb::post, "/facts/users", viewer("jane"), {{"X-Wait-Timeout", "abc"}}), 400);
    PERMIT_CHECK_STATUS(
        send(http::verb::post, "/facts/users", viewer("jane"), {{"X-Wait-Timeout", "0"}}), 201);
    const auto limited = send(http::verb::post, "/facts/users", viewer("joe"));
    PERMIT_CHECK_STATUS(limited, 429);
    BOOST_TEST(stats().rate_limited == 1u);
    BOOST_TEST(stats().facts_sync_waits == 1u);
}

BOOST_AUTO_TEST_CASE(a_waiting_write_ends_when_the_emulator_stops) {
    lagging_pdp f(60000ms);
    auto waiting = std::async(std::launch::async, [&] {
        api_client client(f.emu.port(), f.config().api_key, "", "");
        auto& conn = client.connection();
        auto req = conn.make_request(http::verb::post, "/facts/users",
                                     json::serialize(viewer("jane")), client.authorization());
        req.set("X-Wait-Timeout", "-1");
        conn.send(req);
        return conn.receive().status;
    });
    const auto give_up = clock_type::now() + 5s * slowdown;
    while (f.emu.stats().facts_sync_waits == 0 && clock_type::now() < give_up)
        std::this_thread::sleep_for(5ms);
    BOOST_TEST_REQUIRE(f.emu.stats().facts_sync_waits == 1u);
    const auto start = clock_type::now();
    f.emu.stop();
    const auto stopping = clock_type::now() - start;
    // emulator::stop() gives up on a coroutine that does not end within 5 s.
    BOOST_TEST((stopping < 4s), "stop() took " << ms(stopping));
    BOOST_TEST_REQUIRE((waiting.wait_for(5s * slowdown) == std::future_status::ready));
    BOOST_CHECK_THROW(waiting.get(), std::exception);  // the connection closed, unanswered
}

BOOST_AUTO_TEST_CASE(without_a_delay_writes_reach_the_pdp_at_once_and_nothing_waits) {
    emulator_fixture f(lagging(0ms));
    auto& conn = f.api.connection();
    auto req = conn.make_request(http::verb::post, "/facts/users", json::serialize(viewer("jane")),
                                 f.api.authorization());
    req.set("X-Wait-Timeout", "0");
    req.set("X-Timeout-Policy", "fail");
    conn.send(req);
    PERMIT_CHECK_STATUS(conn.receive(), 201);  // already visible: no timeout even at 0
    BOOST_TEST(f.allowed("jane", "read", "document"));
    PERMIT_REQUIRE_STATUS(f.api.post(f.api.facts("/users"), viewer("joe")), 201);
    BOOST_TEST(f.allowed("joe", "read", "document"));
    BOOST_TEST(f.emu.stats().facts_sync_timeouts == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
