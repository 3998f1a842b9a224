// permit.tenants: the tenants of an environment (`/v2/facts/{proj}/{env}/tenants`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/pager.hpp>

#include <string>
#include <vector>

namespace permit {

/// The tenants of the environment. Reached as `client.tenants`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call fails. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`), network and TLS errors, the client's timeouts, and
/// `error::invalid_response`. Cancellation: any per-operation cancellation type aborts the call
/// with `operation_aborted` (a write already sent may still have been applied). Thread safety:
/// as the `permit::client` it belongs to.
class tenants_api : detail::api_base {
  public:
    explicit tenants_api(std::shared_ptr<detail::client_impl> impl) : api_base(std::move(impl)) {}

    /// Creates a tenant (`POST /tenants`).
    /// Signature: `void(error_code, permit::tenant)`. A tenant with this key exists:
    /// `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const tenant_create& t, CompletionToken&& token = {}) const {
        return call<tenant>(create_spec(t), detail::json_decoder<tenant>{}, nullptr,
                            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto create(const tenant_create& t, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<tenant>(create_spec(t), detail::json_decoder<tenant>{}, &diag,
                            std::forward<CompletionToken>(token));
    }

    /// Reads a tenant by key or id (`GET /tenants/{tenant}`).
    /// Signature: `void(error_code, permit::tenant)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view key, CompletionToken&& token = {}) const {
        return call<tenant>(get_spec(key), detail::json_decoder<tenant>{}, nullptr,
                            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<tenant>(get_spec(key), detail::json_decoder<tenant>{}, &diag,
                            std::forward<CompletionToken>(token));
    }

    /// Reads one page of tenants (`GET /tenants`).
    /// Signature: `void(error_code, permit::page<permit::tenant>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const tenant_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<tenant>>(list_spec(q, q.page, q.per_page), detail::list_decoder<tenant>{},
                                  nullptr, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto list(const tenant_list_query& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<tenant>>(list_spec(q, q.page, q.per_page), detail::list_decoder<tenant>{},
                                  &diag, std::forward<CompletionToken>(token));
    }

    /// Every tenant matching `q`, page by page from `q.page`, `q.per_page` at a time.
    pager<tenant> list_all(tenant_list_query q = {}) const {
        return pager<tenant>(impl_, q.per_page,
                             [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

    /// Overwrites the fields given in `changes` (`PATCH /tenants/{tenant}`); `attributes`, when
    /// given, replaces the stored attributes. Signature: `void(error_code, permit::tenant)`.
    /// Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const tenant_update& changes,
                CompletionToken&& token = {}) const {
        return call<tenant>(update_spec(key, changes), detail::json_decoder<tenant>{}, nullptr,
                            std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const tenant_update& changes, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<tenant>(update_spec(key, changes), detail::json_decoder<tenant>{}, &diag,
                            std::forward<CompletionToken>(token));
    }

    /// Deletes a tenant and all its related data (`DELETE /tenants/{tenant}`).
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

    /// Reads one page of the users holding a role in the tenant (`GET /tenants/{tenant}/users`).
    /// Signature: `void(error_code, permit::page<permit::user>)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list_users(std::string_view key, const user_list_query& q = {},
                    CompletionToken&& token = {}) const {
        return call<page<user>>(list_users_spec(key, q), detail::list_decoder<user>{}, nullptr,
                                std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto list_users(std::string_view key, const user_list_query& q, diagnostics& diag,
                    CompletionToken&& token = {}) const {
        return call<page<user>>(list_users_spec(key, q), detail::list_decoder<user>{}, &diag,
                                std::forward<CompletionToken>(token));
    }

    /// Creates many tenants in one request (`POST /bulk/tenants`). Not idempotent.
    /// Signature: `void(error_code)`. A key already taken: `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<tenant_create> tenants, CompletionToken&& token = {}) const {
        return call<void>(bulk_create_spec(std::move(tenants)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<tenant_create> tenants, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_create_spec(std::move(tenants)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Deletes tenants by key or id (`DELETE /bulk/tenants`). Signature: `void(error_code)`.
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

    static detail::call_spec create_spec(const tenant_create& t) {
        return {.method = verb::post, .base = facts, .path = "/tenants", .body = to_json(t)};
    }
    static detail::call_spec get_spec(std::string_view key) {
        return {.method = verb::get, .base = facts, .path = path("/tenants", key)};
    }
    static detail::call_spec list_spec(const tenant_list_query& q, int page, int per_page) {
        detail::query_builder query;
        query.add_optional("search", q.search);
        // Marked deprecated in the newest spec, but the only way to get the envelope with
        // `total_count` instead of a bare array (permit-api.md §2).
        query.add_flag("include_total_count", true);
        query.add_number("page", page).add_number("per_page", per_page);
        return {.method = verb::get,
                .base = facts,
                .path = "/tenants",
                .query = std::move(query).str()};
    }
    static detail::call_spec update_spec(std::string_view key, const tenant_update& t) {
        return {.method = verb::patch,
                .base = facts,
                .path = path("/tenants", key),
                .body = to_json(t)};
    }
    static detail::call_spec remove_spec(std::string_view key) {
        return {.method = verb::delete_, .base = facts, .path = path("/tenants", key)};
    }
    static detail::call_spec list_users_spec(std::string_view key, const user_list_query& q) {
        detail::query_builder query;
        query.add_optional("search", q.search).add_optional("role", q.role);
        if (q.include_resource_instance_roles)
            query.add_flag("include_resource_instance_roles", true);
        query.add_number("page", q.page).add_number("per_page", q.per_page);
        return {.method = verb::get,
                .base = facts,
                .path = path("/tenants", key) + "/users",
                .query = std::move(query).str()};
    }
    static detail::call_spec bulk_create_spec(std::vector<tenant_create> tenants) {
        return {.method = verb::post,
                .base = facts,
                .path = "/bulk/tenants",
                .body = to_json(tenant_bulk_operation{std::move(tenants)})};
    }
    static detail::call_spec bulk_delete_spec(std::vector<std::string> keys) {
        return {.method = verb::delete_,
                .base = facts,
                .path = "/bulk/tenants",
                .body = to_json(bulk_delete_operation{std::move(keys)})};
    }
};

}  // namespace permit
