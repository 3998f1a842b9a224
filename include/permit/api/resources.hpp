// permit.resources: the resource types of an environment's policy
// (`/v2/schema/{proj}/{env}/resources`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/resource.hpp>

namespace permit {

namespace detail {
struct resource_traits {
    using create_type = resource_create;
    using read_type = resource;
    using update_type = resource_update;
    using query_type = schema_list_query;
    static constexpr path_base base = path_base::schema;
    static constexpr std::string_view collection = "/resources";
    static void add_filters(query_builder& query, const schema_list_query& q) {
        add_search_with_totals(query, q);
    }
};
}  // namespace detail

/// The resource types of the environment's policy, with their actions. Reached as
/// `client.resources`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/resources` (see
/// `permit::keyed_collection_api`); in `update`, `actions`, when given, replaces the stored
/// actions.
///
/// Their completion signatures: `create(const resource_create&)`, `get(key)` and
/// `update(key, const resource_update&)` complete with `void(error_code, permit::resource)`;
/// `list(const schema_list_query& = {})` with `void(error_code, permit::page<permit::resource>)`;
/// `remove(key)` with `void(error_code)`. `list_all(schema_list_query = {})` returns a
/// `permit::pager<permit::resource>`. Each call but `list_all` also has a `diagnostics&` overload.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class resources_api : public keyed_collection_api<detail::resource_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit resources_api(detail::client_handle impl) : keyed_collection_api(std::move(impl)) {}

  public:
    /// Replaces a resource type whole (`PUT /resources/{resource}`): `name` and `actions` are
    /// required. Signature: `void(error_code, permit::resource)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto replace(std::string_view key, const resource_replace& r,
                 CompletionToken&& token = {}) const {
        return call<resource>(item_spec(verb::put, key, to_json(r)),
                              detail::json_decoder<resource>{}, nullptr,
                              std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto replace(std::string_view key, const resource_replace& r, diagnostics& diag,
                 CompletionToken&& token = {}) const {
        return call<resource>(item_spec(verb::put, key, to_json(r)),
                              detail::json_decoder<resource>{}, &diag,
                              std::forward<CompletionToken>(token));
    }
};

}  // namespace permit
