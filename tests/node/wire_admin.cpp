// permit-cpp's side of the wire comparison of the organization's calls with the official Node
// SDK: the calls of wire_admin.js (projects, environments, API keys, an Elements login), the same
// calls in the same order under the same labels, against a permit-emulator started with
// `--request-log`, `--seed wire_admin_seed.json` and `--org-api-key permit_key_org_emulator`;
// wire_compare.js then sets each call's requests beside the Node SDK's.
//
//   wire-admin-cpp API_URL
//
// wire_calls.hpp makes the calls, each after its marker, and reports the ones that fail. Elements
// logins take the environment's key, the other calls the organization's.
#include "wire_calls.hpp"

#include <permit/permit.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

/// The two clients: the organization's key and the environment's.
struct clients {
    permit::client& org;
    permit::client& env;
};

/// What later calls take from earlier replies: the organization's id, the ids of the copy's
/// environment and of its project, the id of the key made.
struct replies {
    std::string organization, project, environment, key;
};

using call_list = wire::call_list<clients, replies>;

// The request bodies with nested braces, built outside the coroutines (g++ 12 rejects nested
// braced lists inside one).
permit::project_create shop_project() {
    permit::project_create out{.key = "shop", .name = "Shop", .description = "The shop"};
    out.initial_environments =
        std::vector<permit::environment_create>{{.key = "dev", .name = "Development"}};
    return out;
}
permit::project_update shop_update() {
    permit::project_update out{.name = "The shop"};
    out.settings = boost::json::object{{"theme", "dark"}};
    return out;
}
permit::environment_update staging_update() {
    permit::environment_update out;
    out.jwks = permit::jwks_config{.ttl = 60, .url = "https://example.com/jwks"};
    return out;
}
permit::environment_copy copy_to_new() {
    permit::environment_copy out{
        .target_env = {.new_environment = permit::environment_create{.key = "qa", .name = "QA"}}};
    permit::environment_copy_scope scope;
    scope.roles = permit::environment_copy_filter{.exclude = {"test_*"}};
    out.scope = scope;
    return out;
}
permit::environment_copy copy_to_existing() {
    permit::environment_copy out{.target_env = {.existing = "qa"},
                                 .conflict_strategy = "overwrite"};
    permit::environment_copy_scope scope;
    scope.resources = permit::environment_copy_filter{.include = {"document"}};
    scope.roles = permit::environment_copy_filter{.include = {"reader"}};
    out.scope = scope;
    return out;
}
permit::api_key_create ci_key(const replies& r) {
    return {.organization_id = r.organization,
            .project_id = r.project,
            .environment_id = r.environment,
            .object_type = "env",
            .access_level = "read",
            .owner_type = "member",
            .name = "CI"};
}

// The calls, in wire_admin.js's order and with its labels.
call_list calls() {
    call_list out;

    out.add("projects.create(shop)", [](clients& c, replies& r) -> asio::awaitable<void> {
        const auto body = shop_project();
        const auto made = co_await c.org.projects.create(body);
        r.organization = made.organization_id;
    });
    out.add("projects.get(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.projects.get("shop");
    });
    out.add("projects.list",
            [](clients& c, replies&) -> asio::awaitable<void> { co_await c.org.projects.list(); });
    out.add("projects.update(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        const auto changes = shop_update();
        co_await c.org.projects.update("shop", changes);
    });
    out.add("environments.create(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        const permit::environment_create e{
            .key = "staging", .name = "Staging", .description = "Before production"};
        co_await c.org.environments.create("shop", e);
    });
    out.add("environments.get(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.get("shop", "staging");
    });
    out.add("environments.list(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.list("shop");
    });
    out.add("environments.update(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        const auto changes = staging_update();
        co_await c.org.environments.update("shop", "staging", changes);
    });
    out.add("environments.copy(default,production,new)",
            [](clients& c, replies& r) -> asio::awaitable<void> {
                const auto body = copy_to_new();
                const auto copied = co_await c.org.environments.copy("default", "production", body);
                r.project = copied.project_id;
                r.environment = copied.id;
            });
    out.add("environments.copy(default,production,existing)",
            [](clients& c, replies&) -> asio::awaitable<void> {
                const auto body = copy_to_existing();
                co_await c.org.environments.copy("default", "production", body);
            });
    out.add("environments.api_key(default,qa)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.api_key("default", "qa");
    });
    out.add("api_keys.create", [](clients& c, replies& r) -> asio::awaitable<void> {
        const auto body = ci_key(r);
        const auto made = co_await c.org.api_keys.create(body);
        r.key = made.id;
    });
    out.add("api_keys.list(env)", [](clients& c, replies&) -> asio::awaitable<void> {
        const permit::api_key_list_query q{.object_type = "env"};
        co_await c.org.api_keys.list(q);
    });
    out.add("api_keys.get", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.get(r.key);
    });
    out.add("api_keys.rotate_secret", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.rotate_secret(r.key);
    });
    out.add("api_keys.remove", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.remove(r.key);
    });
    out.add("elements.login_as(ann,acme)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.env.elements.login_as("ann", "acme");
    });
    out.add("environments.remove(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.remove("shop", "staging");
    });
    out.add("projects.remove(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.projects.remove("shop");
    });
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view program = "wire-admin-cpp";
    const auto url = wire::api_url(argc, argv, program);
    asio::io_context ioc;
    permit::client org(ioc.get_executor(), wire::config(url, "permit_key_org_emulator"));
    permit::client env(ioc.get_executor(), wire::config(url, "permit_key_emulator"));
    clients c{org, env};
    replies r;
    return wire::run(ioc, program, org, calls(), c, r);
}
