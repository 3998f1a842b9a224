// The tenants routes of the emulator (docs/emulator.md "Routes and statuses";
// https://api.permit.io/v2/redoc#tag/Tenants).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

const std::vector<std::string> tenant_read_fields = {
    "key",        "id",         "organization_id", "project_id", "environment_id",
    "created_at", "updated_at", "last_action_at",  "name",       "description",
    "attributes"};
const std::vector<std::string> tenant_read_required = {
    "key",        "id",         "organization_id", "project_id", "environment_id",
    "created_at", "updated_at", "last_action_at",  "name"};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_tenants)

BOOST_FIXTURE_TEST_CASE(a_new_emulator_lists_only_the_default_tenant_as_a_bare_array,
                        emulator_fixture) {
    const auto list = get_ok(api.facts("/tenants"));
    BOOST_TEST_REQUIRE(list.is_array(), "body: " << list);
    BOOST_TEST(pluck(list) == std::vector<std::string>{"default"});
    BOOST_TEST(str(list.at(0), "name") == "Default Tenant");
    BOOST_TEST(looks_like_uuid(str(list.at(0), "id")));
    BOOST_TEST(emu.tenant_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(include_total_count_gives_the_envelope, emulator_fixture) {
    create_tenant("acme");
    create_tenant("globex");
    const auto env = get_ok(api.facts("/tenants?include_total_count=true"));
    BOOST_TEST_REQUIRE(env.is_object(), "body: " << env);
    BOOST_TEST(pluck(data_of(env)) == (std::vector<std::string>{"default", "acme", "globex"}));
    BOOST_TEST(member(env, "total_count") == json::value(3));
    BOOST_TEST(member(env, "page_count") == json::value(1));

    const auto paged = get_ok(api.facts("/tenants?include_total_count=true&per_page=2&page=2"));
    BOOST_TEST(pluck(data_of(paged)) == std::vector<std::string>{"globex"});
    BOOST_TEST(member(paged, "total_count") == json::value(3));
    BOOST_TEST(member(paged, "page_count") == json::value(2));

    // Without the flag, paging applies to the bare array.
    const auto bare = get_ok(api.facts("/tenants?per_page=2&page=2"));
    BOOST_TEST_REQUIRE(bare.is_array(), "body: " << bare);
    BOOST_TEST(pluck(bare) == std::vector<std::string>{"globex"});
}

BOOST_FIXTURE_TEST_CASE(list_paging_and_search, emulator_fixture) {
    create_tenant("acme", "Acme Corporation");
    create_tenant("globex", "Globex Inc");
    create_tenant("initech", "Initech");
    BOOST_TEST(pluck(get_ok(api.facts("/tenants?search=globex"))) ==
               std::vector<std::string>{"globex"});
    BOOST_TEST(pluck(get_ok(api.facts("/tenants?search=Corporation"))) ==
               std::vector<std::string>{"acme"});
    BOOST_TEST(pluck(get_ok(api.facts("/tenants?search=zzz"))).empty());
    PERMIT_CHECK_422(api.get(api.facts("/tenants?per_page=101")), R"(["query","per_page"])",
                     "value_error.number.not_le");
    PERMIT_CHECK_422(api.get(api.facts("/tenants?page=0")), R"(["query","page"])",
                     "value_error.number.not_ge");
    PERMIT_CHECK_422(api.get(api.facts("/tenants?per_page=x")), R"(["query","per_page"])",
                     "type_error.integer");
}

BOOST_FIXTURE_TEST_CASE(bare_array_pages_by_30_by_default, emulator_fixture) {
    std::vector<std::string> keys{"default"};
    for (int i = 0; i < 31; ++i) {
        keys.push_back("t" + std::to_string(i));
        create_tenant(keys.back());
    }
    const auto first = get_ok(api.facts("/tenants"));
    BOOST_TEST_REQUIRE(first.is_array(), "body: " << first);
    BOOST_TEST(pluck(first) == std::vector<std::string>(keys.begin(), keys.begin() + 30));
    BOOST_TEST(pluck(get_ok(api.facts("/tenants?page=2"))) ==
               std::vector<std::string>(keys.begin() + 30, keys.end()));
    const auto env = get_ok(api.facts("/tenants?include_total_count=true"));
    BOOST_TEST(member(env, "total_count") == json::value(32));
    BOOST_TEST(member(env, "page_count") == json::value(2));
    BOOST_TEST(data_of(env).size() == 30u);
}

BOOST_FIXTURE_TEST_CASE(create_returns_201_with_a_tenant_read, emulator_fixture) {
    auto r = api.post(
        api.facts("/tenants"),
        json::parse(
            R"({"key":"stripe-inc","name":"Stripe Inc","attributes":{"allowed_locations":["US","CA"]}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto t = body_json(r);
    BOOST_TEST(unexpected_members(t, tenant_read_fields).empty(), "outside TenantRead: " << r.body);
    BOOST_TEST(missing_members(t, tenant_read_required).empty(), "missing: " << r.body);
    BOOST_TEST(str(t, "key") == "stripe-inc");
    BOOST_TEST(str(t, "name") == "Stripe Inc");
    BOOST_TEST(looks_like_uuid(str(t, "id")));
    BOOST_TEST(str(t, "organization_id") == config().organization_id);
    BOOST_TEST(str(t, "project_id") == config().project_id);
    BOOST_TEST(str(t, "environment_id") == config().environment_id);
    BOOST_TEST(looks_like_iso8601(str(t, "created_at")));
    BOOST_TEST(looks_like_iso8601(str(t, "updated_at")));
    BOOST_TEST(looks_like_iso8601(str(t, "last_action_at")));
    BOOST_TEST(absent_or_null(t, "description"));
    BOOST_TEST(member(t, "attributes") == json::parse(R"({"allowed_locations":["US","CA"]})"));

    BOOST_TEST(get_ok(api.facts("/tenants/stripe-inc")) == t);
    BOOST_TEST(emu.tenant_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(create_duplicate_is_409_naming_the_key, emulator_fixture) {
    create_tenant("acme", "Acme");
    auto r = api.post(api.facts("/tenants"), json::object{{"key", "acme"}, {"name", "Other"}});
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("acme") != std::string::npos,
               "message: " << r.body);
    BOOST_TEST(str(get_ok(api.facts("/tenants/acme")), "name") == "Acme");

    r = api.post(api.facts("/tenants"), json::object{{"key", "default"}, {"name", "Again"}});
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(emu.tenant_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(create_with_invalid_bodies_is_422, emulator_fixture) {
    auto r = api.post(api.facts("/tenants"), json::object{{"key", "acme inc"}, {"name", "Acme"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.str.regex");
    // `@` is fine in a user key but not in a tenant key.
    r = api.post(api.facts("/tenants"), json::object{{"key", "acme@x"}, {"name", "Acme"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.str.regex");
    r = api.post(api.facts("/tenants"), json::object{{"key", "acme"}});
    PERMIT_CHECK_422(r, R"(["body","name"])", "value_error.missing");
    r = api.post(api.facts("/tenants"), json::object{{"name", "Acme"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.missing");
    r = api.post(api.facts("/tenants"),
                 json::object{{"key", "acme"}, {"name", "Acme"}, {"region", "eu"}});
    PERMIT_CHECK_422(r, R"(["body","region"])", "value_error.extra");
    BOOST_TEST(emu.tenant_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(get_by_key_and_id_and_404, emulator_fixture) {
    const auto t = create_tenant("acme", "Acme");
    BOOST_TEST(get_ok(api.facts("/tenants/" + str(t, "id"))) == t);
    BOOST_TEST(get_ok(api.facts("/tenants/acme")) == t);
    PERMIT_CHECK_ERROR(api.get(api.facts("/tenants/nowhere")), 404, "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(patch_overwrites_given_fields, emulator_fixture) {
    const auto t = create_tenant("acme", "Acme");
    auto r = api.patch(
        api.facts("/tenants/acme"),
        json::parse(R"({"description":"Road runner supplies","attributes":{"tier":"gold"}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    auto u = body_json(r);
    BOOST_TEST(str(u, "name") == "Acme");
    BOOST_TEST(str(u, "description") == "Road runner supplies");
    BOOST_TEST(member(u, "attributes") == json::parse(R"({"tier":"gold"})"));
    BOOST_TEST(str(u, "id") == str(t, "id"));

    r = api.patch(api.facts("/tenants/" + str(t, "id")),
                  json::parse(R"({"name":"Acme Corp","attributes":{"seats":5}})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    u = get_ok(api.facts("/tenants/acme"));
    BOOST_TEST(str(u, "name") == "Acme Corp");
    BOOST_TEST(str(u, "description") == "Road runner supplies");
    BOOST_TEST(member(u, "attributes") == json::parse(R"({"seats":5})"));
    BOOST_TEST(str(u, "key") == "acme");

    PERMIT_CHECK_ERROR(api.patch(api.facts("/tenants/nowhere"), json::object{{"name", "X"}}), 404,
                       "NOT_FOUND");
    PERMIT_CHECK_422(api.patch(api.facts("/tenants/acme"), json::object{{"key", "renamed"}}),
                     R"(["body","key"])", "value_error.extra");
    PERMIT_CHECK_422(api.patch(api.facts("/tenants/acme"), json::object{{"name", 5}}),
                     R"(["body","name"])", "type_error.str");
    BOOST_TEST(str(get_ok(api.facts("/tenants/acme")), "name") == "Acme Corp");
}

BOOST_FIXTURE_TEST_CASE(delete_is_204_then_404, emulator_fixture) {
    const auto t = create_tenant("acme");
    create_tenant("globex");
    auto r = api.del(api.facts("/tenants/acme"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    PERMIT_CHECK_ERROR(api.get(api.facts("/tenants/acme")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(api.facts("/tenants/acme")), 404, "NOT_FOUND");
    BOOST_TEST(pluck(get_ok(api.facts("/tenants"))) ==
               (std::vector<std::string>{"default", "globex"}));

    const auto g = get_ok(api.facts("/tenants/globex"));
    PERMIT_CHECK_STATUS(api.del(api.facts("/tenants/" + str(g, "id"))), 204);
    BOOST_TEST(emu.tenant_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(delete_cascades_role_assignments, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    create_user("jane");
    assign("jane", "viewer", "acme");
    assign("jane", "editor", "acme");
    assign("jane", "viewer", "default");
    BOOST_TEST_REQUIRE(allowed("jane", "write", "document", "acme"));
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/tenants/acme")), 204);
    BOOST_TEST(assignments() == std::vector<std::string>{"jane/viewer/default"});
    BOOST_TEST(emu.role_assignment_count() == 1u);
    // Created again, the tenant grants nothing.
    create_tenant("acme");
    BOOST_TEST(!allowed("jane", "read", "document", "acme"));
    BOOST_TEST(tenant_user_keys("acme").empty());
}

BOOST_FIXTURE_TEST_CASE(tenant_users_lists_users_with_a_role_there, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    create_user("u1", {{"email", "one@acme.com"}});
    create_user("u2", {{"email", "two@x.com"}});
    create_user("u3", {{"email", "three@acme.com"}});
    create_user("u4");
    assign("u1", "viewer", "acme");
    assign("u2", "viewer", "default");
    assign("u3", "editor", "acme");
    assign("u3", "viewer", "acme");

    const auto list = get_ok(api.facts("/tenants/acme/users"));
    BOOST_TEST_REQUIRE(list.is_object(), "always an envelope: " << list);
    BOOST_TEST(pluck(data_of(list)) == (std::vector<std::string>{"u1", "u3"}));
    BOOST_TEST(member(list, "total_count") == json::value(2));
    BOOST_TEST(member(list, "page_count") == json::value(1));

    BOOST_TEST(pluck(data_of(get_ok(api.facts("/tenants/acme/users?role=editor")))) ==
               std::vector<std::string>{"u3"});
    BOOST_TEST(pluck(data_of(get_ok(api.facts("/tenants/acme/users?search=three")))) ==
               std::vector<std::string>{"u3"});
    const auto paged = get_ok(api.facts("/tenants/acme/users?per_page=1&page=2"));
    BOOST_TEST(pluck(data_of(paged)) == std::vector<std::string>{"u3"});
    BOOST_TEST(member(paged, "page_count") == json::value(2));
    BOOST_TEST(tenant_user_keys("default") == std::vector<std::string>{"u2"});

    // By tenant id.
    const auto acme = get_ok(api.facts("/tenants/acme"));
    BOOST_TEST(pluck(data_of(get_ok(api.facts("/tenants/" + str(acme, "id") + "/users")))) ==
               (std::vector<std::string>{"u1", "u3"}));

    PERMIT_CHECK_ERROR(api.get(api.facts("/tenants/nowhere/users")), 404, "NOT_FOUND");
    PERMIT_CHECK_422(api.get(api.facts("/tenants/acme/users?per_page=0")),
                     R"(["query","per_page"])", "value_error.number.not_ge");
}

BOOST_FIXTURE_TEST_CASE(add_user_to_tenant_creates_and_adds, emulator_fixture) {
    create_tenant("acme");
    auto r =
        api.post(api.facts("/tenants/acme/users"),
                 json::parse(R"({"key":"newbie","email":"newbie@acme.com","first_name":"New"})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto u = body_json(r);
    BOOST_TEST(str(u, "key") == "newbie");
    BOOST_TEST(str(u, "email") == "newbie@acme.com");
    BOOST_TEST(looks_like_uuid(str(u, "id")));
    BOOST_TEST(str(get_ok(api.facts("/users/newbie")), "first_name") == "New");
    BOOST_TEST(tenant_user_keys("acme") == std::vector<std::string>{"newbie"});
    BOOST_TEST(tenant_user_keys("default").empty());

    // An existing user is added, not duplicated.
    create_user("old", {{"email", "old@x.com"}});
    r = api.post(api.facts("/tenants/acme/users"), json::object{{"key", "old"}});
    PERMIT_CHECK_STATUS(r, 200);
    BOOST_TEST(tenant_user_keys("acme") == (std::vector<std::string>{"newbie", "old"}));
    BOOST_TEST(emu.user_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(add_user_to_tenant_errors, emulator_fixture) {
    create_tenant("acme");
    auto r = api.post(api.facts("/tenants/nowhere/users"), json::object{{"key", "ghost"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(api.get(api.facts("/users/ghost")).status == 404u);
    r = api.post(api.facts("/tenants/acme/users"), json::object{{"key", "bad key"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.str.regex");
    r = api.post(api.facts("/tenants/acme/users"), json::object{{"email", "x@y.com"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.missing");
    BOOST_TEST(emu.user_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(remove_user_from_tenant_drops_membership_and_roles_there,
                        emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    create_user("jane");
    create_user("john");
    assign("jane", "viewer", "acme");
    assign("jane", "editor", "acme");
    assign("jane", "viewer", "default");
    assign("john", "viewer", "acme");

    auto r = api.del(api.facts("/tenants/acme/users/jane"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    BOOST_TEST(tenant_user_keys("acme") == std::vector<std::string>{"john"});
    BOOST_TEST(assignments("user=jane") == std::vector<std::string>{"jane/viewer/default"});
    BOOST_TEST(!allowed("jane", "read", "document", "acme"));
    BOOST_TEST(allowed("jane", "read", "document", "default"));
    BOOST_TEST(api.get(api.facts("/users/jane")).status == 200u);  // the user itself stays

    // A member added without a role goes too.
    PERMIT_REQUIRE_STATUS(
        api.post(api.facts("/tenants/acme/users"), json::object{{"key", "newbie"}}), 200);
    const auto newbie = get_ok(api.facts("/users/newbie"));
    PERMIT_CHECK_STATUS(api.del(api.facts("/tenants/acme/users/" + str(newbie, "id"))), 204);
    BOOST_TEST(tenant_user_keys("acme") == std::vector<std::string>{"john"});

    PERMIT_CHECK_ERROR(api.del(api.facts("/tenants/nowhere/users/john")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(api.facts("/tenants/acme/users/nobody")), 404, "NOT_FOUND");
    BOOST_TEST(assignments("user=john") == std::vector<std::string>{"john/viewer/acme"});
}

BOOST_AUTO_TEST_SUITE_END()
