// Clients that share their rate budget through Redis, against an emulator that enforces the same
// limits: together they draw no 429; and a client whose Redis does not answer still works, paced
// by its own share of the budget.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "support/client_fixture.hpp"
#include "support/redis_server.hpp"
#include "support/slowdown.hpp"

using namespace std::chrono_literals;

namespace shared_budget_client_test {

namespace asio = boost::asio;
using permit_test::client_fixture;
using permit_test::run_concurrently;
using permit_test::slowdown;

/// The server's documented limits, one minute lasting 100 ms (longer under a sanitizer).
permit::testing::rate_limit_config server_limits() {
    return {.enabled = true, .time_scale = 600.0 / slowdown};
}

/// The same limits on the client's side, kept in Redis at `url`.
permit::rate_limit_options shared_limits(const std::string& url) {
    const auto minute = std::chrono::milliseconds(100 * slowdown);
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    o.all = {1000, minute};
    o.writes = {300, minute};
    o.deletes = {60, minute};
    o.bulk = {100, 10 * minute};
    o.redis_url = url;
    return o;
}

/// The client config edit for a test: the scope named (no lookup), no retry (a 429 would fail
/// the call), the shared limits.
void adjust(permit::config& c, const std::string& url) {
    c.project_id = "default";
    c.environment_id = "production";
    c.retry = permit::retry_policy::none();
    c.rate_limits = shared_limits(url);
}

}  // namespace shared_budget_client_test

BOOST_AUTO_TEST_SUITE(shared_rate_limit_clients,
                      *boost::unit_test::precondition(&permit_test::redis_server_installed))

BOOST_AUTO_TEST_CASE(two_clients_sharing_a_budget_draw_no_429_from_a_server_with_its_limits) {
    using namespace shared_budget_client_test;
    permit_test::redis_server redis;
    permit::testing::emulator_config emu_cfg;
    emu_cfg.rate_limits = server_limits();
    const std::string url = redis.url();
    client_fixture f{false, emu_cfg, [&](permit::config& c) { adjust(c, url); }};
    auto second_cfg = f.client_config();
    adjust(second_cfg, url);
    auto second = f.make_client(second_cfg);
    // Alone, each client would send 300 writes in a window of the server's, twice its limit.
    std::vector<boost::system::error_code> errors;
    f.run(
        [&]() -> asio::awaitable<void> {
            errors = co_await run_concurrently(
                1200, 64, [&](int i) -> asio::awaitable<boost::system::error_code> {
                    permit::client& c = i % 2 ? f.permit : *second;
                    const permit::user_create who{.key = "user-" + std::to_string(i)};
                    auto [ec, result] =
                        co_await c.users.sync(who, asio::as_tuple(asio::use_awaitable));
                    co_return ec;
                });
        }(),
        60s);
    BOOST_TEST(errors.empty(), errors.size() << " writes failed");
    BOOST_TEST(f.emu.stats().rate_limited == 0u, "the server refused none");
    BOOST_TEST(f.emu.user_count() == 1200u);
}

BOOST_AUTO_TEST_CASE(a_client_whose_redis_does_not_answer_works_and_says_so_once) {
    using namespace shared_budget_client_test;
    // Nothing listens there.
    const std::string url =
        "redis://127.0.0.1:" + std::to_string(permit_test::free_loopback_port()) + "/0";
    std::vector<std::string> warnings;
    client_fixture f{false, {}, [&](permit::config& c) {
                         adjust(c, url);
                         c.rate_limits.fallback_share = 0.5;
                         c.log = [&](permit::log_level level, std::string_view text) {
                             if (level == permit::log_level::warning &&
                                 text.find("Redis") != std::string_view::npos)
                                 warnings.emplace_back(text);
                         };
                     }};
    std::vector<boost::system::error_code> errors;
    f.run(
        [&]() -> asio::awaitable<void> {
            errors = co_await run_concurrently(
                40, 8, [&](int i) -> asio::awaitable<boost::system::error_code> {
                    const permit::user_create who{.key = "user-" + std::to_string(i)};
                    auto [ec, result] =
                        co_await f.permit.users.sync(who, asio::as_tuple(asio::use_awaitable));
                    co_return ec;
                });
        }(),
        30s);
    BOOST_TEST(errors.empty(), errors.size() << " writes failed");
    BOOST_TEST(f.emu.user_count() == 40u);
    BOOST_TEST_REQUIRE(warnings.size() == 1u);
    BOOST_TEST(warnings.front().find("pacing this client alone with 50% of each limit") !=
                   std::string::npos,
               warnings.front());
    // The log names the server without its credentials.
    BOOST_TEST(warnings.front().find(url) != std::string::npos, warnings.front());
}

BOOST_AUTO_TEST_CASE(a_redis_url_that_is_not_one_is_refused) {
    using namespace shared_budget_client_test;
    permit::testing::emulator emu;
    for (const std::string url :
         {"http://127.0.0.1:6379", "redis://", "redis://h:99999/0", "redis://h/x", "rediss://h"}) {
        permit::config c{.api_key = emu.config().api_key, .api_url = emu.url()};
        c.rate_limits.redis_url = url;
        boost::asio::io_context ioc;
        BOOST_CHECK_THROW(permit::client(ioc.get_executor(), c), std::invalid_argument);
    }
}

BOOST_AUTO_TEST_SUITE_END()
