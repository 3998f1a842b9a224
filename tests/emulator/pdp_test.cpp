// The PDP routes, authentication, the api-key scope and project/environment resolution
// (docs/emulator.md "Identity and authentication", "Routes and statuses";
// https://api.permit.io/v2/redoc#tag/API-Keys, permitio/PDP `pdp-server/src/api/authz/`, and the
// API's error bodies in https://api.permit.io/v2/redoc).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

/// seed_rbac; tenants acme and globex; jane: viewer in acme; eddie: editor in default;
/// ada: admin in default and viewer in globex.
struct pdp_fixture : emulator_fixture {
    pdp_fixture() {
        seed_rbac();
        create_tenant("acme");
        create_tenant("globex");
        create_user("jane");
        create_user("eddie");
        create_user("ada");
        assign("jane", "viewer", "acme");
        assign("eddie", "editor", "default");
        assign("ada", "admin", "default");
        assign("ada", "viewer", "globex");
    }
};

permit::testing::emulator_config config_with(permit::testing::key_level level) {
    permit::testing::emulator_config c;
    c.level = level;
    return c;
}

struct project_key_fixture : emulator_fixture {
    project_key_fixture() : emulator_fixture(config_with(permit::testing::key_level::project)) {}
};

struct organization_key_fixture : emulator_fixture {
    organization_key_fixture()
        : emulator_fixture(config_with(permit::testing::key_level::organization)) {}
};

const std::string missing_header_text = "Missing Authorization header";
const std::string wrong_key_text =
    "You are not authorized to access this resource, please check your API key.";

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_pdp)

BOOST_FIXTURE_TEST_CASE(allowed_with_a_role_granting_the_action, pdp_fixture) {
    auto r = pdp("/allowed", check_query("jane", "read", "document", "acme"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"allow":true,"result":true})"));
}

BOOST_FIXTURE_TEST_CASE(denied_without_a_role_granting_the_action, pdp_fixture) {
    auto r = pdp("/allowed", check_query("jane", "write", "document", "acme"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto v = body_json(r);
    BOOST_TEST(member(v, "allow") == json::value(false));
    BOOST_TEST(member(v, "result") == json::value(false));
    BOOST_TEST(!allowed("jane", "read", "folder", "acme"));       // no such resource type
    BOOST_TEST(!allowed("jane", "destroy", "document", "acme"));  // no such action
}

BOOST_FIXTURE_TEST_CASE(roles_are_scoped_to_their_tenant, pdp_fixture) {
    BOOST_TEST(allowed("jane", "read", "document", "acme"));
    BOOST_TEST(!allowed("jane", "read", "document", "globex"));
    BOOST_TEST(!allowed("jane", "read", "document", "default"));
    BOOST_TEST(!allowed("jane", "read", "document"));
    BOOST_TEST(!allowed("ada", "delete", "document", "globex"));
    BOOST_TEST(allowed("ada", "read", "document", "globex"));
}

BOOST_FIXTURE_TEST_CASE(resource_without_tenant_means_the_default_tenant, pdp_fixture) {
    BOOST_TEST(allowed("eddie", "write", "document"));
    BOOST_TEST(allowed("eddie", "write", "document", "default"));
    BOOST_TEST(!allowed("eddie", "write", "document", "acme"));
    // Only type: no key, no tenant, no context.
    auto r = pdp(
        "/allowed",
        json::parse(R"({"user":{"key":"eddie"},"action":"write","resource":{"type":"document"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(member(body_json(r), "allow") == json::value(true));
}

BOOST_FIXTURE_TEST_CASE(rbac_follows_extends_transitively, pdp_fixture) {
    // admin extends editor extends viewer.
    BOOST_TEST(allowed("ada", "delete", "document"));
    BOOST_TEST(allowed("ada", "write", "document"));
    BOOST_TEST(allowed("ada", "read", "document"));
    // editor extends viewer, but not admin.
    BOOST_TEST(allowed("eddie", "read", "document"));
    BOOST_TEST(!allowed("eddie", "delete", "document"));
    // viewer extends nothing.
    BOOST_TEST(!allowed("jane", "write", "document", "acme"));

    // A permission granted to viewer later reaches admin through the chain.
    create_resource("folder", {"open"});
    PERMIT_REQUIRE_STATUS(api.post(api.schema("/roles/viewer/permissions"),
                                   json::object{{"permissions", json::array{"folder:open"}}}),
                          200);
    BOOST_TEST(allowed("ada", "open", "folder"));
    BOOST_TEST(allowed("eddie", "open", "folder"));
}

BOOST_FIXTURE_TEST_CASE(user_names_in_either_spelling_are_accepted, pdp_fixture) {
    auto snake =
        pdp("/allowed", json::parse(R"({"user":{"key":"jane","first_name":"Jane","last_name":"Doe",
        "email":"jane@x.com","attributes":{"dept":"x"}},"action":"read",
        "resource":{"type":"document","key":"d1","tenant":"acme","context":{"tenant":"acme"}},"context":{}})"));
    PERMIT_CHECK_STATUS(snake, 200);
    BOOST_TEST(member(body_json(snake), "allow") == json::value(true));
    auto camel =
        pdp("/allowed", json::parse(R"({"user":{"key":"jane","firstName":"Jane","lastName":"Doe"},
        "action":"read","resource":{"type":"document","tenant":"acme"}})"));
    PERMIT_CHECK_STATUS(camel, 200);
    BOOST_TEST(member(body_json(camel), "allow") == json::value(true));
}

BOOST_FIXTURE_TEST_CASE(unknown_users_are_denied, pdp_fixture) {
    BOOST_TEST(!allowed("stranger", "read", "document"));
    BOOST_TEST(!allowed("stranger", "read", "document", "acme"));
}

BOOST_FIXTURE_TEST_CASE(malformed_check_queries_are_rejected, pdp_fixture) {
    // The legacy v1 form with `user` as a string.
    auto r = pdp(
        "/allowed",
        json::parse(
            R"({"user":"jane","action":"read","resource":{"type":"document","tenant":"acme"}})"));
    BOOST_TEST((r.status >= 400u && r.status < 500u), "status " << r.status << " body " << r.body);
    r = pdp("/allowed", json::parse(R"({"user":{"key":"jane"},"resource":{"type":"document"}})"));
    PERMIT_CHECK_STATUS(r, 422);
    r = pdp("/allowed", json::parse(R"({"user":{"key":"jane"},"action":"read"})"));
    PERMIT_CHECK_STATUS(r, 422);
    r = pdp(
        "/allowed",
        json::parse(
            R"({"user":{"first_name":"Jane"},"action":"read","resource":{"type":"document"}})"));
    PERMIT_CHECK_STATUS(r, 422);
    r = raw(http::verb::post, "/allowed", std::string("{not json"), api.authorization());
    PERMIT_CHECK_STATUS(r, 422);
}

BOOST_FIXTURE_TEST_CASE(bulk_answers_in_request_order, pdp_fixture) {
    json::array queries{
        check_query("jane", "read", "document", "acme"),
        check_query("jane", "read", "document", "globex"), check_query("ada", "delete", "document"),
        check_query("stranger", "read", "document"), check_query("eddie", "write", "document")};
    auto r = pdp("/allowed/bulk", queries);
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto v = body_json(r);
    const auto answers = member(v, "allow");
    BOOST_TEST_REQUIRE(answers.is_array(), "body: " << r.body);
    BOOST_TEST_REQUIRE(answers.get_array().size() == 5u);
    std::vector<std::string> got;
    for (const auto& a : answers.get_array()) {
        BOOST_TEST(member(a, "result") == member(a, "allow"), "item: " << a);
        got.push_back(json::serialize(member(a, "allow")));
    }
    BOOST_TEST(got == (std::vector<std::string>{"true", "false", "true", "false", "true"}));

    r = pdp("/allowed/bulk", json::array{});
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(member(body_json(r), "allow") == json::value(json::array{}));

    r = pdp("/allowed/bulk", json::object{{"checks", queries}});
    PERMIT_CHECK_STATUS(r, 422);
}

BOOST_FIXTURE_TEST_CASE(user_permissions_by_tenant, pdp_fixture) {
    // null filters, as the Python SDK sends them.
    auto r = pdp("/user-permissions",
                 json::parse(R"({"user":{"key":"ada"},"tenants":null,"resources":null,
                                                     "resource_types":null,"context":{}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    auto v = body_json(r);
    BOOST_TEST(member_names(v) ==
               (std::vector<std::string>{"__tenant:default", "__tenant:globex"}));
    const auto dflt = member(v, "__tenant:default");
    BOOST_TEST(sorted(strings_of(member(dflt, "permissions"))) ==
               (std::vector<std::string>{"document:delete", "document:read", "document:write"}));
    BOOST_TEST(strings_of(member(dflt, "roles")) == std::vector<std::string>{"admin"});
    if (has_member(dflt, "tenant"))  // optional in the result schema
        BOOST_TEST(str(member(dflt, "tenant"), "key") == "default", "entry: " << dflt);
    const auto globex = member(v, "__tenant:globex");
    BOOST_TEST(strings_of(member(globex, "permissions")) ==
               std::vector<std::string>{"document:read"});
    BOOST_TEST(strings_of(member(globex, "roles")) == std::vector<std::string>{"viewer"});

    // Filters left out, as the Node SDK does.
    r = pdp("/user-permissions", json::parse(R"({"user":{"key":"ada"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == v);

    // A tenants filter.
    r = pdp("/user-permissions",
            json::parse(R"({"user":{"key":"ada","firstName":"Ada"},"tenants":["globex"]})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(member_names(body_json(r)) == std::vector<std::string>{"__tenant:globex"});

    r = pdp("/user-permissions",
            json::parse(R"({"user":{"key":"jane"},"tenants":["acme","globex"]})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    v = body_json(r);
    BOOST_TEST(member_names(v) == std::vector<std::string>{"__tenant:acme"});
    BOOST_TEST(strings_of(member(member(v, "__tenant:acme"), "permissions")) ==
               std::vector<std::string>{"document:read"});

    // Unknown users have no permissions.
    r = pdp("/user-permissions", json::parse(R"({"user":{"key":"stranger"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));

    r = pdp("/user-permissions", json::parse(R"({"tenants":["acme"]})"));
    PERMIT_CHECK_STATUS(r, 422);
}

// ----- authentication ----------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(pdp_auth_answers_like_the_rust_pdp, pdp_fixture) {
    const auto body = json::serialize(check_query("jane", "read", "document", "acme"));
    auto r = raw(http::verb::post, "/allowed", body, std::nullopt);
    PERMIT_CHECK_STATUS(r, 401);
    BOOST_TEST(r.body == missing_header_text);

    r = raw(http::verb::post, "/allowed", body, std::string("Bearer not-the-key"));
    PERMIT_CHECK_STATUS(r, 403);
    BOOST_TEST(r.body == wrong_key_text);

    r = raw(http::verb::post, "/allowed/bulk", "[" + body + "]", std::nullopt);
    PERMIT_CHECK_STATUS(r, 401);
    r = raw(http::verb::post, "/user-permissions", R"({"user":{"key":"jane"}})",
            std::string("Bearer wrong"));
    PERMIT_CHECK_STATUS(r, 403);

    r = raw(http::verb::post, "/allowed", body, "bearer " + config().api_key);
    PERMIT_CHECK_STATUS(r, 200);
}

BOOST_FIXTURE_TEST_CASE(rest_auth_uses_error_details, emulator_fixture) {
    auto r = raw(http::verb::get, api.facts("/users"), std::nullopt, std::nullopt);
    PERMIT_CHECK_ERROR(r, 401, "UNAUTHORIZED");
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, std::string("Basic dXNlcjpwYXNz"));
    PERMIT_CHECK_ERROR(r, 401, "UNAUTHORIZED");
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, std::string("Bearer"));
    PERMIT_CHECK_ERROR(r, 401, "UNAUTHORIZED");
    r = raw(http::verb::get, api.facts("/users"), std::nullopt,
            std::string("Bearer permit_key_wrong"));
    PERMIT_CHECK_ERROR(r, 403, "FORBIDDEN_ACCESS");

    // Writes are refused without applying them.
    r = raw(http::verb::post, api.facts("/users"), std::string(R"({"key":"intruder"})"),
            std::string("Bearer nope"));
    PERMIT_CHECK_ERROR(r, 403, "FORBIDDEN_ACCESS");
    BOOST_TEST(emu.user_count() == 0u);

    // The scheme is case-insensitive.
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, "bearer " + config().api_key);
    PERMIT_CHECK_STATUS(r, 200);
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, "BEARER " + config().api_key);
    PERMIT_CHECK_STATUS(r, 200);
    r = raw(http::verb::get, "/v2/api-key/scope", std::nullopt, std::nullopt);
    PERMIT_CHECK_ERROR(r, 401, "UNAUTHORIZED");
}

BOOST_FIXTURE_TEST_CASE(health_needs_no_auth, emulator_fixture) {
    for (const auto* path : {"/health", "/healthy", "/ready"}) {
        BOOST_TEST_CONTEXT("GET " << path) {
            PERMIT_CHECK_STATUS(raw(http::verb::get, path, std::nullopt, std::nullopt), 200);
        }
    }
}

// ----- api-key scope and project/environment resolution --------------------------------

BOOST_FIXTURE_TEST_CASE(api_key_scope_returns_the_configured_ids, emulator_fixture) {
    const auto v = get_ok("/v2/api-key/scope");
    BOOST_TEST(str(v, "organization_id") == config().organization_id);
    BOOST_TEST(str(v, "project_id") == config().project_id);
    BOOST_TEST(str(v, "environment_id") == config().environment_id);
    BOOST_TEST(unexpected_members(v, {"organization_id", "project_id", "environment_id"}).empty(),
               "body: " << v);
}

BOOST_FIXTURE_TEST_CASE(api_key_scope_with_custom_ids, emulator_fixture) {
    // Another emulator with its own ids.
    permit::testing::emulator_config c;
    c.organization_id = "11111111-1111-4111-8111-111111111111";
    c.project_id = "22222222-2222-4222-8222-222222222222";
    c.environment_id = "33333333-3333-4333-8333-333333333333";
    c.project_key = "proj";
    c.environment_key = "staging";
    c.api_key = "permit_key_custom";
    emulator_fixture other(c);
    const auto v = other.get_ok("/v2/api-key/scope");
    BOOST_TEST(str(v, "organization_id") == c.organization_id);
    BOOST_TEST(str(v, "project_id") == c.project_id);
    BOOST_TEST(str(v, "environment_id") == c.environment_id);
    PERMIT_CHECK_STATUS(other.api.get("/v2/facts/proj/staging/users"), 200);
    PERMIT_CHECK_STATUS(
        other.api.get("/v2/facts/" + c.project_id + "/" + c.environment_id + "/users"), 200);
    PERMIT_CHECK_ERROR(other.api.get("/v2/facts/default/production/users"), 404, "NOT_FOUND");
    // This fixture's key is not the other emulator's key.
    auto r = other.raw(http::verb::get, "/v2/api-key/scope", std::nullopt, api.authorization());
    PERMIT_CHECK_ERROR(r, 403, "FORBIDDEN_ACCESS");
}

BOOST_FIXTURE_TEST_CASE(project_level_key_has_no_environment_id, project_key_fixture) {
    const auto v = get_ok("/v2/api-key/scope");
    BOOST_TEST(str(v, "organization_id") == config().organization_id);
    BOOST_TEST(str(v, "project_id") == config().project_id);
    BOOST_TEST(absent_or_null(v, "environment_id"), "body: " << v);
}

BOOST_FIXTURE_TEST_CASE(organization_level_key_has_only_the_organization_id,
                        organization_key_fixture) {
    const auto v = get_ok("/v2/api-key/scope");
    BOOST_TEST(str(v, "organization_id") == config().organization_id);
    BOOST_TEST(absent_or_null(v, "project_id"), "body: " << v);
    BOOST_TEST(absent_or_null(v, "environment_id"), "body: " << v);
}

BOOST_FIXTURE_TEST_CASE(unknown_project_or_environment_is_404, emulator_fixture) {
    PERMIT_CHECK_ERROR(api.get("/v2/facts/no-such-project/production/users"), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get("/v2/facts/default/no-such-env/users"), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get("/v2/schema/no-such-project/production/roles"), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(
        api.post("/v2/facts/no-such-project/production/users", json::object{{"key", "lost"}}), 404,
        "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get("/v2/facts/497f6eca-6276-4993-bfeb-53cbbbba6f08/production/users"),
                       404, "NOT_FOUND");
    BOOST_TEST(emu.user_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(project_and_environment_by_uuid_or_key, emulator_fixture) {
    auto by_uuid = uuid_client();
    BOOST_TEST(by_uuid.facts("/users") ==
               "/v2/facts/" + config().project_id + "/" + config().environment_id + "/users");

    // Written through one form, read through the other.
    auto r = by_uuid.post(by_uuid.facts("/users"), json::object{{"key", "via-uuid"}});
    PERMIT_REQUIRE_STATUS(r, 201);
    BOOST_TEST(str(get_ok(api.facts("/users/via-uuid")), "key") == "via-uuid");
    create_user("via-key");
    r = by_uuid.get(by_uuid.facts("/users"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(pluck(data_of(body_json(r))) == (std::vector<std::string>{"via-uuid", "via-key"}));

    r = by_uuid.post(by_uuid.schema("/resources"),
                     json::parse(R"({"key":"document","name":"D","actions":{"read":{}}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    BOOST_TEST(pluck(get_ok(api.schema("/resources"))) == std::vector<std::string>{"document"});

    // Mixed: project by key, environment by UUID, and the reverse.
    PERMIT_CHECK_STATUS(api.get("/v2/facts/" + config().project_key + "/" +
                                config().environment_id + "/users/via-key"),
                        200);
    PERMIT_CHECK_STATUS(api.get("/v2/facts/" + config().project_id + "/" +
                                config().environment_key + "/users/via-key"),
                        200);
}

BOOST_AUTO_TEST_SUITE_END()
