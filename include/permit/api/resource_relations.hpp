// permit.resource_relations: the relations of a resource type
// (`/v2/schema/{proj}/{env}/resources/{resource}/relations`), through which relationship tuples
// join instances and roles are derived.
#pragma once

#include <permit/api/resource_collection.hpp>
#include <permit/models/resource_relation.hpp>

#include <string>
#include <string_view>

namespace permit {

namespace detail {
struct resource_relation_traits {
    using create_type = relation_create;
    using read_type = relation;
    using update_type = no_update;
    static std::string collection(std::string_view resource) {
        return below_resource(resource, "relations");
    }
};
}  // namespace detail

/// The relations of the environment's resource types. Reached as `client.resource_relations`.
///
/// A relation is defined on a resource type, the object, and names the subject resource type:
/// relation `parent` of `document` to `folder` lets a tuple (folder:finance, parent,
/// document:report) say that folder:finance is the parent of document:report. The calls of
/// `permit::resource_collection_api` take the object resource type first:
/// `create(resource, const relation_create&)`, `get(resource, relation)`, `list(resource,
/// const page_query& = {})`, `list_all(resource, page_query = {})` and `remove(resource,
/// relation)`; there is no update. `create` makes the same relation as
/// `resource_create::relations`; `remove` also deletes the tuples that use the relation and the
/// derivation rules linked by it (as the emulator does; the API reference does not say).
///
/// Completion signatures: `create` and `get` complete with `void(error_code,
/// permit::relation)`; `list` with `void(error_code, permit::page<permit::relation>)` (the API
/// answers the envelope, some versions a bare array: both are read); `remove` with
/// `void(error_code)`. Completion tokens, the `diagnostics&` overloads, errors, cancellation and
/// thread safety are as for every operation (see `permit::client`).
class resource_relations_api : public resource_collection_api<detail::resource_relation_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit resource_relations_api(detail::client_handle impl)
        : resource_collection_api(std::move(impl)) {}
};

}  // namespace permit
