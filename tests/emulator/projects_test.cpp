// The emulator's organization, driven through its router without sockets: projects, environments
// (each with its own state, reached by the facts and schema routes), their copies, API keys of
// every level and what each reaches, and Elements logins.
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/detail/router.hpp>

namespace projects_suite {

namespace json = boost::json;
using namespace permit::testing;
using namespace permit::testing::detail;

const std::string org_key = "permit_key_org_of_the_tests";
const std::string project_key = "permit_key_project_of_the_tests";

/// A router with the emulator's environment-level key, an organization-level and a
/// project-level key, and the policy and data that the copies are made of.
struct organization_fixture {
    emulator_config config = make_config();
    router r{config};

    static emulator_config make_config() {
        emulator_config c;
        c.more_api_keys = {{.key = org_key, .level = key_level::organization},
                           {.key = project_key, .level = key_level::project}};
        c.initial_state = json::parse(R"({
            "resources":[
              {"key":"folder","name":"Folder","actions":{"read":{},"write":{}},
               "roles":{"owner":{"name":"Owner","permissions":["read","write"]}}},
              {"key":"document","name":"Document","actions":{"read":{},"edit":{}},
               "attributes":{"classification":{"type":"string"}},
               "relations":{"parent":"folder"},
               "roles":{"editor":{"name":"Editor","permissions":["edit"],
                                  "granted_to":{"users_with_role":[
                                    {"role":"owner","on_resource":"folder",
                                     "linked_by_relation":"parent"}]}},
                        "viewer":{"name":"Viewer","permissions":["read"]}}},
              {"key":"test_widget","name":"Widget","actions":{"use":{}}}],
            "roles":[
              {"key":"admin","name":"Admin","permissions":["document:edit"],"extends":["reader"]},
              {"key":"reader","name":"Reader","permissions":["document:read"]},
              {"key":"test_role","name":"Test role","permissions":["test_widget:use"]}],
            "tenants":[{"key":"acme","name":"Acme"}],
            "users":[{"key":"ann","role_assignments":[{"role":"reader","tenant":"acme"}]},
                     {"key":"bob"}],
            "resource_instances":[{"key":"plans","resource":"folder","tenant":"acme"}],
            "relationship_tuples":[{"subject":"folder:plans","relation":"parent",
                                    "object":"document:q3","tenant":"acme"}],
            "condition_sets":[
              {"key":"staff","name":"Staff","type":"userset",
               "conditions":{"allOf":[{"allOf":[{"user.department":{"equals":"staff"}}]}]}},
              {"key":"senior_staff","name":"Senior staff","type":"userset","parent_id":"staff",
               "conditions":{"allOf":[{"allOf":[{"user.years":{"greater-than":5}}]}]}},
              {"key":"test_users","name":"Test users","type":"userset",
               "conditions":{"allOf":[{"allOf":[{"user.test":{"equals":true}}]}]}},
              {"key":"public_docs","name":"Public documents","type":"resourceset",
               "resource_id":"document",
               "conditions":{"allOf":[{"allOf":[{"resource.classification":
                                                  {"equals":"public"}}]}]}}],
            "condition_set_rules":[
              {"user_set":"staff","permission":"document:read","resource_set":"public_docs"},
              {"user_set":"test_users","permission":"document:edit","resource_set":"public_docs"},
              {"user_set":"reader","is_role":true,"permission":"document:edit",
               "resource_set":"public_docs"}]})");
        return c;
    }

    organization_fixture() {
        // An action group and a user attribute, which only the API's routes make.
        BOOST_TEST_REQUIRE(call("POST", schema("/resources/document/action_groups"),
                                R"({"key":"editing","name":"Editing","actions":["read","edit"]})")
                               .status == 201u);
        BOOST_TEST_REQUIRE(
            call("POST", schema("/users/attributes"), R"({"key":"department","type":"string"})")
                .status == 201u);
    }

    reply call(std::string_view method, const std::string& target, std::string_view body = "",
               const std::string& key = "") {
        const auto auth = "Bearer " + (key.empty() ? config.api_key : key);
        return r.handle(method, *parse_target(target), std::string_view(auth), body);
    }
    reply as_org(std::string_view method, const std::string& target, std::string_view body = "") {
        return call(method, target, body, org_key);
    }

    static std::string schema(const std::string& rest, const std::string& env = "production",
                              const std::string& project = "default") {
        return "/v2/schema/" + project + "/" + env + rest;
    }
    static std::string facts(const std::string& rest, const std::string& env = "production",
                             const std::string& project = "default") {
        return "/v2/facts/" + project + "/" + env + rest;
    }

    /// Makes environment `key` in the emulator's project; returns its `EnvironmentRead`.
    json::object make_environment(const std::string& key) {
        const auto made = as_org("POST", "/v2/projects/default/envs",
                                 json::serialize(json::object{{"key", key}, {"name", key}}));
        BOOST_TEST_REQUIRE(made.status == 200u, json::serialize(made.body));
        return made.body.as_object();
    }

    /// Copies the emulator's environment as `body` says; returns the reply.
    reply copy(const std::string& body) {
        return as_org("POST", "/v2/projects/default/envs/production/copy", body);
    }

    /// The keys of a list reply (a bare array) or of an envelope's `data`.
    static std::vector<std::string> keys(const json::value& v, std::string_view field = "key") {
        const auto& items = v.is_object() ? v.at("data").as_array() : v.as_array();
        std::vector<std::string> out;
        for (const auto& item : items) out.emplace_back(item.at(field).as_string());
        return out;
    }
};

void check_error(const reply& got, unsigned status, std::string_view code) {
    BOOST_TEST_INFO("body: " << json::serialize(got.body));
    BOOST_TEST(got.status == status);
    BOOST_TEST_INFO("body: " << json::serialize(got.body));
    BOOST_TEST_REQUIRE(got.body.is_object());
    BOOST_TEST(got.body.at("error_code").as_string() == code);
}

void check_422(const reply& got, const json::array& loc, std::string_view type) {
    BOOST_TEST_INFO("body: " << json::serialize(got.body));
    BOOST_TEST_REQUIRE(got.status == 422u);
    bool found = false;
    for (const auto& item : got.body.at("detail").as_array())
        found = found || (item.at("loc") == loc && item.at("type").as_string() == type);
    BOOST_TEST(found, "no " << type << " at " << json::serialize(loc) << " in "
                            << json::serialize(got.body));
}

BOOST_FIXTURE_TEST_SUITE(emulator_projects, organization_fixture)

// ----- projects ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_emulator_s_project_is_listed_and_read_by_key_or_id) {
    const auto list = as_org("GET", "/v2/projects");
    BOOST_TEST_REQUIRE(list.status == 200u);
    BOOST_TEST_REQUIRE(list.body.is_array());
    BOOST_TEST(keys(list.body) == std::vector<std::string>{"default"});
    const auto& own = list.body.at(0);
    BOOST_TEST(own.at("id").as_string() == config.project_id);
    BOOST_TEST(own.at("organization_id").as_string() == config.organization_id);
    for (const auto* field : {"created_at", "updated_at", "name"})
        BOOST_TEST(own.as_object().contains(field), field);
    BOOST_TEST(as_org("GET", "/v2/projects/" + config.project_id).body == own);
    // An environment-level key reads its own project, as the SDKs let it.
    BOOST_TEST(call("GET", "/v2/projects/default").body == own);
    check_error(as_org("GET", "/v2/projects/nowhere"), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(a_project_is_made_with_its_initial_environments) {
    const auto made = as_org("POST", "/v2/projects", R"({"key":"shop","name":"Shop",
                                                        "description":"The shop"})");
    BOOST_TEST_REQUIRE(made.status == 200u, json::serialize(made.body));
    BOOST_TEST(made.body.at("key").as_string() == "shop");
    BOOST_TEST(made.body.at("description").as_string() == "The shop");
    BOOST_TEST(!made.body.as_object().contains("initial_environments"));
    const auto envs = as_org("GET", "/v2/projects/shop/envs");
    BOOST_TEST_REQUIRE(envs.status == 200u);
    BOOST_TEST((keys(envs.body) == std::vector<std::string>{"dev", "production"}));
    BOOST_TEST(envs.body.at(0).at("name").as_string() == "Development");
    BOOST_TEST(envs.body.at(0).at("project_id") == made.body.at("id"));
    BOOST_TEST(envs.body.at(0).as_object().contains("email_configuration"));

    const auto bare =
        as_org("POST", "/v2/projects", R"({"key":"bare","name":"Bare","initial_environments":[]})");
    BOOST_TEST_REQUIRE(bare.status == 200u);
    BOOST_TEST(as_org("GET", "/v2/projects/bare/envs").body == json::array{});
    BOOST_TEST((keys(as_org("GET", "/v2/projects").body) ==
                std::vector<std::string>{"default", "shop", "bare"}));
    BOOST_TEST(keys(as_org("GET", "/v2/projects?page=2&per_page=2").body) ==
               std::vector<std::string>{"bare"});
}

BOOST_AUTO_TEST_CASE(a_project_s_errors) {
    check_error(as_org("POST", "/v2/projects", R"({"key":"default","name":"Again"})"), 409,
                "DUPLICATE_ENTITY");
    check_error(as_org("POST", "/v2/projects",
                       R"({"key":"twice","name":"Twice","initial_environments":[
                           {"key":"a","name":"A"},{"key":"a","name":"A again"}]})"),
                409, "DUPLICATE_ENTITY");
    BOOST_TEST(as_org("GET", "/v2/projects/twice").status == 404u);
    check_422(as_org("POST", "/v2/projects", R"({"key":"no spaces","name":"N"})"),
              json::array{"body", "key"}, "value_error.str.regex");
    check_422(as_org("POST", "/v2/projects", R"({"key":"k"})"), json::array{"body", "name"},
              "value_error.missing");
    check_422(as_org("POST", "/v2/projects", R"({"key":"k","name":"N","color":"red"})"),
              json::array{"body", "color"}, "value_error.extra");
    check_422(as_org("POST", "/v2/projects",
                     R"({"key":"k","name":"N","initial_environments":[{"key":"e"}]})"),
              json::array{"body", "initial_environments", 0, "name"}, "value_error.missing");
    check_422(as_org("GET", "/v2/projects?per_page=101"), json::array{"query", "per_page"},
              "value_error.number.not_le");
    check_error(as_org("PATCH", "/v2/projects/nowhere", R"({"name":"N"})"), 404, "NOT_FOUND");
    check_error(as_org("DELETE", "/v2/projects/nowhere"), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(a_project_is_updated_and_deleted_with_all_it_holds) {
    BOOST_TEST_REQUIRE(as_org("POST", "/v2/projects", R"({"key":"shop","name":"Shop"})").status ==
                       200u);
    const auto updated =
        as_org("PATCH", "/v2/projects/shop", R"({"name":"The shop","settings":{"a":1}})");
    BOOST_TEST_REQUIRE(updated.status == 200u);
    BOOST_TEST(updated.body.at("name").as_string() == "The shop");
    BOOST_TEST(updated.body.at("settings") == (json::object{{"a", 1}}));
    check_422(as_org("PATCH", "/v2/projects/shop", R"({"key":"other"})"),
              json::array{"body", "key"}, "value_error.extra");
    const auto key = as_org("GET", "/v2/api-key/shop/dev");
    BOOST_TEST_REQUIRE(key.status == 200u);
    const std::string secret(key.body.at("secret").as_string());
    BOOST_TEST(call("GET", facts("/users", "dev", "shop"), "", secret).status == 200u);

    BOOST_TEST(as_org("DELETE", "/v2/projects/shop").status == 204u);
    check_error(as_org("GET", "/v2/projects/shop"), 404, "NOT_FOUND");
    // Its environments' data and keys went with it.
    check_error(as_org("GET", facts("/users", "dev", "shop")), 404, "NOT_FOUND");
    check_error(call("GET", "/v2/api-key/scope", "", secret), 403, "FORBIDDEN_ACCESS");
    // The emulator's own stays: its PDP serves it.
    check_error(as_org("DELETE", "/v2/projects/default"), 403, "FORBIDDEN_ACCESS");
}

BOOST_AUTO_TEST_CASE(only_an_organization_key_makes_projects) {
    check_error(call("POST", "/v2/projects", R"({"key":"p","name":"P"})"), 403, "FORBIDDEN_ACCESS");
    check_error(call("POST", "/v2/projects", R"({"key":"p","name":"P"})", project_key), 403,
                "FORBIDDEN_ACCESS");
    BOOST_TEST_REQUIRE(as_org("POST", "/v2/projects", R"({"key":"shop","name":"Shop"})").status ==
                       200u);
    // A project's key reaches its own project only; an environment's key changes none.
    BOOST_TEST(keys(call("GET", "/v2/projects", "", project_key).body) ==
               std::vector<std::string>{"default"});
    check_error(call("GET", "/v2/projects/shop", "", project_key), 403, "FORBIDDEN_ACCESS");
    check_error(call("PATCH", "/v2/projects/shop", R"({"name":"N"})", project_key), 403,
                "FORBIDDEN_ACCESS");
    BOOST_TEST(call("PATCH", "/v2/projects/default", R"({"name":"N"})", project_key).status ==
               200u);
    check_error(call("PATCH", "/v2/projects/default", R"({"name":"N"})"), 403, "FORBIDDEN_ACCESS");
}

// ----- environments ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_environment_is_made_read_updated_and_deleted) {
    const auto made = make_environment("staging");
    BOOST_TEST(made.at("project_id").as_string() == config.project_id);
    BOOST_TEST(!made.contains("email_configuration"));  // EnvironmentRead
    const auto read = as_org("GET", "/v2/projects/default/envs/staging");
    BOOST_TEST_REQUIRE(read.status == 200u);
    BOOST_TEST(read.body.at("id") == made.at("id"));
    BOOST_TEST(read.body.as_object().contains("email_configuration"));
    BOOST_TEST(as_org("GET", "/v2/projects/" + config.project_id + "/envs/" +
                                 std::string(made.at("id").as_string()))
                   .body == read.body);
    BOOST_TEST((keys(as_org("GET", "/v2/projects/default/envs").body) ==
                std::vector<std::string>{"production", "staging"}));

    const auto updated = as_org("PATCH", "/v2/projects/default/envs/staging",
                                R"({"description":"Before production",
                                    "jwks":{"ttl":60,"url":"https://example.com/jwks"}})");
    BOOST_TEST_REQUIRE(updated.status == 200u, json::serialize(updated.body));
    BOOST_TEST(updated.body.at("description").as_string() == "Before production");
    BOOST_TEST(updated.body.at("jwks").at("ttl") == 60);

    BOOST_TEST(as_org("DELETE", "/v2/projects/default/envs/staging").status == 204u);
    check_error(as_org("GET", "/v2/projects/default/envs/staging"), 404, "NOT_FOUND");
    check_error(as_org("GET", schema("/resources", "staging")), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(an_environment_s_errors) {
    make_environment("staging");
    check_error(as_org("POST", "/v2/projects/default/envs", R"({"key":"staging","name":"S"})"), 409,
                "DUPLICATE_ENTITY");
    check_error(as_org("POST", "/v2/projects/nowhere/envs", R"({"key":"e","name":"E"})"), 404,
                "NOT_FOUND");
    check_422(as_org("POST", "/v2/projects/default/envs", R"({"key":"e"})"),
              json::array{"body", "name"}, "value_error.missing");
    check_422(as_org("PATCH", "/v2/projects/default/envs/staging", R"({"jwks":{"keys":[]}})"),
              json::array{"body", "jwks", "keys"}, "value_error.extra");
    check_error(as_org("GET", "/v2/projects/default/envs/nowhere"), 404, "NOT_FOUND");
    check_error(as_org("PATCH", "/v2/projects/default/envs/nowhere", "{}"), 404, "NOT_FOUND");
    check_error(as_org("DELETE", "/v2/projects/default/envs/production"), 403, "FORBIDDEN_ACCESS");
    // An environment's key sees its own environment only.
    BOOST_TEST(keys(call("GET", "/v2/projects/default/envs").body) ==
               std::vector<std::string>{"production"});
    check_error(call("GET", "/v2/projects/default/envs/staging"), 403, "FORBIDDEN_ACCESS");
    check_error(call("POST", "/v2/projects/default/envs", R"({"key":"e","name":"E"})"), 403,
                "FORBIDDEN_ACCESS");
    BOOST_TEST(call("POST", "/v2/projects/default/envs", R"({"key":"e","name":"E"})", project_key)
                   .status == 200u);
}

BOOST_AUTO_TEST_CASE(each_environment_has_its_own_state_reached_by_its_path) {
    const auto staging = make_environment("staging");
    const std::string id(staging.at("id").as_string());
    // A new environment has the tenant `default` and nothing else.
    BOOST_TEST(keys(as_org("GET", facts("/tenants", "staging")).body) ==
               std::vector<std::string>{"default"});
    BOOST_TEST(keys(as_org("GET", schema("/resources", "staging")).body).empty());
    BOOST_TEST(as_org("POST", facts("/users", id), R"({"key":"zoe"})").status == 201u);
    const auto zoe = as_org("GET", facts("/users/zoe", "staging"));
    BOOST_TEST_REQUIRE(zoe.status == 200u);
    BOOST_TEST(zoe.body.at("environment_id").as_string() == id);
    BOOST_TEST(zoe.body.at("project_id").as_string() == config.project_id);
    check_error(as_org("GET", facts("/users/zoe")), 404, "NOT_FOUND");
    BOOST_TEST(r.data().find_user("zoe") == nullptr);
    // The PDP decides on the emulator's own environment.
    const auto check = call("POST", "/allowed",
                            R"({"user":{"key":"zoe"},"action":"read","resource":{"type":"x"}})");
    BOOST_TEST(check.status == 200u);
    BOOST_TEST(check.body.at("allow") == false);
    check_error(as_org("GET", facts("/users", "nowhere")), 404, "NOT_FOUND");
    // The emulator's own environment's key does not reach the new one.
    check_error(call("GET", facts("/users", "staging")), 403, "FORBIDDEN_ACCESS");
}

// ----- API keys -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_emulator_s_environment_answers_with_its_configured_key) {
    const auto own = call("GET", "/v2/api-key/default/production");
    BOOST_TEST_REQUIRE(own.status == 200u, json::serialize(own.body));
    BOOST_TEST(own.body.at("secret").as_string() == config.api_key);
    BOOST_TEST(own.body.at("object_type").as_string() == "env");
    BOOST_TEST(own.body.at("environment_id").as_string() == config.environment_id);
    BOOST_TEST(own.body.at("env").at("key").as_string() == "production");
    BOOST_TEST(own.body.at("project").at("key").as_string() == "default");
    check_error(call("GET", "/v2/api-key/default/nowhere"), 404, "NOT_FOUND");
    check_error(call("GET", "/v2/api-key/nowhere/production"), 404, "NOT_FOUND");
    // The routes are counted under the API reference's templates.
    BOOST_TEST(r.route_name("GET", *parse_target("/v2/api-key/default/production")) ==
               "GET /v2/api-key/{proj_id}/{env_id}");
    BOOST_TEST(r.route_name("POST", *parse_target("/v2/api-key/k/rotate-secret")) ==
               "POST /v2/api-key/{api_key_id}/rotate-secret");
    BOOST_TEST(r.route_name("GET", *parse_target("/v2/api-key/scope")) == "GET /v2/api-key/scope");
    BOOST_TEST(r.route_name("POST", *parse_target("/v2/projects/p/envs/e/copy")) ==
               "POST /v2/projects/{proj_id}/envs/{env_id}/copy");
}

BOOST_AUTO_TEST_CASE(an_environment_s_key_reaches_that_environment_only) {
    make_environment("staging");
    const auto key = as_org("GET", "/v2/api-key/default/staging");
    BOOST_TEST_REQUIRE(key.status == 200u);
    const std::string secret(key.body.at("secret").as_string());
    BOOST_TEST(secret.rfind("permit_key_", 0) == 0u);
    BOOST_TEST(secret != config.api_key);
    BOOST_TEST(as_org("GET", "/v2/api-key/default/staging").body == key.body);  // the same key
    const auto scope = call("GET", "/v2/api-key/scope", "", secret);
    BOOST_TEST_REQUIRE(scope.status == 200u);
    BOOST_TEST(scope.body.at("environment_id") == key.body.at("environment_id"));
    BOOST_TEST(scope.body.at("project_id").as_string() == config.project_id);
    BOOST_TEST(call("POST", facts("/users", "staging"), R"({"key":"zoe"})", secret).status == 201u);
    check_error(call("GET", facts("/users"), "", secret), 403, "FORBIDDEN_ACCESS");
    // The PDP knows the emulator's own key only.
    BOOST_TEST(call("POST", "/allowed", "{}", secret).status == 403u);
    // The project's and the organization's keys reach it too.
    BOOST_TEST(call("GET", facts("/users/zoe", "staging"), "", project_key).status == 200u);
    BOOST_TEST(as_org("GET", facts("/users/zoe", "staging")).status == 200u);
}

BOOST_AUTO_TEST_CASE(keys_are_made_listed_read_rotated_and_deleted) {
    BOOST_TEST_REQUIRE(
        as_org("POST", "/v2/projects", R"({"key":"shop","name":"Shop","initial_environments":[
                                            {"key":"live","name":"Live"}]})")
            .status == 200u);
    auto make = [&](const json::object& body) {
        auto out = as_org("POST", "/v2/api-key", json::serialize(body));
        BOOST_TEST_REQUIRE(out.status == 200u, json::serialize(out.body));
        return out.body;
    };
    const json::object org{{"organization_id", config.organization_id}};
    auto with = [&](json::object extra) {
        for (const auto& kv : org) extra[kv.key()] = kv.value();
        return extra;
    };
    const auto env_key = make(with({{"project_id", "shop"},
                                    {"environment_id", "live"},
                                    {"name", "CI"},
                                    {"access_level", "read"}}));
    BOOST_TEST(env_key.at("object_type").as_string() == "env");  // the default
    BOOST_TEST(env_key.at("owner_type").as_string() == "member");
    BOOST_TEST(env_key.at("name").as_string() == "CI");
    BOOST_TEST(env_key.at("env").at("key").as_string() == "live");
    const auto project_level = make(with({{"object_type", "project"}, {"project_id", "shop"}}));
    BOOST_TEST(!project_level.as_object().contains("environment_id"));
    const auto org_level = make(with({{"object_type", "org"}}));
    BOOST_TEST(!org_level.as_object().contains("project"));

    const auto shop_keys = as_org("GET", "/v2/api-key?proj_id=shop");
    BOOST_TEST_REQUIRE(shop_keys.status == 200u);
    // The environment's own key, made with it, then the two made here.
    BOOST_TEST(shop_keys.body.at("total_count") == 3);
    const auto org_keys = as_org("GET", "/v2/api-key?object_type=org");
    BOOST_TEST(org_keys.body.at("total_count") == 2);  // the fixture's and the one made here
    const std::string id(env_key.at("id").as_string());
    BOOST_TEST(as_org("GET", "/v2/api-key/" + id).body == env_key);

    const std::string old_secret(env_key.at("secret").as_string());
    BOOST_TEST(call("GET", facts("/users", "live", "shop"), "", old_secret).status == 200u);
    // A read key reads only.
    check_error(call("POST", facts("/users", "live", "shop"), R"({"key":"z"})", old_secret), 403,
                "FORBIDDEN_ACCESS");
    const auto rotated = as_org("POST", "/v2/api-key/" + id + "/rotate-secret");
    BOOST_TEST_REQUIRE(rotated.status == 200u);
    const std::string new_secret(rotated.body.at("secret").as_string());
    BOOST_TEST(new_secret != old_secret);
    BOOST_TEST(rotated.body.at("id").as_string() == id);
    check_error(call("GET", facts("/users", "live", "shop"), "", old_secret), 403,
                "FORBIDDEN_ACCESS");
    BOOST_TEST(call("GET", facts("/users", "live", "shop"), "", new_secret).status == 200u);

    BOOST_TEST(as_org("DELETE", "/v2/api-key/" + id).status == 204u);
    check_error(as_org("GET", "/v2/api-key/" + id), 404, "NOT_FOUND");
    check_error(as_org("DELETE", "/v2/api-key/" + id), 404, "NOT_FOUND");
    check_error(as_org("POST", "/v2/api-key/" + id + "/rotate-secret"), 404, "NOT_FOUND");
    check_error(call("GET", facts("/users", "live", "shop"), "", new_secret), 403,
                "FORBIDDEN_ACCESS");
}

BOOST_AUTO_TEST_CASE(a_key_s_errors) {
    const auto org_id = config.organization_id;
    check_422(as_org("POST", "/v2/api-key", R"({"object_type":"org"})"),
              json::array{"body", "organization_id"}, "value_error.missing");
    check_422(
        as_org("POST", "/v2/api-key",
               json::serialize(json::object{
                   {"organization_id", org_id}, {"object_type", "team"}, {"access_level", "all"}})),
        json::array{"body", "object_type"}, "type_error.enum");
    check_422(
        as_org("POST", "/v2/api-key",
               json::serialize(json::object{
                   {"organization_id", org_id}, {"object_type", "team"}, {"access_level", "all"}})),
        json::array{"body", "access_level"}, "type_error.enum");
    check_422(as_org("POST", "/v2/api-key",
                     json::serialize(
                         json::object{{"organization_id", org_id}, {"project_id", "default"}})),
              json::array{"body", "environment_id"}, "value_error.missing");
    check_error(as_org("POST", "/v2/api-key",
                       json::serialize(json::object{{"organization_id", org_id},
                                                    {"project_id", "default"},
                                                    {"environment_id", "nowhere"}})),
                404, "NOT_FOUND");
    check_error(as_org("POST", "/v2/api-key",
                       R"({"organization_id":"00000000-0000-4000-8000-000000000000",
                           "object_type":"org"})"),
                404, "NOT_FOUND");
    check_422(as_org("GET", "/v2/api-key?object_type=team"), json::array{"query", "object_type"},
              "type_error.enum");
    check_error(as_org("GET", "/v2/api-key?proj_id=nowhere"), 404, "NOT_FOUND");
    check_error(as_org("GET", "/v2/api-key/nowhere"), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(a_key_manages_the_keys_of_its_scope_only) {
    make_environment("staging");
    const auto org_id = config.organization_id;
    // A project's key makes keys in its project, not of the organization.
    check_error(
        call("POST", "/v2/api-key",
             json::serialize(json::object{{"organization_id", org_id}, {"object_type", "org"}}),
             project_key),
        403, "FORBIDDEN_ACCESS");
    const auto made = call(
        "POST", "/v2/api-key",
        json::serialize(json::object{
            {"organization_id", org_id}, {"project_id", "default"}, {"environment_id", "staging"}}),
        project_key);
    BOOST_TEST_REQUIRE(made.status == 200u);
    // An environment's key sees the keys of its environment only, and cannot make others.
    check_error(call("POST", "/v2/api-key",
                     json::serialize(json::object{{"organization_id", org_id},
                                                  {"project_id", "default"},
                                                  {"environment_id", "staging"}})),
                403, "FORBIDDEN_ACCESS");
    const auto mine = call("GET", "/v2/api-key");
    BOOST_TEST_REQUIRE(mine.status == 200u);
    BOOST_TEST(mine.body.at("total_count") == 1);
    BOOST_TEST(mine.body.at("data").at(0).at("secret").as_string() == config.api_key);
    check_error(call("GET", "/v2/api-key/" + std::string(made.body.at("id").as_string())), 403,
                "FORBIDDEN_ACCESS");
    // The project's key sees every key of its project, the organization's every key.
    BOOST_TEST(call("GET", "/v2/api-key", "", project_key).body.at("total_count") == 4);
    BOOST_TEST(as_org("GET", "/v2/api-key").body.at("total_count") == 5);
    BOOST_TEST(
        keys(call("GET", "/v2/api-key?object_type=project", "", project_key).body, "id").size() ==
        1u);
}

// ----- copies -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_copy_takes_the_policy_and_not_the_directory) {
    const auto copied = copy(R"({"target_env":{"new":{"key":"staging","name":"Staging"}}})");
    BOOST_TEST_REQUIRE(copied.status == 201u, json::serialize(copied.body));
    BOOST_TEST(copied.body.at("key").as_string() == "staging");
    BOOST_TEST(!copied.body.as_object().contains("email_configuration"));
    const auto resources = as_org("GET", schema("/resources", "staging"));
    BOOST_TEST(
        (keys(resources.body) == std::vector<std::string>{"folder", "document", "test_widget"}));
    const auto document = as_org("GET", schema("/resources/document", "staging")).body;
    BOOST_TEST(document.at("relations").at("parent").at("resource").as_string() == "folder");
    BOOST_TEST(document.at("attributes").as_object().contains("classification"));
    const auto editor = as_org("GET", schema("/resources/document/roles/editor", "staging")).body;
    BOOST_TEST(editor.at("permissions") == json::array{"edit"});
    const auto& rules = editor.at("granted_to").at("users_with_role").as_array();
    BOOST_TEST_REQUIRE(rules.size() == 1u);
    BOOST_TEST(rules[0].at("on_resource").as_string() == "folder");
    BOOST_TEST(keys(as_org("GET", schema("/users/attributes", "staging")).body) ==
               std::vector<std::string>{"department"});
    const auto roles = as_org("GET", schema("/roles", "staging")).body;
    BOOST_TEST((keys(roles) == std::vector<std::string>{"admin", "reader", "test_role"}));
    const auto admin = as_org("GET", schema("/roles/admin", "staging")).body;
    BOOST_TEST(admin.at("permissions") == json::array{"document:edit"});
    BOOST_TEST(admin.at("extends") == json::array{});  // the role hierarchy is not copied
    // Not copied: action groups and the directory.
    BOOST_TEST(as_org("GET", schema("/resources/document/action_groups", "staging")).body ==
               json::array{});
    BOOST_TEST(keys(as_org("GET", facts("/tenants", "staging")).body) ==
               std::vector<std::string>{"default"});
    BOOST_TEST(keys(as_org("GET", facts("/users", "staging")).body).empty());
    BOOST_TEST(as_org("GET", facts("/resource_instances", "staging")).body == json::array{});
    BOOST_TEST(as_org("GET", facts("/relationship_tuples", "staging")).body == json::array{});
    BOOST_TEST(as_org("GET", facts("/role_assignments", "staging")).body == json::array{});
    // The source is as it was.
    BOOST_TEST(keys(as_org("GET", facts("/users")).body).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_copy_s_scope_includes_and_excludes_with_wildcards) {
    const auto copied = copy(R"({"target_env":{"new":{"key":"staging","name":"Staging"}},
        "scope":{"resources":{"include":["*"],"exclude":["test_*"]},
                 "roles":{"include":["?ead*","admin"],"exclude":["[a]*"]}}})");
    BOOST_TEST_REQUIRE(copied.status == 201u, json::serialize(copied.body));
    BOOST_TEST((keys(as_org("GET", schema("/resources", "staging")).body) ==
                std::vector<std::string>{"folder", "document"}));
    BOOST_TEST(keys(as_org("GET", schema("/roles", "staging")).body) ==
               std::vector<std::string>{"reader"});
    // `__user` is the users' resource type: left out with it, their attributes are too.
    const auto narrow = copy(R"({"target_env":{"new":{"key":"narrow","name":"Narrow"}},
        "scope":{"resources":{"include":["folder"]},"roles":{"exclude":["*"]},
                 "resource_sets":{"exclude":["*"]}}})");
    BOOST_TEST_REQUIRE(narrow.status == 201u, json::serialize(narrow.body));
    BOOST_TEST(keys(as_org("GET", schema("/resources", "narrow")).body) ==
               std::vector<std::string>{"folder"});
    BOOST_TEST(keys(as_org("GET", schema("/roles", "narrow")).body).empty());
    BOOST_TEST(keys(as_org("GET", schema("/users/attributes", "narrow")).body).empty());
    // The user sets came, not the rules, whose permission's resource type did not.
    BOOST_TEST((keys(as_org("GET", schema("/condition_sets", "narrow")).body) ==
                std::vector<std::string>{"staff", "senior_staff", "test_users"}));
    BOOST_TEST(as_org("GET", facts("/set_rules", "narrow")).body == json::array{});
}

BOOST_AUTO_TEST_CASE(a_copy_takes_the_condition_sets_and_the_rules_between_them) {
    const auto copied = copy(R"({"target_env":{"new":{"key":"staging","name":"Staging"}},
        "scope":{"user_sets":{"exclude":["test_*"]}}})");
    BOOST_TEST_REQUIRE(copied.status == 201u, json::serialize(copied.body));
    BOOST_TEST((keys(as_org("GET", schema("/condition_sets", "staging")).body) ==
                std::vector<std::string>{"staff", "senior_staff", "public_docs"}));
    // Without its parent: condition set inheritance is not copied.
    const auto senior = as_org("GET", schema("/condition_sets/senior_staff", "staging")).body;
    BOOST_TEST(!senior.as_object().contains("parent_id"));
    BOOST_TEST(senior.at("conditions") ==
               as_org("GET", schema("/condition_sets/senior_staff")).body.at("conditions"));
    const auto docs = as_org("GET", schema("/condition_sets/public_docs", "staging")).body;
    BOOST_TEST(docs.at("resource_id") ==
               as_org("GET", schema("/resources/document", "staging")).body.at("id"));
    // The rules whose sets came: not the test users', which stayed behind.
    const auto rules = as_org("GET", facts("/set_rules", "staging")).body;
    BOOST_TEST((keys(rules, "key") ==
                std::vector<std::string>{"staff_can_document_read_public_docs",
                                         "__autogen_reader_can_document_edit_public_docs"}));

    // Into an environment that has one of the sets: a conflict, or its conditions overwritten.
    BOOST_TEST_REQUIRE(
        as_org("PATCH", schema("/condition_sets/staff", "staging"),
               R"({"conditions":{"allOf":[{"allOf":[{"user.department":{"equals":"ops"}}]}]}})")
            .status == 200u);
    const auto conflict = copy(R"({"target_env":{"existing":"staging"},
                                   "scope":{"resources":{"exclude":["*"]},
                                            "roles":{"exclude":["*"]},
                                            "resource_sets":{"exclude":["*"]},
                                            "user_sets":{"include":["staff"]}}})");
    check_error(conflict, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(std::string(conflict.body.at("message").as_string()).find("condition set 'staff'") !=
               std::string::npos);
    const auto overwritten = copy(R"({"target_env":{"existing":"staging"},
                                      "conflict_strategy":"overwrite",
                                      "scope":{"resources":{"exclude":["*"]},
                                               "roles":{"exclude":["*"]},
                                               "resource_sets":{"exclude":["*"]},
                                               "user_sets":{"include":["staff"]}}})");
    BOOST_TEST_REQUIRE(overwritten.status == 201u, json::serialize(overwritten.body));
    BOOST_TEST(as_org("GET", schema("/condition_sets/staff", "staging")).body.at("conditions") ==
               as_org("GET", schema("/condition_sets/staff")).body.at("conditions"));
}

BOOST_AUTO_TEST_CASE(a_copy_into_an_environment_with_the_same_objects_fails_whole_by_default) {
    make_environment("staging");
    BOOST_TEST_REQUIRE(
        as_org("POST", schema("/roles", "staging"), R"({"key":"reader","name":"Staging reader"})")
            .status == 201u);
    const auto failed = copy(R"({"target_env":{"existing":"staging"}})");
    check_error(failed, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(std::string(failed.body.at("message").as_string()).find("role 'reader'") !=
               std::string::npos);
    // Nothing was copied, not even what did not conflict.
    BOOST_TEST(keys(as_org("GET", schema("/resources", "staging")).body).empty());
    BOOST_TEST(keys(as_org("GET", schema("/roles", "staging")).body) ==
               std::vector<std::string>{"reader"});
    // Without the conflicting object, the same copy goes through and merges.
    const auto merged = copy(R"({"target_env":{"existing":"staging"},"conflict_strategy":"fail",
                                 "scope":{"roles":{"exclude":["reader"]}}})");
    BOOST_TEST_REQUIRE(merged.status == 201u, json::serialize(merged.body));
    BOOST_TEST((keys(as_org("GET", schema("/roles", "staging")).body) ==
                std::vector<std::string>{"reader", "admin", "test_role"}));
    BOOST_TEST(as_org("GET", schema("/roles/reader", "staging")).body.at("name").as_string() ==
               "Staging reader");
}

BOOST_AUTO_TEST_CASE(a_copy_that_overwrites_replaces_the_objects_and_keeps_the_data) {
    make_environment("staging");
    BOOST_TEST_REQUIRE(as_org("POST", schema("/resources", "staging"),
                              R"({"key":"folder","name":"Old folder","actions":{"open":{}}})")
                           .status == 201u);
    BOOST_TEST_REQUIRE(as_org("POST", facts("/resource_instances", "staging"),
                              R"({"key":"kept","resource":"folder","tenant":"default"})")
                           .status == 201u);
    BOOST_TEST_REQUIRE(as_org("POST", schema("/roles", "staging"),
                              R"({"key":"reader","name":"Old","permissions":["folder:open"]})")
                           .status == 201u);
    const auto copied = copy(R"({"target_env":{"existing":"staging"},
                                 "conflict_strategy":"overwrite"})");
    BOOST_TEST_REQUIRE(copied.status == 201u, json::serialize(copied.body));
    const auto folder = as_org("GET", schema("/resources/folder", "staging")).body;
    BOOST_TEST(folder.at("name").as_string() == "Folder");
    BOOST_TEST(folder.at("actions").as_object().contains("read"));
    BOOST_TEST(!folder.at("actions").as_object().contains("open"));
    BOOST_TEST(as_org("GET", facts("/resource_instances/folder:kept", "staging")).status == 200u);
    const auto reader = as_org("GET", schema("/roles/reader", "staging")).body;
    BOOST_TEST(reader.at("name").as_string() == "Reader");
    BOOST_TEST(reader.at("permissions") == json::array{"document:read"});
}

BOOST_AUTO_TEST_CASE(a_copy_s_errors) {
    check_422(copy(R"({"target_env":{}})"), json::array{"body", "target_env"}, "value_error");
    check_422(copy(R"({"target_env":{"existing":"x","new":{"key":"y","name":"Y"}}})"),
              json::array{"body", "target_env"}, "value_error");
    check_422(copy(R"({"target_env":{"existing":"x"},"conflict_strategy":"merge"})"),
              json::array{"body", "conflict_strategy"}, "type_error.enum");
    check_422(copy(R"({"scope":{}})"), json::array{"body", "target_env"}, "value_error.missing");
    check_422(copy(R"({"target_env":{"new":{"key":"s","name":"S"}},"scope":{"users":{}}})"),
              json::array{"body", "scope", "users"}, "value_error.extra");
    check_error(copy(R"({"target_env":{"new":{"key":"production","name":"P"}}})"), 409,
                "DUPLICATE_ENTITY");
    check_error(copy(R"({"target_env":{"existing":"nowhere"}})"), 404, "NOT_FOUND");
    check_error(as_org("POST", "/v2/projects/default/envs/nowhere/copy",
                       R"({"target_env":{"new":{"key":"s","name":"S"}}})"),
                404, "NOT_FOUND");
    // A relation to a resource type the scope leaves out: the new environment cannot take it.
    const auto unfit = copy(R"({"target_env":{"new":{"key":"s","name":"S"}},
                                "scope":{"resources":{"exclude":["folder"]}}})");
    check_error(unfit, 422, "INVALID_INPUT");
    check_error(as_org("GET", "/v2/projects/default/envs/s"), 404, "NOT_FOUND");
    // An environment's key may not make environments.
    check_error(call("POST", "/v2/projects/default/envs/production/copy",
                     R"({"target_env":{"new":{"key":"s","name":"S"}}})"),
                403, "FORBIDDEN_ACCESS");
}

BOOST_AUTO_TEST_CASE(an_asynchronous_copy_answers_a_finished_task) {
    const auto started = as_org("POST", "/v2/projects/default/envs/production/copy/async?wait=5",
                                R"({"target_env":{"new":{"key":"staging","name":"Staging"}}})");
    BOOST_TEST_REQUIRE(started.status == 202u, json::serialize(started.body));
    BOOST_TEST(started.body.at("status").as_string() == "success");
    BOOST_TEST(started.body.at("result").at("key").as_string() == "staging");
    BOOST_TEST(started.body.at("error").is_null());
    const std::string task(started.body.at("task_id").as_string());
    const auto result =
        as_org("GET", "/v2/projects/default/envs/production/copy/async/" + task + "/result");
    BOOST_TEST_REQUIRE(result.status == 200u);
    BOOST_TEST(result.body == started.body);
    BOOST_TEST(as_org("GET", schema("/resources", "staging")).status == 200u);

    const auto failed = as_org("POST", "/v2/projects/default/envs/production/copy/async",
                               R"({"target_env":{"new":{"key":"staging","name":"Again"}}})");
    BOOST_TEST_REQUIRE(failed.status == 202u);
    BOOST_TEST(failed.body.at("status").as_string() == "failure");
    BOOST_TEST(failed.body.at("result").is_null());
    BOOST_TEST(failed.body.at("error").at("error_code").as_string() == "DUPLICATE_ENTITY");
    check_error(as_org("GET", "/v2/projects/default/envs/staging/copy/async/" + task + "/result"),
                404, "NOT_FOUND");
    check_422(as_org("POST", "/v2/projects/default/envs/production/copy/async?wait=-1",
                     R"({"target_env":{"new":{"key":"x","name":"X"}}})"),
              json::array{"query", "wait"}, "value_error.number.not_ge");
}

// ----- Elements ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_elements_login_needs_a_member_of_the_tenant) {
    const auto ok =
        call("POST", "/v2/auth/elements_login_as", R"({"user_id":"ann","tenant_id":"acme"})");
    BOOST_TEST_REQUIRE(ok.status == 200u, json::serialize(ok.body));
    const std::string url(ok.body.at("redirect_url").as_string());
    const std::string token(ok.body.at("token").as_string());
    BOOST_TEST(!token.empty());
    BOOST_TEST(url.find(token) != std::string::npos);
    BOOST_TEST(url.rfind("https://", 0) == 0u);
    // Another login, another token.
    BOOST_TEST(call("POST", "/v2/auth/elements_login_as", R"({"user_id":"ann","tenant_id":"acme"})")
                   .body.at("token") != ok.body.at("token"));

    const auto outsider =
        call("POST", "/v2/auth/elements_login_as", R"({"user_id":"bob","tenant_id":"acme"})");
    check_error(outsider, 404, "NOT_FOUND");
    BOOST_TEST(outsider.body.at("message").as_string() == "User not found");
    const auto nobody =
        call("POST", "/v2/auth/elements_login_as", R"({"user_id":"nobody","tenant_id":"acme"})");
    BOOST_TEST(nobody.body.at("message").as_string() == "User not found");
    const auto no_tenant =
        call("POST", "/v2/auth/elements_login_as", R"({"user_id":"ann","tenant_id":"nowhere"})");
    check_error(no_tenant, 404, "NOT_FOUND");
    BOOST_TEST(no_tenant.body.at("message").as_string() == "Tenant not found");
    check_422(call("POST", "/v2/auth/elements_login_as", R"({"user_id":"ann"})"),
              json::array{"body", "tenant_id"}, "value_error.missing");
    check_error(
        as_org("POST", "/v2/auth/elements_login_as", R"({"user_id":"ann","tenant_id":"acme"})"),
        403, "FORBIDDEN_ACCESS");
}

BOOST_AUTO_TEST_CASE(an_elements_login_is_in_the_environment_of_the_key) {
    make_environment("staging");
    const std::string secret(
        as_org("GET", "/v2/api-key/default/staging").body.at("secret").as_string());
    // ann is a member of acme in the emulator's environment, not in staging.
    check_error(call("POST", "/v2/auth/elements_login_as",
                     R"({"user_id":"ann","tenant_id":"acme"})", secret),
                404, "NOT_FOUND");
    BOOST_TEST(call("POST", facts("/users", "staging"),
                    R"({"key":"ann","role_assignments":[{"role":"x"}]})", secret)
                   .status == 404u);  // no role `x` there
    BOOST_TEST(call("POST", facts("/users", "staging"), R"({"key":"ann"})", secret).status == 201u);
    BOOST_TEST(call("POST", facts("/tenants/default/users", "staging"), R"({"key":"ann"})", secret)
                   .status == 200u);
    BOOST_TEST(call("POST", "/v2/auth/elements_login_as",
                    R"({"user_id":"ann","tenant_id":"default"})", secret)
                   .status == 200u);
}

// ----- the seed, the key levels, the pattern matching ------------------------------------------

BOOST_AUTO_TEST_CASE(the_seed_may_list_projects_and_environments) {
    emulator_config c;
    c.initial_state = json::parse(R"({
        "projects":[{"key":"shop","name":"Shop","initial_environments":[{"key":"live","name":"L"}]}],
        "environments":[{"key":"staging","name":"Staging"}]})");
    router seeded(c);
    const std::string auth = "Bearer " + c.api_key;
    auto get = [&](const std::string& target) {
        return seeded.handle("GET", *parse_target(target), std::string_view(auth), "");
    };
    BOOST_TEST((keys(get("/v2/projects/default/envs").body) ==
                std::vector<std::string>{"production"}));  // an environment key sees its own
    c.level = key_level::organization;
    router org_seeded(c);
    auto org_get = [&](const std::string& target) {
        return org_seeded.handle("GET", *parse_target(target), std::string_view(auth), "");
    };
    BOOST_TEST((keys(org_get("/v2/projects").body) == std::vector<std::string>{"default", "shop"}));
    BOOST_TEST((keys(org_get("/v2/projects/default/envs").body) ==
                std::vector<std::string>{"production", "staging"}));
    BOOST_TEST(keys(org_get("/v2/projects/shop/envs").body) == std::vector<std::string>{"live"});

    c.initial_state = json::parse(R"({"projects":[{"key":"default","name":"Again"}]})");
    BOOST_CHECK_THROW(router{c}, std::invalid_argument);
    c.initial_state = json::parse(R"({"environments":{"key":"x"}})");
    BOOST_CHECK_THROW(router{c}, std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_configured_keys_are_keys_of_the_organization) {
    // A project- or organization-level configured key has no environment: the environment gets
    // a key of its own.
    emulator_config c;
    c.level = key_level::project;
    router project_level(c);
    const std::string auth = "Bearer " + c.api_key;
    const auto env_key = project_level.handle(
        "GET", *parse_target("/v2/api-key/default/production"), std::string_view(auth), "");
    BOOST_TEST_REQUIRE(env_key.status == 200u);
    BOOST_TEST(env_key.body.at("secret").as_string() != c.api_key);
    BOOST_TEST(env_key.body.at("object_type").as_string() == "env");
    const auto mine = project_level.handle("GET", *parse_target("/v2/api-key?object_type=project"),
                                           std::string_view(auth), "");
    BOOST_TEST_REQUIRE(mine.status == 200u);
    BOOST_TEST(mine.body.at("data").at(0).at("secret").as_string() == c.api_key);
}

BOOST_AUTO_TEST_CASE(rotating_the_configured_key_changes_what_the_pdp_accepts) {
    const auto own = call("GET", "/v2/api-key/default/production");
    const std::string id(own.body.at("id").as_string());
    const auto rotated = call("POST", "/v2/api-key/" + id + "/rotate-secret");
    BOOST_TEST_REQUIRE(rotated.status == 200u);
    const std::string secret(rotated.body.at("secret").as_string());
    BOOST_TEST(
        call("POST", "/allowed", R"({"user":{"key":"a"},"action":"r","resource":{"type":"t"}})")
            .status == 403u);
    BOOST_TEST(call("POST", "/allowed",
                    R"({"user":{"key":"a"},"action":"r","resource":{"type":"t"}})", secret)
                   .status == 200u);
}

BOOST_AUTO_TEST_CASE(scope_patterns_are_unix_filename_patterns) {
    BOOST_TEST(glob_matches("*", ""));
    BOOST_TEST(glob_matches("*", "anything"));
    BOOST_TEST(glob_matches("test*", "test_role"));
    BOOST_TEST(!glob_matches("test*", "a_test"));
    BOOST_TEST(glob_matches("*_role", "test_role"));
    BOOST_TEST(glob_matches("a*b*c", "axxbyyc"));
    BOOST_TEST(!glob_matches("a*b*c", "axxbyy"));
    BOOST_TEST(glob_matches("r?ad", "read"));
    BOOST_TEST(!glob_matches("r?ad", "rad"));
    BOOST_TEST(glob_matches("[abc]x", "bx"));
    BOOST_TEST(!glob_matches("[abc]x", "dx"));
    BOOST_TEST(glob_matches("[!abc]x", "dx"));
    BOOST_TEST(glob_matches("[a-c]x", "cx"));
    BOOST_TEST(glob_matches("[x", "[x"));     // an unclosed bracket is itself
    BOOST_TEST(!glob_matches("Doc", "doc"));  // case-sensitive
    BOOST_TEST(!glob_matches("", "x"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace projects_suite
