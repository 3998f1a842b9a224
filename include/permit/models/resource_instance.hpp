// The resource instance models (https://api.permit.io/v2/redoc#tag/Resource-Instances).
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// ResourceInstanceCreate: body of POST /resource_instances, and an item of
/// `resource_instances.bulk_replace`.
struct resource_instance_create {
    /// The instance's key within its resource type (`^[A-Za-z0-9\-_]+$`).
    std::string key;
    /// The key of the tenant it belongs to; every instance belongs to exactly one.
    std::string tenant;
    /// The key of its resource type (`"document"`).
    std::string resource;
    /// Custom attributes, for attribute-based policies. Left out of the JSON when empty.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const resource_instance_create&,
                           const resource_instance_create&) = default;
};

/// ResourceInstanceUpdate: body of PATCH /resource_instances/{id}. Only the attributes can
/// change, and given ones replace the stored ones whole.
struct resource_instance_update {
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;

    /// Field-by-field equality.
    friend bool operator==(const resource_instance_update&,
                           const resource_instance_update&) = default;
};

/// ResourceInstanceRead: a resource instance as the API returns it.
struct resource_instance {
    /// Its key within its resource type.
    std::string key;
    /// The key of its tenant.
    std::string tenant;
    /// The key of its resource type.
    std::string resource;
    /// The id the API gave it.
    std::string id;
    /// The id of the organization it belongs to.
    std::string organization_id;
    /// The id of the project it belongs to.
    std::string project_id;
    /// The id of the environment it belongs to.
    std::string environment_id;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// The id of its resource type.
    std::string resource_id;
    /// The id of its tenant.
    std::string tenant_id;
    /// Custom attributes, for attribute-based policies.
    boost::json::object attributes;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const resource_instance&, const resource_instance&) = default;
};

/// Filters of `resource_instances.list`.
struct resource_instance_list_query {
    /// Only instances of this tenant (key or id).
    std::optional<std::string> tenant;
    /// Only instances of this resource type (key or id).
    std::optional<std::string> resource;
    /// Only the instances with these keys or ids (each sent as `search`).
    std::vector<std::string> search;
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

/// Body of PUT /bulk/resource_instances.
struct resource_instance_bulk_operation {
    /// The instances to create, or to replace when one with the same resource and key exists.
    std::vector<resource_instance_create> operations;

    /// Field-by-field equality.
    friend bool operator==(const resource_instance_bulk_operation&,
                           const resource_instance_bulk_operation&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(resource_instance_create,
                      ({.name = "resource_instance_create", .kind = detail::model_kind::request}),
                      (key, tenant, resource, attributes))
PERMIT_DESCRIBE_MODEL(resource_instance_update,
                      ({.name = "resource_instance_update", .kind = detail::model_kind::request}),
                      (attributes))
PERMIT_DESCRIBE_MODEL(resource_instance,
                      ({.name = "resource_instance", .kind = detail::model_kind::reply}),
                      (key, tenant, resource, id, organization_id, project_id, environment_id,
                       created_at, updated_at, resource_id, tenant_id, attributes))
PERMIT_DESCRIBE_MODEL(resource_instance_bulk_operation,
                      ({.name = "resource_instance_bulk_operation",
                        .kind = detail::model_kind::request,
                        .required = "operations"}),
                      (operations))

}  // namespace permit
