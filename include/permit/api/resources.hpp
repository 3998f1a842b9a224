// permit.resources: the resource types of an environment's policy
// (`/v2/schema/{proj}/{env}/resources`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/page.hpp>
#include <permit/models/resource.hpp>

#include <string>

namespace permit {

/// The resource types of the environment's policy. Reached as `client.resources`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call fails. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`), network and TLS errors, the client's timeouts, and
/// `error::invalid_response`. Cancellation: any per-operation cancellation type aborts the call
/// with `operation_aborted` (a write already sent may still have been applied). Thread safety:
/// as the `permit::client` it belongs to.
class resources_api : detail::api_base {
  public:
    explicit resources_api(std::shared_ptr<detail::client_impl> impl) : api_base(std::move(impl)) {}

    /// Creates a resource type with its actions (`POST /resources`).
    /// Signature: `void(error_code, permit::resource)`. A resource with this key exists:
    /// `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const resource_create& r, CompletionToken&& token = {}) const {
        return call<resource>(create_spec(r), detail::json_decoder<resource>{}, nullptr,
                              std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto create(const resource_create& r, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<resource>(create_spec(r), detail::json_decoder<resource>{}, &diag,
                              std::forward<CompletionToken>(token));
    }

    /// Reads a resource type by key or id (`GET /resources/{resource}`).
    /// Signature: `void(error_code, permit::resource)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view key, CompletionToken&& token = {}) const {
        return call<resource>(get_spec(key), detail::json_decoder<resource>{}, nullptr,
                              std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<resource>(get_spec(key), detail::json_decoder<resource>{}, &diag,
                              std::forward<CompletionToken>(token));
    }

    /// Reads one page of resource types (`GET /resources`).
    /// Signature: `void(error_code, permit::page<permit::resource>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const schema_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<resource>>(list_spec(q), detail::list_decoder<resource>{}, nullptr,
                                    std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto list(const schema_list_query& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<resource>>(list_spec(q), detail::list_decoder<resource>{}, &diag,
                                    std::forward<CompletionToken>(token));
    }

    /// Overwrites the fields given in `changes` (`PATCH /resources/{resource}`); `actions`, when
    /// given, replaces the stored actions. Signature: `void(error_code, permit::resource)`.
    /// Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const resource_update& changes,
                CompletionToken&& token = {}) const {
        return call<resource>(update_spec(key, changes), detail::json_decoder<resource>{}, nullptr,
                              std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const resource_update& changes, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<resource>(update_spec(key, changes), detail::json_decoder<resource>{}, &diag,
                              std::forward<CompletionToken>(token));
    }

    /// Replaces a resource type whole (`PUT /resources/{resource}`).
    /// Signature: `void(error_code, permit::resource)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto replace(std::string_view key, const resource_replace& r,
                 CompletionToken&& token = {}) const {
        return call<resource>(replace_spec(key, r), detail::json_decoder<resource>{}, nullptr,
                              std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = use_awaitable_t>
    auto replace(std::string_view key, const resource_replace& r, diagnostics& diag,
                 CompletionToken&& token = {}) const {
        return call<resource>(replace_spec(key, r), detail::json_decoder<resource>{}, &diag,
                              std::forward<CompletionToken>(token));
    }

    /// Deletes a resource type (`DELETE /resources/{resource}`).
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

  private:
    using verb = boost::beast::http::verb;
    static constexpr auto schema = detail::path_base::schema;

    static detail::call_spec create_spec(const resource_create& r) {
        return {.method = verb::post, .base = schema, .path = "/resources", .body = to_json(r)};
    }
    static detail::call_spec get_spec(std::string_view key) {
        return {.method = verb::get, .base = schema, .path = path("/resources", key)};
    }
    static detail::call_spec list_spec(const schema_list_query& q) {
        detail::query_builder query;
        query.add_optional("search", q.search);
        // Marked deprecated in the newest spec, but the only way to get the envelope with
        // `total_count` instead of a bare array (permit-api.md §2).
        query.add_flag("include_total_count", true);
        query.add_number("page", q.page).add_number("per_page", q.per_page);
        return {.method = verb::get,
                .base = schema,
                .path = "/resources",
                .query = std::move(query).str()};
    }
    static detail::call_spec update_spec(std::string_view key, const resource_update& r) {
        return {.method = verb::patch,
                .base = schema,
                .path = path("/resources", key),
                .body = to_json(r)};
    }
    static detail::call_spec replace_spec(std::string_view key, const resource_replace& r) {
        return {.method = verb::put,
                .base = schema,
                .path = path("/resources", key),
                .body = to_json(r)};
    }
    static detail::call_spec remove_spec(std::string_view key) {
        return {.method = verb::delete_, .base = schema, .path = path("/resources", key)};
    }
};

}  // namespace permit
