// permit-cpp's side of the wire comparison with the official Node SDK: the ABAC calls of
// wire_abac.js, the same calls in the same order under the same labels, against a
// permit-emulator started with `--request-log` and `--seed wire_abac_seed.json`; wire_compare.js
// then sets each call's requests beside the Node SDK's.
//
//   wire-abac-cpp API_URL
//
// wire_calls.hpp makes the calls, each after its marker, and reports the ones that fail. The PDP
// is the emulator's own, on the same port.
#include "wire_calls.hpp"

#include <permit/permit.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

using call_list = wire::call_list<permit::client>;

// The request bodies and check arguments, built outside the coroutines (g++ 12 rejects nested
// braced lists inside one, and mishandles aggregate temporaries in a co_await expression).
boost::json::object conditions(const char* text) {
    return boost::json::parse(text).as_object();
}
permit::condition_set_create users_over_thirty() {
    return {
        .key = "users_over_thirty",
        .name = "Users over thirty",
        .conditions = conditions(R"({"allOf":[{"allOf":[{"user.age":{"greater-than":30}}]}]})")};
}
permit::condition_set_create from_the_office() {
    return {.key = "from_the_office",
            .name = "From the office",
            .type = permit::condition_set_type::userset,
            .conditions = conditions(R"({"allOf":[{"context.network":{"equals":"office"}}]})")};
}
permit::condition_set_create public_docs() {
    return {.key = "public_docs",
            .name = "Public documents",
            .type = permit::condition_set_type::resourceset,
            .resource_id = "document",
            .description = "Documents anyone may see",
            .conditions =
                conditions(R"({"allOf":[{"allOf":[{"resource.private":{"equals":false}}]}]})")};
}
permit::condition_set_create signed_public_docs() {
    return {.key = "signed_public_docs",
            .name = "Signed public documents",
            .type = permit::condition_set_type::resourceset,
            .resource_id = "document",
            .conditions = conditions(R"({"allOf":[{"resource.signed":{"equals":true}}]})"),
            .parent_id = "public_docs"};
}
permit::condition_set_update over_forty() {
    permit::condition_set_update out;
    out.name = "Users over forty";
    out.conditions = conditions(R"({"allOf":[{"user.age":{"greater-than":40}}]})");
    return out;
}
permit::condition_set_rule_create grant(const std::string& user_set, const std::string& permission,
                                        const std::string& resource_set,
                                        std::optional<bool> is_role = {},
                                        std::optional<bool> is_resource = {}) {
    return {.user_set = user_set,
            .permission = permission,
            .resource_set = resource_set,
            .is_role = is_role,
            .is_resource = is_resource};
}
permit::condition_set_rule_remove revoke(const std::string& user_set, const std::string& permission,
                                         const std::string& resource_set,
                                         std::optional<bool> is_role = {}) {
    return {.user_set = user_set,
            .permission = permission,
            .resource_set = resource_set,
            .is_role = is_role};
}
permit::check_user dave_aged_35() {
    permit::check_user out{.key = "dave"};
    out.attributes["age"] = 35;
    return out;
}
permit::check_resource public_document(std::optional<std::string> key = {}) {
    permit::check_resource out{.type = "document", .key = std::move(key), .tenant = "default"};
    out.attributes["private"] = false;
    return out;
}
boost::json::object at_the_office() {
    return boost::json::object{{"network", "office"}};
}

// The calls, in wire_abac.js's order and with its labels.
call_list calls() {
    call_list out;

    // Condition sets: a userset with the API's default type, one with its type given, a
    // resourceset naming its resource type by key, and a child of it.
    out.add("condition_sets.create(users_over_thirty)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.create(users_over_thirty());
            });
    out.add("condition_sets.create(from_the_office)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.create(from_the_office());
            });
    out.add("condition_sets.create(public_docs)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.create(public_docs());
    });
    out.add("condition_sets.create(signed_public_docs)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.create(signed_public_docs());
            });
    out.add("condition_sets.get(public_docs)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.get("public_docs");
    });
    out.add("condition_sets.list",
            [](permit::client& p) -> asio::awaitable<void> { co_await p.condition_sets.list(); });
    out.add("condition_sets.list(type=resourceset)",
            [](permit::client& p) -> asio::awaitable<void> {
                permit::condition_set_list_query q;
                q.type = permit::condition_set_type::resourceset;
                co_await p.condition_sets.list(q);
            });
    out.add("condition_sets.list(search=thirty)", [](permit::client& p) -> asio::awaitable<void> {
        permit::condition_set_list_query q;
        q.search = "thirty";
        co_await p.condition_sets.list(q);
    });
    out.add("condition_sets.update(users_over_thirty)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.update("users_over_thirty", over_forty());
            });
    out.add("condition_sets.ancestors(signed_public_docs)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.ancestors("signed_public_docs");
            });
    out.add("condition_sets.descendants(public_docs)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.descendants("public_docs");
            });

    // Condition set rules: between two sets, from a role's generated userset, on a resource
    // type's generated resourceset.
    out.add("condition_set_rules.create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.create(
            grant("users_over_thirty", "document:sign", "public_docs"));
    });
    out.add("condition_set_rules.create(is_role)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.create(
            grant("admin", "document:archive", "public_docs", true));
    });
    out.add("condition_set_rules.create(is_resource)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_set_rules.create(
                    grant("from_the_office", "document:read", "document", {}, true));
            });
    out.add("condition_set_rules.list(user_set,permission,resource_set)",
            [](permit::client& p) -> asio::awaitable<void> {
                permit::condition_set_rule_list_query q;
                q.user_set = "users_over_thirty";
                q.permission = "document:sign";
                q.resource_set = "public_docs";
                co_await p.condition_set_rules.list(q);
            });
    out.add("condition_set_rules.list(permission)", [](permit::client& p) -> asio::awaitable<void> {
        permit::condition_set_rule_list_query q;
        q.permission = "document:read";
        co_await p.condition_set_rules.list(q);
    });

    // Checks with attributes given with the request, and with the request's context.
    out.add("check(user and resource attributes)", [](permit::client& p) -> asio::awaitable<void> {
        const auto user = dave_aged_35();
        const auto resource = public_document();
        co_await p.check(user, "sign", resource);
    });
    out.add("check(stored user, instance attributes)",
            [](permit::client& p) -> asio::awaitable<void> {
                const auto resource = public_document("report");
                co_await p.check("asaf", "sign", resource);
            });
    out.add("check(context)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::check_resource resource{.type = "document", .tenant = "default"};
        const auto context = at_the_office();
        co_await p.check("dave", "read", resource, context);
    });

    // Removals.
    out.add("condition_set_rules.remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.remove(
            revoke("users_over_thirty", "document:sign", "public_docs"));
    });
    out.add("condition_set_rules.remove(is_role)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.remove(
            revoke("admin", "document:archive", "public_docs", true));
    });
    out.add("condition_sets.remove(signed_public_docs)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.remove("signed_public_docs");
            });
    out.add("condition_sets.remove(from_the_office)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.condition_sets.remove("from_the_office");
            });
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view program = "wire-abac-cpp";
    const auto url = wire::api_url(argc, argv, program);
    auto cfg = wire::config(url, "permit_key_emulator");
    cfg.pdp_url = url;
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), cfg);
    return wire::run(ioc, program, client, calls(), client);
}
