// The PDP's decisions around resource instances, over HTTP: `/allowed/all-tenants`,
// `/authorized_users` and `/user-permissions` with roles on instances (assigned, and derived
// through relationship tuples), and the detailed role assignment lists of the API
// (https://docs.permit.io/how-to/enforce-permissions/all-tenants-check,
// https://docs.permit.io/how-to/enforce-permissions/authorized-users,
// https://api.permit.io/v2/redoc#tag/Role-Assignments).
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace pdp_instances_emulator_test {

/// `document` for tenant roles; `folder` whose editor derives from its parent folder's, and
/// `file` whose editor derives from its folder's; tenant roles `reader` (document and file read)
/// and `writer` (document write); tenants acme, globex (no attributes) and initech; the tuples
/// folder:root → folder:finance → file:report (parent), all in `default`.
const char* const model = R"({
    "resources":[
      {"key":"document","name":"Document","actions":{"read":{},"write":{},"delete":{}}},
      {"key":"folder","name":"Folder","actions":{"list-files":{},"rename":{}},
       "relations":{"parent":"folder"},
       "roles":{"editor":{"name":"Editor","permissions":["list-files","rename"],
                          "granted_to":{"users_with_role":[
                            {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}]}}}},
      {"key":"file","name":"File","actions":{"read":{},"update":{}},
       "relations":{"parent":"folder"},
       "roles":{"viewer":{"name":"Viewer","permissions":["read"]},
                "editor":{"name":"Editor","permissions":["read","update"],
                          "granted_to":{"users_with_role":[
                            {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}]}}}}],
    "roles":[{"key":"reader","name":"Reader","permissions":["document:read","file:read"]},
             {"key":"writer","name":"Writer","permissions":["document:write"]}],
    "tenants":[{"key":"acme","name":"Acme","attributes":{"plan":"pro"}},
               {"key":"globex","name":"Globex"},
               {"key":"initech","name":"Initech","attributes":{"plan":"free"}}],
    "users":[{"key":"jane"},{"key":"john"},{"key":"ann"},{"key":"bob"}],
    "resource_instances":[
      {"key":"root","resource":"folder","tenant":"default"},
      {"key":"finance","resource":"folder","tenant":"default","attributes":{"private":true}},
      {"key":"report","resource":"file","tenant":"default","attributes":{"size":3}}],
    "relationship_tuples":[
      {"subject":"folder:root","relation":"parent","object":"folder:finance"},
      {"subject":"folder:finance","relation":"parent","object":"file:report"}]})";

permit::testing::emulator_config model_config() {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(model);
    return c;
}

json::object query(const std::string& user, const std::string& action, const std::string& type,
                   const std::string& key = "", const std::string& tenant = "") {
    json::object resource{{"type", type}};
    if (!key.empty()) resource["key"] = key;
    if (!tenant.empty()) resource["tenant"] = tenant;
    return {{"user", json::object{{"key", user}}}, {"action", action}, {"resource", resource}};
}

json::object who_query(const std::string& action, const std::string& type,
                       const std::string& key = "", const std::string& tenant = "") {
    json::object resource{{"type", type}};
    if (!key.empty()) resource["key"] = key;
    if (!tenant.empty()) resource["tenant"] = tenant;
    return {{"action", action}, {"resource", resource}, {"context", json::object{}}};
}

/// One entry of an `/authorized_users` reply.
json::object entry(const std::string& user, const std::string& tenant, const std::string& resource,
                   const std::string& role) {
    return {{"user", user}, {"tenant", tenant}, {"resource", resource}, {"role", role}};
}

/// One item of an `/allowed/all-tenants` reply.
json::object allowed_in(const std::string& tenant, json::object attributes = {}) {
    return {{"allow", true},
            {"result", true},
            {"tenant", json::object{{"key", tenant}, {"attributes", std::move(attributes)}}}};
}

struct model_fixture : emulator_fixture {
    model_fixture() : emulator_fixture(model_config()) {}

    /// A tenant-level role.
    void give(const std::string& user, const std::string& role, const std::string& tenant) {
        assign(user, role, tenant);
    }

    /// A role on an instance.
    json::value give_on(const std::string& user, const std::string& role,
                        const std::string& instance) {
        auto r =
            api.post(api.facts("/role_assignments"),
                     json::object{{"user", user}, {"role", role}, {"resource_instance", instance}});
        PERMIT_REQUIRE_STATUS(r, 200);
        return body_json(r);
    }

    /// A PDP POST that must answer 200; its body.
    json::value pdp_ok(const std::string& path, const json::value& body) {
        auto r = pdp(path, body);
        PERMIT_REQUIRE_STATUS(r, 200);
        return body_json(r);
    }

    json::value all_tenants(const json::object& q) { return pdp_ok("/allowed/all-tenants", q); }
    json::value who(const json::object& q) { return pdp_ok("/authorized_users", q); }
};

}  // namespace pdp_instances_emulator_test

using namespace pdp_instances_emulator_test;

BOOST_AUTO_TEST_SUITE(emulator_pdp_instances)

BOOST_FIXTURE_TEST_CASE(all_tenants_lists_only_the_tenants_where_the_user_is_allowed,
                        model_fixture) {
    give("jane", "reader", "acme");
    give("jane", "writer", "globex");
    give("jane", "reader", "initech");
    // The query's own tenant is ignored: every tenant of the user's roles is tried.
    BOOST_TEST(all_tenants(query("jane", "read", "document", "", "globex")) ==
               json::value(json::object{
                   {"allowed_tenants", json::array{allowed_in("acme", {{"plan", "pro"}}),
                                                   allowed_in("initech", {{"plan", "free"}})}}}));
    BOOST_TEST(all_tenants(query("jane", "write", "document")) ==
               json::value(json::object{{"allowed_tenants", json::array{allowed_in("globex")}}}));
    BOOST_TEST(all_tenants(query("jane", "delete", "document")) ==
               json::value(json::object{{"allowed_tenants", json::array{}}}));
    // A known user without tenant roles, and a user the PDP does not know (every tenant is tried,
    // none allows).
    BOOST_TEST(all_tenants(query("john", "read", "document")) ==
               json::value(json::object{{"allowed_tenants", json::array{}}}));
    BOOST_TEST(all_tenants(query("nobody", "read", "document")) ==
               json::value(json::object{{"allowed_tenants", json::array{}}}));
    // A tenant role taken away takes its tenant out.
    PERMIT_REQUIRE_STATUS(
        api.del(api.facts("/role_assignments"),
                json::object{{"user", "jane"}, {"role", "reader"}, {"tenant", "acme"}}),
        204);
    BOOST_TEST(all_tenants(query("jane", "read", "document")) ==
               json::value(json::object{
                   {"allowed_tenants", json::array{allowed_in("initech", {{"plan", "free"}})}}}));

    // The body of /allowed.
    PERMIT_CHECK_422(
        pdp("/allowed/all-tenants", json::object{{"user", json::object{{"key", "jane"}}},
                                                 {"resource", json::object{{"type", "document"}}}}),
        R"(["body","action"])", "value_error.missing");
}

BOOST_FIXTURE_TEST_CASE(all_tenants_with_an_instance_lists_at_most_its_tenant, model_fixture) {
    give_on("jane", "editor", "folder:finance");
    // The candidates are the tenants of the user's tenant-level roles: none yet.
    BOOST_TEST(all_tenants(query("jane", "rename", "folder", "finance")) ==
               json::value(json::object{{"allowed_tenants", json::array{}}}));
    give("jane", "reader", "acme");
    give("jane", "writer", "default");
    // Both tenants are tried; the instance lives in `default`, derived roles included.
    BOOST_TEST(all_tenants(query("jane", "rename", "folder", "finance")) ==
               json::value(json::object{{"allowed_tenants", json::array{allowed_in("default")}}}));
    BOOST_TEST(all_tenants(query("jane", "update", "file", "report")) ==
               json::value(json::object{{"allowed_tenants", json::array{allowed_in("default")}}}));
    // And RBAC grants on the type whatever the key.
    BOOST_TEST(all_tenants(query("jane", "read", "file", "report")) ==
               json::value(json::object{
                   {"allowed_tenants",
                    json::array{allowed_in("acme", {{"plan", "pro"}}), allowed_in("default")}}}));
}

BOOST_FIXTURE_TEST_CASE(authorized_users_reports_tenant_roles_and_the_root_assignments,
                        model_fixture) {
    give("ann", "reader", "default");
    give("jane", "reader", "default");
    give("bob", "reader", "acme");
    give_on("jane", "editor", "folder:finance");  // file:report's editor through the tuple
    give_on("john", "viewer", "file:report");
    give_on("bob", "editor", "folder:root");  // two tuples away from file:report

    BOOST_TEST(who(who_query("read", "file", "report", "default")) == json::parse(R"({
        "resource":"file:report","tenant":"default","users":{
          "ann":[{"user":"ann","tenant":"default","resource":"__tenant:default","role":"reader"}],
          "bob":[{"user":"bob","tenant":"default","resource":"folder:root","role":"folder#editor"}],
          "jane":[{"user":"jane","tenant":"default","resource":"__tenant:default","role":"reader"},
                  {"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}],
          "john":[{"user":"john","tenant":"default","resource":"file:report","role":"file#viewer"}]}})"));
    // `update` only through the derived editor; no tenant means "default", as for /allowed.
    BOOST_TEST(who(who_query("update", "file", "report")) == json::parse(R"({
        "resource":"file:report","tenant":"default","users":{
          "bob":[{"user":"bob","tenant":"default","resource":"folder:root","role":"folder#editor"}],
          "jane":[{"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}]}})"));
    // The folder itself: bob's role derived from root's, jane's assigned there.
    BOOST_TEST(who(who_query("rename", "folder", "finance")).at("users") == json::parse(R"({
          "bob":[{"user":"bob","tenant":"default","resource":"folder:root","role":"folder#editor"}],
          "jane":[{"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}]})"));
    // A type: tenant roles only, and the resource is `type:*`.
    BOOST_TEST(who(who_query("read", "file")) == json::parse(R"({
        "resource":"file:*","tenant":"default","users":{
          "ann":[{"user":"ann","tenant":"default","resource":"__tenant:default","role":"reader"}],
          "jane":[{"user":"jane","tenant":"default","resource":"__tenant:default","role":"reader"}]}})"));
    // Another tenant: the instance is not there, so only that tenant's roles count.
    BOOST_TEST(who(who_query("read", "file", "report", "acme")) ==
               json::value(json::object{
                   {"resource", "file:report"},
                   {"tenant", "acme"},
                   {"users", json::object{{"bob", json::array{entry("bob", "acme", "__tenant:acme",
                                                                    "reader")}}}}}));
    // Nobody.
    BOOST_TEST(who(who_query("fly", "plane", "a320")) ==
               json::parse(R"({"resource":"plane:a320","tenant":"default","users":{}})"));

    // The derivation follows the tuples as they are now.
    PERMIT_REQUIRE_STATUS(
        api.del(api.facts("/relationship_tuples"), json::object{{"subject", "folder:root"},
                                                                {"relation", "parent"},
                                                                {"object", "folder:finance"}}),
        204);
    BOOST_TEST(who(who_query("update", "file", "report")).at("users") == json::parse(R"({
          "jane":[{"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}]})"));

    PERMIT_CHECK_422(
        pdp("/authorized_users", json::object{{"resource", json::object{{"type", "file"}}}}),
        R"(["body","action"])", "value_error.missing");
    PERMIT_CHECK_422(pdp("/authorized_users", json::object{{"action", "read"}}),
                     R"(["body","resource"])", "value_error.missing");
}

BOOST_FIXTURE_TEST_CASE(authorized_users_skips_a_derivation_superseded_by_a_direct_role,
                        model_fixture) {
    // file#editor is not derived for a user with a role assigned on the file.
    PERMIT_REQUIRE_STATUS(api.patch(api.schema("/resources/file/roles/editor"), json::parse(R"({
            "granted_to":{"users_with_role":[
              {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}],
              "when":{"no_direct_roles_on_object":true}}})")),
                          200);
    give_on("jane", "editor", "folder:finance");
    give_on("john", "editor", "folder:finance");
    give_on("john", "viewer", "file:report");
    BOOST_TEST(who(who_query("update", "file", "report")).at("users") == json::parse(R"({
          "jane":[{"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}]})"));
    BOOST_TEST(who(who_query("read", "file", "report")).at("users") == json::parse(R"({
          "jane":[{"user":"jane","tenant":"default","resource":"folder:finance","role":"folder#editor"}],
          "john":[{"user":"john","tenant":"default","resource":"file:report","role":"file#viewer"}]})"));
}

BOOST_FIXTURE_TEST_CASE(user_permissions_lists_tenants_and_instances_with_their_filters,
                        model_fixture) {
    give("jane", "reader", "acme");
    give_on("jane", "editor", "folder:finance");
    const auto tenant_entry = json::parse(R"({
        "tenant":{"key":"acme","attributes":{"plan":"pro"}},
        "permissions":["document:read","file:read"],"roles":["reader"]})");
    const auto folder_entry = json::parse(R"({
        "resource":{"key":"finance","type":"folder","attributes":{"private":true}},
        "tenant":{"key":"default","attributes":{}},
        "permissions":["folder:list-files","folder:rename"],"roles":["editor"]})");
    const auto file_entry = json::parse(R"({
        "resource":{"key":"report","type":"file","attributes":{"size":3}},
        "tenant":{"key":"default","attributes":{}},
        "permissions":["file:read","file:update"],"roles":["editor"]})");
    auto ask = [&](const char* filters) {
        auto body = json::parse(R"({"user":{"key":"jane"}})").as_object();
        const auto extra = json::parse(filters);
        for (const auto& [k, v] : extra.as_object()) body[k] = v;
        return pdp_ok("/user-permissions", body);
    };
    BOOST_TEST(ask("{}") == json::value(json::object{{"__tenant:acme", tenant_entry},
                                                     {"folder:finance", folder_entry},
                                                     {"file:report", file_entry}}));
    // The Python SDK sends unused filters as null.
    BOOST_TEST(ask(R"({"tenants":null,"resources":null,"resource_types":null})") == ask("{}"));
    // `resource_types`: tenant entries only with "__tenant".
    BOOST_TEST(ask(R"({"resource_types":["file"]})") ==
               json::value(json::object{{"file:report", file_entry}}));
    BOOST_TEST(ask(R"({"resource_types":["__tenant","folder"]})") ==
               json::value(json::object{{"__tenant:acme", tenant_entry},
                                        {"folder:finance", folder_entry}}));
    // `resources`: "type:key" or the key; tenant entries are not resources.
    BOOST_TEST(ask(R"({"resources":["finance"]})") ==
               json::value(json::object{{"__tenant:acme", tenant_entry},
                                        {"folder:finance", folder_entry}}));
    BOOST_TEST(ask(R"({"resources":["file:report"],"resource_types":["file"]})") ==
               json::value(json::object{{"file:report", file_entry}}));
    // `tenants`: the tenant entries', and the instances' tenants.
    BOOST_TEST(
        ask(R"({"tenants":["default"]})") ==
        json::value(json::object{{"folder:finance", folder_entry}, {"file:report", file_entry}}));
    BOOST_TEST(ask(R"({"tenants":["acme"]})") ==
               json::value(json::object{{"__tenant:acme", tenant_entry}}));
}

BOOST_FIXTURE_TEST_CASE(detailed_role_assignments_have_the_reference_s_shape, model_fixture) {
    PERMIT_REQUIRE_STATUS(api.patch(api.facts("/users/jane"), json::parse(R"({
        "email":"jane@example.com","first_name":"Jane","last_name":"Doe",
        "attributes":{"department":"finance"}})")),
                          200);
    give("jane", "reader", "acme");
    give_on("jane", "viewer", "file:report");
    give("john", "writer", "default");

    const auto user = get_ok(api.facts("/users/jane"));
    const auto acme = get_ok(api.facts("/tenants/acme"));
    const auto default_tenant = get_ok(api.facts("/tenants/default"));
    const auto reader = get_ok(api.schema("/roles/reader"));
    const auto viewer = get_ok(api.schema("/resources/file/roles/viewer"));
    const auto report = get_ok(api.facts("/resource_instances/file:report"));
    const auto plain = get_ok(api.facts("/role_assignments?user=jane"));
    BOOST_TEST_REQUIRE(plain.as_array().size() == 2u);
    const auto& on_acme = plain.as_array()[0];
    const auto& on_report = plain.as_array()[1];
    BOOST_TEST_REQUIRE(str(on_report, "resource_instance") == "file:report");
    const auto ids = [&](json::object o, const json::value& plain_read) {
        o["organization_id"] = member(plain_read, "organization_id");
        o["project_id"] = member(plain_read, "project_id");
        o["environment_id"] = member(plain_read, "environment_id");
        o["created_at"] = member(plain_read, "created_at");
        return o;
    };
    const json::object jane{
        {"id", member(user, "id")},    {"key", "jane"},
        {"email", "jane@example.com"}, {"first_name", "Jane"},
        {"last_name", "Doe"},          {"attributes", json::object{{"department", "finance"}}}};
    const auto expected_acme = ids(
        json::object{
            {"id", member(on_acme, "id")},
            {"role", json::object{{"id", member(reader, "id")},
                                  {"key", "reader"},
                                  {"name", "Reader"},
                                  {"permissions", json::array{"document:read", "file:read"}}}},
            {"user", jane},
            {"tenant", json::object{{"id", member(acme, "id")},
                                    {"key", "acme"},
                                    {"name", "Acme"},
                                    {"attributes", json::object{{"plan", "pro"}}}}}},
        on_acme);
    const auto expected_report = ids(
        json::object{
            {"id", member(on_report, "id")},
            {"role", json::object{{"id", member(viewer, "id")},
                                  {"key", "viewer"},
                                  {"name", "Viewer"},
                                  {"permissions", json::array{"read"}}}},
            {"user", jane},
            {"tenant", json::object{{"id", member(default_tenant, "id")},
                                    {"key", "default"},
                                    {"name", member(default_tenant, "name")},
                                    {"attributes", json::object{}}}},
            {"resource_instance", json::object{{"id", member(report, "id")},
                                               {"key", "report"},
                                               {"resource", "file"},
                                               {"attributes", json::object{{"size", 3}}}}}},
        on_report);
    BOOST_TEST(member(on_report, "resource_instance_id") == member(report, "id"));

    // ?detailed=true: a bare array, or the envelope with include_total_count=true.
    BOOST_TEST(get_ok(api.facts("/role_assignments?detailed=true&user=jane")) ==
               json::value(json::array{expected_acme, expected_report}));
    const json::value both_envelope =
        json::object{{"data", json::array{expected_acme, expected_report}},
                     {"total_count", 2},
                     {"page_count", 1}};
    BOOST_TEST(
        get_ok(api.facts("/role_assignments?detailed=true&include_total_count=true&user=jane")) ==
        both_envelope);
    // /role_assignments/detailed: always the envelope, same filters.
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?user=jane")) == both_envelope);
    const json::value report_only =
        json::object{{"data", json::array{expected_report}}, {"total_count", 1}, {"page_count", 1}};
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?resource_instance=file:report")) ==
               report_only);
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?resource_instance=" +
                                str(report, "id"))) == report_only);
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?resource=file")) == report_only);
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?role=reader&tenant=acme")) ==
               json::value(json::object{
                   {"data", json::array{expected_acme}}, {"total_count", 1}, {"page_count", 1}}));
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?user=jane&per_page=1&page=2")) ==
               json::value(json::object{
                   {"data", json::array{expected_report}}, {"total_count", 2}, {"page_count", 2}}));
    const auto everyone = get_ok(api.facts("/role_assignments/detailed?user=jane&user=john"));
    BOOST_TEST(member(everyone, "total_count") == json::value(3));
    BOOST_TEST(pluck(data_of(everyone), "id") ==
               pluck(get_ok(api.facts("/role_assignments?user=jane&user=john")), "id"));
    const auto johns = data_of(get_ok(api.facts("/role_assignments/detailed?user=john")));
    BOOST_TEST_REQUIRE(johns.size() == 1u);
    BOOST_TEST(!has_member(johns[0], "resource_instance"), json::serialize(johns[0]));
    BOOST_TEST(member(johns[0], "user") ==
               json::value(json::object{{"id", member(get_ok(api.facts("/users/john")), "id")},
                                        {"key", "john"},
                                        {"attributes", json::object{}}}));
    BOOST_TEST(get_ok(api.facts("/role_assignments/detailed?tenant=initech")) ==
               json::parse(R"({"data":[],"total_count":0,"page_count":0})"));
    PERMIT_CHECK_422(api.get(api.facts("/role_assignments/detailed?per_page=0")),
                     R"(["query","per_page"])", "value_error.number.not_ge");
    PERMIT_CHECK_422(api.get(api.facts("/role_assignments?detailed=maybe")),
                     R"(["query","detailed"])", "type_error.bool");
}

BOOST_AUTO_TEST_CASE(the_decisions_are_the_pdp_s_and_its_facts_proxy_lists_the_details) {
    auto config = model_config();
    config.pdp_port = 0;
    fresh_emulator f(std::move(config));
    auto api = f.connect();
    api_client pdp(f.emu.pdp_port(), f.config().api_key, f.config().project_key,
                   f.config().environment_key);
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/role_assignments"),
                 json::object{{"user", "jane"}, {"role", "reader"}, {"tenant", "acme"}}),
        200);
    const auto q = query("jane", "read", "document");
    const auto w = who_query("read", "document");
    // The API does not serve the PDP's routes.
    PERMIT_CHECK_STATUS(api.post("/allowed/all-tenants", q), 404);
    PERMIT_CHECK_STATUS(api.post("/authorized_users", w), 404);
    auto r = pdp.post("/allowed/all-tenants", q);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(r.json() ==
               json::value(json::object{
                   {"allowed_tenants", json::array{allowed_in("acme", {{"plan", "pro"}})}}}));
    r = pdp.post("/authorized_users", who_query("read", "document", "", "acme"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(r.json().at("users") ==
               json::value(json::object{
                   {"jane", json::array{entry("jane", "acme", "__tenant:acme", "reader")}}}));
    // Without the key.
    r = pdp.connection().request(http::verb::post, "/authorized_users", json::serialize(w),
                                 std::nullopt);
    PERMIT_CHECK_STATUS(r, 401);

    // The PDP's facts proxy forwards the detailed list to the API.
    const auto from_api = api.get(api.facts("/role_assignments/detailed"));
    PERMIT_REQUIRE_STATUS(from_api, 200);
    for (const auto& target : {std::string("/facts/role_assignments/detailed"),
                               pdp.facts("/role_assignments/detailed")}) {
        const auto through_pdp = pdp.get(target);
        PERMIT_REQUIRE_STATUS(through_pdp, 200);
        BOOST_TEST(through_pdp.json() == from_api.json(), target);
    }
    BOOST_TEST(f.emu.stats().route("GET /facts/role_assignments/detailed") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
