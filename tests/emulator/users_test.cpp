// The users routes of the emulator (docs/emulator.md "Routes and statuses";
// https://api.permit.io/v2/redoc#tag/Users).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

const std::vector<std::string> user_read_fields = {"key",
                                                   "id",
                                                   "organization_id",
                                                   "project_id",
                                                   "environment_id",
                                                   "associated_tenants",
                                                   "roles",
                                                   "created_at",
                                                   "updated_at",
                                                   "email",
                                                   "first_name",
                                                   "last_name",
                                                   "attributes"};
const std::vector<std::string> user_read_required = {
    "key", "id", "organization_id", "project_id", "environment_id", "created_at", "updated_at"};
const std::vector<std::string> role_assignment_read_fields = {"id",
                                                              "user",
                                                              "role",
                                                              "tenant",
                                                              "resource_instance",
                                                              "resource_instance_id",
                                                              "user_id",
                                                              "role_id",
                                                              "tenant_id",
                                                              "organization_id",
                                                              "project_id",
                                                              "environment_id",
                                                              "created_at"};
const std::vector<std::string> role_assignment_read_required = {"id",
                                                                "user",
                                                                "role",
                                                                "user_id",
                                                                "role_id",
                                                                "tenant_id",
                                                                "organization_id",
                                                                "project_id",
                                                                "environment_id",
                                                                "created_at"};

/// The `associated_tenants` entry for `tenant`, or null.
json::value tenant_entry(const json::value& user, std::string_view tenant) {
    const auto tenants = member(user, "associated_tenants");
    if (tenants.is_array())
        for (const auto& t : tenants.get_array())
            if (str(t, "tenant") == tenant) return t;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_users)

BOOST_FIXTURE_TEST_CASE(create_returns_201_with_a_user_read, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    auto r =
        api.post(api.facts("/users"),
                 json::parse(R"({"key":"jane","email":"jane@coolcompany.com","first_name":"Jane",
                          "last_name":"Doe","attributes":{"department":"marketing","age":30,"sub":{"tier":"pro"}},
                          "role_assignments":[{"role":"viewer","tenant":"acme"},{"role":"editor","tenant":"default"}]})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto u = body_json(r);
    BOOST_TEST(unexpected_members(u, user_read_fields).empty(),
               "members outside UserRead: " << r.body);
    BOOST_TEST(missing_members(u, user_read_required).empty(),
               "required UserRead members missing: " << r.body);

    BOOST_TEST(looks_like_uuid(str(u, "id")), "id: " << str(u, "id"));
    BOOST_TEST(str(u, "organization_id") == config().organization_id);
    BOOST_TEST(str(u, "project_id") == config().project_id);
    BOOST_TEST(str(u, "environment_id") == config().environment_id);
    BOOST_TEST(looks_like_iso8601(str(u, "created_at")), "created_at: " << str(u, "created_at"));
    BOOST_TEST(looks_like_iso8601(str(u, "updated_at")), "updated_at: " << str(u, "updated_at"));
    BOOST_TEST(str(u, "key") == "jane");
    BOOST_TEST(str(u, "email") == "jane@coolcompany.com");
    BOOST_TEST(str(u, "first_name") == "Jane");
    BOOST_TEST(str(u, "last_name") == "Doe");
    BOOST_TEST(member(u, "attributes") ==
               json::parse(R"({"department":"marketing","age":30,"sub":{"tier":"pro"}})"));

    // associated_tenants reflects the role_assignments given at creation.
    const auto acme = tenant_entry(u, "acme");
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST_REQUIRE(acme.is_object());
    BOOST_TEST(strings_of(member(acme, "roles")) == std::vector<std::string>{"viewer"});
    BOOST_TEST((str(acme, "status") == "active" || str(acme, "status") == "pending"),
               "status: " << str(acme, "status"));
    const auto dflt = tenant_entry(u, "default");
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST_REQUIRE(dflt.is_object());
    BOOST_TEST(strings_of(member(dflt, "roles")) == std::vector<std::string>{"editor"});
    BOOST_TEST(member(u, "associated_tenants").as_array().size() == 2u);

    // The assignments exist as role assignments too.
    BOOST_TEST(assignments("user=jane") ==
               (std::vector<std::string>{"jane/editor/default", "jane/viewer/acme"}));
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(create_without_optional_fields_defaults_them, emulator_fixture) {
    const auto u = create_user("bare");
    BOOST_TEST(absent_or_null(u, "email"));
    BOOST_TEST(absent_or_null(u, "first_name"));
    BOOST_TEST(member(u, "attributes") == json::value(json::object{}));
    const auto tenants = member(u, "associated_tenants");
    BOOST_TEST((tenants.is_null() || (tenants.is_array() && tenants.get_array().empty())),
               "got " << tenants);
}

BOOST_FIXTURE_TEST_CASE(create_duplicate_key_is_409_naming_the_key, emulator_fixture) {
    create_user("dup-user@x.com", {{"email", "first@x.com"}});
    auto r = api.post(api.facts("/users"),
                      json::object{{"key", "dup-user@x.com"}, {"email", "second@x.com"}});
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("dup-user@x.com") != std::string::npos,
               "message: " << r.body);
    // The first user is untouched.
    BOOST_TEST(str(get_ok(api.facts("/users/dup-user@x.com")), "email") == "first@x.com");
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(create_with_invalid_bodies_is_422_and_creates_nothing, emulator_fixture) {
    auto r = api.post(api.facts("/users"), json::object{{"key", "jane doe"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.str.regex");

    r = api.post(api.facts("/users"), json::object{{"key", "a/b"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.str.regex");

    r = api.post(api.facts("/users"), json::object{{"email", "jane@x.com"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.missing");
    BOOST_TEST(validation_msg(r, R"(["body","key"])") == "field required");

    r = api.post(api.facts("/users"), json::object{{"key", "jane"}, {"email", "not-an-email"}});
    PERMIT_CHECK_422(r, R"(["body","email"])", "value_error.email");

    r = api.post(api.facts("/users"), json::object{{"key", "jane"}, {"nickname", "jj"}});
    PERMIT_CHECK_422(r, R"(["body","nickname"])", "value_error.extra");

    r = api.post(api.facts("/users"), json::object{{"key", 42}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "type_error.str");

    r = api.send_text(http::verb::post, api.facts("/users"), R"({"key": "jane",)");
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422) {
        const auto item = body_json(r).at("detail").at(0);
        BOOST_TEST(str(item, "type") == "value_error.jsondecode");
        BOOST_TEST(member(item, "loc").at(0) == json::value("body"));
    }

    BOOST_TEST(emu.user_count() == 0u);
    BOOST_TEST(api.get(api.facts("/users/jane")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(create_with_unknown_role_or_tenant_is_404_and_creates_nothing,
                        emulator_fixture) {
    seed_rbac();
    auto r = api.post(
        api.facts("/users"),
        json::parse(R"({"key":"jane","role_assignments":[{"role":"ghost","tenant":"default"}]})"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.post(
        api.facts("/users"),
        json::parse(R"({"key":"jane","role_assignments":[{"role":"viewer","tenant":"nowhere"}]})"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(emu.user_count() == 0u);
    BOOST_TEST(emu.role_assignment_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(get_by_key_and_by_id, emulator_fixture) {
    const auto created = create_user("jane", {{"email", "jane@x.com"}});
    const auto by_key = get_ok(api.facts("/users/jane"));
    const auto by_id = get_ok(api.facts("/users/" + str(created, "id")));
    BOOST_TEST(str(by_key, "id") == str(created, "id"));
    BOOST_TEST(str(by_key, "email") == "jane@x.com");
    BOOST_TEST(by_id == by_key);
    BOOST_TEST(by_key == created);
}

BOOST_FIXTURE_TEST_CASE(keys_with_special_characters_are_percent_decoded_in_paths,
                        emulator_fixture) {
    create_user("user|123@x.com", {{"first_name", "Pipe"}});
    create_user("a+b.c_d-e", {{"first_name", "Plus"}});

    auto u = get_ok(api.facts("/users/user%7C123%40x.com"));
    BOOST_TEST(str(u, "key") == "user|123@x.com");
    BOOST_TEST(str(u, "first_name") == "Pipe");
    u = get_ok(api.facts("/users/a%2Bb.c_d-e"));
    BOOST_TEST(str(u, "key") == "a+b.c_d-e");

    auto r =
        api.patch(api.facts("/users/user%7C123%40x.com"), json::object{{"last_name", "Encoded"}});
    PERMIT_CHECK_STATUS(r, 200);
    BOOST_TEST(str(get_ok(api.facts("/users/user%7C123%40x.com")), "last_name") == "Encoded");

    r = api.del(api.facts("/users/a%2Bb.c_d-e"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(user_keys() == std::vector<std::string>{"user|123@x.com"});
}

BOOST_FIXTURE_TEST_CASE(get_missing_is_404_not_found, emulator_fixture) {
    auto r = api.get(api.facts("/users/nobody"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.get(api.facts("/users/497f6eca-6276-4993-bfeb-53cbbbba6f08"));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(list_is_an_envelope_paginated_in_creation_order, emulator_fixture) {
    std::vector<std::string> keys;
    for (int i = 0; i < 35; ++i) {
        keys.push_back("user-" + std::to_string(100 - i));  // creation order differs from key order
        create_user(keys.back());
    }
    auto page1 = get_ok(api.facts("/users"));
    BOOST_TEST(member(page1, "total_count") == json::value(35));
    BOOST_TEST(member(page1, "page_count") == json::value(2));
    BOOST_TEST(pluck(data_of(page1)) == std::vector<std::string>(keys.begin(), keys.begin() + 30));

    auto page2 = get_ok(api.facts("/users?page=2"));
    BOOST_TEST(member(page2, "total_count") == json::value(35));
    BOOST_TEST(pluck(data_of(page2)) == std::vector<std::string>(keys.begin() + 30, keys.end()));

    auto all = get_ok(api.facts("/users?per_page=100"));
    BOOST_TEST(pluck(data_of(all)) == keys);
    BOOST_TEST(member(all, "page_count") == json::value(1));

    auto sevens = get_ok(api.facts("/users?per_page=7&page=5"));
    BOOST_TEST(member(sevens, "page_count") == json::value(5));
    BOOST_TEST(pluck(data_of(sevens)) == std::vector<std::string>(keys.begin() + 28, keys.end()));

    auto beyond = get_ok(api.facts("/users?page=3"));
    BOOST_TEST(data_of(beyond).empty());
    BOOST_TEST(member(beyond, "total_count") == json::value(35));
}

BOOST_FIXTURE_TEST_CASE(empty_list_is_an_envelope, emulator_fixture) {
    const auto list = get_ok(api.facts("/users"));
    BOOST_TEST_REQUIRE(list.is_object(), "body: " << list);
    BOOST_TEST(member(list, "data") == json::value(json::array{}));
    BOOST_TEST(member(list, "total_count") == json::value(0));
    BOOST_TEST(member(list, "page_count") == json::value(0));
}

BOOST_FIXTURE_TEST_CASE(list_paging_out_of_bounds_is_422, emulator_fixture) {
    auto r = api.get(api.facts("/users?per_page=0"));
    PERMIT_CHECK_422(r, R"(["query","per_page"])", "value_error.number.not_ge");
    r = api.get(api.facts("/users?per_page=101"));
    PERMIT_CHECK_422(r, R"(["query","per_page"])", "value_error.number.not_le");
    BOOST_TEST(validation_msg(r, R"(["query","per_page"])") ==
               "ensure this value is less than or equal to 100");
    r = api.get(api.facts("/users?page=0"));
    PERMIT_CHECK_422(r, R"(["query","page"])", "value_error.number.not_ge");
    BOOST_TEST(validation_msg(r, R"(["query","page"])") ==
               "ensure this value is greater than or equal to 1");
    r = api.get(api.facts("/users?per_page=ten"));
    PERMIT_CHECK_422(r, R"(["query","per_page"])", "type_error.integer");
    r = api.get(api.facts("/users?page=1.5"));
    PERMIT_CHECK_422(r, R"(["query","page"])", "type_error.integer");
    // The limit itself is accepted.
    PERMIT_CHECK_STATUS(api.get(api.facts("/users?per_page=100&page=1")), 200);
}

BOOST_FIXTURE_TEST_CASE(list_search_filters_on_email, emulator_fixture) {
    create_user("u1", {{"email", "alice@coolcompany.com"}});
    create_user("u2", {{"email", "bob@othercompany.com"}});
    create_user("u3", {{"email", "carol@coolcompany.com"}});
    create_user("u4");
    const auto list = get_ok(api.facts("/users?search=coolcompany"));
    BOOST_TEST(pluck(data_of(list)) == (std::vector<std::string>{"u1", "u3"}));
    BOOST_TEST(member(list, "total_count") == json::value(2));
    BOOST_TEST(user_keys("search=bob%40other") == std::vector<std::string>{"u2"});
    BOOST_TEST(user_keys("search=nobody-matches-this").empty());
}

BOOST_FIXTURE_TEST_CASE(list_role_filter_returns_holders_of_the_role, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    create_user("u1");
    create_user("u2");
    create_user("u3");
    assign("u1", "viewer");
    assign("u2", "editor");
    assign("u3", "viewer", "acme");
    const auto viewers = get_ok(api.facts("/users?role=viewer"));
    BOOST_TEST(pluck(data_of(viewers)) == (std::vector<std::string>{"u1", "u3"}));
    BOOST_TEST(member(viewers, "total_count") == json::value(2));
    BOOST_TEST(user_keys("role=editor") == std::vector<std::string>{"u2"});
    BOOST_TEST(user_keys("role=admin").empty());
}

BOOST_FIXTURE_TEST_CASE(patch_overwrites_given_fields_and_replaces_attributes, emulator_fixture) {
    const auto created = create_user("jane", {{"email", "jane@x.com"},
                                              {"first_name", "Jane"},
                                              {"attributes", json::object{{"a", 1}, {"b", 2}}}});
    auto r =
        api.patch(api.facts("/users/jane"), json::object{{"attributes", json::object{{"c", 3}}}});
    PERMIT_REQUIRE_STATUS(r, 200);
    auto u = body_json(r);
    BOOST_TEST(member(u, "attributes") == json::parse(R"({"c":3})"));  // replaced, not merged
    BOOST_TEST(str(u, "first_name") == "Jane");
    BOOST_TEST(str(u, "email") == "jane@x.com");
    BOOST_TEST(str(u, "id") == str(created, "id"));
    BOOST_TEST(str(u, "created_at") == str(created, "created_at"));
    BOOST_TEST(str(u, "updated_at") >= str(created, "updated_at"));

    r = api.patch(api.facts("/users/" + str(created, "id")),
                  json::object{{"first_name", "Janet"}, {"last_name", "Roe"}});
    PERMIT_REQUIRE_STATUS(r, 200);
    u = get_ok(api.facts("/users/jane"));
    BOOST_TEST(str(u, "first_name") == "Janet");
    BOOST_TEST(str(u, "last_name") == "Roe");
    BOOST_TEST(member(u, "attributes") == json::parse(R"({"c":3})"));
    BOOST_TEST(str(u, "email") == "jane@x.com");
}

BOOST_FIXTURE_TEST_CASE(patch_errors, emulator_fixture) {
    create_user("jane", {{"email", "jane@x.com"}});
    auto r = api.patch(api.facts("/users/nobody"), json::object{{"first_name", "X"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.patch(api.facts("/users/jane"), json::object{{"email", "broken"}});
    PERMIT_CHECK_422(r, R"(["body","email"])", "value_error.email");
    r = api.patch(api.facts("/users/jane"), json::object{{"key", "renamed"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.extra");
    // Nothing changed.
    const auto u = get_ok(api.facts("/users/jane"));
    BOOST_TEST(str(u, "email") == "jane@x.com");
    BOOST_TEST(api.get(api.facts("/users/renamed")).status == 404u);
}

BOOST_FIXTURE_TEST_CASE(put_creates_201_then_replaces_200, emulator_fixture) {
    seed_rbac();
    auto r = api.put(
        api.facts("/users/sam"),
        json::parse(
            R"({"key":"sam","email":"sam@x.com","first_name":"Sam","attributes":{"a":1}})"));
    PERMIT_REQUIRE_STATUS(r, 201);
    const auto created = body_json(r);
    BOOST_TEST(str(created, "key") == "sam");
    BOOST_TEST(looks_like_uuid(str(created, "id")));
    BOOST_TEST(str(get_ok(api.facts("/users/sam")), "email") == "sam@x.com");

    r = api.put(api.facts("/users/sam"),
                json::parse(R"({"key":"sam","first_name":"Samuel","attributes":{"b":2},
                               "role_assignments":[{"role":"viewer","tenant":"default"}]})"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto replaced = body_json(r);
    BOOST_TEST(str(replaced, "id") == str(created, "id"));
    BOOST_TEST(str(replaced, "first_name") == "Samuel");
    BOOST_TEST(member(replaced, "attributes") == json::parse(R"({"b":2})"));
    BOOST_TEST(absent_or_null(replaced, "email"),
               "a replaced user keeps no email it was not given: " << r.body);
    BOOST_TEST(assignments("user=sam") == std::vector<std::string>{"sam/viewer/default"});
    BOOST_TEST(emu.user_count() == 1u);

    // PUT by id replaces the same user.
    r = api.put(api.facts("/users/" + str(created, "id")),
                json::parse(R"({"key":"sam","last_name":"Byid"})"));
    PERMIT_CHECK_STATUS(r, 200);
    BOOST_TEST(str(get_ok(api.facts("/users/sam")), "last_name") == "Byid");
}

BOOST_FIXTURE_TEST_CASE(put_with_a_key_that_differs_from_the_path_is_422, emulator_fixture) {
    auto r = api.put(api.facts("/users/sam"), json::object{{"key", "other"}});
    PERMIT_CHECK_STATUS(r, 422);
    BOOST_TEST(emu.user_count() == 0u);
    create_user("sam", {{"first_name", "Sam"}});
    r = api.put(api.facts("/users/sam"), json::object{{"key", "other"}, {"first_name", "Changed"}});
    PERMIT_CHECK_STATUS(r, 422);
    BOOST_TEST(str(get_ok(api.facts("/users/sam")), "first_name") == "Sam");
    BOOST_TEST(api.get(api.facts("/users/other")).status == 404u);
    r = api.put(api.facts("/users/sam"), json::object{{"first_name", "NoKey"}});
    PERMIT_CHECK_422(r, R"(["body","key"])", "value_error.missing");
}

BOOST_FIXTURE_TEST_CASE(delete_is_204_then_404, emulator_fixture) {
    const auto u = create_user("jane");
    create_user("john");
    auto r = api.del(api.facts("/users/jane"));
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    PERMIT_CHECK_ERROR(api.get(api.facts("/users/jane")), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.get(api.facts("/users/" + str(u, "id"))), 404, "NOT_FOUND");
    PERMIT_CHECK_ERROR(api.del(api.facts("/users/jane")), 404, "NOT_FOUND");
    BOOST_TEST(user_keys() == std::vector<std::string>{"john"});

    const auto john = get_ok(api.facts("/users/john"));
    PERMIT_CHECK_STATUS(api.del(api.facts("/users/" + str(john, "id"))), 204);
    BOOST_TEST(emu.user_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(delete_cascades_role_assignments, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    create_user("jane");
    create_user("john");
    assign("jane", "viewer");
    assign("jane", "admin", "acme");
    assign("john", "viewer");
    PERMIT_REQUIRE_STATUS(api.del(api.facts("/users/jane")), 204);
    BOOST_TEST(assignments("user=jane").empty());
    BOOST_TEST(assignments() == std::vector<std::string>{"john/viewer/default"});
    BOOST_TEST(emu.role_assignment_count() == 1u);

    // A user created again under the same key starts without roles.
    const auto again = create_user("jane");
    const auto tenants = member(again, "associated_tenants");
    BOOST_TEST((tenants.is_null() || tenants.as_array().empty()),
               "associated_tenants: " << tenants);
    BOOST_TEST(!allowed("jane", "read", "document"));
}

BOOST_FIXTURE_TEST_CASE(assign_role_to_user_returns_a_role_assignment_read, emulator_fixture) {
    seed_rbac();
    const auto tenant = create_tenant("acme");
    const auto user = create_user("jane");
    const auto role = get_ok(api.schema("/roles/viewer"));

    auto r = api.post(api.facts("/users/jane/roles"),
                      json::object{{"role", "viewer"}, {"tenant", "acme"}});
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto a = body_json(r);
    BOOST_TEST(unexpected_members(a, role_assignment_read_fields).empty(),
               "outside RoleAssignmentRead: " << r.body);
    BOOST_TEST(missing_members(a, role_assignment_read_required).empty(), "missing: " << r.body);
    BOOST_TEST(looks_like_uuid(str(a, "id")));
    BOOST_TEST(str(a, "user") == "jane");
    BOOST_TEST(str(a, "role") == "viewer");
    BOOST_TEST(str(a, "tenant") == "acme");
    BOOST_TEST(str(a, "user_id") == str(user, "id"));
    BOOST_TEST(str(a, "role_id") == str(role, "id"));
    BOOST_TEST(str(a, "tenant_id") == str(tenant, "id"));
    BOOST_TEST(str(a, "organization_id") == config().organization_id);
    BOOST_TEST(str(a, "project_id") == config().project_id);
    BOOST_TEST(str(a, "environment_id") == config().environment_id);
    BOOST_TEST(looks_like_iso8601(str(a, "created_at")));

    // By user id, role id and tenant id as well.
    r = api.post(api.facts("/users/" + str(user, "id") + "/roles"),
                 json::object{{"role", str(get_ok(api.schema("/roles/editor")), "id")},
                              {"tenant", str(tenant, "id")}});
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(str(body_json(r), "role") == "editor");
    BOOST_TEST(str(body_json(r), "tenant") == "acme");

    BOOST_TEST(assignments("user=jane") ==
               (std::vector<std::string>{"jane/editor/acme", "jane/viewer/acme"}));
    BOOST_TEST(allowed("jane", "write", "document", "acme"));
}

BOOST_FIXTURE_TEST_CASE(assign_role_to_user_errors, emulator_fixture) {
    seed_rbac();
    create_user("jane");
    auto r = api.post(api.facts("/users/jane/roles"),
                      json::object{{"role", "ghost"}, {"tenant", "default"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.post(api.facts("/users/jane/roles"),
                 json::object{{"role", "viewer"}, {"tenant", "nowhere"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.post(api.facts("/users/nobody/roles"),
                 json::object{{"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    r = api.post(api.facts("/users/jane/roles"), json::object{{"tenant", "default"}});
    PERMIT_CHECK_422(r, R"(["body","role"])", "value_error.missing");
    BOOST_TEST(emu.role_assignment_count() == 0u);

    PERMIT_REQUIRE_STATUS(api.post(api.facts("/users/jane/roles"),
                                   json::object{{"role", "viewer"}, {"tenant", "default"}}),
                          200);
    r = api.post(api.facts("/users/jane/roles"),
                 json::object{{"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(emu.role_assignment_count() == 1u);
    BOOST_TEST(api.get(api.facts("/users/nobody")).status ==
               404u);  // the 404 above created no user
}

BOOST_FIXTURE_TEST_CASE(unassign_role_from_user, emulator_fixture) {
    seed_rbac();
    create_user("jane");
    assign("jane", "viewer");
    assign("jane", "editor");

    auto r = api.del(api.facts("/users/jane/roles"),
                     json::object{{"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_STATUS(r, 204);
    BOOST_TEST(r.body.empty());
    BOOST_TEST(assignments("user=jane") == std::vector<std::string>{"jane/editor/default"});

    r = api.del(api.facts("/users/jane/roles"),
                json::object{{"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(str(body_json(r), "message").find("Role assignment not found") != std::string::npos,
               "message: " << r.body);

    r = api.del(api.facts("/users/jane/roles?return_deleted=true"),
                json::object{{"role", "editor"}, {"tenant", "default"}});
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto deleted = body_json(r);
    BOOST_TEST(str(deleted, "user") == "jane");
    BOOST_TEST(str(deleted, "role") == "editor");
    BOOST_TEST(str(deleted, "tenant") == "default");
    BOOST_TEST(looks_like_uuid(str(deleted, "id")));
    BOOST_TEST(assignments("user=jane").empty());
}

BOOST_FIXTURE_TEST_CASE(unassign_role_from_user_errors, emulator_fixture) {
    seed_rbac();
    create_user("jane");
    assign("jane", "viewer");
    // UserRoleRemove requires the tenant.
    auto r = api.del(api.facts("/users/jane/roles"), json::object{{"role", "viewer"}});
    PERMIT_CHECK_422(r, R"(["body","tenant"])", "value_error.missing");
    r = api.del(api.facts("/users/nobody/roles"),
                json::object{{"role", "viewer"}, {"tenant", "default"}});
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(emu.role_assignment_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
