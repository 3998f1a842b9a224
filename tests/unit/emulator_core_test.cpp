// The emulator's sans-io parts, driven without sockets and with an injected clock: path
// patterns, sliding windows, rate classes, fault decisions, request validation, the router, the
// PDP's facts proxy headers and the PDP's delayed view.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <permit/testing/config_json.hpp>
#include <permit/testing/detail/facts_proxy.hpp>
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

BOOST_AUTO_TEST_CASE(validation_locates_errors_in_arrays_and_maps_of_objects) {
    // A bulk body: the error names the item's index, then the field.
    const auto bulk =
        check_body_array(json::parse(R"([{"key":"a"},{"key":"b c"}])"), schemas::user_create);
    const auto bulk_body = bulk.body();
    const auto& item = bulk_body.at("detail").as_array().at(0);
    BOOST_TEST(json::serialize(item.at("loc")) == R"(["body",1,"key"])");
    BOOST_TEST(check_body_array(json::parse(R"([{"key":"a"},{"key":"b"}])"), schemas::user_create)
                   .empty());
    // A member of an object map: the error names the member's key.
    const object_schema no_fields{};  // every member is an extra one
    const field map_fields[] = {{"things", field_type::object_map, true, &no_fields}};
    const object_schema outer{.fields = map_fields};
    const auto mapped = check_body(json::parse(R"({"things":{"ok":{},"bad":{"x":1}}})"), outer);
    const auto mapped_body = mapped.body();
    const auto& extra = mapped_body.at("detail").as_array().at(0);
    BOOST_TEST(json::serialize(extra.at("loc")) == R"(["body","things","bad","x"])");
    BOOST_TEST(extra.at("type").as_string() == "value_error.extra");
}

BOOST_AUTO_TEST_CASE(records_are_found_by_id_only_while_they_hold_it) {
    auto record = [](std::uint64_t seq, std::string key, std::string id) {
        user_record r;
        r.seq = seq;
        r.key = std::move(key);
        r.id = std::move(id);
        return r;
    };
    const std::string alice_1 = "3878d8e7-6408-41ec-b0f6-b6c82331a178";
    const std::string bob = "493688fb-d840-4c9a-ba27-d84a5b8658e9";
    const std::string alice_2 = "7d0f7a52-1b8e-4c3e-9a55-0f4b8f3f9e10";
    keyed_collection<user_record> users;
    users.insert(record(1, "alice", alice_1));
    users.insert(record(2, "bob", bob));
    // Erased and made again under a new id, all before any lookup by id.
    users.erase("alice");
    users.insert(record(3, "alice", alice_2));
    BOOST_TEST(!users.find(alice_1));
    BOOST_TEST_REQUIRE(users.find(alice_2));
    BOOST_TEST(users.find(alice_2)->key == "alice");
    BOOST_TEST(users.find(bob)->key == "bob");
    // Erased after its id was looked up.
    users.erase("bob");
    BOOST_TEST(!users.find(bob));
    BOOST_TEST(users.find("alice")->id == alice_2);
    // An id that is not a UUID (a project's from the configuration, say) is found as well.
    BOOST_TEST(!users.find("project-one"));
    users.insert(record(4, "carol", "project-one"));
    BOOST_TEST_REQUIRE(users.find("project-one"));
    BOOST_TEST(users.find("project-one")->key == "carol");
    BOOST_TEST(!users.find("nobody"));
    std::vector<std::string> order;
    users.for_each([&](const user_record& r) { order.push_back(r.key); });
    BOOST_TEST(order == (std::vector<std::string>{"alice", "carol"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ids_and_timestamps_have_the_apis_formats) {
    uuid_source a(7), b(7);
    for (int i = 0; i < 100; ++i) {
        const auto id = a.next();
        BOOST_TEST(id == b.next(), "the same seed gives the same ids");
        BOOST_TEST_REQUIRE(looks_like_uuid(id));
        BOOST_TEST(id[14] == '4', "version 4: " << id);
        BOOST_TEST(std::string_view("89ab").find(id[19]) != std::string_view::npos,
                   "RFC 4122 variant: " << id);
        BOOST_TEST(id.find_first_of("ABCDEF") == std::string::npos, "lowercase: " << id);
    }
    auto utc_now = [] {
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
        return std::string(text);
    };
    const auto before = utc_now();
    const auto stamp = iso8601_now();
    const auto after = utc_now();
    BOOST_TEST_REQUIRE(stamp.size() == 27u, stamp);
    BOOST_TEST(stamp.substr(0, 19) >= before, stamp << " against " << before);
    BOOST_TEST(stamp.substr(0, 19) <= after, stamp << " against " << after);
    BOOST_TEST(stamp[19] == '.');
    BOOST_TEST(stamp.substr(20, 6).find_first_not_of("0123456789") == std::string::npos, stamp);
    BOOST_TEST(stamp.back() == 'Z');
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

// ----- the PDP's facts proxy ----------------------------------------------------------------

namespace {

/// The timeout `X-Wait-Timeout: value` gives (absent when the wait has no limit).
std::optional<std::chrono::nanoseconds> wait_for(std::string_view value) {
    return read_facts_sync_headers(value, std::nullopt, 10s, facts_timeout_policy::ignore).timeout;
}

/// The `detail` of the 400 that the headers get, or "" when they pass.
std::string refusal(std::optional<std::string_view> wait, std::optional<std::string_view> policy) {
    try {
        read_facts_sync_headers(wait, policy, 10s, facts_timeout_policy::ignore);
    } catch (const api_failure& f) {
        BOOST_TEST(f.status == 400u);
        return std::string(f.body.at("detail").as_string());
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(wait_timeout_is_read_as_python_reads_a_float) {
    BOOST_TEST((wait_for("10.0") == std::chrono::nanoseconds(10s)));
    BOOST_TEST((wait_for("10") == std::chrono::nanoseconds(10s)));
    BOOST_TEST((wait_for("0.05") == std::chrono::nanoseconds(50ms)));
    BOOST_TEST((wait_for(" 2.5 ") == std::chrono::nanoseconds(2500ms)));
    BOOST_TEST((wait_for("+3") == std::chrono::nanoseconds(3s)));
    BOOST_TEST((wait_for(".5") == std::chrono::nanoseconds(500ms)));
    BOOST_TEST((wait_for("5.") == std::chrono::nanoseconds(5s)));
    BOOST_TEST((wait_for("1_0") == std::chrono::nanoseconds(10s)));
    BOOST_TEST((wait_for("1e1") == std::chrono::nanoseconds(10s)));
    BOOST_TEST((wait_for("2E-3") == std::chrono::nanoseconds(2ms)));
    BOOST_TEST((wait_for("1e-999") == std::chrono::nanoseconds(0)));  // Python's underflow: 0
    // 0 does not wait; NaN, a float to Python, times out at once as 0 does.
    BOOST_TEST((wait_for("0") == std::chrono::nanoseconds(0)));
    BOOST_TEST((wait_for("-0") == std::chrono::nanoseconds(0)));
    BOOST_TEST((wait_for("nan") == std::chrono::nanoseconds(0)));
    // Negative, empty, infinite or beyond 10^9 s: no limit.
    BOOST_TEST(!wait_for("-1").has_value());
    BOOST_TEST(!wait_for("-0.5").has_value());
    BOOST_TEST(!wait_for("").has_value());
    BOOST_TEST(!wait_for("inf").has_value());
    BOOST_TEST(!wait_for("-Infinity").has_value());
    BOOST_TEST(!wait_for("1e300").has_value());
    BOOST_TEST(!wait_for("1e999").has_value());  // Python's overflow: inf
}

BOOST_AUTO_TEST_CASE(wait_timeout_that_is_not_a_float_is_refused) {
    BOOST_TEST(refusal("abc", std::nullopt) ==
               "Invalid X-Wait-timeout header, expected float, got 'abc'");
    for (const char* bad : {"10s", "1__0", "_1", "1_", "1_.5", "--1", "+-1", ".", "e5", "1e",
                            "0x10", "1,5", "1 0", "infinite", "   "}) {
        BOOST_TEST_CONTEXT("X-Wait-Timeout: '" << bad << "'") {
            BOOST_TEST(refusal(bad, std::nullopt).starts_with("Invalid X-Wait-timeout header"));
        }
    }
    BOOST_TEST(refusal("it's", std::nullopt) ==
               R"(Invalid X-Wait-timeout header, expected float, got "it's")");
}

BOOST_AUTO_TEST_CASE(timeout_policy_is_read_case_insensitively) {
    auto policy = [](std::optional<std::string_view> v, facts_timeout_policy dflt) {
        return read_facts_sync_headers(std::nullopt, v, 10s, dflt).policy;
    };
    BOOST_TEST((policy("fail", facts_timeout_policy::ignore) == facts_timeout_policy::fail));
    BOOST_TEST((policy("FAIL", facts_timeout_policy::ignore) == facts_timeout_policy::fail));
    BOOST_TEST((policy("Fail", facts_timeout_policy::ignore) == facts_timeout_policy::fail));
    BOOST_TEST((policy("IGNORE", facts_timeout_policy::fail) == facts_timeout_policy::ignore));
    BOOST_TEST(
        (policy(std::nullopt, facts_timeout_policy::ignore) == facts_timeout_policy::ignore));
    BOOST_TEST((policy(std::nullopt, facts_timeout_policy::fail) == facts_timeout_policy::fail));
    BOOST_TEST(refusal(std::nullopt, "never") ==
               "Invalid X-Timeout-Policy header, expected one of ['ignore', 'fail'], got 'never'");
    BOOST_TEST(refusal(std::nullopt, "") ==
               "Invalid X-Timeout-Policy header, expected one of ['ignore', 'fail'], got ''");
    BOOST_TEST(refusal(std::nullopt, "fail, ignore").starts_with("Invalid X-Timeout-Policy"));
    // The header's default, when absent, is the configured one; a negative default: no limit.
    BOOST_TEST(
        (read_facts_sync_headers(std::nullopt, std::nullopt, 1500ms, facts_timeout_policy::ignore)
             .timeout == std::chrono::nanoseconds(1500ms)));
    BOOST_TEST(
        !read_facts_sync_headers(std::nullopt, std::nullopt, -1ms, facts_timeout_policy::ignore)
             .timeout.has_value());
}

BOOST_AUTO_TEST_CASE(header_values_are_quoted_as_python_repr_quotes_them) {
    BOOST_TEST(python_repr("abc") == "'abc'");
    BOOST_TEST(python_repr("") == "''");
    BOOST_TEST(python_repr("it's") == "\"it's\"");
    BOOST_TEST(python_repr("a'b\"c") == R"('a\'b"c')");
    BOOST_TEST(python_repr("back\\slash") == R"('back\\slash')");
    BOOST_TEST(python_repr("\x01\t") == R"('\x01\t')");
    BOOST_TEST(python_repr("caf\xe9") == "'caf\xc3\xa9'");  // Latin-1 é, as UTF-8
    BOOST_TEST(python_repr("\xa0") == R"('\xa0')");
}

BOOST_AUTO_TEST_CASE(only_the_documented_facts_writes_wait) {
    using v = std::vector<std::string>;
    BOOST_TEST(facts_route_waits("POST", v{"users"}));
    BOOST_TEST(facts_route_waits("POST", v{"tenants"}));
    BOOST_TEST(facts_route_waits("PUT", v{"users", "jane"}));
    BOOST_TEST(facts_route_waits("PATCH", v{"users", "jane"}));
    BOOST_TEST(facts_route_waits("POST", v{"users", "jane", "roles"}));
    BOOST_TEST(facts_route_waits("DELETE", v{"users", "jane", "roles"}));
    BOOST_TEST(facts_route_waits("POST", v{"role_assignments"}));
    BOOST_TEST(facts_route_waits("DELETE", v{"role_assignments"}));

    BOOST_TEST(!facts_route_waits("GET", v{"users"}));
    BOOST_TEST(!facts_route_waits("GET", v{"users", "jane"}));
    BOOST_TEST(!facts_route_waits("DELETE", v{"users", "jane"}));
    BOOST_TEST(!facts_route_waits("PATCH", v{"tenants", "acme"}));
    BOOST_TEST(!facts_route_waits("DELETE", v{"tenants", "acme"}));
    BOOST_TEST(!facts_route_waits("POST", v{"tenants", "acme", "users"}));
    BOOST_TEST(!facts_route_waits("POST", v{"bulk", "users"}));
    BOOST_TEST(!facts_route_waits("PUT", v{"bulk", "users"}));
    BOOST_TEST(!facts_route_waits("POST", v{"role_assignments", "bulk"}));
    BOOST_TEST(!facts_route_waits("DELETE", v{"role_assignments", "bulk"}));
    BOOST_TEST(!facts_route_waits("POST", v{"users", "jane", "roles", "x"}));
    BOOST_TEST(!facts_route_waits("PUT", v{"tenants"}));
    // The ReBAC writes that wait.
    BOOST_TEST(facts_route_waits("POST", v{"resource_instances"}));
    BOOST_TEST(facts_route_waits("PATCH", v{"resource_instances", "document:d1"}));
    BOOST_TEST(!facts_route_waits("DELETE", v{"resource_instances", "document:d1"}));
    BOOST_TEST(facts_route_waits("POST", v{"relationship_tuples"}));
    BOOST_TEST(!facts_route_waits("DELETE", v{"relationship_tuples"}));
}

BOOST_FIXTURE_TEST_CASE(router_forwards_facts_to_its_own_environment, router_fixture) {
    BOOST_TEST(r.route_name("PUT", *parse_target("/facts/users/a%7Cb")) ==
               "PUT /facts/users/{user_id}");
    BOOST_TEST(r.route_name("POST", *parse_target("/facts/bulk/users")) ==
               "POST /facts/bulk/users");
    BOOST_TEST(r.route_name("GET", *parse_target("/facts/nowhere")) == "GET /facts/<unmatched>");

    const auto del =
        r.find("DELETE", *parse_target("/facts/role_assignments?return_deleted=false&x=1"));
    BOOST_TEST_REQUIRE(del.proxy.has_value());
    BOOST_TEST(del.proxy->waits);
    BOOST_TEST(del.proxy->upstream.path == "/v2/facts/" + config.project_id + "/" +
                                               config.environment_id + "/role_assignments");
    const std::vector<std::pair<std::string, std::string>> forced{{"x", "1"},
                                                                  {"return_deleted", "true"}};
    BOOST_TEST((del.proxy->upstream.query == forced));
    const auto user_del = r.find("DELETE", *parse_target("/facts/users/a?return_deleted=false"));
    BOOST_TEST(!user_del.proxy->waits);
    BOOST_TEST(user_del.proxy->upstream.query.size() == 1u);
    BOOST_TEST(user_del.proxy->upstream.query[0].second == "false");

    const auto created = call("POST", "/facts/users", R"({"key":"a|b"})");
    BOOST_TEST(created.status == 201u);
    BOOST_TEST(call("GET", "/facts/users/a%7Cb").body == created.body);
    BOOST_TEST(r.data().user_count() == 1u);
    BOOST_TEST(call("GET", "/facts/nowhere").status == 404u);
}

BOOST_AUTO_TEST_CASE(facts_requests_are_checked_in_the_pdps_order) {
    emulator_config config;
    config.level = key_level::project;
    router r(config);
    const std::string good = "Bearer " + config.api_key;
    const auto post_users = r.find("POST", *parse_target("/facts/users"));
    const auto get_users = r.find("GET", *parse_target("/facts/users"));
    facts_sync sync;
    // Its key first (the Rust front end's text bodies), then the sync headers, then the level.
    const auto wrong = r.check_facts_request(post_users, "Bearer nope", "abc", std::nullopt, sync);
    BOOST_TEST_REQUIRE(wrong.has_value());
    BOOST_TEST(wrong->status == 403u);
    BOOST_TEST(wrong->text.has_value());
    const auto missing =
        r.check_facts_request(post_users, std::nullopt, std::nullopt, std::nullopt, sync);
    BOOST_TEST_REQUIRE(missing.has_value());
    BOOST_TEST(missing->status == 401u);
    const auto bad_header = r.check_facts_request(post_users, good, "abc", std::nullopt, sync);
    BOOST_TEST_REQUIRE(bad_header.has_value());
    BOOST_TEST(bad_header->status == 400u);
    const auto level = r.check_facts_request(post_users, good, "1", "fail", sync);
    BOOST_TEST_REQUIRE(level.has_value());
    BOOST_TEST(level->status == 403u);
    BOOST_TEST(level->body ==
               json::parse(R"({"detail":"PDP API Key for environment is required."})"));
    // A route that does not wait does not read the headers.
    const auto get = r.check_facts_request(get_users, good, "abc", "never", sync);
    BOOST_TEST_REQUIRE(get.has_value());
    BOOST_TEST(get->status == 403u);

    emulator_config env_config;
    router env(env_config);
    const auto post = env.find("POST", *parse_target("/facts/users"));
    BOOST_TEST(!env.check_facts_request(post, good, "2.5", "FAIL", sync).has_value());
    BOOST_TEST((sync.timeout == std::chrono::nanoseconds(2500ms)));
    BOOST_TEST((sync.policy == facts_timeout_policy::fail));
}

BOOST_AUTO_TEST_CASE(decisions_see_writes_only_after_the_propagation_delay) {
    emulator_config config;
    config.pdp_propagation_delay = 100ms;
    config.initial_state = json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{}}}],
        "roles":[{"key":"viewer","name":"Viewer","permissions":["document:read"]}]})");
    router r(config);
    const std::string auth = "Bearer " + config.api_key;
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    const std::string check =
        R"({"user":{"key":"jane"},"action":"read","resource":{"type":"document"}})";
    auto allowed = [&](std::chrono::steady_clock::time_point at) {
        const auto reply =
            r.handle("POST", *parse_target("/allowed"), std::string_view(auth), check, at);
        BOOST_TEST(reply.status == 200u);
        return reply.body.at("allow").as_bool();
    };
    const std::string users = "/v2/facts/default/production/users";
    BOOST_TEST(!allowed(t0));
    BOOST_TEST(r.pdp_mark() == 0u);
    const auto created = r.handle("POST", *parse_target(users), std::string_view(auth),
                                  R"({"key":"jane","role_assignments":[{"role":"viewer"}]})", t0);
    BOOST_TEST(created.status == 201u);
    const auto mark = r.pdp_mark();
    BOOST_TEST(mark == 2u);                             // the user, then its role assignment
    BOOST_TEST(r.data().find_user("jane") != nullptr);  // the API has it at once
    BOOST_TEST(!r.pdp_has(mark, t0 + 99ms));
    BOOST_TEST(!allowed(t0 + 99ms));
    BOOST_TEST(r.pdp_data(t0 + 99ms).find_user("jane") == nullptr);
    BOOST_TEST(allowed(t0 + 100ms));
    BOOST_TEST(r.pdp_has(mark, t0 + 100ms));
    // The PDP's copy is the API's record: same id, same timestamps.
    const auto* copy = r.pdp_data(t0 + 100ms).find_user("jane");
    BOOST_TEST_REQUIRE(copy != nullptr);
    BOOST_TEST(copy->id == r.data().find_user("jane")->id);
    BOOST_TEST(copy->created_at == r.data().find_user("jane")->created_at);

    // A removal, and a deletion replayed with its cascade; a failed write changes nothing.
    const auto t1 = t0 + 1s;
    BOOST_TEST(r.handle("DELETE", *parse_target(users + "/jane/roles"), std::string_view(auth),
                        R"({"role":"viewer","tenant":"default"})", t1)
                   .status == 204u);
    BOOST_TEST(r.handle("POST", *parse_target(users), std::string_view(auth), R"({"key":"jane"})",
                        t1 + 10ms)
                   .status == 409u);
    BOOST_TEST(r.pdp_mark() == mark + 1);
    BOOST_TEST(allowed(t1 + 99ms));
    BOOST_TEST(!allowed(t1 + 100ms));
    BOOST_TEST(r.handle("POST", *parse_target(users + "/jane/roles"), std::string_view(auth),
                        R"({"role":"viewer"})", t1 + 200ms)
                   .status == 200u);
    BOOST_TEST(
        r.handle("DELETE", *parse_target(users + "/jane"), std::string_view(auth), "", t1 + 210ms)
            .status == 204u);
    BOOST_TEST(allowed(t1 + 305ms));  // the assignment is due, and not yet the deletion
    BOOST_TEST(r.pdp_data(t1 + 305ms).find_user("jane") != nullptr);
    const auto& later = r.pdp_data(t1 + 310ms);
    BOOST_TEST(later.find_user("jane") == nullptr);
    BOOST_TEST(later.role_assignment_count() == 0u);
    BOOST_TEST(later.user_count() == r.data().user_count());
}

BOOST_AUTO_TEST_CASE(without_a_propagation_delay_the_pdp_reads_the_apis_state) {
    emulator_config config;
    router r(config);
    const auto t = std::chrono::steady_clock::now();
    BOOST_TEST(&r.pdp_data(t) == &r.data());
    BOOST_TEST(r.pdp_mark() == 0u);
    BOOST_TEST(r.pdp_has(0, t));
    BOOST_TEST((r.pdp_delay() == std::chrono::nanoseconds(0)));
}

BOOST_AUTO_TEST_CASE(pdp_settings_from_json_reads_the_config_fields) {
    emulator_config c;
    pdp_settings_from_json(json::parse(R"({"pdp_propagation_delay_ms":300,
        "pdp_facts_wait_timeout_ms":-1,"pdp_facts_timeout_policy":"fail"})"),
                           c);
    BOOST_TEST(c.pdp_propagation_delay.count() == 300);
    BOOST_TEST(c.pdp_facts_wait_timeout.count() == -1);
    BOOST_TEST((c.pdp_facts_timeout_policy == facts_timeout_policy::fail));
    pdp_settings_from_json(json::parse(R"({"pdp_facts_timeout_policy":"ignore"})"), c);
    BOOST_TEST((c.pdp_facts_timeout_policy == facts_timeout_policy::ignore));
    BOOST_TEST(c.pdp_propagation_delay.count() == 300);  // not given: kept
    BOOST_CHECK_THROW(pdp_settings_from_json(json::parse(R"({"pdp_propagation_delay_ms":-5})"), c),
                      std::invalid_argument);
    BOOST_CHECK_THROW(pdp_settings_from_json(json::parse(R"({"pdp_propagation_delay_ms":1.5})"), c),
                      std::invalid_argument);
    BOOST_CHECK_THROW(
        pdp_settings_from_json(json::parse(R"({"pdp_facts_timeout_policy":"FAIL"})"), c),
        std::invalid_argument);
    BOOST_CHECK_THROW(pdp_settings_from_json(json::parse(R"({"propagation_delay_ms":1})"), c),
                      std::invalid_argument);
    BOOST_CHECK_THROW(pdp_settings_from_json(json::parse("[]"), c), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
