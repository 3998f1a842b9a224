// Permit's "Sync your first user" guide, step by step, with permit-cpp.
//
// With PERMIT_API_KEY set it runs against Permit (PERMIT_API_URL and PERMIT_PDP_URL are read
// too; the checks need a PDP, by default a local container on :7766). Without it, it starts a
// local Permit emulator in-process and runs against that.
//
// Exit status: 0 when every step did what the guide says, 1 otherwise.
#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;

namespace {

// The user of the guide's example. The key holds a `|`: the client percent-encodes it in paths.
const std::string user_key = "user|892179821739812389327";

// Step 0: the policy the checks rely on. It may exist already (a second run, a real
// environment): a 409 is not a failure here.
asio::awaitable<void> ensure_policy(permit::client& permit) {
    permit::diagnostics diag;
    permit::resource_create document{.key = "document", .name = "Document"};
    document.actions = {{"read", {}}, {"update", {}}};
    auto [ec, created] =
        co_await permit.resources.create(document, diag, asio::as_tuple(asio::use_awaitable));
    if (ec && ec != permit::condition::conflict) throw permit::api_error(ec, diag);

    for (permit::role_create role : {
             permit::role_create{
                 .key = "employee", .name = "Employee", .permissions = {"document:read"}},
             permit::role_create{.key = "manager",
             .name = "Manager",
             .permissions = {"document:read", "document:update"}},
         }) {
        auto [rec, r] =
            co_await permit.roles.create(role, diag, asio::as_tuple(asio::use_awaitable));
        if (rec && rec != permit::condition::conflict) throw permit::api_error(rec, diag);
    }
    std::cout << "0. Policy: resource \"document\" (read, update); roles \"employee\" (read) and "
                 "\"manager\" (read, update)\n";
}

// One check, printed as a question; returns whether the answer is the expected one.
asio::awaitable<bool> ask(permit::client& permit, const char* tenant, bool expected) {
    permit::check_resource document{.type = "document", .tenant = tenant};
    const bool allowed = co_await permit.check(user_key, "update", document);
    std::cout << "   may Jane update a document in tenant \"" << tenant << "\"? "
              << (allowed ? "allowed" : "denied") << (allowed == expected ? "" : "  <- UNEXPECTED")
              << "\n";
    co_return allowed == expected;
}

asio::awaitable<bool> quickstart(permit::client& permit) {
    co_await ensure_policy(permit);

    // 1. Sync the user right after authentication, with a role in the default tenant. `sync` is
    //    a PUT: it creates the user, or replaces it on later sign-ins. (The argument is built in
    //    a local: g++ 12 rejects nested braced aggregates inside a co_await expression.)
    permit::user_create jane{.key = user_key,
                             .email = "jane@coolcompany.com",
                             .first_name = "Jane",
                             .last_name = "Doe",
                             .attributes = {{"department", "marketing"}},
                             .role_assignments = {{.role = "employee", .tenant = "default"}}};
    const auto synced = co_await permit.users.sync(jane);
    std::cout << "1. Sync the user at sign-in: " << (synced.created ? "created " : "updated ")
              << synced.user.key << " <" << synced.user.email.value_or("") << ">"
              << " with the role \"employee\" in the tenant \"default\"\n";

    // 2. Verify that it exists: read it back.
    const auto stored = co_await permit.users.get(user_key);
    std::cout << "2. Verify the user exists: " << stored.first_name.value_or("") << " "
              << stored.last_name.value_or("") << ", roles:";
    for (const auto& r : stored.roles) std::cout << " " << r.role << "@" << r.tenant;
    std::cout << "\n";

    // 3. Create a new tenant. It exists already on a second run against a real environment.
    permit::diagnostics diag;
    permit::tenant_create marketing{.key = "marketing", .name = "Marketing"};
    auto [ec, created] =
        co_await permit.tenants.create(marketing, diag, asio::as_tuple(asio::use_awaitable));
    if (ec && ec != permit::condition::conflict) throw permit::api_error(ec, diag);
    std::cout << "3. Create a new tenant: \"marketing\" (Marketing)"
              << (ec ? ", which already existed" : "") << "\n";

    // 4. Give the same user a different role in the new tenant.
    permit::user_role_create manager_in_marketing{.role = "manager", .tenant = "marketing"};
    co_await permit.users.assign_role(user_key, manager_in_marketing);
    std::cout << "4. Give the same user a different role in the new tenant: \"manager\" in "
                 "\"marketing\"\n";

    // 5. Ask the PDP. Permissions differ per tenant: manager in marketing, employee in default.
    std::cout << "5. Check with the PDP:\n";
    bool as_expected = co_await ask(permit, "marketing", true);
    as_expected &= co_await ask(permit, "default", false);

    // 6. A role given later, with its own call, changes the answer.
    permit::user_role_create manager_in_default{.role = "manager", .tenant = "default"};
    co_await permit.users.assign_role(user_key, manager_in_default);
    std::cout << "6. Assign a role later: \"manager\" in \"default\"\n";
    as_expected &= co_await ask(permit, "default", true);
    co_return as_expected;
}

}  // namespace

int main() {
    auto cfg = permit::config::from_environment();

    // No key: a local emulator stands in for both the REST API and the PDP. Its PDP, like a real
    // one, learns of each write a moment after the API stored it.
    std::unique_ptr<permit::testing::emulator> emulator;
    if (cfg.api_key.empty()) {
        permit::testing::emulator_config emulator_config;
        emulator_config.pdp_propagation_delay = std::chrono::milliseconds(200);
        emulator_config.pdp_port = 0;  // the PDP on a port of its own, as Permit runs it
        emulator = std::make_unique<permit::testing::emulator>(std::move(emulator_config));
        cfg.api_key = emulator->config().api_key;
        cfg.api_url = emulator->url();
        cfg.pdp_url = emulator->pdp_url();
        std::cout << "No PERMIT_API_KEY: running against a local Permit emulator at "
                  << emulator->url() << "\n";
    } else {
        std::cout << "Running against " << cfg.api_url << " (PDP " << cfg.pdp_url << ")\n";
    }

    // Read-your-writes. The PDP learns of writes asynchronously, so a check made right after a
    // sync or a role assignment (steps 5 and 6) could still get the old answer. A local PDP (a
    // container, or the emulator) can take the writes itself: it forwards them to the API and
    // answers once its own decisions see them. Use it where a decision must follow a write at
    // once, as at sign-in; leave it off for background syncs, where a second of lag does not
    // matter and each write would wait for it. Permit's cloud PDP does not proxy writes.
    cfg.proxy_facts_via_pdp = cfg.pdp_url.find("cloudpdp.api.permit.io") == std::string::npos;

    asio::io_context ioc;
    permit::client permit(ioc.get_executor(), cfg);
    int status = 1;
    asio::co_spawn(ioc, quickstart(permit), [&](std::exception_ptr e, bool as_expected) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const permit::api_error& err) {
                std::cerr << "failed: " << err.what() << "\n";
            } catch (const std::exception& err) {
                std::cerr << "failed: " << err.what() << "\n";
            }
            return;
        }
        std::cout << (as_expected ? "Done: every answer is the one the guide leads to.\n"
                                  : "Done, but some answers were not the expected ones.\n");
        status = as_expected ? 0 : 1;
    });
    ioc.run();
    return status;
}
