// permit.condition_sets, permit.condition_set_rules and the attributes of `check` against the
// emulator: each call does what its name says and fails with the API's error and reason, the
// lists read bare arrays and envelopes alike, and a check's decision follows the attributes given
// with the request (over the stored ones, key by key) and its context, as the ABAC example of
// permit-python (`tests/test_abac_e2e.py`) and https://docs.permit.io/api/working-with-abac/
// describe it.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/hostile_server.hpp"

namespace abac_client_test {

using namespace permit_test;

/// `document` with its actions; role `admin`; user asaf, 35 as stored, an admin in `default`;
/// carol, an admin too, and dave, who holds no role.
permit::testing::emulator_config seed() {
    permit::testing::emulator_config c;
    c.initial_state = json::parse(R"({
        "resources":[{"key":"document","name":"Document",
                      "actions":{"read":{},"sign":{},"archive":{},"create":{}}}],
        "roles":[{"key":"admin","name":"Admin","permissions":["document:create"]}],
        "users":[{"key":"asaf","email":"asaf@example.com","attributes":{"age":35}},
                 {"key":"carol"},{"key":"dave"}],
        "role_assignments":[{"user":"asaf","role":"admin","tenant":"default"},
                            {"user":"carol","role":"admin","tenant":"default"}]})");
    return c;
}

// The models the coroutines below send, made out of them: g++ 12 fails on some braced lists and
// aggregate temporaries inside a coroutine.

json::object parse_object(const char* text) {
    return json::parse(text).as_object();
}

/// The userset of permit-python's ABAC example: users older than thirty, in the two levels of
/// groups the SDKs and the UI write.
permit::condition_set_create users_over_thirty() {
    return {
        .key = "users_over_thirty",
        .name = "Users over thirty",
        .conditions = parse_object(R"({"allOf":[{"allOf":[{"user.age":{"greater-than":30}}]}]})")};
}

/// The resourceset of the same example: the documents that are not private.
permit::condition_set_create public_docs() {
    return {.key = "public_docs",
            .name = "Public documents",
            .type = permit::condition_set_type::resourceset,
            .resource_id = "document",
            .description = "documents anyone may see",
            .conditions =
                parse_object(R"({"allOf":[{"allOf":[{"resource.private":{"equals":false}}]}]})")};
}

/// A userset that reads the request's context.
permit::condition_set_create from_the_office() {
    return {.key = "from_the_office",
            .name = "From the office",
            .type = permit::condition_set_type::userset,
            .conditions = parse_object(R"({"allOf":[{"context.network":{"equals":"office"}}]})")};
}

/// A userset with no conditions (the API's default).
permit::condition_set_create bare_set(const std::string& key) {
    return {.key = key, .name = key};
}

/// A resourceset whose parent is `public_docs`.
permit::condition_set_create signed_public_docs() {
    return {.key = "signed_public_docs",
            .name = "Signed public documents",
            .type = permit::condition_set_type::resourceset,
            .resource_id = "document",
            .conditions = parse_object(R"({"allOf":[{"resource.signed":{"equals":true}}]})"),
            .parent_id = "public_docs"};
}

permit::condition_set_create with_conditions(const std::string& key, const char* conditions) {
    return {.key = key, .name = key, .conditions = parse_object(conditions)};
}

permit::condition_set_update renamed_over_forty() {
    permit::condition_set_update u;
    u.name = "Users over forty";
    u.conditions = parse_object(R"({"allOf":[{"user.age":{"greater-than":40}}]})");
    return u;
}

permit::condition_set_rule_create rule(const std::string& user_set, const std::string& permission,
                                       const std::string& resource_set) {
    return {.user_set = user_set, .permission = permission, .resource_set = resource_set};
}

permit::condition_set_rule_remove unrule(const std::string& user_set, const std::string& permission,
                                         const std::string& resource_set) {
    return {.user_set = user_set, .permission = permission, .resource_set = resource_set};
}

/// A user as a check carries it, with request-time attributes.
permit::check_user user_aged(const std::string& key, std::optional<int> age) {
    permit::check_user u{.key = key};
    if (age) u.attributes["age"] = *age;
    return u;
}

/// A document of tenant `default` as a check carries it, with request-time attributes.
permit::check_resource document(std::optional<bool> is_private,
                                std::optional<bool> is_signed = {}) {
    permit::check_resource r{.type = "document", .tenant = "default"};
    if (is_private) r.attributes["private"] = *is_private;
    if (is_signed) r.attributes["signed"] = *is_signed;
    return r;
}

json::object network(const char* where) {
    return json::object{{"network", where}};
}

permit::check_query query(const permit::check_user& user, const std::string& action,
                          const permit::check_resource& resource, const json::object& context) {
    return {.user = user, .action = action, .resource = resource, .context = context};
}

std::vector<permit::check_query> pair_of(permit::check_query first, permit::check_query second) {
    std::vector<permit::check_query> out;
    out.push_back(std::move(first));
    out.push_back(std::move(second));
    return out;
}

const std::vector<bool> allowed_then_denied{true, false};

/// The keys of a page's items, in order.
template <class T>
std::vector<std::string> page_keys(const permit::page<T>& p) {
    return keys_of(p.data);
}

/// Every item a pager walks to, and the number of pages it read.
template <class T>
asio::awaitable<std::pair<std::vector<std::string>, int>> walk(permit::pager<T> pages) {
    std::vector<std::string> out;
    int reads = 0;
    while (!pages.done()) {
        const auto items = co_await pages.next();
        ++reads;
        for (const auto& i : items) out.push_back(i.key);
    }
    co_return std::pair{out, reads};
}

/// Whether some 422 item of `d` is located under the body's `conditions`.
bool blames_the_conditions(const permit::diagnostics& d) {
    return std::any_of(d.validation_errors.begin(), d.validation_errors.end(), [](const auto& e) {
        return e.loc.size() >= 2 && e.loc[0] == "body" && e.loc[1] == "conditions";
    });
}

const std::vector<std::string> three_sets{"users_over_thirty", "public_docs", "everyone"};
const std::vector<std::string> only_public_docs{"public_docs"};
const std::vector<std::string> only_signed{"signed_public_docs"};
const std::vector<std::string> users_over_thirty_only{"users_over_thirty"};
const std::vector<std::string> no_keys{};
const permit::page_query one_per_page{.per_page = 1};

BOOST_AUTO_TEST_SUITE(client_abac)

BOOST_AUTO_TEST_CASE(the_models_leave_unset_fields_out_and_read_the_api_s_defaults) {
    const auto minimal = json::value_from(bare_set("everyone"));
    BOOST_TEST(json::serialize(minimal) == R"({"key":"everyone","name":"everyone"})");
    const auto full = json::value_from(public_docs()).as_object();
    BOOST_TEST(full.at("type") == "resourceset");
    BOOST_TEST(full.at("resource_id") == "document");
    BOOST_TEST(full.at("conditions").is_object());
    BOOST_TEST(!full.contains("autogenerated"));
    BOOST_TEST(!full.contains("parent_id"));
    // An update sends only what it changes; conditions given empty are sent, and clear them.
    permit::condition_set_update clear;
    clear.conditions = json::object{};
    BOOST_TEST(json::serialize(json::value_from(clear)) == R"({"conditions":{}})");
    const auto plain_rule = json::value_from(rule("us", "document:read", "rs"));
    BOOST_TEST(json::serialize(plain_rule) ==
               R"({"user_set":"us","permission":"document:read","resource_set":"rs"})");
    auto by_role = unrule("admin", "document:read", "document");
    by_role.is_role = true;
    by_role.is_resource = true;
    const auto flagged = json::value_from(by_role).as_object();
    BOOST_TEST(flagged.at("is_role") == true);
    BOOST_TEST(flagged.at("is_resource") == true);

    // A reply without `type`, `autogenerated` or `conditions` reads as the API's defaults.
    const auto read = json::value_to<permit::condition_set>(
        json::parse(R"({"key":"k","name":"n","id":"i","organization_id":"o","project_id":"p",)"
                    R"("environment_id":"e","created_at":"c","updated_at":"u","extra":1})"));
    BOOST_TEST(read.type == "userset");
    BOOST_TEST(!read.autogenerated);
    BOOST_TEST(read.conditions.empty());
    BOOST_TEST(!read.resource.has_value());
    BOOST_TEST(read.unknown_fields.contains("extra"));
    BOOST_CHECK_THROW(json::value_to<permit::condition_set>(json::parse(R"({"key":"k"})")),
                      permit::model_error);
}

BOOST_AUTO_TEST_CASE(condition_sets_are_created_read_listed_updated_and_removed) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& sets = f.permit.condition_sets;
        const auto over_thirty_body = users_over_thirty();
        const auto public_body = public_docs();
        const auto everyone_body = bare_set("everyone");
        const auto signed_body = signed_public_docs();
        const auto changes = renamed_over_forty();

        const permit::condition_set over_thirty = co_await sets.create(over_thirty_body);
        BOOST_TEST(over_thirty.key == "users_over_thirty");
        BOOST_TEST(over_thirty.name == "Users over thirty");
        BOOST_TEST(over_thirty.type == "userset");  // the API's default
        BOOST_TEST(!over_thirty.autogenerated);
        BOOST_TEST(over_thirty.conditions == over_thirty_body.conditions);
        BOOST_TEST(!over_thirty.resource_id.has_value());
        BOOST_TEST(!over_thirty.id.empty());
        BOOST_TEST(!over_thirty.created_at.empty());

        // A resourceset names its resource type by key; the reply gives its id and the type.
        const permit::condition_set pub = co_await sets.create(public_body);
        BOOST_TEST(pub.type == "resourceset");
        const auto doc_type = co_await f.permit.resources.get("document");
        BOOST_TEST(pub.resource_id == std::optional<std::string>(doc_type.id));
        BOOST_TEST_REQUIRE(pub.resource.has_value());
        BOOST_TEST(pub.resource->key == "document");
        BOOST_TEST(pub.description == std::optional<std::string>("documents anyone may see"));

        const permit::condition_set everyone = co_await sets.create(everyone_body);
        BOOST_TEST(everyone.conditions.empty());  // the API's default, {}

        const auto by_key = co_await sets.get("public_docs");
        BOOST_TEST((by_key == pub));
        const auto by_id = co_await sets.get(pub.id);
        BOOST_TEST((by_id == pub));

        const auto all = co_await sets.list();
        BOOST_TEST(page_keys(all) == three_sets);
        BOOST_TEST(all.total_count == 3);
        permit::condition_set_list_query resourcesets;
        resourcesets.type = permit::condition_set_type::resourceset;
        const auto only_resourcesets = co_await sets.list(resourcesets);
        BOOST_TEST(page_keys(only_resourcesets) == only_public_docs);
        permit::condition_set_list_query thirty;
        thirty.search = "thirty";
        const auto found = co_await sets.list(thirty);
        BOOST_TEST(page_keys(found) == users_over_thirty_only);
        permit::condition_set_list_query second_page{.page = 2, .per_page = 2};
        const auto page2 = co_await sets.list(second_page);
        BOOST_TEST(page2.data.size() == 1u);
        BOOST_TEST(page2.total_count == 3);
        permit::condition_set_list_query one_each{.per_page = 1};
        const auto [walked, reads] = co_await walk(sets.list_all(one_each));
        BOOST_TEST(walked == three_sets);
        BOOST_TEST(reads == 3);  // the envelope's total ends it

        const auto updated = co_await sets.update("users_over_thirty", changes);
        BOOST_TEST(updated.name == "Users over forty");
        BOOST_TEST(updated.conditions == *changes.conditions);
        BOOST_TEST(updated.type == "userset");
        BOOST_TEST(updated.id == over_thirty.id);
        const auto reread = co_await sets.get("users_over_thirty");
        BOOST_TEST((reread == updated));

        // A child set: its ancestors are its parent, the parent's descendants the child.
        const auto child = co_await sets.create(signed_body);
        BOOST_TEST(child.parent_id == std::optional<std::string>(pub.id));
        const auto ancestors = co_await sets.ancestors("signed_public_docs");
        BOOST_TEST(page_keys(ancestors) == only_public_docs);
        const auto descendants = co_await sets.descendants(pub.id);
        BOOST_TEST(page_keys(descendants) == only_signed);
        const auto none_above = co_await sets.ancestors("public_docs", one_per_page);
        BOOST_TEST(none_above.data.empty());

        co_await sets.remove("signed_public_docs");
        co_await sets.remove(everyone.id);
        const auto left = co_await sets.list();
        BOOST_TEST(left.total_count == 2);
        auto [gone, none] =
            co_await sets.get("signed_public_docs", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(a_condition_set_call_fails_with_the_api_s_reason) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& sets = f.permit.condition_sets;
        const auto body = users_over_thirty();
        const auto snake_case =
            with_conditions("snake", R"({"all_of":[{"user.age":{"greater-than":30}}]})");
        const auto unknown_operator = with_conditions(
            "unknown_op", R"({"allOf":[{"user.age":{"greater-than-unsupported":30}}]})");
        const auto changes = renamed_over_forty();
        const permit::condition_set_create orphan{.key = "orphan",
                                                  .name = "Orphan",
                                                  .type = permit::condition_set_type::resourceset,
                                                  .resource_id = "no_such_type"};
        co_await sets.create(body);

        permit::diagnostics diag;
        auto [dup, r1] = co_await sets.create(body, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        BOOST_TEST(diag.status == 409u);
        BOOST_TEST(diag.to_string().find("users_over_thirty") != std::string::npos, diag);

        // Conditions outside the language: 422, each problem located under `conditions`.
        auto [snake, r2] =
            co_await sets.create(snake_case, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(snake == permit::condition::validation_failed);
        BOOST_TEST(diag.status == 422u);
        BOOST_TEST(blames_the_conditions(diag), diag);
        BOOST_TEST(diag.to_string().find("all_of") != std::string::npos, diag);
        auto [op, r3] =
            co_await sets.create(unknown_operator, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(op == permit::condition::validation_failed);
        BOOST_TEST(blames_the_conditions(diag), diag);
        BOOST_TEST(diag.to_string().find("greater-than-unsupported") != std::string::npos, diag);
        // Nothing of either was stored.
        auto [not_stored, r4] = co_await sets.get("snake", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(not_stored == permit::error::not_found);
        permit::condition_set_update bad_update;
        bad_update.conditions = snake_case.conditions;
        auto [bad_change, r5] = co_await sets.update("users_over_thirty", bad_update, diag,
                                                     asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(bad_change == permit::condition::validation_failed);
        const auto unchanged = co_await sets.get("users_over_thirty");
        BOOST_TEST(unchanged.conditions == body.conditions);

        auto [missing, r6] = co_await sets.get("nobody", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
        BOOST_TEST(diag.status == 404u);
        BOOST_TEST(!diag.to_string().empty(), diag);
        auto [no_update, r7] =
            co_await sets.update("nobody", changes, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_update == permit::error::not_found);
        auto [no_remove] = co_await sets.remove("nobody", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_remove == permit::error::not_found);
        auto [no_tree, r8] =
            co_await sets.ancestors("nobody", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_tree == permit::error::not_found);
        auto [no_children, r9] =
            co_await sets.descendants("nobody", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_children == permit::error::not_found);
        auto [no_type, r10] = co_await sets.create(orphan, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_type == permit::error::not_found);
        auto no_parent = bare_set("no_parent");
        no_parent.parent_id = "nobody";
        auto [parent_missing, r11] =
            co_await sets.create(no_parent, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(parent_missing == permit::error::not_found);
    }());
}

BOOST_AUTO_TEST_CASE(set_rules_are_granted_listed_and_taken_away) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        auto& rules = f.permit.condition_set_rules;
        const auto over_thirty_body = users_over_thirty();
        const auto public_body = public_docs();
        const auto sign_public = rule("users_over_thirty", "document:sign", "public_docs");
        const auto read_public = rule("users_over_thirty", "document:read", "public_docs");
        auto admins_archive = rule("admin", "document:archive", "public_docs");
        admins_archive.is_role = true;
        auto over_thirty_read_all = rule("users_over_thirty", "document:read", "document");
        over_thirty_read_all.is_resource = true;
        co_await f.permit.condition_sets.create(over_thirty_body);
        co_await f.permit.condition_sets.create(public_body);

        const std::vector<permit::condition_set_rule> made = co_await rules.create(sign_public);
        BOOST_TEST_REQUIRE(made.size() == 1u);
        BOOST_TEST(made[0].user_set == "users_over_thirty");
        BOOST_TEST(made[0].permission == "document:sign");
        BOOST_TEST(made[0].resource_set == "public_docs");
        BOOST_TEST(made[0].key == "users_over_thirty_can_document_sign_public_docs");
        BOOST_TEST(!made[0].id.empty());
        // Granting it again is not an error, and grants nothing more.
        co_await rules.create(sign_public);
        const auto once = co_await rules.list();
        BOOST_TEST(once.data.size() == 1u);

        // A role stands for its generated userset, a resource type for its generated resourceset.
        const auto by_role = co_await rules.create(admins_archive);
        BOOST_TEST_REQUIRE(by_role.size() == 1u);
        BOOST_TEST(by_role[0].user_set == "__autogen_admin");
        const auto by_type = co_await rules.create(over_thirty_read_all);
        BOOST_TEST_REQUIRE(by_type.size() == 1u);
        BOOST_TEST(by_type[0].resource_set == "__autogen_document");
        co_await rules.create(read_public);

        const auto all = co_await rules.list();
        BOOST_TEST(all.data.size() == 4u);
        permit::condition_set_rule_list_query of_the_set;
        of_the_set.user_set = "users_over_thirty";
        of_the_set.resource_set = "public_docs";
        const auto of_set = co_await rules.list(of_the_set);
        BOOST_TEST(of_set.data.size() == 2u);
        permit::condition_set_rule_list_query reading;
        reading.permission = "document:read";
        const auto read_rules = co_await rules.list(reading);
        BOOST_TEST(read_rules.data.size() == 2u);
        for (const auto& r : read_rules.data) BOOST_TEST(r.permission == "document:read");
        permit::condition_set_rule_list_query archive_public;
        archive_public.permission = "document:archive";
        archive_public.resource_set = "public_docs";
        const auto archived = co_await rules.list(archive_public);
        BOOST_TEST_REQUIRE(archived.data.size() == 1u);
        BOOST_TEST(archived.data[0].id == by_role[0].id);
        // The list is a bare array: the pager reads until a page comes back short.
        permit::condition_set_rule_list_query two_each{.per_page = 2};
        const auto [walked, reads] = co_await walk(rules.list_all(two_each));
        BOOST_TEST(walked.size() == 4u);
        BOOST_TEST(reads == 3);

        const auto gone_body = unrule("users_over_thirty", "document:read", "public_docs");
        co_await rules.remove(gone_body);
        const auto fewer = co_await rules.list(of_the_set);
        BOOST_TEST(fewer.data.size() == 1u);
        // Taking away a rule that is not there is not an error either.
        permit::diagnostics diag;
        auto [again] = co_await rules.remove(gone_body, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!again, diag);

        // A set that does not exist.
        const auto unknown_set = rule("nobody", "document:read", "public_docs");
        auto [missing, r1] =
            co_await rules.create(unknown_set, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
        BOOST_TEST(!diag.to_string().empty(), diag);
        const auto unknown_action = rule("users_over_thirty", "document:burn", "public_docs");
        auto [no_action, r2] =
            co_await rules.create(unknown_action, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_action == permit::error::not_found);
        // A resourceset where the userset goes.
        const auto swapped = rule("public_docs", "document:read", "users_over_thirty");
        auto [wrong_side, r3] =
            co_await rules.create(swapped, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(wrong_side == permit::condition::validation_failed);
        BOOST_TEST(diag.to_string().find("user_set") != std::string::npos, diag);
    }());
}

BOOST_AUTO_TEST_CASE(removing_a_condition_set_takes_its_rules_away) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        const auto over_thirty_body = users_over_thirty();
        const auto public_body = public_docs();
        const auto sign_public = rule("users_over_thirty", "document:sign", "public_docs");
        const auto public_doc = document(false);
        co_await f.permit.condition_sets.create(over_thirty_body);
        co_await f.permit.condition_sets.create(public_body);
        co_await f.permit.condition_set_rules.create(sign_public);
        const bool before = co_await f.permit.check("asaf", "sign", public_doc);
        BOOST_TEST(before);

        co_await f.permit.condition_sets.remove("users_over_thirty");
        const auto left = co_await f.permit.condition_set_rules.list();
        BOOST_TEST(left.data.empty());
        const bool after = co_await f.permit.check("asaf", "sign", public_doc);
        BOOST_TEST(!after);
        // A set of the same key made again does not bring the rule back.
        co_await f.permit.condition_sets.create(over_thirty_body);
        const bool recreated = co_await f.permit.check("asaf", "sign", public_doc);
        BOOST_TEST(!recreated);
    }());
}

BOOST_AUTO_TEST_CASE(the_decision_follows_the_attributes_given_with_the_check) {
    client_fixture f{false, seed()};
    f.run([&]() -> asio::awaitable<void> {
        const auto over_thirty_body = users_over_thirty();
        const auto public_body = public_docs();
        const auto office_body = from_the_office();
        const auto sign_public = rule("users_over_thirty", "document:sign", "public_docs");
        const auto unsign_public = unrule("users_over_thirty", "document:sign", "public_docs");
        auto office_reads = rule("from_the_office", "document:read", "document");
        office_reads.is_resource = true;
        auto admins_archive = rule("admin", "document:archive", "public_docs");
        admins_archive.is_role = true;
        // The arguments of the checks, as locals (see above).
        const auto dave_35 = user_aged("dave", 35);
        const auto dave_20 = user_aged("dave", 20);
        const auto dave = user_aged("dave", {});
        const auto asaf_20 = user_aged("asaf", 20);
        const auto public_doc = document(false);
        const auto private_doc = document(true);
        const auto some_doc = document({});
        const auto office = network("office");
        const auto home = network("home");
        const json::object no_context_at_all;
        const auto public_for_dave_35 = query(dave_35, "sign", public_doc, no_context_at_all);
        const auto public_for_dave_20 = query(dave_20, "sign", public_doc, no_context_at_all);
        const auto both_ages = pair_of(public_for_dave_35, public_for_dave_20);
        const auto from_office = query(dave, "read", some_doc, office);
        co_await f.permit.condition_sets.create(over_thirty_body);
        co_await f.permit.condition_sets.create(public_body);
        co_await f.permit.condition_sets.create(office_body);
        co_await f.permit.condition_set_rules.create(sign_public);
        co_await f.permit.condition_set_rules.create(office_reads);
        co_await f.permit.condition_set_rules.create(admins_archive);

        // Only the user's age given with the request changes (dave has none stored).
        const bool aged_35 = co_await f.permit.check(dave_35, "sign", public_doc);
        BOOST_TEST(aged_35);
        const bool aged_20 = co_await f.permit.check(dave_20, "sign", public_doc);
        BOOST_TEST(!aged_20);
        const bool no_age = co_await f.permit.check(dave, "sign", public_doc);
        BOOST_TEST(!no_age);  // a missing attribute never matches
        // Only the resource's attribute changes.
        const bool private_one = co_await f.permit.check(dave_35, "sign", private_doc);
        BOOST_TEST(!private_one);
        const bool unknown_privacy = co_await f.permit.check(dave_35, "sign", some_doc);
        BOOST_TEST(!unknown_privacy);
        // asaf is 35 as stored; the age given with the check wins over it, for that check only.
        const bool stored_age = co_await f.permit.check("asaf", "sign", public_doc);
        BOOST_TEST(stored_age);
        const bool younger_now = co_await f.permit.check(asaf_20, "sign", public_doc);
        BOOST_TEST(!younger_now);
        const bool stored_again = co_await f.permit.check("asaf", "sign", public_doc);
        BOOST_TEST(stored_again);
        // The same through the whole query, and through bulk_check.
        const bool whole = co_await f.permit.check(public_for_dave_35);
        BOOST_TEST(whole);
        const auto answers = co_await f.permit.bulk_check(both_ages);
        BOOST_TEST(answers == allowed_then_denied);

        // Only the context changes: `check`'s fourth argument, or the query's.
        const bool at_the_office = co_await f.permit.check("dave", "read", "document", office);
        BOOST_TEST(at_the_office);
        const bool at_home = co_await f.permit.check("dave", "read", "document", home);
        BOOST_TEST(!at_home);
        const bool no_context = co_await f.permit.check("dave", "read", "document");
        BOOST_TEST(!no_context);
        permit::diagnostics diag;
        const bool with_resource = co_await f.permit.check("dave", "read", some_doc, office, diag);
        BOOST_TEST(with_resource, diag);
        const bool query_context = co_await f.permit.check(from_office);
        BOOST_TEST(query_context);

        // A rule on a role: the users holding it in the checked tenant.
        const bool admin = co_await f.permit.check("carol", "archive", public_doc);
        BOOST_TEST(admin);
        const bool not_admin = co_await f.permit.check("dave", "archive", public_doc);
        BOOST_TEST(!not_admin);
        const bool admin_private = co_await f.permit.check("carol", "archive", private_doc);
        BOOST_TEST(!admin_private);

        // The rule taken away, the grant goes with it.
        co_await f.permit.condition_set_rules.remove(unsign_public);
        const bool after = co_await f.permit.check(dave_35, "sign", public_doc);
        BOOST_TEST(!after);
    }());
}

// The condition-set list is an envelope in the API's reference and a bare array in the official
// SDKs' types; the rules' create answers an array. Both are read from a scripted server.
BOOST_AUTO_TEST_CASE(a_bare_array_of_condition_sets_and_an_array_of_rules_are_read) {
    const std::string set =
        R"({"key":"vip","name":"VIP","id":"s1","organization_id":"o","project_id":"p",)"
        R"("environment_id":"e","created_at":"2024-01-01T00:00:00Z",)"
        R"("updated_at":"2024-01-01T00:00:00Z","type":"userset",)"
        R"("conditions":{"allOf":[{"user.vip":{"equals":true}}]}})";
    const std::string rule_json =
        R"({"id":"r1","key":"vip_can_document_read_docs","user_set":"vip",)"
        R"("permission":"document:read","resource_set":"docs","organization_id":"o",)"
        R"("project_id":"p","environment_id":"e","created_at":"2024-01-01T00:00:00Z",)"
        R"("updated_at":"2024-01-01T00:00:00Z"})";
    hostile_script script;
    script.steps = {hostile::read_request(),
                    hostile::write(hostile::response(200, "[" + set + "]")),
                    hostile::read_request(),
                    hostile::write(hostile::response(200, "[" + rule_json + "," + rule_json + "]")),
                    hostile::read_request(),
                    hostile::write(hostile::response(200, R"({"not":"an array"})"))};
    hostile_server::options opts;
    opts.scripts.push_back(std::move(script));
    hostile_server srv(std::move(opts));
    asio::io_context ioc;
    permit::config cfg{.api_key = "permit_key_bare", .api_url = srv.url(), .pdp_url = srv.url()};
    cfg.project_id = "default";
    cfg.environment_id = "production";
    cfg.retry = permit::retry_policy::none();
    permit::client permit(ioc.get_executor(), cfg);
    const auto vip_rule = rule("vip", "document:read", "docs");
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            const auto listed = co_await permit.condition_sets.list();
            BOOST_TEST_REQUIRE(listed.data.size() == 1u);
            BOOST_TEST(listed.data[0].key == "vip");
            BOOST_TEST(listed.total_count == 1);
            BOOST_TEST(listed.data[0].conditions.contains("allOf"));
            const auto made = co_await permit.condition_set_rules.create(vip_rule);
            BOOST_TEST(made.size() == 2u);
            permit::diagnostics diag;
            auto [bad, none] = co_await permit.condition_set_rules.create(
                vip_rule, diag, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(bad == permit::error::invalid_response);
            BOOST_TEST(diag.to_string().find("condition_set_rules") != std::string::npos, diag);
        }(),
        15s);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace abac_client_test
