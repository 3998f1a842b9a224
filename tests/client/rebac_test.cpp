// permit.resource_instances and permit.relationship_tuples against the emulator: each call does
// what its name says, fails with the API's error, and `check` on a `"type:key"` instance follows
// the tuples (the Google Drive model of https://docs.permit.io/modeling/google-drive).
#include <initializer_list>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

/// `folder` with an editor role, `file` whose editor derives from its parent folder's; user
/// jane; tenant acme besides default.
permit::testing::emulator_config drive() {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(R"({
        "resources":[
          {"key":"folder","name":"Folder","actions":{"rename":{}},
           "roles":{"editor":{"name":"Editor","permissions":["rename"]}}},
          {"key":"file","name":"File","actions":{"read":{},"update":{}},
           "relations":{"parent":"folder"},
           "roles":{"editor":{"name":"Editor","permissions":["read","update"],
                              "granted_to":{"users_with_role":[
                                {"role":"editor","on_resource":"folder","linked_by_relation":"parent"}]}}}}],
        "tenants":[{"key":"acme","name":"Acme"}],
        "users":[{"key":"jane"}]})");
    return c;
}

// Lists used in the coroutines below, made out of them: g++ 12 failed to compile some braced lists
// in these coroutines ("array used as initializer").
const std::vector<std::string> keys_a_and_finance{"a", "finance"};
const std::vector<std::string> every_instance{"folder:finance", "file:a", "file:b"};
const std::vector<std::string> file_a{"file:a"};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_rebac)

BOOST_AUTO_TEST_CASE(resource_instances_are_created_read_listed_updated_and_removed) {
    client_fixture f{false, drive()};
    f.run([&]() -> asio::awaitable<void> {
        auto& instances = f.permit.resource_instances;
        permit::resource_instance_create finance{
            .key = "finance", .tenant = "acme", .resource = "folder"};
        finance.attributes["private"] = true;
        const permit::resource_instance created = co_await instances.create(finance);
        BOOST_TEST(created.key == "finance");
        BOOST_TEST(created.resource == "folder");
        BOOST_TEST(created.tenant == "acme");
        BOOST_TEST(!created.id.empty());
        BOOST_TEST(!created.tenant_id.empty());
        BOOST_TEST(created.environment_id == f.emu.config().environment_id);
        BOOST_TEST(created.attributes.size() == 1u);
        BOOST_TEST(created.attributes.contains("private"));

        const auto by_ident = co_await instances.get("folder:finance");
        BOOST_TEST((by_ident == created));
        const auto by_id = co_await instances.get(created.id);
        BOOST_TEST((by_id == created));

        std::vector<permit::resource_instance_create> files_ab(2);
        files_ab[0] = {.key = "a", .tenant = "default", .resource = "file"};
        files_ab[1] = {.key = "b", .tenant = "default", .resource = "file"};
        co_await instances.bulk_replace(files_ab);
        permit::resource_instance_list_query of_files;
        of_files.resource = "file";
        const auto files = co_await instances.list(of_files);
        BOOST_TEST(files.data.size() == 2u);
        BOOST_TEST(files.total_count == 2);
        permit::resource_instance_list_query of_acme;
        of_acme.tenant = "acme";
        const auto in_acme = co_await instances.list(of_acme);
        BOOST_TEST_REQUIRE(in_acme.data.size() == 1u);
        BOOST_TEST(in_acme.data[0].key == "finance");
        // Named rather than built in the co_await expression: g++ 12 mishandles aggregate
        // temporaries there.
        permit::resource_instance_list_query by_keys;
        by_keys.search = keys_a_and_finance;
        const auto found = co_await instances.list(by_keys);
        BOOST_TEST(found.data.size() == 2u);

        std::vector<std::string> paged;
        permit::resource_instance_list_query one_per_page;
        one_per_page.per_page = 1;
        auto pages = instances.list_all(one_per_page);
        while (!pages.done())
            for (const auto& i : co_await pages.next()) paged.push_back(i.resource + ":" + i.key);
        BOOST_TEST(paged == every_instance);

        permit::resource_instance_update changes;
        changes.attributes.emplace()["x"] = 1;
        const auto updated = co_await instances.update("folder:finance", changes);
        BOOST_TEST(updated.attributes.size() == 1u);
        BOOST_TEST(updated.attributes.contains("x"));

        co_await instances.remove("folder:finance");
        co_await instances.bulk_remove(file_a);
        const auto left = co_await instances.list();
        BOOST_TEST_REQUIRE(left.data.size() == 1u);
        BOOST_TEST(left.data[0].key == "b");
    }());
}

BOOST_AUTO_TEST_CASE(an_instance_call_fails_with_the_api_s_error) {
    client_fixture f{false, drive()};
    f.run([&]() -> asio::awaitable<void> {
        auto& instances = f.permit.resource_instances;
        // The models are named: g++ 12 mishandles aggregate temporaries in a co_await expression.
        const permit::resource_instance_create x{
            .key = "x", .tenant = "default", .resource = "folder"};
        const permit::resource_instance_create on_shelf{
            .key = "y", .tenant = "default", .resource = "shelf"};
        co_await instances.create(x);
        permit::diagnostics diag;
        auto [dup, unused] =
            co_await instances.create(x, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        BOOST_TEST(diag.to_string().find("already exists") != std::string::npos, diag);
        auto [unknown, none] =
            co_await instances.get("folder:nowhere", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(unknown == permit::error::not_found);
        auto [bad_type, nothing] =
            co_await instances.create(on_shelf, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(bad_type == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(tuples_are_created_listed_and_removed_and_checks_follow_them) {
    client_fixture f{false, drive()};
    f.run([&]() -> asio::awaitable<void> {
        auto& tuples = f.permit.relationship_tuples;
        const permit::relationship_tuple_create to_report{.subject = "folder:finance",
                                                          .relation = "parent",
                                                          .object = "file:report",
                                                          .tenant = "default"};
        const permit::relationship_tuple_create reversed_tuple{
            .subject = "file:plan", .relation = "parent", .object = "folder:finance"};
        const permit::relationship_tuple_delete remove_report{
            .subject = "folder:finance", .relation = "parent", .object = "file:report"};
        std::vector<permit::relationship_tuple_create> to_plan(1);
        to_plan[0] = {.subject = "folder:finance",
                      .relation = "parent",
                      .object = "file:plan",
                      .tenant = "default"};
        std::vector<permit::relationship_tuple_delete> remove_plan(1);
        remove_plan[0] = {.subject = "folder:finance", .relation = "parent", .object = "file:plan"};
        const permit::role_assignment_create jane_edits{.user = "jane",
                                                        .role = "editor",
                                                        .tenant = "default",
                                                        .resource_instance = "folder:finance"};
        permit::relationship_tuple_list_query of_finance;
        of_finance.subject = "folder:finance";
        permit::relationship_tuple_list_query on_folders;
        on_folders.object_type = "folder";

        const permit::relationship_tuple t = co_await tuples.create(to_report);
        BOOST_TEST(t.subject == "folder:finance");
        BOOST_TEST(t.relation == "parent");
        BOOST_TEST(t.object == "file:report");
        BOOST_TEST(t.tenant == "default");
        BOOST_TEST(!t.subject_id.empty());
        BOOST_TEST(!t.object_id.empty());
        // The instances the tuple named were created in its tenant.
        const auto report = co_await f.permit.resource_instances.get("file:report");
        BOOST_TEST(report.tenant == "default");

        co_await f.permit.role_assignments.assign(jane_edits);
        const bool derived = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(derived);
        const bool elsewhere = co_await f.permit.check("jane", "update", "file:elsewhere");
        BOOST_TEST(!elsewhere);

        co_await tuples.bulk_create(to_plan);
        const auto listed = co_await tuples.list(of_finance);
        BOOST_TEST(listed.data.size() == 2u);
        BOOST_TEST(listed.total_count == 2);
        const auto none_on_folders = co_await tuples.list(on_folders);
        BOOST_TEST(none_on_folders.data.empty());

        co_await tuples.remove(remove_report);
        const bool after_removal = co_await f.permit.check("jane", "update", "file:report");
        BOOST_TEST(!after_removal);
        const bool other_file = co_await f.permit.check("jane", "update", "file:plan");
        BOOST_TEST(other_file);

        auto [missing] = co_await tuples.remove(remove_report, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
        auto [reversed, none] =
            co_await tuples.create(reversed_tuple, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(reversed == permit::error::validation_failed);

        co_await tuples.bulk_remove(remove_plan);
        const auto none_left = co_await tuples.list();
        BOOST_TEST(none_left.data.empty());
    }());
}

BOOST_AUTO_TEST_SUITE_END()
