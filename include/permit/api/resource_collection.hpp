// The calls on the objects a resource type holds (`/v2/schema/{proj}/{env}/resources/{resource}/
// <collection>`: relations, roles, attributes, action groups): create, get, list, update and
// remove, each taking the resource type first, written once for all of them.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/page.hpp>
#include <permit/pager.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace permit {

namespace detail {
/// The `update_type` of a collection that has no update (relations).
struct no_update {};

/// `/resources/<resource>/<name>`, the resource type percent-encoded.
inline std::string below_resource(std::string_view resource, std::string_view name) {
    std::string out = "/resources/";
    out += percent_encode(resource);
    out += '/';
    out += name;
    return out;
}
}  // namespace detail

/// The calls on the objects of one kind that a resource type holds (the base of
/// `resource_relations_api`, `resource_roles_api`, `resource_attributes_api` and
/// `action_groups_api`, made by `permit::client`), for a collection described by `Traits`:
/// - `create_type`, `read_type`, `update_type` (`detail::no_update` when there is no update);
/// - `collection(resource)`: the path below the schema base, e.g.
///   `"/resources/document/roles"`, the resource type percent-encoded.
///
/// Every call takes the resource type's key (or id) first and the object's key (or id) second.
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default: `permit::use_awaitable`, which throws
/// `permit::api_error`). Each has an overload taking a `permit::diagnostics&` before the token,
/// filled when the call completes. Errors: `permit::error` codes for HTTP statuses (compare with
/// `permit::condition`; an unknown resource type or object is `error::not_found`), network and
/// TLS errors, the client's timeouts, and `error::invalid_response`. Cancellation: any
/// per-operation cancellation type aborts the call with `operation_aborted` (a write already sent
/// may still have been applied). Thread safety: as the `permit::client` it belongs to.
template <class Traits>
class resource_collection_api : protected detail::api_base {
  public:
    /// What `create` takes.
    using create_type = typename Traits::create_type;
    /// What the calls read back.
    using read_type = typename Traits::read_type;
    /// What `update` takes (`detail::no_update`: the collection has no `update`).
    using update_type = typename Traits::update_type;

    /// Creates one on `resource` (`POST <collection>`). Signature:
    /// `void(error_code, read_type)`. The key is taken: `error::conflict`; an unknown resource
    /// type: `error::not_found`. Not retried: POST is not idempotent.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(std::string_view resource, const create_type& item,
                CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::post, resource, {}, to_json(item)),
                               detail::json_decoder<read_type>{}, nullptr,
                               std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(std::string_view resource, const create_type& item, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::post, resource, {}, to_json(item)),
                               detail::json_decoder<read_type>{}, &diag,
                               std::forward<CompletionToken>(token));
    }

    /// Reads one of `resource` by key or id (`GET <collection>/{key}`). Signature:
    /// `void(error_code, read_type)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view resource, std::string_view key, CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::get, resource, key), detail::json_decoder<read_type>{},
                               nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view resource, std::string_view key, diagnostics& diag,
             CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::get, resource, key), detail::json_decoder<read_type>{},
                               &diag, std::forward<CompletionToken>(token));
    }

    /// Reads one page of those of `resource` (`GET <collection>`), `q.per_page` (at most 100)
    /// from `q.page`. Signature: `void(error_code, permit::page<read_type>)`. The API answers
    /// these lists with a bare array (the relations' with the envelope; either is read): then
    /// `total_count` is the number of items on the page.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(std::string_view resource, const page_query& q = {},
              CompletionToken&& token = {}) const {
        return call<page<read_type>>(list_spec(std::string(resource), q.page, q.per_page),
                                     detail::list_decoder<read_type>{}, nullptr,
                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(std::string_view resource, const page_query& q, diagnostics& diag,
              CompletionToken&& token = {}) const {
        return call<page<read_type>>(list_spec(std::string(resource), q.page, q.per_page),
                                     detail::list_decoder<read_type>{}, &diag,
                                     std::forward<CompletionToken>(token));
    }

    /// Every one of `resource`, page by page from `q.page`, `q.per_page` at a time, until a page
    /// is shorter than `q.per_page`.
    pager<read_type> list_all(std::string_view resource, page_query q = {}) const {
        return detail::pager_access::make<read_type>(
            impl_, q.per_page, [resource = std::string(resource)](int page, int per_page) {
                return list_spec(resource, page, per_page);
            });
    }

    /// Overwrites the fields set in `changes` (`PATCH <collection>/{key}`); a field left unset
    /// keeps its value. Signature: `void(error_code, read_type)`. Missing: `error::not_found`.
    /// Not retried: PATCH is not idempotent.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    requires(!std::is_same_v<typename Traits::update_type, detail::no_update>) auto update(
        std::string_view resource, std::string_view key, const update_type& changes,
        CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::patch, resource, key, to_json(changes)),
                               detail::json_decoder<read_type>{}, nullptr,
                               std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    requires(!std::is_same_v<typename Traits::update_type, detail::no_update>) auto update(
        std::string_view resource, std::string_view key, const update_type& changes,
        diagnostics& diag, CompletionToken&& token = {}) const {
        return call<read_type>(spec(verb::patch, resource, key, to_json(changes)),
                               detail::json_decoder<read_type>{}, &diag,
                               std::forward<CompletionToken>(token));
    }

    /// Deletes one of `resource` (`DELETE <collection>/{key}`). Signature: `void(error_code)`.
    /// Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view resource, std::string_view key,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, resource, key), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view resource, std::string_view key, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, resource, key), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  protected:
    /// The method of a request.
    using verb = http_method;

    using api_base::api_base;

    /// A request on the collection of `resource` (`key` empty), on one of its objects, or below
    /// one (`suffix` such as `/permissions`).
    static detail::call_spec spec(verb method, std::string_view resource, std::string_view key,
                                  std::optional<std::string> body = {},
                                  std::string_view suffix = {}) {
        auto path = Traits::collection(resource);
        if (!key.empty()) path = api_base::path(path, key);
        path += suffix;
        return {.method = method,
                .base = detail::path_base::schema,
                .path = std::move(path),
                .body = std::move(body)};
    }

    /// The request of one page of `list`.
    static detail::call_spec list_spec(const std::string& resource, int page, int per_page) {
        detail::query_builder query;
        query.add_number("page", page).add_number("per_page", per_page);
        auto out = spec(verb::get, resource, {});
        out.query = std::move(query).str();
        return out;
    }
};

}  // namespace permit
