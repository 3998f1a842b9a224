// permit::client: the entry point. One object per application, shared by every coroutine.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/resources.hpp>
#include <permit/api/role_assignments.hpp>
#include <permit/api/roles.hpp>
#include <permit/api/tenants.hpp>
#include <permit/api/users.hpp>
#include <permit/bulk/bulk_api.hpp>
#include <permit/call_options.hpp>
#include <permit/check.hpp>
#include <permit/client_stats.hpp>
#include <permit/config.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/models/pdp.hpp>
#include <permit/raw_request.hpp>
#include <permit/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/json/parse.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit {

namespace detail {

struct raw_decoder {
    raw_response operator()(const http::response& r) const {
        raw_response out{.status = r.status, .body = nullptr};
        if (!r.body.empty()) out.body = parse_body(r.body);
        return out;
    }
};

struct check_decoder {
    bool operator()(const http::response& r) const { return json_decoder<check_result>{}(r).allow; }
};

struct bulk_check_decoder {
    std::vector<bool> operator()(const http::response& r) const {
        const auto jv = parse_body(r.body);
        // The OPA form {"result":{"allow":[...]}} is accepted too, as the official SDKs do.
        const auto* obj = jv.if_object();
        const boost::json::value* list = obj ? obj->if_contains("allow") : nullptr;
        if (!list && obj) {
            if (const auto* result = obj->if_contains("result"); result && result->is_object())
                list = result->get_object().if_contains("allow");
        }
        if (!list || !list->is_array())
            throw model_error("bulk_check_result", "allow", model_error::kind::wrong_type,
                              "an array");
        std::vector<bool> out;
        out.reserve(list->get_array().size());
        for (const auto& item : list->get_array())
            out.push_back(boost::json::value_to<check_result>(item).allow);
        return out;
    }
};

struct user_permissions_decoder {
    user_permissions operator()(const http::response& r) const {
        return decode_user_permissions(parse_body(r.body));
    }
};

}  // namespace detail

/// The operations of a `permit::client`; also what `client::with` returns, a view of the same
/// client whose calls use other `call_options`.
///
/// Operations are grouped as in the official SDKs: `users`, `tenants`, `role_assignments`,
/// `roles`, `resources`, plus `check`, `bulk_check`, `get_user_permissions` and the raw
/// `request`. Each one takes an Asio completion token last (default `permit::use_awaitable`:
/// `co_await` returns the value or throws `permit::api_error`), and has an overload that fills a
/// `permit::diagnostics&` instead of losing the details when the token does not throw.
///
/// Errors of every operation: `permit::error` codes for HTTP statuses (compare them with
/// `permit::condition`), network and TLS errors, the client's timeouts (`connect_timeout`,
/// `handshake_timeout`, `request_timeout`), and `error::invalid_response` for a 2xx body that is
/// not the documented JSON. Cancellation: any per-operation cancellation type aborts the call with
/// `operation_aborted`, whether it waits for a connection or is in flight (a write already sent
/// may still have been applied by the server).
///
/// Retries (`config::retry`, or `with({.retry = ...})`): transport errors and 408/429/500/502/
/// 503/504 are retried with exponential backoff and full jitter, honouring `Retry-After`, for
/// idempotent requests only (GET, PUT, DELETE, and PDP decisions; never a POST or PATCH to the
/// REST API, which could apply twice). A request that fails on a reused keep-alive connection
/// before any byte of the response arrived is sent once more on a new connection, whatever its
/// verb. A client-wide budget (`config::retry_budget`) caps retries during an outage. Requests to
/// the REST API wait for the client-side rate limiter when it is on (`config::rate_limits`).
/// `diagnostics` records the attempts, the waits and why retrying stopped.
///
/// Requests run on pooled keep-alive connections, one pool per origin (REST API, PDP).
/// The project and environment are taken from the config, or fetched once from
/// `GET /v2/api-key/scope` by the first call that needs them.
///
/// Thread safety: distinct objects, safe. A shared object: safe from many coroutines on one
/// thread; from several threads only with `config::thread_safe` (everything then runs on a
/// strand). Handlers run on their associated executor, by default the client's executor.
class client_view {
  public:
    /// The type of the executor the client runs on.
    using executor_type = boost::asio::any_io_executor;

    /// The executor the client runs on (a strand of it in thread-safe mode).
    executor_type get_executor() const noexcept { return impl_.impl->executor(); }

    /// The configuration the client was made with.
    const config& get_config() const noexcept { return impl_.impl->cfg(); }

    /// A view of the same client whose calls use `options` (fields left unset keep this view's
    /// settings): `auto strict = permit.with({.retry = permit::retry_policy::none()});` then
    /// `co_await strict.users.get(key)` (a local: g++ 12 destroys aggregate temporaries inside a
    /// `co_await` expression twice).
    /// The view shares the client's connections, limits and budget, and is cheap to make and to
    /// copy. It must not outlive the `permit::client` it came from for calls to succeed (they then
    /// fail with `operation_aborted`). Thread safety: as the client.
    client_view with(const call_options& options) const {
        auto merged = impl_.options ? *impl_.options : call_options{};
        if (options.retry) merged.retry = options.retry;
        if (options.wait_for_sync) merged.wait_for_sync = options.wait_for_sync;
        return client_view(detail::client_handle{
            impl_.impl, std::make_shared<const call_options>(std::move(merged))});
    }

    /// The users of the environment.
    users_api users;
    /// The tenants of the environment.
    tenants_api tenants;
    /// Role assignments, across users and tenants.
    role_assignments_api role_assignments;
    /// The roles of the environment's policy.
    roles_api roles;
    /// The resource types of the environment's policy.
    resources_api resources;
    /// The auto-batching pipeline: `co_await permit.bulk.sync_user(u)` from any number of
    /// coroutines (see `bulk_api`).
    bulk_api bulk;

    /// Requests sent, retries and 429s received since the client was made, over every call.
    /// Thread safety: callable from any thread.
    client_stats stats() const noexcept { return impl_.impl->stats(); }

    /// Asks the PDP whether `user` may do `action` on `resource` (`POST /allowed`).
    /// `resource` is a type (`"document"`) or an instance (`"document:42"`); the tenant is
    /// `config::default_tenant`. Signature: `void(error_code, bool)`. A decision is idempotent, so
    /// it is retried under `config::retry` like a GET; a denial is `false`, not an error.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               CompletionToken&& token = {}) {
        return check(std::move(user), action, resource_from_string(resource),
                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               diagnostics& diag, CompletionToken&& token = {}) {
        return check(std::move(user), action, resource_from_string(resource), diag,
                     std::forward<CompletionToken>(token));
    }

    /// As above with a resource object: `{.type = "document", .tenant = "marketing"}`. An empty
    /// tenant becomes `config::default_tenant`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               CompletionToken&& token = {}) {
        return check(make_query(std::move(user), action, std::move(resource)),
                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               diagnostics& diag, CompletionToken&& token = {}) {
        return check(make_query(std::move(user), action, std::move(resource)), diag,
                     std::forward<CompletionToken>(token));
    }

    /// As above with a whole query, `context` included.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_query query, CompletionToken&& token = {}) {
        return detail::async_call<bool>(impl_, check_spec(std::move(query)),
                                        detail::check_decoder{}, nullptr,
                                        std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_query query, diagnostics& diag, CompletionToken&& token = {}) {
        return detail::async_call<bool>(impl_, check_spec(std::move(query)),
                                        detail::check_decoder{}, &diag,
                                        std::forward<CompletionToken>(token));
    }

    /// Asks the PDP many questions in one request (`POST /allowed/bulk`); answers in order.
    /// Signature: `void(error_code, std::vector<bool>)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_check(std::vector<check_query> queries, CompletionToken&& token = {}) {
        return detail::async_call<std::vector<bool>>(impl_, bulk_check_spec(std::move(queries)),
                                                     detail::bulk_check_decoder{}, nullptr,
                                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_check(std::vector<check_query> queries, diagnostics& diag,
                    CompletionToken&& token = {}) {
        return detail::async_call<std::vector<bool>>(impl_, bulk_check_spec(std::move(queries)),
                                                     detail::bulk_check_decoder{}, &diag,
                                                     std::forward<CompletionToken>(token));
    }

    /// What the user may do, per resource and tenant (`POST /user-permissions`).
    /// Signature: `void(error_code, permit::user_permissions)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get_user_permissions(user_permissions_query query, CompletionToken&& token = {}) {
        return detail::async_call<user_permissions>(impl_, permissions_spec(query),
                                                    detail::user_permissions_decoder{}, nullptr,
                                                    std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get_user_permissions(user_permissions_query query, diagnostics& diag,
                              CompletionToken&& token = {}) {
        return detail::async_call<user_permissions>(impl_, permissions_spec(query),
                                                    detail::user_permissions_decoder{}, &diag,
                                                    std::forward<CompletionToken>(token));
    }

    /// Sends any request, for endpoints not modelled yet. Signature:
    /// `void(error_code, permit::raw_response)`; a non-2xx status is an error as for every call.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto request(raw_request req, CompletionToken&& token = {}) {
        return detail::async_call<raw_response>(impl_, raw_spec(std::move(req)),
                                                detail::raw_decoder{}, nullptr,
                                                std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto request(raw_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return detail::async_call<raw_response>(impl_, raw_spec(std::move(req)),
                                                detail::raw_decoder{}, &diag,
                                                std::forward<CompletionToken>(token));
    }

  protected:
    /// A view of the client that `handle` refers to, whose calls use `handle.options` (null: the
    /// client's configuration). Made by `permit::client` and by `with`.
    explicit client_view(detail::client_handle handle)
        : users(handle)
        , tenants(handle)
        , role_assignments(handle)
        , roles(handle)
        , resources(handle)
        , bulk(handle)
        , impl_(std::move(handle)) {}

  private:
    check_query make_query(check_subject user, std::string_view action,
                           check_resource resource) const {
        return {.user = std::move(user).get(),
                .action = std::string(action),
                .resource = std::move(resource)};
    }

    // The normalisation of the official SDKs (permit-api.md §7.1): the default tenant, copied
    // into the resource's context as the Python SDK does.
    check_query normalize(check_query q) const {
        if (!q.resource.tenant || q.resource.tenant->empty())
            q.resource.tenant = impl_.impl->cfg().default_tenant;
        if (!q.resource.context.contains("tenant"))
            q.resource.context["tenant"] = *q.resource.tenant;
        return q;
    }

    detail::call_spec check_spec(check_query q) const {
        return {.method = boost::beast::http::verb::post,
                .target = detail::service::pdp,
                .path = "/allowed",
                .body = boost::json::serialize(boost::json::value_from(normalize(std::move(q))))};
    }

    detail::call_spec bulk_check_spec(std::vector<check_query> queries) const {
        boost::json::array body;
        body.reserve(queries.size());
        for (auto& q : queries) body.push_back(boost::json::value_from(normalize(std::move(q))));
        return {.method = boost::beast::http::verb::post,
                .target = detail::service::pdp,
                .path = "/allowed/bulk",
                .body = boost::json::serialize(body)};
    }

    static detail::call_spec permissions_spec(const user_permissions_query& q) {
        return {.method = boost::beast::http::verb::post,
                .target = detail::service::pdp,
                .path = "/user-permissions",
                .body = boost::json::serialize(boost::json::value_from(q))};
    }

    static detail::call_spec raw_spec(raw_request req) {
        detail::call_spec spec{.method = req.method,
                               .target = req.to_pdp ? detail::service::pdp : detail::service::api};
        std::string target = std::move(req.target);
        if (auto q = target.find('?'); q != std::string::npos) {
            spec.query = target.substr(q + 1);
            target.resize(q);
        }
        // `/v2/facts/{proj_id}/{env_id}/rest` -> base + `/rest`, resolved like the typed calls.
        for (auto [prefix, base] :
             {std::pair{std::string_view("/v2/facts/{proj_id}/{env_id}"), detail::path_base::facts},
              std::pair{std::string_view("/v2/schema/{proj_id}/{env_id}"),
                        detail::path_base::schema}}) {
            if (target.rfind(prefix, 0) == 0) {
                spec.base = base;
                target.erase(0, prefix.size());
                break;
            }
        }
        spec.path = std::move(target);
        if (req.body) spec.body = boost::json::serialize(*req.body);
        return spec;
    }

  protected:
    /// The client's shared state, and this view's call options.
    detail::client_handle impl_;
};

/// A client of the Permit.io REST API and of a PDP: owns the connections, the limits and the
/// retry budget; every operation is a member of its `client_view` base.
class client : public client_view {
  public:
    /// Makes a client that runs on `ex`. Connects lazily: nothing happens until the first call.
    /// Throws `std::invalid_argument` if `cfg.api_key` is empty, a URL is invalid, or a URL is
    /// plain `http://` to a host that is not loopback without `cfg.insecure_allow_plain_http`;
    /// and `boost::system::system_error` if a CA file or PEM cannot be loaded.
    client(executor_type ex, config cfg)
        : client_view(detail::client_handle{
              std::make_shared<detail::client_impl>(std::move(ex), std::move(cfg)), nullptr}) {}

    /// Not copyable: the client owns its connections. Share it by reference, or make views of it
    /// with `with`.
    client(const client&) = delete;
    /// Not copyable.
    client& operator=(const client&) = delete;

    /// Shuts the client down: every call in flight completes with `operation_aborted`.
    ~client() { shutdown(); }

    /// Completes every call in flight, every call waiting for a connection, for the rate limiter
    /// or to retry, with `operation_aborted`, and closes every connection. Later calls work as
    /// usual. Thread safety: as any call (posted to the strand in thread-safe mode).
    void cancel() {
        boost::asio::dispatch(impl_.impl->executor(), [impl = impl_.impl] { impl->cancel(); });
    }

  private:
    void shutdown() noexcept {
        if (!impl_.impl) return;
        try {
            boost::asio::dispatch(impl_.impl->executor(),
                                  [impl = impl_.impl] { impl->shutdown(); });
        } catch (...) {
            // The executor refused the work (its context is gone): nothing is in flight.
        }
    }
};

}  // namespace permit
