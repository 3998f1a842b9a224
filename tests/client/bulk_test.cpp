// The bulk pipeline against the emulator: coalescing, order, isolation of rejected items,
// retries under faults, backpressure, pacing under the rate limits, flush and cancellation.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <permit/detail/client_impl.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

using permit::testing::emulator_config;
using permit::testing::fault_kind;
using clock_type = std::chrono::steady_clock;

const std::string user_batch_route = "PUT /v2/facts/{proj_id}/{env_id}/bulk/users";
const std::string tenant_batch_route = "POST /v2/facts/{proj_id}/{env_id}/bulk/tenants";
const std::string assignment_batch_route =
    "POST /v2/facts/{proj_id}/{env_id}/role_assignments/bulk";

constexpr std::size_t tenant_count = 8;

/// User `i`: one role in one of `tenant_count` tenants.
permit::user_create make_user(std::size_t i) {
    permit::user_create u{.key = "user-" + std::to_string(i),
                          .email = "user" + std::to_string(i) + "@example.com",
                          .first_name = "First" + std::to_string(i)};
    u.attributes["n"] = i;
    u.role_assignments.push_back({.role = i % 3 == 0 ? "editor" : "viewer",
                                  .tenant = "tenant-" + std::to_string(i % tenant_count)});
    return u;
}

std::vector<permit::user_create> make_users(std::size_t count) {
    std::vector<permit::user_create> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.push_back(make_user(i));
    return out;
}

/// `user/role/tenant` of the assignments `users` ask for, sorted.
std::vector<std::string> wanted_assignments(const std::vector<permit::user_create>& users) {
    std::vector<std::string> out;
    for (const auto& u : users)
        for (const auto& r : u.role_assignments)
            out.push_back(u.key + "/" + r.role + "/" + r.tenant.value_or("<none>"));
    std::sort(out.begin(), out.end());
    return out;
}

struct call_result {
    boost::system::error_code ec;
    permit::diagnostics diag;
    int completions = 0;
};

/// Starts `start(item, diag, handler)` for every item at once, each with a plain callback, and
/// waits until all completed.
template <class Item, class Start>
asio::awaitable<std::vector<call_result>> call_all(std::vector<Item> items, Start start) {
    auto ex = co_await asio::this_coro::executor;
    auto results = std::make_shared<std::vector<call_result>>(items.size());
    auto left = std::make_shared<std::size_t>(items.size());
    auto all_done = std::make_shared<asio::steady_timer>(ex, clock_type::time_point::max());
    for (std::size_t i = 0; i < items.size(); ++i) {
        start(std::move(items[i]), (*results)[i].diag,
              [results, left, all_done, i](boost::system::error_code ec) {
                  auto& r = (*results)[i];
                  r.ec = ec;
                  if (++r.completions == 1 && --*left == 0) all_done->cancel();
              });
    }
    if (*left > 0) co_await all_done->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return *results;
}

/// `bulk.sync_user` for every user at once.
asio::awaitable<std::vector<call_result>> sync_all(permit::client_view& permit,
                                                   std::vector<permit::user_create> users) {
    return call_all(std::move(users), [&permit](auto item, auto& diag, auto handler) {
        permit.bulk.sync_user(std::move(item), diag, std::move(handler));
    });
}

/// `bulk.assign_role` for every assignment at once.
asio::awaitable<std::vector<call_result>> assign_all(
    permit::client_view& permit, std::vector<permit::role_assignment_create> assignments) {
    return call_all(std::move(assignments), [&permit](auto item, auto& diag, auto handler) {
        permit.bulk.assign_role(std::move(item), diag, std::move(handler));
    });
}

/// How many results failed, and that each call completed exactly once.
std::size_t failures_of(const std::vector<call_result>& results) {
    std::size_t failed = 0;
    for (const auto& r : results) {
        BOOST_TEST(r.completions == 1);
        if (r.ec) ++failed;
    }
    return failed;
}

std::size_t batches_needed(std::size_t items, std::size_t per_batch) {
    return (items + per_batch - 1) / per_batch;
}

/// Creates the roles the generated users hold.
asio::awaitable<void> create_roles(client_fixture& f) {
    co_await f.create_role("viewer");
    co_await f.create_role("editor");
    co_await f.create_role("admin");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_pipeline_client)

BOOST_AUTO_TEST_CASE(twenty_thousand_concurrent_syncs_become_full_batches_and_land_exactly_once) {
    client_fixture f;
    const auto users = make_users(20000);
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            f.emu.reset_stats();
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 0u);
        }(),
        60s);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.route(user_batch_route) == batches_needed(20000, 3000));
    BOOST_TEST(stats.route(tenant_batch_route) == 1u);
    // Assignments are released as user batches come back: full batches, plus at most one partial
    // batch per user batch.
    BOOST_TEST(stats.route(assignment_batch_route) <=
               batches_needed(20000, 2000) + batches_needed(20000, 3000));
    // No assignment reached the emulator before its user or tenant (it would have answered 404).
    BOOST_TEST(stats.status(404) == 0u);
    BOOST_TEST(f.emu.user_count() == 20000u);
    BOOST_TEST(f.emu.tenant_count() == tenant_count + 1);  // and the default tenant
    BOOST_TEST(f.stored_assignments() == wanted_assignments(users),
               boost::test_tools::per_element());
    const auto bulk = f.permit.bulk.stats();
    BOOST_TEST(bulk.users_synced == 20000u);
    BOOST_TEST(bulk.tenants_created == tenant_count);
    BOOST_TEST(bulk.assignments_created == 20000u);
    BOOST_TEST(bulk.pending == 0u);
    BOOST_TEST(bulk.pending_high_water <= f.permit.get_config().bulk.max_pending);
}

BOOST_AUTO_TEST_CASE(faults_on_bulk_calls_leave_the_final_state_exact) {
    // 5% of bulk calls answered 429 or 503, 1% applied and then cut off before the response.
    emulator_config cfg;
    cfg.seed = 7;
    for (const char* path : {"/v2/facts/*/*/bulk/**", "/v2/facts/*/*/role_assignments/bulk"}) {
        cfg.faults.push_back({.path = path, .kind = fault_kind::reset_after_apply, .rate = 0.01});
        cfg.faults.push_back({.path = path, .kind = fault_kind::http_429, .rate = 0.025});
        cfg.faults.push_back({.path = path, .kind = fault_kind::http_503, .rate = 0.025});
    }
    client_fixture f(false, cfg, [](permit::config& c) {
        // Small batches, so that there are a few hundred bulk calls to fault.
        c.bulk.users_per_batch = 50;
        c.bulk.tenants_per_batch = 4;
        c.bulk.assignments_per_batch = 50;
        c.bulk.retry.initial_backoff = 5ms;
        c.bulk.retry.max_backoff = 50ms;
    });
    const auto users = make_users(9000);
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 0u);
        }(),
        60s);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.faults(fault_kind::http_429) > 0u);
    BOOST_TEST(stats.faults(fault_kind::http_503) > 0u);
    BOOST_TEST(stats.faults(fault_kind::reset_after_apply) > 0u);
    BOOST_TEST(f.emu.user_count() == 9000u);
    BOOST_TEST(f.emu.tenant_count() == tenant_count + 1);
    BOOST_TEST(f.stored_assignments() == wanted_assignments(users),
               boost::test_tools::per_element());
    BOOST_TEST(f.permit.stats().retries > 0u);
}

BOOST_AUTO_TEST_CASE(invalid_users_fail_alone_with_the_apis_reason_and_the_others_land) {
    client_fixture f;
    auto users = make_users(9000);
    users[10].email = "not-an-email";
    users[4321].key = "key with spaces";
    users[8999].email = "also@invalid";
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 3u);
            for (std::size_t bad : {10u, 4321u, 8999u}) {
                const auto& r = results[bad];
                BOOST_TEST(r.ec == permit::error::validation_failed);
                BOOST_TEST(r.diag.status == 422u);
                BOOST_REQUIRE_EQUAL(r.diag.validation_errors.size(), 1u);
                // The field of the caller's own user, not its place in the batch.
                const auto field = bad == 4321 ? "key" : "email";
                BOOST_TEST(r.diag.validation_errors[0].loc == json::array{field});
                BOOST_TEST(r.diag.to_string().find(field) != std::string::npos, r.diag.to_string());
            }
        }(),
        60s);
    BOOST_TEST(f.emu.user_count() == 8997u);
    auto landed = users;
    for (std::size_t bad : {8999u, 4321u, 10u})
        landed.erase(landed.begin() + static_cast<std::ptrdiff_t>(bad));
    // A rejected user's role assignments are not sent.
    BOOST_TEST(f.stored_assignments() == wanted_assignments(landed),
               boost::test_tools::per_element());
    BOOST_TEST(f.permit.bulk.stats().items_rejected == 3u);
    // The 422s named the bad items: no batch had to be split to find them.
    BOOST_TEST(f.permit.bulk.stats().batches_split == 0u);
}

BOOST_AUTO_TEST_CASE(a_batch_over_the_servers_limit_is_split_until_accepted) {
    emulator_config cfg;
    cfg.bulk_users_limit = 1000;  // the client sends 3,000
    client_fixture f(false, cfg);
    const auto users = make_users(3000);
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 0u);
        }(),
        60s);
    BOOST_TEST(f.emu.user_count() == 3000u);
    // 3,000 -> 1,500 + 1,500 -> four batches of 750.
    BOOST_TEST(f.permit.bulk.stats().batches_split == 3u);
    BOOST_TEST(f.emu.stats().route(user_batch_route) == 7u);
}

BOOST_AUTO_TEST_CASE(an_assignment_naming_a_missing_role_fails_alone_with_not_found) {
    client_fixture f;
    std::vector<call_result> results;
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        co_await f.create_tenant("acme");
        std::vector<permit::user_create> owner{make_user(0)};
        co_await sync_all(f.permit, std::move(owner));
        std::vector<permit::role_assignment_create> assignments;
        for (std::size_t i = 0; i < 41; ++i)
            assignments.push_back(
                {.user = "user-0", .role = i == 17 ? "no-such-role" : "viewer", .tenant = "acme"});
        results = co_await assign_all(f.permit, std::move(assignments));
    }());
    BOOST_TEST(failures_of(results) == 1u);
    BOOST_TEST(results[17].ec == permit::error::not_found);
    BOOST_TEST(results[17].diag.status == 404u);
    const auto why = results[17].diag.to_string();
    BOOST_TEST(why.find("role 'no-such-role' does not exist") != std::string::npos, why);
    // The role was looked up before any assignment went out: no batch failed for it.
    BOOST_TEST(f.permit.bulk.stats().batches_split == 0u);
    BOOST_TEST(f.emu.stats().status(404) == 1u);  // the lookup
}

BOOST_AUTO_TEST_CASE(an_assignment_to_a_missing_user_is_isolated_by_splitting_its_batch) {
    client_fixture f;
    std::vector<call_result> results;
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        co_await sync_all(f.permit, make_users(30));
        // User 30 was never synced; the API answers the whole batch 404, naming no item.
        std::vector<permit::role_assignment_create> assignments;
        for (std::size_t i = 0; i < 31; ++i)
            assignments.push_back({.user = "user-" + std::to_string(i), .role = "admin"});
        results = co_await assign_all(f.permit, std::move(assignments));
    }());
    BOOST_TEST(failures_of(results) == 1u);
    BOOST_TEST(results[30].ec == permit::error::not_found);
    BOOST_TEST(results[30].diag.status == 404u);
    // The last of 31: 31 -> 15 -> 7 -> 3 -> 1, four splits on the way down to it.
    BOOST_TEST(f.permit.bulk.stats().batches_split == 4u);
    BOOST_TEST(f.emu.role_assignment_count() == 30u + 30u);
}

BOOST_AUTO_TEST_CASE(existing_tenants_are_not_an_error) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        co_await f.create_tenant("tenant-1", "Tenant One");
        co_await f.create_tenant("tenant-3", "Tenant Three");
        permit::tenant_create existing{.key = "tenant-1", .name = "Another name"};
        permit::diagnostics diag;
        auto [ec] = co_await f.permit.bulk.ensure_tenant(existing, diag,
                                                         asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, diag.to_string());
        const auto results = co_await sync_all(f.permit, make_users(16));
        BOOST_TEST(failures_of(results) == 0u);
    }());
    BOOST_TEST(f.emu.tenant_count() == tenant_count + 1);
    // An existing tenant is left as it was.
    BOOST_TEST(f.stored("tenants", "tenant-1").at("name") == "Tenant One");
    const auto bulk = f.permit.bulk.stats();
    BOOST_TEST(bulk.tenants_existing == 2u);
    BOOST_TEST(bulk.tenants_created == tenant_count - 2);
    // tenant-1 alone (409: exists); then the seven others (409), each looked up once, and the six
    // missing ones created in one more batch.
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.route(tenant_batch_route) == 3u);
    BOOST_TEST(stats.route("GET /v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}") == 7u);
    BOOST_TEST(bulk.batches_split == 0u);
    BOOST_TEST(bulk.assignments_created == 16u);
}

BOOST_AUTO_TEST_CASE(callers_beyond_the_bound_wait_for_room_and_all_land) {
    client_fixture f(false, {}, [](permit::config& c) {
        c.bulk.max_pending = 500;
        c.bulk.users_per_batch = 200;
    });
    const auto users = make_users(5000);
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 0u);
        }(),
        60s);
    BOOST_TEST(f.emu.user_count() == 5000u);
    const auto bulk = f.permit.bulk.stats();
    BOOST_TEST(bulk.pending_high_water == 500u);
    BOOST_TEST(bulk.in_flight_high_water <= f.permit.get_config().bulk.max_batches_in_flight);
    BOOST_TEST(f.stored_assignments() == wanted_assignments(users),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_burst_under_the_rate_limits_draws_no_429_and_sends_only_full_batches) {
    // The documented limits with every window 600 times shorter, and 5 bulk calls per window (the
    // ten-minute one lasts a second), on both sides.
    emulator_config cfg;
    cfg.rate_limits = {.enabled = true, .time_scale = 600, .bulk_per_10_minutes = 5};
    client_fixture f(false, cfg, [](permit::config& c) {
        c.rate_limits.mode = permit::rate_limit_options::mode_type::on;
        c.rate_limits.all = {1000, 100ms};
        c.rate_limits.writes = {300, 100ms};
        c.rate_limits.deletes = {60, 100ms};
        c.rate_limits.bulk = {5, 1000ms};
    });
    const auto users = make_users(12000);
    f.run(
        [&]() -> asio::awaitable<void> {
            co_await create_roles(f);
            const auto results = co_await sync_all(f.permit, users);
            BOOST_TEST(failures_of(results) == 0u);
        }(),
        60s);
    const auto stats = f.emu.stats();
    BOOST_TEST(stats.status(429) == 0u);
    BOOST_TEST(stats.rate_limited == 0u);
    BOOST_TEST(stats.route(user_batch_route) == 4u);
    BOOST_TEST(stats.route(tenant_batch_route) == 1u);
    BOOST_TEST(stats.route(assignment_batch_route) == 6u);
    BOOST_TEST(f.emu.user_count() == 12000u);
    BOOST_TEST(f.emu.role_assignment_count() == 12000u);
}

/// A client and an emulator that both apply the documented limits with every window 600 times
/// shorter (the ten-minute bulk window lasts a second), with 5 bulk calls per window.
client_fixture paced_fixture(std::size_t single_writes = permit::bulk_options{}.single_writes) {
    emulator_config cfg;
    cfg.rate_limits = {.enabled = true, .time_scale = 600, .bulk_per_10_minutes = 5};
    return client_fixture(false, cfg, [single_writes](permit::config& c) {
        c.rate_limits.mode = permit::rate_limit_options::mode_type::on;
        c.rate_limits.all = {1000, 100ms};
        c.rate_limits.writes = {300, 100ms};
        c.rate_limits.deletes = {60, 100ms};
        c.rate_limits.bulk = {5, 1000ms};
        c.bulk.single_writes = single_writes;
    });
}

BOOST_AUTO_TEST_CASE(a_paced_trickle_of_signups_goes_as_single_writes_and_spends_no_bulk_call) {
    auto f = paced_fixture();
    const auto users = make_users(6);
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        // The tenants exist first, so that only users and assignments remain to be written.
        // (Named values: g++ 12 mishandles braced temporaries in a co_await expression.)
        for (const auto& key : {"tenant-0", "tenant-1"}) {
            const permit::tenant_create tenant{.key = key, .name = key};
            co_await f.permit.bulk.ensure_tenant(tenant);
        }
        for (std::size_t i = 0; i < 2; ++i) {
            std::vector<permit::user_create> pair{users[2 * i], users[2 * i + 1]};
            const auto results = co_await sync_all(f.permit, std::move(pair));
            BOOST_TEST(failures_of(results) == 0u);
        }
    }());
    const auto stats = f.permit.bulk.stats();
    BOOST_TEST(stats.user_writes == 4u);
    BOOST_TEST(stats.assignment_writes == 4u);
    BOOST_TEST(stats.user_batches == 0u);
    BOOST_TEST(stats.assignment_batches == 0u);
    BOOST_TEST(stats.users_synced == 4u);
    BOOST_TEST(stats.assignments_created == 4u);
    const auto emu = f.emu.stats();
    BOOST_TEST(emu.route(user_batch_route) == 0u);
    BOOST_TEST(emu.route(assignment_batch_route) == 0u);
    BOOST_TEST(emu.route("PUT /v2/facts/{proj_id}/{env_id}/users/{user_id}") == 4u);
    BOOST_TEST(emu.route("POST /v2/facts/{proj_id}/{env_id}/role_assignments") == 4u);
    BOOST_TEST(emu.status(429) == 0u);
    BOOST_TEST(f.emu.user_count() == 4u);
    std::vector<permit::user_create> synced(users.begin(), users.begin() + 4);
    BOOST_TEST(f.stored_assignments() == wanted_assignments(synced),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_single_write_of_an_assignment_that_exists_is_success) {
    auto f = paced_fixture();
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        auto user = make_user(0);
        user.role_assignments.clear();
        co_await f.permit.users.sync(user);
        const permit::role_assignment_create assignment{
            .user = "user-0", .role = "editor", .tenant = "default"};
        co_await f.permit.role_assignments.assign(assignment);
        permit::diagnostics diag;
        auto [ec] = co_await f.permit.bulk.assign_role(assignment, diag,
                                                       asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec, diag.to_string());
    }());
    BOOST_TEST(f.permit.bulk.stats().assignment_writes == 1u);
    BOOST_TEST(f.emu.stats().status(409) == 1u);
    BOOST_TEST(f.emu.role_assignment_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_paced_trickle_uses_bulk_calls_when_single_writes_are_off) {
    auto f = paced_fixture(0);
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        std::vector<permit::user_create> one{make_user(0)};
        const auto results = co_await sync_all(f.permit, std::move(one));
        BOOST_TEST(failures_of(results) == 0u);
    }());
    const auto stats = f.permit.bulk.stats();
    BOOST_TEST(stats.user_writes == 0u);
    BOOST_TEST(stats.assignment_writes == 0u);
    BOOST_TEST(stats.user_batches == 1u);
    BOOST_TEST(stats.assignment_batches == 1u);
}

BOOST_AUTO_TEST_CASE(flush_sends_partial_batches_at_once) {
    client_fixture f(false, {}, [](permit::config& c) { c.bulk.linger = std::chrono::hours(1); });
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        auto ex = co_await asio::this_coro::executor;
        int done = 0;
        for (std::size_t i = 0; i < 10; ++i)
            f.permit.bulk.sync_user(make_user(i), [&done](boost::system::error_code ec) {
                BOOST_TEST(!ec);
                ++done;
            });
        asio::steady_timer pause(ex, 50ms);
        co_await pause.async_wait(asio::use_awaitable);
        BOOST_TEST(f.emu.user_count() == 0u);  // lingering: nothing is sent yet
        co_await f.permit.bulk.flush();
        BOOST_TEST(done == 10);
        BOOST_TEST(f.emu.user_count() == 10u);
        // Nothing waits: a flush completes at once.
        co_await f.permit.bulk.flush();
    }());
    BOOST_TEST(f.emu.role_assignment_count() == 10u);
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_leaves_the_other_callers_to_be_resumed_in_order) {
    // Ten callers whose calls one batch answers are resumed one after the other; the fourth
    // handler throws out of `run`. The six after it are resumed when the io_context runs again,
    // in the order their calls finished, each once.
    client_fixture f(false, {}, [](permit::config& c) { c.bulk.users_per_batch = 10; });
    std::vector<int> resumed;
    for (int i = 0; i < 10; ++i) {
        f.permit.bulk.sync_user({.key = "throwing-" + std::to_string(i)},
                                [&resumed, i](boost::system::error_code ec) {
                                    BOOST_TEST(!ec);
                                    resumed.push_back(i);
                                    if (i == 3)
                                        throw std::runtime_error("the fourth handler throws");
                                });
    }
    const auto all_resumed = [&resumed] { return resumed.size() >= 10; };
    BOOST_CHECK_THROW(f.run_until(all_resumed), std::runtime_error);
    BOOST_TEST(resumed == (std::vector<int>{0, 1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST(f.run_until(all_resumed));
    BOOST_TEST(resumed == (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}),
               boost::test_tools::per_element());
    BOOST_TEST(f.emu.user_count() == 10u);
}

BOOST_AUTO_TEST_CASE(a_request_body_comes_back_with_its_memory_once_the_call_is_over) {
    // The bulk pipeline hands each batch's body to the engine with `call_spec::spent_body`, and
    // writes a later batch's body into the same memory.
    client_fixture f;
    const auto impl = permit::detail::make_client_impl(f.ioc.get_executor(), f.client_config());
    f.run([&]() -> asio::awaitable<void> {
        const std::string text = R"({"key":"body-back","email":"body-back@example.com"})";
        std::string body = text;
        const char* const memory = body.data();
        std::string spent;
        permit::detail::call_spec spec{.method = permit::http_method::put,
                                       .base = permit::detail::path_base::facts,
                                       .path = "/users/body-back",
                                       .body = std::move(body)};
        spec.spent_body = &spent;
        permit::diagnostics diag;
        const auto result = co_await permit::detail::client_impl::run<void>(
            impl, std::move(spec), permit::detail::no_decoder{}, &diag);
        BOOST_TEST(!result.ec, diag.to_string());
        BOOST_TEST(spent == text);
        BOOST_TEST(static_cast<const void*>(spent.data()) == static_cast<const void*>(memory));
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_call_completes_once_and_the_others_still_land) {
    using namespace boost::asio::experimental::awaitable_operators;
    client_fixture f(false, {}, [](permit::config& c) { c.bulk.linger = 200ms; });
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        auto ex = co_await asio::this_coro::executor;
        int others = 0;
        for (std::size_t i = 1; i < 5; ++i)
            f.permit.bulk.sync_user(make_user(i), [&others](boost::system::error_code ec) {
                BOOST_TEST(!ec);
                ++others;
            });
        asio::steady_timer timeout(ex, 20ms);
        permit::diagnostics diag;
        auto outcome = co_await (
            f.permit.bulk.sync_user(make_user(0), diag, asio::as_tuple(asio::use_awaitable)) ||
            timeout.async_wait(asio::use_awaitable));
        BOOST_TEST(outcome.index() == 1u);  // the timeout won, and cancelled the call
        co_await f.permit.bulk.flush();
        BOOST_TEST(others == 4);
    }());
    // The cancelled user was still queued: it was not sent.
    BOOST_TEST(!f.stored("users", "user-0").is_object());
    BOOST_TEST(f.emu.user_count() == 4u);
    BOOST_TEST(f.permit.bulk.stats().pending == 0u);
}

BOOST_AUTO_TEST_CASE(client_cancel_completes_every_waiting_call_and_later_calls_work) {
    client_fixture f(false, {}, [](permit::config& c) {
        c.bulk.linger = std::chrono::hours(1);
        c.bulk.max_pending = 10;
    });
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        auto ex = co_await asio::this_coro::executor;
        std::vector<boost::system::error_code> outcomes;
        for (std::size_t i = 0; i < 25; ++i)  // 10 admitted, 15 waiting for room
            f.permit.bulk.sync_user(make_user(i), [&outcomes](boost::system::error_code ec) {
                outcomes.push_back(ec);
            });
        asio::steady_timer pause(ex, 20ms);
        co_await pause.async_wait(asio::use_awaitable);
        f.permit.cancel();
        pause.expires_after(20ms);
        co_await pause.async_wait(asio::use_awaitable);
        BOOST_TEST(outcomes.size() == 25u);
        for (const auto& ec : outcomes) BOOST_TEST(ec == asio::error::operation_aborted);
        BOOST_TEST(f.permit.bulk.stats().pending == 0u);
        // The pipeline works again.
        boost::system::error_code later = asio::error::would_block;
        f.permit.bulk.sync_user(make_user(100),
                                [&later](boost::system::error_code ec) { later = ec; });
        co_await f.permit.bulk.flush();
        BOOST_TEST(!later, later.message());
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_the_client_completes_every_waiting_call) {
    client_fixture f;
    f.run(create_roles(f));
    auto cfg = f.client_config();
    cfg.bulk.linger = std::chrono::hours(1);
    auto client = f.make_client(cfg);
    std::vector<boost::system::error_code> outcomes;
    for (std::size_t i = 0; i < 20; ++i)
        client->bulk.sync_user(
            make_user(i), [&outcomes](boost::system::error_code ec) { outcomes.push_back(ec); });
    f.run_for(20ms);
    client.reset();
    BOOST_TEST(f.run_until([&] { return outcomes.size() == 20u; }));
    for (const auto& ec : outcomes) BOOST_TEST(ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(a_failure_that_outlasts_the_retries_fails_every_caller_with_the_reason) {
    emulator_config cfg;
    cfg.faults = {
        {.method = "PUT", .path = "/v2/facts/*/*/bulk/users", .kind = fault_kind::http_503}};
    client_fixture f(false, cfg, [](permit::config& c) {
        c.bulk.retry.max_attempts = 3;
        c.bulk.retry.initial_backoff = 1ms;
    });
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        const auto results = co_await sync_all(f.permit, make_users(30));
        BOOST_TEST(failures_of(results) == 30u);
        for (const auto& r : results) {
            BOOST_TEST(r.ec == permit::error::service_unavailable);
            BOOST_TEST(r.diag.status == 503u);
            BOOST_TEST(r.diag.attempts == 3u);
            BOOST_TEST(r.diag.request.find("/bulk/users") != std::string::npos, r.diag.request);
        }
    }());
    // One batch, tried three times; no assignment of a user that was not synced.
    BOOST_TEST(f.emu.stats().route(user_batch_route) == 3u);
    BOOST_TEST(f.emu.stats().route(assignment_batch_route) == 0u);
}

BOOST_AUTO_TEST_CASE(a_synced_user_replaces_the_stored_one) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        co_await create_roles(f);
        auto first = make_user(1);
        first.attributes["plan"] = "free";
        std::vector<permit::user_create> batch{first};
        co_await sync_all(f.permit, std::move(batch));
        auto second = make_user(1);
        second.attributes["plan"] = "pro";
        second.email = "new@example.com";
        batch = {second};
        const auto results = co_await sync_all(f.permit, std::move(batch));
        BOOST_TEST(failures_of(results) == 0u);
    }());
    const auto stored = f.stored("users", "user-1");
    BOOST_TEST(stored.at("email") == "new@example.com");
    BOOST_TEST(stored.at("attributes").at("plan") == "pro");
    BOOST_TEST(f.emu.role_assignment_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
