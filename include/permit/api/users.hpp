// permit.users: the users of an environment (`/v2/facts/{proj}/{env}/users`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
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
    permit::user user;
    bool created = false;
};

namespace detail {
struct user_sync_decoder {
    user_sync_result operator()(const http::response& r) const {
        return {json_decoder<permit::user>{}(r), r.status == 201};
    }
};
}  // namespace detail

/// The users of the environment. Reached as `client.users`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call fails. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`), network and TLS errors, the client's timeouts, and
/// `error::invalid_response`. Cancellation: any per-operation cancellation type aborts the call
/// with `operation_aborted` (a write already sent may still have been applied). Thread safety:
/// as the `permit::client` it belongs to.
class users_api : detail::api_base {
  public:
    explicit users_api(std::shared_ptr<detail::client_impl> impl) : api_base(std::move(impl)) {}

    /// Creates a user, with its initial role assignments (`POST /users`).
    /// Signature: `void(error_code, permit::user)`. A user with this key exists: `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const user_create& u, CompletionToken&& token = {}) const {
        return call<user>(create_spec(u), detail::json_decoder<user>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto create(const user_create& u, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<user>(create_spec(u), detail::json_decoder<user>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads a user by key or id (`GET /users/{user}`).
    /// Signature: `void(error_code, permit::user)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view key, CompletionToken&& token = {}) const {
        return call<user>(get_spec(key), detail::json_decoder<user>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<user>(get_spec(key), detail::json_decoder<user>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads one page of users (`GET /users`).
    /// Signature: `void(error_code, permit::page<permit::user>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const user_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<user>>(list_spec(q, q.page, q.per_page), detail::list_decoder<user>{},
                                nullptr, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto list(const user_list_query& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<user>>(list_spec(q, q.page, q.per_page), detail::list_decoder<user>{},
                                &diag, std::forward<CompletionToken>(token));
    }

    /// Every user matching `q`, page by page from `q.page`, `q.per_page` at a time.
    pager<user> list_all(user_list_query q = {}) const {
        return pager<user>(impl_, q.per_page,
                           [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

    /// Overwrites the fields given in `changes` (`PATCH /users/{user}`); `attributes`, when
    /// given, replaces the stored attributes. Signature: `void(error_code, permit::user)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const user_update& changes,
                CompletionToken&& token = {}) const {
        return call<user>(update_spec(key, changes), detail::json_decoder<user>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const user_update& changes, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<user>(update_spec(key, changes), detail::json_decoder<user>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Creates the user or replaces it whole (`PUT /users/{key}`): what to call at every
    /// sign-in. Idempotent. Signature: `void(error_code, permit::user_sync_result)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto sync(const user_create& u, CompletionToken&& token = {}) const {
        return call<user_sync_result>(sync_spec(u), detail::user_sync_decoder{}, nullptr,
                                      std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto sync(const user_create& u, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<user_sync_result>(sync_spec(u), detail::user_sync_decoder{}, &diag,
                                      std::forward<CompletionToken>(token));
    }

    /// Deletes a user and its role assignments (`DELETE /users/{user}`).
    /// Signature: `void(error_code)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view key, CompletionToken&& token = {}) const {
        return call<void>(remove_spec(key), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<void>(remove_spec(key), detail::no_decoder{}, &diag,
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
        return call<void>(bulk_spec(boost::beast::http::verb::post, std::move(users)),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<user_create> users, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(boost::beast::http::verb::post, std::move(users)),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Creates or replaces up to 3,000 users in one request (`PUT /bulk/users`). Idempotent.
    /// Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<user_create> users, CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(boost::beast::http::verb::put, std::move(users)),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<user_create> users, diagnostics& diag,
                      CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(boost::beast::http::verb::put, std::move(users)),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Deletes users by key or id (`DELETE /bulk/users`). Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_delete(std::vector<std::string> keys, CompletionToken&& token = {}) const {
        return call<void>(bulk_delete_spec(std::move(keys)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto bulk_delete(std::vector<std::string> keys, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_delete_spec(std::move(keys)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  private:
    using verb = boost::beast::http::verb;
    static constexpr auto facts = detail::path_base::facts;

    static detail::call_spec create_spec(const user_create& u) {
        return {.method = verb::post, .base = facts, .path = "/users", .body = to_json(u)};
    }
    static detail::call_spec get_spec(std::string_view key) {
        return {.method = verb::get, .base = facts, .path = path("/users", key)};
    }
    static detail::call_spec list_spec(const user_list_query& q, int page, int per_page) {
        detail::query_builder query;
        query.add_optional("search", q.search).add_optional("role", q.role);
        if (q.include_resource_instance_roles)
            query.add_flag("include_resource_instance_roles", true);
        query.add_number("page", page).add_number("per_page", per_page);
        return {
            .method = verb::get, .base = facts, .path = "/users", .query = std::move(query).str()};
    }
    static detail::call_spec update_spec(std::string_view key, const user_update& u) {
        return {
            .method = verb::patch, .base = facts, .path = path("/users", key), .body = to_json(u)};
    }
    static detail::call_spec sync_spec(const user_create& u) {
        return {
            .method = verb::put, .base = facts, .path = path("/users", u.key), .body = to_json(u)};
    }
    static detail::call_spec remove_spec(std::string_view key) {
        return {.method = verb::delete_, .base = facts, .path = path("/users", key)};
    }
    static detail::call_spec assign_spec(std::string_view key, const user_role_create& r) {
        return {.method = verb::post,
                .base = facts,
                .path = path("/users", key) + "/roles",
                .body = to_json(r)};
    }
    static detail::call_spec unassign_spec(std::string_view key, const user_role_remove& r) {
        return {.method = verb::delete_,
                .base = facts,
                .path = path("/users", key) + "/roles",
                .body = to_json(r)};
    }
    static detail::call_spec assigned_spec(std::string_view key,
                                           const std::optional<std::string>& tenant) {
        detail::query_builder query;
        query.add("user", key)
            .add_optional("tenant", tenant)
            .add_number("page", 1)
            .add_number("per_page", 100);
        return {.method = verb::get,
                .base = facts,
                .path = "/role_assignments",
                .query = std::move(query).str()};
    }
    static detail::call_spec bulk_spec(verb method, std::vector<user_create> users) {
        return {.method = method,
                .base = facts,
                .path = "/bulk/users",
                .body = to_json(user_bulk_operation{std::move(users)})};
    }
    static detail::call_spec bulk_delete_spec(std::vector<std::string> keys) {
        return {.method = verb::delete_,
                .base = facts,
                .path = "/bulk/users",
                .body = to_json(bulk_delete_operation{std::move(keys)})};
    }
};

}  // namespace permit
