// permit.resource_relations, resource_roles, implicit_grants, resource_attributes and
// action_groups against the emulator: each call does what its name says, fails with the API's
// error and reason, the lists page (bare arrays and envelopes alike), and a derivation made with
// implicit_grants.create, then removed, changes `check` on an instance through a tuple (the
// Google Drive model of https://docs.permit.io/modeling/google-drive).
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/hostile_server.hpp"

namespace resource_schema_client_test {

using namespace permit_test;

/// `folder` with viewer and editor roles; `file` with its actions and nothing else; user jane.
permit::testing::emulator_config seed() {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(R"({
        "resources":[
          {"key":"folder","name":"Folder","actions":{"list-files":{},"rename":{}},
           "roles":{"viewer":{"name":"Viewer","permissions":["list-files"]},
                    "editor":{"name":"Editor","permissions":["list-files","rename"]}}},
          {"key":"file","name":"File","actions":{"read":{},"update":{},"delete":{}}}],
        "users":[{"key":"jane"}]})");
    return c;
}

// The models the coroutines below send, made out of them: g++ 12 fails on some braced lists and
// aggregate temporaries inside a coroutine.

permit::relation_create parent_relation() {
    return {.key = "parent",
            .name = "Parent",
            .subject_resource = "folder",
            .description = "the folder of the file"};
}

permit::relation_create relation_to(const std::string& key, const std::string& subject) {
    return {.key = key, .name = key, .subject_resource = subject};
}

permit::derived_role_rule_create folder_editor_rule() {
    return {.role = "editor", .on_resource = "folder", .linked_by_relation = "parent"};
}

permit::resource_role_create role(const std::string& key, std::vector<std::string> permissions,
                                  std::vector<std::string> extends = {}) {
    return {.key = key,
            .name = key,
            .permissions = std::move(permissions),
            .extends = std::move(extends)};
}

/// `editor` of `file`, derived from the editor of the parent folder.
permit::resource_role_create derived_editor() {
    auto r = role("editor", {"read", "file:update"});
    r.description = "edits files";
    r.granted_to = permit::derived_role_block_edit{.users_with_role = {folder_editor_rule()}};
    return r;
}

permit::resource_role_update renamed_with(std::vector<std::string> permissions) {
    permit::resource_role_update u;
    u.name = "File editor";
    u.permissions = std::move(permissions);
    return u;
}

permit::resource_role_update no_derivation() {
    permit::resource_role_update u;
    u.granted_to = permit::derived_role_block_edit{};
    return u;
}

permit::resource_attribute_create attribute(const std::string& key, const std::string& type) {
    return {.key = key, .type = type};
}

permit::action_group_create writing_group() {
    return {.key = "writing",
            .name = "Writing",
            .description = "changes files",
            .actions = {"update", "delete"}};
}

permit::action_group_update more_actions() {
    permit::action_group_update u;
    u.actions = std::vector<std::string>{"update", "delete", "read"};
    return u;
}

permit::relationship_tuple_create finance_is_parent_of_report() {
    return {.subject = "folder:finance",
            .relation = "parent",
            .object = "file:report",
            .tenant = "default"};
}

permit::role_assignment_create jane_edits_finance() {
    return {.user = "jane",
            .role = "editor",
            .tenant = "default",
            .resource_instance = "folder:finance"};
}

permit::role_assignment_create jane_views_report() {
    return {
        .user = "jane", .role = "viewer", .tenant = "default", .resource_instance = "file:report"};
}

/// The keys of `items`, in order.
template <class T>
std::vector<std::string> schema_keys(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.key);
    return out;
}

/// Every item a pager walks to, and the number of pages it read.
template <class T>
asio::awaitable<std::pair<std::vector<std::string>, int>> walk_keys(permit::pager<T> pages) {
    std::vector<std::string> out;
    int reads = 0;
    while (!pages.done()) {
        const auto items = co_await pages.next();
        ++reads;
        for (const auto& i : items) out.push_back(i.key);
    }
    co_return std::pair{out, reads};
}

const std::vector<std::string> parent_and_more{"parent", "copy_of", "shelf"};
const std::vector<std::string> three_roles{"viewer", "editor", "admin"};
const std::vector<std::string> editor_viewer{"editor", "viewer"};
const std::vector<std::string> editor_admin{"editor", "admin"};
const std::vector<std::string> read_update{"read", "update"};
const std::vector<std::string> read_update_delete{"read", "update", "delete"};
const std::vector<std::string> only_read{"read"};
const std::vector<std::string> private_size{"private", "size"};
const std::vector<std::string> age_only{"age"};
const std::vector<std::string> writing_none{"writing", "none"};
const std::vector<std::string> only_update{"update"};
const std::vector<std::string> update_read_delete{"update", "read", "delete"};
const std::vector<std::string> update_delete{"update", "delete"};
const std::vector<std::string> parent_origin{"parent", "origin"};
const std::vector<std::string> update_and_delete_permissions{"file:update", "delete"};
const std::vector<std::string> editor_viewer_admin{"editor", "viewer", "admin"};
const std::vector<std::string> just_viewer{"viewer"};
const permit::page_query one_per_page{.per_page = 1};
const permit::resource_role_create viewer_role = role("viewer", {"read"});
const permit::resource_role_create admin_role = role("admin", {"delete"}, {"editor"});
const permit::resource_role_create foreign_role = role("renamer", {"folder:rename"});
const permit::resource_role_create orphan_role = role("writer", {"update"}, {"nobody"});
const permit::resource_role_create plain_editor_role = role("editor", {"read", "update"});
const permit::resource_role_update renamed_update = renamed_with({"file:update"});
const permit::page_query two_per_page{.per_page = 2};

// The tests live in this file's namespace, so that its helpers clash with no other test file's
// in a unity batch.

BOOST_AUTO_TEST_SUITE(client_resource_schema)

BOOST_AUTO_TEST_CASE(relations_are_created_read_listed_and_removed) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& relations = f.permit.resource_relations;
        const auto parent_body = parent_relation();
        const auto copy_body = relation_to("copy_of", "file");
        const auto shelf_body = relation_to("shelf", "folder");
        const permit::relation created = co_await relations.create("file", parent_body);
        BOOST_TEST(created.key == "parent");
        BOOST_TEST(created.name == "Parent");
        BOOST_TEST(created.description == std::optional<std::string>("the folder of the file"));
        BOOST_TEST(created.object_resource == "file");
        BOOST_TEST(created.subject_resource == "folder");
        const auto folder = co_await f.permit.resources.get("folder");
        BOOST_TEST(created.subject_resource_id == folder.id);
        BOOST_TEST(!created.id.empty());

        const auto by_key = co_await relations.get("file", "parent");
        BOOST_TEST((by_key == created));
        const auto by_id = co_await relations.get("file", created.id);
        BOOST_TEST((by_id == created));
        // The same relation in the resource type.
        const auto file = co_await f.permit.resources.get("file");
        BOOST_TEST(file.relations.contains("parent"));

        co_await relations.create("file", copy_body);
        co_await relations.create("file", shelf_body);
        const auto listed = co_await relations.list("file");
        BOOST_TEST(schema_keys(listed.data) == parent_and_more);
        BOOST_TEST(listed.total_count == 3);
        permit::page_query second{.page = 2, .per_page = 2};
        const auto page2 = co_await relations.list("file", second);
        BOOST_TEST(page2.data.size() == 1u);
        BOOST_TEST(page2.total_count == 3);
        auto pages = relations.list_all("file", one_per_page);
        const auto [walked, reads] = co_await walk_keys(std::move(pages));
        BOOST_TEST(walked == parent_and_more);
        BOOST_TEST(reads == 3);  // the envelope's total ends it

        co_await relations.remove("file", "copy_of");
        permit::diagnostics diag;
        auto [gone, none] =
            co_await relations.get("file", "copy_of", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        BOOST_TEST(diag.to_string().find("could not find") != std::string::npos, diag);
        auto [dup, unused] = co_await relations.create("file", parent_body, diag,
                                                       asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        BOOST_TEST(diag.to_string().find("already exists") != std::string::npos, diag);
        auto [unknown, nothing] =
            co_await relations.list("shelf", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(unknown == permit::error::not_found);
        auto [missing] =
            co_await relations.remove("file", "copy_of", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
    }());
}

// The relations list is an envelope in the API's reference, a bare array in the official SDKs'
// types: either is read, and a bare array's pages end at the first short one.
BOOST_AUTO_TEST_CASE(a_bare_array_of_relations_is_read_too) {
    const std::string one =
        R"({"key":"parent","name":"Parent","id":"r1","organization_id":"o","project_id":"p",)"
        R"("environment_id":"e","created_at":"2024-01-01T00:00:00Z",)"
        R"("updated_at":"2024-01-01T00:00:00Z","object_resource_id":"f","object_resource":"file",)"
        R"("subject_resource_id":"d","subject_resource":"folder"})";
    const std::string two = [&] {
        auto copy = one;
        copy.replace(copy.find("parent"), 6, "origin");
        return copy;
    }();
    hostile_script script;
    script.steps = {hostile::read_request(),
                    hostile::write(hostile::response(200, "[" + one + "]")),
                    hostile::read_request(),
                    hostile::write(hostile::response(200, "[" + one + "," + two + "]")),
                    hostile::read_request(),
                    hostile::write(hostile::response(200, "[]"))};
    hostile_server::options opts;
    opts.scripts.push_back(std::move(script));
    hostile_server srv(std::move(opts));
    asio::io_context ioc;
    permit::config cfg{.api_key = "permit_key_bare", .api_url = srv.url(), .pdp_url = srv.url()};
    cfg.project_id = "default";
    cfg.environment_id = "production";
    cfg.retry = permit::retry_policy::none();
    permit::client permit(ioc.get_executor(), cfg);
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            const auto listed = co_await permit.resource_relations.list("file");
            BOOST_TEST_REQUIRE(listed.data.size() == 1u);
            BOOST_TEST(listed.data[0].subject_resource == "folder");
            BOOST_TEST(listed.total_count == 1);
            auto pages = permit.resource_relations.list_all("file", two_per_page);
            const auto [walked, reads] = co_await walk_keys(std::move(pages));
            BOOST_TEST(walked == parent_origin);
            BOOST_TEST(reads == 2);  // a full page of a bare array does not end the list
        }(),
        15s);
}

BOOST_AUTO_TEST_CASE(resource_roles_are_created_read_listed_updated_and_removed) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& roles = f.permit.resource_roles;
        const auto parent_body = parent_relation();
        co_await f.permit.resource_relations.create("file", parent_body);
        const auto editor_body = derived_editor();
        const permit::resource_role editor = co_await roles.create("file", editor_body);
        BOOST_TEST(editor.key == "editor");
        BOOST_TEST(editor.resource == "file");
        BOOST_TEST(editor.permissions == read_update);
        BOOST_TEST(editor.description == std::optional<std::string>("edits files"));
        BOOST_TEST_REQUIRE(editor.granted_to.has_value());
        BOOST_TEST(!editor.granted_to->id.empty());
        BOOST_TEST_REQUIRE(editor.granted_to->users_with_role.size() == 1u);
        const auto& rule = editor.granted_to->users_with_role[0];
        BOOST_TEST(rule.on_resource == "folder");
        const auto folder_editor = co_await roles.get("folder", "editor");
        BOOST_TEST(rule.role_id == folder_editor.id);
        BOOST_TEST(!rule.when.no_direct_roles_on_object);

        const auto by_id = co_await roles.get("file", editor.id);
        BOOST_TEST((by_id == editor));

        const auto& viewer_body = viewer_role;
        const auto& admin_body = admin_role;
        co_await roles.create("file", viewer_body);
        co_await roles.create("file", admin_body);
        const auto& renamed = renamed_update;
        auto updated = co_await roles.update("file", "editor", renamed);
        BOOST_TEST(updated.name == "File editor");
        BOOST_TEST(updated.permissions == only_update);
        BOOST_TEST(updated.granted_to.has_value());  // not given: kept
        permit::resource_role_update add_extends;
        add_extends.extends = just_viewer;
        co_await roles.update("file", "editor", add_extends);

        // The roles of file are a bare array: the pager reads until a short page.
        const auto listed = co_await roles.list("file");
        BOOST_TEST(schema_keys(listed.data) == editor_viewer_admin);
        BOOST_TEST(listed.total_count == 3);
        auto pages = roles.list_all("file", one_per_page);
        const auto [walked, reads] = co_await walk_keys(std::move(pages));
        BOOST_TEST(walked == editor_viewer_admin);
        BOOST_TEST(reads == 4);

        const auto with_all =
            co_await roles.assign_permissions("file", "editor", read_update_delete);
        BOOST_TEST(with_all.permissions == update_read_delete);
        const auto fewer =
            co_await roles.remove_permissions("file", "editor", update_and_delete_permissions);
        BOOST_TEST(fewer.permissions == only_read);

        const auto ancestors = co_await roles.ancestors("file", "admin");
        BOOST_TEST(schema_keys(ancestors) == editor_viewer);
        const auto descendants = co_await roles.descendants("file", "viewer");
        BOOST_TEST(schema_keys(descendants) == editor_admin);

        const auto clear = no_derivation();
        const auto cleared = co_await roles.update("file", "editor", clear);
        BOOST_TEST_REQUIRE(cleared.granted_to.has_value());
        BOOST_TEST(cleared.granted_to->users_with_role.empty());

        co_await roles.remove("file", "admin");
        auto [gone, none] =
            co_await roles.get("file", "admin", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(a_resource_role_call_fails_with_the_api_s_error) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& roles = f.permit.resource_roles;
        const auto& viewer_body = viewer_role;
        const auto& foreign = foreign_role;
        const auto& unknown_parent = orphan_role;
        co_await roles.create("file", viewer_body);
        permit::diagnostics diag;
        auto [dup, r1] =
            co_await roles.create("file", viewer_body, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        BOOST_TEST(diag.to_string().find("already exists") != std::string::npos, diag);
        auto [bad, r2] =
            co_await roles.create("file", foreign, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(bad == permit::condition::validation_failed);
        BOOST_TEST_REQUIRE(diag.details.has_value());
        BOOST_TEST(diag.details->error_code == "INVALID_PERMISSION_FORMAT");
        auto [no_parent, r3] =
            co_await roles.create("file", unknown_parent, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_parent == permit::error::not_found);
        auto [no_type, r4] = co_await roles.list("shelf", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_type == permit::error::not_found);
        auto [no_role, r5] = co_await roles.assign_permissions("file", "nobody", only_read,
                                                               asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_role == permit::error::not_found);
        auto [no_tree, r6] =
            co_await roles.ancestors("file", "nobody", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_tree == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(an_implicit_grant_changes_the_check_on_an_instance_through_a_tuple) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& grants = f.permit.implicit_grants;
        const auto parent_body = parent_relation();
        const auto& editor_body = plain_editor_role;
        const auto& viewer_body = viewer_role;
        const auto rule_body = folder_editor_rule();
        const auto tuple = finance_is_parent_of_report();
        const auto jane_edits = jane_edits_finance();
        const auto jane_views = jane_views_report();
        const auto relation = co_await f.permit.resource_relations.create("file", parent_body);
        co_await f.permit.resource_roles.create("file", editor_body);
        co_await f.permit.resource_roles.create("file", viewer_body);
        co_await f.permit.relationship_tuples.create(tuple);
        co_await f.permit.role_assignments.assign(jane_edits);
        const bool before = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(!before);

        const permit::derived_role_rule made = co_await grants.create("file", "editor", rule_body);
        BOOST_TEST(made.role == "editor");
        BOOST_TEST(made.on_resource == "folder");
        BOOST_TEST(made.linked_by_relation == "parent");
        BOOST_TEST(made.relation_id == relation.id);
        const auto folder = co_await f.permit.resources.get("folder");
        BOOST_TEST(made.resource_id == folder.id);
        const bool derived = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(derived);
        const auto role = co_await f.permit.resource_roles.get("file", "editor");
        BOOST_TEST_REQUIRE(role.granted_to.has_value());
        BOOST_TEST_REQUIRE(role.granted_to->users_with_role.size() == 1u);
        BOOST_TEST((role.granted_to->users_with_role[0] == made));

        // The derivation gives way to a role assigned on the file once the conditions say so.
        co_await f.permit.role_assignments.assign(jane_views);
        const permit::derivation_settings superseded{.no_direct_roles_on_object = true};
        const auto stored = co_await grants.set_conditions("file", "editor", superseded);
        BOOST_TEST(stored.no_direct_roles_on_object);
        const bool with_direct = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(!with_direct);
        const permit::derivation_settings always{};
        co_await grants.set_conditions("file", "editor", always);

        permit::diagnostics diag;
        auto [dup, r1] = co_await grants.create("file", "editor", rule_body, diag,
                                                asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        permit::derived_role_rule_create no_such_role = rule_body;
        no_such_role.role = "owner";
        auto [unfit, r2] = co_await grants.create("file", "editor", no_such_role, diag,
                                                  asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(unfit == permit::condition::validation_failed);
        BOOST_TEST(
            diag.to_string().find("Resource 'folder' has no role 'owner'.") != std::string::npos,
            diag);

        co_await grants.remove("file", "editor", rule_body);
        const bool after = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(!after);
        auto [missing] = co_await grants.remove("file", "editor", rule_body,
                                                asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
        auto [no_role, r3] = co_await grants.set_conditions("file", "nobody", always,
                                                            asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_role == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(attributes_of_a_resource_type_and_of_the_users) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& attributes = f.permit.resource_attributes;
        const auto private_body = attribute("private", "bool");
        const auto size_body = attribute("size", "number");
        const auto age_body = attribute("age", "number");
        const auto reserved = attribute("type", "string");
        const auto bad_type = attribute("colour", "colour");
        const permit::resource_attribute made = co_await attributes.create("file", private_body);
        BOOST_TEST(made.key == "private");
        BOOST_TEST(made.type == "bool");
        BOOST_TEST(made.resource_key == "file");
        BOOST_TEST(!made.built_in);
        const auto by_id = co_await attributes.get("file", made.id);
        BOOST_TEST((by_id == made));
        co_await attributes.create("file", size_body);
        const auto listed = co_await attributes.list("file");
        BOOST_TEST(schema_keys(listed.data) == private_size);
        auto pages = attributes.list_all("file", one_per_page);
        const auto [walked, reads] = co_await walk_keys(std::move(pages));
        BOOST_TEST(walked == private_size);
        BOOST_TEST(reads == 3);
        permit::resource_attribute_update described;
        described.description = "bytes";
        const auto updated = co_await attributes.update("file", "size", described);
        BOOST_TEST(updated.description == std::optional<std::string>("bytes"));
        BOOST_TEST(updated.type == "number");
        // The resource type reads the definitions back.
        const auto file = co_await f.permit.resources.get("file");
        BOOST_TEST_REQUIRE(file.attributes.has_value());
        BOOST_TEST(file.attributes->contains("size"));
        co_await attributes.remove("file", "size");

        // The users' attributes.
        const auto age = co_await attributes.create(permit::user_resource_key, age_body);
        BOOST_TEST(age.resource_key == "__user");
        const auto users = co_await attributes.list(permit::user_resource_key);
        BOOST_TEST(schema_keys(users.data) == age_only);
        const auto again = co_await attributes.get(permit::user_resource_key, "age");
        BOOST_TEST((again == age));
        co_await attributes.remove(permit::user_resource_key, "age");

        permit::diagnostics diag;
        auto [dup, r1] = co_await attributes.create("file", private_body, diag,
                                                    asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        auto [type_key, r2] =
            co_await attributes.create("file", reserved, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(type_key == permit::condition::validation_failed);
        BOOST_TEST_REQUIRE(diag.details.has_value());
        BOOST_TEST(diag.details->error_code == "INVALID_INPUT");
        auto [enum_error, r3] =
            co_await attributes.create("file", bad_type, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(enum_error == permit::condition::validation_failed);
        BOOST_TEST_REQUIRE(diag.validation_errors.size() == 1u);
        BOOST_TEST(diag.validation_errors[0].type == "type_error.enum");
        auto [gone, r4] = co_await attributes.get(permit::user_resource_key, "age",
                                                  asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(action_groups_are_created_read_listed_updated_and_removed) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& groups = f.permit.action_groups;
        const auto writing_body = writing_group();
        const permit::action_group_create none_body{.key = "none", .name = "None"};
        const auto more = more_actions();
        const permit::action_group made = co_await groups.create("file", writing_body);
        BOOST_TEST(made.key == "writing");
        BOOST_TEST(made.actions == update_delete);
        BOOST_TEST(made.description == std::optional<std::string>("changes files"));
        const auto by_key = co_await groups.get("file", "writing");
        BOOST_TEST((by_key == made));
        co_await groups.create("file", none_body);
        auto pages = groups.list_all("file", one_per_page);
        const auto [walked, reads] = co_await walk_keys(std::move(pages));
        BOOST_TEST(walked == writing_none);
        BOOST_TEST(reads == 3);
        const auto listed = co_await groups.list("file");
        BOOST_TEST(listed.total_count == 2);
        const auto updated = co_await groups.update("file", "writing", more);
        BOOST_TEST(updated.actions.size() == 3u);
        BOOST_TEST(updated.name == "Writing");
        const auto file = co_await f.permit.resources.get("file");
        BOOST_TEST(file.action_groups.contains("writing"));
        co_await groups.remove("file", "writing");
        permit::diagnostics diag;
        auto [gone, r1] =
            co_await groups.get("file", "writing", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        auto [dup, r2] =
            co_await groups.create("file", none_body, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
    }());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace resource_schema_client_test
