// The client's PDP calls around resource instances against the emulator: check_all_tenants,
// authorized_users, filter_objects (one /allowed/bulk request), get_user_permissions with
// instance entries, and role_assignments.list_detailed / list_detailed_all.
#include <algorithm>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/hostile_server.hpp"
#include "support/run_to_end.hpp"

namespace pdp_instances_client_test {

using namespace permit_test;

const std::string bulk_route = "POST /allowed/bulk";

/// Tenant roles `reader` (document and file read) and `writer` (document write) on `document`
/// and `file`; `folder` with an editor, `file` whose editor derives from its parent folder's;
/// tenants acme, globex and initech; instances folder:finance and 50 files f00..f49 in
/// `default`, the even ones in folder:finance, and file:report in it too. jane is reader in acme
/// and initech, writer in globex, editor on folder:finance; john is viewer on file:f07; ann is
/// reader in `default`.
permit::testing::emulator_config model() {
    auto state = json::parse(R"({
        "resources":[
          {"key":"document","name":"Document","actions":{"read":{},"write":{}}},
          {"key":"folder","name":"Folder","actions":{"rename":{}},
           "roles":{"editor":{"name":"Editor","permissions":["rename"]}}},
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
        "users":[{"key":"jane","email":"jane@example.com","first_name":"Jane",
                  "role_assignments":[{"role":"reader","tenant":"acme"},
                                      {"role":"writer","tenant":"globex"},
                                      {"role":"reader","tenant":"initech"}]},
                 {"key":"john"},
                 {"key":"ann","role_assignments":[{"role":"reader","tenant":"default"}]}],
        "resource_instances":[
          {"key":"finance","resource":"folder","tenant":"default","attributes":{"private":true}},
          {"key":"report","resource":"file","tenant":"default"}],
        "relationship_tuples":[
          {"subject":"folder:finance","relation":"parent","object":"file:report"}],
        "role_assignments":[
          {"user":"jane","role":"editor","resource_instance":"folder:finance"}]})")
                     .as_object();
    auto& instances = state["resource_instances"].as_array();
    auto& tuples = state["relationship_tuples"].as_array();
    for (int i = 0; i < 50; ++i) {
        const auto key = std::string(i < 10 ? "f0" : "f") + std::to_string(i);
        instances.push_back(
            json::object{{"key", key}, {"resource", "file"}, {"tenant", "default"}});
        if (i % 2 == 0)
            tuples.push_back(json::object{
                {"subject", "folder:finance"}, {"relation", "parent"}, {"object", "file:" + key}});
    }
    state["role_assignments"].as_array().push_back(
        json::object{{"user", "john"}, {"role", "viewer"}, {"resource_instance", "file:f07"}});
    permit::testing::emulator_config c;
    c.initial_state = std::move(state);
    return c;
}

/// The 50 files as "file:fNN", from the last to the first: a page of a listing in some order.
std::vector<std::string> page_of_files() {
    std::vector<std::string> out;
    for (int i = 49; i >= 0; --i)
        out.push_back(std::string(i < 10 ? "file:f0" : "file:f") + std::to_string(i));
    return out;
}

/// The files of `page` whose number is even, in the page's order.
std::vector<std::string> even_ones(const std::vector<std::string>& page) {
    std::vector<std::string> out;
    for (const auto& id : page)
        if ((id.back() - '0') % 2 == 0) out.push_back(id);
    return out;
}

std::vector<std::string> keys_of(const std::vector<permit::tenant_details>& tenants) {
    std::vector<std::string> out;
    for (const auto& t : tenants) out.push_back(t.key);
    return out;
}

permit::authorized_user_assignment assignment(std::string user, std::string tenant,
                                              std::string resource, std::string role) {
    return {.user = std::move(user),
            .tenant = std::move(tenant),
            .resource = std::move(resource),
            .role = std::move(role)};
}

// Built out of the coroutines: g++ 12 mishandles some braced lists inside them.
const std::vector<std::string> acme_initech{"acme", "initech"};
const std::vector<std::string> globex_only{"globex"};
const std::vector<std::string> no_keys{};
const std::vector<std::string> f07_only{"file:f07"};
const std::vector<std::string> finance_and_report{"file:report", "folder:finance"};
const std::vector<std::string> file_type_only{"file"};
const std::vector<std::string> of_jane{"jane"};
const std::vector<std::string> jane_and_ann{"jane", "ann"};
const std::vector<std::string> rename_folder{"folder:rename"};
const std::vector<std::string> read_update_file{"file:read", "file:update"};
const std::vector<std::string> editor_role{"editor"};
const std::vector<std::string> reader_permissions{"document:read", "file:read"};
const std::vector<std::string> mixed{"file:f02", "file", "file:f01", "file:f02"};
const std::vector<std::string> mixed_updatable{"file:f02", "file:f02"};
const std::vector<std::string> two_files{"file:a", "file:b"};
const std::vector<permit::authorized_user_assignment> ann_by_tenant_role{
    assignment("ann", "default", "__tenant:default", "reader")};
const std::vector<permit::authorized_user_assignment> jane_by_folder{
    assignment("jane", "default", "folder:finance", "folder#editor")};
const std::vector<permit::authorized_user_assignment> john_on_f07{
    assignment("john", "default", "file:f07", "file#viewer")};
const std::vector<permit::authorized_user_assignment> jane_in_acme{
    assignment("jane", "acme", "__tenant:acme", "reader")};

permit::check_resource document_in(std::string tenant) {
    return {.type = "document", .tenant = std::move(tenant)};
}

permit::check_resource report_in(std::string tenant) {
    return {.type = "file", .key = "report", .tenant = std::move(tenant)};
}

permit::user_permissions_query permissions_of_jane(
    std::optional<std::vector<std::string>> resource_types = std::nullopt) {
    return {.user = {.key = "jane"}, .resource_types = std::move(resource_types)};
}

}  // namespace pdp_instances_client_test

using namespace pdp_instances_client_test;

BOOST_AUTO_TEST_SUITE(client_pdp_instances)

BOOST_AUTO_TEST_CASE(check_all_tenants_lists_the_tenants_where_the_user_is_allowed) {
    client_fixture f{false, model()};
    f.run([&]() -> asio::awaitable<void> {
        const auto readable = co_await f.permit.check_all_tenants("jane", "read", "document");
        BOOST_TEST(keys_of(readable) == acme_initech);
        BOOST_TEST_REQUIRE(readable.size() == 2u);
        BOOST_TEST(readable[0].attributes == (json::object{{"plan", "pro"}}));
        BOOST_TEST(readable[1].attributes == (json::object{{"plan", "free"}}));
        // The query's tenant does not narrow the answer.
        const auto writable =
            co_await f.permit.check_all_tenants("jane", "write", document_in("acme"));
        BOOST_TEST(keys_of(writable) == globex_only);
        BOOST_TEST(writable[0].attributes.empty());
        BOOST_TEST(keys_of(co_await f.permit.check_all_tenants("nobody", "read", "document")) ==
                   no_keys);
        // With an instance: only its tenant can be listed, and only among the user's tenants.
        BOOST_TEST(keys_of(co_await f.permit.check_all_tenants("jane", "update", "file:report")) ==
                   no_keys);
        permit::diagnostics diag;
        const auto [ec, tenants] = co_await f.permit.check_all_tenants(
            "jane", "read", "document", diag, asio::as_tuple(asio::deferred));
        BOOST_TEST(!ec);
        BOOST_TEST(diag.attempts == 1u);
        BOOST_TEST(keys_of(tenants) == acme_initech);
    }());
    BOOST_TEST(f.emu.stats().route("POST /allowed/all-tenants") == 5u);
}

BOOST_AUTO_TEST_CASE(authorized_users_names_the_users_and_their_assignments) {
    client_fixture f{false, model()};
    f.run([&]() -> asio::awaitable<void> {
        const auto readers = co_await f.permit.authorized_users("read", "file:report");
        BOOST_TEST(readers.resource == "file:report");
        BOOST_TEST(readers.tenant == "default");
        BOOST_TEST(readers.users.size() == 2u);
        // ann through her tenant role, jane through the folder the report is in.
        BOOST_TEST((readers.users.at("ann") == ann_by_tenant_role));
        BOOST_TEST((readers.users.at("jane") == jane_by_folder));

        const auto of_f07 = co_await f.permit.authorized_users("read", "file:f07");
        BOOST_TEST((of_f07.users.at("john") == john_on_f07));
        BOOST_TEST(of_f07.users.count("jane") == 0u);  // f07 is not in folder:finance

        // A type: tenant roles only.
        const auto any_file = co_await f.permit.authorized_users("read", "file");
        BOOST_TEST(any_file.resource == "file:*");
        BOOST_TEST(any_file.users.size() == 1u);
        BOOST_TEST(any_file.users.count("ann") == 1u);

        // Another tenant: the report is not there.
        const auto in_acme = co_await f.permit.authorized_users("read", report_in("acme"));
        BOOST_TEST(in_acme.tenant == "acme");
        BOOST_TEST(in_acme.users.size() == 1u);
        BOOST_TEST((in_acme.users.at("jane") == jane_in_acme));

        permit::diagnostics diag;
        const auto nobody = co_await f.permit.authorized_users("fly", "plane:a320", diag);
        BOOST_TEST(nobody.users.empty());
        BOOST_TEST(nobody.resource == "plane:a320");
        BOOST_TEST(diag.attempts == 1u);
    }());
}

BOOST_AUTO_TEST_CASE(filter_objects_keeps_the_allowed_instances_in_one_bulk_request) {
    client_fixture f{false, model()};
    const auto page = page_of_files();
    const auto expected = even_ones(page);
    BOOST_TEST_REQUIRE(page.size() == 50u);
    BOOST_TEST_REQUIRE(expected.size() == 25u);
    f.run([&]() -> asio::awaitable<void> {
        f.emu.reset_stats();
        const auto updatable = co_await f.permit.filter_objects("jane", "update", page);
        BOOST_TEST(updatable == expected);
        BOOST_TEST(f.emu.stats().requests == 1u);
        BOOST_TEST(f.emu.stats().route(bulk_route) == 1u);

        // No instances: no request.
        f.emu.reset_stats();
        const auto none = co_await f.permit.filter_objects("jane", "update", no_keys);
        BOOST_TEST(none.empty());
        permit::diagnostics diag;
        diag.attempts = 7;
        const auto [ec, still_none] = co_await f.permit.filter_objects(
            "jane", "update", no_keys, diag, asio::as_tuple(asio::deferred));
        BOOST_TEST(!ec);
        BOOST_TEST(still_none.empty());
        BOOST_TEST(diag.attempts == 0u);  // reset: nothing was asked
        BOOST_TEST(f.emu.stats().requests == 0u);

        // A role on one instance; a tenant role on the type (every instance, in input order).
        BOOST_TEST(co_await f.permit.filter_objects("john", "read", page) == f07_only);
        BOOST_TEST(co_await f.permit.filter_objects("ann", "read", page) == page);
        BOOST_TEST((co_await f.permit.filter_objects("ann", "update", page)).empty());
        // The tenant applies to every check: the files are in `default`.
        BOOST_TEST((co_await f.permit.filter_objects("jane", "update", page, "acme")).empty());
        BOOST_TEST(co_await f.permit.filter_objects("jane", "update", page, "default") == expected);
        // Duplicates and a type stay where they were.
        BOOST_TEST(co_await f.permit.filter_objects("jane", "update", mixed) == mixed_updatable);
        BOOST_TEST(co_await f.permit.filter_objects("ann", "read", mixed) == mixed);
        BOOST_TEST(f.emu.stats().route(bulk_route) == 7u);
    }());
}

BOOST_AUTO_TEST_CASE(a_pdp_reply_that_does_not_fit_is_an_invalid_response) {
    // /allowed/bulk with one answer for two checks; /allowed/all-tenants with a denied item.
    hostile_script script;
    script.steps = {
        hostile::read_request(),
        hostile::write(hostile::response(200, R"({"allow":[{"allow":true,"result":true}]})")),
        hostile::read_request(),
        hostile::write(hostile::response(200, R"({"allowed_tenants":[
                {"allow":false,"result":false,"tenant":{"key":"t1","attributes":{}}},
                {"allow":true,"result":true,"tenant":{"key":"t2"}}]})")),
        hostile::read_request(),
        hostile::write(hostile::response(200, R"({"allowed":[]})"))};
    hostile_server::options opts;
    opts.scripts.push_back(std::move(script));
    hostile_server srv(std::move(opts));
    asio::io_context ioc;
    permit::config cfg{.api_key = "permit_key_pdp", .api_url = srv.url(), .pdp_url = srv.url()};
    cfg.retry = permit::retry_policy::none();
    permit::client permit(ioc.get_executor(), cfg);
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            permit::diagnostics diag;
            const auto [ec, kept] = co_await permit.filter_objects("jane", "read", two_files, diag,
                                                                   asio::as_tuple(asio::deferred));
            BOOST_TEST(ec == permit::error::invalid_response);
            BOOST_TEST(kept.empty());
            BOOST_TEST(diag.client_message.find("one per check") != std::string::npos,
                       diag.client_message);
            // Only the tenants that allow, whatever else the reply lists.
            const auto tenants = co_await permit.check_all_tenants("jane", "read", "document");
            BOOST_TEST_REQUIRE(tenants.size() == 1u);
            BOOST_TEST(tenants[0].key == "t2");
            BOOST_TEST(tenants[0].attributes.empty());
            const auto [bad, nothing] = co_await permit.check_all_tenants(
                "jane", "read", "document", asio::as_tuple(asio::deferred));
            BOOST_TEST(bad == permit::error::invalid_response);
            BOOST_TEST(nothing.empty());
        }(),
        15s);
}

BOOST_AUTO_TEST_CASE(get_user_permissions_reads_the_instance_entries) {
    client_fixture f{false, model()};
    f.run([&]() -> asio::awaitable<void> {
        const auto all = co_await f.permit.get_user_permissions(permissions_of_jane());
        // Three tenants of tenant roles, the folder assigned and the 26 files derived from it.
        BOOST_TEST(all.size() == 3u + 1u + 26u);
        const auto& folder = all.at("folder:finance");
        BOOST_TEST_REQUIRE(folder.resource.has_value());
        BOOST_TEST(folder.resource->key == "finance");
        BOOST_TEST(folder.resource->type == "folder");
        BOOST_TEST(folder.resource->attributes == (json::object{{"private", true}}));
        BOOST_TEST_REQUIRE(folder.tenant.has_value());
        BOOST_TEST(folder.tenant->key == "default");
        BOOST_TEST(folder.permissions == rename_folder);
        BOOST_TEST((folder.roles == editor_role));
        const auto& report = all.at("file:report");
        BOOST_TEST_REQUIRE(report.resource.has_value());
        BOOST_TEST(report.resource->key == "report");
        BOOST_TEST(report.permissions == read_update_file);
        BOOST_TEST((report.roles == editor_role));
        BOOST_TEST(all.count("file:f01") == 0u);
        const auto& acme = all.at("__tenant:acme");
        BOOST_TEST(!acme.resource.has_value());
        BOOST_TEST_REQUIRE(acme.tenant.has_value());
        BOOST_TEST(acme.tenant->attributes == (json::object{{"plan", "pro"}}));
        BOOST_TEST(acme.permissions == reader_permissions);

        const auto files =
            co_await f.permit.get_user_permissions(permissions_of_jane(file_type_only));
        BOOST_TEST(files.size() == 26u);
        BOOST_TEST(files.count("__tenant:acme") == 0u);
        BOOST_TEST(files.count("file:f48") == 1u);
    }());
}

BOOST_AUTO_TEST_CASE(detailed_role_assignments_are_listed_and_paged) {
    client_fixture f{false, model()};
    f.run([&]() -> asio::awaitable<void> {
        permit::role_assignment_list_query of_jane_q;
        of_jane_q.users = of_jane;
        const auto plain = co_await f.permit.role_assignments.list(of_jane_q);
        const auto detailed = co_await f.permit.role_assignments.list_detailed(of_jane_q);
        BOOST_TEST(detailed.total_count == 4);
        BOOST_TEST_REQUIRE(detailed.data.size() == 4u);
        BOOST_TEST_REQUIRE(plain.data.size() == 4u);
        const auto jane = co_await f.permit.users.get("jane");
        for (std::size_t i = 0; i < 4; ++i) {
            const auto& d = detailed.data[i];
            const auto& p = plain.data[i];
            BOOST_TEST(d.id == p.id);
            BOOST_TEST(d.role.id == p.role_id);
            BOOST_TEST(d.role.key == p.role);
            BOOST_TEST(d.tenant.id == p.tenant_id);
            BOOST_TEST(d.tenant.key == p.tenant);
            BOOST_TEST(d.user.id == jane.id);
            BOOST_TEST(d.user.key == "jane");
            BOOST_TEST(d.user.email == std::optional<std::string>("jane@example.com"));
            BOOST_TEST(d.user.first_name == std::optional<std::string>("Jane"));
            BOOST_TEST(!d.user.last_name.has_value());
            BOOST_TEST(d.organization_id == p.organization_id);
            BOOST_TEST(d.environment_id == p.environment_id);
            BOOST_TEST(d.created_at == p.created_at);
            BOOST_TEST(d.resource_instance.has_value() == p.resource_instance.has_value());
        }
        const auto& on_acme = detailed.data[0];
        BOOST_TEST(on_acme.role.name == "Reader");
        BOOST_TEST((on_acme.role.permissions == reader_permissions));
        BOOST_TEST(on_acme.tenant.name == "Acme");
        BOOST_TEST(on_acme.tenant.attributes == (json::object{{"plan", "pro"}}));
        const auto& on_folder = detailed.data[3];
        BOOST_TEST_REQUIRE(on_folder.resource_instance.has_value());
        BOOST_TEST(on_folder.resource_instance->key == "finance");
        BOOST_TEST(on_folder.resource_instance->resource == "folder");
        BOOST_TEST(on_folder.resource_instance->id == *plain.data[3].resource_instance_id);
        BOOST_TEST(on_folder.resource_instance->attributes == (json::object{{"private", true}}));
        BOOST_TEST(on_folder.role.key == "editor");
        BOOST_TEST(on_folder.role.name == "Editor");
        BOOST_TEST(on_folder.tenant.key == "default");

        permit::role_assignment_list_query on_instance;
        on_instance.resource_instance = "file:f07";
        const auto johns = co_await f.permit.role_assignments.list_detailed(on_instance);
        BOOST_TEST_REQUIRE(johns.data.size() == 1u);
        BOOST_TEST(johns.data[0].user.key == "john");
        BOOST_TEST(!johns.data[0].user.email.has_value());
        BOOST_TEST(johns.data[0].role.key == "viewer");

        // Page by page, two at a time: every assignment of jane and ann, in creation order.
        permit::role_assignment_list_query two_a_page;
        two_a_page.users = jane_and_ann;
        two_a_page.per_page = 2;
        auto pages = f.permit.role_assignments.list_detailed_all(two_a_page);
        std::vector<std::string> walked;
        int reads = 0;
        while (!pages.done()) {
            for (const auto& a : co_await pages.next()) walked.push_back(a.id);
            ++reads;
        }
        permit::role_assignment_list_query both;
        both.users = jane_and_ann;
        std::vector<std::string> listed;
        for (const auto& a : (co_await f.permit.role_assignments.list(both)).data)
            listed.push_back(a.id);
        BOOST_TEST(walked == listed);
        BOOST_TEST(walked.size() == 5u);
        BOOST_TEST(reads == 3);
    }());
    BOOST_TEST(f.emu.stats().route("GET /v2/facts/{proj_id}/{env_id}/role_assignments/detailed") ==
               5u);
}

BOOST_AUTO_TEST_SUITE_END()
