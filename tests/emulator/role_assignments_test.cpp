// The role assignment routes of the emulator (docs/emulator.md "Routes and statuses";
// https://api.permit.io/v2/redoc#tag/Role-Assignments).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

json::object ra(const std::string& user, const std::string& role, const std::string& tenant) {
    return {{"user", user}, {"role", role}, {"tenant", tenant}};
}

/// seed_rbac, tenants acme and globex, users a, b, c.
struct assignments_fixture : emulator_fixture {
    assignments_fixture() {
        seed_rbac();
        create_tenant("acme");
        create_tenant("globex");
        for (const auto* k : {"a", "b", "c"}) create_user(k);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_role_assignments)

BOOST_FIXTURE_TEST_CASE(list_is_a_bare_array_or_the_envelope, assignments_fixture) {
    assign("a", "viewer", "acme");
    assign("b", "editor", "acme");
    assign("c", "admin", "globex");

    const auto bare = get_ok(api.facts("/role_assignments"));
    BOOST_TEST_REQUIRE(bare.is_array(), "body: " << bare);
    BOOST_TEST(pluck(bare, "user") == (std::vector<std::string>{"a", "b", "c"}));  // creation order
    BOOST_TEST(pluck(bare, "role") == (std::vector<std::string>{"viewer", "editor", "admin"}));

    const auto env = get_ok(api.facts("/role_assignments?include_total_count=true"));
    BOOST_TEST_REQUIRE(env.is_object(), "body: " << env);
    BOOST_TEST(member(env, "total_count") == json::value(3));
    BOOST_TEST(member(env, "page_count") == json::value(1));
    BOOST_TEST(pluck(data_of(env), "user") == (std::vector<std::string>{"a", "b", "c"}));

    const auto paged = get_ok(api.facts("/role_assignments?per_page=2&page=2"));
    BOOST_TEST(pluck(paged, "user") == std::vector<std::string>{"c"});
    PERMIT_CHECK_422(api.get(api.facts("/role_assignments?per_page=101")),
                     R"(["query","per_page"])", "value_error.number.not_le");
    PERMIT_CHECK_422(api.get(api.facts("/role_assignments?page=0")), R"(["query","page"])",
                     "value_error.number.not_ge");
}

BOOST_FIXTURE_TEST_CASE(filters_repeat_and_combine, assignments_fixture) {
    assign("a", "viewer", "acme");
    assign("a", "admin", "globex");
    assign("b", "editor", "acme");
    assign("c", "viewer", "globex");
    assign("c", "viewer", "default");

    BOOST_TEST(assignments("user=a&user=b") ==
               (std::vector<std::string>{"a/admin/globex", "a/viewer/acme", "b/editor/acme"}));
    BOOST_TEST(assignments("user=c") ==
               (std::vector<std::string>{"c/viewer/default", "c/viewer/globex"}));
    BOOST_TEST(assignments("tenant=acme") ==
               (std::vector<std::string>{"a/viewer/acme", "b/editor/acme"}));
    BOOST_TEST(assignments("tenant=acme&tenant=default") ==
               (std::vector<std::string>{"a/viewer/acme", "b/editor/acme", "c/viewer/default"}));
    BOOST_TEST(assignments("role=viewer") ==
               (std::vector<std::string>{"a/viewer/acme", "c/viewer/default", "c/viewer/globex"}));
    BOOST_TEST(assignments("role=admin&role=editor") ==
               (std::vector<std::string>{"a/admin/globex", "b/editor/acme"}));
    BOOST_TEST(assignments("user=a&tenant=globex") == std::vector<std::string>{"a/admin/globex"});
    BOOST_TEST(assignments("user=c&role=viewer&tenant=globex") ==
               std::vector<std::string>{"c/viewer/globex"});
    BOOST_TEST(assignments("user=b&role=viewer").empty());

    // Filters accept ids as well as keys.
    const auto user_a = get_ok(api.facts("/users/a"));
    BOOST_TEST(assignments("user=" + str(user_a, "id")) ==
               (std::vector<std::string>{"a/admin/globex", "a/viewer/acme"}));

    const auto counted =
        get_ok(api.facts("/role_assignments?role=viewer&include_total_count=true"));
    BOOST_TEST(member(counted, "total_count") == json::value(3));
}

BOOST_FIXTURE_TEST_CASE(assign_returns_a_role_assignment_read, assignments_fixture) {
    auto r = api.post(api.facts("/role_assignments"), ra("a", "viewer", "acme"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto a = body_json(r);
    BOOST_TEST(looks_like_uuid(str(a, "id")));
    BOOST_TEST(str(a, "user") == "a");
    BOOST_TEST(str(a, "role") == "viewer");
    BOOST_TEST(str(a, "tenant") == "acme");
    BOOST_TEST(str(a, "user_id") == str(get_ok(api.facts("/users/a")), "id"));
    BOOST_TEST(str(a, "role_id") == str(get_ok(api.schema("/roles/viewer")), "id"));
    BOOST_TEST(str(a, "tenant_id") == str(get_ok(api.facts("/tenants/acme")), "id"));
    BOOST_TEST(str(a, "organization_id") == config().organization_id);
    BOOST_TEST(str(a, "project_id") == config().project_id);
    BOOST_TEST(str(a, "environment_id") == config().environment_id);
    BOOST_TEST(looks_like_iso8601(str(a, "created_at")));

    // The listed assignment is the same object.
    const auto list = get_ok(api.facts("/role_assignments"));
    BOOST_TEST_REQUIRE(list.is_array());
    BOOST_TEST_REQUIRE(list.get_array().size() == 1u);
    BOOST_TEST(list.at(0) == a);
    BOOST_TEST(allowed("a", "read", "document", "acme"));
}

BOOST_FIXTURE_TEST_CASE(assign_without_tenant_goes_to_default, assignments_fixture) {
    auto r =
        api.post(api.facts("/role_assignments"), json::object{{"user", "a"}, {"role", "editor"}});
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(str(body_json(r), "tenant") == "default");
    BOOST_TEST(assignments("tenant=default") == std::vector<std::string>{"a/editor/default"});
    BOOST_TEST(allowed("a", "write", "document"));
}

BOOST_FIXTURE_TEST_CASE(assign_errors, assignments_fixture) {
    assign("a", "viewer", "acme");
    auto r = api.post(api.facts("/role_assignments"), ra("a", "viewer", "acme"));
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    PERMIT_CHECK_ERROR(api.post(api.facts("/role_assignments"), ra("nobody", "viewer", "acme")),
                       404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.post(api.facts("/role_assignments"), ra("a", "ghost", "acme")), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.post(api.facts("/role_assignments"), ra("a", "viewer", "nowhere")), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_422(
        api.post(api.facts("/role_assignments"), json::object{{"user", "a"}, {"tenant", "acme"}}),
        R"(["body","role"])", "value_error.missing");
    PERMIT_CHECK_422(api.post(api.facts("/role_assignments"), json::object{{"role", "viewer"}}),
                     R"(["body","user"])", "value_error.missing");
    auto extra = ra("a", "editor", "acme");
    extra["scope"] = "all";
    PERMIT_CHECK_422(api.post(api.facts("/role_assignments"), extra), R"(["body","scope"])",
                     "value_error.extra");
    BOOST_TEST(assignments() == std::vector<std::string>{"a/viewer/acme"});
    BOOST_TEST(api.get(api.facts("/users/nobody")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(unassign, assignments_fixture) {
    assign("a", "viewer", "acme");
    assign("a", "editor", "acme");
    auto r = api.del(api.facts("/role_assignments"), ra("a", "viewer", "acme"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    BOOST_TEST(assignments() == std::vector<std::string>{"a/editor/acme"});

    r = api.del(api.facts("/role_assignments"), ra("a", "viewer", "acme"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(str(body_json(r), "message").find("Role assignment not found") != std::string::npos,
               "message: " << r.body);

    r = api.del(api.facts("/role_assignments?return_deleted=true"), ra("a", "editor", "acme"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto d = body_json(r);
    BOOST_TEST(str(d, "user") == "a");
    BOOST_TEST(str(d, "role") == "editor");
    BOOST_TEST(str(d, "tenant") == "acme");
    BOOST_TEST(looks_like_uuid(str(d, "id")));
    BOOST_TEST(assignments().empty());
    BOOST_TEST(!allowed("a", "write", "document", "acme"));

    // RoleAssignmentRemove requires user, role and tenant.
    assign("b", "viewer", "default");
    PERMIT_CHECK_422(
        api.del(api.facts("/role_assignments"), json::object{{"user", "b"}, {"role", "viewer"}}),
        R"(["body","tenant"])", "value_error.missing");
    BOOST_TEST(assignments() == std::vector<std::string>{"b/viewer/default"});
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_counts_only_new_assignments, assignments_fixture) {
    assign("a", "viewer", "acme");
    json::array items{ra("a", "viewer", "acme"), ra("b", "editor", "acme"),
                      ra("c", "admin", "globex"), json::object{{"user", "c"}, {"role", "viewer"}}};
    auto r = api.post(api.facts("/role_assignments/bulk"), items);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_created":3})"));
    BOOST_TEST(assignments() == (std::vector<std::string>{"a/viewer/acme", "b/editor/acme",
                                                          "c/admin/globex", "c/viewer/default"}));
    // Again: nothing new.
    r = api.post(api.facts("/role_assignments/bulk"), items);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_created":0})"));
    BOOST_TEST(emu.role_assignment_count() == 4u);
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_body_must_be_an_array, assignments_fixture) {
    auto r = api.post(api.facts("/role_assignments/bulk"),
                      json::object{{"assignments", json::array{ra("a", "viewer", "acme")}}});
    PERMIT_CHECK_STATUS(r, 422);
    r = api.post(api.facts("/role_assignments/bulk"), json::array{json::object{{"user", "a"}}});
    PERMIT_CHECK_422(r, R"(["body",0,"role"])", "value_error.missing");
    BOOST_TEST(emu.role_assignment_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_missing_user_policy_fail, assignments_fixture) {
    json::array items{ra("a", "viewer", "acme"), ra("ghost", "viewer", "acme"),
                      ra("b", "viewer", "acme")};
    auto r = api.post(api.facts("/role_assignments/bulk"), items);
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(emu.role_assignment_count() == 0u);
    r = api.post(api.facts("/role_assignments/bulk?missing_user_policy=fail"), items);
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(assignments().empty());
    BOOST_TEST(api.get(api.facts("/users/ghost")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_missing_user_policy_ignore, assignments_fixture) {
    json::array items{ra("a", "viewer", "acme"), ra("ghost", "viewer", "acme"),
                      ra("b", "viewer", "acme")};
    auto r = api.post(api.facts("/role_assignments/bulk?missing_user_policy=ignore"), items);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_created":2})"));
    BOOST_TEST(assignments() == (std::vector<std::string>{"a/viewer/acme", "b/viewer/acme"}));
    BOOST_TEST(api.get(api.facts("/users/ghost")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_missing_user_policy_create, assignments_fixture) {
    json::array items{ra("a", "viewer", "acme"), ra("newcomer", "editor", "globex")};
    auto r = api.post(api.facts("/role_assignments/bulk?missing_user_policy=create"), items);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_created":2})"));
    BOOST_TEST(str(get_ok(api.facts("/users/newcomer")), "key") == "newcomer");
    BOOST_TEST(assignments("user=newcomer") == std::vector<std::string>{"newcomer/editor/globex"});
    BOOST_TEST(allowed("newcomer", "read", "document", "globex"));
    BOOST_TEST(emu.user_count() == 4u);

    PERMIT_CHECK_422(api.post(api.facts("/role_assignments/bulk?missing_user_policy=maybe"), items),
                     R"(["query","missing_user_policy"])", "type_error.enum");
}

BOOST_FIXTURE_TEST_CASE(bulk_assign_over_2000_items_is_422_and_changes_nothing,
                        assignments_fixture) {
    assign("a", "viewer", "default");
    json::array items;
    for (int i = 0; i < 2001; ++i)
        items.push_back(ra("bulk-" + std::to_string(i), "viewer", "acme"));
    auto r = api.post(api.facts("/role_assignments/bulk?missing_user_policy=create"), items);
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422) {
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    }
    BOOST_TEST(emu.role_assignment_count() == 1u);
    BOOST_TEST(emu.user_count() == 3u);

    // Exactly 2,000 is accepted.
    items.pop_back();
    r = api.post(api.facts("/role_assignments/bulk?missing_user_policy=create"), items);
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_created":2000})"));
    BOOST_TEST(emu.role_assignment_count() == 2001u);
    BOOST_TEST(emu.user_count() == 2003u);
}

BOOST_FIXTURE_TEST_CASE(bulk_unassign_counts_removed, assignments_fixture) {
    assign("a", "viewer", "acme");
    assign("b", "viewer", "acme");
    assign("c", "viewer", "acme");
    json::array items{ra("a", "viewer", "acme"), ra("b", "viewer", "acme"),
                      ra("b", "admin", "acme")};
    auto r = api.del(api.facts("/role_assignments/bulk"), json::value(items));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_removed":2})"));
    BOOST_TEST(assignments() == std::vector<std::string>{"c/viewer/acme"});

    r = api.del(api.facts("/role_assignments/bulk"), json::value(items));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::parse(R"({"assignments_removed":0})"));

    // RoleAssignmentRemove items need a tenant.
    r = api.del(api.facts("/role_assignments/bulk"),
                json::value(json::array{json::object{{"user", "c"}, {"role", "viewer"}}}));
    PERMIT_CHECK_422(r, R"(["body",0,"tenant"])", "value_error.missing");
    BOOST_TEST(assignments() == std::vector<std::string>{"c/viewer/acme"});
}

BOOST_FIXTURE_TEST_CASE(bulk_unassign_over_2000_items_is_422_and_changes_nothing,
                        assignments_fixture) {
    assign("a", "viewer", "acme");
    json::array items{ra("a", "viewer", "acme")};
    for (int i = 0; i < 2000; ++i)
        items.push_back(ra("ghost-" + std::to_string(i), "viewer", "acme"));
    auto r = api.del(api.facts("/role_assignments/bulk"), json::value(items));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(assignments() == std::vector<std::string>{"a/viewer/acme"});
}

BOOST_FIXTURE_TEST_CASE(bare_array_pages_by_30_by_default, assignments_fixture) {
    json::array items;
    for (int i = 0; i < 31; ++i) items.push_back(ra("p-" + std::to_string(i), "viewer", "acme"));
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/role_assignments/bulk?missing_user_policy=create"), items), 200);
    const auto first = get_ok(api.facts("/role_assignments"));
    BOOST_TEST_REQUIRE(first.is_array(), "body: " << first);
    BOOST_TEST(first.get_array().size() == 30u);
    BOOST_TEST(pluck(get_ok(api.facts("/role_assignments?page=2")), "user") ==
               std::vector<std::string>{"p-30"});
}

BOOST_AUTO_TEST_SUITE_END()
