// permit::client: the entry point. One object per application, shared by every coroutine.
#pragma once

#include <permit/api/action_groups.hpp>
#include <permit/api/api_keys.hpp>
#include <permit/api/condition_set_rules.hpp>
#include <permit/api/condition_sets.hpp>
#include <permit/api/elements.hpp>
#include <permit/api/environments.hpp>
#include <permit/api/implicit_grants.hpp>
#include <permit/api/pdp.hpp>
#include <permit/api/projects.hpp>
#include <permit/api/raw.hpp>
#include <permit/api/relationship_tuples.hpp>
#include <permit/api/resource_attributes.hpp>
#include <permit/api/resource_instances.hpp>
#include <permit/api/resource_relations.hpp>
#include <permit/api/resource_roles.hpp>
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
#include <permit/detail/engine.hpp>
#include <permit/detail/instantiations.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/models/pdp.hpp>
#include <permit/raw_request.hpp>
#include <permit/use_awaitable.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit {

/// The operations of a `permit::client`; also what `client::with` returns, a view of the same
/// client whose calls use other `call_options`.
///
/// Operations are grouped as in the official SDKs: `users`, `tenants`, `role_assignments`,
/// `roles`, `resources`, what a resource type holds (`resource_relations`, `resource_roles`,
/// `implicit_grants`, `resource_attributes`, `action_groups`), `resource_instances`,
/// `relationship_tuples`, `condition_sets`, `condition_set_rules`, the organization's
/// `projects`, `environments` and `api_keys`, `elements` (Permit Elements logins), plus `check`,
/// `bulk_check`, `get_user_permissions` and the raw `request`. Each one takes an Asio completion
/// token last (default `permit::use_awaitable`: `co_await` returns the value or throws
/// `permit::api_error`), and has an overload that fills a `permit::diagnostics&` instead of losing
/// the details when the token does not throw.
///
/// Errors of every operation: `permit::error` codes for HTTP statuses (compare them with
/// `permit::condition`), network and TLS errors, the client's timeouts (`connect_timeout`,
/// `handshake_timeout`, `request_timeout`), and `error::invalid_response` for a 2xx body that is
/// not the documented JSON. Cancellation: any per-operation cancellation type aborts the call with
/// `operation_aborted` (for an awaiting coroutine, what its cancellation filter lets through),
/// whether it waits for a connection or is in flight (a write already sent may still have been
/// applied by the server).
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
class client_view : public pdp_api, public raw_api {
  public:
    /// The type of the executor the client runs on.
    using executor_type = boost::asio::any_io_executor;

    /// The executor the client runs on (a strand of it in thread-safe mode).
    executor_type get_executor() const noexcept { return detail::executor_of(*client_.impl); }

    /// The configuration the client was made with.
    const config& get_config() const noexcept { return detail::config_of(*client_.impl); }

    /// A view of the same client whose calls use `options` (fields left unset keep this view's
    /// settings): `auto strict = permit.with({.retry = permit::retry_policy::none()});` then
    /// `co_await strict.users.get(key)` (a local: g++ 12 destroys aggregate temporaries inside a
    /// `co_await` expression twice).
    /// The view shares the client's connections, limits and budget, and is cheap to make and to
    /// copy. It must not outlive the `permit::client` it came from for calls to succeed (they then
    /// fail with `operation_aborted`). Thread safety: as the client.
    client_view with(const call_options& options) const {
        auto merged = client_.options ? *client_.options : call_options{};
        if (options.retry) merged.retry = options.retry;
        if (options.wait_for_sync) merged.wait_for_sync = options.wait_for_sync;
        return client_view(detail::client_handle{
            client_.impl, std::make_shared<const call_options>(std::move(merged))});
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
    /// The relations of the resource types (ReBAC).
    resource_relations_api resource_relations;
    /// The roles of the resource types, granted on their instances (ReBAC).
    resource_roles_api resource_roles;
    /// The derivation rules of the resource roles, one at a time (ReBAC).
    implicit_grants_api implicit_grants;
    /// The attributes defined on the resource types and on the users (ABAC).
    resource_attributes_api resource_attributes;
    /// The action groups of the resource types.
    action_groups_api action_groups;
    /// The instances of the resource types (ReBAC).
    resource_instances_api resource_instances;
    /// The relations between resource instances (ReBAC).
    relationship_tuples_api relationship_tuples;
    /// The usersets and resourcesets: attribute conditions on users and on resources (ABAC).
    condition_sets_api condition_sets;
    /// The permissions granted to usersets on resourcesets (ABAC).
    condition_set_rules_api condition_set_rules;
    /// The projects of the organization.
    projects_api projects;
    /// The environments of the organization's projects, their copies and their API keys.
    environments_api environments;
    /// The API keys of the organization.
    api_keys_api api_keys;
    /// Logins to Permit Elements, the embeddable UIs.
    elements_api elements;
    /// The auto-batching pipeline: `co_await permit.bulk.sync_user(u)` from any number of
    /// coroutines (see `bulk_api`).
    bulk_api bulk;

    /// Requests sent, retries and 429s received since the client was made, over every call.
    /// Thread safety: callable from any thread.
    client_stats stats() const noexcept { return detail::stats_of(*client_.impl); }

  private:
    friend class client;

    // A view of the client that `handle` refers to, whose calls use `handle.options` (null: the
    // client's configuration). Made by `permit::client` and by `with`.
    explicit client_view(detail::client_handle handle)
        : pdp_api(handle)
        , raw_api(handle)
        , users(handle)
        , tenants(handle)
        , role_assignments(handle)
        , roles(handle)
        , resources(handle)
        , resource_relations(handle)
        , resource_roles(handle)
        , implicit_grants(handle)
        , resource_attributes(handle)
        , action_groups(handle)
        , resource_instances(handle)
        , relationship_tuples(handle)
        , condition_sets(handle)
        , condition_set_rules(handle)
        , projects(handle)
        , environments(handle)
        , api_keys(handle)
        , elements(handle)
        , bulk(handle)
        , client_(std::move(handle)) {}

    // The client's shared state, and this view's call options.
    detail::client_handle client_;
};

/// A client of the Permit.io REST API and of a PDP: owns the connections, the limits and the
/// retry budget; every operation is a member of its `client_view` base.
class client : public client_view {
  public:
    /// Makes a client that runs on `ex`. Connects lazily: nothing happens until the first call.
    /// Throws `std::invalid_argument` if `cfg.api_key` is empty, a URL is invalid, or a URL is
    /// plain `http://` to a host that is not loopback without `cfg.insecure_allow_plain_http`;
    /// and `boost::system::system_error` if a CA file or PEM cannot be loaded (read only when a
    /// URL is `https://`).
    client(executor_type ex, config cfg)
        : client_view(
              detail::client_handle{detail::make_client_impl(std::move(ex), std::move(cfg)), {}}) {}

    /// Not copyable: the client owns its connections. Share it by reference, or make views of it
    /// with `with`.
    client(const client&) = delete;
    /// Not copyable.
    client& operator=(const client&) = delete;

    /// Shuts the client down: every call in flight completes with `operation_aborted`.
    ~client() { detail::shut_down(client_.impl); }

    /// Completes every call in flight, every call waiting for a connection, for the rate limiter
    /// or to retry, with `operation_aborted`, and closes every connection. Later calls work as
    /// usual. Thread safety: as any call (posted to the strand in thread-safe mode).
    void cancel() { detail::cancel_calls(client_.impl); }
};

}  // namespace permit
