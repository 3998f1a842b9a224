// The bulk pipeline's resource instances and relationship tuples against the emulator: sign-ups
// that create a user, a workspace and its owner tuple land exactly, in the fewest bulk calls the
// documented limits allow, also under faults; a tuple waits for its instances, calls on one tuple
// keep their order, and a rejected tuple fails alone with the API's reason.
#include <chrono>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace bulk_rebac_test {

using permit::testing::emulator_config;
using permit::testing::fault_kind;
using steady = std::chrono::steady_clock;

const std::string user_batches = "PUT /v2/facts/{proj_id}/{env_id}/bulk/users";
const std::string instance_batches = "PUT /v2/facts/{proj_id}/{env_id}/bulk/resource_instances";
const std::string tuple_batches = "POST /v2/facts/{proj_id}/{env_id}/relationship_tuples/bulk";
const std::string removal_batches = "DELETE /v2/facts/{proj_id}/{env_id}/relationship_tuples/bulk";

/// Workspaces owned by accounts: `workspace#owner` is derived from `account#member` through the
/// `owner` relation, so an account's member may configure its workspace.
const char* const workspaces = R"({
    "resources":[
      {"key":"account","name":"Account","actions":{"view":{}},
       "roles":{"member":{"name":"Member","permissions":["view"]}}},
      {"key":"workspace","name":"Workspace","actions":{"configure":{},"read":{}},
       "relations":{"owner":"account"},
       "roles":{"owner":{"name":"Owner","permissions":["configure","read"],
                         "granted_to":{"users_with_role":[
                           {"role":"member","on_resource":"account","linked_by_relation":"owner"}]}},
                "reader":{"name":"Reader","permissions":["read"]}}}]})";

emulator_config workspaces_config() {
    emulator_config c;
    c.initial_state = boost::json::parse(workspaces);
    return c;
}

/// One sign-up: the user, their workspace, and the tuple that makes their account its owner.
struct signup {
    permit::user_create user;
    permit::resource_instance_create workspace;
    permit::relationship_tuple_create owner;
};

signup make_signup(std::size_t i) {
    const auto n = std::to_string(i);
    signup s;
    s.user.key = "user-" + n;
    s.user.email = "user" + n + "@example.com";
    s.workspace = {.key = "ws-" + n, .tenant = "default", .resource = "workspace"};
    s.workspace.attributes["plan"] = i % 2 == 0 ? "free" : "pro";
    s.owner = {.subject = "account:acct-" + n,
               .relation = "owner",
               .object = "workspace:ws-" + n,
               .tenant = "default"};
    return s;
}

/// What finished, and how: every call is counted once.
struct tally {
    std::size_t done = 0, failed = 0, told_twice = 0;
    std::vector<permit::diagnostics> failures;
};

/// Starts all three calls of every sign-up at once, each with a plain callback, and waits until
/// all completed.
asio::awaitable<tally> sign_up_all(permit::client_view& permit, std::size_t count) {
    auto ex = co_await asio::this_coro::executor;
    auto out = std::make_shared<tally>();
    auto all_done = std::make_shared<asio::steady_timer>(ex, steady::time_point::max());
    const std::size_t calls = 3 * count;
    auto diags = std::make_shared<std::vector<permit::diagnostics>>(calls);
    auto seen = std::make_shared<std::vector<char>>(calls, 0);
    auto on_done = [out, all_done, diags, seen, calls](std::size_t slot) {
        return [out, all_done, diags, seen, calls, slot](boost::system::error_code ec) {
            if ((*seen)[slot]++) {
                ++out->told_twice;
                return;
            }
            if (ec) {
                ++out->failed;
                out->failures.push_back((*diags)[slot]);
            }
            if (++out->done == calls) all_done->cancel();
        };
    };
    for (std::size_t i = 0; i < count; ++i) {
        auto s = make_signup(i);
        permit.bulk.sync_user(std::move(s.user), (*diags)[3 * i], on_done(3 * i));
        permit.bulk.ensure_instance(std::move(s.workspace), (*diags)[3 * i + 1],
                                    on_done(3 * i + 1));
        permit.bulk.write_tuple(std::move(s.owner), (*diags)[3 * i + 2], on_done(3 * i + 2));
    }
    if (out->done < calls) co_await all_done->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return *out;
}

/// Runs `count` sign-ups through `f`'s client; each call succeeds and is told so once.
void sign_up_all_and_check(client_fixture& f, std::size_t count, std::chrono::seconds timeout) {
    f.run(
        [&]() -> asio::awaitable<void> {
            const auto t = co_await sign_up_all(f.permit, count);
            BOOST_TEST(t.failed == 0u);
            BOOST_TEST(t.told_twice == 0u);
            for (const auto& d : t.failures)
                BOOST_TEST_MESSAGE(d.client_message << " " << d.detail);
        }(),
        timeout);
}

/// The emulator's records, read from its state: instances as `type:key tenant attributes`,
/// tuples as `subject relation object tenant`.
std::set<std::string> stored_instances(const permit::testing::emulator& emu) {
    std::set<std::string> out;
    const auto snapshot = emu.snapshot();
    for (const auto& v : snapshot.at("resource_instances").as_array()) {
        const auto& o = v.as_object();
        out.insert(std::string(o.at("resource").as_string()) + ":" +
                   std::string(o.at("key").as_string()) + " " +
                   std::string(o.at("tenant").as_string()) + " " +
                   boost::json::serialize(o.at("attributes")));
    }
    return out;
}
std::set<std::string> stored_tuples(const permit::testing::emulator& emu) {
    std::set<std::string> out;
    const auto snapshot = emu.snapshot();
    for (const auto& v : snapshot.at("relationship_tuples").as_array()) {
        const auto& o = v.as_object();
        out.insert(std::string(o.at("subject").as_string()) + " " +
                   std::string(o.at("relation").as_string()) + " " +
                   std::string(o.at("object").as_string()));
    }
    return out;
}

/// What `count` sign-ups must leave: each workspace with its attributes, each account (created by
/// its tuple, with no attributes), each owner tuple.
std::set<std::string> wanted_instances(std::size_t count) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        const auto s = make_signup(i);
        out.insert("workspace:" + s.workspace.key + " default " +
                   boost::json::serialize(s.workspace.attributes));
        out.insert("account:acct-" + std::to_string(i) + " default {}");
    }
    return out;
}
std::set<std::string> wanted_tuples(std::size_t count) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        const auto s = make_signup(i);
        out.insert(s.owner.subject + " owner " + s.owner.object);
    }
    return out;
}

std::size_t calls_for(std::size_t items, std::size_t per_batch) {
    return (items + per_batch - 1) / per_batch;
}

}  // namespace bulk_rebac_test

BOOST_AUTO_TEST_SUITE(bulk_rebac_client)

using namespace bulk_rebac_test;

BOOST_AUTO_TEST_CASE(a_hundred_thousand_signups_land_exactly_in_the_fewest_bulk_calls) {
    constexpr std::size_t count = 100000;
    // The whole burst is admitted at once, so that every batch but the last of each kind is full
    // whatever the machine's speed. With the default bound (12,000 calls pending) memory stays
    // smaller and, when the API answers slowly, a few more partial batches go out: 168 to 172
    // requests in the runs seen.
    client_fixture f(false, workspaces_config(),
                     [](permit::config& c) { c.bulk.max_pending = 3 * count; });
    f.emu.reset_stats();
    sign_up_all_and_check(f, count, 300s);
    const auto stats = f.emu.stats();
    // The documented limits: 3,000 users, 3,000 instances, 1,000 tuples per call. Every request
    // the client sent is a bulk call: no lookup, nothing split, nothing refused.
    const std::size_t fewest =
        calls_for(count, 3000) + calls_for(count, 3000) + calls_for(count, 1000);
    BOOST_TEST(stats.route(user_batches) == calls_for(count, 3000));
    BOOST_TEST(stats.route(instance_batches) == calls_for(count, 3000));
    BOOST_TEST(stats.route(tuple_batches) == calls_for(count, 1000));
    // And the one look at the API key's scope a client makes first.
    BOOST_TEST(stats.route("GET /v2/api-key/scope") == 1u);
    BOOST_TEST(stats.requests == fewest + 1);
    BOOST_TEST(fewest == 168u);
    for (const auto& [route, n] : stats.requests_by_route) BOOST_TEST_MESSAGE(route << ": " << n);
    // Checked against the emulator's own records, not the client's counters.
    BOOST_TEST(f.emu.user_count() == count);
    BOOST_TEST((stored_instances(f.emu) == wanted_instances(count)));
    BOOST_TEST((stored_tuples(f.emu) == wanted_tuples(count)));
}

BOOST_AUTO_TEST_CASE(faults_on_instance_and_tuple_calls_leave_the_final_state_exact) {
    // 5% of bulk calls answered 429 or 503, 2% applied and then cut off before the response (the
    // replayed tuple call then meets its own tuples: 409, and each is looked up).
    emulator_config cfg = workspaces_config();
    cfg.seed = 11;
    for (const char* path : {"/v2/facts/*/*/bulk/**", "/v2/facts/*/*/relationship_tuples/bulk"}) {
        cfg.faults.push_back({.path = path, .kind = fault_kind::reset_after_apply, .rate = 0.02});
        cfg.faults.push_back({.path = path, .kind = fault_kind::http_429, .rate = 0.025});
        cfg.faults.push_back({.path = path, .kind = fault_kind::http_503, .rate = 0.025});
    }
    client_fixture f(false, cfg, [](permit::config& c) {
        // Small batches, so that there are a few hundred bulk calls to fault.
        c.bulk.users_per_batch = 50;
        c.bulk.instances_per_batch = 50;
        c.bulk.tuples_per_batch = 50;
        c.bulk.retry.initial_backoff = 5ms;
        c.bulk.retry.max_backoff = 50ms;
    });
    constexpr std::size_t count = 9000;
    sign_up_all_and_check(f, count, 120s);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(fault_kind::http_429) > 0u);
    BOOST_TEST(stats.faults(fault_kind::http_503) > 0u);
    BOOST_TEST(stats.faults(fault_kind::reset_after_apply) > 0u);
    BOOST_TEST(f.emu.user_count() == count);
    BOOST_TEST((stored_instances(f.emu) == wanted_instances(count)));
    BOOST_TEST((stored_tuples(f.emu) == wanted_tuples(count)));
    const auto bulk = f.permit.bulk.stats();
    BOOST_TEST(bulk.tuples_written == count);
    BOOST_TEST(bulk.tuples_existing > 0u, "a replayed tuple call was resolved by lookups");
}

BOOST_AUTO_TEST_CASE(a_role_on_a_new_instance_waits_for_it_and_decides) {
    client_fixture f(false, workspaces_config());
    permit::user_create ann{.key = "ann", .email = "ann@example.com"};
    ann.role_assignments.push_back(
        {.role = "reader", .tenant = "default", .resource_instance = "workspace:docs"});
    const permit::resource_instance_create docs{
        .key = "docs", .tenant = "default", .resource = "workspace"};
    boost::system::error_code user_ec, instance_ec;
    permit::diagnostics user_diag;
    int completions = 0;
    f.run(
        [&]() -> asio::awaitable<void> {
            // Handed over together, the role first: it waits for its instance.
            f.permit.bulk.sync_user(ann, user_diag, [&](boost::system::error_code ec) {
                user_ec = ec;
                ++completions;
            });
            f.permit.bulk.ensure_instance(docs, [&](boost::system::error_code ec) {
                instance_ec = ec;
                ++completions;
            });
            co_await f.permit.bulk.flush();
            BOOST_TEST(completions == 2);
            BOOST_TEST(!user_ec, user_diag.to_string());
            BOOST_TEST(!instance_ec);
            BOOST_TEST(co_await f.permit.check("ann", "read", "workspace:docs"));
            BOOST_TEST(!(co_await f.permit.check("ann", "configure", "workspace:docs")));
        }(),
        30s);
    BOOST_TEST(f.emu.stats().status(404) == 0u, "nothing reached the API before what it names");
}

BOOST_AUTO_TEST_CASE(a_tuple_written_then_removed_is_gone_and_decides_so) {
    client_fixture f(false, workspaces_config());
    const permit::user_create bob{.key = "bob", .email = "bob@example.com"};
    const permit::role_assignment_create member{
        .user = "bob", .role = "member", .tenant = "default", .resource_instance = "account:acme"};
    const permit::relationship_tuple_create owner{.subject = "account:acme",
                                                  .relation = "owner",
                                                  .object = "workspace:acme-ws",
                                                  .tenant = "default"};
    const permit::relationship_tuple_delete unowned{
        .subject = owner.subject, .relation = owner.relation, .object = owner.object};
    const permit::relationship_tuple_delete never{
        .subject = "account:nobody", .relation = "owner", .object = "workspace:acme-ws"};
    std::vector<std::string> order;
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await f.permit.users.create(bob);
            co_await f.permit.role_assignments.assign(member);
            // Both at once: the removal waits for the write.
            f.permit.bulk.write_tuple(owner, [&](boost::system::error_code ec) {
                order.push_back(ec ? "write failed" : "written");
            });
            f.permit.bulk.remove_tuple(unowned, [&](boost::system::error_code ec) {
                order.push_back(ec ? "removal failed" : "removed");
            });
            co_await f.permit.bulk.flush();
            BOOST_TEST(!(co_await f.permit.check("bob", "configure", "workspace:acme-ws")));
            co_await f.permit.bulk.write_tuple(owner);
            BOOST_TEST(co_await f.permit.check("bob", "configure", "workspace:acme-ws"));
            // Removing a tuple that is not there is success.
            co_await f.permit.bulk.remove_tuple(never);
        }(),
        30s);
    BOOST_TEST(order == (std::vector<std::string>{"written", "removed"}),
               boost::test_tools::per_element());
    BOOST_TEST(
        stored_tuples(f.emu) == (std::set<std::string>{"account:acme owner workspace:acme-ws"}),
        boost::test_tools::per_element());
    BOOST_TEST(f.permit.bulk.stats().tuples_absent == 1u);
}

BOOST_AUTO_TEST_CASE(a_tuple_the_api_rejects_fails_alone_with_its_reason) {
    client_fixture f(false, workspaces_config());
    f.run(
        [&]() -> asio::awaitable<void> {
            std::vector<permit::relationship_tuple_create> tuples;
            for (int i = 0; i < 5; ++i)
                tuples.push_back({.subject = "account:a" + std::to_string(i),
                                  .relation = "owner",
                                  .object = "workspace:w" + std::to_string(i),
                                  .tenant = "default"});
            // `owner` relates an account to a workspace, not a workspace to a workspace.
            tuples[3].subject = "workspace:stranger";
            std::vector<permit::diagnostics> diags(tuples.size());
            std::vector<boost::system::error_code> codes(tuples.size());
            auto ex = co_await asio::this_coro::executor;
            std::size_t left = tuples.size();
            asio::steady_timer all_done(ex, steady::time_point::max());
            for (std::size_t i = 0; i < tuples.size(); ++i)
                f.permit.bulk.write_tuple(tuples[i], diags[i],
                                          [&, i](boost::system::error_code ec) {
                                              codes[i] = ec;
                                              if (--left == 0) all_done.cancel();
                                          });
            co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
            for (std::size_t i = 0; i < tuples.size(); ++i)
                BOOST_TEST(!!codes[i] == (i == 3), "tuple " << i);
            BOOST_TEST(codes[3] == permit::error::validation_failed);
            BOOST_TEST(diags[3].status == 422u);
            BOOST_TEST_REQUIRE(diags[3].details.has_value());
            BOOST_TEST(diags[3].details->error_code == "MISMATCH_RELATION_TYPE");
        }(),
        30s);
    BOOST_TEST(stored_tuples(f.emu).size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
