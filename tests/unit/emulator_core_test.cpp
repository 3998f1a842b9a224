// The emulator's sans-io parts, driven without sockets and with an injected clock: path
// patterns, sliding windows, rate classes, fault decisions, request validation and the router.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <permit/testing/config_json.hpp>
#include <permit/testing/detail/fault_plan.hpp>
#include <permit/testing/detail/path_pattern.hpp>
#include <permit/testing/detail/router.hpp>
#include <permit/testing/detail/sliding_window.hpp>

namespace json = boost::json;
using namespace permit::testing;
using namespace permit::testing::detail;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(emulator_core)

BOOST_AUTO_TEST_CASE(single_star_stays_in_one_segment) {
    BOOST_TEST(path_matches("/v2/facts/*/*/users/*", "/v2/facts/p/e/users/alice"));
    BOOST_TEST(!path_matches("/v2/facts/*/*/users/*", "/v2/facts/p/e/users"));
    BOOST_TEST(!path_matches("/v2/facts/*/*/users/*", "/v2/facts/p/e/users/alice/roles"));
    BOOST_TEST(path_matches("/v2/facts/*/*/users*", "/v2/facts/p/e/users"));
    BOOST_TEST(!path_matches("/v2/*/users", "/v2/facts/p/e/users"));
}

BOOST_AUTO_TEST_CASE(double_star_crosses_segments) {
    BOOST_TEST(path_matches("**", "/anything/at/all"));
    BOOST_TEST(path_matches("/v2/**/bulk/users", "/v2/facts/p/e/bulk/users"));
    BOOST_TEST(!path_matches("/v2/**/bulk/users", "/v2/facts/p/e/bulk/tenants"));
    BOOST_TEST(path_matches("/allowed**", "/allowed/bulk"));
}

BOOST_AUTO_TEST_CASE(sliding_window_admits_limit_per_window) {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    sliding_window w(3, 10s);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(w.wait_time(t0 + std::chrono::seconds(i)).count() == 0);
        w.admit(t0 + std::chrono::seconds(i));
    }
    // The fourth must wait until the first leaves the window: at t0 + 10 s.
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(w.wait_time(t0 + 3s)).count() == 7);
    BOOST_TEST(w.wait_time(t0 + 10s).count() == 0);
}

BOOST_AUTO_TEST_CASE(rate_classes_and_time_scale) {
    rate_limit_config c;
    c.enabled = true;
    c.time_scale = 60;  // a minute lasts a second
    c.writes_per_minute = 2;
    c.deletes_per_minute = 1;
    c.bulk_per_10_minutes = 1;
    rate_limiter limiter(c);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    BOOST_TEST(!limiter.try_admit("DELETE", "/v2/facts/p/e/users/a", t0));
    // Second delete in the same scaled minute: refused, and it must not use write quota.
    auto wait = limiter.try_admit("DELETE", "/v2/facts/p/e/users/b", t0 + 100ms);
    BOOST_REQUIRE(wait);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count() == 900);
    BOOST_TEST(!limiter.try_admit("POST", "/v2/facts/p/e/users", t0 + 200ms));
    BOOST_TEST(limiter.try_admit("POST", "/v2/facts/p/e/users", t0 + 300ms).has_value());
    // Reads are only in the all-requests class.
    BOOST_TEST(!limiter.try_admit("GET", "/v2/facts/p/e/users", t0 + 300ms));
    // After the scaled window, writes are admitted again; bulk has its own 10-minute class.
    BOOST_TEST(!limiter.try_admit("PUT", "/v2/facts/p/e/bulk/users", t0 + 1100ms));
    BOOST_TEST(limiter.try_admit("PUT", "/v2/facts/p/e/bulk/users", t0 + 5s).has_value());
    BOOST_TEST(!limiter.try_admit("PUT", "/v2/facts/p/e/bulk/users", t0 + 1100ms + 10s));
}

BOOST_AUTO_TEST_CASE(bulk_routes_are_recognised) {
    BOOST_TEST(rate_limiter::is_bulk("/v2/facts/p/e/bulk/users"));
    BOOST_TEST(rate_limiter::is_bulk("/v2/facts/p/e/role_assignments/bulk"));
    BOOST_TEST(!rate_limiter::is_bulk("/v2/facts/p/e/users/bulky"));
}

BOOST_AUTO_TEST_CASE(disabled_limiter_admits_everything) {
    rate_limiter limiter(rate_limit_config{});
    const auto t0 = std::chrono::steady_clock::time_point{};
    for (int i = 0; i < 5000; ++i)
        BOOST_TEST_REQUIRE(!limiter.try_admit("POST", "/v2/facts/p/e/users", t0));
}

std::vector<int> fault_indices(std::uint64_t seed) {
    fault_plan plan(
        {{.method = "PUT", .path = "/v2/**", .kind = fault_kind::http_503, .rate = 0.3}}, seed);
    std::vector<int> hits;
    for (int i = 0; i < 300; ++i)
        if (plan.decide("PUT", "/v2/facts/p/e/users/u")) hits.push_back(i);
    return hits;
}

BOOST_AUTO_TEST_CASE(faults_are_reproducible_for_a_seed) {
    const auto a = fault_indices(42), b = fault_indices(42), c = fault_indices(43);
    BOOST_TEST(a == b);
    BOOST_TEST(a != c);
    BOOST_TEST(a.size() > 50u);
    BOOST_TEST(a.size() < 130u);
}

BOOST_AUTO_TEST_CASE(fault_matching_after_and_max_count) {
    fault_plan plan({{.method = "POST",
                      .path = "/v2/facts/*/*/users",
                      .kind = fault_kind::reset_after_apply,
                      .rate = 1.0,
                      .max_count = 2,
                      .after = 1}},
                    1);
    BOOST_TEST(!plan.decide("GET", "/v2/facts/p/e/users"));   // other method
    BOOST_TEST(!plan.decide("POST", "/v2/facts/p/e/users"));  // the first match is skipped
    BOOST_TEST(plan.decide("POST", "/v2/facts/p/e/users").has_value());
    BOOST_TEST(plan.decide("POST", "/v2/facts/p/e/users").has_value());
    BOOST_TEST(!plan.decide("POST", "/v2/facts/p/e/users"));  // max_count reached
}

BOOST_AUTO_TEST_CASE(fault_rules_from_json_name_bad_fields) {
    auto rules = fault_rules_from_json(json::parse(
        R"([{"method":"PUT","path":"/v2/**","kind":"http_429","rate":0.5,"retry_after":2},{"kind":"delay","delay_ms":250}])"));
    BOOST_REQUIRE(rules.size() == 2u);
    BOOST_TEST(rules[0].retry_after->count() == 2);
    BOOST_TEST(rules[1].delay.count() == 250);
    BOOST_CHECK_EXCEPTION(
        fault_rules_from_json(json::parse(R"({"kind":"explode"})")), std::invalid_argument,
        [](const auto& e) { return std::string(e.what()).find("'kind'") != std::string::npos; });
    BOOST_CHECK_THROW(fault_rules_from_json(json::parse(R"({"rate":2})")), std::invalid_argument);
    const auto limits =
        rate_limits_from_json(json::parse(R"({"time_scale":60,"writes_per_minute":10})"));
    BOOST_TEST(limits.enabled);
    BOOST_TEST(limits.writes_per_minute == 10u);
    BOOST_TEST(limits.all_per_minute == 1000u);
}

BOOST_AUTO_TEST_CASE(validation_reports_fastapi_details) {
    auto errors = check_body(
        json::parse(R"({"key":"has space","email":"nope","colour":"red","role_assignments":[{}]})"),
        schemas::user_create);
    const auto detail = errors.body().at("detail").as_array();
    auto find = [&](std::string_view type) {
        for (const auto& d : detail)
            if (d.at("type").as_string() == type) return json::serialize(d.at("loc"));
        return std::string("<none>");
    };
    BOOST_TEST(find("value_error.str.regex") == R"(["body","key"])");
    BOOST_TEST(find("value_error.email") == R"(["body","email"])");
    BOOST_TEST(find("value_error.extra") == R"(["body","colour"])");
    BOOST_TEST(find("value_error.missing") == R"(["body","role_assignments",0,"role"])");
    BOOST_TEST(check_body(json::parse(R"({"key":"user|1@x.com+tag_a-b.c"})"), schemas::user_create)
                   .empty());
}

BOOST_AUTO_TEST_CASE(query_bounds) {
    validation_errors errors;
    query_checker q(errors);
    BOOST_TEST(q.integer("100", "per_page", 30, 1, 100) == 100);
    BOOST_TEST(errors.empty());
    q.integer("101", "per_page", 30, 1, 100);
    q.integer("0", "page", 1, 1);
    q.integer("ten", "page", 1, 1);
    const auto detail = errors.body().at("detail").as_array();
    BOOST_REQUIRE(detail.size() == 3u);
    BOOST_TEST(detail[0].at("type").as_string() == "value_error.number.not_le");
    BOOST_TEST(detail[1].at("type").as_string() == "value_error.number.not_ge");
    BOOST_TEST(detail[2].at("type").as_string() == "type_error.integer");
}

struct router_fixture {
    emulator_config config;
    router r{config};
    std::string auth = "Bearer " + config.api_key;

    reply call(std::string_view method, std::string_view target, std::string_view body = "") {
        return r.handle(method, *parse_target(target), std::string_view(auth), body);
    }
};

BOOST_FIXTURE_TEST_CASE(router_names_routes_by_template, router_fixture) {
    BOOST_TEST(r.route_name("PUT", *parse_target("/v2/facts/default/production/bulk/users")) ==
               "PUT /v2/facts/{proj_id}/{env_id}/bulk/users");
    BOOST_TEST(r.route_name("GET", *parse_target("/v2/facts/p/e/users/a%7Cb")) ==
               "GET /v2/facts/{proj_id}/{env_id}/users/{user_id}");
    BOOST_TEST(r.route_name("GET", *parse_target("/nowhere")) == "GET <unmatched>");
}

BOOST_FIXTURE_TEST_CASE(router_decodes_path_segments, router_fixture) {
    BOOST_TEST(
        call("POST", "/v2/facts/default/production/users", R"({"key":"a|b@c.com"})").status ==
        201u);
    const auto got = call("GET", "/v2/facts/default/production/users/a%7Cb%40c.com");
    BOOST_TEST(got.status == 200u);
    BOOST_TEST(got.body.at("key").as_string() == "a|b@c.com");
}

BOOST_FIXTURE_TEST_CASE(router_checks_project_and_environment, router_fixture) {
    BOOST_TEST(
        call("GET", "/v2/facts/" + config.project_id + "/" + config.environment_id + "/users")
            .status == 200u);
    const auto missing = call("GET", "/v2/facts/other/production/users");
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(missing.body.at("error_code").as_string() == "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(router_authentication, router_fixture) {
    auth = "BEARER " + config.api_key;
    BOOST_TEST(call("GET", "/v2/api-key/scope").status == 200u);
    auth = "Bearer wrong";
    const auto wrong = call("GET", "/v2/api-key/scope");
    BOOST_TEST(wrong.status == 403u);
    BOOST_TEST(wrong.body.at("error_code").as_string() == "FORBIDDEN_ACCESS");
    const auto pdp = call("POST", "/allowed", "{}");
    BOOST_TEST(pdp.status == 403u);
    BOOST_TEST(pdp.text.has_value());
    BOOST_TEST(call("GET", "/health").status == 200u);
}

BOOST_FIXTURE_TEST_CASE(router_unknown_path_and_method, router_fixture) {
    BOOST_TEST(call("GET", "/v2/nothing").status == 404u);
    BOOST_TEST(call("PATCH", "/v2/facts/default/production/users").status == 405u);
}

BOOST_AUTO_TEST_CASE(initial_state_is_loaded_and_checked) {
    emulator_config config;
    config.initial_state = json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}}}],
        "roles":[{"key":"editor","name":"Editor","permissions":["document:write"],"extends":["viewer"]},
                 {"key":"viewer","name":"Viewer","permissions":["document:read"]}],
        "tenants":[{"key":"acme","name":"Acme"}],
        "users":[{"key":"ann","role_assignments":[{"role":"editor","tenant":"acme"}]}]})");
    router r(config);
    BOOST_TEST(r.data().user_count() == 1u);
    BOOST_TEST(r.data().tenant_count() == 2u);  // default + acme
    BOOST_TEST(r.data().effective_permissions("editor").count("document:read") == 1u);

    config.initial_state =
        json::parse(R"({"users":[{"key":"bob","role_assignments":[{"role":"ghost"}]}]})");
    BOOST_CHECK_THROW(router{config}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
