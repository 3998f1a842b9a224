// signup-server: a Beast HTTP server whose sign-up handler puts every new user into Permit, and
// whose document route asks Permit whether the user may read. It shows the library where it is
// used: one thread-safe client shared by the handlers of a multi-threaded io_context, sign-ups
// coalesced into bulk calls by `client.bulk`, and a shutdown that loses nobody.
//
//   signup-server [--host ADDR] [--port N] [--threads N] [--role ROLE]
//                 [--api-url URL] [--pdp-url URL] [--api-key KEY] [--confirm-with-pdp MS]
//                 [--redis URL] [--redis-prefix P] [--rate-time-scale X]
//                 [--https-proxy URL] [--http-proxy URL] [--no-proxy LIST]
//
// --confirm-with-pdp MS: a sign-up is answered only once the PDP's decisions see the user's role
// (at most MS; bulk_options::confirm_with_pdp), so that the user's first request after signing up
// is allowed even though the PDP learns of writes a moment late. It costs each sign-up that moment
// and a few /user-permissions requests. 0 (the default): answered as soon as Permit stored it.
//
// --redis URL: several instances of the server (and any other client of the environment) share
// Permit's rate budget through this Redis server (rate_limit_options::redis_url), instead of each
// pacing itself as if it were alone; --redis-prefix P names the budget's keys. It needs the
// library built with PERMIT_WITH_REDIS. --rate-time-scale X applies the rate limits to any API
// host with each window divided by X, for an emulator started with
// --rate-limits '{"time_scale":X}'.
//
// --https-proxy URL, --http-proxy URL, --no-proxy LIST: reach Permit through an HTTP proxy
// (config::proxy), http://[user:password@]host[:port]; by default from https_proxy, http_proxy and
// no_proxy (or HTTPS_PROXY, HTTP_PROXY, NO_PROXY). The emulator the server starts without an API
// key is reached directly.
//
// The connection settings also come from PERMIT_API_KEY, PERMIT_API_URL and PERMIT_PDP_URL. With
// no key it starts a Permit emulator in the process, with the policy below. Against Permit, the
// role (--role, default "member") must exist and grant `document:read`.
//
//   POST /signup          {"email","first_name","last_name","company"}
//                         201 {"id","tenant"} once Permit has the user, in the company's tenant
//                         (made on first use) with the role; 400 with each bad field; 409 when
//                         the email has an account; 503 with Permit's reason when it failed
//   GET /documents/{id}   header X-User-Id: 200 when the user may read documents, 403 if not,
//                         401 for an unknown user
//   GET /metrics          counters as JSON: sign-ups, checks and their latency, Permit requests
//
// SIGINT or SIGTERM: stop accepting, finish the requests being handled (their sign-ups reach
// Permit), flush the bulk pipeline, and exit 0.
#include "signup_server/accounts.hpp"
#include "signup_server/http_server.hpp"
#include "signup_server/metrics.hpp"
#include "signup_server/signup_form.hpp"

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <csignal>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace signup_server;

namespace {

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string role = "member";
    permit::config permit = permit::config::from_environment();
    bool help = false;
};

/// What the handlers share. The client is thread-safe (`config::thread_safe`): each handler calls
/// it from whichever thread runs it.
struct application {
    permit::client& permit;
    const server_options& options;
    const http_server& server;
    account_store accounts;
    server_metrics metrics;
};

asio::awaitable<response> route(application& app, const request& req);
std::optional<server_options> parse_options(int argc, char** argv);
json::value emulator_policy(const std::string& role);

}  // namespace

int main(int argc, char** argv) {
    auto options = parse_options(argc, argv);
    if (!options) return 2;
    if (options->help) return 0;

    // With no API key: a Permit emulator in this process, with the policy the routes rely on.
    std::optional<permit::testing::emulator> emulator;
    if (options->permit.api_key.empty()) {
        permit::testing::emulator_config local;
        local.initial_state = emulator_policy(options->role);
        local.pdp_port = 0;  // the PDP on a port of its own, as Permit runs it
        emulator.emplace(local);
        options->permit.api_key = emulator->config().api_key;
        options->permit.api_url = emulator->url();
        options->permit.pdp_url = emulator->pdp_url();
        options->permit.proxy = {};  // in this process: never through a proxy
        std::cout << "no API key given: using a Permit emulator at " << emulator->url()
                  << " (PDP at " << emulator->pdp_url() << ")\n";
    }

    try {
        asio::io_context ioc(static_cast<int>(options->threads));
        // One client for the whole server, shared by every thread.
        options->permit.thread_safe = true;
        permit::client permit(ioc.get_executor(), options->permit);

        // The server's handler needs the application, which needs the server (to refuse work
        // while stopping): the application is made right after the server.
        std::optional<application> app;
        http_server server(ioc, {asio::ip::make_address(options->host), options->port},
                           [&](const request& req) { return route(*app, req); });
        app.emplace(permit, *options, server);
        server.start();
        std::cout << "listening on http://" << options->host << ':' << server.port() << std::endl;

        // SIGINT/SIGTERM: the requests in progress are answered first, so every sign-up that was
        // accepted reaches Permit; then the pipeline is flushed and the threads return.
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (ec) return;
            std::cout << "stopping: answering the requests in progress" << std::endl;
            asio::co_spawn(
                ioc,
                [&]() -> asio::awaitable<void> {
                    co_await server.stop();
                    co_await permit.bulk.flush();
                    ioc.stop();
                },
                asio::detached);
        });

        std::vector<std::jthread> threads;
        for (unsigned i = 1; i < options->threads; ++i) threads.emplace_back([&] { ioc.run(); });
        ioc.run();
        threads.clear();  // joins
        std::cout << "stopped: " << app->metrics.signups << " sign-ups acknowledged by Permit in "
                  << permit.bulk.stats().user_batches << " user batches" << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "signup-server: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

namespace {

response json_response(const request& req, http::status status, const json::value& body) {
    response res(status, req.version());
    res.set(http::field::content_type, "application/json");
    res.body() = json::serialize(body);
    res.prepare_payload();
    return res;
}

json::value error_body(std::string_view error, std::string_view reason) {
    return json::object{{"error", error}, {"reason", reason}};
}

// ---- the routes ----

asio::awaitable<response> sign_up(application& app, const request& req) {
    auto parsed = parse_signup_form(req.body());
    if (!parsed.form) {
        ++app.metrics.signups_invalid;
        json::array fields;
        for (const auto& e : parsed.errors)
            fields.push_back(json::object{{"field", e.field}, {"message", e.message}});
        co_return json_response(req, http::status::bad_request,
                                json::object{{"error", "invalid_signup"}, {"fields", fields}});
    }
    const signup_form& form = *parsed.form;
    auto account = app.accounts.open(form);
    if (!account) {
        ++app.metrics.signups_taken;
        co_return json_response(req, http::status::conflict,
                                error_body("email_taken", "this email has an account"));
    }

    permit::diagnostics diag;
    boost::system::error_code ec;
    // The company's first sign-up makes its tenant with the company's name; later ones only
    // name it (the pipeline knows it by then).
    if (app.accounts.first_of_tenant(form.tenant)) {
        permit::tenant_create tenant{.key = form.tenant, .name = form.company};
        std::tie(ec) = co_await app.permit.bulk.ensure_tenant(tenant, diag,
                                                              asio::as_tuple(asio::use_awaitable));
        if (ec) app.accounts.forget_tenant(form.tenant);
    }
    if (!ec) {
        permit::user_create user{.key = account->id,
                                 .email = form.email,
                                 .first_name = form.first_name,
                                 .last_name = form.last_name};
        user.role_assignments.push_back({.role = app.options.role, .tenant = form.tenant});
        // Resumes once Permit has acknowledged the user and its role, coalesced with every other
        // sign-up of the moment into a few bulk calls.
        std::tie(ec) = co_await app.permit.bulk.sync_user(std::move(user), diag,
                                                          asio::as_tuple(asio::use_awaitable));
    }
    if (ec) {
        app.accounts.close(account->id);
        ++app.metrics.signups_failed;
        co_return json_response(req, http::status::service_unavailable,
                                error_body("permit_unavailable", diag.to_string()));
    }
    app.accounts.mark_synced(account->id);
    ++app.metrics.signups;
    co_return json_response(req, http::status::created,
                            json::object{{"id", account->id}, {"tenant", account->tenant}});
}

asio::awaitable<response> read_document(application& app, const request& req,
                                        std::string_view document) {
    const auto user = app.accounts.find_synced(std::string(req["X-User-Id"]));
    if (!user)
        co_return json_response(req, http::status::unauthorized,
                                error_body("unknown_user", "X-User-Id names no account"));
    const auto started = std::chrono::steady_clock::now();
    permit::check_resource resource{
        .type = "document", .key = std::string(document), .tenant = user->tenant};
    permit::diagnostics diag;
    auto [ec, allowed] = co_await app.permit.check(user->id, "read", resource, diag,
                                                   asio::as_tuple(asio::use_awaitable));
    app.metrics.check_latency.record(std::chrono::steady_clock::now() - started);
    if (ec) {
        ++app.metrics.checks_failed;
        co_return json_response(req, http::status::service_unavailable,
                                error_body("permit_unavailable", diag.to_string()));
    }
    ++(allowed ? app.metrics.checks_allowed : app.metrics.checks_denied);
    if (!allowed)
        co_return json_response(req, http::status::forbidden,
                                error_body("forbidden", "the user may not read this document"));
    co_return json_response(req, http::status::ok,
                            json::object{{"document", document}, {"tenant", user->tenant}});
}

asio::awaitable<response> route(application& app, const request& req) {
    const std::string_view target = req.target();
    if (app.server.stopping())
        co_return json_response(req, http::status::service_unavailable,
                                error_body("shutting_down", "the server is stopping"));
    if (target == "/signup" && req.method() == http::verb::post)
        co_return co_await sign_up(app, req);
    if (target.starts_with("/documents/") && target.size() > 11 && req.method() == http::verb::get)
        co_return co_await read_document(app, req, target.substr(11));
    if (target == "/metrics" && req.method() == http::verb::get)
        co_return json_response(req, http::status::ok,
                                app.metrics.to_json(app.permit.stats(), app.permit.bulk.stats()));
    co_return json_response(req, http::status::not_found, error_body("not_found", "no such route"));
}

// ---- set-up ----

json::value emulator_policy(const std::string& role) {
    return json::object{
        {"resources",
         json::array{
             {{"key", "document"}, {"name", "Document"}, {"actions", {{"read", json::object{}}}}}}},
        {"roles", json::array{{{"key", role}, {"name", role}, {"permissions", {"document:read"}}}}},
    };
}

constexpr std::string_view usage =
    "usage: signup-server [--host ADDR] [--port N] [--threads N] [--role ROLE]\n"
    "                     [--api-url URL] [--pdp-url URL] [--api-key KEY] [--confirm-with-pdp MS]\n"
    "                     [--redis URL] [--redis-prefix P] [--rate-time-scale X]\n"
    "                     [--https-proxy URL] [--http-proxy URL] [--no-proxy LIST]\n"
    "  --confirm-with-pdp MS: answer a sign-up once the PDP sees the user's role (at most MS).\n"
    "  --redis URL: share Permit's rate budget with the other instances through the Redis\n"
    "  server at URL, redis://[[user]:password@]host[:port][/db] (needs the library built with\n"
    "  PERMIT_WITH_REDIS); --redis-prefix P: the budget's keys' prefix (default permit:rate:).\n"
    "  --rate-time-scale X: apply the rate limits to any API host, each window divided by X\n"
    "  (for an emulator started with --rate-limits '{\"time_scale\":X}').\n"
    "  --https-proxy URL, --http-proxy URL: reach Permit's https:// (http://) URLs through the\n"
    "  HTTP proxy at URL, http://[user:password@]host[:port]; --no-proxy LIST: the hosts that\n"
    "  bypass it (curl's NO_PROXY syntax). Default: $https_proxy, $http_proxy, $no_proxy.\n"
    "  --port 0 picks a free port. With no API key (--api-key or PERMIT_API_KEY), a Permit\n"
    "  emulator runs in the process.\n";

std::optional<server_options> parse_options(int argc, char** argv) {
    server_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view opt = argv[i];
        if (opt == "--help" || opt == "-h") {
            std::cout << usage;
            o.help = true;
            return o;
        }
        if (i + 1 >= argc) {
            std::cerr << "signup-server: " << opt << " needs a value\n" << usage;
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        auto number = [&](auto& into) {
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), into);
            return ec == std::errc{} && end == value.data() + value.size();
        };
        bool ok = true;
        if (opt == "--host")
            o.host = value;
        else if (opt == "--port")
            ok = number(o.port);
        else if (opt == "--threads")
            ok = number(o.threads) && o.threads > 0;
        else if (opt == "--role")
            o.role = value;
        else if (opt == "--api-url")
            o.permit.api_url = value;
        else if (opt == "--pdp-url")
            o.permit.pdp_url = value;
        else if (opt == "--api-key")
            o.permit.api_key = value;
        else if (opt == "--confirm-with-pdp") {
            unsigned ms = 0;
            ok = number(ms);
            if (ok && ms > 0)
                o.permit.bulk.confirm_with_pdp =
                    permit::pdp_confirmation{.timeout = std::chrono::milliseconds(ms)};
        } else if (opt == "--redis") {
#ifdef PERMIT_WITH_REDIS
            if (!value.starts_with("redis://")) {
                std::cerr << "signup-server: --redis needs a redis:// URL\n";
                return std::nullopt;
            }
            o.permit.rate_limits.redis_url = value;
            // The limiter says when Redis stops answering and when it answers again.
            o.permit.log = [](permit::log_level, std::string_view text) {
                if (text.starts_with("rate limits: "))
                    std::cerr << "signup-server: " << text << '\n';
            };
#else
            std::cerr << "signup-server: --redis needs the library built with Redis support (the "
                         "CMake option PERMIT_WITH_REDIS=ON, and libhiredis-dev)\n";
            return std::nullopt;
#endif
        } else if (opt == "--redis-prefix")
            o.permit.rate_limits.redis_key_prefix = value;
        else if (opt == "--https-proxy")
            o.permit.proxy.https_proxy = value;
        else if (opt == "--http-proxy")
            o.permit.proxy.http_proxy = value;
        else if (opt == "--no-proxy")
            o.permit.proxy.no_proxy = value;
        else if (opt == "--rate-time-scale") {
            double scale = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), scale);
            ok = ec == std::errc{} && end == value.data() + value.size() && scale > 0;
            auto& limits = o.permit.rate_limits;
            limits.mode = permit::rate_limit_options::mode_type::on;
            for (auto* l : {&limits.all, &limits.writes, &limits.deletes, &limits.bulk})
                l->window = std::chrono::milliseconds(
                    std::llround(static_cast<double>(l->window.count()) / (ok ? scale : 1)));
        } else {
            std::cerr << "signup-server: unknown option " << opt << '\n' << usage;
            return std::nullopt;
        }
        if (!ok) {
            std::cerr << "signup-server: " << opt << " expects a number, got '" << value << "'\n";
            return std::nullopt;
        }
    }
    if (o.permit.api_key.empty() && o.permit.api_url != permit::config{}.api_url) {
        std::cerr << "signup-server: --api-url needs an API key (--api-key or PERMIT_API_KEY)\n";
        return std::nullopt;
    }
    return o;
}

}  // namespace
