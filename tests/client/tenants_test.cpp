// permit.tenants and permit.role_assignments against the emulator, over HTTP and HTTPS.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

const std::string list_tenants_route = "GET /v2/facts/{proj_id}/{env_id}/tenants";
const std::string list_assignments_route = "GET /v2/facts/{proj_id}/{env_id}/role_assignments";

/// Roles `viewer` and `editor`, tenant `marketing`, users `a` and `b`, and four assignments:
/// a/viewer/default, a/editor/marketing, b/viewer/marketing, b/editor/default.
asio::awaitable<void> seed_assignments(client_fixture& f) {
    co_await f.create_role("viewer");
    co_await f.create_role("editor");
    co_await f.create_tenant("marketing", "Marketing");
    const permit::user_create a{.key = "a",
                                .role_assignments = {{.role = "viewer", .tenant = "default"},
                                                     {.role = "editor", .tenant = "marketing"}}};
    co_await f.permit.users.create(a);
    const permit::user_create b{.key = "b",
                                .role_assignments = {{.role = "viewer", .tenant = "marketing"},
                                                     {.role = "editor", .tenant = "default"}}};
    co_await f.permit.users.create(b);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_tenants)

BOOST_AUTO_TEST_CASE_TEMPLATE(create_get_update_and_remove, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        const permit::tenant_create marketing{.key = "marketing",
                                              .name = "Marketing",
                                              .description = "The marketing team",
                                              .attributes = {{"region", "eu"}}};
        const auto created = co_await f.permit.tenants.create(marketing);
        BOOST_TEST(created.key == "marketing");
        BOOST_TEST(created.name == "Marketing");
        BOOST_TEST(created.description.value_or("") == "The marketing team");
        BOOST_TEST(json::value(created.attributes) == json::parse(R"({"region":"eu"})"));
        BOOST_TEST(!created.id.empty());

        const auto read = co_await f.permit.tenants.get("marketing");
        BOOST_TEST(read.id == created.id);
        BOOST_TEST(read.name == "Marketing");

        const permit::tenant_update changes{.name = "Marketing EU",
                                            .attributes = json::object{{"tier", "gold"}}};
        const auto updated = co_await f.permit.tenants.update("marketing", changes);
        BOOST_TEST(updated.name == "Marketing EU");
        BOOST_TEST(updated.description.value_or("") == "The marketing team");
        BOOST_TEST(json::value(updated.attributes) == json::parse(R"({"tier":"gold"})"));
        const auto stored = f.stored("tenants", "marketing");
        BOOST_TEST(stored.at("name") == "Marketing EU");
        BOOST_TEST(stored.at("attributes") == json::parse(R"({"tier":"gold"})"));

        co_await f.permit.tenants.remove("marketing");
        auto [ec, gone] =
            co_await f.permit.tenants.get("marketing", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
    BOOST_TEST(f.stored_keys("tenants") == std::vector<std::string>{"default"});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(remove_takes_the_tenants_role_assignments_with_it, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        co_await f.permit.tenants.remove("marketing");
    }());
    BOOST_TEST(f.stored_assignments() ==
               (std::vector<std::string>{"a/viewer/default", "b/editor/default"}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_reads_a_page_with_the_totals, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 1; i <= 4; ++i) co_await f.create_tenant("t" + std::to_string(i));
        const permit::tenant_list_query second{.page = 2, .per_page = 2};
        const auto page = co_await f.permit.tenants.list(second);
        BOOST_TEST(keys_of(page.data) == (std::vector<std::string>{"t2", "t3"}));
        BOOST_TEST(page.total_count == 5, "the four tenants and `default`");
        BOOST_TEST(page.page_count == 3);

        const auto all = co_await f.permit.tenants.list();
        BOOST_TEST(keys_of(all.data) ==
                   (std::vector<std::string>{"default", "t1", "t2", "t3", "t4"}));
        BOOST_TEST(all.total_count == 5);

        const permit::tenant_list_query search{.search = "t3"};
        const auto found = co_await f.permit.tenants.list(search);
        BOOST_TEST(keys_of(found.data) == std::vector<std::string>{"t3"});
        BOOST_TEST(found.total_count == 1);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_all_walks_every_page, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 1; i <= 4; ++i) co_await f.create_tenant("t" + std::to_string(i));
        auto pages = f.permit.tenants.list_all({.per_page = 2});
        std::vector<std::string> seen;
        std::vector<std::size_t> sizes;
        while (!pages.done()) {
            const auto batch = co_await pages.next();
            sizes.push_back(batch.size());
            for (const auto& t : batch) seen.push_back(t.key);
        }
        BOOST_TEST(sizes == (std::vector<std::size_t>{2, 2, 1}));
        BOOST_TEST(seen == (std::vector<std::string>{"default", "t1", "t2", "t3", "t4"}));
    }());
    BOOST_TEST(f.emu.stats().route(list_tenants_route) == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_users_lists_the_users_with_a_role_in_the_tenant, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        const permit::user_create loner{.key = "c"};
        co_await f.permit.users.create(loner);

        const auto marketing = co_await f.permit.tenants.list_users("marketing");
        BOOST_TEST(keys_of(marketing.data) == (std::vector<std::string>{"a", "b"}));
        BOOST_TEST(marketing.total_count == 2);

        const permit::user_list_query viewers{.role = "viewer"};
        const auto marketing_viewers = co_await f.permit.tenants.list_users("marketing", viewers);
        BOOST_TEST(keys_of(marketing_viewers.data) == std::vector<std::string>{"b"});

        const permit::user_list_query first{.page = 1, .per_page = 1};
        const auto one = co_await f.permit.tenants.list_users("default", first);
        BOOST_TEST(one.data.size() == 1u);
        BOOST_TEST(one.total_count == 2);

        const permit::user_list_query any;
        auto [ec, none] = co_await f.permit.tenants.list_users("nowhere", any,
                                                               asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(remove_user_takes_the_user_out_of_the_tenant_with_its_roles, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        co_await f.permit.tenants.remove_user("marketing", "a");
        const auto marketing = co_await f.permit.tenants.list_users("marketing");
        BOOST_TEST(keys_of(marketing.data) == std::vector<std::string>{"b"});
        // Its roles elsewhere stay.
        const auto in_default = co_await f.permit.tenants.list_users("default");
        BOOST_TEST(keys_of(in_default.data) == (std::vector<std::string>{"a", "b"}));
        auto [ec] = co_await f.permit.tenants.remove_user("marketing", "nobody",
                                                          asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::not_found);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bulk_create_and_bulk_delete, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        std::vector<permit::tenant_create> batch;
        for (const char* key : {"x", "y", "z"}) batch.push_back({.key = key, .name = key});
        co_await f.permit.tenants.bulk_create(std::move(batch));
        BOOST_TEST(f.stored_keys("tenants") ==
                   (std::vector<std::string>{"default", "x", "y", "z"}));

        // All or nothing: one key taken fails the whole batch.
        std::vector<permit::tenant_create> clash;
        clash.push_back({.key = "w", .name = "w"});
        clash.push_back({.key = "y", .name = "y"});
        auto [ec] = co_await f.permit.tenants.bulk_create(std::move(clash),
                                                          asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::conflict);
        BOOST_TEST(f.emu.tenant_count() == 4u);

        std::vector<std::string> gone{"x", "z", "never-existed"};
        co_await f.permit.tenants.bulk_delete(std::move(gone));
        BOOST_TEST(f.stored_keys("tenants") == (std::vector<std::string>{"default", "y"}));
    }());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_role_assignments)

BOOST_AUTO_TEST_CASE_TEMPLATE(list_filters_by_users_roles_and_tenants, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        using list = std::vector<std::string>;
        list got;
        const auto listed =
            [&](const permit::role_assignment_list_query& q) -> asio::awaitable<void> {
            const auto page = co_await f.permit.role_assignments.list(q);
            BOOST_TEST(page.total_count == static_cast<std::int64_t>(page.data.size()));
            got = assignments_of(page.data);
        };

        const permit::role_assignment_list_query everything;
        co_await listed(everything);
        BOOST_TEST(got == (list{"a/editor/marketing", "a/viewer/default", "b/editor/default",
                                "b/viewer/marketing"}));
        const permit::role_assignment_list_query of_a{.users = {"a"}};
        co_await listed(of_a);
        BOOST_TEST(got == (list{"a/editor/marketing", "a/viewer/default"}));
        const permit::role_assignment_list_query viewers{.roles = {"viewer"}};
        co_await listed(viewers);
        BOOST_TEST(got == (list{"a/viewer/default", "b/viewer/marketing"}));
        const permit::role_assignment_list_query in_marketing{.tenants = {"marketing"}};
        co_await listed(in_marketing);
        BOOST_TEST(got == (list{"a/editor/marketing", "b/viewer/marketing"}));
        const permit::role_assignment_list_query editors_of_a_or_b{.users = {"a", "b"},
                                                                   .roles = {"editor"}};
        co_await listed(editors_of_a_or_b);
        BOOST_TEST(got == (list{"a/editor/marketing", "b/editor/default"}));
        const permit::role_assignment_list_query b_in_default{.users = {"b"},
                                                              .tenants = {"default"}};
        co_await listed(b_in_default);
        BOOST_TEST(got == list{"b/editor/default"});

        const permit::role_assignment_list_query first_three{.per_page = 3};
        const auto page = co_await f.permit.role_assignments.list(first_three);
        BOOST_TEST(page.data.size() == 3u);
        BOOST_TEST(page.total_count == 4);
    }());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(list_all_walks_every_page, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        auto pages = f.permit.role_assignments.list_all({.per_page = 3});
        std::vector<permit::role_assignment> seen;
        std::vector<std::size_t> sizes;
        while (!pages.done()) {
            auto batch = co_await pages.next();
            sizes.push_back(batch.size());
            seen.insert(seen.end(), batch.begin(), batch.end());
        }
        BOOST_TEST(sizes == (std::vector<std::size_t>{3, 1}));
        BOOST_TEST(assignments_of(seen) == f.stored_assignments());
    }());
    BOOST_TEST(f.emu.stats().route(list_assignments_route) == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(assign_and_unassign, Scheme, both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        const permit::role_assignment_create give{
            .user = "a", .role = "viewer", .tenant = "marketing"};
        const auto made = co_await f.permit.role_assignments.assign(give);
        BOOST_TEST(made.user == "a");
        BOOST_TEST(made.role == "viewer");
        BOOST_TEST(made.tenant.value_or("") == "marketing");
        BOOST_TEST(!made.id.empty());
        BOOST_TEST(f.emu.role_assignment_count() == 5u);

        auto [again, dup] =
            co_await f.permit.role_assignments.assign(give, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(again == permit::condition::conflict);

        const permit::role_assignment_create unknown_role{
            .user = "a", .role = "nope", .tenant = "default"};
        auto [missing, none] = co_await f.permit.role_assignments.assign(
            unknown_role, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::condition::not_found);

        const permit::role_assignment_remove take{
            .user = "a", .role = "viewer", .tenant = "marketing"};
        co_await f.permit.role_assignments.unassign(take);
        BOOST_TEST(f.emu.role_assignment_count() == 4u);
        auto [twice] =
            co_await f.permit.role_assignments.unassign(take, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(twice == permit::condition::not_found);
    }());
    BOOST_TEST(f.stored_assignments() ==
               (std::vector<std::string>{"a/editor/marketing", "a/viewer/default",
                                         "b/editor/default", "b/viewer/marketing"}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bulk_assign_reports_the_count_and_bulk_unassign_removes, Scheme,
                              both_schemes) {
    client_fixture f{Scheme::tls};
    f.run([&]() -> asio::awaitable<void> {
        co_await seed_assignments(f);
        std::vector<permit::role_assignment_create> give;
        give.push_back({.user = "a", .role = "viewer", .tenant = "marketing"});
        give.push_back({.user = "b", .role = "viewer", .tenant = "default"});
        give.push_back({.user = "a", .role = "viewer", .tenant = "default"});  // held already
        const auto made = co_await f.permit.role_assignments.bulk_assign(std::move(give));
        BOOST_TEST(made.assignments_created == 2);
        BOOST_TEST(f.emu.role_assignment_count() == 6u);

        std::vector<permit::role_assignment_remove> take;
        take.push_back({.user = "a", .role = "viewer", .tenant = "marketing"});
        take.push_back({.user = "a", .role = "viewer", .tenant = "default"});
        take.push_back({.user = "b", .role = "editor", .tenant = "default"});
        const auto removed = co_await f.permit.role_assignments.bulk_unassign(std::move(take));
        BOOST_TEST(removed.assignments_removed == 3);
    }());
    BOOST_TEST(f.stored_assignments() == (std::vector<std::string>{
                                             "a/editor/marketing",
                                             "b/viewer/default",
                                             "b/viewer/marketing",
                                         }));
}

BOOST_AUTO_TEST_SUITE_END()
