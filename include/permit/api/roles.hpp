// permit.roles: the roles of an environment's policy (`/v2/schema/{proj}/{env}/roles`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/page.hpp>
#include <permit/models/role.hpp>

#include <string>
#include <vector>

namespace permit {

/// The roles of the environment's policy. Reached as `client.roles`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call fails. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`), network and TLS errors, the client's timeouts, and
/// `error::invalid_response`. Cancellation: any per-operation cancellation type aborts the call
/// with `operation_aborted` (a write already sent may still have been applied). Thread safety:
/// as the `permit::client` it belongs to.
class roles_api : detail::api_base {
  public:
    explicit roles_api(std::shared_ptr<detail::client_impl> impl) : api_base(std::move(impl)) {}

    /// Creates a role, with its permissions and the roles it extends (`POST /roles`).
    /// Signature: `void(error_code, permit::role)`. A role with this key exists:
    /// `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const role_create& r, CompletionToken&& token = {}) const {
        return call<role>(create_spec(r), detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto create(const role_create& r, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(create_spec(r), detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads a role by key or id (`GET /roles/{role}`).
    /// Signature: `void(error_code, permit::role)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view key, CompletionToken&& token = {}) const {
        return call<role>(get_spec(key), detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(get_spec(key), detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads one page of roles (`GET /roles`).
    /// Signature: `void(error_code, permit::page<permit::role>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const schema_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<role>>(list_spec(q), detail::list_decoder<role>{}, nullptr,
                                std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto list(const schema_list_query& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<role>>(list_spec(q), detail::list_decoder<role>{}, &diag,
                                std::forward<CompletionToken>(token));
    }

    /// Overwrites the fields given in `changes` (`PATCH /roles/{role}`); a list given, even
    /// empty, replaces the stored one. Signature: `void(error_code, permit::role)`.
    /// Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const role_update& changes,
                CompletionToken&& token = {}) const {
        return call<role>(update_spec(key, changes), detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const role_update& changes, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<role>(update_spec(key, changes), detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Deletes a role and the permissions granted to it (`DELETE /roles/{role}`).
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

    /// Grants `"<resource>:<action>"` permissions to the role (`POST /roles/{role}/permissions`);
    /// those already granted are skipped. Signature: `void(error_code, permit::role)`.
    /// Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view key, std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::post, key, std::move(permissions)),
                          detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view key, std::vector<std::string> permissions,
                            diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::post, key, std::move(permissions)),
                          detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Takes permissions away from the role (`DELETE /roles/{role}/permissions`); those not
    /// granted are skipped. Signature: `void(error_code, permit::role)`.
    /// Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view key, std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::delete_, key, std::move(permissions)),
                          detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view key, std::vector<std::string> permissions,
                            diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::delete_, key, std::move(permissions)),
                          detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  private:
    using verb = boost::beast::http::verb;
    static constexpr auto schema = detail::path_base::schema;

    static detail::call_spec create_spec(const role_create& r) {
        return {.method = verb::post, .base = schema, .path = "/roles", .body = to_json(r)};
    }
    static detail::call_spec get_spec(std::string_view key) {
        return {.method = verb::get, .base = schema, .path = path("/roles", key)};
    }
    static detail::call_spec list_spec(const schema_list_query& q) {
        detail::query_builder query;
        query.add_optional("search", q.search);
        // Marked deprecated in the newest spec, but the only way to get the envelope with
        // `total_count` instead of a bare array (permit-api.md §2).
        query.add_flag("include_total_count", true);
        query.add_number("page", q.page).add_number("per_page", q.per_page);
        return {
            .method = verb::get, .base = schema, .path = "/roles", .query = std::move(query).str()};
    }
    static detail::call_spec update_spec(std::string_view key, const role_update& r) {
        return {
            .method = verb::patch, .base = schema, .path = path("/roles", key), .body = to_json(r)};
    }
    static detail::call_spec remove_spec(std::string_view key) {
        return {.method = verb::delete_, .base = schema, .path = path("/roles", key)};
    }
    static detail::call_spec permissions_spec(verb method, std::string_view key,
                                              std::vector<std::string> permissions) {
        return {.method = method,
                .base = schema,
                .path = path("/roles", key) + "/permissions",
                .body = to_json(role_permissions{std::move(permissions)})};
    }
};

}  // namespace permit
