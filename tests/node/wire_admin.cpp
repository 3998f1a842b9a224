// permit-cpp's side of the wire comparison of the organization's calls with the official Node
// SDK: the calls of wire_admin.js (projects, environments, API keys, an Elements login), the same
// calls in the same order under the same labels, against a permit-emulator started with
// `--request-log`, `--seed wire_admin_seed.json` and `--org-api-key permit_key_org_emulator`;
// wire_compare.js then sets each call's requests beside the Node SDK's.
//
//   wire-admin-cpp API_URL
//
// Before each call it sends `GET /wire-call/<label>` (a path the emulator does not serve, so it
// changes nothing): the marker that tells the comparison which requests belong to which call.
// A call that fails is reported and the next one made; the exit status is then 1. Elements logins
// take the environment's key, the other calls the organization's.
#include <permit/permit.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
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

using step = std::function<asio::awaitable<void>(clients&, replies&)>;

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
std::vector<std::pair<std::string, step>> calls() {
    std::vector<std::pair<std::string, step>> out;
    auto add = [&](std::string label, step s) { out.emplace_back(std::move(label), std::move(s)); };

    add("projects.create(shop)", [](clients& c, replies& r) -> asio::awaitable<void> {
        const auto body = shop_project();
        const auto made = co_await c.org.projects.create(body);
        r.organization = made.organization_id;
    });
    add("projects.get(shop)",
        [](clients& c, replies&) -> asio::awaitable<void> { co_await c.org.projects.get("shop"); });
    add("projects.list",
        [](clients& c, replies&) -> asio::awaitable<void> { co_await c.org.projects.list(); });
    add("projects.update(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        const auto changes = shop_update();
        co_await c.org.projects.update("shop", changes);
    });
    add("environments.create(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        const permit::environment_create e{
            .key = "staging", .name = "Staging", .description = "Before production"};
        co_await c.org.environments.create("shop", e);
    });
    add("environments.get(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.get("shop", "staging");
    });
    add("environments.list(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.list("shop");
    });
    add("environments.update(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        const auto changes = staging_update();
        co_await c.org.environments.update("shop", "staging", changes);
    });
    add("environments.copy(default,production,new)",
        [](clients& c, replies& r) -> asio::awaitable<void> {
            const auto body = copy_to_new();
            const auto copied = co_await c.org.environments.copy("default", "production", body);
            r.project = copied.project_id;
            r.environment = copied.id;
        });
    add("environments.copy(default,production,existing)",
        [](clients& c, replies&) -> asio::awaitable<void> {
            const auto body = copy_to_existing();
            co_await c.org.environments.copy("default", "production", body);
        });
    add("environments.api_key(default,qa)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.api_key("default", "qa");
    });
    add("api_keys.create", [](clients& c, replies& r) -> asio::awaitable<void> {
        const auto body = ci_key(r);
        const auto made = co_await c.org.api_keys.create(body);
        r.key = made.id;
    });
    add("api_keys.list(env)", [](clients& c, replies&) -> asio::awaitable<void> {
        const permit::api_key_list_query q{.object_type = "env"};
        co_await c.org.api_keys.list(q);
    });
    add("api_keys.get", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.get(r.key);
    });
    add("api_keys.rotate_secret", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.rotate_secret(r.key);
    });
    add("api_keys.remove", [](clients& c, replies& r) -> asio::awaitable<void> {
        co_await c.org.api_keys.remove(r.key);
    });
    add("elements.login_as(ann,acme)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.env.elements.login_as("ann", "acme");
    });
    add("environments.remove(shop,staging)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.environments.remove("shop", "staging");
    });
    add("projects.remove(shop)", [](clients& c, replies&) -> asio::awaitable<void> {
        co_await c.org.projects.remove("shop");
    });
    return out;
}

// Makes every call after its marker; returns how many failed.
asio::awaitable<int> run(clients c) {
    const auto steps = calls();
    replies r;
    int failed = 0;
    for (const auto& [label, call] : steps) {
        // The emulator answers the marker 404: an error here, and expected.
        const permit::raw_request marker{.target = "/wire-call/" + encode_segment(label)};
        co_await c.org.request(marker, asio::as_tuple(asio::use_awaitable));
        try {
            co_await call(c, r);
        } catch (const std::exception& e) {
            // The library's errors never hold a key or a secret.
            ++failed;
            std::cerr << "wire-admin-cpp: " << label << " failed: " << e.what() << "\n";
        }
    }
    std::cout << "wire-admin-cpp: " << steps.size() << " calls, " << failed << " failed"
              << std::endl;
    co_return failed;
}

permit::config config_for(const char* url, std::string key) {
    permit::config cfg;
    cfg.api_key = std::move(key);
    cfg.api_url = url;
    return cfg;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: wire-admin-cpp API_URL\n";
        return 2;
    }
    asio::io_context ioc;
    permit::client org(ioc.get_executor(), config_for(argv[1], "permit_key_org_emulator"));
    permit::client env(ioc.get_executor(), config_for(argv[1], "permit_key_emulator"));
    int failed = -1;
    asio::co_spawn(ioc, run(clients{org, env}), [&](std::exception_ptr e, int n) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "wire-admin-cpp: " << x.what() << "\n";
            }
        }
        failed = e ? -1 : n;
    });
    ioc.run();
    return failed == 0 ? 0 : 1;
}
