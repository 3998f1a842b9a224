// The emulator as Permit's services (docs/emulator.md "The API, the PDP and OPA"): the REST API,
// the PDP on a port of its own with its facts proxy at both of its paths, an OPA endpoint that
// decides as `/allowed` does, keys of every level, and the answers Permit gives where an object
// was created without an optional field.
//
// Timing: as in facts_proxy_test.cpp, a lower bound ("answered after the delay") is asserted
// always, and "denied right after a write" only when the check came before the delay had passed.
#include <chrono>
#include <optional>
#include <string>

#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"
#include "support/slowdown.hpp"

using namespace permit_test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

const std::chrono::milliseconds propagation = 300ms * slowdown;

const char* const policy = R"({
    "resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}}}],
    "roles":[{"key":"viewer","name":"Viewer","permissions":["document:read"]}],
    "users":[{"key":"ann","role_assignments":[{"role":"viewer","tenant":"default"}]}]})";

/// The three services on ports of their own, the PDP lagging by `delay`.
permit::testing::emulator_config three_services(std::chrono::milliseconds delay = 0ms) {
    permit::testing::emulator_config c;
    c.pdp_port = 0;
    c.opa_port = 0;
    c.pdp_propagation_delay = delay;
    c.initial_state = json::parse(policy);
    return c;
}

json::object viewer(const std::string& key) {
    return {
        {"key", key},
        {"role_assignments", json::array{json::object{{"role", "viewer"}, {"tenant", "default"}}}}};
}

json::object query(const std::string& user, const std::string& action = "read") {
    return {{"user", json::object{{"key", user}}},
            {"action", action},
            {"resource", json::object{{"type", "document"}}}};
}

const json::value not_found_body = json::parse(R"({"detail":"Not Found"})");

/// An emulator with the API, the PDP and OPA on three ports, and a client of each.
struct services : fresh_emulator {
    explicit services(std::chrono::milliseconds delay = 0ms)
        : fresh_emulator(three_services(delay))
        , api(connect())
        , pdp(emu.pdp_port(), config().api_key, config().project_key, config().environment_key)
        , opa(emu.opa_port()) {}

    api_client api;
    api_client pdp;
    http_connection opa;

    /// `POST path` to OPA, which takes no key.
    response ask_opa(const std::string& path, const json::value& body) {
        return opa.request(http::verb::post, path, json::serialize(body));
    }
    bool allowed_by_pdp(const std::string& user, const std::string& action = "read") {
        auto r = pdp.post("/allowed", query(user, action));
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json().at("allow").as_bool();
    }
};

struct lagging_services : services {
    lagging_services() : services(propagation) {}
};

std::string ms(clock_type::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_services)

// ----- listeners -------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(with_one_port_the_api_and_the_pdp_share_it_and_there_is_no_opa,
                        emulator_fixture) {
    BOOST_TEST(emu.pdp_port() == emu.port());
    BOOST_TEST(emu.pdp_url() == emu.url());
    BOOST_TEST(emu.opa_port() == 0u);
    BOOST_TEST(emu.opa_url().empty());
    PERMIT_REQUIRE_STATUS(pdp("/allowed", query("nobody")), 200);
    PERMIT_REQUIRE_STATUS(api.get("/v2/api-key/scope"), 200);
    // The facts proxy at /facts/...; /v2/facts/... is the API's.
    PERMIT_REQUIRE_STATUS(raw(http::verb::get, "/facts/users", std::nullopt, api.authorization()),
                          200);
}

BOOST_FIXTURE_TEST_CASE(each_service_answers_on_its_own_port_and_only_its_own_routes, services) {
    BOOST_TEST(emu.pdp_port() != emu.port());
    BOOST_TEST(emu.opa_port() != emu.port());
    BOOST_TEST(emu.opa_port() != emu.pdp_port());
    BOOST_TEST(emu.pdp_url() == "http://127.0.0.1:" + std::to_string(emu.pdp_port()));

    // The PDP's routes are not the API's...
    for (const char* route : {"/allowed", "/allowed/bulk", "/user-permissions"}) {
        auto r = api.post(route, query("ann"));
        BOOST_TEST(r.status == 404u, route << " on the API's port: " << r.body);
        BOOST_TEST(r.json() == not_found_body);
    }
    BOOST_TEST(api.get("/facts/users").status == 404u);
    // ...nor the API's the PDP's.
    BOOST_TEST(pdp.get("/v2/api-key/scope").status == 404u);
    BOOST_TEST(pdp.get(pdp.schema("/roles")).status == 404u);
    // OPA answers its two routes only.
    BOOST_TEST(ask_opa("/allowed", query("ann")).status == 404u);
    BOOST_TEST(opa.request(http::verb::get, "/v2/api-key/scope", std::nullopt, api.authorization())
                   .status == 404u);

    // Each answers its own.
    PERMIT_REQUIRE_STATUS(api.get("/v2/api-key/scope"), 200);
    PERMIT_REQUIRE_STATUS(api.get(api.facts("/users")), 200);
    BOOST_TEST(allowed_by_pdp("ann"));
    BOOST_TEST(!allowed_by_pdp("ann", "write"));
    auto opa_answer = ask_opa("/v1/data/permit/root", json::object{{"input", query("ann")}});
    PERMIT_REQUIRE_STATUS(opa_answer, 200);
    BOOST_TEST(opa_answer.json().at("result").at("allow").as_bool());
    // Health checks everywhere they are in Permit: the API's port (one-port mode's) and the PDP.
    PERMIT_REQUIRE_STATUS(pdp.get("/healthy"), 200);

    const auto stats = emu.stats();
    BOOST_TEST(stats.requests_by_route.at("POST /allowed") == 2u);
    BOOST_TEST(stats.requests_by_route.at("POST /v1/data/permit/root") == 1u);
}

BOOST_AUTO_TEST_CASE(the_pdp_alone_on_its_port_is_refused_a_key_it_does_not_know) {
    auto config = three_services();
    config.more_api_keys = {
        {.key = "permit_key_project", .level = permit::testing::key_level::project}};
    fresh_emulator f(config);
    api_client project_pdp(f.emu.pdp_port(), "permit_key_project", "default", "production");
    auto r = project_pdp.post("/allowed", query("ann"));
    BOOST_TEST(r.status == 403u);
    BOOST_TEST(r.body ==
               "You are not authorized to access this resource, please check your API key.");
}

// ----- the facts proxy at both paths -----------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(a_write_through_the_pdp_at_either_path_waits_until_the_pdp_has_it,
                        lagging_services) {
    const std::string v2_path = pdp.facts("/users/jane");  // /v2/facts/{proj}/{env}/users/jane
    for (const std::string& target : {std::string("/facts/users/joe"), v2_path}) {
        BOOST_TEST_CONTEXT(target) {
            const auto user = target.substr(target.rfind('/') + 1);
            const auto start = clock_type::now();
            auto r = pdp.put(target, viewer(user));
            const auto took = clock_type::now() - start;
            PERMIT_REQUIRE_STATUS(r, 201);  // created by the upsert
            BOOST_TEST(r.json().at("key").as_string() == user);
            BOOST_TEST(took >= propagation, "answered after " << ms(took));
            BOOST_TEST(allowed_by_pdp(user), "the next check after the write");
        }
    }
    const auto stats = emu.stats();
    BOOST_TEST(stats.facts_sync_waits == 2u);
    BOOST_TEST(stats.requests_by_route.at("PUT /facts/users/{user_id}") == 1u);
    BOOST_TEST(
        stats.requests_by_route.at("PUT /v2/facts/{proj_id}/{env_id}/users/{user_id} (pdp)") == 1u);
    BOOST_TEST(emu.user_count() == 3u);
}

BOOST_FIXTURE_TEST_CASE(a_write_to_the_api_does_not_wait_and_the_pdp_lags_behind_it,
                        lagging_services) {
    const auto start = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.put(api.facts("/users/jane"), viewer("jane")), 201);
    const bool allow = allowed_by_pdp("jane");
    const auto elapsed = clock_type::now() - start;
    if (elapsed < propagation)
        BOOST_TEST(!allow, "checked " << ms(elapsed) << " after the write");
    else
        BOOST_TEST_MESSAGE("checked " << ms(elapsed) << " after the write: too late to tell");
    BOOST_TEST(emu.stats().facts_sync_waits == 0u);
}

BOOST_FIXTURE_TEST_CASE(the_v2_proxy_path_reads_the_wait_headers_as_the_facts_path_does,
                        lagging_services) {
    auto& conn = pdp.connection();
    auto req = conn.make_request(http::verb::put, pdp.facts("/users/jane"),
                                 json::serialize(viewer("jane")), pdp.authorization());
    req.set("X-Wait-Timeout", "0.01");
    req.set("X-Timeout-Policy", "fail");
    conn.send(req);
    auto r = conn.receive();
    BOOST_TEST(r.status == 424u);
    BOOST_TEST(r.body == R"({"detail":"Timeout waiting for update to be received"})");

    req.set("X-Wait-Timeout", "soon");
    conn.send(req);
    BOOST_TEST(conn.receive().status == 400u);
}

// ----- OPA -------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(opa_decides_each_query_as_allowed_does, services) {
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), viewer("bob")), 201);
    const json::array queries{
        query("ann"), query("ann", "write"), query("bob"), query("nobody"),
        json::object{{"user", json::object{{"key", "ann"}}},
                     {"action", "read"},
                     {"resource", json::object{{"type", "document"}, {"tenant", "elsewhere"}}}}};
    json::array from_pdp;
    for (const auto& q : queries) {
        auto single = pdp.post("/allowed", q);
        PERMIT_REQUIRE_STATUS(single, 200);
        auto from_opa = ask_opa("/v1/data/permit/root", json::object{{"input", q}});
        PERMIT_REQUIRE_STATUS(from_opa, 200);
        BOOST_TEST(from_opa.json() == (json::object{{"result", single.json()}}),
                   json::serialize(q));
        from_pdp.push_back(single.json());
    }
    BOOST_TEST(from_pdp[0].at("allow").as_bool());
    BOOST_TEST(!from_pdp[1].at("allow").as_bool());

    auto bulk_pdp = pdp.post("/allowed/bulk", queries);
    PERMIT_REQUIRE_STATUS(bulk_pdp, 200);
    auto bulk_opa =
        ask_opa("/v1/data/permit/bulk", json::object{{"input", json::object{{"checks", queries}}}});
    PERMIT_REQUIRE_STATUS(bulk_opa, 200);
    BOOST_TEST(bulk_opa.json() == (json::object{{"result", bulk_pdp.json()}}));
    BOOST_TEST(bulk_pdp.json().at("allow").as_array() == from_pdp);
}

BOOST_FIXTURE_TEST_CASE(opa_denies_a_query_it_cannot_read_and_refuses_a_body_that_is_not_json,
                        services) {
    auto malformed = ask_opa("/v1/data/permit/root", json::object{{"input", json::object{}}});
    PERMIT_REQUIRE_STATUS(malformed, 200);
    BOOST_TEST(!malformed.json().at("result").at("allow").as_bool());
    auto no_input = ask_opa("/v1/data/permit/root", json::object{});
    PERMIT_REQUIRE_STATUS(no_input, 200);
    BOOST_TEST(!no_input.json().at("result").at("allow").as_bool());
    auto text = opa.request(http::verb::post, "/v1/data/permit/root", std::string("allow?"));
    BOOST_TEST(text.status == 400u);
    BOOST_TEST(text.json().at("code").as_string() == "invalid_parameter");
}

BOOST_FIXTURE_TEST_CASE(opa_decides_on_the_pdp_s_view_of_the_state, lagging_services) {
    const auto start = clock_type::now();
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), viewer("jane")), 201);
    auto r = ask_opa("/v1/data/permit/root", json::object{{"input", query("jane")}});
    const auto elapsed = clock_type::now() - start;
    PERMIT_REQUIRE_STATUS(r, 200);
    if (elapsed < propagation)
        BOOST_TEST(!r.json().at("result").at("allow").as_bool(), "asked after " << ms(elapsed));
}

// ----- keys of every level ---------------------------------------------------------------------

struct every_key : fresh_emulator {
    every_key() : fresh_emulator(config_with_keys()), api(connect()) {}

    static permit::testing::emulator_config config_with_keys() {
        permit::testing::emulator_config c;
        c.more_api_keys = {
            {.key = "permit_key_project", .level = permit::testing::key_level::project},
            {.key = "permit_key_org", .level = permit::testing::key_level::organization},
            {.key = "permit_key_other_project",
             .level = permit::testing::key_level::project,
             .project_id = "0b5a8e2c-52a4-4bbf-8a4c-1ff0c5d7e1a0"}};
        return c;
    }

    response as(const std::string& key, http::verb verb, const std::string& target,
                const std::optional<std::string>& body = std::nullopt) {
        return api.connection().request(verb, target, body, "Bearer " + key);
    }

    api_client api;
};

BOOST_FIXTURE_TEST_CASE(the_scope_of_each_key_names_what_it_belongs_to, every_key) {
    const auto& c = config();
    auto scope = [&](const std::string& key) {
        auto r = as(key, http::verb::get, "/v2/api-key/scope");
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json();
    };
    BOOST_TEST(scope(c.api_key) == (json::object{{"organization_id", c.organization_id},
                                                 {"project_id", c.project_id},
                                                 {"environment_id", c.environment_id}}));
    BOOST_TEST(scope("permit_key_project") == (json::object{{"organization_id", c.organization_id},
                                                            {"project_id", c.project_id}}));
    BOOST_TEST(scope("permit_key_org") == (json::object{{"organization_id", c.organization_id}}));
    BOOST_TEST(scope("permit_key_other_project") ==
               (json::object{{"organization_id", c.organization_id},
                             {"project_id", "0b5a8e2c-52a4-4bbf-8a4c-1ff0c5d7e1a0"}}));
    BOOST_TEST(as("permit_key_unknown", http::verb::get, "/v2/api-key/scope").status == 403u);
}

BOOST_FIXTURE_TEST_CASE(a_key_reaches_the_environments_of_its_project_or_organization_only,
                        every_key) {
    const std::string users = api.facts("/users");
    const std::string body = R"({"key":"jane"})";
    PERMIT_REQUIRE_STATUS(as("permit_key_project", http::verb::post, users, body), 201);
    PERMIT_REQUIRE_STATUS(as("permit_key_org", http::verb::get, users), 200);

    auto refused = as("permit_key_other_project", http::verb::post, api.facts("/users"),
                      std::string(R"({"key":"joe"})"));
    BOOST_TEST(refused.status == 403u);
    BOOST_TEST(refused.json().at("error_code").as_string() == "FORBIDDEN_ACCESS");
    BOOST_TEST(as("permit_key_other_project", http::verb::get, api.schema("/roles")).status ==
               403u);
    BOOST_TEST(emu.user_count() == 1u);
}

// ----- answers as Permit gives them ------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(a_tenant_created_without_attributes_reads_them_back_as_null,
                        emulator_fixture) {
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/tenants"), json::object{{"key", "acme"}, {"name", "Acme"}}), 201);
    BOOST_TEST(get_ok(api.facts("/tenants/acme")).at("attributes").is_null());
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/tenants"),
                 json::object{{"key", "empty"}, {"name", "Empty"}, {"attributes", json::object{}}}),
        201);
    BOOST_TEST(get_ok(api.facts("/tenants/empty")).at("attributes") == json::object{});
    PERMIT_REQUIRE_STATUS(api.patch(api.facts("/tenants/acme"),
                                    json::object{{"attributes", json::object{{"plan", "pro"}}}}),
                          200);
    BOOST_TEST(get_ok(api.facts("/tenants/acme")).at("attributes") ==
               (json::object{{"plan", "pro"}}));
}

BOOST_FIXTURE_TEST_CASE(a_resource_s_roles_and_relations_are_kept, emulator_fixture) {
    PERMIT_REQUIRE_STATUS(
        api.post(api.schema("/resources"),
                 json::parse(R"({"key":"folder","name":"Folder","actions":{"read":{}}})")),
        201);
    auto created = api.post(api.schema("/resources"), json::parse(R"({
        "key":"document","name":"Document","actions":{"read":{},"edit":{}},
        "relations":{"parent":"folder"},
        "roles":{"editor":{"name":"Editor","permissions":["edit","document:read"],
                           "extends":[]}}})"));
    PERMIT_REQUIRE_STATUS(created, 201);
    const auto read = get_ok(api.schema("/resources/document"));
    const auto& relation = read.at("relations").at("parent");
    BOOST_TEST(relation.at("resource").as_string() == "folder");
    BOOST_TEST(relation.at("resource_id") == get_ok(api.schema("/resources/folder")).at("id"));
    const auto& editor = read.at("roles").at("editor");
    BOOST_TEST(editor.at("name").as_string() == "Editor");
    BOOST_TEST(editor.at("key").as_string() == "editor");
    BOOST_TEST(editor.at("resource").as_string() == "document");
    BOOST_TEST(editor.at("resource_id") == read.at("id"));
    BOOST_TEST(editor.at("permissions") == json::parse(R"(["edit","read"])"));
    BOOST_TEST(created.json().at("roles") == read.at("roles"));

    // A relation to a resource type that does not exist is not silently dropped.
    auto unknown = api.post(api.schema("/resources"), json::parse(R"({
        "key":"page","name":"Page","actions":{},"relations":{"parent":"book"}})"));
    BOOST_TEST(unknown.status == 404u);
    auto nameless = api.post(api.schema("/resources"), json::parse(R"({
        "key":"page","name":"Page","actions":{},"roles":{"reader":{"permissions":[]}}})"));
    BOOST_TEST(nameless.status == 422u);
    BOOST_TEST(api.get(api.schema("/resources/page")).status == 404u);
}

BOOST_AUTO_TEST_SUITE_END()
