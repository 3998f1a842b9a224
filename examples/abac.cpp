// Attribute-based access control (ABAC) with permit-cpp
// (https://docs.permit.io/how-to/build-policies/abac/building-abac-policy). Users carry a
// department and a plan, documents a department. Two user sets (marketing people; users on a paid
// plan), one resource set (marketing's documents), and two condition-set rules:
//   - marketing people may read marketing's documents;
//   - users on a paid plan may export any document (the rule names the document type's own
//     resource set, `is_resource`).
// The checks show both rules allowing and denying, and a request-time attribute, a plan upgrade
// that Permit has not stored yet, changing a decision.
//
// With PERMIT_API_KEY set it runs against Permit on a resource type, condition sets and users of
// its own, suffixed so that runs never collide, and deletes them at the end. ABAC needs a PDP
// container: Permit's cloud PDP does not decide ABAC
// (https://docs.permit.io/concepts/pdp/cloud-pdp-capabilities), so set PERMIT_PDP_URL to one.
// Without a key, it starts a local Permit emulator in-process and runs against that.
//
// Exit status: 0 when every check gives the expected answer, 1 otherwise, 2 when the PDP is
// Permit's cloud PDP.
#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <utility>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// What one run works on: the client, the keys it makes, and whether to ask the PDP again while it
// catches up with the writes (against Permit).
struct office {
    permit::client& permit;
    std::string document;           // the resource type
    std::string marketing, paying;  // the user sets
    std::string marketing_docs;     // the resource set
    std::string mia, paul, fred;    // the users
    bool poll;
};

// The request bodies with nested braces, built outside the coroutines (some compilers reject
// nested braced lists in one).
permit::user_create person(const std::string& key, const char* department, const char* plan) {
    permit::user_create u{.key = key};
    u.attributes = boost::json::object{{"department", department}, {"plan", plan}};
    return u;
}

permit::condition_set_create user_set(const std::string& key, const char* name,
                                      const char* conditions) {
    permit::condition_set_create s{.key = key, .name = name};
    s.type = permit::condition_set_type::userset;
    s.conditions = boost::json::parse(conditions).as_object();
    return s;
}

permit::condition_set_create resource_set(const std::string& key, const std::string& resource,
                                          const char* name, const char* conditions) {
    permit::condition_set_create s{.key = key, .name = name};
    s.type = permit::condition_set_type::resourceset;
    s.resource_id = resource;
    s.conditions = boost::json::parse(conditions).as_object();
    return s;
}

permit::check_resource document_of(const std::string& type, const char* department) {
    permit::check_resource r{.type = type, .tenant = "default"};
    r.attributes = boost::json::object{{"department", department}};
    return r;
}

permit::check_user upgraded(const std::string& key) {
    permit::check_user u{.key = key};
    u.attributes = boost::json::object{{"plan", "pro"}};
    return u;
}

// The policy: the document type and the attributes the conditions read, the three condition sets,
// and the two rules.
asio::awaitable<void> create_policy(const office& o) {
    permit::resource_create resource{.key = o.document, .name = "Document"};
    resource.actions = {{"read", {}}, {"export", {}}};
    co_await o.permit.resources.create(resource);
    const permit::resource_attribute_create department{.key = "department", .type = "string"};
    co_await o.permit.resource_attributes.create(o.document, department);
    for (const char* key : {"department", "plan"}) {
        const permit::resource_attribute_create attribute{.key = key, .type = "string"};
        co_await o.permit.resource_attributes.create(permit::user_resource_key, attribute);
    }

    // The conditions, in the language of https://docs.permit.io/api/working-with-abac/operators.
    co_await o.permit.condition_sets.create(user_set(
        o.marketing, "Marketing", R"({"allOf":[{"user.department":{"equals":"marketing"}}]})"));
    co_await o.permit.condition_sets.create(user_set(
        o.paying, "Paid plans", R"({"allOf":[{"user.plan":{"in":["pro","enterprise"]}}]})"));
    co_await o.permit.condition_sets.create(
        resource_set(o.marketing_docs, o.document, "Marketing documents",
                     R"({"allOf":[{"resource.department":{"equals":"marketing"}}]})"));

    const permit::condition_set_rule_create read_marketing_docs{.user_set = o.marketing,
                                                                .permission = o.document + ":read",
                                                                .resource_set = o.marketing_docs};
    co_await o.permit.condition_set_rules.create(read_marketing_docs);
    // `is_resource`: the resource set is the document type's own, every document.
    const permit::condition_set_rule_create export_any{.user_set = o.paying,
                                                       .permission = o.document + ":export",
                                                       .resource_set = o.document,
                                                       .is_resource = true};
    co_await o.permit.condition_set_rules.create(export_any);
}

// Asks the PDP whether `user` may do `action` on `resource`, prints the answer, ✓ when it is the
// expected one (✗ otherwise), and why. Returns whether it was the expected one.
asio::awaitable<bool> expect(const office& o, permit::check_user user, const std::string& action,
                             permit::check_resource resource, bool expected, const char* why) {
    bool allowed = co_await o.permit.check(user, action, resource);
    // Permit's PDP learns of the policy and the facts a moment after the API stored them: ask
    // again, for up to 30 s, until the answer is the expected one. The emulator's PDP, which took
    // the facts itself, must be right the first time.
    asio::steady_timer wait(co_await asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (o.poll && allowed != expected && std::chrono::steady_clock::now() < give_up) {
        wait.expires_after(500ms);
        co_await wait.async_wait(asio::use_awaitable);
        allowed = co_await o.permit.check(user, action, resource);
    }
    const auto department = resource.attributes.if_contains("department");
    std::cout << (allowed == expected ? "  ✓ " : "  ✗ ") << user.key
              << (allowed ? " may " : " may not ") << action << " a "
              << (department ? std::string(department->as_string()) : std::string("?"))
              << " document: " << why << (allowed == expected ? "" : "  <- UNEXPECTED") << "\n";
    co_return allowed == expected;
}

asio::awaitable<bool> abac(const office& o) {
    co_await create_policy(o);
    // The facts: each user with the attributes that Permit stores for them.
    co_await o.permit.users.create(person(o.mia, "marketing", "pro"));
    co_await o.permit.users.create(person(o.paul, "engineering", "enterprise"));
    co_await o.permit.users.create(person(o.fred, "engineering", "free"));
    std::cout << o.mia << " is in marketing (pro plan), " << o.paul
              << " in engineering (enterprise plan), " << o.fred
              << " in engineering (free plan).\n";

    const auto marketing_doc = document_of(o.document, "marketing");
    const auto sales_doc = document_of(o.document, "sales");
    const permit::check_user mia{.key = o.mia}, paul{.key = o.paul}, fred{.key = o.fred};
    bool ok = co_await expect(o, mia, "read", marketing_doc, true,
                              "marketing reads marketing's documents");
    ok &= co_await expect(o, mia, "read", sales_doc, false, "not a marketing document");
    ok &= co_await expect(o, paul, "read", marketing_doc, false, "not in marketing");
    ok &= co_await expect(o, paul, "export", sales_doc, true, "a paid plan exports any document");
    ok &= co_await expect(o, fred, "export", sales_doc, false, "the free plan does not export");

    // The same check, with the plan Fred has just bought in this request: attributes given with
    // the check override the stored ones for that check only.
    std::cout << o.fred << " upgrades to pro; the check carries the new plan before Permit has "
              << "it.\n";
    ok &= co_await expect(o, upgraded(o.fred), "export", sales_doc, true,
                          "the request's plan (pro) overrides the stored one (free)");
    ok &= co_await expect(o, fred, "export", sales_doc, false,
                          "without it, the stored plan still decides");
    co_return ok;
}

// Whether a delete of the cleanup went well: done, or there was nothing to delete.
bool deleted(boost::system::error_code ec, const permit::diagnostics& diag,
             const std::string& what) {
    if (!ec || ec == permit::condition::not_found) return true;
    std::cerr << "cleanup: could not delete " << what << ": " << permit::api_error(ec, diag).what()
              << "\n";
    return false;
}

// Deletes what the run made, whatever happened before: the condition sets (each with its rules),
// the resource type, the user attributes and the users. Returns whether all of it is gone.
asio::awaitable<bool> clean_up(const office& o) {
    permit::diagnostics diag;
    const auto no_throw = asio::as_tuple(asio::use_awaitable);
    bool clean = true;
    for (const std::string& set : {o.marketing, o.paying, o.marketing_docs}) {
        auto [ec] = co_await o.permit.condition_sets.remove(set, diag, no_throw);
        clean &= deleted(ec, diag, set);
    }
    {
        auto [ec] = co_await o.permit.resources.remove(o.document, diag, no_throw);
        clean &= deleted(ec, diag, o.document);
    }
    for (const std::string& user : {o.mia, o.paul, o.fred}) {
        auto [ec] = co_await o.permit.users.remove(user, diag, no_throw);
        clean &= deleted(ec, diag, user);
    }
    co_return clean;
}

asio::awaitable<bool> run(const office& o) {
    std::exception_ptr failure;
    bool as_expected = false;
    try {
        as_expected = co_await abac(o);
    } catch (...) {
        failure = std::current_exception();
    }
    const bool clean = co_await clean_up(o);
    if (failure) std::rethrow_exception(failure);
    co_return as_expected&& clean;
}

}  // namespace

int main() {
    auto cfg = permit::config::from_environment();

    // No key: a local emulator stands in for the REST API and the PDP, whose PDP, like a real one,
    // learns of each write a moment after the API stored it. A key: Permit, with keys of this run.
    std::unique_ptr<permit::testing::emulator> emulator;
    std::string suffix;
    if (cfg.api_key.empty()) {
        permit::testing::emulator_config emulator_config;
        emulator_config.pdp_propagation_delay = 200ms;
        emulator_config.pdp_port = 0;  // the PDP on a port of its own, as Permit runs it
        emulator = std::make_unique<permit::testing::emulator>(std::move(emulator_config));
        cfg.api_key = emulator->config().api_key;
        cfg.api_url = emulator->url();
        cfg.pdp_url = emulator->pdp_url();
        std::cout << "No PERMIT_API_KEY: running against a local Permit emulator\n";
    } else {
        if (cfg.pdp_url.find("cloudpdp.api.permit.io") != std::string::npos) {
            std::cerr << "Permit's cloud PDP does not decide ABAC "
                         "(https://docs.permit.io/concepts/pdp/cloud-pdp-capabilities): set "
                         "PERMIT_PDP_URL to a PDP container.\n";
            return 2;
        }
        char hex[9] = {};
        std::to_chars(hex, hex + 8, std::random_device{}(), 16);
        suffix = std::string("-") + hex;
        std::cout << "Running against " << cfg.api_url << " (PDP " << cfg.pdp_url << ")\n";
    }
    // Read-your-writes: each write of users is answered once the PDP's decisions see it.
    cfg.proxy_facts_via_pdp = true;

    asio::io_context ioc;
    permit::client permit(ioc.get_executor(), cfg);
    const office o{.permit = permit,
                   .document = "document" + suffix,
                   .marketing = "marketing" + suffix,
                   .paying = "paying" + suffix,
                   .marketing_docs = "marketing_docs" + suffix,
                   .mia = "mia" + suffix,
                   .paul = "paul" + suffix,
                   .fred = "fred" + suffix,
                   .poll = emulator == nullptr};
    int status = 1;
    asio::co_spawn(ioc, run(o), [&](std::exception_ptr e, bool as_expected) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& err) {
                std::cerr << "failed: " << err.what() << "\n";
            }
            return;
        }
        std::cout << (as_expected ? "Done: every answer is the expected one.\n"
                                  : "Done, but some answers were not the expected ones.\n");
        status = as_expected ? 0 : 1;
    });
    ioc.run();
    return status;
}
