// The bulk users and tenants routes of the emulator (docs/emulator.md "Routes and statuses",
// "Limits and bad input"; https://api.permit.io/v2/redoc#tag/Bulk-Operations,
// https://docs.permit.io/how-to/bulk-operations).
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

json::object ops(json::array items) {
    return {{"operations", std::move(items)}};
}

json::object idents(std::initializer_list<std::string> ids) {
    json::array a;
    for (const auto& i : ids) a.push_back(json::value(i));
    return {{"idents", a}};
}

/// `n` TenantCreate objects with keys `prefix0`, ...
json::array numbered_tenants(std::size_t n, std::string_view prefix) {
    json::array out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto key = std::string(prefix) + std::to_string(i);
        out.push_back(json::object{{"key", key}, {"name", "Tenant " + key}});
    }
    return out;
}

std::int64_t total_users(emulator_fixture& f) {
    const auto v = member(f.get_ok(f.api.facts("/users")), "total_count");
    return v.is_int64() ? v.get_int64() : -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_bulk)

BOOST_FIXTURE_TEST_CASE(bulk_create_users, emulator_fixture) {
    seed_rbac();
    auto r = api.post(api.facts("/bulk/users"),
                      ops(json::parse(R"([{"key":"u1","email":"u1@x.com","first_name":"One"},
                                          {"key":"u2|x@y.com","attributes":{"plan":"pro"}},
                                          {"key":"u3","role_assignments":[{"role":"viewer","tenant":"default"}]}])")
                              .as_array()));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));
    BOOST_TEST(emu.user_count() == 3u);
    BOOST_TEST(user_keys() == (std::vector<std::string>{"u1", "u2|x@y.com", "u3"}));
    const auto u1 = get_ok(api.facts("/users/u1"));
    BOOST_TEST(str(u1, "email") == "u1@x.com");
    BOOST_TEST(str(u1, "first_name") == "One");
    BOOST_TEST(member(get_ok(api.facts("/users/u2%7Cx%40y.com")), "attributes") ==
               json::parse(R"({"plan":"pro"})"));
    BOOST_TEST(assignments("user=u3") == std::vector<std::string>{"u3/viewer/default"});
}

BOOST_FIXTURE_TEST_CASE(bulk_create_with_an_existing_key_is_409_and_creates_nothing,
                        emulator_fixture) {
    create_user("taken", {{"email", "taken@x.com"}});
    auto r = api.post(api.facts("/bulk/users"), ops(json::array{json::object{{"key", "fresh1"}},
                                                                json::object{{"key", "taken"}},
                                                                json::object{{"key", "fresh2"}}}));
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("taken") != std::string::npos,
               "message: " << r.body);
    BOOST_TEST(emu.user_count() == 1u);
    BOOST_TEST(api.get(api.facts("/users/fresh1")).status == 404u);
    BOOST_TEST(api.get(api.facts("/users/fresh2")).status == 404u);
    BOOST_TEST(str(get_ok(api.facts("/users/taken")), "email") == "taken@x.com");
}

BOOST_FIXTURE_TEST_CASE(bulk_create_with_invalid_items_is_422_or_404_and_creates_nothing,
                        emulator_fixture) {
    seed_rbac();
    auto r =
        api.post(api.facts("/bulk/users"),
                 ops(json::array{json::object{{"key", "ok"}}, json::object{{"key", "bad key"}}}));
    PERMIT_CHECK_422(r, R"(["body","operations",1,"key"])", "value_error.str.regex");
    r = api.post(api.facts("/bulk/users"), json::object{{"users", json::array{}}});
    PERMIT_CHECK_422(r, R"(["body","operations"])", "value_error.missing");
    r = api.post(
        api.facts("/bulk/users"),
        ops(json::parse(R"([{"key":"ok"},{"key":"ok2","role_assignments":[{"role":"ghost"}]}])")
                .as_array()));
    PERMIT_CHECK_ERROR(r, 404, "NOT_FOUND");
    BOOST_TEST(emu.user_count() == 0u);
    BOOST_TEST(emu.role_assignment_count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(bulk_replace_upserts_users, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    const auto old =
        create_user("u1", {{"email", "old@x.com"}, {"attributes", json::object{{"a", 1}}}});
    create_user("keep");
    auto r = api.put(api.facts("/bulk/users"),
                     ops(json::parse(R"([{"key":"u1","first_name":"Replaced","attributes":{"b":2}},
                                         {"key":"u4","email":"u4@x.com",
                                          "role_assignments":[{"role":"editor","tenant":"acme"}]}])")
                             .as_array()));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));
    BOOST_TEST(emu.user_count() == 3u);

    const auto u1 = get_ok(api.facts("/users/u1"));
    BOOST_TEST(str(u1, "id") == str(old, "id"));
    BOOST_TEST(str(u1, "first_name") == "Replaced");
    BOOST_TEST(member(u1, "attributes") == json::parse(R"({"b":2})"));
    BOOST_TEST(absent_or_null(u1, "email"),
               "replaced, so the email it was not given is gone: " << u1);

    const auto u4 = get_ok(api.facts("/users/u4"));
    BOOST_TEST(str(u4, "email") == "u4@x.com");
    BOOST_TEST(assignments("user=u4") == std::vector<std::string>{"u4/editor/acme"});
    BOOST_TEST(allowed("u4", "read", "document", "acme"));
    BOOST_TEST(user_keys() == (std::vector<std::string>{"u1", "keep", "u4"}));
}

BOOST_FIXTURE_TEST_CASE(bulk_users_over_3000_is_422_and_changes_nothing, emulator_fixture) {
    create_user("existing");
    auto r = api.post(api.facts("/bulk/users"), ops(numbered_users(3001, "big-")));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(emu.user_count() == 1u);
    BOOST_TEST(total_users(*this) == 1);

    r = api.put(api.facts("/bulk/users"), ops(numbered_users(3001, "big-")));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(emu.user_count() == 1u);
    BOOST_TEST(total_users(*this) == 1);
}

BOOST_FIXTURE_TEST_CASE(bulk_users_of_exactly_3000_is_accepted, emulator_fixture) {
    auto r = api.post(api.facts("/bulk/users"), ops(numbered_users(3000, "big-")));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(emu.user_count() == 3000u);
    BOOST_TEST(total_users(*this) == 3000);
    BOOST_TEST(str(get_ok(api.facts("/users/big-2999")), "key") == "big-2999");

    r = api.put(api.facts("/bulk/users"), ops(numbered_users(3000, "big-")));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(emu.user_count() == 3000u);
}

BOOST_FIXTURE_TEST_CASE(bulk_delete_users_by_key_and_id_skipping_unknown, emulator_fixture) {
    seed_rbac();
    create_user("u1");
    const auto u2 = create_user("u2");
    create_user("u3");
    assign("u1", "viewer");
    assign("u3", "viewer");
    auto r = api.del(api.facts("/bulk/users"), json::value(idents({"u1", str(u2, "id"), "ghost"})));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));
    BOOST_TEST(user_keys() == std::vector<std::string>{"u3"});
    BOOST_TEST(api.get(api.facts("/users/u1")).status == 404u);
    BOOST_TEST(api.get(api.facts("/users/u2")).status == 404u);
    BOOST_TEST(assignments() == std::vector<std::string>{"u3/viewer/default"});

    // Nothing known: still 200.
    r = api.del(api.facts("/bulk/users"), json::value(idents({"ghost"})));
    PERMIT_CHECK_STATUS(r, 200);
    r = api.del(api.facts("/bulk/users"), json::value(json::object{{"keys", json::array{"u3"}}}));
    PERMIT_CHECK_422(r, R"(["body","idents"])", "value_error.missing");
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(bulk_create_tenants, emulator_fixture) {
    auto r = api.post(api.facts("/bulk/tenants"),
                      ops(json::parse(R"([{"key":"acme","name":"Acme","attributes":{"tier":"gold"}},
                                          {"key":"globex","name":"Globex","description":"Globex Corp"}])")
                              .as_array()));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));
    BOOST_TEST(pluck(get_ok(api.facts("/tenants"))) ==
               (std::vector<std::string>{"default", "acme", "globex"}));
    BOOST_TEST(member(get_ok(api.facts("/tenants/acme")), "attributes") ==
               json::parse(R"({"tier":"gold"})"));
    BOOST_TEST(str(get_ok(api.facts("/tenants/globex")), "description") == "Globex Corp");
    BOOST_TEST(emu.tenant_count() == 3u);
}

BOOST_FIXTURE_TEST_CASE(bulk_create_tenants_errors_change_nothing, emulator_fixture) {
    create_tenant("acme");
    auto r = api.post(api.facts("/bulk/tenants"),
                      ops(json::array{json::object{{"key", "new1"}, {"name", "N"}},
                                      json::object{{"key", "acme"}, {"name", "A"}}}));
    PERMIT_CHECK_ERROR(r, 409, "DUPLICATE_ENTITY");
    BOOST_TEST(str(body_json(r), "message").find("acme") != std::string::npos,
               "message: " << r.body);
    BOOST_TEST(api.get(api.facts("/tenants/new1")).status == 404u);

    r = api.post(api.facts("/bulk/tenants"), ops(json::array{json::object{{"key", "new2"}}}));
    PERMIT_CHECK_422(r, R"(["body","operations",0,"name"])", "value_error.missing");

    r = api.post(api.facts("/bulk/tenants"), ops(numbered_tenants(2001, "t-")));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(emu.tenant_count() == 2u);
    BOOST_TEST(member(get_ok(api.facts("/tenants?include_total_count=true")), "total_count") ==
               json::value(2));

    r = api.post(api.facts("/bulk/tenants"), ops(numbered_tenants(2000, "t-")));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(emu.tenant_count() == 2002u);
}

BOOST_FIXTURE_TEST_CASE(bulk_delete_tenants, emulator_fixture) {
    seed_rbac();
    create_tenant("acme");
    const auto globex = create_tenant("globex");
    create_tenant("initech");
    create_user("jane");
    assign("jane", "viewer", "acme");
    assign("jane", "viewer", "initech");
    auto r = api.del(api.facts("/bulk/tenants"),
                     json::value(idents({"acme", str(globex, "id"), "ghost"})));
    PERMIT_REQUIRE_STATUS(r, 200);
    BOOST_TEST(body_json(r) == json::value(json::object{}));
    BOOST_TEST(pluck(get_ok(api.facts("/tenants"))) ==
               (std::vector<std::string>{"default", "initech"}));
    BOOST_TEST(assignments() == std::vector<std::string>{"jane/viewer/initech"});
    r = api.del(api.facts("/bulk/tenants"), json::value(json::object{{"idents", "initech"}}));
    PERMIT_CHECK_422(r, R"(["body","idents"])", "type_error.list");
    BOOST_TEST(emu.tenant_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(bulk_deletes_over_their_limit_are_422_and_change_nothing,
                        emulator_fixture) {
    create_user("u1");
    create_tenant("acme");
    json::array user_idents{"u1"}, tenant_idents{"acme"};
    for (int i = 0; i < 3000; ++i) user_idents.push_back(json::value("ghost-" + std::to_string(i)));
    for (int i = 0; i < 2000; ++i)
        tenant_idents.push_back(json::value("ghost-" + std::to_string(i)));

    auto r = api.del(api.facts("/bulk/users"), json::value(json::object{{"idents", user_idents}}));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(emu.user_count() == 1u);

    r = api.del(api.facts("/bulk/tenants"), json::value(json::object{{"idents", tenant_idents}}));
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status == 422)
        BOOST_TEST(r.body.find("value_error.list.max_items") != std::string::npos,
                   "body: " << r.body.substr(0, 500));
    BOOST_TEST(emu.tenant_count() == 2u);

    // At the limit, they go through.
    user_idents.pop_back();
    tenant_idents.pop_back();
    PERMIT_CHECK_STATUS(
        api.del(api.facts("/bulk/users"), json::value(json::object{{"idents", user_idents}})), 200);
    PERMIT_CHECK_STATUS(
        api.del(api.facts("/bulk/tenants"), json::value(json::object{{"idents", tenant_idents}})),
        200);
    BOOST_TEST(emu.user_count() == 0u);
    BOOST_TEST(emu.tenant_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
