// permit.users against the emulator, over HTTP and HTTPS: each operation does what its name says
// to the emulator's state, and reads back what the API returns.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

/// A user with an email, names and attributes, holding `employee` in `default`.
permit::user_create jane(std::string key = "jane") {
    return {.key = std::move(key),
            .email = "jane@example.com",
            .first_name = "Jane",
            .last_name = "Doe",
            .attributes = {{"department", "marketing"}, {"age", 30}},
            .role_assignments = {{.role = "employee", .tenant = "default"}}};
}

/// `n` users `prefix0`, `prefix1`, ...
std::vector<permit::user_create> numbered(int n, const std::string& prefix) {
    std::vector<permit::user_create> out;
    for (int i = 0; i < n; ++i) out.push_back({.key = prefix + std::to_string(i)});
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_users)

BOOST_AUTO_TEST_CASE_TEMPLATE(create_stores_the_user_and_get_reads_it_back, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("employee");
        const auto who = jane();
        const permit::user created = co_await f.permit.users.create(who);
        BOOST_TEST(created.key == "jane");
        BOOST_TEST(!created.id.empty());
        BOOST_TEST(created.environment_id == f.emu.config().environment_id);
        BOOST_TEST(created.email.value_or("") == "jane@example.com");
        BOOST_TEST(created.first_name.value_or("") == "Jane");
        BOOST_TEST(created.last_name.value_or("") == "Doe");
        BOOST_TEST(json::value(created.attributes) == json::value(who.attributes));
        BOOST_TEST_REQUIRE(created.roles.size() == 1u);
        BOOST_TEST(created.roles[0].role == "employee");
        BOOST_TEST(created.roles[0].tenant == "default");

        const permit::user read = co_await f.permit.users.get("jane");
        BOOST_TEST(read.id == created.id);
        BOOST_TEST(read.email == created.email);
        BOOST_TEST(json::value(read.attributes) == json::value(who.attributes));
        BOOST_TEST(read.roles.size() == 1u);

        const permit::user by_id = co_await f.permit.users.get(created.id);
        BOOST_TEST(by_id.key == "jane");
    }());
    const auto stored = f.stored("users", "jane");
    BOOST_TEST_REQUIRE(stored.is_object());
    BOOST_TEST(stored.at("email") == "jane@example.com");
    BOOST_TEST(stored.at("attributes").at("department") == "marketing");
    BOOST_TEST(f.stored_assignments() == std::vector<std::string>{"jane/employee/default"});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_key_with_reserved_characters_round_trips, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    const std::string key = "auth0|jane+test@x.com";
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("viewer");
        const permit::user_create who{.key = key, .first_name = "Jane"};
        const auto created = co_await f.permit.users.create(who);
        BOOST_TEST(created.key == key);

        const auto read = co_await f.permit.users.get(key);
        BOOST_TEST(read.key == key);
        BOOST_TEST(read.id == created.id);

        const permit::user_update changes{.last_name = "Doe"};
        const auto updated = co_await f.permit.users.update(key, changes);
        BOOST_TEST(updated.last_name.value_or("") == "Doe");

        const permit::user_create again{.key = key, .email = "jane@x.com"};
        const auto synced = co_await f.permit.users.sync(again);
        BOOST_TEST(!synced.created);
        BOOST_TEST(synced.user.key == key);

        const permit::user_role_create role{.role = "viewer", .tenant = "default"};
        const auto assignment = co_await f.permit.users.assign_role(key, role);
        BOOST_TEST(assignment.user == key);
        const auto roles = co_await f.permit.users.get_assigned_roles(key);
        BOOST_TEST(assignments_of(roles) == std::vector<std::string>{key + "/viewer/default"});

        co_await f.permit.users.remove(key);
    }());
    BOOST_TEST(f.emu.user_count() == 0u);
    // The key travels as one percent-encoded path segment.
    bool encoded = false;
    for (const auto& r : f.emu.request_log())
        if (r.target.find("/users/auth0%7Cjane%2Btest%40x.com") != std::string::npos)
            encoded = true;
    BOOST_TEST(encoded, "no request named the user as auth0%7Cjane%2Btest%40x.com");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_reads_one_page_with_the_total_count, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.permit.users.bulk_create(numbered(5, "u"));
        const permit::user_list_query second{.page = 2, .per_page = 2};
        const auto page = co_await f.permit.users.list(second);
        BOOST_TEST(keys_of(page.data) == (std::vector<std::string>{"u2", "u3"}));
        BOOST_TEST(page.total_count == 5);
        BOOST_TEST(page.page_count == 3);

        const auto all = co_await f.permit.users.list();
        BOOST_TEST(keys_of(all.data) == (std::vector<std::string>{"u0", "u1", "u2", "u3", "u4"}));
        BOOST_TEST(all.total_count == 5);

        const permit::user_list_query employees{.role = "employee"};
        const auto none_yet = co_await f.permit.users.list(employees);
        BOOST_TEST(none_yet.total_count == 0);

        const permit::user_list_query search{.search = "nobody"};
        const auto none = co_await f.permit.users.list(search);
        BOOST_TEST(none.data.empty());
        BOOST_TEST(none.total_count == 0);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_all_walks_every_page, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.permit.users.bulk_create(numbered(7, "u"));
        auto pages = f.permit.users.list_all({.per_page = 3});
        std::vector<std::string> seen;
        std::vector<std::size_t> sizes;
        while (!pages.done()) {
            const auto batch = co_await pages.next();
            sizes.push_back(batch.size());
            for (const auto& u : batch) seen.push_back(u.key);
        }
        BOOST_TEST(sizes == (std::vector<std::size_t>{3, 3, 1}));
        BOOST_TEST(seen == keys_of(numbered(7, "u")));
        BOOST_TEST(pages.next_page() == 4);
        const auto after = co_await pages.next();
        BOOST_TEST(after.empty(), "a finished pager reads nothing more");
    }());
    BOOST_TEST(f.emu.stats().route(list_users_route) == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_all_stops_at_the_total_count_without_an_empty_page, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.permit.users.bulk_create(numbered(6, "u"));
        auto pages = f.permit.users.list_all({.per_page = 3});
        std::vector<std::string> seen;
        while (!pages.done()) {
            const auto batch = co_await pages.next();
            for (const auto& u : batch) seen.push_back(u.key);
        }
        BOOST_TEST(seen.size() == 6u);
    }());
    BOOST_TEST(f.emu.stats().route(list_users_route) == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_all_reads_a_failed_page_again, Scheme, both_schemes) {
    // The second list request gets a body that is not JSON.
    const permit::testing::fault_rule garbled{.method = "GET",
                                              .path = "/v2/facts/*/*/users",
                                              .kind = permit::testing::fault_kind::malformed_json,
                                              .max_count = 1,
                                              .after = 1};
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.permit.users.bulk_create(numbered(5, "u"));
        f.emu.set_faults({garbled});
        auto pages = f.permit.users.list_all({.per_page = 2});
        const auto first = co_await pages.next();
        BOOST_TEST(keys_of(first) == (std::vector<std::string>{"u0", "u1"}));

        permit::diagnostics diag;
        auto [ec, failed] = co_await pages.next(diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::invalid_response, ec.message());
        BOOST_TEST(!pages.done());
        BOOST_TEST(pages.next_page() == 2);

        std::vector<std::string> rest;
        while (!pages.done()) {
            const auto batch = co_await pages.next();
            for (const auto& u : batch) rest.push_back(u.key);
        }
        BOOST_TEST(rest == (std::vector<std::string>{"u2", "u3", "u4"}));
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(update_overwrites_the_given_fields_and_replaces_attributes, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("employee");
        const auto who = jane();
        co_await f.permit.users.create(who);
        const permit::user_update changes{.first_name = "Janet",
                                          .attributes = json::object{{"level", 3}}};
        const auto updated = co_await f.permit.users.update("jane", changes);
        BOOST_TEST(updated.first_name.value_or("") == "Janet");
        BOOST_TEST(updated.email.value_or("") == "jane@example.com", "a field not given stays");
        BOOST_TEST(json::value(updated.attributes) == json::parse(R"({"level":3})"));
    }());
    const auto stored = f.stored("users", "jane");
    BOOST_TEST(stored.at("first_name") == "Janet");
    BOOST_TEST(stored.at("last_name") == "Doe");
    BOOST_TEST(stored.at("attributes") == json::parse(R"({"level":3})"),
               "attributes are replaced, not merged");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sync_creates_then_replaces, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create first{
            .key = "sam", .email = "sam@example.com", .attributes = {{"plan", "free"}}};
        const auto created = co_await f.permit.users.sync(first);
        BOOST_TEST(created.created);
        BOOST_TEST(created.user.key == "sam");

        const permit::user_create second{.key = "sam", .first_name = "Sam"};
        const auto replaced = co_await f.permit.users.sync(second);
        BOOST_TEST(!replaced.created);
        BOOST_TEST(replaced.user.id == created.user.id);
        BOOST_TEST(replaced.user.first_name.value_or("") == "Sam");
    }());
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.status(201) == 1u);
    BOOST_TEST(stats.status(200) >= 1u);
    BOOST_TEST(f.emu.user_count() == 1u);
    BOOST_TEST(f.stored("users", "sam").at("first_name") == "Sam");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(remove_deletes_the_user_and_its_roles, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("employee");
        const auto who = jane();
        co_await f.permit.users.create(who);
        co_await f.permit.users.remove("jane");
        auto [ec, user] = co_await f.permit.users.get("jane", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    BOOST_TEST(f.emu.user_count() == 0u);
    BOOST_TEST(f.emu.role_assignment_count() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(assign_role_and_unassign_role, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("viewer");
        co_await f.create_tenant("marketing", "Marketing");
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);

        const permit::user_role_create in_default{.role = "viewer", .tenant = "default"};
        const auto a = co_await f.permit.users.assign_role("jane", in_default);
        BOOST_TEST(a.user == "jane");
        BOOST_TEST(a.role == "viewer");
        BOOST_TEST(a.tenant.value_or("") == "default");
        BOOST_TEST(!a.id.empty());
        const permit::user_role_create in_marketing{.role = "viewer", .tenant = "marketing"};
        co_await f.permit.users.assign_role("jane", in_marketing);
        BOOST_TEST(f.stored_assignments() ==
                   (std::vector<std::string>{"jane/viewer/default", "jane/viewer/marketing"}));

        const permit::user_role_remove out{.role = "viewer", .tenant = "default"};
        co_await f.permit.users.unassign_role("jane", out);
        BOOST_TEST(f.stored_assignments() == std::vector<std::string>{"jane/viewer/marketing"});

        // Taking away a role the user does not hold is a 404.
        auto [ec] =
            co_await f.permit.users.unassign_role("jane", out, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(get_assigned_roles_lists_the_roles_optionally_per_tenant, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("employee");
        co_await f.create_role("manager");
        co_await f.create_tenant("marketing", "Marketing");
        const auto who = jane();
        co_await f.permit.users.create(who);
        const permit::user_create other{.key = "other", .role_assignments = {{.role = "manager"}}};
        co_await f.permit.users.create(other);
        const permit::user_role_create manager{.role = "manager", .tenant = "marketing"};
        co_await f.permit.users.assign_role("jane", manager);

        const auto all = co_await f.permit.users.get_assigned_roles("jane");
        BOOST_TEST(assignments_of(all) ==
                   (std::vector<std::string>{"jane/employee/default", "jane/manager/marketing"}));
        const std::optional<std::string> marketing = "marketing";
        const auto in_marketing = co_await f.permit.users.get_assigned_roles("jane", marketing);
        BOOST_TEST(assignments_of(in_marketing) ==
                   std::vector<std::string>{"jane/manager/marketing"});
        const auto none = co_await f.permit.users.get_assigned_roles("nobody");
        BOOST_TEST(none.empty());
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bulk_create_bulk_replace_and_bulk_delete, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await f.create_role("employee");
        auto batch = numbered(3, "b");
        batch[0].role_assignments = {{.role = "employee", .tenant = "default"}};
        co_await f.permit.users.bulk_create(std::move(batch));
        BOOST_TEST(f.stored_keys("users") == (std::vector<std::string>{"b0", "b1", "b2"}));
        BOOST_TEST(f.stored_assignments() == std::vector<std::string>{"b0/employee/default"});

        // Replace two, add one.
        std::vector<permit::user_create> replace;
        replace.push_back({.key = "b1", .email = "b1@example.com"});
        replace.push_back({.key = "b2", .email = "b2@example.com"});
        replace.push_back({.key = "b3", .email = "b3@example.com"});
        co_await f.permit.users.bulk_replace(std::move(replace));
        BOOST_TEST(f.emu.user_count() == 4u);
        BOOST_TEST(f.stored("users", "b1").at("email") == "b1@example.com");
        BOOST_TEST(f.stored("users", "b3").at("email") == "b3@example.com");

        std::vector<std::string> gone{"b0", "b2"};
        co_await f.permit.users.bulk_delete(std::move(gone));
        BOOST_TEST(f.stored_keys("users") == (std::vector<std::string>{"b1", "b3"}));
        BOOST_TEST(f.emu.role_assignment_count() == 0u);

        // All or nothing: one existing key fails the whole bulk create.
        auto clash = numbered(2, "b");  // b1 exists
        clash.push_back({.key = "b3"});
        auto [ec] = co_await f.permit.users.bulk_create(std::move(clash),
                                                        asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::conflict);
        BOOST_TEST(f.emu.user_count() == 2u);
    }());
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.route("POST /v2/facts/{proj_id}/{env_id}/bulk/users") == 2u);
    BOOST_TEST(stats.route("PUT /v2/facts/{proj_id}/{env_id}/bulk/users") == 1u);
    BOOST_TEST(stats.route("DELETE /v2/facts/{proj_id}/{env_id}/bulk/users") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
