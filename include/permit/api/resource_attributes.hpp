// permit.resource_attributes: the attributes defined on a resource type
// (`/v2/schema/{proj}/{env}/resources/{resource}/attributes`), and on the users
// (`/v2/schema/{proj}/{env}/users/attributes`).
#pragma once

#include <permit/api/resource_collection.hpp>
#include <permit/models/resource_attribute.hpp>

#include <string>
#include <string_view>

namespace permit {

namespace detail {
struct resource_attribute_traits {
    using create_type = resource_attribute_create;
    using read_type = resource_attribute;
    using update_type = resource_attribute_update;
    // The users' attributes have routes of their own, "attributes defined on the User resource"
    // (https://api.permit.io/v2/redoc#tag/User-Attributes); the official SDKs reach them as
    // `/resources/__user/attributes` instead, which the API answers too.
    static std::string collection(std::string_view resource) {
        if (resource == user_resource_key) return "/users/attributes";
        return below_resource(resource, "attributes");
    }
};
}  // namespace detail

/// The attribute definitions of the environment's resource types and of its users. Reached as
/// `client.resource_attributes`.
///
/// The calls of `permit::resource_collection_api` take the resource type first, or
/// `permit::user_resource_key` (`"__user"`) for the users' attributes, which go to
/// `/users/attributes`: `create(resource, const resource_attribute_create&)`, `get(resource,
/// attribute)`, `list(resource, const page_query& = {})` (a bare array: `total_count` is the
/// page's size), `list_all(resource, page_query = {})`, `update(resource, attribute, const
/// resource_attribute_update&)` and `remove(resource, attribute)`. `create` fails with
/// `error::conflict` for a key the resource has, and with `error::validation_failed` for the
/// reserved key `type` or a type that is not one of `AttributeType`. A definition is what
/// `resource_create::attributes` makes; it does not check the values stored on instances or
/// users, and removing it leaves them as they are.
///
/// Completion signatures: `create`, `get` and `update` complete with `void(error_code,
/// permit::resource_attribute)`; `list` with `void(error_code,
/// permit::page<permit::resource_attribute>)`; `remove` with `void(error_code)`. Completion
/// tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are as for every
/// operation (see `permit::client`).
class resource_attributes_api : public resource_collection_api<detail::resource_attribute_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit resource_attributes_api(detail::client_handle impl)
        : resource_collection_api(std::move(impl)) {}
};

}  // namespace permit
