// permit.roles, permit.resources, the PDP calls (check, bulk_check, get_user_permissions) and the
// raw request, against the emulator, over HTTP and HTTPS.
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using strings = std::vector<std::string>;

template <class Map>
std::set<std::string> keys_in(const Map& m) {
    std::set<std::string> out;
    for (const auto& [k, v] : m) out.insert(k);
    return out;
}

std::set<std::string> set_of(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
}

/// jane, as the getting-started guide creates her. (Built outside the coroutine: g++ 12 rejects
/// this nested braced list in a coroutine, "array used as initializer".)
permit::user_create jane_as_created() {
    return {.key = "jane",
            .email = "jane@example.com",
            .first_name = "Jane",
            .attributes = {{"department", "marketing"}},
            .role_assignments = {{.role = "employee", .tenant = "default"}}};
}

/// Permit's getting-started flow: resource `document`; roles `employee` (document:read) and
/// `manager` (document:read, document:write); user `jane` created as `employee` in `default`;
/// tenant `marketing`, where jane is then made `manager`.
asio::awaitable<void> getting_started(client_fixture& f) {
    co_await f.create_resource("document", "read", "write", "delete");
    co_await f.create_role("employee", "document:read");
    co_await f.create_role("manager", "document:read", "document:write");
    const auto jane = jane_as_created();
    co_await f.permit.users.create(jane);
    co_await f.create_tenant("marketing", "Marketing");
    const permit::user_role_create manager{.role = "manager", .tenant = "marketing"};
    co_await f.permit.users.assign_role("jane", manager);
}

/// Awaits a check and compares its answer with `expected`.
asio::awaitable<void> expect(bool expected, asio::awaitable<bool> check, const char* what) {
    const bool allowed = co_await std::move(check);
    BOOST_TEST(allowed == expected, what << ": expected " << (expected ? "allowed" : "denied"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_roles)

BOOST_AUTO_TEST_CASE_TEMPLATE(create_get_list_update_and_remove, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        const permit::role_create viewer{.key = "viewer",
                                         .name = "Viewer",
                                         .description = "Reads documents",
                                         .permissions = {"document:read"},
                                         .attributes = {{"level", 1}}};
        const auto created = co_await f.permit.roles.create(viewer);
        BOOST_TEST(created.key == "viewer");
        BOOST_TEST(created.name == "Viewer");
        BOOST_TEST(created.description.value_or("") == "Reads documents");
        BOOST_TEST(created.permissions == strings{"document:read"});
        BOOST_TEST(!created.id.empty());

        const permit::role_create editor{.key = "editor",
                                         .name = "Editor",
                                         .permissions = {"document:write"},
                                         .extends = {"viewer"}};
        const auto made_editor = co_await f.permit.roles.create(editor);
        BOOST_TEST(made_editor.extends == strings{"viewer"});

        const auto read = co_await f.permit.roles.get("viewer");
        BOOST_TEST(read.id == created.id);
        BOOST_TEST(read.permissions == strings{"document:read"});

        const auto all = co_await f.permit.roles.list();
        BOOST_TEST(keys_of(all.data) == (strings{"viewer", "editor"}));
        BOOST_TEST(all.total_count == 2);
        const permit::schema_list_query second{.page = 2, .per_page = 1};
        const auto page = co_await f.permit.roles.list(second);
        BOOST_TEST(keys_of(page.data) == strings{"editor"});
        BOOST_TEST(page.total_count == 2);

        const permit::role_update changes{.name = "Reader",
                                          .permissions = strings{"document:read", "folder:read"}};
        const auto updated = co_await f.permit.roles.update("viewer", changes);
        BOOST_TEST(updated.name == "Reader");
        BOOST_TEST(updated.description.value_or("") == "Reads documents");
        BOOST_TEST(set_of(updated.permissions) == set_of({"document:read", "folder:read"}));

        co_await f.permit.roles.remove("editor");
        auto [ec, gone] =
            co_await f.permit.roles.get("editor", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    BOOST_TEST(f.stored_keys("roles") == strings{"viewer"});
    BOOST_TEST(f.stored("roles", "viewer").at("name") == "Reader");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(assign_permissions_and_remove_permissions, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("viewer", "document:read");
        const strings grant{"document:write", "document:read"};
        const auto granted = co_await f.permit.roles.assign_permissions("viewer", grant);
        BOOST_TEST(set_of(granted.permissions) == set_of({"document:read", "document:write"}),
                   "a permission already granted is not repeated");
        BOOST_TEST(granted.permissions.size() == 2u);

        const strings take{"document:read", "document:delete"};
        const auto left = co_await f.permit.roles.remove_permissions("viewer", take);
        BOOST_TEST(left.permissions == strings{"document:write"});

        auto [ec, none] = co_await f.permit.roles.assign_permissions(
            "nobody", grant, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    BOOST_TEST(f.stored("roles", "viewer").at("permissions") ==
               json::parse(R"(["document:write"])"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_resources)

BOOST_AUTO_TEST_CASE_TEMPLATE(create_get_list_update_and_remove, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        permit::resource_create document{
            .key = "document", .name = "Document", .description = "A text"};
        document.actions["read"] = {.name = "Read"};
        document.actions["write"] = {};
        const auto created = co_await f.permit.resources.create(document);
        BOOST_TEST(created.key == "document");
        BOOST_TEST(created.name == "Document");
        BOOST_TEST(created.description.value_or("") == "A text");
        BOOST_TEST(keys_in(created.actions) == (std::set<std::string>{"read", "write"}));
        BOOST_TEST(created.actions.at("read").name.value_or("") == "Read");
        BOOST_TEST(!created.id.empty());
        co_await f.create_resource("folder", "list");

        const auto read = co_await f.permit.resources.get("document");
        BOOST_TEST(read.id == created.id);
        BOOST_TEST(keys_in(read.actions) == (std::set<std::string>{"read", "write"}));

        const auto all = co_await f.permit.resources.list();
        BOOST_TEST(keys_of(all.data) == (strings{"document", "folder"}));
        BOOST_TEST(all.total_count == 2);

        permit::resource_update changes{.name = "Doc"};
        changes.actions.emplace();
        (*changes.actions)["read"] = {};
        (*changes.actions)["archive"] = {};
        const auto updated = co_await f.permit.resources.update("document", changes);
        BOOST_TEST(updated.name == "Doc");
        BOOST_TEST(updated.description.value_or("") == "A text");
        BOOST_TEST(keys_in(updated.actions) == (std::set<std::string>{"archive", "read"}),
                   "the actions given replace the stored ones");

        co_await f.permit.resources.remove("folder");
        auto [ec, gone] =
            co_await f.permit.resources.get("folder", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    BOOST_TEST(f.stored_keys("resources") == strings{"document"});
    BOOST_TEST(f.stored("resources", "document").at("name") == "Doc");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(replace_replaces_the_whole_resource, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        permit::resource_create document{
            .key = "document", .name = "Document", .description = "A text"};
        document.actions["read"] = {};
        document.actions["write"] = {};
        co_await f.permit.resources.create(document);

        permit::resource_replace whole{.name = "Document v2"};
        whole.actions["view"] = {.description = "Look at it"};
        const auto replaced = co_await f.permit.resources.replace("document", whole);
        BOOST_TEST(replaced.name == "Document v2");
        BOOST_TEST(keys_in(replaced.actions) == std::set<std::string>{"view"});
        BOOST_TEST(!replaced.description.has_value(), "a field left out is cleared");

        auto [ec, none] = co_await f.permit.resources.replace("nothing", whole,
                                                              asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    const auto stored = f.stored("resources", "document");
    BOOST_TEST(stored.at("name") == "Document v2");
    BOOST_TEST(stored.at("actions").as_object().contains("view"));
    BOOST_TEST(!stored.at("actions").as_object().contains("read"));
}

// Read, change one field, replace: every other field the server holds stays as it was.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_read_modify_replace_keeps_every_other_field, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        permit::resource_create document{.key = "document",
                                         .name = "Document",
                                         .urn = "prn:docs:document",
                                         .description = "A text"};
        document.actions["read"] = {.name = "Read", .attributes = {{"risk", "low"}}};
        document.actions["write"] = {.description = "Change it"};
        document.type_attributes = boost::json::object{{"retention_days", 30}};
        document.attributes = boost::json::object{
            {"private", boost::json::object{{"type", "bool"}, {"description", "Hidden"}}}};
        co_await f.permit.resources.create(document);

        const auto before = co_await f.permit.resources.get("document");
        auto changed = permit::to_replace(before);
        changed.name = "Document v2";
        const auto after = co_await f.permit.resources.replace("document", changed);

        BOOST_TEST(after.name == "Document v2");
        auto expected = before;
        expected.name = after.name;
        expected.updated_at = after.updated_at;
        BOOST_TEST(after.attributes.has_value());
        BOOST_TEST(after.type_attributes.has_value());
        BOOST_TEST(boost::json::serialize(boost::json::value_from(after)) ==
                   boost::json::serialize(boost::json::value_from(expected)));
    }());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_pdp)

BOOST_AUTO_TEST_CASE_TEMPLATE(check_decides_per_tenant_in_the_getting_started_flow, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await getting_started(f);

        // A user key and a resource type or "type:key": the tenant is "default".
        co_await expect(true, f.permit.check("jane", "read", "document"),
                        "check('jane', 'read', 'document')");
        co_await expect(false, f.permit.check("jane", "write", "document"),
                        "check('jane', 'write', 'document')");
        co_await expect(true, f.permit.check("jane", "read", "document:1"),
                        "check('jane', 'read', 'document:1')");
        co_await expect(false, f.permit.check("jane", "write", "document:1"),
                        "check('jane', 'write', 'document:1')");
        co_await expect(false, f.permit.check("jane", "delete", "document"),
                        "check('jane', 'delete', 'document')");

        // A resource object naming the tenant.
        const permit::check_resource in_marketing{.type = "document", .tenant = "marketing"};
        co_await expect(true, f.permit.check("jane", "write", in_marketing),
                        "check('jane', 'write', in_marketing)");
        const permit::check_resource one_in_marketing{
            .type = "document", .key = "1", .tenant = "marketing"};
        co_await expect(true, f.permit.check("jane", "write", one_in_marketing),
                        "check('jane', 'write', one_in_marketing)");
        const permit::check_resource no_tenant{.type = "document", .key = "1"};
        co_await expect(false, f.permit.check("jane", "write", no_tenant),
                        "check('jane', 'write', no_tenant)");

        // A user object, and a user read from the API.
        const permit::check_user as_object{
            .key = "jane", .first_name = "Jane", .attributes = {{"department", "marketing"}}};
        co_await expect(true, f.permit.check(as_object, "write", in_marketing),
                        "check(as_object, 'write', in_marketing)");
        co_await expect(false, f.permit.check(as_object, "write", "document"),
                        "check(as_object, 'write', 'document')");
        const permit::user jane = co_await f.permit.users.get("jane");
        co_await expect(true, f.permit.check(jane, "write", in_marketing),
                        "check(jane, 'write', in_marketing)");
        co_await expect(false, f.permit.check(jane, "write", "document"),
                        "check(jane, 'write', 'document')");

        // A user the PDP does not know is denied, not an error.
        co_await expect(false, f.permit.check("nobody", "read", "document"),
                        "check('nobody', 'read', 'document')");

        // A whole query.
        const permit::check_query query{.user = {.key = "jane"},
                                        .action = "write",
                                        .resource = {.type = "document", .tenant = "marketing"}};
        co_await expect(true, f.permit.check(query), "check(query)");
    }());
    BOOST_TEST(f.emu.stats().route("POST /allowed") == 14u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(check_uses_the_configured_default_tenant, Scheme, both_schemes) {
    client_fixture f{Scheme::tls, {}, [](permit::config& c) { c.default_tenant = "marketing"; }};
    f.run([&]() -> asio::awaitable<void> {
        co_await getting_started(f);
        co_await expect(true, f.permit.check("jane", "write", "document"),
                        "check('jane', 'write', 'document')");
        const permit::check_resource in_default{.type = "document", .tenant = "default"};
        co_await expect(false, f.permit.check("jane", "write", in_default),
                        "check('jane', 'write', in_default)");
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bulk_check_answers_in_order, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await getting_started(f);
        auto query = [](std::string user, std::string action, std::string tenant) {
            permit::check_query q{.user = {.key = std::move(user)}, .action = std::move(action)};
            q.resource.type = "document";
            if (!tenant.empty()) q.resource.tenant = std::move(tenant);
            return q;
        };
        std::vector<permit::check_query> queries{
            query("jane", "write", ""),           query("jane", "write", "marketing"),
            query("jane", "read", "default"),     query("nobody", "read", ""),
            query("jane", "delete", "marketing"), query("jane", "read", "marketing")};
        const auto answers = co_await f.permit.bulk_check(std::move(queries));
        BOOST_TEST(answers == (std::vector<bool>{false, true, true, false, false, true}));

        std::vector<permit::check_query> no_queries;
        const auto none = co_await f.permit.bulk_check(std::move(no_queries));
        BOOST_TEST(none.empty());
    }());
    BOOST_TEST(f.emu.stats().route("POST /allowed/bulk") == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(get_user_permissions_lists_them_per_tenant, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await getting_started(f);
        const permit::user_permissions_query everywhere{.user = {.key = "jane"}};
        const auto perms = co_await f.permit.get_user_permissions(everywhere);
        BOOST_TEST(keys_in(perms) ==
                   (std::set<std::string>{"__tenant:default", "__tenant:marketing"}));
        const auto& in_default = perms.at("__tenant:default");
        BOOST_TEST(in_default.permissions == strings{"document:read"});
        BOOST_TEST_REQUIRE(in_default.tenant.has_value());
        BOOST_TEST(in_default.tenant->key == "default");
        BOOST_TEST(in_default.roles.value_or(strings{}) == strings{"employee"});
        const auto& in_marketing = perms.at("__tenant:marketing");
        BOOST_TEST(set_of(in_marketing.permissions) == set_of({"document:read", "document:write"}));
        BOOST_TEST(in_marketing.roles.value_or(strings{}) == strings{"manager"});

        const permit::user_permissions_query only_marketing{.user = {.key = "jane"},
                                                            .tenants = strings{"marketing"}};
        const auto filtered = co_await f.permit.get_user_permissions(only_marketing);
        BOOST_TEST(keys_in(filtered) == std::set<std::string>{"__tenant:marketing"});

        const permit::user_permissions_query stranger{.user = {.key = "nobody"}};
        const auto nothing = co_await f.permit.get_user_permissions(stranger);
        BOOST_TEST(nothing.empty());
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(raw_request_reaches_any_route_with_the_scope_filled_in, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await getting_started(f);

        const permit::raw_request users{.method = permit::http_method::get,
                                        .target = "/v2/facts/{proj_id}/{env_id}/users"};
        const auto listed = co_await f.permit.request(users);
        BOOST_TEST(listed.status == 200u);
        BOOST_TEST(listed.body.at("total_count") == 1);
        BOOST_TEST(listed.body.at("data").at(0).at("key") == "jane");

        const permit::raw_request paged{
            .method = permit::http_method::get,
            .target = "/v2/facts/{proj_id}/{env_id}/tenants?include_total_count=true&per_page=1"};
        const auto tenants = co_await f.permit.request(paged);
        BOOST_TEST(tenants.body.at("data").as_array().size() == 1u);
        BOOST_TEST(tenants.body.at("total_count") == 2);

        const permit::raw_request create{.method = permit::http_method::post,
                                         .target = "/v2/facts/{proj_id}/{env_id}/tenants",
                                         .body = json::object{{"key", "sales"}, {"name", "Sales"}}};
        const auto made = co_await f.permit.request(create);
        BOOST_TEST(made.status == 201u);
        BOOST_TEST(made.body.at("key") == "sales");

        const permit::raw_request roles{.method = permit::http_method::get,
                                        .target = "/v2/schema/{proj_id}/{env_id}/roles"};
        const auto role_list = co_await f.permit.request(roles);
        BOOST_TEST(role_list.body.as_array().size() == 2u, "a bare array without the flag");

        const permit::raw_request remove{.method = permit::http_method::delete_,
                                         .target = "/v2/facts/{proj_id}/{env_id}/tenants/sales"};
        const auto removed = co_await f.permit.request(remove);
        BOOST_TEST(removed.status == 204u);
        BOOST_TEST(removed.body.is_null());

        const permit::raw_request scope{.method = permit::http_method::get,
                                        .target = "/v2/api-key/scope"};
        const auto ids = co_await f.permit.request(scope);
        BOOST_TEST(ids.body.at("environment_id").as_string() == f.emu.config().environment_id);

        const permit::raw_request allowed{
            .method = permit::http_method::post,
            .target = "/allowed",
            .body = json::parse(R"({"user":{"key":"jane"},"action":"read",
                                    "resource":{"type":"document","tenant":"default"}})"),
            .to_pdp = true};
        const auto decision = co_await f.permit.request(allowed);
        BOOST_TEST(decision.body.at("allow") == true);
    }());
    BOOST_TEST(f.stored_keys("tenants") == (strings{"default", "marketing"}));
}

BOOST_AUTO_TEST_SUITE_END()
