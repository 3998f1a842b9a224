// The PDP's decisions on the wire without a JSON document: a check query's text is the same, byte
// for byte, as Boost.JSON's serialization of the query the official SDKs' normalisation makes, and
// the plain `/allowed` reply is read as the full decoder reads it, which takes every other form.
// And replies decoded from a document on the stack: the answers of a bulk reply, and models that
// keep none of the document's memory.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/system/system_error.hpp>

#include <permit/detail/decision.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/pdp.hpp>
#include <permit/models/user.hpp>

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

namespace decision_text_test {

// Whether `jv` and every value in it use the default memory resource (none of a decoder's arena).
bool on_default_storage(const json::value& jv) {
    if (jv.storage().get() != json::storage_ptr().get()) return false;
    if (const auto* o = jv.if_object()) {
        for (const auto& member : *o)
            if (!on_default_storage(member.value())) return false;
    } else if (const auto* a = jv.if_array()) {
        for (const auto& item : *a)
            if (!on_default_storage(item)) return false;
    }
    return true;
}

permit::detail::http::response reply(std::string body) {
    permit::detail::http::response r;
    r.status = 200;
    r.body = std::move(body);
    return r;
}

}  // namespace decision_text_test

BOOST_AUTO_TEST_SUITE(reply_decoding)

BOOST_AUTO_TEST_CASE(a_bulk_reply_gives_each_answer_as_an_allowed_reply) {
    using permit::detail::bulk_answers;
    const auto answers =
        bulk_answers(R"({"allow":[{"allow":true,"result":true},{"allow":false},{"x":1}]})");
    BOOST_TEST((answers == std::vector<std::string>{R"({"allow":true,"result":true})",
                                                    R"({"allow":false})", R"({"x":1})"}));
    // OPA's form.
    BOOST_TEST((bulk_answers(R"({"result":{"allow":[{"allow":true}]}})") ==
                std::vector<std::string>{R"({"allow":true})"}));
    BOOST_TEST(bulk_answers(R"({"allow":[]})").empty());
    BOOST_CHECK_THROW(bulk_answers(R"({"allow":true})"), permit::model_error);
    BOOST_CHECK_THROW(bulk_answers(R"({"result":true})"), permit::model_error);
    BOOST_CHECK_THROW(bulk_answers(R"([{"allow":true}])"), permit::model_error);
    BOOST_CHECK_THROW(bulk_answers("{"), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(a_decoded_model_keeps_no_value_of_the_decoder_arena) {
    using namespace decision_text_test;
    // Objects, arrays and values of every kind, long enough to be allocated, in the model's JSON
    // fields and in its unknown fields; and a body larger than the arena's room on the stack.
    std::string big(8000, 'x');
    const auto body =
        R"({"key":"a-user-key-longer-than-the-small-buffer","email":"someone@example.com",
        "id":"00000000-0000-4000-8000-000000000000","organization_id":"7c60d51f-b44e-4682-87d6",
        "project_id":"405d8375-3514-403b","environment_id":"40ef0e48-a11f-4963",
        "associated_tenants":[],"roles":[],"created_at":"2026-01-01T00:00:00.000000Z",
        "updated_at":"2026-01-01T00:00:00.000000Z",
        "attributes":{"department":"a department name that is long","tags":["one long tag value",
        {"nested":"an object nested in an array, long enough"}],"n":1.5},
        "added_later":{"list":["an item long enough to be allocated"]},"big":")" +
        big + R"("})";
    const auto u = permit::detail::json_decoder<permit::user>{}(reply(body));
    BOOST_TEST(u.key == "a-user-key-longer-than-the-small-buffer");
    BOOST_TEST(on_default_storage(json::value(u.attributes)));
    BOOST_TEST(u.attributes.storage().get() == json::storage_ptr().get());
    BOOST_TEST(u.unknown_fields.storage().get() == json::storage_ptr().get());
    for (const auto& member : u.unknown_fields) BOOST_TEST(on_default_storage(member.value()));
    BOOST_TEST(u.unknown_fields.at("big").as_string() == big);
    BOOST_TEST(json::serialize(u.attributes.at("tags")) ==
               R"(["one long tag value",{"nested":"an object nested in an array, long enough"}])");
}

BOOST_AUTO_TEST_SUITE_END()
