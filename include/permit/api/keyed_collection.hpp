// The five calls every keyed collection of the API has (users, tenants, roles, resources):
// create, get, list, update and remove, written once for all of them.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/page.hpp>
#include <permit/pager.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// The calls every keyed collection of the API has (the base of `users_api`, `tenants_api`,
/// `roles_api` and `resources_api`, made by `permit::client`), for a collection described by
/// `Traits`:
/// - `create_type`, `read_type`, `update_type`, `query_type`: the models;
/// - `base` (`path_base`) and `collection` (e.g. `"/tenants"`): where it lives;
/// - `add_filters(query_builder&, const query_type&)`: the list filters.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call fails. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`), network and TLS errors, the client's timeouts, and
/// `error::invalid_response`. Cancellation: any per-operation cancellation type aborts the call
/// with `operation_aborted` (a write already sent may still have been applied). Thread safety:
/// as the `permit::client` it belongs to.
template <class Traits>
class keyed_collection_api : protected detail::api_base {
  public:
    /// What `create` takes.
    using create_type = typename Traits::create_type;
    /// What the calls read back.
    using read_type = typename Traits::read_type;
    /// What `update` takes.
    using update_type = typename Traits::update_type;
    /// What `list` and `list_all` filter with.
    using query_type = typename Traits::query_type;

    /// Creates one (`POST <collection>`). Signature: `void(error_code, read_type)`.
    /// The key is taken: `error::conflict`. Not retried: POST is not idempotent.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const create_type& item, CompletionToken&& token = {}) const {
        return call<read_type>(create_spec(item), detail::json_decoder<read_type>{}, nullptr,
                               std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(const create_type& item, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<read_type>(create_spec(item), detail::json_decoder<read_type>{}, &diag,
                               std::forward<CompletionToken>(token));
    }

    /// Reads one by key or id (`GET <collection>/{key}`). Signature:
    /// `void(error_code, read_type)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view key, CompletionToken&& token = {}) const {
        return call<read_type>(item_spec(verb::get, key), detail::json_decoder<read_type>{},
                               nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<read_type>(item_spec(verb::get, key), detail::json_decoder<read_type>{}, &diag,
                               std::forward<CompletionToken>(token));
    }

    /// Reads one page (`GET <collection>`), `q.per_page` (at most 100) from `q.page`.
    /// Signature: `void(error_code, permit::page<read_type>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const query_type& q = {}, CompletionToken&& token = {}) const {
        return call<page<read_type>>(list_spec(q, q.page, q.per_page),
                                     detail::list_decoder<read_type>{}, nullptr,
                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(const query_type& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<read_type>>(list_spec(q, q.page, q.per_page),
                                     detail::list_decoder<read_type>{}, &diag,
                                     std::forward<CompletionToken>(token));
    }

    /// Every item matching `q`, page by page from `q.page`, `q.per_page` at a time.
    pager<read_type> list_all(query_type q = {}) const {
        return detail::pager_access::make<read_type>(
            impl_, q.per_page,
            [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

    /// Overwrites the fields set in `changes` (`PATCH <collection>/{key}`); a field left unset
    /// keeps its value. Signature: `void(error_code, read_type)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const update_type& changes,
                CompletionToken&& token = {}) const {
        return call<read_type>(item_spec(verb::patch, key, to_json(changes)),
                               detail::json_decoder<read_type>{}, nullptr,
                               std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view key, const update_type& changes, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<read_type>(item_spec(verb::patch, key, to_json(changes)),
                               detail::json_decoder<read_type>{}, &diag,
                               std::forward<CompletionToken>(token));
    }

    /// Deletes one and what depends on it (`DELETE <collection>/{key}`). Signature:
    /// `void(error_code)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view key, CompletionToken&& token = {}) const {
        return call<void>(item_spec(verb::delete_, key), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<void>(item_spec(verb::delete_, key), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  protected:
    /// The method of a request.
    using verb = http_method;

    using api_base::api_base;

    /// A request on the collection itself.
    static detail::call_spec collection_spec(verb method, std::optional<std::string> body = {}) {
        return {.method = method,
                .base = Traits::base,
                .path = std::string(Traits::collection),
                .body = std::move(body)};
    }

    /// A request on one item, or below it (`suffix` such as `/roles`).
    static detail::call_spec item_spec(verb method, std::string_view key,
                                       std::optional<std::string> body = {},
                                       std::string_view suffix = {}) {
        return {.method = method,
                .base = Traits::base,
                .path = path(Traits::collection, key) + std::string(suffix),
                .body = std::move(body)};
    }

    /// The request of `create`.
    static detail::call_spec create_spec(const create_type& item) {
        return collection_spec(verb::post, to_json(item));
    }

    /// The request of one page of `list`.
    static detail::call_spec list_spec(const query_type& q, int page, int per_page) {
        detail::query_builder query;
        Traits::add_filters(query, q);
        query.add_number("page", page).add_number("per_page", per_page);
        auto spec = collection_spec(verb::get);
        spec.query = std::move(query).str();
        return spec;
    }
};

}  // namespace permit

namespace permit::detail {

/// The filters of a user list, shared by `users.list` and `tenants.list_users`.
inline void add_user_filters(query_builder& query, const user_list_query& q) {
    query.add_optional("search", q.search).add_optional("role", q.role);
    if (q.include_resource_instance_roles) query.add_flag("include_resource_instance_roles", true);
}

/// The filters of the lists that answer a bare array by default: `search`, and
/// `include_total_count=true`. The flag is marked deprecated in the newest spec, but it is the
/// only way to get the envelope with `total_count` (permitio/permit-cli `source/lib/api/v1.d.ts`).
template <class Query>
void add_search_with_totals(query_builder& query, const Query& q) {
    query.add_optional("search", q.search).add_flag("include_total_count", true);
}

}  // namespace permit::detail
