// No field is lost on a read and a write: the read models keep every field of the API reference's
// schemas, and the fields they do not model (what a newer API adds), and write them back as they
// came; `to_replace` gives back every editable field of a resource type in the shapes a replace
// takes. The objects are the golden examples of the emulator's wire-format check
// (tests/emulator/golden), written from the API reference independently of the models.
#include <permit/models.hpp>

#include "support/golden.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;

namespace {

using permit_test::golden;

/// A field a newer API might add, at the top level and inside a nested block.
const json::value future = json::object{{"since", "v3"}, {"weight", 2}};

}  // namespace

BOOST_AUTO_TEST_SUITE(no_field_lost)

BOOST_AUTO_TEST_CASE(a_role_keeps_every_field_of_role_read_and_an_unknown_one) {
    auto sent = golden("role_read.json");
    sent.as_object()["added_later"] = future;
    const auto role = json::value_to<permit::role>(sent);
    BOOST_TEST(role.granted_to.contains("users_with_role"));
    BOOST_TEST(role.unknown_fields.at("added_later") == future);
    BOOST_TEST(json::value_from(role) == sent, json::serialize(json::value_from(role)));
}

BOOST_AUTO_TEST_CASE(a_resource_keeps_every_field_of_resource_read_and_unknown_ones) {
    auto sent = golden("resource_read.json");
    sent.as_object()["added_later"] = future;
    sent.at("actions").at("read").as_object()["added_later"] = future;
    const auto resource = json::value_to<permit::resource>(sent);
    BOOST_TEST(resource.relations.contains("parent"));
    BOOST_TEST(resource.action_groups.contains("writing"));
    BOOST_TEST(resource.actions.at("read").unknown_fields.at("added_later") == future);
    BOOST_TEST(json::value_from(resource) == sent, json::serialize(json::value_from(resource)));
}

BOOST_AUTO_TEST_CASE(to_replace_gives_back_every_editable_field_of_a_resource) {
    auto sent = golden("resource_read.json");
    sent.as_object()["added_later"] = future;
    const auto replace = permit::to_replace(json::value_to<permit::resource>(sent));
    // ResourceReplace with the golden example's values: the read shapes without the ids and keys
    // the API adds, each relation as its subject resource type's key, and the unknown field.
    const auto expected = json::parse(R"({
        "name": "Repository",
        "urn": "prn:github:scm:repository",
        "description": "a git repository stored on github",
        "actions": {"read": {"name": "Read", "description": "read the repository",
                             "attributes": {"risk": "low"}}},
        "type_attributes": {"visibility": "private"},
        "attributes": {"private": {"type": "bool",
                                   "description": "whether the repository is private"}},
        "roles": {"maintainer": {
            "name": "Maintainer",
            "description": "the maintainer role can read from the repo and push changes",
            "permissions": ["push"],
            "attributes": {"level": 3},
            "extends": ["contributor"],
            "granted_to": {
                "when": {"no_direct_roles_on_object": false},
                "users_with_role": [{"role": "Admin", "on_resource": "organization",
                                     "linked_by_relation": "owner",
                                     "when": {"no_direct_roles_on_object": false}}]}}},
        "relations": {"parent": "organization"},
        "added_later": {"since": "v3", "weight": 2}
    })");
    BOOST_TEST(json::value_from(replace) == expected, json::serialize(json::value_from(replace)));
}

BOOST_AUTO_TEST_CASE(an_unset_optional_field_stays_out_and_a_required_one_is_reported) {
    const permit::resource_replace bare{.name = "Doc"};
    BOOST_TEST(json::serialize(json::value_from(bare)) == R"({"name":"Doc","actions":{}})");
    try {
        (void)json::value_to<permit::role>(json::parse(R"({"key": "k", "name": 1})"));
        BOOST_FAIL("a role without its required fields was read");
    } catch (const permit::model_error& e) {
        BOOST_TEST(std::string(e.what()).find("role") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
