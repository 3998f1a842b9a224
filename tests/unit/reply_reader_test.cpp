// A reply is decoded as the parser reads it (<permit/detail/reply_reader.hpp>), with no document:
// for every text, the result, or the error and its message, must be those of the model's
// conversion from a document (`value_to` over `parse_body`), which the rest of the suite tests
// against the API reference. The texts are the golden examples of the API reference and every
// variant of them a server could send by mistake: each field absent, null, or of each other JSON
// type; a nested field wrong; unknown fields; escaped strings and keys (which the parser hands over
// in parts); and texts that are not JSON, or not an object.
#include <permit/detail/response_body.hpp>
#include <permit/models.hpp>

#include "support/golden.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace json = boost::json;

namespace {

/// What a decoding gave: the model written back as JSON, or the error's kind and message.
struct outcome {
    bool decoded = false;
    std::string text;
};

template <class Decode>
outcome outcome_of(Decode decode) {
    try {
        return {true, json::serialize(json::value_from(decode()))};
    } catch (const permit::model_error& e) {
        return {false, std::string("model_error: ") + e.what()};
    } catch (const boost::system::system_error& e) {
        return {false, std::string("system_error: ") + e.what()};
    }
}

template <class T>
void decodes_as_the_document_does(const std::string& body) {
    const auto expected = outcome_of([&] {
        permit::detail::reply_arena arena;
        return json::value_to<T>(permit::detail::parse_body(body, arena.storage()));
    });
    const auto got = outcome_of([&] { return permit::detail::read_reply<T>(body); });
    BOOST_TEST_CONTEXT("body: " << body) {
        BOOST_TEST(got.decoded == expected.decoded);
        BOOST_TEST(got.text == expected.text);
    }
}

/// A value of each JSON type, and numbers at the edges of the integer types.
std::vector<json::value> every_kind_of_value() {
    return {nullptr,
            true,
            0,
            -1,
            1.5,
            json::value(std::uint64_t(18446744073709551615ull)),
            "text",
            json::array{1, "two"},
            json::object{{"k", "v"}}};
}

/// The texts of `example` and of its variants (see the top of this file).
std::vector<std::string> variants_of(const json::object& example) {
    std::vector<std::string> out{json::serialize(example)};
    const auto values = every_kind_of_value();
    for (const auto& field : example) {
        auto without = example;
        without.erase(field.key());
        out.push_back(json::serialize(without));
        for (const auto& v : values) {
            auto changed = example;
            changed[field.key()] = v;
            out.push_back(json::serialize(changed));
        }
        // One level down: each field of a nested object, or of an array's first object.
        json::object* nested = nullptr;
        auto changed = example;
        if (auto* o = changed[field.key()].if_object())
            nested = o;
        else if (auto* a = changed[field.key()].if_array(); a && !a->empty())
            nested = (*a)[0].if_object();
        if (!nested) continue;
        const auto keys = [&] {
            std::vector<std::string> k;
            for (const auto& f : *nested) k.emplace_back(f.key());
            return k;
        }();
        for (const auto& key : keys) {
            const auto kept = (*nested)[key];
            (*nested)[key] = 12345;
            out.push_back(json::serialize(changed));
            (*nested)[key] = nullptr;
            out.push_back(json::serialize(changed));
            (*nested)[key] = kept;
        }
    }
    auto unknown = example;
    unknown["added_later"] = json::object{{"list", json::array{1, json::object{{"b", nullptr}}}}};
    unknown["added_text"] = "x";
    out.push_back(json::serialize(unknown));
    // A key given twice: the last value is the one kept.
    if (!example.empty()) {
        const auto& first = *example.begin();
        const json::value earlier =
            first.value().is_string() ? json::value("earlier") : first.value();
        const auto member = json::serialize(json::object{{first.key(), earlier}});
        out.push_back("{" + member.substr(1, member.size() - 2) + "," +
                      json::serialize(example).substr(1));
    }
    return out;
}

/// Strings and keys with escapes: the parser gives them in parts, at the model's level and below.
std::vector<std::string> escaped_variants_of(const json::object& example) {
    std::vector<std::string> out;
    const std::string long_text(3000, 'a');
    for (const auto& field : example) {
        if (!field.value().is_string()) continue;
        auto changed = example;
        changed[field.key()] = "line\none \"quoted\" \\ " + long_text + "\t" + long_text + "\u00e9";
        out.push_back(json::serialize(changed));
    }
    auto changed = example;
    changed["key\twith an escape " + long_text + "\n" + long_text] =
        json::object{{"inner\nkey " + long_text + "\n" + long_text, "inner\nvalue"}};
    out.push_back(json::serialize(changed));
    return out;
}

template <class T>
void every_variant_decodes_as_the_document_does(const std::string& golden_file) {
    const auto example = permit_test::golden(golden_file);
    BOOST_REQUIRE(example.is_object());
    for (const auto& body : variants_of(example.get_object()))
        decodes_as_the_document_does<T>(body);
    for (const auto& body : escaped_variants_of(example.get_object()))
        decodes_as_the_document_does<T>(body);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_reader)

BOOST_AUTO_TEST_CASE(every_variant_of_the_golden_replies_decodes_as_the_document_does) {
    every_variant_decodes_as_the_document_does<permit::user>("user_read.json");
    every_variant_decodes_as_the_document_does<permit::tenant>("tenant_read.json");
    every_variant_decodes_as_the_document_does<permit::role>("role_read.json");
    every_variant_decodes_as_the_document_does<permit::resource>("resource_read.json");
    every_variant_decodes_as_the_document_does<permit::role_assignment>(
        "role_assignment_read.json");
    every_variant_decodes_as_the_document_does<permit::relationship_tuple>(
        "relationship_tuple_read.json");
    every_variant_decodes_as_the_document_does<permit::resource_instance>(
        "resource_instance_read.json");
    every_variant_decodes_as_the_document_does<permit::bulk_role_assignment_report>(
        "bulk_role_assignment_report.json");
    every_variant_decodes_as_the_document_does<permit::bulk_role_unassignment_report>(
        "bulk_role_unassignment_report.json");
    every_variant_decodes_as_the_document_does<permit::api_key_scope>("api_key_scope.json");
}

BOOST_AUTO_TEST_CASE(a_text_that_is_not_json_or_not_an_object_fails_as_the_document_does) {
    const std::string valid_start = R"({"key":"u1","id":5,"email":)";
    for (const std::string& body :
         {std::string(), std::string("{"), std::string(R"({"key":"u1"} x)"),
          std::string(R"({"key":"u1",})"), valid_start, valid_start + "\"a\xff\"}",
          std::string("[1,2]"), std::string("\"text\""), std::string("null"), std::string("17"),
          std::string(R"([{"key":"u1"}])"), std::string(" {} "),
          std::string(R"({"key":"u1"} // a comment)"),
          R"({"key":"u1","attributes":)" + std::string(40, '[') + std::string(40, ']') + "}",
          R"({"key":"u1","attributes":)" + std::string(30, '[') + std::string(30, ']') + "}"})
        decodes_as_the_document_does<permit::user>(body);
}

BOOST_AUTO_TEST_CASE(the_fields_are_read_into_the_model) {
    // The comparison above holds for any two decoders that agree; this one says what they agree on.
    const auto u = permit::detail::read_reply<permit::user>(
        R"({"key":"u\"1","id":"i","organization_id":"o","project_id":"p","environment_id":"e",)"
        R"("created_at":"c","updated_at":"u","email":null,"first_name":"Ann","roles":[],)"
        R"("associated_tenants":[{"tenant":"t","roles":["admin"],"status":"active"}],)"
        R"("attributes":{"age":30},)"
        R"("plan":{"tier":"pro"}})");
    BOOST_TEST(u.key == "u\"1");
    BOOST_TEST(u.environment_id == "e");
    BOOST_TEST(!u.email.has_value());
    BOOST_TEST(u.first_name.value_or("") == "Ann");
    BOOST_TEST(!u.last_name.has_value());
    BOOST_REQUIRE_EQUAL(u.associated_tenants.size(), 1u);
    BOOST_TEST(u.associated_tenants[0].roles == std::vector<std::string>{"admin"});
    BOOST_TEST(u.attributes.at("age") == 30);
    BOOST_TEST(u.unknown_fields.at("plan") == (json::object{{"tier", "pro"}}));
}

BOOST_AUTO_TEST_SUITE_END()
