// permit.resource_instances: the instances of the environment's resource types
// (`/v2/facts/{proj}/{env}/resource_instances`), which relationship tuples join and instance
// roles are assigned on.
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/resource_instance.hpp>

#include <string>
#include <vector>

namespace permit {

namespace detail {
struct resource_instance_traits {
    using create_type = resource_instance_create;
    using read_type = resource_instance;
    using update_type = resource_instance_update;
    using query_type = resource_instance_list_query;
    static constexpr path_base base = path_base::facts;
    static constexpr std::string_view collection = "/resource_instances";
    static void add_filters(query_builder& query, const resource_instance_list_query& q) {
        query.add_optional("tenant", q.tenant).add_optional("resource", q.resource);
        for (const auto& s : q.search) query.add("search", s);
        // The envelope, with its total: the list is a bare array without it.
        query.add_flag("include_total_count", true);
    }
};
}  // namespace detail

/// The resource instances of the environment. Reached as `client.resource_instances`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/resource_instances` (see
/// `permit::keyed_collection_api`); an instance is named by `"type:key"` or by its id. `create`
/// fails with `error::not_found` for an unknown resource type or tenant and `error::conflict`
/// when the instance exists; `update` replaces the attributes whole; `remove` deletes the
/// instance "and all its related data": its role assignments and the tuples that name it. `list`
/// filters by tenant, resource type and keys (`resource_instance_list_query`).
///
/// Their completion signatures: `create`, `get(ident)` and `update(ident, ...)` complete with
/// `void(error_code, permit::resource_instance)`; `list` with
/// `void(error_code, permit::page<permit::resource_instance>)`; `remove(ident)` with
/// `void(error_code)`. `list_all` returns a `permit::pager<permit::resource_instance>`.
///
/// Read-your-writes (`config::proxy_facts_via_pdp`): `create` and `update` wait until the PDP's
/// decisions see the change. Completion tokens, the `diagnostics&` overloads, errors,
/// cancellation and thread safety are as for every operation (see `permit::client`).
class resource_instances_api : public keyed_collection_api<detail::resource_instance_traits> {
  private:
    friend class permit::client_view;
    explicit resource_instances_api(detail::client_handle impl)
        : keyed_collection_api(std::move(impl)) {}

  public:
    /// Creates or replaces many instances in one request (`PUT /bulk/resource_instances`, at
    /// most 3,000): an instance with the same resource and key is replaced. Idempotent.
    /// Signature: `void(error_code)`. An unknown resource type or tenant: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<resource_instance_create> instances,
                      CompletionToken&& token = {}) const {
        return call<void>(bulk_replace_spec(std::move(instances)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_replace(std::vector<resource_instance_create> instances, diagnostics& diag,
                      CompletionToken&& token = {}) const {
        return call<void>(bulk_replace_spec(std::move(instances)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Deletes instances by `"type:key"` or id (`DELETE /bulk/resource_instances`, at most
    /// 3,000), each with its related data. Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_remove(std::vector<std::string> idents, CompletionToken&& token = {}) const {
        return call<void>(bulk_remove_spec(std::move(idents)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_remove(std::vector<std::string> idents, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(bulk_remove_spec(std::move(idents)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec bulk_replace_spec(std::vector<resource_instance_create> instances) {
        return {.method = verb::put,
                .base = detail::path_base::facts,
                .path = "/bulk/resource_instances",
                .body = to_json(resource_instance_bulk_operation{std::move(instances)})};
    }
    static detail::call_spec bulk_remove_spec(std::vector<std::string> idents) {
        return {.method = verb::delete_,
                .base = detail::path_base::facts,
                .path = "/bulk/resource_instances",
                .body = to_json(bulk_delete_operation{std::move(idents)})};
    }
};

}  // namespace permit
