// Testing your own Permit code against the emulator: a Boost.Test program to copy.
//
// The fixture starts a Permit emulator on 127.0.0.1 (a free port, on its own thread) and points a
// permit::client at it. The tests call the application's handlers, then check what the emulator
// holds, what check() answers, and how the handlers behave when the emulator injects faults.
#define BOOST_TEST_MODULE emulator_in_tests
#include <boost/test/unit_test.hpp>

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <future>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using permit::testing::fault_kind;

// ----- the application code under test --------------------------------------------------------

// A sign-up: sync the user, make sure the company's tenant exists, make the user a member of it.
asio::awaitable<void> on_sign_up(permit::client& permit, std::string email, std::string company) {
    permit::user_create who{.key = email, .email = email};
    co_await permit.users.sync(who);  // throws permit::api_error once the retries are spent

    permit::tenant_create tenant{.key = company, .name = company};
    permit::diagnostics diag;
    auto [ec, created] =
        co_await permit.tenants.create(tenant, diag, asio::as_tuple(asio::use_awaitable));
    if (ec && ec != permit::condition::conflict) throw permit::api_error(ec, diag);  // 409: exists

    permit::user_role_create member{.role = "member", .tenant = company};
    co_await permit.users.assign_role(email, member);
}

// An account is closed: forget the user. False when Permit did not know it (a 404 is fine here).
asio::awaitable<bool> on_account_closed(permit::client& permit, std::string email) {
    permit::diagnostics diag;
    auto [ec] = co_await permit.users.remove(email, diag, asio::as_tuple(asio::use_awaitable));
    if (ec == permit::condition::not_found) co_return false;
    if (ec) throw permit::api_error(ec, diag);
    co_return true;
}

// ----- the fixture ----------------------------------------------------------------------------

struct permit_fixture {
    permit::testing::emulator emu{emulator_setup()};  // serves until the fixture is destroyed
    asio::io_context ioc;                             // the client runs on the test's thread
    permit::client permit{ioc.get_executor(), client_setup(emu)};

    // The policy the application expects: members may read documents.
    static permit::testing::emulator_config emulator_setup() {
        permit::testing::emulator_config cfg;  // 127.0.0.1, port 0: a free port
        cfg.pdp_port = 0;                      // the PDP on a port of its own, as in production
        cfg.initial_state = boost::json::parse(R"({
            "resources": [{"key": "document", "name": "Document", "actions": {"read": {}}}],
            "roles": [{"key": "member", "name": "Member", "permissions": ["document:read"]}]})");
        return cfg;
    }

    static permit::config client_setup(const permit::testing::emulator& emu) {
        permit::config cfg{
            .api_key = emu.config().api_key, .api_url = emu.url(), .pdp_url = emu.pdp_url()};
        cfg.retry.initial_backoff = 10ms;  // quick retries keep the tests short
        return cfg;
    }

    // Runs a coroutine on the test's thread until it ends; returns its value or rethrows.
    template <class T>
    T run(asio::awaitable<T> op) {
        auto result = asio::co_spawn(ioc, std::move(op), asio::use_future);
        ioc.restart();
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (result.wait_for(0s) != std::future_status::ready && ioc.run_one_until(deadline)) {
        }
        BOOST_REQUIRE_MESSAGE(result.wait_for(0s) == std::future_status::ready, "still running");
        return result.get();
    }
};

// What the PDP answers: may `user` read the documents of `tenant`?
asio::awaitable<bool> may_read(permit::client& permit, std::string user, std::string tenant) {
    permit::check_resource document{.type = "document", .tenant = tenant};
    co_return co_await permit.check(user, "read", document);
}

// ----- the tests ------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(sign_up, permit_fixture)

BOOST_AUTO_TEST_CASE(a_sign_up_makes_the_user_a_member_of_the_company) {
    run(on_sign_up(permit, "ada@acme.com", "acme"));
    run(on_sign_up(permit, "bob@acme.com", "acme"));  // the tenant exists now: a 409, handled

    BOOST_TEST(emu.user_count() == 2u);
    BOOST_TEST(emu.tenant_count() == 2u);  // "default" and "acme"
    BOOST_TEST(emu.role_assignment_count() == 2u);
    BOOST_TEST(emu.stats().status(409) == 1u);
    BOOST_TEST(run(may_read(permit, "ada@acme.com", "acme")));
    BOOST_TEST(!run(may_read(permit, "ada@acme.com", "default")));
}

BOOST_AUTO_TEST_CASE(an_outage_is_retried_and_a_long_one_reaches_the_caller) {
    // Two 503s on PUT /users/{key}: the client retries and the sign-up succeeds.
    emu.set_faults({{.method = "PUT",
                     .path = "/v2/facts/*/*/users/*",
                     .kind = fault_kind::http_503,
                     .max_count = 2}});
    run(on_sign_up(permit, "ada@acme.com", "acme"));
    BOOST_TEST(permit.stats().retries == 2u);
    BOOST_TEST(emu.user_count() == 1u);

    // Every PUT fails: after 4 attempts (config.retry) the caller gets the error and its reason.
    emu.set_faults(
        {{.method = "PUT", .path = "/v2/facts/*/*/users/*", .kind = fault_kind::http_503}});
    BOOST_CHECK_EXCEPTION(run(on_sign_up(permit, "bob@acme.com", "acme")), permit::api_error,
                          [](const permit::api_error& e) {
                              return e.code() == permit::condition::server_error &&
                                     e.diagnostics().status == 503 && e.diagnostics().attempts == 4;
                          });
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_429_is_waited_out) {
    emu.set_faults({{.method = "PUT",
                     .path = "/v2/facts/*/*/users/*",
                     .kind = fault_kind::http_429,
                     .retry_after = 1s,
                     .max_count = 1}});
    const auto start = std::chrono::steady_clock::now();
    run(on_sign_up(permit, "ada@acme.com", "acme"));
    const auto waited = std::chrono::steady_clock::now() - start;

    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() >= 1000);
    BOOST_TEST(permit.stats().rate_limited == 1u);
    BOOST_TEST(emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(closing_an_unknown_account_is_not_an_error) {
    run(on_sign_up(permit, "ada@acme.com", "acme"));
    BOOST_TEST(run(on_account_closed(permit, "ada@acme.com")));
    BOOST_TEST(!run(on_account_closed(permit, "ada@acme.com")));  // a 404 now
    BOOST_TEST(emu.user_count() == 0u);
    BOOST_TEST(emu.role_assignment_count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
