// The PDP's decisions on the wire without a JSON document: a check query's text is the same, byte
// for byte, as Boost.JSON's serialization of the query the official SDKs' normalisation makes, and
// the plain `/allowed` reply is read as the full decoder reads it, which takes every other form.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <permit/detail/decision.hpp>
#include <permit/models/pdp.hpp>

namespace decision_text_test {

namespace json = boost::json;

// The normalisation of `pdp_api::normalize`, through a JSON document: what the text must equal.
std::string through_a_document(permit::check_query q, const std::string& default_tenant) {
    if (!q.resource.tenant || q.resource.tenant->empty()) q.resource.tenant = default_tenant;
    if (!q.resource.context.contains("tenant")) q.resource.context["tenant"] = *q.resource.tenant;
    return json::serialize(json::value_from(q));
}

std::vector<permit::check_query> queries() {
    std::vector<permit::check_query> out;
    out.push_back(
        {.user = {.key = "bench-user"}, .action = "read", .resource = {.type = "document"}});
    out.push_back({.user = {.key = "jane",
                            .first_name = "Jane",
                            .last_name = "Doe",
                            .email = "jane@example.com"},
                   .action = "edit",
                   .resource = {.type = "document", .key = "42", .tenant = "acme"}});
    permit::check_query attributes{
        .user = {.key = "u"}, .action = "read", .resource = {.type = "file", .tenant = ""}};
    attributes.user.attributes["age"] = 42;
    attributes.user.attributes["roles"] = json::array{"a", "b"};
    attributes.resource.attributes["private"] = true;
    attributes.context["network"] = "10.0.0.0/8";
    out.push_back(attributes);
    permit::check_query own_tenant{
        .user = {.key = "u"}, .action = "read", .resource = {.type = "t"}};
    own_tenant.resource.context["tenant"] = "elsewhere";
    own_tenant.resource.context["x"] = 1;
    out.push_back(own_tenant);
    permit::check_query other_context{
        .user = {.key = "u"}, .action = "read", .resource = {.type = "t", .tenant = "t1"}};
    other_context.resource.context["x"] = json::object{{"y", nullptr}};
    out.push_back(other_context);
    // Every byte that needs an escape, and some that do not.
    std::string awkward = "q\"b\\s/\b\f\n\r\t";
    awkward += '\0';
    awkward += "\x01\x1f\x7f \xc3\xa9 \xe2\x82\xac";
    out.push_back({.user = {.key = awkward, .email = awkward},
                   .action = awkward,
                   .resource = {.type = awkward, .key = awkward, .tenant = awkward}});
    return out;
}

}  // namespace decision_text_test

BOOST_AUTO_TEST_SUITE(decision_text)

BOOST_AUTO_TEST_CASE(a_query_is_written_as_its_normalised_document_is_serialized) {
    using namespace decision_text_test;
    for (const auto& q : queries()) {
        for (const std::string tenant : {"default", "other \"one\""}) {
            const auto expected = through_a_document(q, tenant);
            BOOST_TEST(permit::detail::check_query_text(q, tenant) == expected);
            std::string appended = "[";
            permit::detail::append_check_query(appended, q, tenant);
            BOOST_TEST(appended == "[" + expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_plain_reply_gives_its_decision) {
    using permit::detail::plain_decision;
    BOOST_TEST((plain_decision(R"({"allow":true,"result":true})") == std::optional<bool>(true)));
    BOOST_TEST((plain_decision(R"({"allow":false})") == std::optional<bool>(false)));
    BOOST_TEST((plain_decision(" {\"result\": true,\n \"allow\" : false} \n") ==
                std::optional<bool>(false)));
    // Nested members named "allow" do not count; the top-level one does.
    BOOST_TEST((plain_decision(R"({"debug":{"allow":false,"x":[{"allow":1}]},"allow":true})") ==
                std::optional<bool>(true)));
    // An escaped key is still "allow".
    BOOST_TEST((plain_decision(R"({"\u0061llow":true})") == std::optional<bool>(true)));
}

BOOST_AUTO_TEST_CASE(every_other_reply_is_left_to_the_full_decoder) {
    using permit::detail::plain_decision;
    for (const char* body : {
             R"({"result":{"allow":true}})",     // OPA's form
             R"({"result":true})",               // the legacy form
             R"({"allow":"true"})",              // not a boolean
             R"({"allow":null})",                //
             R"({"allow":[true]})",              //
             R"({"allow":{"allow":true}})",      //
             R"({"allow":true,"allow":false})",  // a duplicate
             R"({"allowed":true})",              // another key
             R"({"allo":true})",                 //
             R"([{"allow":true}])",              // not an object
             R"(true)",                          //
             R"({"allow":true)",                 // not JSON
             R"({"allow":true}})",               // text after the document
             R"({"allow":tru})",                 //
             "",                                 //
         }) {
        BOOST_TEST_INFO("body: " << body);
        BOOST_TEST(!plain_decision(body).has_value());
    }
}

BOOST_AUTO_TEST_SUITE_END()
