// The roles and resources routes of the emulator (docs/emulator.md "Routes and statuses";
// https://api.permit.io/v2/redoc#tag/Roles, https://api.permit.io/v2/redoc#tag/Resources).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

const std::vector<std::string> role_read_required = {
    "name",           "key",        "id",        "organization_id", "project_id",
    "environment_id", "created_at", "updated_at"};
const std::vector<std::string> resource_read_required = {
    "key",        "id",  "organization_id", "project_id", "environment_id", "created_at",
    "updated_at", "name"};

json::object perms(std::initializer_list<const char*> p) {
    json::array a;
    for (const auto* s : p) a.push_back(json::value(s));
    return {{"permissions", a}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_schema)

// ----- roles -------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(create_role_returns_201_with_a_role_read, emulator_fixture) {
    create_resource("document", {"read", "write"});
    create_role("viewer", {"document:read"});
    auto r =
        api.post(api.schema("/roles"),
                 json::parse(R"({"key":"editor","name":"Editor","description":"Edits documents",
                                      "permissions":["document:write"],"extends":["viewer"],"attributes":{"level":2}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto role = body_json(r);
    BOOST_TEST(missing_members(role, role_read_required).empty(), "missing: " << r.body);
    BOOST_TEST(str(role, "key") == "editor");
    BOOST_TEST(str(role, "name") == "Editor");
    BOOST_TEST(str(role, "description") == "Edits documents");
    BOOST_TEST(strings_of(member(role, "permissions")) ==
               std::vector<std::string>{"document:write"});
    BOOST_TEST(strings_of(member(role, "extends")) == std::vector<std::string>{"viewer"});
    BOOST_TEST(looks_like_uuid(str(role, "id")));
    BOOST_TEST(str(role, "organization_id") == config().organization_id);
    BOOST_TEST(str(role, "project_id") == config().project_id);
    BOOST_TEST(str(role, "environment_id") == config().environment_id);
    BOOST_TEST(looks_like_iso8601(str(role, "created_at")));
    BOOST_TEST(looks_like_iso8601(str(role, "updated_at")));
}

BOOST_FIXTURE_TEST_CASE(create_role_errors, emulator_fixture) {
    create_role("viewer", {"document:read"});
    auto r = api.post(api.schema("/roles"), json::object{{"key", "viewer"}, {"name", "Again"}});
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("viewer") != std::string::npos,
               "message: " << r.body);
    BOOST_TEST(str(get_ok(api.schema("/roles/viewer")), "name") == "viewer");

    PERMIT_CHECK_422(
        api.post(api.schema("/roles"), json::object{{"key", "bad key"}, {"name", "B"}}),
        R"(["body","key"])", "value_error.str.regex");
    PERMIT_CHECK_422(api.post(api.schema("/roles"), json::object{{"key", "nameless"}}),
                     R"(["body","name"])", "value_error.missing");
    auto bad_perm = perms({"document:read", "document"});
    bad_perm["key"] = "broken";
    bad_perm["name"] = "Broken";
    PERMIT_CHECK_422(api.post(api.schema("/roles"), bad_perm), R"(["body","permissions",1])",
                     "value_error.str.regex");

    r = api.post(api.schema("/roles"),
                 json::parse(R"({"key":"child","name":"Child","extends":["ghost"]})"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/roles/child")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/roles/broken")), 404, "NOT_FOUND");
    BOOST_TEST(pluck(get_ok(api.schema("/roles"))) == std::vector<std::string>{"viewer"});
}

BOOST_FIXTURE_TEST_CASE(get_and_list_roles, emulator_fixture) {
    seed_rbac();
    const auto viewer = get_ok(api.schema("/roles/viewer"));
    BOOST_TEST(str(viewer, "key") == "viewer");
    BOOST_TEST(get_ok(api.schema("/roles/" + str(viewer, "id"))) == viewer);
    PERMIT_CHECK_ERROR(api.get(api.schema("/roles/ghost")), 404, "NOT_FOUND");

    const auto list = get_ok(api.schema("/roles"));
    BOOST_TEST_REQUIRE(list.is_array(), "a bare array: " << list);
    BOOST_TEST(pluck(list) == (std::vector<std::string>{"viewer", "editor", "admin"}));
    BOOST_TEST(list.at(0) == viewer);

    const auto env = get_ok(api.schema("/roles?include_total_count=true&per_page=2"));
    BOOST_TEST(member(env, "total_count") == json::value(3));
    BOOST_TEST(member(env, "page_count") == json::value(2));
    BOOST_TEST(pluck(data_of(env)) == (std::vector<std::string>{"viewer", "editor"}));
}

BOOST_FIXTURE_TEST_CASE(patch_role, emulator_fixture) {
    seed_rbac();
    create_role("auditor", {"document:read"});
    auto r = api.patch(api.schema("/roles/editor"),
                       json::parse(R"({"name":"Writer","description":"Writes"})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    auto role = body_json(r);
    BOOST_TEST(str(role, "name") == "Writer");
    BOOST_TEST(str(role, "description") == "Writes");
    BOOST_TEST(strings_of(member(role, "permissions")) ==
               std::vector<std::string>{"document:write"});
    BOOST_TEST(strings_of(member(role, "extends")) == std::vector<std::string>{"viewer"});

    // Given fields overwrite: permissions and extends are replaced.
    r = api.patch(api.schema("/roles/editor"),
                  json::parse(R"({"permissions":["document:delete"],"extends":["auditor"]})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    role = get_ok(api.schema("/roles/editor"));
    BOOST_TEST(strings_of(member(role, "permissions")) ==
               std::vector<std::string>{"document:delete"});
    BOOST_TEST(strings_of(member(role, "extends")) == std::vector<std::string>{"auditor"});
    BOOST_TEST(str(role, "name") == "Writer");

    PERMIT_CHECK_ERROR(api.patch(api.schema("/roles/ghost"), json::object{{"name", "X"}}), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_ERROR(
        api.patch(api.schema("/roles/editor"), json::parse(R"({"extends":["ghost"]})")), 404,
        "NOT_FOUND");
    PERMIT_CHECK_422(api.patch(api.schema("/roles/editor"), json::object{{"key", "renamed"}}),
                     R"(["body","key"])", "value_error.extra");
    PERMIT_CHECK_422(api.patch(api.schema("/roles/editor"), perms({"nocolon"})),
                     R"(["body","permissions",0])", "value_error.str.regex");
    role = get_ok(api.schema("/roles/editor"));
    BOOST_TEST(strings_of(member(role, "extends")) == std::vector<std::string>{"auditor"});
    BOOST_TEST(strings_of(member(role, "permissions")) ==
               std::vector<std::string>{"document:delete"});
}

BOOST_FIXTURE_TEST_CASE(delete_role_drops_its_assignments, emulator_fixture) {
    seed_rbac();
    create_user("jane");
    assign("jane", "viewer");
    assign("jane", "editor");
    auto r = api.del(api.schema("/roles/editor"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    PERMIT_CHECK_ERROR(api.get(api.schema("/roles/editor")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(api.schema("/roles/editor")), 404, "NOT_FOUND");
    BOOST_TEST(assignments() == std::vector<std::string>{"jane/viewer/default"});
    BOOST_TEST(!allowed("jane", "write", "document"));
    BOOST_TEST(allowed("jane", "read", "document"));
    BOOST_TEST(pluck(get_ok(api.schema("/roles"))) ==
               (std::vector<std::string>{"viewer", "admin"}));

    const auto admin = get_ok(api.schema("/roles/admin"));
    PERMIT_CHECK_STATUS(api.del(api.schema("/roles/" + str(admin, "id"))), 204);
    BOOST_TEST(pluck(get_ok(api.schema("/roles"))) == std::vector<std::string>{"viewer"});
}

BOOST_FIXTURE_TEST_CASE(add_and_remove_role_permissions, emulator_fixture) {
    create_resource("document", {"read", "write", "delete"});
    create_role("viewer", {"document:read"});
    create_user("jane");
    assign("jane", "viewer");
    BOOST_TEST_REQUIRE(!allowed("jane", "write", "document"));

    auto r = api.post(api.schema("/roles/viewer/permissions"),
                      perms({"document:write", "document:read"}));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(
        sorted(strings_of(member(body_json(r), "permissions"))) ==
        (std::vector<std::string>{"document:read", "document:write"}));  // already granted: skipped
    BOOST_TEST(str(body_json(r), "key") == "viewer");
    BOOST_TEST(allowed("jane", "write", "document"));

    r = api.del(api.schema("/roles/viewer/permissions"),
                json::value(perms({"document:read", "document:never"})));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(strings_of(member(body_json(r), "permissions")) ==
               std::vector<std::string>{"document:write"});
    BOOST_TEST(strings_of(member(get_ok(api.schema("/roles/viewer")), "permissions")) ==
               std::vector<std::string>{"document:write"});
    BOOST_TEST(!allowed("jane", "read", "document"));

    PERMIT_CHECK_422(api.post(api.schema("/roles/viewer/permissions"), perms({"read"})),
                     R"(["body","permissions",0])", "value_error.str.regex");
    PERMIT_CHECK_422(api.post(api.schema("/roles/viewer/permissions"), json::object{}),
                     R"(["body","permissions"])", "value_error.missing");
    PERMIT_CHECK_ERROR(api.post(api.schema("/roles/ghost/permissions"), perms({"document:read"})),
                       404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(
        api.del(api.schema("/roles/ghost/permissions"), json::value(perms({"document:read"}))), 404,
        "NOT_FOUND");
    BOOST_TEST(strings_of(member(get_ok(api.schema("/roles/viewer")), "permissions")) ==
               std::vector<std::string>{"document:write"});
}

// ----- resources ---------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(create_resource_returns_201_with_action_ids, emulator_fixture) {
    auto r = api.post(api.schema("/resources"),
                      json::parse(R"({"key":"document","name":"Document","description":"A doc",
                                      "actions":{"read":{},"write":{"name":"Write","description":"Edit it"}}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto res = body_json(r);
    BOOST_TEST(missing_members(res, resource_read_required).empty(), "missing: " << r.body);
    BOOST_TEST(str(res, "key") == "document");
    BOOST_TEST(str(res, "name") == "Document");
    BOOST_TEST(str(res, "description") == "A doc");
    BOOST_TEST(looks_like_uuid(str(res, "id")));
    BOOST_TEST(str(res, "organization_id") == config().organization_id);
    BOOST_TEST(str(res, "project_id") == config().project_id);
    BOOST_TEST(str(res, "environment_id") == config().environment_id);
    const auto actions = member(res, "actions");
    BOOST_TEST(member_names(actions) == (std::vector<std::string>{"read", "write"}));
    BOOST_TEST(looks_like_uuid(str(member(actions, "read"), "id")),
               "read: " << member(actions, "read"));
    BOOST_TEST(looks_like_uuid(str(member(actions, "write"), "id")),
               "write: " << member(actions, "write"));
    BOOST_TEST(str(member(actions, "read"), "id") != str(member(actions, "write"), "id"));
    BOOST_TEST(str(member(actions, "write"), "name") == "Write");
    BOOST_TEST(str(member(actions, "write"), "description") == "Edit it");

    const auto got = get_ok(api.schema("/resources/document"));
    BOOST_TEST(got == res);
    BOOST_TEST(get_ok(api.schema("/resources/" + str(res, "id"))) == res);
}

BOOST_FIXTURE_TEST_CASE(create_resource_errors, emulator_fixture) {
    create_resource("document", {"read"});
    auto r = api.post(api.schema("/resources"),
                      json::parse(R"({"key":"document","name":"Again","actions":{}})"));
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("document") != std::string::npos,
               "message: " << r.body);
    PERMIT_CHECK_422(
        api.post(api.schema("/resources"), json::parse(R"({"key":"file","name":"File"})")),
        R"(["body","actions"])", "value_error.missing");
    PERMIT_CHECK_422(api.post(api.schema("/resources"),
                              json::parse(R"({"key":"my file","name":"F","actions":{}})")),
                     R"(["body","key"])", "value_error.str.regex");
    PERMIT_CHECK_422(
        api.post(api.schema("/resources"), json::parse(R"({"key":"file","actions":{}})")),
        R"(["body","name"])", "value_error.missing");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/file")), 404, "NOT_FOUND");
    const auto list = get_ok(api.schema("/resources"));
    BOOST_TEST_REQUIRE(list.is_array(), "a bare array: " << list);
    BOOST_TEST(pluck(list) == std::vector<std::string>{"document"});
}

BOOST_FIXTURE_TEST_CASE(list_resources, emulator_fixture) {
    create_resource("document", {"read"});
    create_resource("folder", {"open"});
    const auto list = get_ok(api.schema("/resources"));
    BOOST_TEST_REQUIRE(list.is_array(), "a bare array: " << list);
    BOOST_TEST(pluck(list) == (std::vector<std::string>{"document", "folder"}));
    const auto env = get_ok(api.schema("/resources?include_total_count=true"));
    BOOST_TEST(member(env, "total_count") == json::value(2));
    BOOST_TEST(pluck(data_of(env)) == (std::vector<std::string>{"document", "folder"}));
}

BOOST_FIXTURE_TEST_CASE(put_replaces_a_resource, emulator_fixture) {
    const auto created = create_resource("document", {"read", "write", "delete"});
    auto r = api.put(api.schema("/resources/document"),
                     json::parse(R"({"name":"Doc","actions":{"read":{},"share":{}}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto res = body_json(r);
    BOOST_TEST(str(res, "id") == str(created, "id"));
    BOOST_TEST(str(res, "key") == "document");
    BOOST_TEST(str(res, "name") == "Doc");
    BOOST_TEST(member_names(member(res, "actions")) == (std::vector<std::string>{"read", "share"}));
    BOOST_TEST(looks_like_uuid(str(member(member(res, "actions"), "share"), "id")));
    BOOST_TEST(get_ok(api.schema("/resources/document")) == res);

    PERMIT_CHECK_422(api.put(api.schema("/resources/document"), json::parse(R"({"actions":{}})")),
                     R"(["body","name"])", "value_error.missing");
    PERMIT_CHECK_422(api.put(api.schema("/resources/document"), json::parse(R"({"name":"N"})")),
                     R"(["body","actions"])", "value_error.missing");
    PERMIT_CHECK_ERROR(
        api.put(api.schema("/resources/ghost"), json::parse(R"({"name":"G","actions":{}})")), 404,
        "NOT_FOUND");
    BOOST_TEST(str(get_ok(api.schema("/resources/document")), "name") == "Doc");
}

BOOST_FIXTURE_TEST_CASE(patch_updates_given_fields_of_a_resource, emulator_fixture) {
    const auto created = create_resource("document", {"read", "write"});
    auto r = api.patch(api.schema("/resources/document"), json::object{{"name", "Renamed"}});
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto res = body_json(r);
    BOOST_TEST(str(res, "name") == "Renamed");
    BOOST_TEST(member(res, "actions") == member(created, "actions"));  // untouched, ids included

    r = api.patch(api.schema("/resources/" + str(created, "id")),
                  json::parse(R"({"description":"Described"})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto got = get_ok(api.schema("/resources/document"));
    BOOST_TEST(str(got, "description") == "Described");
    BOOST_TEST(str(got, "name") == "Renamed");

    PERMIT_CHECK_ERROR(api.patch(api.schema("/resources/ghost"), json::object{{"name", "G"}}), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_422(api.patch(api.schema("/resources/document"), json::object{{"key", "other"}}),
                     R"(["body","key"])", "value_error.extra");
}

BOOST_FIXTURE_TEST_CASE(delete_resource, emulator_fixture) {
    const auto res = create_resource("document", {"read"});
    create_resource("folder", {"open"});
    auto r = api.del(api.schema("/resources/document"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/document")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/" + str(res, "id"))), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(api.schema("/resources/document")), 404, "NOT_FOUND");
    BOOST_TEST(pluck(get_ok(api.schema("/resources"))) == std::vector<std::string>{"folder"});
}

BOOST_AUTO_TEST_SUITE_END()
