// What the engine keeps of a caller's completion handler: its associated executor (the handler
// runs there, and that executor's context has work until it does) and its associated allocator,
// for requests, pagers and the bulk pipeline alike; and the common case, a handler on the
// client's own executor, completes as before.
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"

using namespace permit_test;

namespace {

/// `std::allocator`, counting what is allocated through it.
template <class T>
struct counting_allocator {
    using value_type = T;
    std::shared_ptr<std::atomic<std::size_t>> allocations;

    explicit counting_allocator(std::shared_ptr<std::atomic<std::size_t>> counter)
        : allocations(std::move(counter)) {}
    template <class U>
    counting_allocator(const counting_allocator<U>& other) : allocations(other.allocations) {}

    T* allocate(std::size_t n) {
        ++*allocations;
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }

    template <class U>
    bool operator==(const counting_allocator<U>& other) const {
        return allocations == other.allocations;
    }
};

/// Where and how a handler ran.
struct completion_record {
    std::atomic<int> calls{0};
    std::atomic<bool> on_expected_executor{false};
    boost::system::error_code ec;
};

/// Runs `other` on a thread of its own with no work of its own: `run()` returns at once unless
/// a call's handler keeps it busy, and the handler then never runs on it.
struct other_context {
    asio::io_context io;
    std::thread thread;

    void start() {
        thread = std::thread([this] { io.run(); });
    }
    ~other_context() {
        if (thread.joinable()) thread.join();
    }
};

/// An emulator that knows the user `jane`.
permit::testing::emulator_config with_jane() {
    permit::testing::emulator_config config;
    config.initial_state = json::parse(R"({"users":[{"key":"jane"}]})");
    return config;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_completion)

BOOST_AUTO_TEST_CASE(a_request_handler_runs_on_its_own_executor_which_has_work_until_it_does) {
    client_fixture f{false, with_jane()};
    other_context other;
    completion_record record;
    f.permit.users.get(
        "jane", asio::bind_executor(
                    other.io.get_executor(), [&](boost::system::error_code ec, permit::user u) {
                        record.ec = ec;
                        record.on_expected_executor =
                            other.io.get_executor().running_in_this_thread() && u.key == "jane";
                        ++record.calls;
                    }));
    other.start();
    f.ioc.run();
    other.thread.join();
    BOOST_TEST(record.calls.load() == 1);
    BOOST_TEST(!record.ec);
    BOOST_TEST(record.on_expected_executor.load());
}

BOOST_AUTO_TEST_CASE(a_bulk_handler_runs_on_its_own_executor_which_has_work_until_it_does) {
    client_fixture f;
    other_context other;
    completion_record record;
    f.permit.bulk.sync_user(
        {.key = "ann"},
        asio::bind_executor(other.io.get_executor(), [&](boost::system::error_code ec) {
            record.ec = ec;
            record.on_expected_executor = other.io.get_executor().running_in_this_thread();
            ++record.calls;
        }));
    other.start();
    f.ioc.run();
    other.thread.join();
    BOOST_TEST(record.calls.load() == 1);
    BOOST_TEST(!record.ec);
    BOOST_TEST(record.on_expected_executor.load());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_pager_handler_runs_on_its_own_executor) {
    client_fixture f{false, with_jane()};
    other_context other;
    completion_record record;
    auto pages = f.permit.users.list_all();
    pages.next(asio::bind_executor(
        other.io.get_executor(), [&](boost::system::error_code ec, std::vector<permit::user> page) {
            record.ec = ec;
            record.on_expected_executor =
                other.io.get_executor().running_in_this_thread() && page.size() == 1u;
            ++record.calls;
        }));
    other.start();
    f.ioc.run();
    other.thread.join();
    BOOST_TEST(record.calls.load() == 1);
    BOOST_TEST(!record.ec);
    BOOST_TEST(record.on_expected_executor.load());
}

BOOST_AUTO_TEST_CASE(a_handler_s_allocator_is_used_for_requests_and_bulk_calls) {
    client_fixture f{false, with_jane()};
    auto allocations = std::make_shared<std::atomic<std::size_t>>(0);
    const counting_allocator<void> alloc(allocations);
    int calls = 0;
    f.permit.users.get("jane",
                       asio::bind_allocator(alloc, [&](boost::system::error_code ec, permit::user) {
                           BOOST_TEST(!ec);
                           ++calls;
                       }));
    f.ioc.run();
    const std::size_t after_request = allocations->load();
    BOOST_TEST(after_request > 0u);
    f.ioc.restart();
    f.permit.bulk.sync_user({.key = "ann"},
                            asio::bind_allocator(alloc, [&](boost::system::error_code ec) {
                                BOOST_TEST(!ec);
                                ++calls;
                            }));
    f.ioc.run();
    BOOST_TEST(allocations->load() > after_request);
    BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(a_callback_on_the_client_s_executor_completes_there) {
    client_fixture f{false, with_jane()};
    int calls = 0;
    std::string key;
    f.permit.users.get("jane", [&](boost::system::error_code ec, permit::user u) {
        BOOST_TEST(!ec);
        BOOST_TEST(f.ioc.get_executor().running_in_this_thread());
        key = u.key;
        ++calls;
    });
    f.permit.bulk.sync_user({.key = "ann"}, [&](boost::system::error_code ec) {
        BOOST_TEST(!ec);
        BOOST_TEST(f.ioc.get_executor().running_in_this_thread());
        ++calls;
    });
    f.ioc.run();
    BOOST_TEST(calls == 2);
    BOOST_TEST(key == "jane");
}

/// A user with every field a sync sends, told apart by `n`.
permit::user_create user_with_every_field(int n) {
    const auto i = std::to_string(n);
    permit::user_create user{.key = "whole-" + i,
                             .email = "whole" + i + "@example.com",
                             .first_name = "First" + i,
                             .last_name = "Last" + i};
    user.attributes["plan"] = "pro";
    user.attributes["seats"] = n;
    return user;
}

BOOST_AUTO_TEST_CASE(a_bulk_item_arrives_whole_through_every_kind_of_completion_token) {
    // Awaitable and deferred tokens start the call later than the initiating function returns,
    // and carry the item until then (in a box); a handler's call starts at once.
    client_fixture f;
    int callbacks = 0;
    f.permit.bulk.sync_user(user_with_every_field(0), [&](boost::system::error_code ec) {
        BOOST_TEST(!ec);
        ++callbacks;
    });
    // Made now, started only when it is given its handler.
    auto deferred = f.permit.bulk.sync_user(user_with_every_field(1), asio::deferred);
    f.run([&]() -> asio::awaitable<void> {
        // Named values: g++ 12 mishandles aggregate temporaries in a co_await expression.
        auto second = user_with_every_field(2);
        co_await f.permit.bulk.sync_user(std::move(second));
        auto third = user_with_every_field(3);
        auto [ec] =
            co_await f.permit.bulk.sync_user(std::move(third), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!ec);
        permit::diagnostics diag;
        auto fourth = user_with_every_field(4);
        co_await f.permit.bulk.sync_user(std::move(fourth), diag, asio::use_awaitable);
        co_await f.permit.bulk.flush();
        // The deferred call has not started: its user is not there.
        auto [missing, not_found_user] =
            co_await f.permit.users.get("whole-1", asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(missing == permit::error::not_found);
        co_await std::move(deferred)(asio::use_awaitable);
        for (int n = 0; n <= 4; ++n) {
            const auto expected = user_with_every_field(n);
            const auto u = co_await f.permit.users.get(expected.key);
            BOOST_TEST(u.email.value_or("") == *expected.email);
            BOOST_TEST(u.first_name.value_or("") == *expected.first_name);
            BOOST_TEST(u.last_name.value_or("") == *expected.last_name);
            BOOST_TEST(u.attributes == expected.attributes);
        }
    }());
    BOOST_TEST(callbacks == 1);
}

BOOST_AUTO_TEST_SUITE_END()
