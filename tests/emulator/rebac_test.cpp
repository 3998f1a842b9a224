// The emulator's ReBAC over HTTP: resource instances and relationship tuples with the API's
// validation and cascades, roles on instances, and the PDP deciding through them
// (https://docs.permit.io/modeling/google-drive; the decision rules themselves are tested
// without a server in tests/unit/rebac_test.cpp).
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"
#include "support/slowdown.hpp"

using namespace permit_test;
using namespace std::chrono_literals;

namespace {

/// The Google Drive model: `folder` with its `editor`, and `file` whose `editor` is derived from
/// the editor of its parent folder; user jane.
const char* const drive = R"({
    "resources":[
      {"key":"folder","name":"Folder","actions":{"list-files":{},"rename":{}},
       "roles":{"editor":{"name":"Editor","permissions":["list-files","rename"]}}},
      {"key":"file","name":"File","actions":{"read":{},"update":{}},
       "relations":{"parent":"folder"},
       "roles":{"viewer":{"name":"Viewer","permissions":["read"]},
                "editor":{"name":"Editor","permissions":["read","update"],
                          "granted_to":{"users_with_role":[
                            {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}]}}}}],
    "tenants":[{"key":"acme","name":"Acme"}],
    "users":[{"key":"jane"},{"key":"john"}]})";

permit::testing::emulator_config drive_config(std::chrono::milliseconds delay = 0ms) {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(drive);
    c.pdp_propagation_delay = delay;
    return c;
}

json::object instance(const std::string& resource, const std::string& key,
                      const std::string& tenant = "default") {
    return {{"key", key}, {"resource", resource}, {"tenant", tenant}};
}

json::object tuple(const std::string& subject, const std::string& relation,
                   const std::string& object) {
    return {{"subject", subject}, {"relation", relation}, {"object", object}};
}

struct drive_fixture : emulator_fixture {
    drive_fixture() : emulator_fixture(drive_config()) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_rebac_routes)

BOOST_FIXTURE_TEST_CASE(instances_are_created_read_listed_updated_and_deleted, drive_fixture) {
    auto created =
        api.post(api.facts("/resource_instances"), instance("folder", "finance", "acme"));
    PERMIT_REQUIRE_STATUS(created, 201);
    const auto c = created.json().as_object();
    BOOST_TEST(c.at("key").as_string() == "finance");
    BOOST_TEST(c.at("resource").as_string() == "folder");
    BOOST_TEST(c.at("tenant").as_string() == "acme");
    BOOST_TEST(c.at("attributes") == json::object{});
    BOOST_TEST(get_ok(api.facts("/resource_instances/folder:finance")) == created.json());
    BOOST_TEST(get_ok(api.facts("/resource_instances/" + std::string(c.at("id").as_string()))) ==
               created.json());

    PERMIT_REQUIRE_STATUS(api.post(api.facts("/resource_instances"), instance("file", "report")),
                          201);
    BOOST_TEST(get_ok(api.facts("/resource_instances")).as_array().size() == 2u);
    BOOST_TEST(get_ok(api.facts("/resource_instances?tenant=acme")).as_array().size() == 1u);
    BOOST_TEST(get_ok(api.facts("/resource_instances?resource=file")).as_array().size() == 1u);
    BOOST_TEST(
        get_ok(api.facts("/resource_instances?search=finance&search=report")).as_array().size() ==
        2u);
    const auto envelope =
        get_ok(api.facts("/resource_instances?include_total_count=true&per_page=1"));
    BOOST_TEST(envelope.at("total_count").as_int64() == 2);
    BOOST_TEST(envelope.at("data").as_array().size() == 1u);

    auto patched = api.patch(api.facts("/resource_instances/folder:finance"),
                             json::object{{"attributes", json::object{{"private", true}}}});
    PERMIT_REQUIRE_STATUS(patched, 200);
    BOOST_TEST(patched.json().at("attributes") == (json::object{{"private", true}}));

    PERMIT_REQUIRE_STATUS(api.del(api.facts("/resource_instances/folder:finance")), 204);
    BOOST_TEST(api.get(api.facts("/resource_instances/folder:finance")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(an_instance_is_refused_as_the_api_refuses_it, drive_fixture) {
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/resource_instances"), instance("folder", "a")), 201);
    auto dup = api.post(api.facts("/resource_instances"), instance("folder", "a"));
    BOOST_TEST(dup.status == 409u);
    BOOST_TEST(dup.json().at("error_code").as_string() == "DUPLICATE_ENTITY");
    BOOST_TEST(api.post(api.facts("/resource_instances"), instance("shelf", "a")).status == 404u);
    BOOST_TEST(
        api.post(api.facts("/resource_instances"), instance("folder", "b", "nowhere")).status ==
        404u);
    auto bad_key = api.post(api.facts("/resource_instances"), instance("folder", "a:b"));
    BOOST_TEST(bad_key.status == 422u);
    auto missing = api.post(api.facts("/resource_instances"),
                            json::object{{"key", "c"}, {"resource", "folder"}});
    BOOST_TEST(missing.status == 422u);
    BOOST_TEST(missing.json().at("detail").at(0).at("loc") == json::parse(R"(["body","tenant"])"));
}

BOOST_FIXTURE_TEST_CASE(a_tuple_creates_missing_instances_and_is_checked_against_the_schema,
                        drive_fixture) {
    auto t = tuple("folder:finance", "parent", "file:report");
    t["tenant"] = "acme";
    auto created = api.post(api.facts("/relationship_tuples"), t);
    PERMIT_REQUIRE_STATUS(created, 201);
    BOOST_TEST(created.json().at("tenant").as_string() == "acme");
    BOOST_TEST(get_ok(api.facts("/resource_instances/file:report")).at("tenant").as_string() ==
               "acme");
    BOOST_TEST(api.post(api.facts("/relationship_tuples"), t).status == 409u);

    // The relation is the object's, with the subject's type as its subject.
    auto reversed = api.post(api.facts("/relationship_tuples"),
                             tuple("file:report", "parent", "folder:finance"));
    BOOST_TEST(reversed.status == 422u);
    BOOST_TEST(reversed.json().at("error_code").as_string() == "MISMATCH_RELATION_TYPE");
    // Both instances in one tenant.
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/resource_instances"), instance("folder", "other")),
                          201);
    auto mixed =
        api.post(api.facts("/relationship_tuples"), tuple("folder:other", "parent", "file:report"));
    BOOST_TEST(mixed.status == 422u);
    BOOST_TEST(mixed.json().at("error_code").as_string() == "MISMATCH_RESOURCE_INSTANCES_TENANTS");
    // Neither exists and no tenant.
    BOOST_TEST(
        api.post(api.facts("/relationship_tuples"), tuple("folder:x", "parent", "file:y")).status ==
        422u);
    BOOST_TEST(api.get(api.facts("/resource_instances/file:y")).status == 404u);

    const auto listed = get_ok(api.facts("/relationship_tuples?subject=folder:finance"));
    BOOST_TEST(listed.as_array().size() == 1u);
    BOOST_TEST(get_ok(api.facts("/relationship_tuples?object_type=folder")).as_array().empty());

    PERMIT_REQUIRE_STATUS(api.del(api.facts("/relationship_tuples"),
                                  tuple("folder:finance", "parent", "file:report")),
                          204);
    BOOST_TEST(
        api.del(api.facts("/relationship_tuples"), tuple("folder:finance", "parent", "file:report"))
            .status == 404u);
}

BOOST_FIXTURE_TEST_CASE(a_role_derived_through_a_tuple_allows_until_the_tuple_goes, drive_fixture) {
    file_in_finance();
    assign_on("jane", "editor", "folder:finance");
    assign_on("john", "viewer", "file:report");
    BOOST_TEST(can("jane", "rename", "folder", "finance"));
    BOOST_TEST(can("jane", "update", "file", "report"));  // derived through the parent folder
    BOOST_TEST(can("john", "read", "file", "report"));
    BOOST_TEST(!can("john", "update", "file", "report"));
    BOOST_TEST(!can("jane", "update", "file", "report", "acme"));  // another tenant
    BOOST_TEST(!can("jane", "update", "file", "elsewhere"));

    PERMIT_REQUIRE_STATUS(api.del(api.facts("/relationship_tuples"),
                                  tuple("folder:finance", "parent", "file:report")),
                          204);
    BOOST_TEST(!can("jane", "update", "file", "report"));
    BOOST_TEST(can("jane", "rename", "folder", "finance"));
}

BOOST_FIXTURE_TEST_CASE(user_permissions_list_the_instances_with_roles_assigned_or_derived,
                        drive_fixture) {
    file_in_finance();
    assign_on("jane", "editor", "folder:finance");
    auto r = pdp("/user-permissions", json::parse(R"({"user":{"key":"jane"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto body = r.json().as_object();
    BOOST_TEST(body.size() == 2u, r.body);
    const auto& folder = body.at("folder:finance").as_object();
    BOOST_TEST(folder.at("roles") == json::parse(R"(["editor"])"));
    BOOST_TEST(folder.at("permissions") == json::parse(R"(["folder:list-files","folder:rename"])"));
    BOOST_TEST(folder.at("resource").at("key").as_string() == "finance");
    BOOST_TEST(folder.at("tenant").at("key").as_string() == "default");
    const auto& file = body.at("file:report").as_object();
    BOOST_TEST(file.at("permissions") == json::parse(R"(["file:read","file:update"])"));

    auto only_files = pdp("/user-permissions",
                          json::parse(R"({"user":{"key":"jane"},"resource_types":["file"]})"));
    BOOST_TEST(only_files.json().as_object().size() == 1u, only_files.body);
    auto other_tenant =
        pdp("/user-permissions", json::parse(R"({"user":{"key":"jane"},"tenants":["acme"]})"));
    BOOST_TEST(other_tenant.json().as_object().empty(), other_tenant.body);
}

BOOST_FIXTURE_TEST_CASE(user_tenants_lists_the_tenants_of_the_user_s_tenant_roles,
                        emulator_fixture) {
    PERMIT_REQUIRE_STATUS(
        api.post(api.schema("/roles"), json::parse(R"({"key":"member","name":"Member"})")), 201);
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/tenants"),
                 json::parse(R"({"key":"acme","name":"Acme","attributes":{"plan":"pro"}})")),
        201);
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users"), json::parse(R"({"key":"jane",
        "role_assignments":[{"role":"member","tenant":"acme"}]})")),
                          201);
    auto r = pdp("/user-tenants", json::parse(R"({"user":{"key":"jane"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(r.json() == json::parse(R"([{"key":"acme","attributes":{"plan":"pro"}}])"));
    auto nobody = pdp("/user-tenants", json::parse(R"({"user":{"key":"nobody"}})"));
    BOOST_TEST(nobody.json() == json::array{});
    BOOST_TEST(pdp("/user-tenants", json::object{}).status == 422u);
}

BOOST_FIXTURE_TEST_CASE(deleting_an_instance_takes_its_tuples_and_role_assignments, drive_fixture) {
    file_in_finance();
    assign_on("jane", "editor", "folder:finance");
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/resource_instances/folder:finance")), 204);
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().empty());
    BOOST_TEST(
        get_ok(api.facts("/role_assignments?resource_instance=folder:finance")).as_array().empty());
    BOOST_TEST(!can("jane", "update", "file", "report"));
    // Created again, it has neither.
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/resource_instances"), instance("folder", "finance")),
                          201);
    BOOST_TEST(!can("jane", "rename", "folder", "finance"));
}

BOOST_FIXTURE_TEST_CASE(bulk_instances_and_tuples, drive_fixture) {
    json::array ops;
    for (int i = 0; i < 3; ++i) ops.push_back(instance("file", "f" + std::to_string(i)));
    PERMIT_REQUIRE_STATUS(
        api.put(api.facts("/bulk/resource_instances"), json::object{{"operations", ops}}), 200);
    BOOST_TEST(get_ok(api.facts("/resource_instances")).as_array().size() == 3u);
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/resource_instances"), instance("folder", "root")),
                          201);
    json::array tuples;
    for (int i = 0; i < 3; ++i)
        tuples.push_back(tuple("folder:root", "parent", "file:f" + std::to_string(i)));
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/relationship_tuples/bulk"), json::object{{"operations", tuples}}),
        200);
    assign_on("jane", "editor", "folder:root");
    BOOST_TEST(can("jane", "update", "file", "f2"));
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/relationship_tuples/bulk"),
                                  json::object{{"idents", json::array{tuples[2]}}}),
                          200);
    BOOST_TEST(!can("jane", "update", "file", "f2"));
    BOOST_TEST(can("jane", "update", "file", "f1"));
    const auto snapshot = emu.snapshot();
    BOOST_TEST(snapshot.at("resource_instances").as_array().size() == 4u);
    BOOST_TEST(snapshot.at("relationship_tuples").as_array().size() == 2u);
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/bulk/resource_instances"),
                                  json::object{{"idents", json::array{"file:f0", "file:f1"}}}),
                          200);
    BOOST_TEST(get_ok(api.facts("/resource_instances?resource=file")).as_array().size() == 1u);
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().empty());
}

BOOST_FIXTURE_TEST_CASE(a_bulk_tuple_call_that_fails_writes_nothing, drive_fixture) {
    // The second item's instance is created by the first: checked as if the first were written.
    json::array ops{tuple("folder:a", "parent", "file:x"), tuple("folder:a", "parent", "file:y")};
    ops[0].as_object()["tenant"] = "default";
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/relationship_tuples/bulk"), json::object{{"operations", ops}}), 200);
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().size() == 2u);

    // A new tuple then an existing one: 409, and the new one is not written either.
    json::array replay{tuple("folder:a", "parent", "file:z"),
                       tuple("folder:a", "parent", "file:x")};
    replay[0].as_object()["tenant"] = "default";
    const auto dup =
        api.post(api.facts("/relationship_tuples/bulk"), json::object{{"operations", replay}});
    PERMIT_REQUIRE_STATUS(dup, 409);
    BOOST_TEST(dup.json().at("error_code").as_string() == "DUPLICATE_ENTITY");
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().size() == 2u);
    BOOST_TEST(get_ok(api.facts("/resource_instances?search=file:z")).as_array().empty(),
               "the instance the failed call named was not created");

    // The same tuple twice in one call is a duplicate too.
    json::array twice{tuple("folder:a", "parent", "file:w"), tuple("folder:a", "parent", "file:w")};
    twice[0].as_object()["tenant"] = "default";
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/relationship_tuples/bulk"), json::object{{"operations", twice}}), 409);

    // A removal naming a missing tuple: 404, and the existing one named with it stays.
    const auto missing =
        api.del(api.facts("/relationship_tuples/bulk"),
                json::object{{"idents", json::array{tuple("folder:a", "parent", "file:x"),
                                                    tuple("folder:a", "parent", "file:q")}}});
    PERMIT_REQUIRE_STATUS(missing, 404);
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(deleting_a_tenant_or_a_type_takes_its_instances, drive_fixture) {
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/resource_instances"), instance("folder", "x", "acme")), 201);
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/relationship_tuples"),
                 json::object{
                     {"subject", "folder:x"}, {"relation", "parent"}, {"object", "file:in-acme"}}),
        201);
    assign_on("jane", "editor", "folder:x");
    file_in_finance();  // in `default`
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/tenants/acme")), 204);
    BOOST_TEST(get_ok(api.facts("/resource_instances?tenant=acme")).as_array().empty());
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().size() == 1u,
               "the tuple in `default` stays");
    BOOST_TEST(get_ok(api.facts("/role_assignments?user=jane")).as_array().empty());

    PERMIT_REQUIRE_STATUS(api.del(api.schema("/resources/file")), 204);
    BOOST_TEST(get_ok(api.facts("/resource_instances?search=file:report")).as_array().empty());
    BOOST_TEST(get_ok(api.facts("/relationship_tuples")).as_array().empty());
    BOOST_TEST(get_ok(api.facts("/resource_instances")).as_array().size() == 1u,
               "folder:finance stays");
}

BOOST_FIXTURE_TEST_CASE(an_instance_cannot_be_related_to_itself, drive_fixture) {
    // The type may relate to itself (a folder's parent folder), an instance may not.
    auto r = api.post(api.facts("/relationship_tuples"), json::object{{"subject", "folder:a"},
                                                                      {"relation", "parent"},
                                                                      {"object", "folder:a"},
                                                                      {"tenant", "default"}});
    PERMIT_REQUIRE_STATUS(r, 422);
    BOOST_TEST(r.body.find("related to itself") != std::string::npos, r.body);
}

BOOST_AUTO_TEST_CASE(the_lagging_pdp_sees_tuples_and_instances_after_the_delay) {
    const auto delay = 200ms * slowdown;
    fresh_emulator f(drive_config(delay));
    auto api = f.connect();
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/relationship_tuples"), json::object{{"subject", "folder:finance"},
                                                                 {"relation", "parent"},
                                                                 {"object", "file:report"},
                                                                 {"tenant", "default"}}),
        201);
    PERMIT_REQUIRE_STATUS(api.post(api.facts("/role_assignments"),
                                   json::object{{"user", "jane"},
                                                {"role", "editor"},
                                                {"resource_instance", "folder:finance"},
                                                {"tenant", "default"}}),
                          200);
    std::this_thread::sleep_for(delay + 50ms);
    auto r = api.connection().request(
        http::verb::post, "/allowed",
        json::serialize(json::parse(R"({"user":{"key":"jane"},"action":"update",
            "resource":{"type":"file","key":"report","tenant":"default"}})")),
        api.authorization());
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("allow").as_bool());
}

BOOST_AUTO_TEST_CASE(a_seed_holds_instances_tuples_and_roles_on_instances) {
    // `file` relates to `folder`, listed after it.
    permit::testing::emulator_config c;
    c.initial_state = json::parse(R"({
        "resources":[
          {"key":"file","name":"File","actions":{"update":{}},"relations":{"parent":"folder"},
           "roles":{"editor":{"name":"Editor","permissions":["update"],
                              "granted_to":{"users_with_role":[
                                {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}]}}}},
          {"key":"folder","name":"Folder","actions":{"rename":{}},
           "roles":{"editor":{"name":"Editor","permissions":["rename"]}}}],
        "users":[{"key":"jane"}],
        "resource_instances":[{"key":"finance","resource":"folder","tenant":"default"}],
        "relationship_tuples":[{"subject":"folder:finance","relation":"parent","object":"file:report",
                                "tenant":"default"}],
        "role_assignments":[{"user":"jane","role":"editor","resource_instance":"folder:finance",
                             "tenant":"default"}]})");
    fresh_emulator f(c);
    auto api = f.connect();
    auto r = api.connection().request(
        http::verb::post, "/allowed",
        json::serialize(json::parse(R"({"user":{"key":"jane"},"action":"update",
            "resource":{"type":"file","key":"report","tenant":"default"}})")),
        api.authorization());
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("allow").as_bool());
    BOOST_TEST(api.get(api.facts("/resource_instances/file:report")).status == 200u);

    c.initial_state.as_object()["relationship_tuples"] =
        json::parse(R"([{"subject":"file:report","relation":"parent","object":"folder:finance"}])");
    BOOST_CHECK_THROW(permit::testing::emulator{c}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
