// permit.projects, environments, api_keys and elements against the emulator: each call does what
// its name says and fails with the API's error; a key made or read through them works with its
// own client, in its own environment; and no key's secret ever reaches a diagnostics object, an
// exception or a log line, even from a server whose reply cannot be read.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/hostile_server.hpp"

namespace projects_client_test {

using namespace permit_test;

const std::string org_secret = "permit_key_org_of_the_client_tests";

/// An organization-level key besides the environment's; tenant `acme` with member ann, and bob
/// outside it; a resource type and a role to copy.
permit::testing::emulator_config seed() {
    permit::testing::emulator_config c;
    c.more_api_keys = {{.key = org_secret, .level = permit::testing::key_level::organization}};
    c.initial_state = json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{},"edit":{}}},
                     {"key":"test_widget","name":"Widget","actions":{"use":{}}}],
        "roles":[{"key":"reader","name":"Reader","permissions":["document:read"]}],
        "tenants":[{"key":"acme","name":"Acme"}],
        "users":[{"key":"ann","role_assignments":[{"role":"reader","tenant":"acme"}]},
                 {"key":"bob"}]})");
    return c;
}

/// The emulator of `seed()`, the fixture's client (the environment's key) and a client with the
/// organization's key.
struct org_fixture : client_fixture {
    org_fixture() : client_fixture(false, seed()), org(make_client(with_key(org_secret))) {}

    /// The fixture's client config with another key.
    permit::config with_key(const std::string& key) const {
        auto cfg = client_config();
        cfg.api_key = key;
        return cfg;
    }

    std::unique_ptr<permit::client> org;
};

// The models the coroutines below send, made out of them: g++ 12 fails on some braced lists and
// aggregate temporaries inside a coroutine.

permit::project_create shop_project() {
    return {.key = "shop", .name = "Shop", .description = "The shop"};
}

permit::project_create bare_project(const std::string& key) {
    return {
        .key = key, .name = key, .initial_environments = std::vector<permit::environment_create>{}};
}

permit::project_update renamed_project() {
    permit::project_update u;
    u.name = "The shop";
    u.settings = json::object{{"theme", "dark"}};
    return u;
}

permit::environment_create environment(const std::string& key) {
    return {.key = key, .name = key};
}

permit::environment_update with_jwks() {
    permit::environment_update u;
    u.description = "Before production";
    u.jwks = permit::jwks_config{.ttl = 60, .url = "https://example.com/jwks"};
    return u;
}

permit::environment_copy copy_to_new(const std::string& key) {
    permit::environment_copy c{.target_env = {.new_environment = environment(key)}};
    permit::environment_copy_scope scope;
    scope.resources = permit::environment_copy_filter{.exclude = {"test_*"}};
    c.scope = scope;
    return c;
}

permit::environment_copy copy_to_existing(const std::string& key, const std::string& strategy) {
    return {.target_env = {.existing = key}, .conflict_strategy = strategy};
}

permit::api_key_create env_key(const std::string& org, const std::string& project,
                               const std::string& env) {
    return {.organization_id = org,
            .project_id = project,
            .environment_id = env,
            .access_level = "admin",
            .name = "CI"};
}

permit::api_key_create org_key(const std::string& org) {
    return {.organization_id = org, .object_type = "org"};
}

permit::api_key_list_query of_type(const std::string& type) {
    return {.object_type = type};
}

permit::user_create user(const std::string& key) {
    return {.key = key};
}

permit::resource_update renamed_document() {
    permit::resource_update u;
    u.name = "Staging document";
    return u;
}

json::object url_content(const std::string& url) {
    return {{"url", url}};
}

std::optional<json::object> dark_theme() {
    return json::object{{"theme", "dark"}};
}

const permit::page_query one_per_page{.per_page = 1};
const std::vector<std::string> dev_and_production{"dev", "production"};
const std::vector<std::string> default_shop{"default", "shop"};
const std::vector<std::string> only_document{"document"};
const std::vector<std::string> document_read{"document:read"};
const permit::environment_create production_again = environment("production");
const permit::environment_create staging_env = environment("staging");
const permit::project_create mine_project = bare_project("mine");
const permit::project_create bad_project{.key = "no spaces", .name = "Bad"};
const permit::environment_copy copy_to_staging = copy_to_new("staging");
const permit::environment_copy fail_into_staging = copy_to_existing("staging", "fail");
const permit::environment_copy overwrite_staging = copy_to_existing("staging", "overwrite");
const permit::environment_copy into_nowhere = copy_to_existing("nowhere", "fail");
const permit::environment_copy merge_into_staging = copy_to_existing("staging", "merge");
const permit::api_key_list_query org_keys = of_type("org");
const permit::api_key_list_query env_keys = of_type("env");
const permit::api_key_list_query team_keys = of_type("team");
const permit::user_create zoe_user = user("zoe");

/// The keys a pager walks to.
template <class T>
asio::awaitable<std::vector<std::string>> walk(permit::pager<T> pages) {
    std::vector<std::string> out;
    while (!pages.done())
        for (const auto& item : co_await pages.next()) out.push_back(item.key);
    co_return out;
}

BOOST_AUTO_TEST_SUITE(client_projects)

BOOST_FIXTURE_TEST_CASE(projects_are_created_read_listed_updated_and_removed, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        auto& projects = org->projects;
        const auto body = shop_project();
        const permit::project made = co_await projects.create(body);
        BOOST_TEST(made.key == "shop");
        BOOST_TEST(made.description == std::optional<std::string>("The shop"));
        BOOST_TEST(made.organization_id == emu.config().organization_id);
        BOOST_TEST((co_await projects.get("shop") == made));
        BOOST_TEST((co_await projects.get(made.id) == made));
        const auto listed = co_await projects.list();
        BOOST_TEST(keys_of(listed.data) == default_shop);
        BOOST_TEST(listed.total_count == 2);  // a bare array: the page's size
        BOOST_TEST(co_await walk(projects.list_all(one_per_page)) == default_shop);
        // The API's default environments came with it.
        const auto envs = co_await org->environments.list("shop");
        BOOST_TEST(keys_of(envs.data) == dev_and_production);

        const auto changes = renamed_project();
        const auto updated = co_await projects.update("shop", changes);
        BOOST_TEST(updated.name == "The shop");
        BOOST_TEST(updated.settings == dark_theme());
        co_await projects.remove("shop");

        permit::diagnostics diag;
        auto [gone, nothing] =
            co_await projects.get("shop", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        BOOST_TEST(diag.to_string().find("Project") != std::string::npos, diag);
        // Its environments went with it.
        auto [no_envs, none] =
            co_await org->environments.list("shop", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_envs == permit::error::not_found);
        co_await projects.create(body);
        auto [again, unused] =
            co_await projects.create(body, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(again == permit::error::conflict);
        BOOST_TEST(diag.to_string().find("already exists") != std::string::npos, diag);
        auto [own] = co_await projects.remove("default", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(own == permit::error::forbidden);
        auto [invalid, no] =
            co_await projects.create(bad_project, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(invalid == permit::condition::validation_failed);
        BOOST_TEST(!diag.validation_errors.empty(), diag);
        // The environment's key may not make projects.
        auto [refused, nope] =
            co_await permit.projects.create(mine_project, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::error::forbidden);
    }());
}

BOOST_FIXTURE_TEST_CASE(environments_are_created_read_listed_updated_and_removed, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        auto& envs = org->environments;
        const permit::environment made = co_await envs.create("default", staging_env);
        BOOST_TEST(made.key == "staging");
        BOOST_TEST(made.project_id == emu.config().project_id);
        BOOST_TEST(!made.email_configuration.has_value());  // EnvironmentRead
        const auto read = co_await envs.get("default", "staging");
        BOOST_TEST(read.id == made.id);
        BOOST_TEST(read.email_configuration.has_value());
        BOOST_TEST((co_await envs.get(emu.config().project_id, made.id) == read));
        const auto listed = co_await envs.list("default");
        BOOST_TEST(listed.data.size() == 2u);
        const auto walked = co_await walk(envs.list_all("default", one_per_page));
        BOOST_TEST(walked.size() == 2u);

        const auto changes = with_jwks();
        const auto updated = co_await envs.update("default", "staging", changes);
        BOOST_TEST(updated.description == std::optional<std::string>("Before production"));
        BOOST_TEST_REQUIRE(updated.jwks.has_value());
        BOOST_TEST(updated.jwks->ttl == std::optional<std::int64_t>(60));
        co_await envs.remove("default", "staging");

        permit::diagnostics diag;
        auto [gone, nothing] =
            co_await envs.get("default", "staging", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        BOOST_TEST(diag.to_string().find("Environment") != std::string::npos, diag);
        auto [dup, none] =
            co_await envs.create("default", production_again, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(dup == permit::error::conflict);
        auto [no_project, no] =
            co_await envs.list("nowhere", {}, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_project == permit::error::not_found);
        auto [own] =
            co_await envs.remove("default", "production", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(own == permit::error::forbidden);
        auto [missing, unchanged] = co_await envs.update("default", "nowhere", changes,
                                                         asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
    }());
}

BOOST_FIXTURE_TEST_CASE(an_environment_is_copied_with_its_policy_only, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        auto& envs = org->environments;
        const permit::environment copied =
            co_await envs.copy("default", "production", copy_to_staging);
        BOOST_TEST(copied.key == "staging");
        // A client of the copy's own key finds the policy, not the users.
        const auto key = co_await envs.api_key("default", "staging");
        BOOST_TEST_REQUIRE(key.secret.has_value());
        auto staging = make_client(with_key(*key.secret));
        const auto resources = co_await staging->resources.list();
        BOOST_TEST(keys_of(resources.data) == only_document);  // test_* left out
        BOOST_TEST((co_await staging->roles.get("reader")).permissions == document_read);
        const auto users = co_await staging->users.list();
        BOOST_TEST(users.data.empty());

        // Into an existing environment: what it has fails the copy, unless overwritten.
        const auto renamed = renamed_document();
        co_await staging->resources.update("document", renamed);
        permit::diagnostics diag;
        auto [conflict, nothing] = co_await envs.copy("default", "production", fail_into_staging,
                                                      diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(conflict == permit::error::conflict);
        BOOST_TEST(diag.to_string().find("resource 'document'") != std::string::npos, diag);
        BOOST_TEST((co_await staging->resources.get("document")).name == "Staging document");
        co_await envs.copy("default", "production", overwrite_staging);
        BOOST_TEST((co_await staging->resources.get("document")).name == "Document");
        auto [no_target, none] = co_await envs.copy("default", "production", into_nowhere,
                                                    asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_target == permit::error::not_found);
        auto [bad, no] = co_await envs.copy("default", "production", merge_into_staging,
                                            asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(bad == permit::condition::validation_failed);
    }());
}

BOOST_FIXTURE_TEST_CASE(an_environment_s_api_key_works_in_that_environment_only, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        // The emulator's environment answers with the key the fixture's client uses.
        const auto own = co_await permit.environments.api_key("default", "production");
        BOOST_TEST(own.secret == std::optional<std::string>(emu.config().api_key));
        BOOST_TEST(own.object_type == std::optional<std::string>("env"));
        BOOST_TEST_REQUIRE(own.env.has_value());
        BOOST_TEST(own.env->key == "production");

        co_await org->environments.create("default", staging_env);
        const auto key = co_await org->environments.api_key("default", "staging");
        BOOST_TEST_REQUIRE(key.secret.has_value());
        BOOST_TEST(*key.secret != emu.config().api_key);
        auto staging = make_client(with_key(*key.secret));
        co_await staging->users.create(zoe_user);
        BOOST_TEST((co_await staging->users.get("zoe")).environment_id == *key.environment_id);
        BOOST_TEST(stored("users", "zoe").is_null());  // not in the emulator's environment
        auto [refused, nothing] = co_await staging->environments.api_key(
            "default", "production", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::error::forbidden);
        auto [unknown, none] = co_await org->environments.api_key(
            "default", "nowhere", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(unknown == permit::error::not_found);
    }());
}

BOOST_FIXTURE_TEST_CASE(api_keys_are_created_listed_read_rotated_and_removed, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        auto& keys = org->api_keys;
        const auto& org_id = emu.config().organization_id;
        const auto body = env_key(org_id, "default", "production");
        const permit::api_key made = co_await keys.create(body);
        BOOST_TEST(made.object_type == std::optional<std::string>("env"));
        BOOST_TEST(made.name == std::optional<std::string>("CI"));
        BOOST_TEST(made.environment_id == std::optional<std::string>(emu.config().environment_id));
        BOOST_TEST_REQUIRE(made.secret.has_value());
        BOOST_TEST((co_await keys.get(made.id) == made));

        // The new key works: a client of it creates a user in the environment.
        auto client_of_key = make_client(with_key(*made.secret));
        co_await client_of_key->users.create(zoe_user);
        BOOST_TEST(!stored("users", "zoe").is_null());

        const auto all = co_await keys.list();
        BOOST_TEST(all.total_count == 3);  // the configured two and the new one
        const auto orgs = co_await keys.list(org_keys);
        BOOST_TEST(orgs.total_count == 1);
        const auto org_body = org_key(org_id);
        co_await keys.create(org_body);
        BOOST_TEST((co_await keys.list(org_keys)).total_count == 2);
        BOOST_TEST((co_await keys.list(env_keys)).total_count == 2);

        const auto rotated = co_await keys.rotate_secret(made.id);
        BOOST_TEST(rotated.id == made.id);
        BOOST_TEST_REQUIRE(rotated.secret.has_value());
        BOOST_TEST(*rotated.secret != *made.secret);
        auto [old_refused, nothing] =
            co_await client_of_key->users.get("zoe", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(old_refused == permit::error::forbidden);
        auto rotated_client = make_client(with_key(*rotated.secret));
        BOOST_TEST((co_await rotated_client->users.get("zoe")).key == "zoe");

        co_await keys.remove(made.id);
        auto [gone, none] = co_await keys.get(made.id, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        auto [again] = co_await keys.remove(made.id, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(again == permit::error::not_found);
        auto [no_rotation, no] =
            co_await keys.rotate_secret(made.id, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_rotation == permit::error::not_found);
        const auto bad_env = env_key(org_id, "default", "nowhere");
        auto [no_env, nope] = co_await keys.create(bad_env, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_env == permit::error::not_found);
        permit::diagnostics diag;
        auto [bad_type, unused] =
            co_await keys.list(team_keys, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(bad_type == permit::condition::validation_failed);
        // The environment's key does not make keys of the organization.
        auto [refused, never] =
            co_await permit.api_keys.create(org_body, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::error::forbidden);
    }());
}

BOOST_FIXTURE_TEST_CASE(an_elements_login_answers_the_url_and_its_content, org_fixture) {
    run([&]() -> asio::awaitable<void> {
        const permit::elements_login_result ok = co_await permit.elements.login_as("ann", "acme");
        BOOST_TEST(ok.redirect_url.rfind("https://", 0) == 0u);
        BOOST_TEST_REQUIRE(ok.token.has_value());
        BOOST_TEST(ok.redirect_url.find(*ok.token) != std::string::npos);
        BOOST_TEST(ok.content == url_content(ok.redirect_url));
        BOOST_TEST(!ok.error.has_value());

        permit::diagnostics diag;
        auto [outsider, nothing] = co_await permit.elements.login_as(
            "bob", "acme", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(outsider == permit::error::not_found);
        BOOST_TEST_REQUIRE(diag.details.has_value());
        BOOST_TEST(diag.details->message == "User not found");
        auto [no_tenant, none] = co_await permit.elements.login_as(
            "ann", "nowhere", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(no_tenant == permit::error::not_found);
        BOOST_TEST(diag.details->message == "Tenant not found");
        // An Elements login is into the environment of an environment-level key.
        auto [refused, no] =
            co_await org->elements.login_as("ann", "acme", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused == permit::error::forbidden);
    }());
}

// ----- the secrets ---------------------------------------------------------------------------

/// Whether `text` holds `secret`.
bool holds(std::string_view text, std::string_view secret) {
    return text.find(secret) != std::string_view::npos;
}

BOOST_AUTO_TEST_CASE(no_secret_reaches_the_log_or_the_diagnostics) {
    std::vector<std::string> lines;
    client_fixture f{false, seed(), [&](permit::config& cfg) {
                         cfg.api_key = org_secret;
                         cfg.log = [&](permit::log_level, std::string_view line) {
                             lines.emplace_back(line);
                         };
                     }};
    std::vector<std::string> secrets{org_secret, f.emu.config().api_key};
    std::vector<permit::diagnostics> diags;
    f.run([&]() -> asio::awaitable<void> {
        const auto& org_id = f.emu.config().organization_id;
        const auto body = env_key(org_id, "default", "production");
        permit::diagnostics diag;
        const auto made = co_await f.permit.api_keys.create(body, diag);
        diags.push_back(diag);
        secrets.push_back(*made.secret);
        const auto rotated = co_await f.permit.api_keys.rotate_secret(made.id, diag);
        diags.push_back(diag);
        secrets.push_back(*rotated.secret);
        co_await f.permit.api_keys.list({}, diag);
        diags.push_back(diag);
        co_await f.permit.environments.api_key("default", "production", diag);
        diags.push_back(diag);
        // Failures, which the client logs.
        co_await f.permit.api_keys.remove(made.id, diag);
        auto [gone, nothing] =
            co_await f.permit.api_keys.get(made.id, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(gone == permit::error::not_found);
        diags.push_back(diag);
        auto [rotate, none] = co_await f.permit.api_keys.rotate_secret(
            made.id, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(rotate == permit::error::not_found);
        diags.push_back(diag);
    }());
    BOOST_TEST(lines.size() >= 2u);  // the two failures were logged
    for (const auto& secret : secrets) {
        for (const auto& line : lines) BOOST_TEST(!holds(line, secret), line);
        for (const auto& d : diags) BOOST_TEST(!holds(d.to_string(), secret), d);
    }
}

/// Replies to one request after another on one connection, each 200 with `body`.
permit_test::hostile_server answering(const std::vector<std::string>& bodies) {
    hostile_script script;
    for (const auto& body : bodies) {
        script.steps.push_back(hostile::read_request());
        script.steps.push_back(hostile::write(hostile::response(200, body)));
    }
    hostile_server::options opts;
    opts.scripts.push_back(std::move(script));
    return hostile_server(std::move(opts));
}

BOOST_AUTO_TEST_CASE(a_reply_with_a_secret_that_cannot_be_read_is_not_quoted) {
    const std::string secret = "permit_key_LeakedFromABrokenReply";
    // Not JSON (cut short), JSON without a required field, and a value of the wrong type: each
    // holds the secret, and none may be kept as the raw body.
    const std::string cut = R"({"id":"k1","secret":")" + secret + R"(","organization_id":)";
    const std::string no_id = R"({"organization_id":"o","owner_type":"member","created_at":"c",)"
                              R"("secret":")" +
                              secret + R"("})";
    const std::string wrong_type = R"({"id":"k1","organization_id":"o","owner_type":"member",)"
                                   R"("created_at":"c","secret":[")" +
                                   secret + R"("]})";
    const std::string list = R"({"data":[{"secret":")" + secret + R"("}],"total_count":1)";
    auto srv = answering({cut, no_id, wrong_type, list, cut, cut});
    std::vector<std::string> lines;
    asio::io_context ioc;
    permit::config cfg{.api_key = "permit_key_client", .api_url = srv.url(), .pdp_url = srv.url()};
    cfg.retry = permit::retry_policy::none();
    cfg.log = [&](permit::log_level, std::string_view line) { lines.emplace_back(line); };
    permit::client permit(ioc.get_executor(), cfg);
    std::vector<permit::diagnostics> diags;
    std::vector<std::string> thrown;
    run_to_end(
        ioc,
        [&]() -> asio::awaitable<void> {
            permit::diagnostics diag;
            for (int i = 0; i < 3; ++i) {
                auto [ec, key] =
                    co_await permit.api_keys.get("k1", diag, asio::as_tuple(asio::use_awaitable));
                BOOST_TEST(ec == permit::error::invalid_response);
                BOOST_TEST(diag.raw_body.empty(), diag);
                BOOST_TEST(!diag.client_message.empty(), diag);
                diags.push_back(diag);
            }
            auto [ec, page] =
                co_await permit.api_keys.list({}, diag, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(ec == permit::error::invalid_response);
            diags.push_back(diag);
            try {
                co_await permit.api_keys.rotate_secret("k1");
                BOOST_FAIL("a reply that cannot be read is an error");
            } catch (const permit::api_error& e) {
                thrown.emplace_back(e.what());
                diags.push_back(e.diagnostics());
            }
            auto [env_ec, env_key] = co_await permit.environments.api_key(
                "default", "production", diag, asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(env_ec == permit::error::invalid_response);
            diags.push_back(diag);
        }(),
        20s);
    BOOST_TEST(diags.size() == 6u);
    BOOST_TEST(lines.size() == 6u);  // each failure logged once
    for (const auto& d : diags) BOOST_TEST(!holds(d.to_string(), secret), d);
    for (const auto& line : lines) BOOST_TEST(!holds(line, secret), line);
    for (const auto& what : thrown) BOOST_TEST(!holds(what, secret), what);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace projects_client_test
