// Boost.Test fixture for the client's integration tests: a fresh emulator (plain HTTP, or HTTPS
// with a certificate from a throwaway CA), a permit::client for it on the fixture's own
// io_context, and `run()`, which drives one test coroutine to its end under a time limit.
#pragma once

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include "support/certificates.hpp"
#include "support/run_to_end.hpp"
#include "support/watchdog.hpp"

// How Boost.Test prints the values the tests compare.
namespace permit {
inline std::ostream& boost_test_print_type(std::ostream& os, condition c) {
    return os << "permit::condition(" << make_error_condition(c).message() << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& os, error e) {
    return os << make_error_code(e);
}
inline std::ostream& boost_test_print_type(std::ostream& os, retry_stop r) {
    return os << "retry_stop(" << to_string(r) << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& os, const diagnostics& d) {
    return os << "diagnostics{" << d.to_string() << "}";
}
}  // namespace permit

template <class T>
struct boost::test_tools::tt_detail::print_log_value<std::optional<T>> {
    void operator()(std::ostream& os, const std::optional<T>& v) {
        if (v)
            print_log_value<T>()(os, *v);
        else
            os << "<nullopt>";
    }
};

namespace permit_test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

/// The type parameters of the tests that run over both schemes.
struct http_scheme {
    static constexpr bool tls = false;
};
struct https_scheme {
    static constexpr bool tls = true;
};
using both_schemes = std::tuple<http_scheme, https_scheme>;

/// The route names of the emulator's counters (`emulator_stats::route`).
inline const std::string scope_route = "GET /v2/api-key/scope";
inline const std::string list_users_route = "GET /v2/facts/{proj_id}/{env_id}/users";
inline const std::string get_user_route = "GET /v2/facts/{proj_id}/{env_id}/users/{user_id}";

/// An emulator, a client of it, and the io_context the client runs on.
struct client_fixture {
    /// `tls`: serve HTTPS with a certificate for 127.0.0.1 and localhost, which the client trusts
    /// (and nothing else: not the system store). `adjust` edits the client's config.
    explicit client_fixture(bool tls = false, permit::testing::emulator_config emu_config = {},
                            const std::function<void(permit::config&)>& adjust = {})
        : pki(tls ? std::optional<test_pki>(make_test_pki()) : std::nullopt)
        , emu(serve_tls(std::move(emu_config), pki))
        , permit(ioc.get_executor(), adjusted(client_config(), adjust)) {}

    ~client_fixture() {
        BOOST_CHECK_MESSAGE(!dog.fired(), "the watchdog stopped an emulator: a test hung");
    }

    client_fixture(const client_fixture&) = delete;
    client_fixture& operator=(const client_fixture&) = delete;

    /// A config for a client of this emulator: both URLs at its origin, its API key, and for
    /// HTTPS its CA as the only one trusted.
    permit::config client_config() const {
        permit::config cfg{
            .api_key = emu.config().api_key, .api_url = emu.url(), .pdp_url = emu.pdp_url()};
        if (pki) cfg.tls = {.use_system_store = false, .ca_pem = pki->ca_cert_pem};
        return cfg;
    }

    /// Another client on the fixture's io_context.
    std::unique_ptr<permit::client> make_client(permit::config cfg) {
        return std::make_unique<permit::client>(ioc.get_executor(), std::move(cfg));
    }

    /// Runs `body` on the fixture's io_context until it ends, and rethrows what it threw (a
    /// failed BOOST_TEST_REQUIRE included). A body still running after `limit` fails the test.
    void run(asio::awaitable<void> body, std::chrono::milliseconds limit = 20s) {
        run_to_end(ioc, std::move(body), limit);
    }

    /// Runs the io_context until `done()` holds; false (and a failed check) after `limit`.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
        ioc.restart();
        const auto deadline = std::chrono::steady_clock::now() + limit * slowdown;
        while (!done() && !ioc.stopped() && std::chrono::steady_clock::now() < deadline)
            ioc.run_one_until(deadline);
        BOOST_CHECK_MESSAGE(done(), "still waiting after "
                                        << limit.count() << " ms"
                                        << (ioc.stopped() ? " (on nothing)" : ""));
        return done();
    }

    /// Runs the io_context for `d`, or until it runs out of work.
    void run_for(std::chrono::milliseconds d) {
        ioc.restart();
        ioc.run_for(d);
    }

    // ----- the emulator's state --------------------------------------------------------------

    /// The object with `key` in a collection of `emu.snapshot()` ("users", "tenants", "roles",
    /// "resources"), or null.
    json::value stored(std::string_view collection, std::string_view key) const {
        const auto snap = emu.snapshot();
        if (const auto* list = snap.at(collection).if_array())
            for (const auto& item : *list)
                if (const auto* k = item.at("key").if_string(); k && *k == key) return item;
        return nullptr;
    }

    /// The keys of a collection of `emu.snapshot()`, in order.
    std::vector<std::string> stored_keys(std::string_view collection) const {
        std::vector<std::string> out;
        const auto snap = emu.snapshot();
        if (const auto* list = snap.at(collection).if_array())
            for (const auto& item : *list) out.emplace_back(item.at("key").as_string());
        return out;
    }

    /// `user/role/tenant` of every role assignment the emulator holds, sorted.
    std::vector<std::string> stored_assignments() const {
        std::vector<std::string> out;
        const auto snap = emu.snapshot();
        for (const auto& a : snap.at("role_assignments").as_array()) {
            const auto& o = a.as_object();
            const auto* tenant = o.if_contains("tenant");
            out.push_back(std::string(o.at("user").as_string()) + "/" +
                          std::string(o.at("role").as_string()) + "/" +
                          (tenant && tenant->is_string() ? std::string(tenant->as_string())
                                                         : std::string("<none>")));
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // ----- setup through the client --------------------------------------------------------------

    // These take the permissions and actions as separate arguments: a braced list inside a
    // co_await expression is what g++ 12 rejects ("array used as initializer").

    /// Creates a role with these `"<resource>:<action>"` permissions.
    template <class... Permission>
    asio::awaitable<void> create_role(std::string key, Permission... permissions) {
        permit::role_create role{.key = key, .name = key};
        (role.permissions.emplace_back(permissions), ...);
        co_await permit.roles.create(role);
    }

    /// Creates a tenant.
    asio::awaitable<void> create_tenant(std::string key, std::string name = "") {
        permit::tenant_create tenant{.key = key, .name = name.empty() ? key : name};
        co_await permit.tenants.create(tenant);
    }

    /// Creates a resource type with these actions.
    template <class... Action>
    asio::awaitable<void> create_resource(std::string key, Action... actions) {
        permit::resource_create resource{.key = key, .name = key};
        (resource.actions.emplace(std::string(actions), permit::action_block{}), ...);
        co_await permit.resources.create(resource);
    }

    std::optional<test_pki> pki;  // set when serving HTTPS
    permit::testing::emulator emu;
    watchdog dog{emu, std::chrono::seconds(40)};
    asio::io_context ioc;
    permit::client permit;

  private:
    /// The emulator as Permit runs: the PDP on a port of its own (unless the test chose), with
    /// the certificate for HTTPS.
    static permit::testing::emulator_config serve_tls(permit::testing::emulator_config cfg,
                                                      const std::optional<test_pki>& pki) {
        if (!cfg.pdp_port) cfg.pdp_port = 0;
        if (pki) {
            cfg.tls_certificate_pem = pki->leaf_cert_pem;
            cfg.tls_private_key_pem = pki->leaf_key_pem;
        }
        return cfg;
    }

    static permit::config adjusted(permit::config cfg,
                                   const std::function<void(permit::config&)>& adjust) {
        if (adjust) adjust(cfg);
        return cfg;
    }
};

/// The `key` of every item, in order.
template <class T>
std::vector<std::string> keys_of(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.key);
    return out;
}

/// `user/role/tenant` of role assignments, sorted.
inline std::vector<std::string> assignments_of(const std::vector<permit::role_assignment>& items) {
    std::vector<std::string> out;
    for (const auto& a : items)
        out.push_back(a.user + "/" + a.role + "/" + a.tenant.value_or("<none>"));
    std::sort(out.begin(), out.end());
    return out;
}

/// Whether the result of one concurrent operation is a failure worth reporting.
inline bool failed(const boost::system::error_code& ec) {
    return static_cast<bool>(ec);
}
inline bool failed(const std::string& problem) {
    return !problem.empty();
}

/// Runs `op(0)` ... `op(count - 1)` on `concurrency` coroutines of the current executor, and
/// returns the results that are failures (`failed`): error codes, or descriptions of what went
/// wrong.
template <class Op>
auto run_concurrently(int count, int concurrency, Op op)
    -> asio::awaitable<std::vector<typename decltype(op(0))::value_type>> {
    using result_type = typename decltype(op(0))::value_type;
    std::vector<result_type> failures;
    int next = 0;
    int running = concurrency;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    for (int w = 0; w < concurrency; ++w) {
        asio::co_spawn(
            ex,
            [&]() -> asio::awaitable<void> {
                while (next < count) {
                    auto result = co_await op(next++);
                    if (failed(result)) failures.push_back(std::move(result));
                }
                if (--running == 0) all_done.cancel();
            },
            asio::detached);
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return failures;
}

/// A copy of `v`, sorted.
inline std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace permit_test
