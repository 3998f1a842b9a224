// Read-your-writes: writes through the PDP's facts proxy with wait-for-sync, against an emulator
// whose PDP sees writes 300 ms after the API applied them (stretched under a sanitizer).
#include "support/client_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

namespace {

using namespace permit_test;
using permit::sync_timeout_policy;
using permit::sync_wait;

const std::chrono::milliseconds propagation = 300ms * slowdown;

// A resource, a role that may read it, and a PDP that lags the API by `propagation`.
permit::testing::emulator_config lagging_pdp() {
    permit::testing::emulator_config cfg;
    cfg.pdp_propagation_delay = propagation;
    cfg.initial_state = json::parse(R"({
        "resources": [{"key": "document", "name": "Document", "actions": {"read": {}}}],
        "roles": [{"key": "viewer", "name": "Viewer", "permissions": ["document:read"]}]})");
    return cfg;
}

struct lagging_fixture : client_fixture {
    explicit lagging_fixture(const std::function<void(permit::config&)>& adjust = {})
        : client_fixture(false, lagging_pdp(), adjust) {}

    // A viewer of the default tenant, as a sign-in would sync them.
    static permit::user_create viewer(std::string key) {
        return {.key = std::move(key),
                .role_assignments = {{.role = "viewer", .tenant = "default"}}};
    }
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

void proxy_facts(permit::config& cfg) {
    cfg.proxy_facts_via_pdp = true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_your_writes)

BOOST_FIXTURE_TEST_CASE(without_waiting_a_check_right_after_a_sync_is_stale, lagging_fixture) {
    run([&]() -> asio::awaitable<void> {
        const auto jane = viewer("jane");
        co_await permit.users.sync(jane);
        const bool jane_may_read = co_await permit.check("jane", "read", "document");
        BOOST_TEST(!jane_may_read);
        // It was the PDP's lag: once it has passed, the same check is allowed.
        co_await sleep_for(propagation + 200ms);
        const bool jane_may_read_2 = co_await permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read_2);
    }());
}

BOOST_AUTO_TEST_CASE(with_proxy_facts_via_pdp_a_check_right_after_a_sync_is_allowed) {
    lagging_fixture f(proxy_facts);
    f.run([&]() -> asio::awaitable<void> {
        const auto jane = lagging_fixture::viewer("jane");
        permit::diagnostics diag;
        auto synced = co_await f.permit.users.sync(jane, diag);
        BOOST_TEST(synced.created);
        BOOST_TEST(diag.request == "PUT /facts/users/jane");
        const bool jane_may_read = co_await f.permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read);
    }());
    BOOST_TEST(f.stored("users", "jane").is_object());
}

BOOST_FIXTURE_TEST_CASE(a_view_with_wait_for_sync_waits_while_the_client_does_not,
                        lagging_fixture) {
    run([&]() -> asio::awaitable<void> {
        const auto consistent = permit.with({.wait_for_sync = sync_wait{}});
        const auto jane = viewer("jane");
        co_await consistent.users.sync(jane);
        const bool jane_may_read = co_await permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read);
        // The client itself still writes to the API directly.
        const auto joe = viewer("joe");
        permit::diagnostics diag;
        co_await permit.users.sync(joe, diag);
        BOOST_TEST(diag.request.find("/v2/facts/") != std::string::npos);
        const bool joe_may_read = co_await permit.check("joe", "read", "document");
        BOOST_TEST(!joe_may_read);
    }());
}

BOOST_FIXTURE_TEST_CASE(a_50_ms_timeout_with_the_fail_policy_is_a_sync_timeout, lagging_fixture) {
    run([&]() -> asio::awaitable<void> {
        const auto impatient = permit.with(
            {.wait_for_sync = sync_wait{.timeout = 50ms, .policy = sync_timeout_policy::fail}});
        const auto jane = viewer("jane");
        permit::diagnostics diag;
        auto [ec, result] =
            co_await impatient.users.sync(jane, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::sync_timeout);
        BOOST_TEST(ec == permit::error::sync_timeout);
        BOOST_TEST(diag.status == 424u);
        BOOST_TEST(diag.detail == "Timeout waiting for update to be received");
        // The write is applied; only the PDP's view is late, so it is not sent again.
        BOOST_TEST(diag.attempts == 1u);
    }());
    BOOST_TEST(stored("users", "jane").is_object());
}

BOOST_FIXTURE_TEST_CASE(a_50_ms_timeout_with_the_ignore_policy_succeeds, lagging_fixture) {
    run([&]() -> asio::awaitable<void> {
        const auto lenient = permit.with(
            {.wait_for_sync = sync_wait{.timeout = 50ms, .policy = sync_timeout_policy::ignore}});
        const auto jane = viewer("jane");
        auto synced = co_await lenient.users.sync(jane);
        BOOST_TEST(synced.user.key == "jane");
        // The PDP answered at the end of its 50 ms, before it saw the write.
        const bool jane_may_read = co_await permit.check("jane", "read", "document");
        BOOST_TEST(!jane_may_read);
    }());
}

BOOST_FIXTURE_TEST_CASE(a_zero_timeout_answers_at_once_and_a_negative_one_waits_for_the_pdp,
                        lagging_fixture) {
    run([&]() -> asio::awaitable<void> {
        const auto no_wait = permit.with({.wait_for_sync = sync_wait{.timeout = 0ms}});
        const auto jane = viewer("jane");
        co_await no_wait.users.sync(jane);
        const bool jane_may_read = co_await permit.check("jane", "read", "document");
        BOOST_TEST(!jane_may_read);

        const auto unbounded = permit.with({.wait_for_sync = sync_wait{.timeout = -1ms}});
        const auto joe = viewer("joe");
        co_await unbounded.users.sync(joe);
        const bool joe_may_read = co_await permit.check("joe", "read", "document");
        BOOST_TEST(joe_may_read);
    }());
}

BOOST_AUTO_TEST_CASE(role_assignments_wait_too) {
    lagging_fixture f(proxy_facts);
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create jane{.key = "jane"};
        co_await f.permit.users.create(jane);
        const permit::user_role_create viewer{.role = "viewer", .tenant = "default"};
        co_await f.permit.users.assign_role("jane", viewer);
        const bool jane_may_read = co_await f.permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read);

        const permit::user_create joe{.key = "joe"};
        co_await f.permit.users.create(joe);
        const permit::role_assignment_create assignment{
            .user = "joe", .role = "viewer", .tenant = "default"};
        co_await f.permit.role_assignments.assign(assignment);
        const bool joe_may_read = co_await f.permit.check("joe", "read", "document");
        BOOST_TEST(joe_may_read);

        const permit::role_assignment_remove removal{
            .user = "joe", .role = "viewer", .tenant = "default"};
        co_await f.permit.role_assignments.unassign(removal);
        const bool joe_may_read_2 = co_await f.permit.check("joe", "read", "document");
        BOOST_TEST(!joe_may_read_2);
    }());
}

BOOST_AUTO_TEST_CASE(bulk_calls_go_through_the_pdp_without_waiting) {
    lagging_fixture f(proxy_facts);
    f.run([&]() -> asio::awaitable<void> {
        std::vector<permit::user_create> users{lagging_fixture::viewer("jane")};
        permit::diagnostics diag;
        co_await f.permit.users.bulk_replace(std::move(users), diag);
        BOOST_TEST(diag.request == "PUT /facts/bulk/users");
        const bool jane_may_read = co_await f.permit.check("jane", "read", "document");
        BOOST_TEST(!jane_may_read);
    }());
    BOOST_TEST(f.stored("users", "jane").is_object());
}

BOOST_AUTO_TEST_CASE(the_headers_follow_the_config_and_the_view) {
    // A PDP whose default wait is shorter than its lag, and whose default policy is "fail": a
    // write that sends no header times out; one that sends the client's settings does not.
    auto emu_cfg = lagging_pdp();
    emu_cfg.pdp_facts_wait_timeout = 50ms;
    emu_cfg.pdp_facts_timeout_policy = permit::testing::facts_timeout_policy::fail;
    client_fixture f(false, std::move(emu_cfg), [](permit::config& cfg) {
        cfg.proxy_facts_via_pdp = true;
        cfg.facts_sync = {.timeout = 10s, .policy = sync_timeout_policy::fail};
    });
    f.run([&]() -> asio::awaitable<void> {
        const auto jane = lagging_fixture::viewer("jane");
        co_await f.permit.users.sync(jane);
        const bool jane_may_read = co_await f.permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read);

        const auto pdp_defaults = f.permit.with({.wait_for_sync = sync_wait{}});
        const auto joe = lagging_fixture::viewer("joe");
        auto [ec, result] =
            co_await pdp_defaults.users.sync(joe, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::sync_timeout);
    }());
}

BOOST_AUTO_TEST_CASE(the_bulk_pipeline_resumes_a_caller_once_the_pdp_sees_its_roles) {
    lagging_fixture f([](permit::config& cfg) {
        cfg.bulk.linger = 5ms;
        cfg.bulk.confirm_with_pdp = permit::pdp_confirmation{};
    });
    auto plain_config = f.client_config();
    plain_config.bulk.linger = 5ms;
    auto plain = f.make_client(plain_config);
    f.run([&]() -> asio::awaitable<void> {
        const auto jane = lagging_fixture::viewer("jane");
        co_await f.permit.bulk.sync_user(jane);
        const bool jane_may_read = co_await f.permit.check("jane", "read", "document");
        BOOST_TEST(jane_may_read);
        // Without the option, the caller resumes as soon as the bulk calls succeeded.
        const auto joe = lagging_fixture::viewer("joe");
        co_await plain->bulk.sync_user(joe);
        const bool joe_may_read = co_await f.permit.check("joe", "read", "document");
        BOOST_TEST(!joe_may_read);
        // An assign_role is confirmed too.
        const permit::user_create ann{.key = "ann"};
        co_await f.permit.users.create(ann);
        const permit::role_assignment_create assignment{
            .user = "ann", .role = "viewer", .tenant = "default"};
        co_await f.permit.bulk.assign_role(assignment);
        const bool ann_may_read = co_await f.permit.check("ann", "read", "document");
        BOOST_TEST(ann_may_read);
    }());
    BOOST_TEST(f.emu.stats().route("POST /user-permissions") >= 2u);
}

BOOST_AUTO_TEST_CASE(confirming_with_the_pdp_is_bounded_in_time) {
    lagging_fixture f([](permit::config& cfg) {
        cfg.bulk.linger = 5ms;
        cfg.bulk.confirm_with_pdp = permit::pdp_confirmation{
            .timeout = 50ms, .first_interval = 10ms, .policy = sync_timeout_policy::fail};
    });
    auto lenient_config = f.client_config();
    lenient_config.bulk.linger = 5ms;
    lenient_config.bulk.confirm_with_pdp = permit::pdp_confirmation{
        .timeout = 50ms, .first_interval = 10ms, .policy = sync_timeout_policy::ignore};
    auto lenient = f.make_client(lenient_config);
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const auto jane = lagging_fixture::viewer("jane");
        auto [ec] =
            co_await f.permit.bulk.sync_user(jane, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::sync_timeout);
        BOOST_TEST(diag.client_message.find("did not see the user's roles within 50 ms") !=
                   std::string::npos);
        // The user and the role are stored: only the PDP is late.
        const auto joe = lagging_fixture::viewer("joe");
        auto [ec2] = co_await lenient->bulk.sync_user(joe, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec2);
    }());
    BOOST_TEST(f.stored("users", "jane").is_object());
    BOOST_TEST(f.stored_assignments() ==
               (std::vector<std::string>{"jane/viewer/default", "joe/viewer/default"}));
}

BOOST_AUTO_TEST_SUITE_END()
