// The arguments of `check`: resources from "type:key" strings, and subjects from keys, check users
// and users.
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>

#include <boost/json/object.hpp>

#include <permit/check.hpp>
#include <permit/models/user.hpp>

namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(check_arguments)

BOOST_AUTO_TEST_CASE(resource_from_string_with_a_type_only) {
    const auto r = permit::resource_from_string("document");
    BOOST_TEST(r.type == "document");
    BOOST_TEST(!r.key.has_value());
    BOOST_TEST(!r.tenant.has_value());
    BOOST_TEST(r.attributes.empty());
}

BOOST_AUTO_TEST_CASE(resource_from_string_with_a_type_and_key) {
    const auto r = permit::resource_from_string("document:42");
    BOOST_TEST(r.type == "document");
    BOOST_TEST(r.key.value_or("<none>") == "42");
}

BOOST_AUTO_TEST_CASE(resource_from_string_splits_on_the_first_colon) {
    const auto r = permit::resource_from_string("a:b:c");
    BOOST_TEST(r.type == "a");
    BOOST_TEST(r.key.value_or("<none>") == "b:c");
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_c_string) {
    const permit::check_subject s = "alice";
    BOOST_TEST(s.get().key == "alice");
    BOOST_TEST(!s.get().first_name.has_value());
    BOOST_TEST(!s.get().email.has_value());
    BOOST_TEST(s.get().attributes.empty());
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_std_string) {
    const std::string key = "user|42@example.com";
    const permit::check_subject s = key;
    BOOST_TEST(s.get().key == key);
    const std::string_view view = "bob";
    BOOST_TEST(permit::check_subject(view).get().key == "bob");
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_check_user_keeps_its_attributes) {
    const permit::check_user u{.key = "carol",
                               .first_name = "Carol",
                               .email = "carol@example.com",
                               .attributes = {{"department", "eng"}, {"level", 3}}};
    const permit::check_subject s = u;
    BOOST_TEST((s.get() == u));
    BOOST_TEST(s.get().attributes.at("department").as_string() == "eng");

    permit::check_subject moved = u;
    const permit::check_user taken = std::move(moved).get();
    BOOST_TEST((taken == u));
}

BOOST_AUTO_TEST_CASE(check_subject_from_a_user_copies_key_names_email_and_attributes) {
    const permit::user u{.key = "jane",
                         .id = "u-1",
                         .organization_id = "o-1",
                         .project_id = "p-1",
                         .environment_id = "e-1",
                         .roles = {{.role = "admin", .tenant = "acme"}},
                         .email = "jane@example.com",
                         .first_name = "Jane",
                         .last_name = "Doe",
                         .attributes = {{"age", 30}}};
    const permit::check_subject s = u;
    const auto& c = s.get();
    BOOST_TEST(c.key == "jane");
    BOOST_TEST(c.first_name.value_or("") == "Jane");
    BOOST_TEST(c.last_name.value_or("") == "Doe");
    BOOST_TEST(c.email.value_or("") == "jane@example.com");
    BOOST_TEST((c.attributes == json::object{{"age", 30}}));
}

BOOST_AUTO_TEST_SUITE_END()
