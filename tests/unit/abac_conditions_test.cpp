// The emulator's ABAC condition language without a server (abac_conditions.hpp): a table of
// operator semantics (each operator on each relevant type, a missing attribute, a wrong type),
// the examples of Permit's docs and SDK tests, each named after its source, and a table of
// validation cases.
#include <optional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/detail/abac_conditions.hpp>

namespace abac_conditions_test {

namespace json = boost::json;
namespace abac = permit::testing::detail::abac;

/// One evaluation: `conditions` against `attributes` should give `expected`.
struct eval_row {
    const char* name;
    const char* conditions;
    bool expected;
    const char* attributes = nullptr;  // null: `common_attributes`
};

/// The attributes most rows are evaluated against.
constexpr const char* common_attributes = R"({
    "user": {
        "key": "u1", "name": "alice", "age": 30, "score": 1.0, "active": true, "nothing": null,
        "roles": ["admin", "editor"], "nums": [1, 2],
        "address": {"city": "Paris", "zip": "75001"},
        "org": {"country": "US", "subscription": "pro"},
        "orgs": [{"country": "US", "subscription": "pro"},
                 {"country": "IN", "subscription": "enterprise"}]
    },
    "resource": {"type": "doc", "owner": "u1", "level": "17", "labels": ["a", "b"], "empty": []},
    "tenant": {"plan": "gold"},
    "context": {"hour": 10, "country": "US", "letters": "li", "role": "editor"}
})";

void run(const std::vector<eval_row>& rows) {
    for (const auto& row : rows) {
        BOOST_TEST_CONTEXT(row.name) {
            const auto conditions = json::parse(row.conditions);
            const auto attributes =
                json::parse(row.attributes ? row.attributes : common_attributes).as_object();
            BOOST_TEST(abac::evaluate(conditions, attributes) == row.expected);
            // Every row is written in the language: what evaluates must also validate, except
            // the rows about malformed or unknown input.
            const std::string name = row.name;
            if (name.find("malformed") == std::string::npos &&
                name.find("unknown") == std::string::npos) {
                BOOST_TEST(abac::validate(conditions).empty());
            }
        }
    }
}

}  // namespace abac_conditions_test

BOOST_AUTO_TEST_SUITE(abac_conditions)

namespace abac = permit::testing::detail::abac;
namespace json = boost::json;
using abac_conditions_test::eval_row;
using abac_conditions_test::run;

BOOST_AUTO_TEST_CASE(equality_is_type_strict_with_numbers_by_value) {
    run({
        {"equals string", R"({"user.name": {"equals": "alice"}})", true},
        {"equals other string", R"({"user.name": {"equals": "bob"}})", false},
        {"equals int attribute, double value", R"({"user.age": {"equals": 30.0}})", true},
        {"equals double attribute, int value", R"({"user.score": {"equals": 1}})", true},
        {"equals other number", R"({"user.age": {"equals": 31}})", false},
        {"equals number vs string", R"({"user.age": {"equals": "30"}})", false},
        {"equals bool", R"({"user.active": {"equals": true}})", true},
        {"equals bool vs number", R"({"user.active": {"equals": 1}})", false},
        {"equals null attribute", R"({"user.nothing": {"equals": null}})", true},
        {"equals null vs false", R"({"user.nothing": {"equals": false}})", false},
        {"equals array", R"({"resource.labels": {"equals": ["a", "b"]}})", true},
        {"equals array in another order", R"({"resource.labels": {"equals": ["b", "a"]}})", false},
        {"equals object, keys in any order",
         R"({"user.address": {"equals": {"zip": "75001", "city": "Paris"}}})", true},
        {"equals array-wrapped scalar is an array literal",
         R"({"user.name": {"equals": ["alice"]}})", false},
        {"equals on the roles array with a string", R"({"user.roles": {"equals": "admin"}})",
         false},
        {"equals missing attribute", R"({"user.missing": {"equals": "x"}})", false},
        {"not-equals other string", R"({"user.name": {"not-equals": "bob"}})", true},
        {"not-equals same string", R"({"user.name": {"not-equals": "alice"}})", false},
        {"not-equals number vs string", R"({"user.age": {"not-equals": "30"}})", true},
        {"not-equals int vs equal double", R"({"user.age": {"not-equals": 30.0}})", false},
        {"not-equals missing attribute", R"({"user.missing": {"not-equals": "x"}})", false},
    });
}

BOOST_AUTO_TEST_CASE(ordering_follows_rego) {
    run({
        {"less-than larger number", R"({"user.age": {"less-than": 31}})", true},
        {"less-than equal number", R"({"user.age": {"less-than": 30}})", false},
        {"less-than larger double", R"({"user.age": {"less-than": 30.5}})", true},
        {"greater-than smaller number", R"({"user.age": {"greater-than": 29}})", true},
        {"greater-than equal number", R"({"user.age": {"greater-than": 30}})", false},
        {"greater-than smaller double", R"({"user.age": {"greater-than": 29.9}})", true},
        {"less-than-equals equal number", R"({"user.age": {"less-than-equals": 30}})", true},
        {"less-than-equals smaller number", R"({"user.age": {"less-than-equals": 29}})", false},
        {"greater-than-equals equal double", R"({"user.age": {"greater-than-equals": 30.0}})",
         true},
        {"greater-than-equals larger number", R"({"user.age": {"greater-than-equals": 31}})",
         false},
        {"strings compare bytewise", R"({"resource.level": {"less-than": "9"}})", true},
        {"string attribute is greater than any number",
         R"({"resource.level": {"greater-than": 5}})", true},
        {"number attribute is less than any string", R"({"user.age": {"less-than": "5"}})", true},
        {"bool is less than a number", R"({"user.active": {"less-than": 0}})", true},
        {"null is less than a bool", R"({"user.nothing": {"less-than": false}})", true},
        {"array is greater than a string", R"({"user.roles": {"greater-than": "z"}})", true},
        {"object is greater than an array", R"({"user.org": {"greater-than": [1]}})", true},
        {"greater-than missing attribute", R"({"user.missing": {"greater-than": 0}})", false},
        {"less-than missing attribute", R"({"user.missing": {"less-than": 0}})", false},
    });
}

BOOST_AUTO_TEST_CASE(string_and_array_operators) {
    run({
        {"contains substring", R"({"user.name": {"contains": "lic"}})", true},
        {"contains other string", R"({"user.name": {"contains": "bob"}})", false},
        {"contains empty string", R"({"user.name": {"contains": ""}})", true},
        {"contains on a number", R"({"user.age": {"contains": "3"}})", false},
        {"contains on an array", R"({"user.roles": {"contains": "admin"}})", false},
        {"contains a number", R"({"user.name": {"contains": 1}})", false},
        {"contains missing attribute", R"({"user.missing": {"contains": "a"}})", false},
        {"array_contains member", R"({"user.roles": {"array_contains": "admin"}})", true},
        {"array_contains non-member", R"({"user.roles": {"array_contains": "viewer"}})", false},
        {"array_contains number by value", R"({"user.nums": {"array_contains": 2.0}})", true},
        {"array_contains number vs string", R"({"user.nums": {"array_contains": "2"}})", false},
        {"array_contains on a string", R"({"user.name": {"array_contains": "a"}})", false},
        {"array_contains missing attribute", R"({"user.missing": {"array_contains": "a"}})", false},
        {"array_subset of a larger list",
         R"({"user.roles": {"array_subset": ["admin", "editor", "viewer"]}})", true},
        {"array_subset of a smaller list", R"({"user.roles": {"array_subset": ["admin"]}})", false},
        {"array_subset empty attribute", R"({"resource.empty": {"array_subset": ["x"]}})", true},
        {"array_subset on a string", R"({"user.name": {"array_subset": ["alice"]}})", false},
        {"array_subset of a scalar", R"({"user.roles": {"array_subset": "admin"}})", false},
        {"array_subset missing attribute", R"({"user.missing": {"array_subset": []}})", false},
        {"array_superset of a smaller list", R"({"user.roles": {"array_superset": ["admin"]}})",
         true},
        {"array_superset of a list with another value",
         R"({"user.roles": {"array_superset": ["admin", "viewer"]}})", false},
        {"array_superset of the empty list", R"({"user.roles": {"array_superset": []}})", true},
        {"array_superset on a string", R"({"user.name": {"array_superset": []}})", false},
        {"array_intersect sharing a value",
         R"({"user.roles": {"array_intersect": ["viewer", "editor"]}})", true},
        {"array_intersect sharing none", R"({"user.roles": {"array_intersect": ["viewer"]}})",
         false},
        {"array_intersect with the empty list", R"({"user.roles": {"array_intersect": []}})",
         false},
        {"array_intersect on a string", R"({"user.name": {"array_intersect": ["alice"]}})", false},
        {"array_intersect missing attribute", R"({"user.missing": {"array_intersect": ["a"]}})",
         false},
    });
}

BOOST_AUTO_TEST_CASE(in_and_between) {
    run({
        {"in a list holding it", R"({"user.name": {"in": ["alice", "bob"]}})", true},
        {"in a list without it", R"({"user.name": {"in": ["bob"]}})", false},
        {"in number vs string", R"({"user.age": {"in": ["30"]}})", false},
        {"in number by value", R"({"user.age": {"in": [30.0]}})", true},
        {"in an object's values", R"({"user.name": {"in": {"k": "alice"}}})", true},
        {"in a string is no membership", R"({"user.name": {"in": "alice"}})", false},
        {"in missing attribute", R"({"user.missing": {"in": [null]}})", false},
        {"between inside", R"({"user.age": {"between": [18, 65]}})", true},
        {"between lower bound is inclusive", R"({"user.age": {"between": [30, 40]}})", true},
        {"between upper bound is inclusive", R"({"user.age": {"between": [20, 30.0]}})", true},
        {"between outside", R"({"user.age": {"between": [31, 40]}})", false},
        {"between strings", R"({"user.name": {"between": ["a", "b"]}})", true},
        {"between numbers on a string attribute", R"({"resource.level": {"between": [0, 100]}})",
         false},
        {"between malformed bounds", R"({"user.age": {"between": [18]}})", false},
        {"between missing attribute", R"({"user.missing": {"between": [0, 1]}})", false},
    });
}

BOOST_AUTO_TEST_CASE(object_matches) {
    run({
        {"object_match all sub-conditions",
         R"({"user.org": {"object_match": {"match": {"country": {"equals": "US"},
                                                     "subscription": {"equals": "pro"}}}}})",
         true},
        {"object_match one sub-condition fails",
         R"({"user.org": {"object_match": {"match": {"country": {"equals": "IN"},
                                                     "subscription": {"equals": "pro"}}}}})",
         false},
        {"object_match missing sub-attribute",
         R"({"user.org": {"object_match": {"match": {"size": {"equals": 1}}}}})", false},
        {"object_match on a string",
         R"({"user.name": {"object_match": {"match": {"x": {"equals": 1}}}}})", false},
        {"object_match with attribute-first logic",
         R"({"user.address": {"object_match": {"match":
             {"city": {"anyOf": [{"equals": "Lyon"}, {"equals": "Paris"}]}}}}})",
         true},
        {"object_match with a reference",
         R"({"user.org": {"object_match": {"match": {"country": {"equals": {"ref": "context.country"}}}}}})",
         true},
        {"any_match one item matches",
         R"({"user.orgs": {"any_match": {"match": {"country": {"equals": "IN"},
                                                   "subscription": {"equals": "enterprise"}}}}})",
         true},
        {"any_match no item matches both",
         R"({"user.orgs": {"any_match": {"match": {"country": {"equals": "IN"},
                                                   "subscription": {"equals": "pro"}}}}})",
         false},
        {"any_match on an object",
         R"({"user.org": {"any_match": {"match": {"country": {"equals": "US"}}}}})", false},
        {"any_match on an empty array",
         R"({"resource.empty": {"any_match": {"match": {"x": {"equals": 1}}}}})", false},
        {"all_match every item matches",
         R"({"user.orgs": {"all_match": {"match": {"country": {"in": ["US", "IN"]}}}}})", true},
        {"all_match one item does not",
         R"({"user.orgs": {"all_match": {"match": {"country": {"equals": "US"}}}}})", false},
        {"all_match on an empty array holds",
         R"({"resource.empty": {"all_match": {"match": {"x": {"equals": 1}}}}})", true},
        {"all_match on items that are not objects",
         R"({"resource.labels": {"all_match": {"match": {"x": {"equals": 1}}}}})", false},
        {"all_match missing attribute",
         R"({"user.missing": {"all_match": {"match": {"x": {"equals": 1}}}}})", false},
        {"any_match malformed, no match member",
         R"({"user.orgs": {"any_match": {"country": {"equals": "US"}}}})", false},
    });
}

BOOST_AUTO_TEST_CASE(references_and_paths) {
    run({
        {"ref equals", R"({"resource.owner": {"equals": {"ref": "user.key"}}})", true},
        {"ref not-equals", R"({"resource.owner": {"not-equals": {"ref": "user.name"}}})", true},
        {"ref greater-than a number", R"({"user.age": {"greater-than": {"ref": "context.hour"}}})",
         true},
        {"ref contains", R"({"user.name": {"contains": {"ref": "context.letters"}}})", true},
        {"ref array_contains", R"({"user.roles": {"array_contains": {"ref": "context.role"}}})",
         true},
        {"ref to a missing attribute", R"({"resource.owner": {"equals": {"ref": "user.missing"}}})",
         false},
        {"not-equals ref to a missing attribute",
         R"({"resource.owner": {"not-equals": {"ref": "user.missing"}}})", false},
        {"ref malformed, with another member",
         R"({"resource.owner": {"equals": {"ref": "user.key", "x": 1}}})", false},
        {"nested path", R"({"user.address.city": {"equals": "Paris"}})", true},
        {"nested path, missing leaf", R"({"user.address.country": {"equals": "FR"}})", false},
        {"path through a string", R"({"user.name.first": {"equals": "a"}})", false},
        {"subject. is user.", R"({"subject.name": {"equals": "alice"}})", true},
        {"environment. is context.", R"({"environment.hour": {"equals": 10}})", true},
        {"tenant attribute", R"({"tenant.plan": {"equals": "gold"}})", true},
        {"resource attribute", R"({"resource.type": {"equals": "doc"}})", true},
        {"unknown root", R"({"company.name": {"equals": "alice"}})", false},
    });
}

BOOST_AUTO_TEST_CASE(logic_and_missing_attributes) {
    run({
        {"no conditions", R"({})", true},
        {"allOf all hold",
         R"({"allOf": [{"user.name": {"equals": "alice"}}, {"user.age": {"equals": 30}}]})", true},
        {"allOf one fails",
         R"({"allOf": [{"user.name": {"equals": "alice"}}, {"user.age": {"equals": 31}}]})", false},
        {"and is allOf",
         R"({"and": [{"user.name": {"equals": "alice"}}, {"user.age": {"equals": 31}}]})", false},
        {"anyOf one holds",
         R"({"anyOf": [{"user.name": {"equals": "bob"}}, {"user.age": {"equals": 30}}]})", true},
        {"anyOf none holds",
         R"({"anyOf": [{"user.name": {"equals": "bob"}}, {"user.age": {"equals": 31}}]})", false},
        {"or is anyOf",
         R"({"or": [{"user.name": {"equals": "bob"}}, {"user.age": {"equals": 30}}]})", true},
        {"empty allOf holds", R"({"allOf": []})", true},
        {"empty anyOf does not", R"({"anyOf": []})", false},
        {"members of one object are a conjunction",
         R"({"user.name": {"equals": "alice"}, "user.age": {"equals": 31}})", false},
        {"not of a failing condition", R"({"not": {"user.name": {"equals": "bob"}}})", true},
        {"not of a holding condition", R"({"not": {"user.name": {"equals": "alice"}}})", false},
        {"not of a list is not of their conjunction",
         R"({"not": [{"user.name": {"equals": "alice"}}, {"user.age": {"equals": 31}}]})", true},
        {"not of a missing attribute", R"({"not": {"user.missing": {"equals": "x"}}})", false},
        {"not of not of a missing attribute",
         R"({"not": {"not": {"user.missing": {"equals": "x"}}}})", false},
        {"not of allOf with a missing attribute and a failing one",
         R"({"not": {"allOf": [{"user.missing": {"equals": "x"}}, {"user.age": {"equals": 31}}]}})",
         false},
        {"anyOf with a missing attribute and a holding one",
         R"({"anyOf": [{"user.missing": {"equals": "x"}}, {"user.age": {"equals": 30}}]})", true},
        {"allOf with a missing attribute and a holding one",
         R"({"allOf": [{"user.missing": {"equals": "x"}}, {"user.age": {"equals": 30}}]})", false},
        {"attribute-first not of a missing attribute",
         R"({"user.missing": {"not": {"equals": "x"}}})", false},
        {"attribute-first allOf",
         R"({"user.age": {"allOf": [{"greater-than": 18}, {"less-than": 65}]}})", true},
        {"attribute-first or", R"({"user.age": {"or": [{"less-than": 18}, {"greater-than": 65}]}})",
         false},
        {"several operators on one attribute are a conjunction",
         R"({"user.age": {"greater-than": 18, "less-than": 20}})", false},
        {"unknown operator", R"({"user.age": {"greater-than-unsupported": 1}})", false},
        {"not of an unknown operator", R"({"not": {"user.age": {"greater-than-unsupported": 1}}})",
         false},
        {"unknown logic all_of", R"({"all_of": [{"user.age": {"equals": 30}}]})", false},
        {"malformed conditions, a list", R"([{"user.age": {"equals": 30}}])", false},
        {"malformed allOf, an object", R"({"allOf": {"user.age": {"equals": 30}}})", false},
    });
}

// The examples of Permit's docs, API spec and SDK tests.
BOOST_AUTO_TEST_CASE(documented_examples) {
    // https://api.permit.io/v2/redoc, ConditionSetCreate example `na_based_employees`.
    constexpr const char* na_based_employees =
        R"({"allOf": [{"user.role": {"equals": "employee"}},
                      {"user.location": {"in": ["US", "Canada"]}}]})";
    // https://docs.permit.io/api/working-with-abac/building-conditions (attribute-first).
    constexpr const char* working_hours =
        R"({"subject.time": {"anyOf": [{"between": [9, 12]}, {"between": [13, 18]}]}})";
    constexpr const char* not_weekend =
        R"({"resource.weekday": {"not": {"anyOf": [{"equals": "saturday"},
                                                    {"equals": "sunday"}]}}})";
    // https://docs.permit.io/modeling/pink-mobile: the owner of a resource is the user.
    constexpr const char* owner = R"({"resource.owner": {"equals": {"ref": "user.key"}}})";
    // permit-python tests/test_abac_e2e.py: the SDKs' group of groups.
    constexpr const char* older_than_30 =
        R"({"allOf": [{"allOf": [{"user.age": {"greater-than": 30}}]}]})";
    // https://docs.permit.io/modeling/mesa-verde: a role as an ABAC condition.
    constexpr const char* admins = R"({"user.roles": {"array_contains": "admin"}})";
    // https://docs.permit.io/api/working-with-abac/operators#object-match-operators.
    constexpr const char* organizations = R"({"user": {"organizations": [
        {"name": "Cool Inc", "country": "US", "subscription": "pro"},
        {"name": "Awesome Inc", "country": "IN", "subscription": "enterprise"},
        {"name": "Sweet Inc", "country": "US", "subscription": "enterprise"}],
        "organization": {"name": "Cool Inc", "country": "US", "subscription": "pro"}}})";
    constexpr const char* us_pro =
        R"({"country": {"equals": "US"}, "subscription": {"equals": "pro"}})";
    const std::string object_match =
        std::string(R"({"allOf": [{"user.organization": {"object_match": {"match": )") + us_pro +
        "}}}]}";
    const std::string any_match =
        std::string(R"({"allOf": [{"user.organizations": {"any_match": {"match": )") + us_pro +
        "}}}]}";
    const std::string all_match =
        std::string(R"({"allOf": [{"user.organizations": {"all_match": {"match": )") + us_pro +
        "}}}]}";
    // https://docs.permit.io/api/working-with-abac/condition-sets: an array-wrapped scalar,
    // taken literally.
    constexpr const char* private_access = R"({"resource.access": {"equals": ["private"]}})";

    run({
        {"na_based_employees, Canada", na_based_employees, true,
         R"({"user": {"role": "employee", "location": "Canada"}})"},
        {"na_based_employees, France", na_based_employees, false,
         R"({"user": {"role": "employee", "location": "France"}})"},
        {"na_based_employees, no role", na_based_employees, false,
         R"({"user": {"location": "US"}})"},
        {"building-conditions working hours, 10", working_hours, true, R"({"user": {"time": 10}})"},
        {"building-conditions working hours, 12.5", working_hours, false,
         R"({"user": {"time": 12.5}})"},
        {"building-conditions working hours, 13", working_hours, true, R"({"user": {"time": 13}})"},
        {"building-conditions working hours, no time", working_hours, false, R"({"user": {}})"},
        {"building-conditions not weekend, monday", not_weekend, true,
         R"({"resource": {"weekday": "monday"}})"},
        {"building-conditions not weekend, sunday", not_weekend, false,
         R"({"resource": {"weekday": "sunday"}})"},
        {"building-conditions not weekend, no weekday", not_weekend, false, R"({"resource": {}})"},
        {"pink-mobile owner, the user", owner, true,
         R"({"user": {"key": "alice"}, "resource": {"owner": "alice"}})"},
        {"pink-mobile owner, another user", owner, false,
         R"({"user": {"key": "bob"}, "resource": {"owner": "alice"}})"},
        {"pink-mobile owner, an unsynced user without key", owner, false,
         R"({"user": {}, "resource": {"owner": "alice"}})"},
        {"test_abac_e2e group of groups, 31", older_than_30, true, R"({"user": {"age": 31}})"},
        {"test_abac_e2e group of groups, 30", older_than_30, false, R"({"user": {"age": 30}})"},
        {"mesa-verde admins, admin", admins, true, R"({"user": {"roles": ["admin"]}})"},
        {"mesa-verde admins, viewer", admins, false, R"({"user": {"roles": ["viewer"]}})"},
        {"operators object_match organization", object_match.c_str(), true, organizations},
        {"operators any_match organizations", any_match.c_str(), true, organizations},
        {"operators all_match organizations", all_match.c_str(), false, organizations},
        {"condition-sets array-wrapped private, literal", private_access, false,
         R"({"resource": {"access": "private"}})"},
        {"condition-sets array-wrapped private, an array attribute", private_access, true,
         R"({"resource": {"access": ["private"]}})"},
    });
}

BOOST_AUTO_TEST_CASE(validation) {
    struct row {
        const char* name;
        const char* conditions;
        std::vector<std::string> pointers;  // where the problems are, in order
    };
    const std::vector<row> rows = {
        {"no conditions", R"({})", {}},
        {"logical-first with aliases",
         R"({"and": [{"or": [{"user.a": {"equals": 1}}]}, {"not": {"user.b": {"in": [1]}}}]})",
         {}},
        {"not of a list", R"({"not": [{"user.a": {"equals": 1}}]})", {}},
        {"attribute-first",
         R"({"user.t": {"anyOf": [{"between": [9, 12]}, {"not": {"equals": 1}}]}})",
         {}},
        {"every operator",
         R"({"allOf": [{"user.a": {"equals": 1, "not-equals": 2, "less-than": 3,
                                   "greater-than": 0, "less-than-equals": 3,
                                   "greater-than-equals": 0, "contains": "x",
                                   "array_contains": "x", "array_subset": [], "array_superset": [],
                                   "array_intersect": [], "in": [1], "between": [0, 1]}}]})",
         {}},
        {"object matches with fk_resource_type",
         R"({"resource.org": {"object_match": {"match": {"country": {"equals": "US"}},
                                               "fk_resource_type": "organization"},
                              "any_match": {"match": {"a.b": {"equals": 1}}},
                              "all_match": {"match": {}}}})",
         {}},
        {"reference", R"({"resource.owner": {"equals": {"ref": "user.key"}}})", {}},
        {"all_of", R"({"all_of": [{"user.a": {"equals": 1}}]})", {"/all_of"}},
        {"any_of on an attribute",
         R"({"user.a": {"any_of": [{"equals": 1}]}})",
         {"/user.a/any_of"}},
        {"unknown operator (building-conditions)",
         R"({"allOf": [{"user.age": {"greater-than-unsupported": 1}}]})",
         {"/allOf/0/user.age/greater-than-unsupported"}},
        {"conditions not an object", R"([])", {""}},
        {"allOf not a list", R"({"allOf": {"user.a": {"equals": 1}}})", {"/allOf"}},
        {"condition not an object", R"({"anyOf": ["user.a"]})", {"/anyOf/0"}},
        {"attribute without operators", R"({"user.a": "x"})", {"/user.a"}},
        {"attribute with an empty object", R"({"user.a": {}})", {"/user.a"}},
        {"path without an attribute", R"({"user": {"equals": 1}})", {"/user"}},
        {"path with an empty segment", R"({"user..a": {"equals": 1}})", {"/user..a"}},
        {"between with one bound", R"({"user.a": {"between": [1]}})", {"/user.a/between"}},
        {"object_match without match",
         R"({"user.a": {"object_match": {"country": {"equals": "US"}}}})",
         {"/user.a/object_match"}},
        {"any_match with another member",
         R"({"user.a": {"any_match": {"match": {}, "x": 1}}})",
         {"/user.a/any_match/x"}},
        {"fk_resource_type not a string",
         R"({"user.a": {"any_match": {"match": {}, "fk_resource_type": 1}}})",
         {"/user.a/any_match/fk_resource_type"}},
        {"unknown operator inside a match",
         R"({"user.a": {"all_match": {"match": {"c": {"like": "x"}}}}})",
         {"/user.a/all_match/match/c/like"}},
        {"reference not a path", R"({"user.a": {"equals": {"ref": 5}}})", {"/user.a/equals/ref"}},
        {"not of bare values (examples.mdx)",
         R"({"user.education": {"not": ["part-time"]}})",
         {"/user.education/not/0"}},
        {"problems in document order",
         R"({"allOf": [{"user.a": {"nope": 1}}, {"all_of": []}]})",
         {"/allOf/0/user.a/nope", "/allOf/1/all_of"}},
        {"pointer escapes", R"({"user.a/b": {"x~": 1}})", {"/user.a~1b/x~0"}},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.name) {
            const auto problems = abac::validate(json::parse(r.conditions));
            std::vector<std::string> pointers;
            for (const auto& p : problems) {
                pointers.push_back(p.pointer());
                BOOST_TEST(!p.message.empty());
            }
            BOOST_TEST(pointers == r.pointers, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(validation_locations_and_messages) {
    const auto problems = abac::validate(json::parse(
        R"({"allOf": [{"user.age": {"greater-than-unsupported": 1}}, {"all_of": []}]})"));
    BOOST_TEST_REQUIRE(problems.size() == 2u);
    BOOST_TEST(json::serialize(problems[0].loc) ==
               R"(["allOf",0,"user.age","greater-than-unsupported"])");
    BOOST_TEST(problems[0].message.find("greater-than-unsupported") != std::string::npos);
    BOOST_TEST(problems[1].message.find("allOf") != std::string::npos);
}

// A set with parents, and a resourceset's base resource
// (https://docs.permit.io/api/working-with-abac/condition-sets).
BOOST_AUTO_TEST_CASE(condition_sets_with_parents_and_base_resource) {
    const auto attributes =
        json::parse(R"({"user": {"age": 30, "country": "US"}, "resource": {"type": "file"}})")
            .as_object();
    const auto adult = json::parse(R"({"user.age": {"greater-than-equals": 18}})");
    const auto in_us = json::parse(R"({"user.country": {"equals": "US"}})");
    const auto in_india = json::parse(R"({"user.country": {"equals": "IN"}})");
    const auto none = json::parse("{}");
    const std::vector<const json::value*> us_parent = {&in_us};
    const std::vector<const json::value*> india_grandparent = {&in_us, &in_india};

    BOOST_TEST(abac::set_matches(adult, {}, std::nullopt, attributes));
    BOOST_TEST(abac::set_matches(adult, us_parent, std::nullopt, attributes));
    BOOST_TEST(!abac::set_matches(adult, india_grandparent, std::nullopt, attributes));
    BOOST_TEST(!abac::set_matches(in_india, us_parent, std::nullopt, attributes));
    BOOST_TEST(abac::set_matches(none, {}, "file", attributes));
    BOOST_TEST(!abac::set_matches(none, {}, "folder", attributes));
    BOOST_TEST(!abac::set_matches(adult, us_parent, "folder", attributes));
    const auto no_type = json::parse(R"({"user": {"age": 30}, "resource": {}})").as_object();
    BOOST_TEST(!abac::set_matches(none, {}, "file", no_type));
    BOOST_TEST(abac::set_matches(none, {}, std::nullopt, no_type));
}

// https://docs.permit.io/api/working-with-abac/operators (foreign-key matching): the attribute
// names instances of `fk_resource_type`, whose stored attributes `match` reads.
BOOST_AUTO_TEST_CASE(foreign_key_matches_read_stored_instances) {
    const auto stored = json::parse(R"({
        "organization:acme": {"country": "US", "plan": "pro"},
        "organization:zeta": {"country": "IN", "plan": "free"}})")
                            .as_object();
    const abac::instance_lookup lookup = [&](std::string_view type, std::string_view key) {
        const auto* v = stored.if_contains(std::string(type) + ":" + std::string(key));
        return v ? &v->get_object() : nullptr;
    };
    const auto attributes = json::parse(R"({"user": {"org": "acme", "orgs": ["acme", "zeta"],
                                                     "ghost": "nobody", "bad": 7}})")
                                .as_object();
    const auto holds = [&](const char* conditions) {
        return abac::evaluate(json::parse(conditions), attributes, lookup);
    };
    BOOST_TEST(holds(R"({"user.org": {"object_match": {"match": {"country": {"equals": "US"}},
                                                      "fk_resource_type": "organization"}}})"));
    BOOST_TEST(!holds(R"({"user.org": {"object_match": {"match": {"plan": {"equals": "free"}},
                                                       "fk_resource_type": "organization"}}})"));
    BOOST_TEST(holds(R"({"user.orgs": {"any_match": {"match": {"plan": {"equals": "free"}},
                                                     "fk_resource_type": "organization"}}})"));
    BOOST_TEST(!holds(R"({"user.orgs": {"all_match": {"match": {"plan": {"equals": "free"}},
                                                      "fk_resource_type": "organization"}}})"));
    BOOST_TEST(holds(R"({"user.orgs": {"all_match": {"match": {"country": {"in": ["US", "IN"]}},
                                                     "fk_resource_type": "organization"}}})"));
    // A key naming no instance, or a value that is not a key, does not match.
    BOOST_TEST(!holds(R"({"user.ghost": {"object_match": {"match": {"plan": {"equals": "pro"}},
                                                         "fk_resource_type": "organization"}}})"));
    BOOST_TEST(!holds(R"({"user.bad": {"object_match": {"match": {"plan": {"equals": "pro"}},
                                                       "fk_resource_type": "organization"}}})"));
    // Without stored instances nothing matches.
    BOOST_TEST(!abac::evaluate(
        json::parse(R"({"user.org": {"object_match": {"match": {"country": {"equals": "US"}},
                                                     "fk_resource_type": "organization"}}})"),
        attributes));
}

BOOST_AUTO_TEST_SUITE_END()
