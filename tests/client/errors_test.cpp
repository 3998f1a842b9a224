// What a caller gets when a call fails: an error code that compares against permit::condition,
// and diagnostics with the API's own reason, whichever completion token delivers them. The API
// key never appears in any of it.
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "support/client_fixture.hpp"
#include "support/secrets.hpp"

using namespace permit_test;

namespace {

namespace http = boost::beast::http;
using permit::testing::fault_kind;
using permit::testing::fault_rule;

/// The `"<METHOD> /v2/facts/<project>/<environment><path>"` that diagnostics name.
std::string facts_request(const client_fixture& f, std::string_view method, std::string_view path) {
    return std::string(method) + " /v2/facts/" + f.emu.config().project_id + "/" +
           f.emu.config().environment_id + std::string(path);
}

/// True when some detail item has this location (JSON text, e.g. `["body","key"]`) and type.
bool has_item(const permit::diagnostics& d, std::string_view loc, std::string_view type) {
    const auto where = json::parse(loc);
    for (const auto& item : d.validation_errors)
        if (json::value(item.loc) == where && item.type == type) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_errors)

BOOST_AUTO_TEST_CASE(a_duplicate_create_is_a_conflict_with_the_apis_reason) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);

        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::conflict);
        BOOST_TEST(ec == permit::condition::conflict);
        BOOST_TEST(ec != permit::condition::not_found);
        BOOST_TEST(ec != permit::condition::retryable);
        BOOST_TEST(diag.status == 409u);
        BOOST_TEST_REQUIRE(diag.details.has_value());
        BOOST_TEST(diag.details->error_code == "DUPLICATE_ENTITY");
        BOOST_TEST(diag.details->message.find("jane") != std::string::npos,
                   "the API's message names the key: " << diag.details->message);
        BOOST_TEST(!diag.request_id.empty());
        BOOST_TEST(diag.request == facts_request(f, "POST", "/users"));
        BOOST_TEST(diag.attempts == 1u);
        BOOST_TEST(diag.server_message().find(diag.details->message) != std::string::npos);
        BOOST_TEST(diag.to_string().find("HTTP 409") != std::string::npos, diag.to_string());
        check_absent(diag, f.emu.config().api_key);

        const permit::tenant_create tenant{.key = "default", .name = "Again"};
        auto [tenant_ec, t] =
            co_await f.permit.tenants.create(tenant, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(tenant_ec == permit::condition::conflict);
        BOOST_TEST(diag.details.value_or(permit::error_details{}).error_code == "DUPLICATE_ENTITY");
    }());
    BOOST_TEST(f.emu.user_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_missing_user_is_not_found_with_the_apis_reason) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("ghost", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::not_found);
        BOOST_TEST(ec == permit::condition::not_found);
        BOOST_TEST(diag.status == 404u);
        BOOST_TEST_REQUIRE(diag.details.has_value());
        BOOST_TEST(diag.details->error_code == "NOT_FOUND");
        BOOST_TEST(diag.details->title == "We could not find the requested object/s");
        BOOST_TEST(!diag.details->message.empty());
        BOOST_TEST(diag.request == facts_request(f, "GET", "/users/ghost"));
        BOOST_TEST(diag.server_message().find(diag.details->title) != std::string::npos);

        auto [removed] =
            co_await f.permit.users.remove("ghost", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(removed == permit::condition::not_found);
        BOOST_TEST(diag.request == facts_request(f, "DELETE", "/users/ghost"));

        // A successful call leaves the diagnostics empty.
        const permit::user_create who{.key = "real"};
        auto [created, u] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(!created);
        BOOST_TEST(diag.status == 0u);
        BOOST_TEST(!diag.details.has_value());
        BOOST_TEST(diag.server_message().empty());
    }());
}

BOOST_AUTO_TEST_CASE(an_invalid_user_key_is_a_validation_failure_with_locations) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create bad{.key = "jane doe", .email = "not-an-email"};
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.create(bad, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::validation_failed);
        BOOST_TEST(ec == permit::condition::validation_failed);
        BOOST_TEST(diag.status == 422u);
        BOOST_TEST(!diag.validation_errors.empty());
        BOOST_TEST(has_item(diag, R"(["body","key"])", "value_error.str.regex"));
        BOOST_TEST(has_item(diag, R"(["body","email"])", "value_error.email"));
        for (const auto& item : diag.validation_errors) BOOST_TEST(!item.msg.empty());
        BOOST_TEST(diag.server_message().find("body -> key") != std::string::npos,
                   diag.server_message());
    }());
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_page_size_over_the_limit_is_a_validation_failure) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const permit::raw_request raw{.method = permit::http_method::get,
                                      .target = "/v2/facts/{proj_id}/{env_id}/users?per_page=1000"};
        auto [ec, resp] = co_await f.permit.request(raw, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::validation_failed);
        BOOST_TEST(diag.status == 422u);
        BOOST_TEST(has_item(diag, R"(["query","per_page"])", "value_error.number.not_le"));

        const permit::user_list_query too_many{.per_page = 1000};
        diag.clear();
        auto [typed, page] =
            co_await f.permit.users.list(too_many, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(typed == permit::condition::validation_failed);
        BOOST_TEST(has_item(diag, R"(["query","per_page"])", "value_error.number.not_le"));
    }());
}

BOOST_AUTO_TEST_CASE(an_invalid_tenant_key_is_a_validation_failure) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::tenant_create bad{.key = "sales team!", .name = "Sales"};
        permit::diagnostics diag;
        auto [ec, tenant] =
            co_await f.permit.tenants.create(bad, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::validation_failed);
        BOOST_TEST(has_item(diag, R"(["body","key"])", "value_error.str.regex"));
    }());
    BOOST_TEST(f.emu.tenant_count() == 1u);
}

BOOST_AUTO_TEST_CASE(the_default_token_throws_api_error_with_the_same_diagnostics) {
    client_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        co_await f.permit.users.create(who);

        permit::diagnostics reported;
        auto [ec, u] =
            co_await f.permit.users.create(who, reported, asio::as_tuple(asio::use_awaitable));

        std::optional<permit::api_error> thrown;
        try {
            co_await f.permit.users.create(who);
        } catch (const permit::api_error& e) {
            thrown = e;
        }
        BOOST_TEST_REQUIRE(thrown.has_value());
        BOOST_TEST(thrown->code() == ec);
        BOOST_TEST(thrown->code() == permit::condition::conflict);
        const auto& d = thrown->diagnostics();
        BOOST_TEST(d.status == reported.status);
        BOOST_TEST(d.request == reported.request);
        BOOST_TEST_REQUIRE(d.details.has_value());
        BOOST_TEST(d.details->error_code == "DUPLICATE_ENTITY");
        BOOST_TEST(d.details->message ==
                   reported.details.value_or(permit::error_details{}).message);
        const std::string what = thrown->what();
        BOOST_TEST(what.find("409") != std::string::npos, what);
        BOOST_TEST(what.find(d.details->message) != std::string::npos, what);

        // With a diagnostics& and the default token: it throws, and the diagnostics are filled.
        permit::diagnostics filled;
        std::optional<permit::api_error> validation;
        try {
            const permit::user_create bad{.key = "no spaces allowed"};
            co_await f.permit.users.create(bad, filled);
        } catch (const permit::api_error& e) {
            validation = e;
        }
        BOOST_TEST_REQUIRE(validation.has_value());
        BOOST_TEST(validation->code() == permit::condition::validation_failed);
        BOOST_TEST(!validation->diagnostics().validation_errors.empty());
        BOOST_TEST(filled == validation->diagnostics());
        BOOST_TEST(has_item(filled, R"(["body","key"])", "value_error.str.regex"));
    }());
}

BOOST_AUTO_TEST_CASE(a_wrong_api_key_is_refused_and_never_revealed) {
    client_fixture f;
    const std::string wrong = "permit_key_Wr0ngS3cretValue";
    auto cfg = f.client_config();
    cfg.api_key = wrong;
    auto intruder = f.make_client(cfg);
    cfg.project_id = f.emu.config().project_key;
    cfg.environment_id = f.emu.config().environment_key;
    auto intruder_with_ids = f.make_client(cfg);
    std::vector<permit::diagnostics> seen;
    std::vector<std::string> whats;
    f.run([&]() -> asio::awaitable<void> {
        auto refused = [](const boost::system::error_code& ec) {
            return ec == permit::condition::unauthorized || ec == permit::condition::forbidden;
        };
        // Through the scope lookup.
        permit::diagnostics diag;
        auto [ec, user] =
            co_await intruder->users.get("anyone", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused(ec), ec.message());
        BOOST_TEST(diag.status == 403u);
        BOOST_TEST(diag.details.value_or(permit::error_details{}).error_code == "FORBIDDEN_ACCESS");
        seen.push_back(diag);

        // Straight to the route.
        const permit::user_create who{.key = "mallory"};
        auto [created, u] = co_await intruder_with_ids->users.create(
            who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused(created), created.message());
        BOOST_TEST(diag.status == 403u);
        seen.push_back(diag);

        // The PDP answers with a text body.
        auto [checked, allowed] = co_await intruder_with_ids->check(
            "mallory", "read", "document", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(refused(checked), checked.message());
        BOOST_TEST(!allowed);
        BOOST_TEST(diag.status == 403u);
        BOOST_TEST(!diag.server_message().empty());
        seen.push_back(diag);

        // And as exceptions.
        try {
            co_await intruder_with_ids->users.get("anyone");
        } catch (const permit::api_error& e) {
            BOOST_TEST(refused(e.code()));
            whats.push_back(e.what());
            seen.push_back(e.diagnostics());
        }
        try {
            co_await intruder->tenants.list();
        } catch (const permit::api_error& e) {
            whats.push_back(e.what());
            seen.push_back(e.diagnostics());
        }
    }());
    BOOST_TEST(whats.size() == 2u);
    BOOST_TEST(seen.size() == 5u);
    for (const auto& d : seen) check_absent(d, wrong);
    for (const auto& d : seen) check_absent(d, "Wr0ngS3cret");
    for (const auto& what : whats) {
        BOOST_TEST(what.find(wrong) == std::string::npos, what);
        BOOST_TEST(what.find("Wr0ngS3cret") == std::string::npos, what);
    }
    BOOST_TEST(f.emu.user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_server_error_and_an_unreadable_body_are_told_apart) {
    fault_rule broken{
        .method = "POST", .path = "/v2/facts/*/*/users", .kind = fault_kind::http_500};
    fault_rule garbled{
        .method = "GET", .path = "/v2/facts/*/*/users/*", .kind = fault_kind::malformed_json};
    permit::testing::emulator_config emu_cfg{.faults = {broken, garbled}};
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"jane"}]})");
    client_fixture f{false, emu_cfg};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        const permit::user_create who{.key = "john"};
        auto [ec, user] =
            co_await f.permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::internal_server_error);
        BOOST_TEST(ec == permit::condition::server_error);
        BOOST_TEST(ec == permit::condition::retryable);
        BOOST_TEST(diag.status == 500u);
        BOOST_TEST(diag.details.value_or(permit::error_details{}).error_code == "UNEXPECTED_ERROR");

        auto [read, u] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(read == permit::error::invalid_response);
        BOOST_TEST(diag.status == 200u);
        BOOST_TEST(!diag.client_message.empty());
    }());
    BOOST_TEST(f.emu.user_count() == 1u, "the failed create changed nothing");
}

BOOST_AUTO_TEST_CASE(a_response_over_the_size_limit_is_refused) {
    permit::testing::emulator_config emu_cfg;
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"jane","email":"jane@example.com"}]})");
    client_fixture f{false, emu_cfg, [](permit::config& c) {
                         c.project_id = "default";
                         c.environment_id = "production";
                         c.max_response_body = 64;
                     }};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::error::response_too_large, ec.message());
        BOOST_TEST(!diag.client_message.empty());

        // A small response still gets through, on a new connection.
        co_await f.permit.users.remove("jane");
    }());
    BOOST_TEST(f.emu.user_count() == 0u);
    BOOST_TEST(f.emu.stats().connections_accepted == 2u);
}

BOOST_AUTO_TEST_CASE(a_cut_off_response_is_a_network_error) {
    fault_rule cut{
        .method = "GET", .path = "/v2/facts/*/*/users/*", .kind = fault_kind::truncated_body};
    permit::testing::emulator_config emu_cfg{.faults = {cut}};
    emu_cfg.initial_state = json::parse(R"({"users":[{"key":"jane"}]})");
    client_fixture f{false, emu_cfg};
    f.run([&]() -> asio::awaitable<void> {
        permit::diagnostics diag;
        auto [ec, user] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == permit::condition::network, ec.message());
        BOOST_TEST(ec == permit::condition::retryable);
        BOOST_TEST(!diag.client_message.empty());
    }());
}

BOOST_AUTO_TEST_CASE(every_completion_token_delivers_the_same_result) {
    client_fixture f;
    struct result {
        boost::system::error_code ec;
        std::string id;
    };
    std::vector<result> found, missing;
    std::string jane_id;
    f.run([&]() -> asio::awaitable<void> {
        const permit::user_create who{.key = "jane"};
        const auto created = co_await f.permit.users.create(who);
        jane_id = created.id;

        // The default token.
        const auto jane = co_await f.permit.users.get("jane");
        found.push_back({{}, jane.id});
        try {
            co_await f.permit.users.get("ghost");
            missing.push_back({});
        } catch (const permit::api_error& e) {
            missing.push_back({e.code(), {}});
        }

        // as_tuple.
        auto [ec1, u1] = co_await f.permit.users.get("jane", asio::as_tuple(asio::use_awaitable));
        found.push_back({ec1, u1.id});
        auto [ec2, u2] = co_await f.permit.users.get("ghost", asio::as_tuple(asio::use_awaitable));
        missing.push_back({ec2, u2.id});

        // The diagnostics overload.
        permit::diagnostics diag;
        auto [ec3, u3] =
            co_await f.permit.users.get("jane", diag, asio::as_tuple(asio::use_awaitable));
        found.push_back({ec3, u3.id});
        auto [ec4, u4] =
            co_await f.permit.users.get("ghost", diag, asio::as_tuple(asio::use_awaitable));
        missing.push_back({ec4, u4.id});
        BOOST_TEST(diag.status == 404u);

        // deferred: nothing is sent until the operation is launched.
        auto later = f.permit.users.get("jane", asio::deferred);
        auto later_missing = f.permit.users.get("ghost", asio::deferred);
        BOOST_TEST(f.emu.stats().route(get_user_route) == 6u);
        auto [ec5, u5] = co_await std::move(later)(asio::as_tuple(asio::use_awaitable));
        found.push_back({ec5, u5.id});
        auto [ec6, u6] = co_await std::move(later_missing)(asio::as_tuple(asio::use_awaitable));
        missing.push_back({ec6, u6.id});
    }());

    // A callback.
    auto callback = [&](std::vector<result>& into) {
        return [&into](boost::system::error_code ec, permit::user u) {
            into.push_back({ec, u.id});
        };
    };
    f.permit.users.get("jane", callback(found));
    f.permit.users.get("ghost", callback(missing));
    f.ioc.restart();
    for (int i = 0; i < 1000 && (found.size() < 5 || missing.size() < 5); ++i)
        f.ioc.run_one_for(std::chrono::seconds(5));

    // use_future, with the io_context run by another thread (so the client is thread-safe).
    {
        asio::io_context other;
        auto guard = asio::make_work_guard(other);
        std::thread runner([&] { other.run(); });
        {
            auto cfg = f.client_config();
            cfg.thread_safe = true;
            permit::client remote(other.get_executor(), cfg);
            auto ok = remote.users.get("jane", asio::use_future);
            auto ko = remote.users.get("ghost", asio::use_future);
            // No REQUIRE here: a throw would leave `runner` joinable.
            if (ok.wait_for(std::chrono::seconds(10)) == std::future_status::ready)
                found.push_back({{}, ok.get().id});
            if (ko.wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
                try {
                    ko.get();
                    missing.push_back({});
                } catch (const boost::system::system_error& e) {
                    missing.push_back({e.code(), {}});
                }
            }
        }
        guard.reset();
        runner.join();
    }

    BOOST_TEST(found.size() == 6u);
    for (const auto& r : found) {
        BOOST_TEST(!r.ec, r.ec.message());
        BOOST_TEST(r.id == jane_id);
    }
    BOOST_TEST(missing.size() == 6u);
    for (const auto& r : missing) {
        BOOST_TEST(r.ec == permit::error::not_found, r.ec.message());
        BOOST_TEST(r.id.empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
