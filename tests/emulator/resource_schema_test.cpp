// The emulator's routes below a resource type over HTTP: relations, resource roles (permissions,
// ancestors and descendants), implicit grants, attribute definitions (the users' too) and action
// groups, with the API's statuses and errors, their cascades, and the PDP deciding through the
// roles and derivations they make (https://api.permit.io/v2/redoc#tag/Resource-Relations,
// #tag/Resource-Roles, #tag/Implicit-Grants, #tag/Resource-Attributes, #tag/User-Attributes,
// #tag/Resource-Action-Groups).
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"
#include "support/slowdown.hpp"

using namespace permit_test;
using namespace std::chrono_literals;

namespace {

/// `folder` with viewer and editor roles; `file` with its actions and no role or relation yet;
/// tenant acme besides default; users jane and john.
const char* const schema_seed = R"({
    "resources":[
      {"key":"folder","name":"Folder","actions":{"list-files":{},"rename":{}},
       "roles":{"viewer":{"name":"Viewer","permissions":["list-files"]},
                "editor":{"name":"Editor","permissions":["list-files","rename"]}}},
      {"key":"file","name":"File","actions":{"read":{},"update":{},"delete":{}}}],
    "tenants":[{"key":"acme","name":"Acme"}],
    "users":[{"key":"jane"},{"key":"john"}]})";

permit::testing::emulator_config schema_config(std::chrono::milliseconds delay = 0ms) {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(schema_seed);
    c.pdp_propagation_delay = delay;
    return c;
}

/// The rule "editor of the parent folder" of a file role.
json::object folder_editor_rule() {
    return {{"role", "editor"}, {"on_resource", "folder"}, {"linked_by_relation", "parent"}};
}

struct schema_fixture : emulator_fixture {
    schema_fixture() : emulator_fixture(schema_config()) {}

    std::string file(std::string_view rest) {
        return api.schema("/resources/file" + std::string(rest));
    }

    /// Relation `parent` of `file` to `folder`.
    json::value make_parent_relation() {
        auto r = api.post(file("/relations"), json::parse(R"({"key":"parent","name":"Parent",
            "description":"the folder of the file","subject_resource":"folder"})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }

    /// Role `role` of `file` with `permissions` (a JSON array text) and more fields.
    json::value make_file_role(const std::string& role, const std::string& permissions,
                               json::object extra = {}) {
        extra["key"] = role;
        extra["name"] = role;
        extra["permissions"] = json::parse(permissions);
        auto r = api.post(file("/roles"), extra);
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_resource_schema)

// ----- relations -----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(relations_are_created_read_listed_and_deleted, schema_fixture) {
    const auto created = make_parent_relation();
    BOOST_TEST(str(created, "key") == "parent");
    BOOST_TEST(str(created, "name") == "Parent");
    BOOST_TEST(str(created, "description") == "the folder of the file");
    BOOST_TEST(str(created, "object_resource") == "file");
    BOOST_TEST(str(created, "subject_resource") == "folder");
    const auto folder = get_ok(api.schema("/resources/folder"));
    const auto file_read = get_ok(file(""));
    BOOST_TEST(member(created, "subject_resource_id") == member(folder, "id"));
    BOOST_TEST(member(created, "object_resource_id") == member(file_read, "id"));
    BOOST_TEST(looks_like_uuid(str(created, "id")));
    BOOST_TEST(looks_like_iso8601(str(created, "created_at")));
    BOOST_TEST(missing_members(
                   created, {"key", "name", "id", "organization_id", "project_id", "environment_id",
                             "created_at", "updated_at", "object_resource_id", "object_resource",
                             "subject_resource_id", "subject_resource"})
                   .empty());
    // The same relation in the ResourceRead.
    const auto block = file_read.at("relations").at("parent");
    BOOST_TEST(str(block, "resource") == "folder");
    BOOST_TEST(member(block, "resource_id") == member(folder, "id"));

    BOOST_TEST(get_ok(file("/relations/parent")) == created);
    BOOST_TEST(get_ok(file("/relations/" + str(created, "id"))) == created);
    // By the type's id too.
    BOOST_TEST(get_ok(api.schema("/resources/" + str(file_read, "id") + "/relations/parent")) ==
               created);

    // A relation of a type to itself, and one more; the list is the envelope, paged.
    PERMIT_REQUIRE_STATUS(api.post(file("/relations"), json::parse(R"({"key":"copy_of",
        "name":"Copy of","subject_resource":"file"})")),
                          201);
    PERMIT_REQUIRE_STATUS(api.post(file("/relations"), json::parse(R"({"key":"shelf",
        "name":"Shelf","subject_resource":")" + str(folder, "id") + R"("})")),
                          201);
    const auto all = get_ok(file("/relations"));
    BOOST_TEST(pluck(data_of(all)) == (std::vector<std::string>{"parent", "copy_of", "shelf"}));
    BOOST_TEST(member(all, "total_count") == json::value(3));
    BOOST_TEST(member(all, "page_count") == json::value(1));
    const auto second = get_ok(file("/relations?page=2&per_page=2"));
    BOOST_TEST(pluck(data_of(second)) == (std::vector<std::string>{"shelf"}));
    BOOST_TEST(member(second, "total_count") == json::value(3));
    BOOST_TEST(member(second, "page_count") == json::value(2));
    PERMIT_CHECK_422(api.get(file("/relations?per_page=101")), R"(["query","per_page"])",
                     "value_error.number.not_le");

    PERMIT_CHECK_STATUS(api.del(file("/relations/copy_of")), 204);
    PERMIT_CHECK_ERROR(api.get(file("/relations/copy_of")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(file("/relations/copy_of")), 404, "NOT_FOUND");
    BOOST_TEST(get_ok(file("")).at("relations").as_object().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_relation_of_resource_create_is_the_same_relation, schema_fixture) {
    auto r = api.post(api.schema("/resources"), json::parse(R"({"key":"page","name":"Page",
        "actions":{"read":{}},"relations":{"book":"folder"}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto listed = data_of(get_ok(api.schema("/resources/page/relations")));
    BOOST_TEST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(str(listed[0], "key") == "book");
    BOOST_TEST(str(listed[0], "name") == "book");
    BOOST_TEST(str(listed[0], "object_resource") == "page");
    BOOST_TEST(str(listed[0], "subject_resource") == "folder");
    // A duplicate of it is refused; a tuple through it carries its id.
    PERMIT_CHECK_ERROR(api.post(api.schema("/resources/page/relations"),
                                json::parse(R"({"key":"book","name":"Book",
                                                "subject_resource":"folder"})")),
                       409, "DUPLICATE_ENTITY");
    auto t = api.post(api.facts("/relationship_tuples"),
                      json::parse(R"({"subject":"folder:f","relation":"book","object":"page:p",
                                      "tenant":"default"})"));
    PERMIT_REQUIRE_STATUS(t, 201);
    BOOST_TEST(member(body_json(t), "relation_id") == member(listed[0], "id"));
    // A PATCH of the resource that keeps it keeps its id.
    PERMIT_REQUIRE_STATUS(
        api.patch(api.schema("/resources/page"), json::parse(R"({"relations":{"book":"folder"}})")),
        200);
    BOOST_TEST(get_ok(api.schema("/resources/page/relations/book")) == listed[0]);
}

BOOST_FIXTURE_TEST_CASE(a_relation_is_refused_as_the_api_refuses_it, schema_fixture) {
    const auto body =
        json::parse(R"({"key":"parent","name":"Parent","subject_resource":"folder"})");
    PERMIT_CHECK_ERROR(api.post(api.schema("/resources/shelf/relations"), body), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/shelf/relations")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.post(file("/relations"), json::parse(R"({"key":"parent","name":"P",
        "subject_resource":"shelf"})")),
                       404, "NOT_FOUND");
    PERMIT_CHECK_422(api.post(file("/relations"), json::parse(R"({"key":"parent","name":"P"})")),
                     R"(["body","subject_resource"])", "value_error.missing");
    PERMIT_CHECK_422(api.post(file("/relations"), json::parse(R"({"key":"a b","name":"P",
        "subject_resource":"folder"})")),
                     R"(["body","key"])", "value_error.str.regex");
    PERMIT_CHECK_422(api.post(file("/relations"), json::parse(R"({"key":"p","name":"P",
        "subject_resource":"folder","object_resource":"file"})")),
                     R"(["body","object_resource"])", "value_error.extra");
    PERMIT_REQUIRE_STATUS(api.post(file("/relations"), body), 201);
    PERMIT_CHECK_ERROR(api.post(file("/relations"), body), 409, "DUPLICATE_ENTITY");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_relation_deletes_its_tuples_and_the_rules_linked_by_it,
                        schema_fixture) {
    make_parent_relation();
    make_file_role("editor", R"(["read","update"])",
                   json::object{{"granted_to", json::object{{"users_with_role",
                                                             json::array{folder_editor_rule()}}}}});
    file_in_finance();
    // A tuple of another relation stays.
    PERMIT_REQUIRE_STATUS(api.post(file("/relations"), json::parse(R"({"key":"copy_of",
        "name":"Copy of","subject_resource":"file"})")),
                          201);
    PERMIT_REQUIRE_STATUS(
        api.post(
            api.facts("/relationship_tuples"),
            json::parse(R"({"subject":"file:draft","relation":"copy_of","object":"file:report"})")),
        201);
    assign_on("jane", "editor", "folder:finance");
    BOOST_TEST(can("jane", "update", "file", "report"));

    PERMIT_REQUIRE_STATUS(api.del(file("/relations/parent")), 204);
    BOOST_TEST(pluck(get_ok(api.facts("/relationship_tuples")), "relation") ==
               (std::vector<std::string>{"copy_of"}));
    BOOST_TEST(get_ok(file("/roles/editor")).at("granted_to").at("users_with_role") ==
               json::array{});
    BOOST_TEST(!can("jane", "update", "file", "report"));
    // A relation made again with the key does not bring the tuple or the rule back.
    make_parent_relation();
    BOOST_TEST(!can("jane", "update", "file", "report"));
}

// ----- resource roles ----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(resource_roles_are_created_read_listed_updated_and_deleted,
                        schema_fixture) {
    const auto reader = make_file_role(
        "reader", R"(["read","file:read","file:update"])",
        json::object{{"description", "reads files"}, {"attributes", json::object{{"level", 1}}}});
    BOOST_TEST(str(reader, "key") == "reader");
    BOOST_TEST(str(reader, "resource") == "file");
    BOOST_TEST(member(reader, "resource_id") == member(get_ok(file("")), "id"));
    BOOST_TEST(member(reader, "permissions") == json::parse(R"(["read","update"])"));
    BOOST_TEST(member(reader, "extends") == json::array{});
    BOOST_TEST(str(reader, "description") == "reads files");
    BOOST_TEST(absent_or_null(reader, "granted_to"));
    BOOST_TEST(missing_members(
                   reader, {"name", "key", "id", "organization_id", "project_id", "environment_id",
                            "resource_id", "resource", "created_at", "updated_at"})
                   .empty());
    // The same role in the ResourceRead.
    BOOST_TEST(get_ok(file("")).at("roles").at("reader") == reader);
    BOOST_TEST(get_ok(file("/roles/reader")) == reader);
    BOOST_TEST(get_ok(file("/roles/" + str(reader, "id"))) == reader);

    make_file_role("writer", R"(["update"])");
    make_file_role("owner", R"(["delete"])");
    BOOST_TEST(pluck(get_ok(file("/roles"))) ==
               (std::vector<std::string>{"reader", "writer", "owner"}));
    BOOST_TEST(pluck(get_ok(file("/roles?page=2&per_page=2"))) ==
               (std::vector<std::string>{"owner"}));
    PERMIT_CHECK_422(api.get(file("/roles?page=0")), R"(["query","page"])",
                     "value_error.number.not_ge");

    // PATCH replaces the fields given and keeps the others.
    auto patched = api.patch(file("/roles/reader"),
                             json::parse(R"({"name":"Reader","permissions":["file:read"],
                                             "extends":["writer"]})"));
    PERMIT_REQUIRE_STATUS(patched, 200);
    const auto p = body_json(patched);
    BOOST_TEST(str(p, "name") == "Reader");
    BOOST_TEST(member(p, "permissions") == json::parse(R"(["read"])"));
    BOOST_TEST(member(p, "extends") == json::parse(R"(["writer"])"));
    BOOST_TEST(str(p, "description") == "reads files");
    BOOST_TEST(member(p, "id") == member(reader, "id"));
    BOOST_TEST(member(p, "created_at") == member(reader, "created_at"));

    PERMIT_CHECK_STATUS(api.del(file("/roles/owner")), 204);
    PERMIT_CHECK_ERROR(api.get(file("/roles/owner")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(file("/roles/owner")), 404, "NOT_FOUND");
    BOOST_TEST(pluck(get_ok(file("/roles"))) == (std::vector<std::string>{"reader", "writer"}));
}

BOOST_FIXTURE_TEST_CASE(a_resource_role_is_refused_as_the_api_refuses_it, schema_fixture) {
    const auto body = json::parse(R"({"key":"reader","name":"Reader","permissions":["read"]})");
    PERMIT_CHECK_ERROR(api.post(api.schema("/resources/shelf/roles"), body), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/shelf/roles")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/shelf/roles/reader")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.patch(file("/roles/reader"), json::parse(R"({"name":"R"})")), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_422(api.post(file("/roles"), json::parse(R"({"key":"reader"})")),
                     R"(["body","name"])", "value_error.missing");
    PERMIT_CHECK_422(api.post(file("/roles"), json::parse(R"({"key":"reader","name":"R",
        "granted_to":{"users_with_role":[{"role":"editor"}]}})")),
                     R"(["body","granted_to","users_with_role",0,"on_resource"])",
                     "value_error.missing");
    // A permission of another resource type.
    PERMIT_CHECK_ERROR(api.post(file("/roles"), json::parse(R"({"key":"reader","name":"R",
        "permissions":["folder:rename"]})")),
                       422, "INVALID_PERMISSION_FORMAT");
    // A role it extends that the type lacks.
    PERMIT_CHECK_ERROR(api.post(file("/roles"), json::parse(R"({"key":"reader","name":"R",
        "extends":["viewer"]})")),
                       404, "NOT_FOUND");
    PERMIT_REQUIRE_STATUS(api.post(file("/roles"), body), 201);
    PERMIT_CHECK_ERROR(api.post(file("/roles"), body), 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(api.post(file("/roles"), body)), "message").find("already exists") !=
               std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(permissions_are_assigned_and_removed_bare_or_prefixed, schema_fixture) {
    make_file_role("reader", R"(["read"])");
    const auto delete_id = str(get_ok(file("")).at("actions").at("delete"), "id");
    auto added =
        api.post(file("/roles/reader/permissions"),
                 json::object{{"permissions", json::array{"file:update", "read", delete_id}}});
    PERMIT_REQUIRE_STATUS(added, 200);
    BOOST_TEST(member(body_json(added), "permissions") ==
               json::parse(R"(["read","update","delete"])"));
    auto removed = api.del(file("/roles/reader/permissions"),
                           json::parse(R"({"permissions":["update","file:delete","nothing"]})"));
    PERMIT_REQUIRE_STATUS(removed, 200);
    BOOST_TEST(member(body_json(removed), "permissions") == json::parse(R"(["read"])"));
    BOOST_TEST(get_ok(file("/roles/reader")).at("permissions") == json::parse(R"(["read"])"));

    PERMIT_CHECK_ERROR(
        api.post(file("/roles/writer/permissions"), json::parse(R"({"permissions":["read"]})")),
        404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.post(file("/roles/reader/permissions"),
                                json::parse(R"({"permissions":["folder:rename"]})")),
                       422, "INVALID_PERMISSION_FORMAT");
    PERMIT_CHECK_422(api.post(file("/roles/reader/permissions"), json::object{}),
                     R"(["body","permissions"])", "value_error.missing");

    // The PDP reads the new permissions.
    assign_on("jane", "reader", "file:report");
    BOOST_TEST(can("jane", "read", "file", "report"));
    BOOST_TEST(!can("jane", "update", "file", "report"));
    PERMIT_REQUIRE_STATUS(
        api.post(file("/roles/reader/permissions"), json::parse(R"({"permissions":["update"]})")),
        200);
    BOOST_TEST(can("jane", "update", "file", "report"));
}

BOOST_FIXTURE_TEST_CASE(ancestors_are_the_roles_a_role_extends_descendants_those_extending_it,
                        schema_fixture) {
    make_file_role("viewer", R"(["read"])");
    make_file_role("editor", R"(["update"])", json::object{{"extends", json::array{"viewer"}}});
    make_file_role("admin", R"(["delete"])", json::object{{"extends", json::array{"editor"}}});
    make_file_role("auditor", R"([])", json::object{{"extends", json::array{"viewer"}}});
    auto roles_of = [&](const std::string& path) {
        const auto v = get_ok(file(path));
        BOOST_TEST_REQUIRE(member(v, "roles").is_array(), json::serialize(v));
        return pluck(member(v, "roles"));
    };
    BOOST_TEST(roles_of("/roles/admin/ancestors") ==
               (std::vector<std::string>{"editor", "viewer"}));
    BOOST_TEST(roles_of("/roles/viewer/ancestors").empty());
    BOOST_TEST(roles_of("/roles/viewer/descendants") ==
               (std::vector<std::string>{"editor", "auditor", "admin"}));
    BOOST_TEST(roles_of("/roles/admin/descendants").empty());
    PERMIT_CHECK_ERROR(api.get(file("/roles/nobody/ancestors")), 404, "NOT_FOUND");

    // An admin inherits what the roles it extends grant.
    assign_on("jane", "admin", "file:report");
    BOOST_TEST(can("jane", "read", "file", "report"));
}

BOOST_FIXTURE_TEST_CASE(deleting_a_role_takes_its_assignments_extends_and_derivations,
                        schema_fixture) {
    make_parent_relation();
    make_file_role("viewer", R"(["read"])");
    make_file_role("editor", R"(["update"])", json::object{{"extends", json::array{"viewer"}}});
    make_file_role("writer", R"(["update"])",
                   json::object{{"granted_to", json::object{{"users_with_role",
                                                             json::array{folder_editor_rule()}}}}});
    assign_on("jane", "viewer", "file:report");
    assign_on("john", "editor", "folder:finance");
    file_in_finance();
    BOOST_TEST(can("john", "update", "file", "report"));

    // A role of the file type.
    PERMIT_REQUIRE_STATUS(api.del(file("/roles/viewer")), 204);
    BOOST_TEST(get_ok(file("/roles/editor")).at("extends") == json::array{});
    BOOST_TEST(get_ok(api.facts("/role_assignments?user=jane")).as_array().empty());
    BOOST_TEST(!can("jane", "read", "file", "report"));

    // The folder role a file role derives from.
    PERMIT_REQUIRE_STATUS(api.del(api.schema("/resources/folder/roles/editor")), 204);
    BOOST_TEST(get_ok(file("/roles/writer")).at("granted_to").at("users_with_role") ==
               json::array{});
    BOOST_TEST(get_ok(api.facts("/role_assignments?user=john")).as_array().empty());
    BOOST_TEST(!can("john", "update", "file", "report"));
}

// ----- implicit grants -----------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(an_implicit_grant_is_created_read_and_removed, schema_fixture) {
    const auto relation = make_parent_relation();
    make_file_role("editor", R"(["read","update"])");
    auto created = api.post(file("/roles/editor/implicit_grants"), folder_editor_rule());
    PERMIT_REQUIRE_STATUS(created, 200);
    const auto rule = body_json(created);
    const auto folder = get_ok(api.schema("/resources/folder"));
    BOOST_TEST(str(rule, "role") == "editor");
    BOOST_TEST(str(rule, "on_resource") == "folder");
    BOOST_TEST(str(rule, "linked_by_relation") == "parent");
    BOOST_TEST(member(rule, "role_id") == folder.at("roles").at("editor").at("id"));
    BOOST_TEST(member(rule, "resource_id") == member(folder, "id"));
    BOOST_TEST(member(rule, "relation_id") == member(relation, "id"));
    BOOST_TEST(member(rule, "when") == json::parse(R"({"no_direct_roles_on_object":false})"));

    // The role's granted_to is a DerivedRoleBlockRead, the ResourceRead's too.
    const auto role = get_ok(file("/roles/editor"));
    const auto& block = role.at("granted_to");
    BOOST_TEST(looks_like_uuid(str(block, "id")));
    BOOST_TEST(member(block, "when") == json::parse(R"({"no_direct_roles_on_object":false})"));
    BOOST_TEST(member(block, "users_with_role") == json::array{rule});
    BOOST_TEST(get_ok(file("")).at("roles").at("editor") == role);

    PERMIT_CHECK_ERROR(api.post(file("/roles/editor/implicit_grants"), folder_editor_rule()), 409,
                       "DUPLICATE_ENTITY");
    auto conditions = api.put(file("/roles/editor/implicit_grants/conditions"),
                              json::parse(R"({"no_direct_roles_on_object":true})"));
    PERMIT_REQUIRE_STATUS(conditions, 200);
    BOOST_TEST(body_json(conditions) == json::parse(R"({"no_direct_roles_on_object":true})"));
    BOOST_TEST(get_ok(file("/roles/editor")).at("granted_to").at("when") ==
               json::parse(R"({"no_direct_roles_on_object":true})"));

    PERMIT_CHECK_STATUS(
        api.del(file("/roles/editor/implicit_grants"), json::value(folder_editor_rule())), 204);
    BOOST_TEST(get_ok(file("/roles/editor")).at("granted_to").at("users_with_role") ==
               json::array{});
    PERMIT_CHECK_ERROR(
        api.del(file("/roles/editor/implicit_grants"), json::value(folder_editor_rule())), 404,
        "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(an_implicit_grant_that_does_not_fit_the_schema_is_refused, schema_fixture) {
    make_parent_relation();
    make_file_role("editor", R"(["update"])");
    auto with = [](const char* role, const char* on, const char* relation) {
        return json::object{{"role", role}, {"on_resource", on}, {"linked_by_relation", relation}};
    };
    // No such relation on file; a relation whose subject is another type; no such role there.
    PERMIT_CHECK_ERROR(
        api.post(file("/roles/editor/implicit_grants"), with("editor", "folder", "owner")), 422,
        "INVALID_INPUT");
    PERMIT_CHECK_ERROR(
        api.post(file("/roles/editor/implicit_grants"), with("editor", "file", "parent")), 422,
        "INVALID_INPUT");
    PERMIT_CHECK_ERROR(
        api.post(file("/roles/editor/implicit_grants"), with("owner", "folder", "parent")), 422,
        "INVALID_INPUT");
    BOOST_TEST(str(body_json(api.post(file("/roles/editor/implicit_grants"),
                                      with("owner", "folder", "parent"))),
                   "message") == "Resource 'folder' has no role 'owner'.");
    PERMIT_CHECK_422(api.post(file("/roles/editor/implicit_grants"),
                              json::parse(R"({"role":"editor","on_resource":"folder"})")),
                     R"(["body","linked_by_relation"])", "value_error.missing");
    PERMIT_CHECK_ERROR(api.post(file("/roles/nobody/implicit_grants"), folder_editor_rule()), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_ERROR(
        api.post(api.schema("/resources/shelf/roles/editor/implicit_grants"), folder_editor_rule()),
        404, "NOT_FOUND");
    PERMIT_CHECK_422(api.put(file("/roles/editor/implicit_grants/conditions"),
                             json::parse(R"({"no_direct_roles_on_object":"yes"})")),
                     R"(["body","no_direct_roles_on_object"])", "type_error.bool");
    // The same checks for a role's granted_to.
    PERMIT_CHECK_ERROR(
        api.patch(file("/roles/editor"),
                  json::object{{"granted_to",
                                json::object{{"users_with_role",
                                              json::array{with("owner", "folder", "parent")}}}}}),
        422, "INVALID_INPUT");
}

BOOST_FIXTURE_TEST_CASE(a_patch_of_granted_to_replaces_every_rule, schema_fixture) {
    make_parent_relation();
    PERMIT_REQUIRE_STATUS(api.post(file("/relations"), json::parse(R"({"key":"copy_of",
        "name":"Copy of","subject_resource":"file"})")),
                          201);
    make_file_role("editor", R"(["update"])");
    PERMIT_REQUIRE_STATUS(api.post(file("/roles/editor/implicit_grants"), folder_editor_rule()),
                          200);
    const auto block_id = str(get_ok(file("/roles/editor")).at("granted_to"), "id");
    auto patched = api.patch(file("/roles/editor"), json::parse(R"({"granted_to":{
        "when":{"no_direct_roles_on_object":true},
        "users_with_role":[{"role":"editor","on_resource":"file","linked_by_relation":"copy_of"}]}})"));
    PERMIT_REQUIRE_STATUS(patched, 200);
    const auto patched_role = body_json(patched);
    const auto& block = patched_role.at("granted_to");
    BOOST_TEST(str(block, "id") == block_id);
    BOOST_TEST(member(block, "when") == json::parse(R"({"no_direct_roles_on_object":true})"));
    BOOST_TEST(pluck(member(block, "users_with_role"), "linked_by_relation") ==
               (std::vector<std::string>{"copy_of"}));
    BOOST_TEST(member(block.at("users_with_role").at(0), "role_id") ==
               member(get_ok(file("/roles/editor")), "id"));
}

BOOST_FIXTURE_TEST_CASE(a_derivation_made_by_implicit_grants_changes_the_decision, schema_fixture) {
    make_parent_relation();
    make_file_role("editor", R"(["read","update"])");
    make_file_role("viewer", R"(["read"])");
    file_in_finance();
    assign_on("jane", "editor", "folder:finance");
    BOOST_TEST(!can("jane", "update", "file", "report"));

    PERMIT_REQUIRE_STATUS(api.post(file("/roles/editor/implicit_grants"), folder_editor_rule()),
                          200);
    BOOST_TEST(can("jane", "update", "file", "report"));

    // The derivation gives way to a direct role once the conditions say so.
    assign_on("jane", "viewer", "file:report");
    BOOST_TEST(can("jane", "update", "file", "report"));
    PERMIT_REQUIRE_STATUS(api.put(file("/roles/editor/implicit_grants/conditions"),
                                  json::parse(R"({"no_direct_roles_on_object":true})")),
                          200);
    BOOST_TEST(!can("jane", "update", "file", "report"));
    BOOST_TEST(can("jane", "read", "file", "report"));
    PERMIT_REQUIRE_STATUS(api.put(file("/roles/editor/implicit_grants/conditions"),
                                  json::parse(R"({"no_direct_roles_on_object":false})")),
                          200);
    BOOST_TEST(can("jane", "update", "file", "report"));

    PERMIT_REQUIRE_STATUS(
        api.del(file("/roles/editor/implicit_grants"), json::value(folder_editor_rule())), 204);
    BOOST_TEST(!can("jane", "update", "file", "report"));
}

BOOST_AUTO_TEST_CASE(the_lagging_pdp_sees_schema_changes_after_the_delay) {
    const auto delay = 200ms * slowdown;
    fresh_emulator f(schema_config(delay));
    auto api = f.connect();
    auto can_update = [&] {
        auto r = api.connection().request(
            http::verb::post, "/allowed",
            json::serialize(json::parse(R"({"user":{"key":"jane"},"action":"update",
                "resource":{"type":"file","key":"report","tenant":"default"}})")),
            api.authorization());
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json().at("allow").as_bool();
    };
    const auto file = api.schema("/resources/file");
    PERMIT_REQUIRE_STATUS(api.post(file + "/relations", json::parse(R"({"key":"parent",
        "name":"Parent","subject_resource":"folder"})")),
                          201);
    PERMIT_REQUIRE_STATUS(api.post(file + "/roles", json::parse(R"({"key":"editor",
        "name":"Editor","permissions":["update"]})")),
                          201);
    PERMIT_REQUIRE_STATUS(api.post(file + "/roles/editor/implicit_grants", folder_editor_rule()),
                          200);
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
    BOOST_TEST(can_update());

    // A deletion with cascades reaches the PDP as well.
    PERMIT_REQUIRE_STATUS(api.del(file + "/relations/parent"), 204);
    std::this_thread::sleep_for(delay + 50ms);
    BOOST_TEST(!can_update());
}

// ----- attribute definitions -------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(resource_attributes_are_created_read_listed_updated_and_deleted,
                        schema_fixture) {
    auto created = api.post(file("/attributes"), json::parse(R"({"key":"private","type":"bool",
        "description":"whether the file is private"})"));
    PERMIT_REQUIRE_STATUS(created, 201);
    const auto a = body_json(created);
    const auto file_read = get_ok(file(""));
    BOOST_TEST(str(a, "key") == "private");
    BOOST_TEST(str(a, "type") == "bool");
    BOOST_TEST(str(a, "resource_key") == "file");
    BOOST_TEST(member(a, "resource_id") == member(file_read, "id"));
    BOOST_TEST(member(a, "built_in") == json::value(false));
    BOOST_TEST(
        missing_members(a, {"type", "key", "id", "resource_id", "resource_key", "organization_id",
                            "project_id", "environment_id", "created_at", "updated_at", "built_in"})
            .empty());
    // The same definition in the ResourceRead.
    BOOST_TEST(file_read.at("attributes").at("private") ==
               json::parse(R"({"type":"bool","description":"whether the file is private",
                               "id":")" +
                           str(a, "id") + R"(","key":"private"})"));
    BOOST_TEST(get_ok(file("/attributes/private")) == a);
    BOOST_TEST(get_ok(file("/attributes/" + str(a, "id"))) == a);

    PERMIT_REQUIRE_STATUS(
        api.post(file("/attributes"), json::parse(R"({"key":"size","type":"number"})")), 201);
    PERMIT_REQUIRE_STATUS(
        api.post(file("/attributes"), json::parse(R"({"key":"tags","type":"array"})")), 201);
    BOOST_TEST(pluck(get_ok(file("/attributes"))) ==
               (std::vector<std::string>{"private", "size", "tags"}));
    BOOST_TEST(pluck(get_ok(file("/attributes?page=2&per_page=2"))) ==
               (std::vector<std::string>{"tags"}));

    auto patched = api.patch(file("/attributes/size"), json::parse(R"({"type":"string"})"));
    PERMIT_REQUIRE_STATUS(patched, 200);
    BOOST_TEST(str(body_json(patched), "type") == "string");
    BOOST_TEST(str(get_ok(file("")).at("attributes").at("size"), "type") == "string");

    PERMIT_CHECK_STATUS(api.del(file("/attributes/size")), 204);
    PERMIT_CHECK_ERROR(api.get(file("/attributes/size")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(file("/attributes/size")), 404, "NOT_FOUND");
    BOOST_TEST(member_names(get_ok(file("")).at("attributes")) ==
               (std::vector<std::string>{"private", "tags"}));
}

BOOST_FIXTURE_TEST_CASE(an_attribute_is_refused_as_the_api_refuses_it, schema_fixture) {
    PERMIT_CHECK_ERROR(
        api.post(file("/attributes"), json::parse(R"({"key":"type","type":"string"})")), 422,
        "INVALID_INPUT");
    PERMIT_CHECK_422(api.post(file("/attributes"), json::parse(R"({"key":"k","type":"integer"})")),
                     R"(["body","type"])", "type_error.enum");
    PERMIT_CHECK_422(api.post(file("/attributes"), json::parse(R"({"key":"k"})")),
                     R"(["body","type"])", "value_error.missing");
    PERMIT_CHECK_ERROR(api.post(api.schema("/resources/shelf/attributes"),
                                json::parse(R"({"key":"k","type":"bool"})")),
                       404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.patch(file("/attributes/k"), json::parse(R"({"type":"bool"})")), 404,
                       "NOT_FOUND");
    PERMIT_REQUIRE_STATUS(
        api.post(file("/attributes"), json::parse(R"({"key":"k","type":"bool"})")), 201);
    PERMIT_CHECK_ERROR(api.post(file("/attributes"), json::parse(R"({"key":"k","type":"time"})")),
                       409, "DUPLICATE_ENTITY");
    PERMIT_CHECK_422(api.patch(file("/attributes/k"), json::parse(R"({"type":"date"})")),
                     R"(["body","type"])", "type_error.enum");
}

BOOST_FIXTURE_TEST_CASE(attributes_of_resource_create_are_the_same_definitions, schema_fixture) {
    PERMIT_REQUIRE_STATUS(api.post(api.schema("/resources"), json::parse(R"({"key":"page",
        "name":"Page","actions":{"read":{}},"attributes":{"draft":{"type":"bool"}}})")),
                          201);
    const auto listed = get_ok(api.schema("/resources/page/attributes"));
    BOOST_TEST_REQUIRE(listed.as_array().size() == 1u);
    BOOST_TEST(str(listed.at(0), "key") == "draft");
    BOOST_TEST(str(listed.at(0), "type") == "bool");
    BOOST_TEST(member(listed.at(0), "id") ==
               get_ok(api.schema("/resources/page")).at("attributes").at("draft").at("id"));
}

BOOST_FIXTURE_TEST_CASE(user_attributes_live_at_users_attributes_and_at_the_user_resource,
                        schema_fixture) {
    auto created = api.post(api.schema("/users/attributes"),
                            json::parse(R"({"key":"age","type":"number","description":"years"})"));
    PERMIT_REQUIRE_STATUS(created, 201);
    const auto age = body_json(created);
    BOOST_TEST(str(age, "resource_key") == "__user");
    BOOST_TEST(looks_like_uuid(str(age, "resource_id")));
    // `/resources/__user/attributes` is the same list (the official SDKs use it).
    PERMIT_REQUIRE_STATUS(api.post(api.schema("/resources/__user/attributes"),
                                   json::parse(R"({"key":"department","type":"string"})")),
                          201);
    BOOST_TEST(pluck(get_ok(api.schema("/users/attributes"))) ==
               (std::vector<std::string>{"age", "department"}));
    BOOST_TEST(pluck(get_ok(api.schema("/resources/__user/attributes"))) ==
               (std::vector<std::string>{"age", "department"}));
    BOOST_TEST(pluck(get_ok(api.schema("/users/attributes?resource_id=__user&per_page=1"))) ==
               (std::vector<std::string>{"age"}));
    BOOST_TEST(get_ok(api.schema("/users/attributes/age")) == age);
    PERMIT_CHECK_ERROR(
        api.post(api.schema("/users/attributes"), json::parse(R"({"key":"age","type":"number"})")),
        409, "DUPLICATE_ENTITY");
    auto patched = api.patch(api.schema("/users/attributes/age"),
                             json::parse(R"({"description":"in years"})"));
    PERMIT_REQUIRE_STATUS(patched, 200);
    BOOST_TEST(str(body_json(patched), "description") == "in years");
    BOOST_TEST(str(body_json(patched), "type") == "number");
    PERMIT_CHECK_STATUS(api.del(api.schema("/users/attributes/age")), 204);
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/__user/attributes/age")), 404, "NOT_FOUND");
    // `resource_id` picks another resource type's definitions.
    PERMIT_REQUIRE_STATUS(
        api.post(file("/attributes"), json::parse(R"({"key":"private","type":"bool"})")), 201);
    BOOST_TEST(pluck(get_ok(api.schema("/users/attributes?resource_id=file"))) ==
               (std::vector<std::string>{"private"}));
    // The users' type is not a resource type of the schema.
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/__user")), 404, "NOT_FOUND");
}

// ----- action groups
// ------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(action_groups_are_created_read_listed_updated_and_deleted, schema_fixture) {
    make_file_role("editor", R"(["read","update"])");
    assign_on("jane", "editor", "file:report");
    auto created =
        api.post(file("/action_groups"), json::parse(R"({"key":"writing","name":"Writing",
                                            "description":"changes files",
                                            "attributes":{"risk":"high"},
                                            "actions":["update","delete"]})"));
    PERMIT_REQUIRE_STATUS(created, 201);
    const auto g = body_json(created);
    BOOST_TEST(str(g, "key") == "writing");
    BOOST_TEST(str(g, "name") == "Writing");
    BOOST_TEST(member(g, "actions") == json::parse(R"(["update","delete"])"));
    BOOST_TEST(member(g, "attributes") == json::parse(R"({"risk":"high"})"));
    BOOST_TEST(member(g, "resource_id") == member(get_ok(file("")), "id"));
    BOOST_TEST(missing_members(g, {"name", "key", "id", "organization_id", "project_id",
                                   "environment_id", "resource_id", "created_at", "updated_at"})
                   .empty());
    BOOST_TEST(get_ok(file("")).at("action_groups") ==
               json::parse(R"({"writing":["update","delete"]})"));
    BOOST_TEST(get_ok(file("/action_groups/writing")) == g);
    BOOST_TEST(get_ok(file("/action_groups/" + str(g, "id"))) == g);

    auto minimal = api.post(file("/action_groups"), json::parse(R"({"key":"none","name":"None"})"));
    PERMIT_REQUIRE_STATUS(minimal, 201);
    BOOST_TEST(member(body_json(minimal), "actions") == json::array{});
    BOOST_TEST(pluck(get_ok(file("/action_groups"))) ==
               (std::vector<std::string>{"writing", "none"}));
    BOOST_TEST(pluck(get_ok(file("/action_groups?page=2&per_page=1"))) ==
               (std::vector<std::string>{"none"}));
    PERMIT_CHECK_ERROR(
        api.post(file("/action_groups"), json::parse(R"({"key":"none","name":"N"})")), 409,
        "DUPLICATE_ENTITY");
    PERMIT_CHECK_422(api.post(file("/action_groups"), json::parse(R"({"key":"x"})")),
                     R"(["body","name"])", "value_error.missing");
    PERMIT_CHECK_ERROR(api.get(api.schema("/resources/shelf/action_groups")), 404, "NOT_FOUND");

    auto patched = api.patch(file("/action_groups/writing"),
                             json::parse(R"({"actions":["update","delete","read"]})"));
    PERMIT_REQUIRE_STATUS(patched, 200);
    BOOST_TEST(member(body_json(patched), "actions") ==
               json::parse(R"(["update","delete","read"])"));
    BOOST_TEST(str(body_json(patched), "name") == "Writing");
    // An action group changes no decision.
    BOOST_TEST(can("jane", "update", "file", "report"));
    BOOST_TEST(!can("jane", "delete", "file", "report"));

    PERMIT_CHECK_STATUS(api.del(file("/action_groups/writing")), 204);
    PERMIT_CHECK_ERROR(api.get(file("/action_groups/writing")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.patch(file("/action_groups/writing"), json::parse(R"({"name":"W"})")),
                       404, "NOT_FOUND");
    BOOST_TEST(get_ok(file("")).at("action_groups") == json::parse(R"({"none":[]})"));
    BOOST_TEST(can("jane", "update", "file", "report"));
}

BOOST_AUTO_TEST_SUITE_END()
