// Relationship-based access control (ReBAC) with permit-cpp: a Google-Drive-like policy
// (https://docs.permit.io/modeling/google-drive). Folders and documents sit in a parent folder;
// owner, editor and viewer are roles on both, and a folder's role passes down to everything in it.
// The checks show a role inherited through two levels of folders, a document shared with one
// user, and that share revoked.
//
// With PERMIT_API_KEY set it runs against Permit (PERMIT_API_URL and PERMIT_PDP_URL are read too)
// on resource types and users of its own, suffixed so that runs never collide, and deletes them at
// the end. Without it, it starts a local Permit emulator in-process and runs against that.
//
// Exit status: 0 when every check gives the expected answer, 1 otherwise.
#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The roles of folders and documents alike, and what each allows on the instance it is held on.
const std::vector<std::pair<std::string, std::vector<std::string>>> drive_roles = {
    {"owner", {"read", "write", "share"}}, {"editor", {"read", "write"}}, {"viewer", {"read"}}};

// What one run works on: the client, the keys of the resource types and users it makes, and
// whether to ask the PDP again while it catches up with the writes (against Permit).
struct drive {
    permit::client& permit;
    std::string folder, document;  // the resource types
    std::string alice, bob;        // the users
    bool poll;
};

// The policy: two resource types with the same actions and roles, and a relation `parent` from
// each to the folder it is in; then, on each role, the rule that derives it from the same role on
// the parent folder. A folder's editor is thus the editor of its sub-folders, of theirs, and of
// every document in them.
asio::awaitable<void> create_policy(const drive& d) {
    for (const std::string& type : {d.folder, d.document}) {
        permit::resource_create resource{.key = type, .name = type};
        resource.actions = {{"read", {}}, {"write", {}}, {"share", {}}};
        co_await d.permit.resources.create(resource);
        for (const auto& [role, actions] : drive_roles) {
            const permit::resource_role_create r{.key = role, .name = role, .permissions = actions};
            co_await d.permit.resource_roles.create(type, r);
        }
    }
    // folder -> folder is a relation of Permit's Google Drive model. Another page says "a resource
    // cannot be set as a parent of itself": read as no instance being its own parent
    // (https://docs.permit.io/how-to/build-policies/rebac/building-rebac-policies).
    for (const std::string& type : {d.folder, d.document}) {
        const permit::relation_create parent{
            .key = "parent", .name = "Parent", .subject_resource = d.folder};
        co_await d.permit.resource_relations.create(type, parent);
        for (const auto& [role, actions] : drive_roles) {
            // "A user with `role` on the folder that is this instance's `parent` has `role` here."
            const permit::derived_role_rule_create from_parent{
                .role = role, .on_resource = d.folder, .linked_by_relation = "parent"};
            co_await d.permit.implicit_grants.create(type, role, from_parent);
        }
    }
}

// Asks the PDP whether `user` may do `action` on `instance`, and prints the answer, ✓ when it is
// the expected one (✗ otherwise), and why. Returns whether it was the expected one.
asio::awaitable<bool> expect(const drive& d, const std::string& user, const std::string& action,
                             const std::string& instance, bool expected, const char* why) {
    bool allowed = co_await d.permit.check(user, action, instance);
    // Permit's PDP learns of the policy and the facts a moment after the API stored them (and the
    // cloud PDP takes no writes, so it has no read-your-writes): ask again, for up to 30 s, until
    // the answer is the expected one. A denial could then pass before the PDP saw a grant, so each
    // group of checks below starts with one whose answer needs the writes before it. The
    // emulator's PDP, which took the facts itself, must be right the first time.
    asio::steady_timer wait(co_await asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (d.poll && allowed != expected && std::chrono::steady_clock::now() < give_up) {
        wait.expires_after(500ms);
        co_await wait.async_wait(asio::use_awaitable);
        allowed = co_await d.permit.check(user, action, instance);
    }
    std::cout << (allowed == expected ? "  ✓ " : "  ✗ ") << user
              << (allowed ? " may " : " may not ") << action << " " << instance << ": " << why
              << (allowed == expected ? "" : "  <- UNEXPECTED") << "\n";
    co_return allowed == expected;
}

asio::awaitable<bool> documents(const drive& d) {
    co_await create_policy(d);

    // The facts: two users, and the tree folder:company > folder:engineering > document:design.
    // A tuple (subject, parent, object) puts the object in the subject folder.
    const std::string company = d.folder + ":company", engineering = d.folder + ":engineering",
                      design = d.document + ":design";
    for (const std::string& user : {d.alice, d.bob}) {
        const permit::user_create u{.key = user};
        co_await d.permit.users.create(u);
    }
    for (const auto& [type, key] :
         {std::pair{d.folder, "company"}, {d.folder, "engineering"}, {d.document, "design"}}) {
        const permit::resource_instance_create instance{
            .key = key, .tenant = "default", .resource = type};
        co_await d.permit.resource_instances.create(instance);
    }
    const permit::relationship_tuple_create in_company{
        .subject = company, .relation = "parent", .object = engineering};
    co_await d.permit.relationship_tuples.create(in_company);
    const permit::relationship_tuple_create in_engineering{
        .subject = engineering, .relation = "parent", .object = design};
    co_await d.permit.relationship_tuples.create(in_engineering);

    // One role at the top of the tree.
    const permit::role_assignment_create editor{
        .user = d.alice, .role = "editor", .tenant = "default", .resource_instance = company};
    co_await d.permit.role_assignments.assign(editor);
    std::cout << d.alice << " is an editor of " << company << "; " << engineering << " is in it, "
              << design << " in " << engineering << ".\n";
    bool ok = co_await expect(d, d.alice, "write", engineering, true,
                              "editor of its parent folder, so editor here");
    ok &= co_await expect(d, d.alice, "write", design, true,
                          "editor of the folder above its folder: two levels down");
    ok &= co_await expect(d, d.alice, "share", design, false,
                          "editor allows read and write; only owner allows share");
    ok &= co_await expect(d, d.bob, "read", design, false, "no role here or on a folder above");

    // A share: viewer on one document, for one user.
    const permit::role_assignment_create share{
        .user = d.bob, .role = "viewer", .tenant = "default", .resource_instance = design};
    co_await d.permit.role_assignments.assign(share);
    std::cout << design << " is shared with " << d.bob << " as a viewer.\n";
    ok &= co_await expect(d, d.bob, "read", design, true, "the share: viewer of this document");
    ok &= co_await expect(d, d.bob, "write", design, false, "viewer allows read only");
    ok &= co_await expect(d, d.bob, "read", engineering, false,
                          "a role on a document gives nothing on its folder");

    // The share revoked: the permission goes with it.
    const permit::role_assignment_remove revoke{
        .user = d.bob, .role = "viewer", .tenant = "default", .resource_instance = design};
    co_await d.permit.role_assignments.unassign(revoke);
    std::cout << "The share is revoked.\n";
    ok &= co_await expect(d, d.bob, "read", design, false, "the share was his only role on it");
    ok &= co_await expect(d, d.alice, "read", design, true,
                          "still editor, inherited from the top folder");
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

// Deletes what the run made, whatever happened before: the instances (each with its tuples and
// role assignments), the resource types and the users. Returns whether all of it is gone.
asio::awaitable<bool> clean_up(const drive& d) {
    permit::diagnostics diag;
    const auto no_throw = asio::as_tuple(asio::use_awaitable);
    bool clean = true;
    for (const std::string& instance :
         {d.document + ":design", d.folder + ":engineering", d.folder + ":company"}) {
        auto [ec] = co_await d.permit.resource_instances.remove(instance, diag, no_throw);
        clean &= deleted(ec, diag, instance);
    }
    for (const std::string& type : {d.document, d.folder}) {
        auto [ec] = co_await d.permit.resources.remove(type, diag, no_throw);
        clean &= deleted(ec, diag, type);
    }
    for (const std::string& user : {d.alice, d.bob}) {
        auto [ec] = co_await d.permit.users.remove(user, diag, no_throw);
        clean &= deleted(ec, diag, user);
    }
    co_return clean;
}

asio::awaitable<bool> run(const drive& d) {
    std::exception_ptr failure;
    bool as_expected = false;
    try {
        as_expected = co_await documents(d);
    } catch (...) {
        failure = std::current_exception();
    }
    const bool clean = co_await clean_up(d);
    if (failure) std::rethrow_exception(failure);
    const bool ok = as_expected && clean;
    co_return ok;
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
        char hex[9] = {};
        std::to_chars(hex, hex + 8, std::random_device{}(), 16);
        suffix = std::string("-") + hex;
        std::cout << "Running against " << cfg.api_url << " (PDP " << cfg.pdp_url << ")\n";
    }
    // Read-your-writes where the PDP takes writes (a local PDP, the emulator): each write of
    // instances, tuples, users and role assignments is answered once the PDP's decisions see it.
    // Permit's cloud PDP does not take writes.
    cfg.proxy_facts_via_pdp = cfg.pdp_url.find("cloudpdp.api.permit.io") == std::string::npos;

    asio::io_context ioc;
    permit::client permit(ioc.get_executor(), cfg);
    const drive d{.permit = permit,
                  .folder = "folder" + suffix,
                  .document = "document" + suffix,
                  .alice = "alice" + suffix,
                  .bob = "bob" + suffix,
                  .poll = emulator == nullptr};
    int status = 1;
    asio::co_spawn(ioc, run(d), [&](std::exception_ptr e, bool as_expected) {
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
