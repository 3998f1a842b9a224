// permit.users: the users of an environment (`/v2/facts/{proj}/{env}/users`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/user.hpp>
#include <permit/pager.hpp>

#include <string>
#include <vector>

namespace permit {

/// What `users.sync` did: `created` is true when the user did not exist (HTTP 201), false when
/// it was replaced (HTTP 200).
struct user_sync_result {
    /// The user as stored after the call.
    permit::user user;
    /// Whether the user was created (HTTP 201) rather than replaced (HTTP 200).
    bool created = false;
};

namespace detail {
struct user_traits {
    using create_type = user_create;
    using read_type = user;
    using update_type = user_update;
    using query_type = user_list_query;
    static constexpr path_base base = path_base::facts;
    static constexpr std::string_view collection = "/users";
    static void add_filters(query_builder& query, const user_list_query& q) {
        add_user_filters(query, q);
    }
};

struct user_sync_decoder {
    user_sync_result operator()(const http::response& r) const {
        return {json_decoder<permit::user>{}(r), r.status == 201};
    }
};
}  // namespace detail

/// The users of the environment. Reached as `client.users`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/users` (see
/// `permit::keyed_collection_api`): `create` takes the user's initial `role_assignments`; `list`
/// filters by email text (`search`) and role, and always returns the totals; in `update`,
/// `attributes`, when given, replaces the stored attributes; `remove` deletes the user with its
/// role assignments.
///
/// Their completion signatures: `create(const user_create&)`, `get(key)` and
/// `update(key, const user_update&)` complete with `void(error_code, permit::user)`;
/// `list(const user_list_query& = {})` with `void(error_code, permit::page<permit::user>)`;
/// `remove(key)` with `void(error_code)`. `list_all(user_list_query = {})` returns a
/// `permit::pager<permit::user>`. Each call but `list_all` also has a `diagnostics&` overload.
///
/// Read-your-writes (`config::proxy_facts_via_pdp`, or a view made by
/// `client::with({.wait_for_sync = ...})`): every call goes through the PDP. `create`, `sync`,
/// `update`, `assign_role` and `unassign_role` wait until the PDP's decisions see the change (or
/// fail with `error::sync_timeout` under `sync_timeout_policy::fail`); `get`, `list`,
/// `get_assigned_roles`, `remove` and the bulk calls are forwarded without waiting.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class users_api : public keyed_collection_api<detail::user_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit users_api(detail::client_handle impl) : keyed_collection_api(std::move(impl)) {}

  public:
    /// Creates the user or replaces it whole (`PUT /users/{key}`): what to call at every
    /// sign-in. Idempotent. Signature: `void(error_code, permit::user_sync_result)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto sync(const user_create& u, CompletionToken&& token = {}) const {
        return call<user_sync_result>(sync_spec(u), detail::user_sync_decoder{}, nullptr,
                                      std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto sync(const user_create& u, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<user_sync_result>(sync_spec(u), detail::user_sync_decoder{}, &diag,
                                      std::forward<CompletionToken>(token));
    }

    /// Gives the user a role, in a tenant or on a resource instance (`POST /users/{user}/roles`).
    /// Signature: `void(error_code, permit::role_assignment)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign_role(std::string_view key, const user_role_create& role,
                     CompletionToken&& token = {}) const {
        return call<role_assignment>(assign_spec(key, role),
                                     detail::json_decoder<role_assignment>{}, nullptr,
                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto assign_role(std::string_view key, const user_role_create& role, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<role_assignment>(assign_spec(key, role),
                                     detail::json_decoder<role_assignment>{}, &diag,
                                     std::forward<CompletionToken>(token));
    }

    /// Takes a role away (`DELETE /users/{user}/roles`). Signature: `void(error_code)`.
    /// The user does not hold it: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto unassign_role(std::string_view key, const user_role_remove& role,
                       CompletionToken&& token = {}) const {
        return call<void>(unassign_spec(key, role), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto unassign_role(std::string_view key, const user_role_remove& role, diagnostics& diag,
                       CompletionToken&& token = {}) const {
        return call<void>(unassign_spec(key, role), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// The user's role assignments, optionally in one tenant (`GET /role_assignments?user=`),
    /// up to 100. Signature: `void(error_code, std::vector<permit::role_assignment>)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get_assigned_roles(std::string_view key, std::optional<std::string> tenant = {},
                            CompletionToken&& token = {}) const {
        return call<std::vector<role_assignment>>(
            assigned_spec(key, tenant), detail::json_decoder<std::vector<role_assignment>>{},
            nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get_assigned_roles(std::string_view key, std::optional<std::string> tenant,
                            diagnostics& diag, CompletionToken&& token = {}) const {
        return call<std::vector<role_assignment>>(
            assigned_spec(key, tenant), detail::json_decoder<std::vector<role_assignment>>{}, &diag,
            std::forward<CompletionToken>(token));
    }

    /// Creates up to 3,000 users in one request (`POST /bulk/users`). Not idempotent.
    /// Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<user_create> users, CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::post, to_json(user_bulk_operation{std::move(users)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<user_create> users, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::post, to_json(user_bulk_operation{std::move(users)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Creates or replaces up to 3,000 users in one request (`PUT /bulk/users`). Idempotent.
    /// Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<user_create> users, CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::put, to_json(user_bulk_operation{std::move(users)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<user_create> users, diagnostics& diag,
                      CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::put, to_json(user_bulk_operation{std::move(users)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Deletes users by key or id (`DELETE /bulk/users`). Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_delete(std::vector<std::string> keys, CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::delete_, to_json(bulk_delete_operation{std::move(keys)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_delete(std::vector<std::string> keys, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::delete_, to_json(bulk_delete_operation{std::move(keys)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec sync_spec(const user_create& u) {
        return item_spec(verb::put, u.key, to_json(u));
    }
    static detail::call_spec assign_spec(std::string_view key, const user_role_create& r) {
        return item_spec(verb::post, key, to_json(r), "/roles");
    }
    static detail::call_spec unassign_spec(std::string_view key, const user_role_remove& r) {
        return item_spec(verb::delete_, key, to_json(r), "/roles");
    }
    static detail::call_spec assigned_spec(std::string_view key,
                                           const std::optional<std::string>& tenant) {
        detail::query_builder query;
        query.add("user", key).add_optional("tenant", tenant);
        query.add_number("page", 1).add_number("per_page", 100);
        return {.method = verb::get,
                .base = detail::path_base::facts,
                .path = "/role_assignments",
                .query = std::move(query).str()};
    }
    static detail::call_spec bulk_spec(verb method, std::optional<std::string> body) {
        return {.method = method,
                .base = detail::path_base::facts,
                .path = "/bulk/users",
                .body = std::move(body)};
    }
};

}  // namespace permit
