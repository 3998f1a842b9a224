// The thread-safe mode: one client shared by the threads of a multi-threaded io_context.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

namespace asio = boost::asio;

namespace {

/// A thread-safe client's configuration for `emu`.
permit::config thread_safe_config(const permit::testing::emulator& emu) {
    return {.api_key = emu.config().api_key,
            .api_url = emu.url(),
            .pdp_url = emu.pdp_url(),
            .thread_safe = true};
}

/// Counts the coroutines that ended, with or without an exception.
struct outcome_counter {
    std::atomic<int> succeeded{0};
    std::atomic<int> failed{0};
    int ended() const { return succeeded.load() + failed.load(); }
    auto handler() {
        return [this](std::exception_ptr e) { (e ? failed : succeeded) += 1; };
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_threads)

BOOST_AUTO_TEST_CASE(a_thread_safe_client_serves_coroutines_on_four_threads) {
    permit::testing::emulator emu(permit::testing::emulator_config{.pdp_port = 0});
    asio::thread_pool threads(4);
    auto cfg = thread_safe_config(emu);
    cfg.api_max_connections = 4;
    permit::client permit(threads.get_executor(), cfg);
    constexpr int calls = 400;
    outcome_counter outcomes;
    for (int i = 0; i < calls; ++i) {
        // Spawned on the pool itself, not on the client's strand: the client must serialise.
        asio::co_spawn(
            threads,
            [&permit, i]() -> asio::awaitable<void> {
                permit::user_create who{.key = "user-" + std::to_string(i)};
                co_await permit.users.sync(who);
            },
            outcomes.handler());
    }
    threads.join();
    BOOST_TEST(outcomes.succeeded.load() == calls);
    BOOST_TEST(outcomes.failed.load() == 0);
    BOOST_TEST(emu.user_count() == static_cast<std::size_t>(calls));
    BOOST_TEST(emu.stats().connections_accepted <= 4u);
}

BOOST_AUTO_TEST_CASE(the_bulk_pipeline_of_a_thread_safe_client_serves_callers_on_four_threads) {
    permit::testing::emulator_config config;
    config.initial_state = boost::json::parse(R"({"roles":[{"key":"member","name":"Member"}]})");
    config.pdp_port = 0;
    permit::testing::emulator emu(config);
    asio::thread_pool threads(4);
    permit::client permit(threads.get_executor(), thread_safe_config(emu));
    constexpr int calls = 4000;
    outcome_counter outcomes;
    for (int i = 0; i < calls; ++i) {
        asio::co_spawn(
            threads,
            [&permit, i]() -> asio::awaitable<void> {
                permit::user_create who{.key = "user-" + std::to_string(i)};
                who.role_assignments.push_back(
                    {.role = "member", .tenant = "company-" + std::to_string(i % 10)});
                co_await permit.bulk.sync_user(std::move(who));
            },
            outcomes.handler());
    }
    // The counters are read from a foreign thread while the pipeline runs.
    std::uint64_t last_synced = 0;
    while (outcomes.ended() < calls) {
        const auto stats = permit.bulk.stats();
        BOOST_TEST(stats.users_synced >= last_synced);
        last_synced = stats.users_synced;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    threads.join();
    BOOST_TEST(outcomes.succeeded.load() == calls);
    BOOST_TEST(outcomes.failed.load() == 0);
    BOOST_TEST(emu.user_count() == static_cast<std::size_t>(calls));
    BOOST_TEST(emu.role_assignment_count() == static_cast<std::size_t>(calls));
    BOOST_TEST(permit.bulk.stats().users_synced == static_cast<std::uint64_t>(calls));
}

BOOST_AUTO_TEST_CASE(cancel_from_another_thread_aborts_calls_of_a_thread_safe_client) {
    permit::testing::emulator_config config;
    config.faults = {{.method = "GET",
                      .path = "/v2/facts/*/*/users/*",
                      .kind = permit::testing::fault_kind::delay,
                      .delay = std::chrono::seconds(5)}};
    config.pdp_port = 0;
    permit::testing::emulator emu(config);
    asio::thread_pool threads(2);
    permit::client permit(threads.get_executor(), thread_safe_config(emu));
    std::atomic<int> aborted{0};
    constexpr int calls = 8;
    for (int i = 0; i < calls; ++i) {
        permit.users.get("slow", [&](boost::system::error_code ec, permit::user) {
            if (ec == asio::error::operation_aborted) ++aborted;
        });
    }
    // Once the requests are out, cancel from this (foreign) thread.
    for (int i = 0; i < 200 && emu.stats().requests < calls; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    permit.cancel();
    threads.join();
    // Without the cancel, each call would succeed once its 5 s delay is over.
    BOOST_TEST(aborted.load() == calls);
}

BOOST_AUTO_TEST_SUITE_END()
