// permit.action_groups: named sets of a resource type's actions
// (`/v2/schema/{proj}/{env}/resources/{resource}/action_groups`).
#pragma once

#include <permit/api/resource_collection.hpp>
#include <permit/models/action_group.hpp>

#include <string>
#include <string_view>

namespace permit {

namespace detail {
struct action_group_traits {
    using create_type = action_group_create;
    using read_type = action_group;
    using update_type = action_group_update;
    static std::string collection(std::string_view resource) {
        return below_resource(resource, "action_groups");
    }
};
}  // namespace detail

/// The action groups of the environment's resource types. Reached as `client.action_groups`.
///
/// The calls of `permit::resource_collection_api` take the resource type first:
/// `create(resource, const action_group_create&)`, `get(resource, group)`, `list(resource,
/// const page_query& = {})` (a bare array: `total_count` is the page's size),
/// `list_all(resource, page_query = {})`, `update(resource, group, const
/// action_group_update&)` and `remove(resource, group)`. `create` fails with `error::conflict`
/// for a key the resource has. An action group names actions; it grants nothing by itself.
///
/// Completion signatures: `create`, `get` and `update` complete with `void(error_code,
/// permit::action_group)`; `list` with `void(error_code, permit::page<permit::action_group>)`;
/// `remove` with `void(error_code)`. Completion tokens, the `diagnostics&` overloads, errors,
/// cancellation and thread safety are as for every operation (see `permit::client`).
class action_groups_api : public resource_collection_api<detail::action_group_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit action_groups_api(detail::client_handle impl)
        : resource_collection_api(std::move(impl)) {}
};

}  // namespace permit
