// permit-cpp's side of the wire comparison with the official Node SDK: the ABAC calls of
// wire_abac.js, the same calls in the same order under the same labels, against a
// permit-emulator started with `--request-log` and `--seed wire_abac_seed.json`; wire_compare.js
// then sets each call's requests beside the Node SDK's.
//
//   wire-abac-cpp API_URL
//
// Before each call it sends `GET /wire-call/<label>` (a path the emulator does not serve, so it
// changes nothing): the marker that tells the comparison which requests belong to which call.
// The PDP is the emulator's own, on the same port. A call that fails is reported and the next one
// made; the exit status is then 1.
#include <permit/permit.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

using step = std::function<asio::awaitable<void>(permit::client&)>;

// The label as one path segment: every byte but the unreserved ones percent-encoded (the
// comparison decodes it).
std::string encode_segment(const std::string& label) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : label) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

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
std::vector<std::pair<std::string, step>> calls() {
    std::vector<std::pair<std::string, step>> out;
    auto add = [&](std::string label, step s) { out.emplace_back(std::move(label), std::move(s)); };

    // Condition sets: a userset with the API's default type, one with its type given, a
    // resourceset naming its resource type by key, and a child of it.
    add("condition_sets.create(users_over_thirty)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.create(users_over_thirty());
    });
    add("condition_sets.create(from_the_office)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.create(from_the_office());
    });
    add("condition_sets.create(public_docs)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.create(public_docs());
    });
    add("condition_sets.create(signed_public_docs)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.condition_sets.create(signed_public_docs());
        });
    add("condition_sets.get(public_docs)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.get("public_docs");
    });
    add("condition_sets.list",
        [](permit::client& p) -> asio::awaitable<void> { co_await p.condition_sets.list(); });
    add("condition_sets.list(type=resourceset)", [](permit::client& p) -> asio::awaitable<void> {
        permit::condition_set_list_query q;
        q.type = permit::condition_set_type::resourceset;
        co_await p.condition_sets.list(q);
    });
    add("condition_sets.list(search=thirty)", [](permit::client& p) -> asio::awaitable<void> {
        permit::condition_set_list_query q;
        q.search = "thirty";
        co_await p.condition_sets.list(q);
    });
    add("condition_sets.update(users_over_thirty)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.update("users_over_thirty", over_forty());
    });
    add("condition_sets.ancestors(signed_public_docs)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.condition_sets.ancestors("signed_public_docs");
        });
    add("condition_sets.descendants(public_docs)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.descendants("public_docs");
    });

    // Condition set rules: between two sets, from a role's generated userset, on a resource
    // type's generated resourceset.
    add("condition_set_rules.create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.create(
            grant("users_over_thirty", "document:sign", "public_docs"));
    });
    add("condition_set_rules.create(is_role)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.create(
            grant("admin", "document:archive", "public_docs", true));
    });
    add("condition_set_rules.create(is_resource)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.create(
            grant("from_the_office", "document:read", "document", {}, true));
    });
    add("condition_set_rules.list(user_set,permission,resource_set)",
        [](permit::client& p) -> asio::awaitable<void> {
            permit::condition_set_rule_list_query q;
            q.user_set = "users_over_thirty";
            q.permission = "document:sign";
            q.resource_set = "public_docs";
            co_await p.condition_set_rules.list(q);
        });
    add("condition_set_rules.list(permission)", [](permit::client& p) -> asio::awaitable<void> {
        permit::condition_set_rule_list_query q;
        q.permission = "document:read";
        co_await p.condition_set_rules.list(q);
    });

    // Checks with attributes given with the request, and with the request's context.
    add("check(user and resource attributes)", [](permit::client& p) -> asio::awaitable<void> {
        const auto user = dave_aged_35();
        const auto resource = public_document();
        co_await p.check(user, "sign", resource);
    });
    add("check(stored user, instance attributes)", [](permit::client& p) -> asio::awaitable<void> {
        const auto resource = public_document("report");
        co_await p.check("asaf", "sign", resource);
    });
    add("check(context)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::check_resource resource{.type = "document", .tenant = "default"};
        const auto context = at_the_office();
        co_await p.check("dave", "read", resource, context);
    });

    // Removals.
    add("condition_set_rules.remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.remove(
            revoke("users_over_thirty", "document:sign", "public_docs"));
    });
    add("condition_set_rules.remove(is_role)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_set_rules.remove(
            revoke("admin", "document:archive", "public_docs", true));
    });
    add("condition_sets.remove(signed_public_docs)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.condition_sets.remove("signed_public_docs");
        });
    add("condition_sets.remove(from_the_office)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.condition_sets.remove("from_the_office");
    });
    return out;
}

// Makes every call after its marker; returns how many failed.
asio::awaitable<int> run(permit::client& p) {
    const auto steps = calls();
    int failed = 0;
    for (const auto& [label, call] : steps) {
        // The emulator answers the marker 404: an error here, and expected.
        const permit::raw_request marker{.target = "/wire-call/" + encode_segment(label)};
        co_await p.request(marker, asio::as_tuple(asio::use_awaitable));
        try {
            co_await call(p);
        } catch (const std::exception& e) {
            ++failed;
            std::cerr << "wire-abac-cpp: " << label << " failed: " << e.what() << "\n";
        }
    }
    std::cout << "wire-abac-cpp: " << steps.size() << " calls, " << failed << " failed"
              << std::endl;
    co_return failed;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: wire-abac-cpp API_URL\n";
        return 2;
    }
    permit::config cfg;
    cfg.api_key = "permit_key_emulator";
    cfg.api_url = argv[1];
    cfg.pdp_url = argv[1];
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), cfg);
    int failed = -1;
    asio::co_spawn(ioc, run(client), [&](std::exception_ptr e, int n) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "wire-abac-cpp: " << x.what() << "\n";
            }
        }
        failed = e ? -1 : n;
    });
    ioc.run();
    return failed == 0 ? 0 : 1;
}
