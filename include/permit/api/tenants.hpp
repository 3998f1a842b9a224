// permit.tenants: the tenants of an environment (`/v2/facts/{proj}/{env}/tenants`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/pager.hpp>

#include <string>
#include <vector>

namespace permit {

namespace detail {
struct tenant_traits {
    using create_type = tenant_create;
    using read_type = tenant;
    using update_type = tenant_update;
    using query_type = tenant_list_query;
    static constexpr path_base base = path_base::facts;
    static constexpr std::string_view collection = "/tenants";
    static void add_filters(query_builder& query, const tenant_list_query& q) {
        add_search_with_totals(query, q);
    }
};
}  // namespace detail

/// The tenants of the environment. Reached as `client.tenants`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/tenants` (see
/// `permit::keyed_collection_api`): `list` searches names and keys; in `update`, `attributes`,
/// when given, replaces the stored attributes; `remove` deletes the tenant and all its related
/// data, its role assignments included.
///
/// Their completion signatures: `create(const tenant_create&)`, `get(key)` and
/// `update(key, const tenant_update&)` complete with `void(error_code, permit::tenant)`;
/// `list(const tenant_list_query& = {})` with `void(error_code, permit::page<permit::tenant>)`;
/// `remove(key)` with `void(error_code)`. `list_all(tenant_list_query = {})` returns a
/// `permit::pager<permit::tenant>`. Each call but `list_all` also has a `diagnostics&` overload.
///
/// Read-your-writes (`config::proxy_facts_via_pdp`, or a view made by
/// `client::with({.wait_for_sync = ...})`): every call goes through the PDP. `create` waits
/// until the PDP's decisions see the new tenant (or fails with `error::sync_timeout` under
/// `sync_timeout_policy::fail`); the other calls, bulk ones included, are forwarded without
/// waiting.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class tenants_api : public keyed_collection_api<detail::tenant_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit tenants_api(detail::client_handle impl) : keyed_collection_api(std::move(impl)) {}

  public:
    /// Reads one page of the users holding a role in the tenant (`GET /tenants/{tenant}/users`).
    /// Signature: `void(error_code, permit::page<permit::user>)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list_users(std::string_view key, const user_list_query& q = {},
                    CompletionToken&& token = {}) const {
        return call<page<user>>(list_users_spec(key, q), detail::list_decoder<user>{}, nullptr,
                                std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list_users(std::string_view key, const user_list_query& q, diagnostics& diag,
                    CompletionToken&& token = {}) const {
        return call<page<user>>(list_users_spec(key, q), detail::list_decoder<user>{}, &diag,
                                std::forward<CompletionToken>(token));
    }

    /// Removes a user from the tenant (`DELETE /tenants/{tenant}/users/{user}`), with the
    /// user's roles in it. Signature: `void(error_code)`. Missing tenant or user:
    /// `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove_user(std::string_view tenant, std::string_view user,
                     CompletionToken&& token = {}) const {
        return call<void>(remove_user_spec(tenant, user), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove_user(std::string_view tenant, std::string_view user, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(remove_user_spec(tenant, user), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Creates many tenants in one request (`POST /bulk/tenants`). Not idempotent.
    /// Signature: `void(error_code)`. A key already taken: `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<tenant_create> tenants, CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::post, to_json(tenant_bulk_operation{std::move(tenants)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<tenant_create> tenants, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_spec(verb::post, to_json(tenant_bulk_operation{std::move(tenants)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Deletes tenants by key or id (`DELETE /bulk/tenants`). Signature: `void(error_code)`.
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
    static detail::call_spec list_users_spec(std::string_view key, const user_list_query& q) {
        detail::query_builder query;
        detail::add_user_filters(query, q);
        query.add_number("page", q.page).add_number("per_page", q.per_page);
        auto spec = item_spec(verb::get, key, {}, "/users");
        spec.query = std::move(query).str();
        return spec;
    }
    static detail::call_spec remove_user_spec(std::string_view tenant, std::string_view user) {
        return item_spec(verb::delete_, tenant, {}, path("/users", user));
    }
    static detail::call_spec bulk_spec(verb method, std::optional<std::string> body) {
        return {.method = method,
                .base = detail::path_base::facts,
                .path = "/bulk/tenants",
                .body = std::move(body)};
    }
};

}  // namespace permit
