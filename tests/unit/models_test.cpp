// Models: JSON shape on the wire (what is written, what is left out) and reading server replies,
// including the error a caller sees when a reply does not fit.

#include <permit/models.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;

namespace {

// Spec example of UserRead (permitio/permit-dotnet `openapi.json`, UserRead.example).
constexpr const char* user_read_example = R"json(
{"id":"497f6eca-6276-4993-bfeb-53cbbbba6f08","organization_id":"7c60d51f-b44e-4682-87d6-449835ea4de6",
 "project_id":"405d8375-3514-403b-8c43-83ae74cfe0e9","environment_id":"40ef0e48-a11f-4963-a229-e396c9f7e7c4",
 "key":"user|892179821739812389327","email":"jane@coolcompany.com","created_at":"2019-08-24T14:15:22Z",
 "updated_at":"2019-08-24T14:15:22Z","first_name":"Jane","last_name":"Doe",
 "attributes":{"department":"marketing","age":30,"subscription":{"tier":"pro","expired":false}},
 "associated_tenants":[{"tenant":"stripe-inc","roles":["admin"],"status":"active"},
                       {"tenant":"othercompany.com","roles":["viewer"],"status":"pending"}],
 "roles":[{"role":"admin","tenant":"stripe-inc"},{"role":"viewer","tenant":"othercompany.com"}]}
)json";

// 404 example from https://docs.permit.io/api/background-tasks.
constexpr const char* not_found_example = R"json(
{"id":"adf8f4e3-5e01-4140-b512-142533007edd","error_code":"NOT_FOUND",
 "title":"We could not find the requested object/s",
 "message":"The requested data could not be found, we could not find 'Environment' with the given filters. Please try again with different filters.\nIf you are sure there is an object with the given filters, contact our support on Slack for further guidance.",
 "support_link":"https://permit-io.slack.com/ssb/redirec"}
)json";

template <class T>
T round_trip(const T& v) {
    return json::value_to<T>(json::value_from(v));
}

const json::object& as_obj(const json::value& v) {
    return v.as_object();
}

// Runs `f`, expects a model_error, and returns it for inspection.
template <class F>
permit::model_error expect_model_error(F&& f) {
    try {
        f();
    } catch (const permit::model_error& e) {
        return e;
    }
    BOOST_FAIL("expected permit::model_error");
    throw;  // unreachable
}

permit::user sample_user() {
    return {.key = "jane",
            .id = "u-1",
            .organization_id = "o-1",
            .project_id = "p-1",
            .environment_id = "e-1",
            .associated_tenants = {{.tenant = "acme",
                                    .roles = {"admin", "viewer"},
                                    .status = "active",
                                    .resource_instance_roles = {{.resource_instance = "doc:1",
                                                                 .resource = "doc",
                                                                 .role = "owner"}}}},
            .roles = {{.role = "admin", .tenant = "acme"}},
            .created_at = "2024-01-01T00:00:00Z",
            .updated_at = "2024-01-02T00:00:00Z",
            .email = "jane@example.com",
            .first_name = std::nullopt,
            .last_name = "Doe",
            .attributes = {{"age", 30}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

// ---------------------------------------------------------------- users

BOOST_AUTO_TEST_CASE(user_create_leaves_out_unset_and_empty_fields) {
    const permit::user_create u{.key = "jane"};
    const json::value jv = json::value_from(u);
    const auto& o = as_obj(jv);
    BOOST_TEST(o.size() == 1u);
    BOOST_TEST(o.at("key").as_string() == "jane");
    BOOST_TEST(!o.contains("email"));
    BOOST_TEST(!o.contains("first_name"));
    BOOST_TEST(!o.contains("attributes"));
    BOOST_TEST(!o.contains("role_assignments"));
}

BOOST_AUTO_TEST_CASE(user_create_writes_set_fields_and_round_trips) {
    const permit::user_create u{
        .key = "user|42@x.io",
        .email = "jane@example.com",
        .first_name = "Jane",
        .last_name = "Doe",
        .attributes = {{"dept", "eng"}},
        .role_assignments = {{.role = "admin", .tenant = "acme"},
                             {.role = "owner", .resource_instance = "doc:1"}}};
    const json::value jv = json::value_from(u);
    const auto& o = as_obj(jv);
    BOOST_TEST(o.at("email").as_string() == "jane@example.com");
    BOOST_TEST(o.at("attributes").as_object().at("dept").as_string() == "eng");
    const auto& ra = o.at("role_assignments").as_array();
    BOOST_TEST(ra.size() == 2u);
    BOOST_TEST(ra[0].as_object().at("tenant").as_string() == "acme");
    BOOST_TEST(!ra[0].as_object().contains("resource_instance"));
    BOOST_TEST(!ra[1].as_object().contains("tenant"));
    BOOST_TEST(ra[1].as_object().at("resource_instance").as_string() == "doc:1");

    const auto back = json::value_to<permit::user_create>(jv);
    BOOST_TEST(back.key == u.key);
    BOOST_TEST(back.first_name.value_or("") == "Jane");
    BOOST_TEST((back == u));
}

BOOST_AUTO_TEST_CASE(user_update_writes_only_set_fields) {
    const permit::user_update empty{};
    BOOST_TEST(as_obj(json::value_from(empty)).empty());

    // An empty attributes object is a real value in a PATCH (it clears them), so it is sent.
    const permit::user_update u{.first_name = "Janet", .attributes = json::object{}};
    const json::value jv = json::value_from(u);
    const auto& o = as_obj(jv);
    BOOST_TEST(o.size() == 2u);
    BOOST_TEST(o.at("first_name").as_string() == "Janet");
    BOOST_TEST(o.at("attributes").as_object().empty());
    BOOST_TEST(!o.contains("email"));
    BOOST_TEST(!o.contains("last_name"));
    BOOST_TEST((round_trip(u) == u));
}

BOOST_AUTO_TEST_CASE(user_update_reads_null_as_unset) {
    const auto u = json::value_to<permit::user_update>(
        json::parse(R"({"email":null,"attributes":null,"last_name":"D"})"));
    BOOST_TEST(!u.email.has_value());
    BOOST_TEST(!u.attributes.has_value());
    BOOST_TEST(u.last_name.value_or("") == "D");
}

BOOST_AUTO_TEST_CASE(user_role_remove_requires_tenant) {
    const permit::user_role_remove r{.role = "admin", .tenant = "acme"};
    const json::value jv = json::value_from(r);
    BOOST_TEST(as_obj(jv).at("tenant").as_string() == "acme");
    BOOST_TEST(!as_obj(jv).contains("resource_instance"));
    BOOST_TEST((round_trip(r) == r));
    const auto e = expect_model_error(
        [] { json::value_to<permit::user_role_remove>(json::parse(R"({"role":"admin"})")); });
    BOOST_TEST(e.field() == "tenant");
}

BOOST_AUTO_TEST_CASE(user_read_spec_example) {
    const auto u = json::value_to<permit::user>(json::parse(user_read_example));
    BOOST_TEST(u.key == "user|892179821739812389327");
    BOOST_TEST(u.id == "497f6eca-6276-4993-bfeb-53cbbbba6f08");
    BOOST_TEST(u.environment_id == "40ef0e48-a11f-4963-a229-e396c9f7e7c4");
    BOOST_TEST(u.email.value_or("") == "jane@coolcompany.com");
    BOOST_TEST(u.first_name.value_or("") == "Jane");
    BOOST_TEST(u.created_at == "2019-08-24T14:15:22Z");

    BOOST_TEST_REQUIRE(u.associated_tenants.size() == 2u);
    BOOST_TEST(u.associated_tenants[0].tenant == "stripe-inc");
    BOOST_TEST(u.associated_tenants[0].roles == std::vector<std::string>{"admin"});
    BOOST_TEST(u.associated_tenants[0].status == "active");
    BOOST_TEST(u.associated_tenants[1].tenant == "othercompany.com");
    BOOST_TEST(u.associated_tenants[1].status == "pending");
    BOOST_TEST(u.associated_tenants[1].resource_instance_roles.empty());

    BOOST_TEST_REQUIRE(u.roles.size() == 2u);
    BOOST_TEST(u.roles[1].role == "viewer");
    BOOST_TEST(u.roles[1].tenant == "othercompany.com");

    BOOST_TEST(u.attributes.at("age").as_int64() == 30);
    BOOST_TEST(u.attributes.at("subscription").at("tier").as_string() == "pro");
    BOOST_TEST(u.attributes.at("subscription").at("expired").as_bool() == false);
}

BOOST_AUTO_TEST_CASE(user_read_round_trip_and_defaults) {
    const auto u = sample_user();
    const json::value jv = json::value_from(u);
    BOOST_TEST(!as_obj(jv).contains("first_name"));
    BOOST_TEST(as_obj(jv).at("last_name").as_string() == "Doe");
    BOOST_TEST((round_trip(u) == u));

    // Arrays and attributes have spec defaults; a minimal reply reads them as empty.
    const auto minimal = json::value_to<permit::user>(json::parse(
        R"({"key":"k","id":"i","organization_id":"o","project_id":"p","environment_id":"e",
            "created_at":"c","updated_at":"u","email":null})"));
    BOOST_TEST(minimal.associated_tenants.empty());
    BOOST_TEST(minimal.roles.empty());
    BOOST_TEST(minimal.attributes.empty());
    BOOST_TEST(!minimal.email.has_value());
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
    json::value jv = json::parse(user_read_example);
    jv.as_object()["brand_new_field"] = json::array{1, 2};
    jv.as_object()["associated_tenants"].as_array()[0].as_object()["extra"] = "x";
    const auto u = json::value_to<permit::user>(jv);
    BOOST_TEST(u.key == "user|892179821739812389327");
    BOOST_TEST(u.associated_tenants.size() == 2u);
}

BOOST_AUTO_TEST_CASE(missing_required_field_names_it) {
    json::value jv = json::parse(user_read_example);
    jv.as_object().erase("key");
    const auto e = expect_model_error([&] { json::value_to<permit::user>(jv); });
    BOOST_TEST(e.field() == "key");
    BOOST_TEST(e.model() == "user");
    BOOST_TEST(std::string(e.what()) == "user: missing required field 'key'");
}

BOOST_AUTO_TEST_CASE(missing_nested_field_reports_full_path) {
    json::value jv = json::parse(user_read_example);
    jv.at("associated_tenants").as_array()[0].as_object().erase("roles");
    const auto e = expect_model_error([&] { json::value_to<permit::user>(jv); });
    BOOST_TEST(e.field() == "associated_tenants[0].roles");
    BOOST_TEST(std::string(e.what()) ==
               "user: missing required field 'associated_tenants[0].roles'");

    json::value jv2 = json::parse(user_read_example);
    jv2.at("associated_tenants").as_array()[1].as_object()["tenant"] = 7;
    const auto e2 = expect_model_error([&] { json::value_to<permit::user>(jv2); });
    BOOST_TEST(e2.field() == "associated_tenants[1].tenant");
    BOOST_TEST((e2.error_kind() == permit::model_error::kind::wrong_type));
}

BOOST_AUTO_TEST_CASE(wrong_type_throws) {
    json::value jv = json::parse(user_read_example);
    jv.as_object()["email"] = 42;
    const auto e = expect_model_error([&] { json::value_to<permit::user>(jv); });
    BOOST_TEST(e.field() == "email");
    BOOST_TEST(std::string(e.what()) == "user: field 'email' must be a string");

    // Array element of the wrong type.
    json::value jv2 = json::parse(user_read_example);
    jv2.at("associated_tenants").as_array()[0].as_object()["roles"] = json::array{"admin", true};
    const auto e2 = expect_model_error([&] { json::value_to<permit::user>(jv2); });
    BOOST_TEST(e2.field() == "associated_tenants[0].roles[1]");

    // A required field sent as null is a type error, not a silent default.
    json::value jv3 = json::parse(user_read_example);
    jv3.as_object()["id"] = nullptr;
    BOOST_TEST(expect_model_error([&] { json::value_to<permit::user>(jv3); }).field() == "id");

    // Not an object at all.
    const auto e4 = expect_model_error([] { json::value_to<permit::user>(json::parse("[1,2]")); });
    BOOST_TEST(e4.field().empty());
    BOOST_TEST((e4.error_kind() == permit::model_error::kind::wrong_type));

    // attributes must be an object.
    json::value jv5 = json::parse(user_read_example);
    jv5.as_object()["attributes"] = "nope";
    BOOST_TEST(expect_model_error([&] { json::value_to<permit::user>(jv5); }).field() ==
               "attributes");
}

// ---------------------------------------------------------------- tenants

BOOST_AUTO_TEST_CASE(tenant_models) {
    const permit::tenant_create c{.key = "acme", .name = "Acme"};
    const json::value cj = json::value_from(c);
    BOOST_TEST(as_obj(cj).size() == 2u);
    BOOST_TEST(!as_obj(cj).contains("description"));
    BOOST_TEST(!as_obj(cj).contains("attributes"));
    const permit::tenant_create c2{
        .key = "acme", .name = "Acme", .description = "d", .attributes = {{"tier", "gold"}}};
    BOOST_TEST((round_trip(c2) == c2));

    const permit::tenant_update u{.description = "new"};
    const json::value uj = json::value_from(u);
    BOOST_TEST(as_obj(uj).size() == 1u);
    BOOST_TEST(as_obj(uj).at("description").as_string() == "new");

    const auto t = json::value_to<permit::tenant>(json::parse(
        R"({"id":"t1","organization_id":"o","project_id":"p","environment_id":"e",
            "created_at":"2019-08-24T14:15:22Z","updated_at":"u","last_action_at":"l",
            "key":"stripeinc","name":"Stripe Inc","description":null,
            "attributes":{"allowed_locations":["US","CA"]}})"));
    BOOST_TEST(t.key == "stripeinc");
    BOOST_TEST(t.last_action_at == "l");
    BOOST_TEST(!t.description.has_value());
    BOOST_TEST(t.attributes.at("allowed_locations").as_array().size() == 2u);
    BOOST_TEST((round_trip(t) == t));

    json::value missing = json::value_from(t);
    missing.as_object().erase("last_action_at");
    BOOST_TEST(expect_model_error([&] { json::value_to<permit::tenant>(missing); }).field() ==
               "last_action_at");
}

// ---------------------------------------------------------------- role assignments and bulk

BOOST_AUTO_TEST_CASE(role_assignment_models) {
    const permit::role_assignment_create c{.user = "jane", .role = "admin", .tenant = "acme"};
    const json::value cj = json::value_from(c);
    BOOST_TEST(as_obj(cj).size() == 3u);
    BOOST_TEST(!as_obj(cj).contains("resource_instance"));
    BOOST_TEST((round_trip(c) == c));

    const permit::role_assignment_remove r{.user = "jane", .role = "admin", .tenant = "acme"};
    BOOST_TEST(as_obj(json::value_from(r)).size() == 3u);
    BOOST_TEST((round_trip(r) == r));

    const permit::role_assignment ra{.id = "ra1",
                                     .user = "jane",
                                     .role = "admin",
                                     .tenant = "acme",
                                     .user_id = "u1",
                                     .role_id = "r1",
                                     .tenant_id = "t1",
                                     .organization_id = "o",
                                     .project_id = "p",
                                     .environment_id = "e",
                                     .created_at = "c"};
    const json::value raj = json::value_from(ra);
    BOOST_TEST(!as_obj(raj).contains("resource_instance_id"));
    BOOST_TEST((round_trip(ra) == ra));
    json::value no_tenant_id = raj;
    no_tenant_id.as_object().erase("tenant_id");
    BOOST_TEST(expect_model_error([&] {
                   json::value_to<permit::role_assignment>(no_tenant_id);
               }).field() == "tenant_id");

    BOOST_TEST(json::value_to<permit::bulk_role_assignment_report>(json::parse("{}"))
                   .assignments_created == 0);
    BOOST_TEST(json::value_to<permit::bulk_role_assignment_report>(
                   json::parse(R"({"assignments_created":7})"))
                   .assignments_created == 7);
    BOOST_TEST(json::value_to<permit::bulk_role_unassignment_report>(
                   json::parse(R"({"assignments_removed":3})"))
                   .assignments_removed == 3);
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::bulk_role_unassignment_report>(
                       json::parse(R"({"assignments_removed":1.5})"));
               }).field() == "assignments_removed");
}

BOOST_AUTO_TEST_CASE(bulk_operations) {
    const permit::user_bulk_operation ub{
        .operations = {{.key = "a"}, {.key = "b", .email = "b@x.io"}}};
    const json::value uj = json::value_from(ub);
    const auto& ops = as_obj(uj).at("operations").as_array();
    BOOST_TEST(ops.size() == 2u);
    BOOST_TEST(!ops[0].as_object().contains("email"));
    BOOST_TEST((round_trip(ub) == ub));

    // Required lists are written even when empty.
    BOOST_TEST(
        as_obj(json::value_from(permit::bulk_delete_operation{})).at("idents").as_array().empty());
    const auto del = json::value_to<permit::bulk_delete_operation>(
        json::parse(R"({"idents":["jane_doe","john_doe"]})"));
    BOOST_TEST(del.idents == (std::vector<std::string>{"jane_doe", "john_doe"}));

    const auto e = expect_model_error([] {
        json::value_to<permit::tenant_bulk_operation>(
            json::parse(R"({"operations":[{"key":"a","name":"A"},{"key":"b"}]})"));
    });
    BOOST_TEST(e.field() == "operations[1].name");
    BOOST_TEST(std::string(e.what()) ==
               "tenant_bulk_operation: missing required field 'operations[1].name'");
}

// ---------------------------------------------------------------- roles and resources

BOOST_AUTO_TEST_CASE(role_models) {
    const permit::role_create c{.key = "editor", .name = "Editor"};
    const json::value cj = json::value_from(c);
    BOOST_TEST(as_obj(cj).size() == 2u);
    BOOST_TEST(!as_obj(cj).contains("permissions"));
    BOOST_TEST(!as_obj(cj).contains("extends"));
    const permit::role_create c2{.key = "editor",
                                 .name = "Editor",
                                 .permissions = {"doc:read", "doc:write"},
                                 .extends = {"viewer"}};
    BOOST_TEST(as_obj(json::value_from(c2)).at("extends").as_array().size() == 1u);
    BOOST_TEST((round_trip(c2) == c2));

    // An update that clears permissions must send the empty list.
    const permit::role_update u{.permissions = std::vector<std::string>{}};
    const json::value uj = json::value_from(u);
    BOOST_TEST(as_obj(uj).size() == 1u);
    BOOST_TEST(as_obj(uj).at("permissions").as_array().empty());
    BOOST_TEST((round_trip(u) == u));

    const auto r = json::value_to<permit::role>(json::parse(
        R"({"key":"editor","name":"Editor","id":"r1","organization_id":"o","project_id":"p",
            "environment_id":"e","created_at":"c","updated_at":"u","permissions":["doc:read"],
            "granted_to":{}})"));
    BOOST_TEST(r.permissions == std::vector<std::string>{"doc:read"});
    BOOST_TEST(r.extends.empty());
    BOOST_TEST((round_trip(r) == r));

    const permit::role_permissions p{.permissions = {"doc:read"}};
    BOOST_TEST((round_trip(p) == p));
}

BOOST_AUTO_TEST_CASE(resource_models) {
    const permit::resource_create empty_actions{.key = "doc", .name = "Document"};
    const json::value ej = json::value_from(empty_actions);
    BOOST_TEST(as_obj(ej).at("actions").as_object().empty());  // required: written even empty
    BOOST_TEST(!as_obj(ej).contains("urn"));

    const permit::resource_create c{
        .key = "doc",
        .name = "Document",
        .actions = {{"read", {}}, {"write", {.name = "Write", .attributes = {{"x", 1}}}}}};
    const json::value cj = json::value_from(c);
    BOOST_TEST(as_obj(cj).at("actions").at("read").as_object().empty());
    BOOST_TEST(as_obj(cj).at("actions").at("write").at("name").as_string() == "Write");
    BOOST_TEST((round_trip(c) == c));

    const auto no_actions = expect_model_error([] {
        json::value_to<permit::resource_create>(json::parse(R"({"key":"doc","name":"D"})"));
    });
    BOOST_TEST(no_actions.field() == "actions");

    const auto bad_action = expect_model_error([] {
        json::value_to<permit::resource_replace>(
            json::parse(R"({"name":"D","actions":{"read":{"name":5}}})"));
    });
    BOOST_TEST(bad_action.field() == "actions.read.name");

    const permit::resource_update u{.urn = "urn:doc"};
    BOOST_TEST(as_obj(json::value_from(u)).size() == 1u);
    BOOST_TEST((round_trip(u) == u));

    const auto r = json::value_to<permit::resource>(json::parse(
        R"({"key":"doc","id":"r1","organization_id":"o","project_id":"p","environment_id":"e",
            "created_at":"c","updated_at":"u","name":"Document",
            "actions":{"read":{"id":"a1","key":"read","name":"Read"}},"roles":{},"relations":{}})"));
    BOOST_TEST_REQUIRE(r.actions.count("read") == 1u);
    BOOST_TEST(r.actions.at("read").id == "a1");
    BOOST_TEST(r.actions.at("read").name.value_or("") == "Read");
    BOOST_TEST(!r.actions.at("read").description.has_value());
    BOOST_TEST((round_trip(r) == r));
    const auto missing_id = expect_model_error([] {
        json::value_to<permit::resource>(json::parse(
            R"({"key":"doc","id":"r1","organization_id":"o","project_id":"p","environment_id":"e",
                "created_at":"c","updated_at":"u","name":"D","actions":{"read":{}}})"));
    });
    BOOST_TEST(missing_id.field() == "actions.read.id");
}

BOOST_AUTO_TEST_CASE(api_key_scope_levels) {
    const auto env = json::value_to<permit::api_key_scope>(
        json::parse(R"({"organization_id":"o","project_id":"p","environment_id":"e"})"));
    BOOST_TEST(env.project_id.value_or("") == "p");
    BOOST_TEST(env.environment_id.value_or("") == "e");
    const auto org = json::value_to<permit::api_key_scope>(
        json::parse(R"({"organization_id":"o","project_id":null})"));
    BOOST_TEST(!org.project_id.has_value());
    BOOST_TEST(!org.environment_id.has_value());
    BOOST_TEST(as_obj(json::value_from(org)).size() == 1u);
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::api_key_scope>(json::parse("{}"));
               }).field() == "organization_id");
}

// ---------------------------------------------------------------- pages

BOOST_AUTO_TEST_CASE(decode_list_envelope) {
    const auto p = permit::decode_list<permit::role_assignment_create>(json::parse(
        R"({"data":[{"user":"a","role":"r"},{"user":"b","role":"r"}],"total_count":12,
            "page_count":6})"));
    BOOST_TEST(p.data.size() == 2u);
    BOOST_TEST(p.data[1].user == "b");
    BOOST_TEST(p.total_count == 12);
    BOOST_TEST(p.page_count == 6);

    const auto no_page_count = permit::decode_list<permit::role_assignment_create>(
        json::parse(R"({"data":[],"total_count":0})"));
    BOOST_TEST(no_page_count.page_count == 0);

    const auto e = expect_model_error([] {
        permit::decode_list<permit::role_assignment_create>(
            json::parse(R"({"data":[{"user":"a"}],"total_count":1})"));
    });
    BOOST_TEST(e.field() == "data[0].role");
    BOOST_TEST(expect_model_error([] {
                   permit::decode_list<permit::role_assignment_create>(
                       json::parse(R"({"data":[]})"));
               }).field() == "total_count");
}

BOOST_AUTO_TEST_CASE(decode_list_bare_array) {
    const auto p = permit::decode_list<permit::role_assignment_create>(json::parse(
        R"([{"user":"a","role":"r"},{"user":"b","role":"r"},{"user":"c","role":"r"}])"));
    BOOST_TEST(p.data.size() == 3u);
    BOOST_TEST(p.data[2].user == "c");
    BOOST_TEST(p.total_count == 3);
    BOOST_TEST(p.page_count == 1);

    const auto empty = permit::decode_list<permit::role_assignment_create>(json::parse("[]"));
    BOOST_TEST(empty.total_count == 0);
    BOOST_TEST(empty.page_count == 0);

    BOOST_TEST(expect_model_error([] {
                   permit::decode_list<permit::role_assignment_create>(
                       json::parse(R"([{"user":"a","role":"r"},{"role":"r"}])"));
               }).field() == "[1].user");
    const auto not_a_list = expect_model_error(
        [] { permit::decode_list<permit::role_assignment_create>(json::parse("\"x\"")); });
    BOOST_TEST((not_a_list.error_kind() == permit::model_error::kind::wrong_type));
    BOOST_TEST(std::string(not_a_list.what()) == "page: value must be an array or an object");
}

BOOST_AUTO_TEST_CASE(page_round_trip) {
    const permit::page<permit::tenant_create> p{
        .data = {{.key = "a", .name = "A"}}, .total_count = 40, .page_count = 2};
    const json::value jv = json::value_from(p);
    BOOST_TEST(as_obj(jv).at("total_count").as_int64() == 40);
    BOOST_TEST(as_obj(jv).at("page_count").as_int64() == 2);
    BOOST_TEST((round_trip(p) == p));
}

// ---------------------------------------------------------------- PDP

BOOST_AUTO_TEST_CASE(check_query_always_writes_context) {
    const permit::check_query q{.user = {.key = "jane"},
                                .action = "read",
                                .resource = {.type = "document", .tenant = "default"}};
    const json::value jv = json::value_from(q);
    const auto& o = as_obj(jv);
    BOOST_TEST_REQUIRE(o.contains("context"));
    BOOST_TEST(o.at("context").as_object().empty());
    BOOST_TEST(o.at("action").as_string() == "read");
    const auto& user = o.at("user").as_object();
    BOOST_TEST(user.size() == 1u);  // no names, no empty attributes
    const auto& res = o.at("resource").as_object();
    BOOST_TEST(res.at("tenant").as_string() == "default");
    BOOST_TEST(!res.contains("key"));
    BOOST_TEST(!res.contains("attributes"));
    BOOST_TEST(!res.contains("context"));
    BOOST_TEST((round_trip(q) == q));

    const permit::check_query full{
        .user = {.key = "jane", .first_name = "Jane", .email = "j@x.io", .attributes = {{"a", 1}}},
        .action = "read",
        .resource = {.type = "document",
                     .key = "doc1",
                     .tenant = "default",
                     .context = {{"tenant", "default"}}},
        .context = {{"k", "v"}}};
    const json::value fj = json::value_from(full);
    BOOST_TEST(fj.at("user").at("first_name").as_string() == "Jane");
    BOOST_TEST(!fj.at("user").as_object().contains("firstName"));
    BOOST_TEST(fj.at("resource").at("context").at("tenant").as_string() == "default");
    BOOST_TEST((round_trip(full) == full));
}

BOOST_AUTO_TEST_CASE(check_user_reads_camel_case_names) {
    const auto u = json::value_to<permit::check_user>(
        json::parse(R"({"key":"jane","firstName":"Jane","lastName":"Doe"})"));
    BOOST_TEST(u.first_name.value_or("") == "Jane");
    BOOST_TEST(u.last_name.value_or("") == "Doe");
    const auto snake = json::value_to<permit::check_user>(
        json::parse(R"({"key":"jane","first_name":"J","firstName":"Other"})"));
    BOOST_TEST(snake.first_name.value_or("") == "J");
    BOOST_TEST(!snake.last_name.has_value());
}

BOOST_AUTO_TEST_CASE(check_result_forms) {
    BOOST_TEST(json::value_to<permit::check_result>(json::parse(R"({"allow":true})")).allow);
    BOOST_TEST(
        !json::value_to<permit::check_result>(json::parse(R"({"allow":false,"result":true})"))
             .allow);
    BOOST_TEST(
        json::value_to<permit::check_result>(json::parse(R"({"result":{"allow":true}})")).allow);
    BOOST_TEST(
        !json::value_to<permit::check_result>(json::parse(R"({"result":{"allow":false}})")).allow);

    const json::value written = json::value_from(permit::check_result{.allow = true});
    BOOST_TEST(written.at("allow").as_bool());
    BOOST_TEST(written.at("result").as_bool());

    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::check_result>(json::parse("{}"));
               }).field() == "allow");
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::check_result>(json::parse(R"({"result":{}})"));
               }).field() == "result.allow");
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::check_result>(json::parse(R"({"allow":"yes"})"));
               }).field() == "allow");
}

BOOST_AUTO_TEST_CASE(bulk_check_result_forms) {
    const auto plain = json::value_to<permit::bulk_check_result>(
        json::parse(R"({"allow":[{"allow":true,"result":true},{"allow":false,"result":false}]})"));
    BOOST_TEST_REQUIRE(plain.allow.size() == 2u);
    BOOST_TEST(plain.allow[0].allow);
    BOOST_TEST(!plain.allow[1].allow);

    const auto opa = json::value_to<permit::bulk_check_result>(
        json::parse(R"({"result":{"allow":[{"allow":false},{"allow":true},{"allow":true}]}})"));
    BOOST_TEST_REQUIRE(opa.allow.size() == 3u);
    BOOST_TEST(!opa.allow[0].allow);
    BOOST_TEST(opa.allow[2].allow);

    const permit::bulk_check_result r{.allow = {{.allow = true}, {.allow = false}}};
    BOOST_TEST((round_trip(r) == r));
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::bulk_check_result>(
                       json::parse(R"({"allow":[{"allow":true},{}]})"));
               }).field() == "allow[1].allow");
}

BOOST_AUTO_TEST_CASE(user_permissions_query_filters) {
    const permit::user_permissions_query q{.user = {.key = "jane"},
                                           .resource_types = std::vector<std::string>{"__tenant"}};
    const json::value jv = json::value_from(q);
    BOOST_TEST(!as_obj(jv).contains("tenants"));
    BOOST_TEST(!as_obj(jv).contains("resources"));
    BOOST_TEST(as_obj(jv).at("resource_types").as_array().size() == 1u);
    BOOST_TEST((round_trip(q) == q));

    // The Python SDK sends unused filters as explicit nulls.
    const auto read = json::value_to<permit::user_permissions_query>(json::parse(
        R"({"user":{"key":"jane"},"tenants":null,"resources":["doc:1"],"resource_types":null,
            "context":{"enable_abac_user_permissions":true}})"));
    BOOST_TEST(!read.tenants.has_value());
    BOOST_TEST(!read.resource_types.has_value());
    BOOST_TEST(read.resources.value_or(std::vector<std::string>{}) ==
               std::vector<std::string>{"doc:1"});
    BOOST_TEST(read.context.at("enable_abac_user_permissions").as_bool());
}

BOOST_AUTO_TEST_CASE(user_permissions_both_forms) {
    constexpr const char* plain_text = R"json(
        {"document:doc1":{"resource":{"key":"doc1","type":"document","attributes":{}},
                          "permissions":["document:read","document:write"],"roles":["editor"]},
         "__tenant:default":{"tenant":{"key":"default","attributes":{"plan":"pro"}},
                             "permissions":["document:read"]}})json";
    const auto plain = permit::decode_user_permissions(json::parse(plain_text));
    BOOST_TEST_REQUIRE(plain.size() == 2u);
    const auto& doc = plain.at("document:doc1");
    BOOST_TEST_REQUIRE(doc.resource.has_value());
    BOOST_TEST(doc.resource->type == "document");
    BOOST_TEST(!doc.tenant.has_value());
    BOOST_TEST(doc.permissions.size() == 2u);
    BOOST_TEST(doc.roles.value_or(std::vector<std::string>{}) ==
               std::vector<std::string>{"editor"});
    const auto& ten = plain.at("__tenant:default");
    BOOST_TEST_REQUIRE(ten.tenant.has_value());
    BOOST_TEST(ten.tenant->attributes.at("plan").as_string() == "pro");
    BOOST_TEST(!ten.roles.has_value());

    json::value opa =
        json::object{{"result", json::object{{"permissions", json::parse(plain_text)}}}};
    const auto from_opa = permit::decode_user_permissions(opa);
    BOOST_TEST((from_opa == plain));

    // Writing goes through the element conversion; unset optionals stay out.
    const json::value written = json::value_from(plain);
    BOOST_TEST(!written.at("__tenant:default").as_object().contains("roles"));
    BOOST_TEST(!written.at("__tenant:default").as_object().contains("resource"));
    BOOST_TEST((permit::decode_user_permissions(written) == plain));

    BOOST_TEST(expect_model_error([] {
                   permit::decode_user_permissions(
                       json::parse(R"({"doc:1":{"permissions":"doc:read"}})"));
               }).field() == "doc:1.permissions");
    BOOST_TEST(expect_model_error([] {
                   permit::decode_user_permissions(json::parse(
                       R"({"result":{"permissions":{"doc:1":{"resource":{"type":"doc"}}}}})"));
               }).field() == "result.permissions.doc:1.resource.key");
}

// ---------------------------------------------------------------- error bodies

BOOST_AUTO_TEST_CASE(error_details_from_404_example) {
    const auto e = json::value_to<permit::error_details>(json::parse(not_found_example));
    BOOST_TEST(e.id == "adf8f4e3-5e01-4140-b512-142533007edd");
    BOOST_TEST(e.error_code == "NOT_FOUND");
    BOOST_TEST(e.title == "We could not find the requested object/s");
    BOOST_TEST(e.message.starts_with("The requested data could not be found"));
    BOOST_TEST(e.message.find('\n') != std::string::npos);
    BOOST_TEST(e.support_link.value_or("") == "https://permit-io.slack.com/ssb/redirec");
    BOOST_TEST(!e.additional_info.has_value());
    BOOST_TEST((round_trip(e) == e));

    const auto minimal = json::value_to<permit::error_details>(json::parse(
        R"({"id":"i","title":"t","error_code":"DUPLICATE_ENTITY","type":"api_error",
            "additional_info":{"k":[1]}})"));
    BOOST_TEST(minimal.message == "");
    BOOST_TEST(!minimal.support_link.has_value());
    BOOST_TEST_REQUIRE(minimal.additional_info.has_value());
    BOOST_TEST(minimal.additional_info->at("k").as_array().size() == 1u);

    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::error_details>(json::parse(R"({"id":"i","title":"t"})"));
               }).field() == "error_code");
    // FastAPI's {"detail": "..."} is not an ErrorDetails; the caller falls back on this error.
    BOOST_CHECK_THROW(
        json::value_to<permit::error_details>(json::parse(R"({"detail":"Not authenticated"})")),
        permit::model_error);
}

BOOST_AUTO_TEST_CASE(validation_error_from_422_example) {
    const auto v = json::value_to<permit::validation_error>(json::parse(
        R"({"detail":[{"loc":["body","key"],"msg":"field required","type":"value_error.missing"},
                      {"loc":["query","per_page"],"msg":"too big","type":"value_error"},
                      {"loc":["body","operations",3,"key"],"msg":"m","type":"t"}]})"));
    BOOST_TEST_REQUIRE(v.detail.size() == 3u);
    BOOST_TEST(v.detail[0].msg == "field required");
    BOOST_TEST(v.detail[0].type == "value_error.missing");
    BOOST_TEST(permit::format_loc(v.detail[0].loc) == "body -> key");
    BOOST_TEST(permit::format_loc(v.detail[1].loc) == "query -> per_page");
    BOOST_TEST(permit::format_loc(v.detail[2].loc) == "body -> operations -> 3 -> key");
    BOOST_TEST(permit::format_loc(json::array{}) == "");
    BOOST_TEST((round_trip(v) == v));

    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::validation_error>(
                       json::parse(R"({"detail":"Not authenticated"})"));
               }).field() == "detail");
    BOOST_TEST(expect_model_error([] {
                   json::value_to<permit::validation_error>(
                       json::parse(R"({"detail":[{"loc":"body","msg":"m","type":"t"}]})"));
               }).field() == "detail[0].loc");
}

BOOST_AUTO_TEST_SUITE_END()
